package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthDevInfo;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.PacketChecks;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.RulesProcessors;
import dev.dataplane.forwarder.rules.RulesSource;
import dev.dataplane.forwarder.rules.RulesState;
import dev.dataplane.forwarder.rules.flow.FlowCache;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.UdpHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The incident, with {@code examples/redirect.rules}: frames damaged in the ways a router must notice were
 * matched, DNAT'd to 10.0.1.2:8083 and sent on with a freshly valid header checksum. Now each is dropped and counted
 * under its reason, on the full parse and on the flow cache's fast path alike (the flow's good frame goes first, so
 * the damaged one's 5-tuple is cached); with {@code --malformed accept} each leaves untouched, as damaged as it came.
 * Fragments: the DNAT rule matches on a port, so no fragment of the datagram matches it, the first included, and all
 * go on as the policy says.
 */
class CorruptFramesTest
{
    private static final int L3 = 14;
    private static final int L4 = L3 + Ipv4Header.MIN_LENGTH;

    private static Eal eal;
    private static Mempool pool;
    private static OneFrame one;

    @BeforeAll
    static void startEal()
    {
        eal = Eal.init(ealArgs());
        pool = Mempool.createPktmbufPool("corrupt", 1023, 0, Mempool.DEFAULT_DATA_ROOM_SIZE, eal.socketId());
        one = new OneFrame(pool);
    }

    @AfterAll
    static void stopEal()
    {
        assertEquals(0, pool.inUseCount());
        pool.close();
        eal.close();
    }

    @Test
    void damagedFramesAreDroppedByReasonOnBothPathsAndNeverLaundered() throws Exception
    {
        final CompiledRules rules = new CompiledRules(RulesParser.parse(
            Files.readString(Path.of("..", "examples", "redirect.rules")), "redirect.rules"));
        for (final boolean accept : new boolean[] {false, true})
        {
            final RulesProcessor processor = new RulesProcessor(0, 1, 0,
                new RulesSource(new RulesState(rules, 1, 1)), new long[EthDev.MAX_PORTS],
                FlowCache.DEFAULT_ENTRIES, 0, new PacketChecks(false, accept, true));
            int damaged = 0;
            final int[] expected = new int[PacketView.VERDICT_COUNT];
            int sport = 1000;
            for (final Map.Entry<String, Integer> damage : damages().entrySet())
            {
                for (final boolean cachedFirst : new boolean[] {false, true})
                {
                    final byte[] good = vip(sport++);
                    if (cachedFirst)
                    {
                        final byte[] out = good.clone();
                        assertEquals(1, one.send(processor, out), "the good frame of the flow");
                        assertEquals(8083, NetworkOrder.u16(MemorySegment.ofArray(out), L4 + 2), "DNAT'd");
                    }
                    final byte[] bad = damage(good, damage.getKey());
                    final byte[] out = bad.clone();
                    final int port = one.send(processor, out);
                    final String where = damage.getKey() + (cachedFirst ? ", flow cached" : "") +
                        (accept ? ", --malformed accept" : "");
                    assertEquals(accept ? 1 : RulesProcessor.DROP, port, where);
                    assertArrayEquals(bad, out, "untouched: " + where);
                    expected[damage.getValue()]++;
                    damaged++;
                }
            }
            assertEquals(accept ? 0 : damaged, processor.outcome(RulesProcessor.MALFORMED_DROPPED));
            assertEquals(accept ? damaged : 0, processor.outcome(RulesProcessor.MALFORMED_ACCEPTED));
            for (int verdict = 1; verdict < PacketView.VERDICT_COUNT; verdict++)
            {
                assertEquals(expected[verdict], processor.outcome(RulesProcessor.malformedIndex(verdict)),
                    PacketView.verdictName(verdict));
            }
        }
        assertEquals(0, pool.inUseCount());
    }

