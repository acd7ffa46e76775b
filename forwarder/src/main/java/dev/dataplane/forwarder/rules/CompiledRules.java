package dev.dataplane.forwarder.rules;

import dev.dataplane.forwarder.rules.classify.Classifier;
import dev.dataplane.forwarder.rules.classify.RuleClassifier;
import dev.dataplane.forwarder.rules.lang.Nat;
import dev.dataplane.forwarder.rules.lang.Rule;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.forwarder.rules.lang.Verdict;
import dev.dataplane.forwarder.rules.rewrite.RewriteProgram;

/**
 * A rule set ready for the fast path: its classifier, each rule's verdict, redirect port and rewrite program in
 * flat arrays. Immutable and shared by every lcore; a reload builds a new one.
 */
public final class CompiledRules
{
    private final RuleSet ruleSet;
    private final Classifier classifier;
    private final Verdict[] verdicts;
    private final int[] redirectPorts;
    private final RewriteProgram[] programs;
    private final Nat[] destinationNats;
    private final Nat[] sourceNats;
    private final boolean matchesLength;
    private final boolean matchesTcpFlags;
    private final boolean matchesInPort;
    private final boolean perConnection;

    public CompiledRules(final RuleSet ruleSet)
    {
        this.ruleSet = ruleSet;
        this.classifier = new RuleClassifier(ruleSet);
        final int n = ruleSet.size();
        this.verdicts = new Verdict[n];
        this.redirectPorts = new int[n];
        this.programs = new RewriteProgram[n];
        this.destinationNats = new Nat[n];
        this.sourceNats = new Nat[n];
        for (final Rule rule : ruleSet.rules())
        {
            verdicts[rule.index()] = rule.verdict();
            redirectPorts[rule.index()] = rule.redirectPort();
            programs[rule.index()] = RewriteProgram.of(rule);
            destinationNats[rule.index()] = rule.destinationNat();
            sourceNats[rule.index()] = rule.sourceNat();
        }
        this.matchesLength = ruleSet.rules().stream().anyMatch(rule -> rule.lengthLow() != Rule.ANY);
        this.matchesTcpFlags = ruleSet.rules().stream().anyMatch(rule -> 0 != rule.tcpFlagsMask());
        this.matchesInPort = ruleSet.rules().stream().anyMatch(rule -> Rule.ANY != rule.inPort());
        this.perConnection = !matchesLength && !matchesTcpFlags && ruleSet.rules().stream()
            .allMatch(rule -> Rule.ANY == rule.vlanLow());
    }

    /**
     * Whether every packet of one direction of a connection, in one connection state and from one port, meets the
     * same rule: no rule matches what varies within a connection (length, TCP flags, VLAN). A fragment aside, its
     * verdict may then be kept with the connection.
     */
    public boolean decidesPerConnection()
    {
        return perConnection;
    }

    /** The rule's {@code dnat}, or null. */
    public Nat destinationNat(final int rule)
    {
        return destinationNats[rule];
    }

    /** The rule's {@code snat} or {@code masquerade}, or null. */
    public Nat sourceNat(final int rule)
    {
        return sourceNats[rule];
    }

    /** Whether some rule matches on the port a packet arrived on ({@code in-port}). */
    public boolean matchesInPort()
    {
        return matchesInPort;
    }

    /** Whether some rule matches on the frame length. */
    public boolean matchesLength()
    {
        return matchesLength;
    }

    /** Whether some rule matches on TCP flags. */
    public boolean matchesTcpFlags()
    {
        return matchesTcpFlags;
    }

    public RuleSet ruleSet()
    {
        return ruleSet;
    }

    public Classifier classifier()
    {
        return classifier;
    }

    public Verdict verdict(final int rule)
    {
        return verdicts[rule];
    }

    public int redirectPort(final int rule)
    {
        return redirectPorts[rule];
    }

    public RewriteProgram program(final int rule)
    {
        return programs[rule];
    }

    public boolean defaultAccept()
    {
        return ruleSet.defaultAccept();
    }

    public int size()
    {
        return verdicts.length;
    }
}
