package dev.dataplane.forwarder.rules.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.forwarder.rules.RuleSets;
import dev.dataplane.forwarder.rules.flow.FlowCache;
import dev.dataplane.forwarder.rules.lang.Rule;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.forwarder.rules.lang.RulesException;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import org.junit.jupiter.api.Test;

/** The compiled classifier gives the reference's verdict, and the same counts, for every frame of random sets. */
class ClassifierEquivalenceTest
{
    private static final int[] CONN_STATES = {ConnTracker.UNTRACKED, ConnTracker.NEW, ConnTracker.ESTABLISHED,
        ConnTracker.INVALID, ConnTracker.RELATED};

    private static final int[] PORTS = {53, 80, 443, 8080, 8083, 1024, 5000};
    private static final String[] V4 = {"10.0.0.0/8", "10.0.0.0/16", "10.0.8.0/24", "10.0.8.17", "10.0.1.2",
        "192.168.0.0/16", "192.168.1.0/24", "0.0.0.0/0", "10.0.8.16/28"};
    private static final String[] V6 = {"2001:db8::/32", "2001:db8::1", "2001:db8:0:1::/64", "::/0", "fe80::/10"};

    @Test
    void compiledAndLinearAgreeOnRandomRulesAndFrames() throws RulesException
    {
        final Random random = new Random(2024);
        int matchedTerminal = 0;
        int defaulted = 0;
        for (int set = 0; set < 300; set++)
        {
            final RuleSet rules = randomRules(random, 1 + random.nextInt(set < 250 ? 40 : 300));
            final LinearClassifier reference = new LinearClassifier(rules);
            // Every third set in groups of 64 rules, so that sets of more than 64 span several groups.
            final RuleClassifier compiled = 0 == set % 3 ? new RuleClassifier(rules, 64) : new RuleClassifier(rules);
            final long[] referenceCounters = Classifier.newCounters(rules.size());
            final long[] compiledCounters = Classifier.newCounters(rules.size());
            final int[] referenceCounted = new int[FlowCache.COUNTED_RULES];
            final int[] compiledCounted = new int[FlowCache.COUNTED_RULES];
            final PacketView view = new PacketView();
            for (int f = 0; f < 400; f++)
            {
                final byte[] frame = randomFrame(random);
                final int inPort = random.nextInt(4);
                view.parse(MemorySegment.ofArray(frame), 0, frame.length);
                // A tracker's word, as one would set it: untracked, new, established, invalid or related.
                view.connState(CONN_STATES[random.nextInt(CONN_STATES.length)]);
                final int expected = reference.classify(view, inPort, referenceCounters, referenceCounted);
                final int actual = compiled.classify(view, inPort, compiledCounters, compiledCounted);
                final int setNumber = set;
                assertEquals(expected, actual, () -> "rule set " + setNumber + " frame " + Arrays.toString(frame) +
                    " in-port " + inPort + "\n" + describe(rules) + compiled.describe());
                assertArrayEquals(noted(referenceCounted), noted(compiledCounted), "count rules noted, set " + set);
                if (expected >= 0)
                {
                    matchedTerminal++;
                }
                else
                {
                    defaulted++;
                }
            }
            assertArrayEquals(referenceCounters, compiledCounters, "counters of rule set " + set);
        }
        assertTrue(matchedTerminal > 10_000 && defaulted > 10_000,
            "the test should exercise both outcomes: " + matchedTerminal + " matched, " + defaulted + " defaulted");
    }

