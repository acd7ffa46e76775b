package dev.dataplane.forwarder.rules;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.forwarder.rules.classify.Classifier;
import dev.dataplane.forwarder.rules.classify.LinearClassifier;
import dev.dataplane.forwarder.rules.flow.FlowCache;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.forwarder.rules.lang.RulesException;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.forwarder.rules.lang.Verdict;
import dev.dataplane.forwarder.rules.rewrite.RewriteProgram;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.PacketView;
import org.junit.jupiter.api.Test;

/**
 * The rules processor, flow cache and its fast path included, does to every frame what the rules say, computed here
 * the slow way (parse, the linear reference matcher, the verdict, the rewrite program): the same port or drop, the
 * same bytes out (checksums up to the encoding of zero), and in the end the same outcome and per-rule counts. Flows
 * repeat, so most frames after the first of their flow are cache hits; a quarter are tagged, odd or malformed
 * (among them the damage a router must catch: a wrong header checksum, a bad option, a UDP length that disagrees,
 * TTL 0, a TCP data offset past the segment), and the fast path must catch it as the full parse does.
 * Frames come in bursts of random sizes, as the forwarder hands them over.
 */
class RulesProcessorTest
{
    private static final String[] RULE_SETS = {
        """
        dnat: proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083
        proto tcp dst 10.0.8.0/24 dport 1-1023 => redirect 2 set-src 192.0.2.1 set-sport 40000 \
            set-src-mac 02:00:00:00:00:01
        dst 10.0.9.0/24 => drop
        ip4 proto udp sport 53 => tx set-dst-mac 02:00:00:00:00:02 set-src 10.9.9.9
        proto tcp dst 10.0.7.0/24 => accept dec-ttl set-dst 10.0.1.3
        ip4 proto icmp => tx
        malformed => accept
        """,
        """
        policy drop
        ip4 in-port 1 proto udp => accept set-sport 7 set-dport 9 set-src 10.1.1.1 set-dst 10.2.2.2
        ip4 vlan 100 => accept set-dscp 46
        proto tcp tcp-flags syn/syn,ack => drop
        ip4 length 60-100 proto udp => tx set-dst 10.0.0.1
        ip4 proto 47 => redirect 2
        ip4 => accept
        """,
        """
        proto udp dst 10.0.8.17 => count
        proto udp => count
        ip4 dst 10.0.8.0/24 => count
        ip4 proto udp dport 53 => redirect 2 set-dst 10.0.1.2
        proto tcp => count
        """};
    private static final int FLOWS = 64;
    private static final int FRAMES = 20_000;
    private static final int BURST = 32;

    private final PacketView view = new PacketView();

    @Test
    void theProcessorDoesWhatTheRulesSayForEveryFrame() throws RulesException
    {
        final Eal eal = Eal.init(ealArgs());
        final Mempool pool = Mempool.createPktmbufPool("rules_processor", 1023, 0, Mempool.DEFAULT_DATA_ROOM_SIZE,
            eal.socketId());
        try
        {
            final Random random = new Random(31337);
            final MbufArray mbufs = new MbufArray(BURST);
            final int[] destinations = new int[BURST];
            for (final String text : RULE_SETS)
            {
                final CompiledRules rules = new CompiledRules(RulesParser.parse(text, "t.rules"));
                final Reference reference = new Reference(rules.ruleSet());
                final RulesProcessor[] processors = {RulesProcessors.standalone(rules, 0, 1),
                    RulesProcessors.standalone(rules, 1, 0)};
                final List<byte[]> flows = new ArrayList<>();
                for (int i = 0; i < FLOWS; i++)
                {
                    flows.add(TestFrames.vary(TestFrames.randomIpv4(random), random));
                }
                // Bursts of 1 to 32 frames from one port: flows repeat within a burst too, so the burst's first
                // frame of a new flow misses while a later one of the same flow may already be looked up.
                final Set<String> cachedFlows = new HashSet<>();
                long expectedClassified = 0;
                int done = 0;
                while (done < FRAMES)
                {
                    final int inPort = random.nextInt(2);
                    final int count = 1 + random.nextInt(BURST);
                    final byte[][] expected = new byte[count][];
                    final int[] expectedPorts = new int[count];
                    assertTrue(pool.allocBulk(mbufs, count));
                    for (int i = 0; i < count; i++)
                    {
                        final byte[] frame = flows.get(random.nextInt(FLOWS));
                        expectedClassified += reachesTheClassifier(rules, frame, inPort, cachedFlows) ? 1 : 0;
                        expected[i] = frame.clone();
                        expectedPorts[i] = reference.process(expected[i], inPort, 1 - inPort);
                        final long mbuf = mbufs.get(i);
                        MemorySegment.copy(MemorySegment.ofArray(frame), 0, ALL, Mbuf.dataAddress(mbuf),
                            frame.length);
                        Mbuf.setLength(mbuf, frame.length);
                    }
                    final RulesProcessor processor = processors[inPort];
                    processor.beginBurst();
                    processor.process(mbufs, count, destinations);
                    processor.endBurst();
                    for (int i = 0; i < count; i++)
                    {
                        final String where = text + "\nframe " + (done + i) + " (" + i + " of a burst of " + count +
                            ")";
                        assertEquals(expectedPorts[i], destinations[i], where);
                        if (RulesProcessor.DROP != destinations[i])
                        {
                            final long data = Mbuf.dataAddress(mbufs.get(i));
                            final int length = expected[i].length;
                            ChecksumEncodings.normalise(view, ALL, data, length);
                            final byte[] actual = MemorySegment.ofAddress(data).reinterpret(length)
                                .toArray(ValueLayout.JAVA_BYTE);
                            ChecksumEncodings.normalise(view, MemorySegment.ofArray(expected[i]), 0, length);
                            assertArrayEquals(expected[i], actual, where);
                        }
                    }
                    Mbuf.freeBulk(mbufs, 0, count);
                    done += count;
                }
                assertEquals(expectedClassified, processors[0].classified() + processors[1].classified(),
                    "frames the flow caches did not answer");
                for (int outcome = 0; outcome < RulesProcessor.OUTCOME_COUNT; outcome++)
                {
                    if (RulesProcessor.CLASSIFIED == outcome)
                    {
                        continue; // above: the reference has no flow cache
                    }
                    assertEquals(reference.outcomes[outcome],
                        processors[0].outcome(outcome) + processors[1].outcome(outcome), "outcome " + outcome);
                }
                for (int rule = 0; rule < rules.size(); rule++)
                {
                    long packets = 0;
                    long bytes = 0;
                    for (final RulesProcessor processor : processors)
                    {
                        packets += processor.rulePackets(processor.state(), rule);
                        bytes += processor.ruleBytes(processor.state(), rule);
                    }
                    final long[] expected = reference.counters;
                    assertEquals(expected[Classifier.packetsIndex(rule)], packets, "rule " + rule + " packets");
                    assertEquals(expected[Classifier.bytesIndex(rule)], bytes, "rule " + rule + " bytes");
                }
            }
            assertEquals(0, pool.inUseCount());
        }
        finally
        {
            pool.close();
            eal.close();
        }
    }

