package dev.dataplane.forwarder.rules.classify;

import java.util.Arrays;

import dev.dataplane.forwarder.rules.lang.Prefix;
import dev.dataplane.forwarder.rules.lang.Rule;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.Ipv6Header;
import dev.dataplane.net.PacketView;

/**
 * The compiled classifier: the rules, in order, are cut into groups of up to {@value #GROUP_RULES}; in each group
 * every constrained field becomes a {@link FieldIndex}, a frame's value of each field selects a class, and the rules
 * of the group that match the frame are the AND of the classes' bitsets. The lowest set bit that is a terminal rule
 * wins; groups are tried in order until one has it. The cost grows with the number of constrained fields and, only
 * through the AND of 64-rule words that some class admits and through the number of groups, with the rule count:
 * not rule by rule. The groups bound the memory: a field's bitsets cost up to (2 x its rules) x its rules bits, so
 * one group of 65,536 rules would need gigabytes where 64 groups of 1,024 need tens of megabytes.
 * <p>
 * Frames the parser rejected go to the few {@code malformed} rules, tried in order. Allocation-free per frame;
 * built once per rule set, off the fast path.
 */
public final class RuleClassifier implements Classifier
{
    /** Rules per group. */
    public static final int GROUP_RULES = 1024;

    private final Rule[] rules;
    private final boolean[] terminal;
    private final int[] malformedRules;
    private final Group[] groups;

    public RuleClassifier(final RuleSet ruleSet)
    {
        this(ruleSet, GROUP_RULES);
    }

    /** With groups of {@code groupRules} rules (a multiple of 64; tests use small ones to have many groups). */
    RuleClassifier(final RuleSet ruleSet, final int groupRules)
    {
        if (groupRules <= 0 || 0 != groupRules % 64)
        {
            throw new IllegalArgumentException("rules per group must be a positive multiple of 64: " + groupRules);
        }
        this.rules = ruleSet.rules().toArray(new Rule[0]);
        final int n = rules.length;
        this.terminal = new boolean[n];
        int malformedCount = 0;
        for (final Rule rule : rules)
        {
            terminal[rule.index()] = rule.verdict().isTerminal();
            if (rule.malformed())
            {
                malformedCount++;
            }
        }
        this.malformedRules = new int[malformedCount];
        for (int i = 0, m = 0; i < n; i++)
        {
            if (rules[i].malformed())
            {
                malformedRules[m++] = i;
            }
        }
        this.groups = new Group[Math.max(1, (n + groupRules - 1) / groupRules)];
        for (int g = 0; g < groups.length; g++)
        {
            groups[g] = new Group(rules, g * groupRules, Math.min(n, (g + 1) * groupRules), terminal,
                1 == groups.length);
        }
    }

    @Override
    public int classify(final PacketView view, final int port, final long[] counters, final int[] countedRules)
    {
        Classifier.clearCounted(countedRules);
        if (view.verdict() != PacketView.OK)
        {
            return classifyMalformed(view, port, counters, countedRules);
        }
        for (final Group group : groups)
        {
            final int rule = group.classify(view, port, counters, countedRules);
            if (NO_MATCH != rule)
            {
                return rule;
            }
        }
        return NO_MATCH;
    }

    private int classifyMalformed(final PacketView view, final int port, final long[] counters,
        final int[] countedRules)
    {
        for (final int index : malformedRules)
        {
            final Rule rule = rules[index];
            if ((rule.inPort() == Rule.ANY || rule.inPort() == port) && (rule.lengthLow() == Rule.ANY ||
                (view.length() >= rule.lengthLow() && view.length() <= rule.lengthHigh())))
            {
                if (Classifier.countMatch(counters, index, view.length(), terminal[index], countedRules))
                {
                    return index;
                }
            }
        }
        return NO_MATCH;
    }

    /**
     * The IP version field's value space tells fragments apart too, so that {@code fragment} rules need no field of
     * their own: 0 not IP, 4 IPv4, 5 an IPv4 fragment, 6 an IPv6 fragment, 7 IPv6. Each rule then takes one range:
     * {@code ip4} 4-5, {@code ip6} 6-7, {@code fragment} 5-6, {@code ip4 fragment} 5.
     */
    private static int ipVersionValue(final PacketView view)
    {
        final int version = view.ipVersion();
        if (4 == version)
        {
            return view.isFragment() ? 5 : 4;
        }
        if (6 == version)
        {
            return view.isFragment() ? 6 : 7;
        }
        return 0;
    }