    @Test
    void theLargestRuleSetCompilesAndAgrees() throws RulesException
    {
        // As many rules as a file may hold, of the kind that cuts the value spaces finest: a prefix of 172/8 and a
        // port range each, a quarter of them count rules; frames from 172/8 so that many match some.
        final Random random = new Random(65_536);
        final RuleSet rules = RulesParser.parse(RuleSets.mixedRules(RulesParser.MAX_RULES, 65_536), "large");
        assertEquals(RulesParser.MAX_RULES, rules.size());

        final long start = System.nanoTime();
        final RuleClassifier compiled = new RuleClassifier(rules);
        final long compileMillis = (System.nanoTime() - start) / 1_000_000;
        // Generous for a loaded 2-core machine; an interval-by-rule build took about a minute before running out
        // of a 1 GiB heap at 50,000 rules.
        assertTrue(compileMillis < 30_000, "compiled in " + compileMillis + " ms");

        final LinearClassifier reference = new LinearClassifier(rules);
        final long[] referenceCounters = Classifier.newCounters(rules.size());
        final long[] compiledCounters = Classifier.newCounters(rules.size());
        final int[] referenceCounted = new int[FlowCache.COUNTED_RULES];
        final int[] compiledCounted = new int[FlowCache.COUNTED_RULES];
        final PacketView view = new PacketView();
        int matched = 0;
        for (int f = 0; f < 300; f++)
        {
            final FrameBuilder builder = new FrameBuilder()
                .ipv4(172 << 24 | random.nextInt(1 << 24), f % 10 == 0 ? Ipv4Header.parseAddress("10.0.8.17") :
                    172 << 24 | random.nextInt(1 << 24));
            final int dport = f % 10 == 0 ? 8080 : 1 + random.nextInt(61_000);
            final byte[] frame = (random.nextBoolean() ? builder.udp(1024, dport) : builder.tcp(1024, dport,
                TcpHeader.SYN)).build();
            view.parse(MemorySegment.ofArray(frame), 0, frame.length);
            final int expected = reference.classify(view, 0, referenceCounters, referenceCounted);
            assertEquals(expected, compiled.classify(view, 0, compiledCounters, compiledCounted), "frame " + f);
            assertArrayEquals(noted(referenceCounted), noted(compiledCounted), "count rules noted, frame " + f);
            matched += expected >= 0 ? 1 : 0;
        }
        assertArrayEquals(referenceCounters, compiledCounters);
        assertTrue(matched > 30, "the test should see matches: " + matched);
    }

    /** The count rules a classification noted (up to the array's length). */
    private static int[] noted(final int[] countedRules)
    {
        int n = 0;
        while (n < countedRules.length && countedRules[n] >= 0)
        {
            n++;
        }
        return Arrays.copyOf(countedRules, n);
    }

    private static RuleSet randomRules(final Random random, final int count) throws RulesException
    {
        final StringBuilder text = new StringBuilder();
        int made = 0;
        while (made < count)
        {
            final String line = randomRule(random);
            try
            {
                RulesParser.parse(line, "probe");
                text.append(line).append('\n');
                made++;
            }
            catch (final RulesException contradictory)
            {
                // A combination the parser refuses (e.g. ports with proto icmp): draw again.
            }
        }
        return RulesParser.parse(text.toString(), "random.rules");
    }

    private static String randomRule(final Random random)
    {
        final List<String> parts = new ArrayList<>();
        if (random.nextInt(10) == 0)
        {
            parts.add("malformed");
            if (random.nextBoolean())
            {
                parts.add("in-port " + random.nextInt(4));
            }
            return String.join(" ", parts) + " => " + (random.nextBoolean() ? "count" : "drop");
        }
        if (random.nextInt(4) == 0)
        {
            parts.add("in-port " + random.nextInt(4));
        }
        final int family = random.nextInt(3); // 0: any, 1: v4, 2: v6
        if (family == 1)
        {
            if (random.nextBoolean())
            {
                parts.add("src " + V4[random.nextInt(V4.length)]);
            }
            if (random.nextBoolean())
            {
                parts.add("dst " + V4[random.nextInt(V4.length)]);
            }
            if (random.nextInt(3) == 0)
            {
                parts.add("ip4");
            }
        }
        else if (family == 2)
        {
            parts.add(random.nextBoolean() ? "src " + V6[random.nextInt(V6.length)] : "ip6");
            if (random.nextBoolean())
            {
                parts.add("dst " + V6[random.nextInt(V6.length)]);
            }
        }
        else if (random.nextInt(5) == 0)
        {
            parts.add("ether-type " + (random.nextBoolean() ? "arp" : "ipv4"));
        }
        final int proto = random.nextInt(4);
        if (proto == 1)
        {
            parts.add("proto udp");
        }
        else if (proto == 2)
        {
            parts.add("proto tcp");
            if (random.nextInt(3) == 0)
            {
                parts.add(random.nextBoolean() ? "tcp-flags syn" : "tcp-flags syn/syn,ack");
            }
        }
        else if (proto == 3 && random.nextInt(4) == 0)
        {
            parts.add("proto icmp");
        }
        if (proto == 1 || proto == 2 || random.nextInt(6) == 0)
        {
            if (random.nextBoolean())
            {
                parts.add("dport " + portRange(random));
            }
            if (random.nextInt(3) == 0)
            {
                parts.add("sport " + portRange(random));
            }
        }
        if (random.nextInt(5) == 0)
        {
            parts.add(random.nextBoolean() ? "untagged" : "vlan " + (random.nextBoolean() ? "100" : "100-199"));
        }
        if (random.nextInt(6) == 0)
        {
            final int low = 60 + random.nextInt(200);
            parts.add("length " + low + "-" + (low + random.nextInt(800)));
        }
        if (random.nextInt(6) == 0 && parts.stream().noneMatch(part -> part.startsWith("sport") ||
            part.startsWith("dport") || part.startsWith("tcp-flags")))
        {
            parts.add("fragment");
        }
        if (random.nextInt(4) == 0 && !parts.contains("malformed"))
        {
            final List<String> states = new ArrayList<>(List.of("new", "established", "related", "invalid",
                "untracked"));
            Collections.shuffle(states, random);
            parts.add("ct-state " + String.join(",", states.subList(0, 1 + random.nextInt(3))));
        }
        final String[] verdicts = {"accept", "drop", "tx", "redirect 1", "count", "count"};
        return String.join(" ", parts) + " => " + verdicts[random.nextInt(verdicts.length)];
    }