    @Test
    void noFragmentOfADatagramMatchesAPortRuleAndFragmentRulesSayWhatHappens() throws Exception
    {
        final byte[] first = fragment(vip(5000), Ipv4Header.FLAG_MORE_FRAGMENTS);
        final byte[] later = fragment(vip(5000), 100);
        // redirect.rules: the DNAT rule names dport 8080, so neither fragment matches it; the policy accepts both,
        // untouched, to the paired port: the datagram reassembles at the old address, whole, not half DNAT'd.
        RulesProcessor processor = processor(Files.readString(Path.of("..", "examples", "redirect.rules")));
        for (final byte[] frame : new byte[][] {first, later, first})
        {
            final byte[] out = frame.clone();
            assertEquals(1, one.send(processor, out));
            assertArrayEquals(frame, out);
        }
        assertEquals(3, processor.outcome(RulesProcessor.FRAGMENTS));
        assertEquals(0, processor.rulePackets(processor.state(), 0), "the port rule saw no fragment");
        // An address-only DNAT matches every fragment, and rewrites each (the first's UDP checksum too).
        processor = processor("""
            frag: fragment => drop
            proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2
            """);
        assertEquals(RulesProcessor.DROP, one.send(processor, first.clone()));
        assertEquals(RulesProcessor.DROP, one.send(processor, later.clone()));
        assertEquals(1, one.send(processor, vip(5000)), "whole datagrams still DNAT'd");
        assertEquals(2, processor.rulePackets(processor.state(), 0));
        processor = processor("ip4 dst 10.0.8.17 => accept set-dst 10.0.1.2\n");
        for (final byte[] frame : new byte[][] {first, later})
        {
            final byte[] out = frame.clone();
            assertEquals(1, one.send(processor, out));
            assertEquals(Ipv4Header.parseAddress("10.0.1.2"), Ipv4Header.destination(MemorySegment.ofArray(out),
                L3));
            assertTrue(Ipv4Header.isChecksumValid(MemorySegment.ofArray(out), L3));
        }
        assertEquals(0, pool.inUseCount());
    }

    @Test
    void theRxPortsWordOnChecksumsStandsOnBothPaths() throws Exception
    {
        final CompiledRules rules = new CompiledRules(RulesParser.parse(
            Files.readString(Path.of("..", "examples", "redirect.rules")), "redirect.rules"));
        for (final boolean verifyL4 : new boolean[] {false, true})
        {
            final RulesProcessor processor = new RulesProcessor(0, 1, 0, new RulesSource(new RulesState(rules, 1, 1)),
                new long[EthDev.MAX_PORTS], FlowCache.DEFAULT_ENTRIES, EthDevInfo.RX_OFFLOAD_IPV4_CKSUM |
                EthDevInfo.RX_OFFLOAD_UDP_CKSUM, new PacketChecks(verifyL4, false, true));
            int sport = verifyL4 ? 7000 : 6000;
            for (final boolean cachedFirst : new boolean[] {false, true})
            {
                final byte[] good = vip(sport++);
                if (cachedFirst)
                {
                    assertEquals(1, one.send(processor, good.clone(), Mbuf.RX_IP_CKSUM_GOOD | Mbuf.RX_L4_CKSUM_GOOD));
                }
                assertEquals(RulesProcessor.DROP, one.send(processor, good.clone(), Mbuf.RX_IP_CKSUM_BAD),
                    "the port found the header checksum bad");
                assertEquals(RulesProcessor.DROP, one.send(processor, good.clone(), Mbuf.RX_IP_CKSUM_GOOD |
                    Mbuf.RX_L4_CKSUM_BAD), "the port found the UDP checksum bad");
                final byte[] damaged = damage(good, "header checksum");
                assertEquals(1, one.send(processor, damaged, Mbuf.RX_IP_CKSUM_GOOD | Mbuf.RX_L4_CKSUM_GOOD),
                    "the port's word stands over software's");
                assertEquals(RulesProcessor.DROP, one.send(processor, damage(good, "header checksum"), 0),
                    "no word: software checks");
                final byte[] badUdp = good.clone();
                badUdp[L4 + UdpHeader.CHECKSUM_OFFSET] ^= 0x11;
                assertEquals(verifyL4 ? RulesProcessor.DROP : 1, one.send(processor, badUdp, 0),
                    "no word on L4: software checks it only with --verify-l4-checksum");
            }
            assertEquals(verifyL4 ? 8 : 6, processor.outcome(RulesProcessor.MALFORMED_DROPPED));
            assertEquals(4, processor.outcome(RulesProcessor.malformedIndex(PacketView.BAD_IPV4_CHECKSUM)));
            assertEquals(verifyL4 ? 4 : 2, processor.outcome(
                RulesProcessor.malformedIndex(PacketView.BAD_L4_CHECKSUM)));
        }
    }