    /** A rule's range of {@link #ipVersionValue}s. */
    private static void ipVersion(final FieldIndex.Builder builder, final Rule rule)
    {
        final int version = rule.ipVersion();
        if (rule.fragment())
        {
            intRange(builder, 6 == version ? 6 : 5, 4 == version ? 5 : 6);
        }
        else if (Rule.ANY == version)
        {
            builder.any();
        }
        else
        {
            intRange(builder, 4 == version ? 4 : 6, 4 == version ? 5 : 7);
        }
    }

    /** Classes per field of each group, for diagnostics: how much the rule set cut each field's value space. */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder("rules=").append(rules.length).append(" groups=")
            .append(groups.length);
        for (final Group group : groups)
        {
            sb.append("\n  ").append(group.describe());
        }
        return sb.toString();
    }

    /** Rules {@code [first, end)}: their fields' indexes and the AND that finds the first match among them. */
    private static final class Group
    {
        private final int first;
        private final int count;
        private final boolean[] terminal;
        private final int words;
        private final int summaryWords;
        /** Rules that can match a well-formed frame at all (the malformed ones cannot). */
        private final long[] wellFormed;
        private final long[] wellFormedSummary;

        private final FieldIndex inPort;
        private final FieldIndex length;
        private final FieldIndex etherType;
        private final FieldIndex vlan;
        private final FieldIndex ipVersion;
        private final FieldIndex source4;
        private final FieldIndex destination4;
        private final FieldIndex source6;
        private final FieldIndex destination6;
        private final FieldIndex protocol;
        private final FieldIndex sourcePort;
        private final FieldIndex destinationPort;
        private final FieldIndex tcpFlags;
        private final FieldIndex connState;

        /** @param dense whether small fields may have dense tables (see {@link FieldIndex.Builder}). */
        Group(final Rule[] rules, final int first, final int end, final boolean[] terminal, final boolean dense)
        {
            this.first = first;
            this.terminal = terminal;
            final int n = end - first;
            this.count = n;
            this.words = Math.max(1, (n + 63) >>> 6);
            this.summaryWords = (words + 63) >>> 6;
            this.wellFormed = new long[words];
            this.wellFormedSummary = new long[summaryWords];
            final FieldIndex.Builder inPortB = new FieldIndex.Builder(5, n, dense);
            final FieldIndex.Builder lengthB = new FieldIndex.Builder(16, n, dense);
            final FieldIndex.Builder etherTypeB = new FieldIndex.Builder(16, n, dense);
            final FieldIndex.Builder vlanB = new FieldIndex.Builder(13, n, dense);
            final FieldIndex.Builder ipVersionB = new FieldIndex.Builder(3, n, dense);
            final FieldIndex.Builder source4B = new FieldIndex.Builder(32, n, dense);
            final FieldIndex.Builder destination4B = new FieldIndex.Builder(32, n, dense);
            final FieldIndex.Builder source6B = new FieldIndex.Builder(128, n, dense);
            final FieldIndex.Builder destination6B = new FieldIndex.Builder(128, n, dense);
            final FieldIndex.Builder protocolB = new FieldIndex.Builder(8, n, dense);
            final FieldIndex.Builder sourcePortB = new FieldIndex.Builder(16, n, dense);
            final FieldIndex.Builder destinationPortB = new FieldIndex.Builder(16, n, dense);
            final FieldIndex.Builder tcpFlagsB = new FieldIndex.Builder(8, n, dense);
            final FieldIndex.Builder connStateB = new FieldIndex.Builder(3, n, dense);
            for (int i = 0; i < n; i++)
            {
                final Rule r = rules[first + i];
                if (!r.malformed())
                {
                    wellFormed[i >>> 6] |= 1L << (i & 63);
                    wellFormedSummary[i >>> 12] |= 1L << ((i >>> 6) & 63);
                }
                intRange(inPortB, r.inPort(), r.inPort());
                intRange(lengthB, r.lengthLow(), r.lengthHigh());
                intRange(etherTypeB, r.etherType(), r.etherType());
                // VLAN value space: 0 = untagged, id + 1 = tagged with that outer id.
                if (r.vlanLow() == Rule.UNTAGGED)
                {
                    vlanB.range(0, 0, 0, 0);
                }
                else
                {
                    intRange(vlanB, r.vlanLow() < 0 ? Rule.ANY : r.vlanLow() + 1, r.vlanHigh() + 1);
                }
                ipVersion(ipVersionB, r);
                prefix4(source4B, r.source());
                prefix4(destination4B, r.destination());
                prefix6(source6B, r.source());
                prefix6(destination6B, r.destination());
                intRange(protocolB, r.protocol(), r.protocol());
                intRange(sourcePortB, r.sourcePortLow(), r.sourcePortHigh());
                intRange(destinationPortB, r.destinationPortLow(), r.destinationPortHigh());
                tcpFlags(tcpFlagsB, r);
                connStates(connStateB, r.connStates());
            }
            this.inPort = inPortB.build();
            this.length = lengthB.build();
            this.etherType = etherTypeB.build();
            this.vlan = vlanB.build();
            this.ipVersion = ipVersionB.build();
            this.source4 = source4B.build();
            this.destination4 = destination4B.build();
            this.source6 = source6B.build();
            this.destination6 = destination6B.build();
            this.protocol = protocolB.build();
            this.sourcePort = sourcePortB.build();
            this.destinationPort = destinationPortB.build();
            this.tcpFlags = tcpFlagsB.build();
            this.connState = connStateB.build();
        }

        /** The first terminal rule of this group a well-formed frame matches, counting the count rules on the way. */
        int classify(final PacketView view, final int port, final long[] counters, final int[] countedRules)
        {
            final int cInPort = inPort.active ? inPort.classOf(port & 31) : 0;
            final int cLength = length.active ?
                (view.length() > 65535 ? length.absentClass : length.classOf(view.length())) : 0;
            final int cEtherType = etherType.active ? etherType.classOf(view.etherType()) : 0;
            final int cVlan = vlan.active ? vlan.classOf(view.vlanCount() == 0 ? 0 : view.outerVlanId() + 1) : 0;
            final int version = view.ipVersion();
            final int cIpVersion = ipVersion.active ? ipVersion.classOf(ipVersionValue(view)) : 0;
            final long l3 = view.base() + view.l3Offset();
            int cSource4 = 0;
            int cDestination4 = 0;
            if (source4.active)
            {
                cSource4 = version == 4 ? source4.classOf32(Ipv4Header.source(view.segment(), l3)) :
                    source4.absentClass;
            }
            if (destination4.active)
            {
                cDestination4 = version == 4 ?
                    destination4.classOf32(Ipv4Header.destination(view.segment(), l3)) :
                    destination4.absentClass;
            }
            int cSource6 = 0;
            int cDestination6 = 0;
            if (source6.active)
            {
                cSource6 = version == 6 ? source6.classOf(Ipv6Header.sourceHigh(view.segment(), l3),
                    Ipv6Header.sourceLow(view.segment(), l3)) : source6.absentClass;
            }
            if (destination6.active)
            {
                cDestination6 = version == 6 ? destination6.classOf(Ipv6Header.destinationHigh(view.segment(), l3),
                    Ipv6Header.destinationLow(view.segment(), l3)) : destination6.absentClass;
            }
            final int cProtocol = protocol.active ?
                (version == 0 ? protocol.absentClass : protocol.classOf(view.protocol())) : 0;
            final boolean l4 = view.hasPorts();
            final int cSourcePort = sourcePort.active ?
                (l4 ? sourcePort.classOf(view.sourcePort()) : sourcePort.absentClass) : 0;
            final int cDestinationPort = destinationPort.active ?
                (l4 ? destinationPort.classOf(view.destinationPort()) : destinationPort.absentClass) : 0;
            final int cTcpFlags = tcpFlags.active ?
                (l4 && view.protocol() == 6 ? tcpFlags.classOf(view.tcpFlags()) : tcpFlags.absentClass) : 0;
            final int cConnState = connState.active ? connState.classOf(view.connState()) : 0;

            final int words = this.words;
            final int summaryWords = this.summaryWords;
            for (int s = 0; s < summaryWords; s++)
            {
                long candidates = wellFormedSummary[s];
                candidates &= summaryOf(inPort, cInPort, s);
                candidates &= summaryOf(length, cLength, s);
                candidates &= summaryOf(etherType, cEtherType, s);
                candidates &= summaryOf(vlan, cVlan, s);
                candidates &= summaryOf(ipVersion, cIpVersion, s);
                candidates &= summaryOf(source4, cSource4, s);
                candidates &= summaryOf(destination4, cDestination4, s);
                candidates &= summaryOf(source6, cSource6, s);
                candidates &= summaryOf(destination6, cDestination6, s);
                candidates &= summaryOf(protocol, cProtocol, s);
                candidates &= summaryOf(sourcePort, cSourcePort, s);
                candidates &= summaryOf(destinationPort, cDestinationPort, s);
                candidates &= summaryOf(tcpFlags, cTcpFlags, s);
                candidates &= summaryOf(connState, cConnState, s);
                while (0 != candidates)
                {
                    final int w = (s << 6) + Long.numberOfTrailingZeros(candidates);
                    candidates &= candidates - 1;
                    long matched = wellFormed[w];
                    matched &= bitsOf(inPort, cInPort, words, w);
                    matched &= bitsOf(length, cLength, words, w);
                    matched &= bitsOf(etherType, cEtherType, words, w);
                    matched &= bitsOf(vlan, cVlan, words, w);
                    matched &= bitsOf(ipVersion, cIpVersion, words, w);
                    matched &= bitsOf(source4, cSource4, words, w);
                    matched &= bitsOf(destination4, cDestination4, words, w);
                    matched &= bitsOf(source6, cSource6, words, w);
                    matched &= bitsOf(destination6, cDestination6, words, w);
                    matched &= bitsOf(protocol, cProtocol, words, w);
                    matched &= bitsOf(sourcePort, cSourcePort, words, w);
                    matched &= bitsOf(destinationPort, cDestinationPort, words, w);
                    matched &= bitsOf(tcpFlags, cTcpFlags, words, w);
                    matched &= bitsOf(connState, cConnState, words, w);
                    final int rule = scanWord(view, counters, countedRules, w, matched);
                    if (NO_MATCH != rule)
                    {
                        return rule;
                    }
                }
            }
            return NO_MATCH;
        }

        /**
         * Counts the matched rules of word {@code w} in order, up to and including the first terminal one, and notes
         * the count rules among them.
         */
        private int scanWord(final PacketView view, final long[] counters, final int[] countedRules, final int w,
            final long matchedRules)
        {
            long matched = matchedRules;
            while (0 != matched)
            {
                final int rule = first + (w << 6) + Long.numberOfTrailingZeros(matched);
                matched &= matched - 1;
                if (Classifier.countMatch(counters, rule, view.length(), terminal[rule], countedRules))
                {
                    return rule;
                }
            }
            return NO_MATCH;
        }

        private static long summaryOf(final FieldIndex field, final int cls, final int s)
        {
            return field.active ? field.summary[cls * field.summaryWords + s] : -1L;
        }

        private static long bitsOf(final FieldIndex field, final int cls, final int words, final int w)
        {
            return field.active ? field.bits[cls * words + w] : -1L;
        }

        String describe()
        {
            return "rules " + first + ".." + (first + count - 1) + ": inPort=" + inPort.classCount() + " length=" +
                length.classCount() + " etherType=" + etherType.classCount() + " vlan=" + vlan.classCount() +
                " src4=" + source4.classCount() + " dst4=" + destination4.classCount() + " src6=" +
                source6.classCount() + " dst6=" + destination6.classCount() + " proto=" + protocol.classCount() +
                " sport=" + sourcePort.classCount() + " dport=" + destinationPort.classCount() + " tcpFlags=" +
                tcpFlags.classCount() + " ctState=" + connState.classCount();
        }
    }

    /** A rule's {@code ct-state} mask as the tracker's codes it matches ({@link PacketView#connState}). */
    private static void connStates(final FieldIndex.Builder builder, final int mask)
    {
        if (0 == mask)
        {
            builder.any();
            return;
        }
        final long[] values = new long[Integer.bitCount(mask)];
        for (int bits = mask, i = 0; 0 != bits; bits &= bits - 1)
        {
            values[i++] = Integer.numberOfTrailingZeros(bits);
        }
        builder.values(values);
    }

    private static void intRange(final FieldIndex.Builder builder, final int low, final int high)
    {
        if (low == Rule.ANY)
        {
            builder.any();
        }
        else
        {
            builder.range(0, low, 0, high);
        }
    }

    private static void prefix4(final FieldIndex.Builder builder, final Prefix prefix)
    {
        if (null == prefix || prefix.version() != 4)
        {
            builder.any();
        }
        else
        {
            builder.range(0, prefix.low(), 0, prefix.lastIpv4());
        }
    }

    private static void prefix6(final FieldIndex.Builder builder, final Prefix prefix)
    {
        if (null == prefix || prefix.version() != 6)
        {
            builder.any();
        }
        else
        {
            builder.range(prefix.high(), prefix.low(), prefix.high() | ~Prefix.mask64(prefix.length()),
                prefix.low() | ~Prefix.mask64(prefix.length() - 64));
        }
    }

    private static void tcpFlags(final FieldIndex.Builder builder, final Rule r)
    {
        if (0 == r.tcpFlagsMask())
        {
            builder.any();
            return;
        }
        final long[] values = new long[256];
        int count = 0;
        for (int v = 0; v < 256; v++)
        {
            if ((v & r.tcpFlagsMask()) == r.tcpFlags())
            {
                values[count++] = v;
            }
        }
        builder.values(Arrays.copyOf(values, count));
    }
}
