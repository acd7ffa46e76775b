package dev.dataplane.forwarder.rules.classify;

import dev.dataplane.forwarder.rules.lang.Prefix;
import dev.dataplane.forwarder.rules.lang.Rule;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.Ipv6Header;
import dev.dataplane.net.PacketView;

/**
 * The reference: every rule tried in order, every field compared directly. It defines what the compiled
 * {@link RuleClassifier} must answer, and the tests hold the two to the same verdict on random rules and frames.
 */
public final class LinearClassifier implements Classifier
{
    private final Rule[] rules;

    public LinearClassifier(final RuleSet ruleSet)
    {
        this.rules = ruleSet.rules().toArray(new Rule[0]);
    }

    @Override
    public int classify(final PacketView view, final int inPort, final long[] counters, final int[] countedRules)
    {
        Classifier.clearCounted(countedRules);
        for (final Rule rule : rules)
        {
            if (matches(rule, view, inPort) && Classifier.countMatch(counters, rule.index(), view.length(),
                rule.verdict().isTerminal(), countedRules))
            {
                return rule.index();
            }
        }
        return NO_MATCH;
    }

    /** Whether {@code rule} matches the frame; the plain statement of each match's meaning. */
    public static boolean matches(final Rule rule, final PacketView view, final int inPort)
    {
        if (rule.inPort() != Rule.ANY && rule.inPort() != inPort)
        {
            return false;
        }
        if (rule.lengthLow() != Rule.ANY && (view.length() < rule.lengthLow() || view.length() > rule.lengthHigh()))
        {
            return false;
        }
        final boolean malformed = view.verdict() != PacketView.OK;
        if (rule.malformed() || malformed)
        {
            return rule.malformed() && malformed;
        }
        if (rule.etherType() != Rule.ANY && rule.etherType() != view.etherType())
        {
            return false;
        }
        if (rule.vlanLow() == Rule.UNTAGGED && view.vlanCount() != 0)
        {
            return false;
        }
        if (rule.vlanLow() >= 0 &&
            (view.vlanCount() == 0 || view.outerVlanId() < rule.vlanLow() || view.outerVlanId() > rule.vlanHigh()))
        {
            return false;
        }
        if (rule.ipVersion() != Rule.ANY && rule.ipVersion() != view.ipVersion())
        {
            return false;
        }
        if (rule.fragment() && !view.isFragment())
        {
            return false;
        }
        if (null != rule.source() && !containsSource(rule.source(), view))
        {
            return false;
        }
        if (null != rule.destination() && !containsDestination(rule.destination(), view))
        {
            return false;
        }
        if (rule.protocol() != Rule.ANY && (view.ipVersion() == 0 || view.protocol() != rule.protocol()))
        {
            return false;
        }
        if (rule.sourcePortLow() != Rule.ANY && (!view.hasPorts() || view.sourcePort() < rule.sourcePortLow() ||
            view.sourcePort() > rule.sourcePortHigh()))
        {
            return false;
        }
        if (rule.destinationPortLow() != Rule.ANY && (!view.hasPorts() ||
            view.destinationPort() < rule.destinationPortLow() || view.destinationPort() > rule.destinationPortHigh()))
        {
            return false;
        }
        if (0 != rule.connStates() && 0 == (rule.connStates() & 1 << view.connState()))
        {
            return false;
        }
        return rule.tcpFlagsMask() == 0 ||
            (view.hasPorts() && view.protocol() == 6 && (view.tcpFlags() & rule.tcpFlagsMask()) == rule.tcpFlags());
    }

    private static boolean containsSource(final Prefix prefix, final PacketView view)
    {
        final long at = view.base() + view.l3Offset();
        return prefix.version() == 4 ?
            view.ipVersion() == 4 && prefix.containsIpv4(Ipv4Header.source(view.segment(), at)) :
            view.ipVersion() == 6 && prefix.containsIpv6(Ipv6Header.sourceHigh(view.segment(), at),
                Ipv6Header.sourceLow(view.segment(), at));
    }

    private static boolean containsDestination(final Prefix prefix, final PacketView view)
    {
        final long at = view.base() + view.l3Offset();
        return prefix.version() == 4 ?
            view.ipVersion() == 4 && prefix.containsIpv4(Ipv4Header.destination(view.segment(), at)) :
            view.ipVersion() == 6 && prefix.containsIpv6(Ipv6Header.destinationHigh(view.segment(), at),
                Ipv6Header.destinationLow(view.segment(), at));
    }
}
