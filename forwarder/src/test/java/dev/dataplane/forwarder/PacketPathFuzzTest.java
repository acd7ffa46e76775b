package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.PacketChecks;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.RulesSource;
import dev.dataplane.forwarder.rules.RulesState;
import dev.dataplane.forwarder.rules.flow.FlowCache;
import dev.dataplane.forwarder.rules.lang.RulesException;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.UdpHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * One frame of any bytes through PacketView and the rules path, twice (the first classifies and caches its flow, the
 * second takes the flow cache, its fast path where the frame is plain), under rules that rewrite addresses, ports,
 * TTL and DSCP, with either {@code --malformed} policy, L4 checksums verified or not. Whatever the bytes: no
 * exception, no mbuf kept, both passes agree, and what leaves is re-verified from scratch: a frame that passed every
 * check (its L4 checksum included) leaves with every checksum valid; one whose L4 checksum was wrong leaves with it
 * still wrong; a frame that failed a check leaves untouched or not at all.
 * {@code bin/fuzz packet SECONDS} fuzzes; the seed corpus runs with the tests.
 */
class PacketPathFuzzTest
{
    private static final String[] RULES = {
        "vip: proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083\npolicy accept\n",
        """
        ip4 proto tcp dport 1-1023 => tx set-src 192.0.2.1 set-sport 40000 dec-ttl
        ip4 fragment => accept set-dst 10.9.9.9
        ip6 => accept dec-ttl set-dscp 46
        ip4 proto udp => redirect 1 set-src 10.1.1.1 set-dport 9 set-dscp 10
        malformed length 0-20 => accept
        policy drop
        """};
    private static Eal eal;
    private static Mempool pool;
    private static OneFrame one;
    private static RulesProcessor[][] processors;

    @BeforeAll
    static void start() throws RulesException
    {
        eal = Eal.init(ealArgs());
        pool = Mempool.createPktmbufPool("fuzz", 1023, 0, Mempool.DEFAULT_DATA_ROOM_SIZE, eal.socketId());
        one = new OneFrame(pool);
        // Per rule set, four processors: --malformed drop or accept, each without and with --verify-l4-checksum.
        processors = new RulesProcessor[RULES.length][4];
        for (int r = 0; r < RULES.length; r++)
        {
            final CompiledRules rules = new CompiledRules(RulesParser.parse(RULES[r], "fuzz.rules"));
            for (int checks = 0; checks < 4; checks++)
            {
                processors[r][checks] = new RulesProcessor(0, 1, 0, new RulesSource(new RulesState(rules, 1, 1)),
                    new long[EthDev.MAX_PORTS], FlowCache.DEFAULT_ENTRIES, 0,
                    new PacketChecks(checks >= 2, 1 == (checks & 1), true));
            }
        }
    }

    @AfterAll
    static void stop()
    {
        assertEquals(0, pool.inUseCount(), "every mbuf back");
        pool.close();
        eal.close();
    }

    @FuzzTest(maxDuration = "10s")
    void anyFrameLeavesValidAsItCameOrNotAtAll(final FuzzedDataProvider data)
    {
        final RulesProcessor processor = processors[data.consumeInt(0, RULES.length - 1)][data.consumeInt(0, 3)];
        final byte[] frame = data.consumeRemainingAsBytes();
        if (frame.length > Mempool.DEFAULT_DATA_ROOM_SIZE - Mbuf.HEADROOM)
        {
            return;
        }
        final PacketView in = new PacketView();
        final int routerVerdict = in.parse(MemorySegment.ofArray(frame), 0, frame.length);
        final boolean l4Valid = PacketView.OK == routerVerdict && PacketView.OK == new PacketView().parse(
            MemorySegment.ofArray(frame), 0, frame.length, PacketView.ROUTER_CHECKS | PacketView.CHECK_L4_CHECKSUM);
        final byte[] first = frame.clone();
        final int firstPort = one.send(processor, first);
        final byte[] second = frame.clone();
        final int secondPort = one.send(processor, second);
        assertEquals(firstPort, secondPort, "the flow cache answers as the classifier did");
        assertArrayEquals(first, second, "the flow cache rewrites as the rules did");
        if (RulesProcessor.DROP == firstPort)
        {
            return;
        }
        if (PacketView.OK != routerVerdict)
        {
            assertArrayEquals(frame, first, "a frame that failed a check leaves untouched");
            return;
        }
        final PacketView out = new PacketView();
        assertEquals(PacketView.OK, out.parse(MemorySegment.ofArray(first), 0, first.length),
            "a well-formed frame leaves well formed: header checksum, TTL, lengths");
        if (out.hasL4() && !out.isFragment() && !udpWithoutChecksum(out, first))
        {
            assertEquals(l4Valid, l4ChecksumValid(out, first), l4Valid ? "a valid L4 checksum stays valid" :
                "a wrong L4 checksum stays wrong");
        }
    }

    private static boolean udpWithoutChecksum(final PacketView view, final byte[] frame)
    {
        return IpProtocol.UDP == view.protocol() && 4 == view.ipVersion() &&
            0 == UdpHeader.checksum(MemorySegment.ofArray(frame), view.l4Offset());
    }

    /** As the receiver judges it: a UDP checksum of 0 is none, which IPv6 does not allow, whatever the sum. */
    private static boolean l4ChecksumValid(final PacketView view, final byte[] frame)
    {
        final MemorySegment s = MemorySegment.ofArray(frame);
        if (IpProtocol.UDP == view.protocol() && 0 == UdpHeader.checksum(s, view.l4Offset()))
        {
            return false;
        }
        final long l3 = view.l3Offset();
        final int l4Length = IpProtocol.UDP == view.protocol() ? UdpHeader.length(s, view.l4Offset()) :
            view.ipEnd() - view.l4Offset();
        final long pseudo = 4 == view.ipVersion() ? InternetChecksum.ipv4PseudoHeaderSum(Ipv4Header.source(s, l3),
            Ipv4Header.destination(s, l3), view.protocol(), l4Length) :
            InternetChecksum.ipv6PseudoHeaderSum(s, l3, view.protocol(), l4Length);
        return InternetChecksum.verify(s, view.l4Offset(), l4Length, pseudo);
    }
}