    private static String portRange(final Random random)
    {
        final int port = PORTS[random.nextInt(PORTS.length)];
        return random.nextBoolean() ? Integer.toString(port) : port + "-" + (port + random.nextInt(3000));
    }

    private static byte[] randomFrame(final Random random)
    {
        final FrameBuilder builder = new FrameBuilder();
        final int kind = random.nextInt(10);
        if (kind == 0)
        {
            final byte[] arp = new byte[60];
            NetworkOrder.u16(MemorySegment.ofArray(arp), 12, 0x0806);
            return arp;
        }
        if (random.nextInt(4) == 0)
        {
            builder.vlans(random.nextBoolean() ? 100 : 150 + random.nextInt(100));
        }
        if (kind <= 3)
        {
            builder.ipv6(randomV6(random), randomV6(random));
        }
        else
        {
            builder.ipv4(randomV4(random), randomV4(random));
        }
        final int sport = random.nextBoolean() ? PORTS[random.nextInt(PORTS.length)] : random.nextInt(65536);
        final int dport = random.nextBoolean() ? PORTS[random.nextInt(PORTS.length)] : random.nextInt(65536);
        if (random.nextBoolean())
        {
            builder.udp(sport, dport);
        }
        else
        {
            final int[] flags = {TcpHeader.SYN, TcpHeader.SYN | TcpHeader.ACK, TcpHeader.ACK, TcpHeader.RST};
            builder.tcp(sport, dport, flags[random.nextInt(flags.length)]);
        }
        byte[] frame = builder.length(80 + random.nextInt(900)).build();
        final int damage = random.nextInt(12);
        if (damage == 0)
        {
            frame = Arrays.copyOf(frame, random.nextInt(frame.length)); // truncated: malformed or shorter headers
        }
        else if ((damage == 1 || damage == 2) && kind > 3)
        {
            // A later fragment (no ports), or a first one (ports the rules may not match on).
            final MemorySegment s = MemorySegment.ofArray(frame);
            final int l3 = NetworkOrder.u16(s, 12) == 0x8100 ? 18 : 14;
            NetworkOrder.u16(s, l3 + Ipv4Header.FRAGMENT_OFFSET, damage == 1 ? 0x0010 : Ipv4Header.FLAG_MORE_FRAGMENTS);
            Ipv4Header.computeChecksum(s, l3);
        }
        else if (damage == 3 && kind > 3)
        {
            frame[NetworkOrder.u16(MemorySegment.ofArray(frame), 12) == 0x8100 ? 28 : 24] ^= 0x40; // header checksum
        }
        return frame;
    }

    private static int randomV4(final Random random)
    {
        final String[] hosts = {"10.0.8.17", "10.0.1.2", "10.0.8.20", "10.1.2.3", "192.168.1.7", "192.168.200.1",
            "172.16.0.1"};
        return random.nextInt(5) == 0 ? random.nextInt() : Ipv4Header.parseAddress(hosts[random.nextInt(hosts.length)]);
    }

    private static long[] randomV6(final Random random)
    {
        final long[][] hosts = {{0x2001_0db8_0000_0000L, 1}, {0x2001_0db8_0000_0001L, 5}, {0xfe80_0000_0000_0000L, 9},
            {0x2001_0db9_0000_0000L, 1}};
        return random.nextInt(5) == 0 ? new long[] {random.nextLong(), random.nextLong()} :
            hosts[random.nextInt(hosts.length)];
    }

    private static String describe(final RuleSet rules)
    {
        final StringBuilder sb = new StringBuilder();
        for (final Rule rule : rules.rules())
        {
            sb.append(rule).append('\n');
        }
        return sb.toString();
    }
}