    private static RulesProcessor processor(final String rules) throws Exception
    {
        return RulesProcessors.standalone(new CompiledRules(RulesParser.parse(rules, "t.rules")), 0, 1);
    }

    /** The damages, each with the reason it must be counted under. */
    private static Map<String, Integer> damages()
    {
        final Map<String, Integer> damages = new LinkedHashMap<>();
        damages.put("header checksum", PacketView.BAD_IPV4_CHECKSUM);
        damages.put("option of length 40 in a 4-byte option area", PacketView.BAD_IPV4_OPTIONS);
        damages.put("UDP length 200", PacketView.BAD_UDP_LENGTH);
        damages.put("UDP length 3", PacketView.BAD_UDP_LENGTH);
        damages.put("TTL 0", PacketView.TTL_ZERO);
        return damages;
    }

    private static byte[] damage(final byte[] good, final String damage)
    {
        final byte[] frame = good.clone();
        final MemorySegment s = MemorySegment.ofArray(frame);
        switch (damage)
        {
            case "header checksum" -> frame[L3 + Ipv4Header.CHECKSUM_OFFSET] ^= 0x21;
            case "UDP length 200" -> NetworkOrder.u16(s, L4 + UdpHeader.LENGTH_OFFSET, 200);
            case "UDP length 3" -> NetworkOrder.u16(s, L4 + UdpHeader.LENGTH_OFFSET, 3);
            case "TTL 0" ->
            {
                frame[L3 + Ipv4Header.TTL_OFFSET] = 0;
                Ipv4Header.computeChecksum(s, L3);
            }
            default ->
            {
                final byte[] optioned = new byte[frame.length + 4];
                System.arraycopy(frame, 0, optioned, 0, L4);
                System.arraycopy(frame, L4, optioned, L4 + 4, frame.length - L4);
                optioned[L4] = (byte)0x94;
                optioned[L4 + 1] = 40;
                final MemorySegment o = MemorySegment.ofArray(optioned);
                NetworkOrder.u8(o, L3, 0x46);
                NetworkOrder.u16(o, L3 + Ipv4Header.TOTAL_LENGTH_OFFSET, Ipv4Header.totalLength(o, L3) + 4);
                Ipv4Header.computeChecksum(o, L3);
                return optioned;
            }
        }
        return frame;
    }

    /** A UDP datagram to the redirect's service address 10.0.8.17:8080, valid in every field. */
    private static byte[] vip(final int sourcePort)
    {
        return new FrameBuilder().ipv4(Ipv4Header.parseAddress("10.0.0.1"), Ipv4Header.parseAddress("10.0.8.17"))
            .udp(sourcePort, 8080).length(80).build();
    }

    private static byte[] fragment(final byte[] frame, final int fragmentField)
    {
        final MemorySegment s = MemorySegment.ofArray(frame);
        NetworkOrder.u16(s, L3 + Ipv4Header.FRAGMENT_OFFSET, fragmentField);
        Ipv4Header.computeChecksum(s, L3);
        return frame;
    }
}