    /**
     * Whether the processor classifies the frame rather than finding its flow in the cache: the cache does not take
     * the frame (not well-formed IPv4, or its flow matches more count rules than an entry holds), or it is the first
     * of its flow ({@code cachedFlows} holds the flows seen, keyed by what the cache keys on). The cache is far
     * larger than the flows, so it evicts none.
     */
    private boolean reachesTheClassifier(final CompiledRules rules, final byte[] frame, final int inPort,
        final Set<String> cachedFlows)
    {
        view.parse(MemorySegment.ofArray(frame), 0, frame.length);
        if (PacketView.OK != view.verdict() || 4 != view.ipVersion() || view.isFragment())
        {
            return true;
        }
        final int[] countedRules = new int[FlowCache.COUNTED_RULES];
        Arrays.fill(countedRules, -1);
        rules.classifier().classify(view, inPort, Classifier.newCounters(rules.size()), countedRules);
        if (countedRules[FlowCache.MAX_COUNTED] >= 0)
        {
            return true;
        }
        final StringBuilder key = new StringBuilder().append(inPort).append(' ')
            .append(0 == view.vlanCount() ? -1 : view.outerVlanId()).append(' ').append(view.protocol());
        final int l3 = view.l3Offset();
        key.append(Arrays.toString(Arrays.copyOfRange(frame, l3 + 12, l3 + 20)));
        if (view.hasL4())
        {
            key.append(Arrays.toString(Arrays.copyOfRange(frame, view.l4Offset(), view.l4Offset() + 4)));
            if (rules.matchesTcpFlags() && IpProtocol.TCP == view.protocol())
            {
                key.append(" flags ").append(view.tcpFlags());
            }
        }
        if (rules.matchesLength())
        {
            key.append(" length ").append(view.length());
        }
        return cachedFlows.add(key.toString());
    }

    /** The rules applied the slow, obvious way: no flow cache, the linear matcher. */
    private static final class Reference
    {
        final long[] outcomes = new long[RulesProcessor.OUTCOME_COUNT];
        final long[] counters;
        private final RuleSet ruleSet;
        private final LinearClassifier classifier;
        private final PacketView view = new PacketView();

        Reference(final RuleSet ruleSet)
        {
            this.ruleSet = ruleSet;
            this.classifier = new LinearClassifier(ruleSet);
            this.counters = Classifier.newCounters(ruleSet.size());
        }

        /** Applies the rules to {@code frame} in place; returns the port it leaves by, or DROP. */
        int process(final byte[] frame, final int inPort, final int pairedPort)
        {
            final MemorySegment s = MemorySegment.ofArray(frame);
            outcomes[RulesProcessor.RECEIVED]++;
            view.parse(s, 0, frame.length);
            if (view.isFragment())
            {
                outcomes[RulesProcessor.FRAGMENTS]++;
            }
            final int rule = classifier.classify(view, inPort, counters);
            if (Classifier.NO_MATCH == rule)
            {
                if (PacketView.OK != view.verdict())
                {
                    outcomes[RulesProcessor.MALFORMED_DROPPED]++;
                    outcomes[RulesProcessor.malformedIndex(view.verdict())]++;
                    return RulesProcessor.DROP;
                }
                if (!ruleSet.defaultAccept())
                {
                    outcomes[RulesProcessor.DEFAULT_DROPPED]++;
                    return RulesProcessor.DROP;
                }
                outcomes[RulesProcessor.DEFAULT_ACCEPTED]++;
                return pairedPort;
            }
            final Verdict verdict = ruleSet.rules().get(rule).verdict();
            final int port;
            switch (verdict)
            {
                case ACCEPT -> port = pairedPort;
                case TX ->
                {
                    EthernetHeader.swapAddresses(s, 0);
                    port = inPort;
                }
                case REDIRECT -> port = ruleSet.rules().get(rule).redirectPort();
                default ->
                {
                    outcomes[RulesProcessor.RULE_DROPPED]++;
                    return RulesProcessor.DROP;
                }
            }
            if (PacketView.OK == view.verdict() &&
                !RewriteProgram.of(ruleSet.rules().get(rule)).apply(view))
            {
                outcomes[RulesProcessor.TTL_EXPIRED]++;
                return RulesProcessor.DROP;
            }
            return port;
        }
    }
}
