package dev.dataplane.forwarder;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDevInfo;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.PacketChecks;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.RulesSource;
import dev.dataplane.forwarder.rules.RulesState;
import dev.dataplane.forwarder.rules.flow.FlowCache;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.net.UdpHeader;
import org.junit.jupiter.api.Test;

/**
 * Rewritten frames leaving by a port with TX checksum offload carry DPDK's offload contract (IPv4 header checksum
 * zeroed, pseudo-header sum in the L4 checksum, ol_flags, l2_len and l3_len), and what a NIC computes from that is a
 * frame whose every checksum verifies from scratch. The NIC is emulated here as DPDK's own software fallback
 * (rte_ipv4_cksum, rte_ipv4_udptcp_cksum) computes: no virtual device in the test set both offers the offload and
 * lets the frames be inspected after it. The L4 checksum is left to the NIC only when it was verified on receive: a
 * frame whose L4 checksum came wrong leaves wrong (RFC 1624's update keeps the error), never freshly computed.
 */
class TxChecksumOffloadTest
{
    private static final long ALL_OFFLOADS = EthDevInfo.TX_OFFLOAD_IPV4_CKSUM | EthDevInfo.TX_OFFLOAD_UDP_CKSUM |
        EthDevInfo.TX_OFFLOAD_TCP_CKSUM;

    @Test
    void offloadedChecksumsComeOutValidAndUntouchedFramesKeepTheirs() throws Exception
    {
        final Eal eal = Eal.init(ealArgs("net_null0", "net_null1"));
        final Mempool pool = Mempool.createPktmbufPool("offload", 1023, 0, Mempool.DEFAULT_DATA_ROOM_SIZE,
            eal.socketId());
        try
        {
            // L4 checksums verified on receive: the TX port may compute them afresh.
            assertTrue(run(pool, new PacketChecks(true, false, true), false) > 600);
            // Not verified: the header checksum (always verified) is offloaded, the L4 one updated in software.
            assertTrue(run(pool, PacketChecks.DEFAULT, false) > 600);
            // A wrong L4 checksum, not verified: it must leave as wrong as it came, the NIC's work and all.
            assertTrue(run(pool, PacketChecks.DEFAULT, true) > 600);
            assertEquals(0, pool.inUseCount());
        }
        finally
        {
            pool.close();
            eal.close();
        }
    }

    /**
     * Sends 2,000 random frames, each twice (the first classifies and caches its flow; the second, untagged, takes
     * the flow cache's fast path, which must hand the NIC the same), through a processor whose port 1 offloads.
     *
     * @param damageL4 each frame's L4 checksum is made wrong before it is sent.
     * @return the frames offloaded.
     */
    private static int run(final Mempool pool, final PacketChecks checks, final boolean damageL4)
        throws Exception
    {
        final RulesSource source = new RulesSource(new RulesState(new CompiledRules(RulesParser.parse("""
            ip4 proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083
            ip4 proto tcp dport 80 => tx set-src 192.0.2.9
            """, "t.rules")), 1, 1));
        final long[] offloads = new long[64];
        offloads[1] = ALL_OFFLOADS;
        final RulesProcessor processor = new RulesProcessor(0, 1, 0, source, offloads, FlowCache.DEFAULT_ENTRIES, 0,
            checks);
        final Random random = new Random(55);
        final MbufArray mbufs = new MbufArray(1);
        final PacketView view = new PacketView();
        int offloaded = 0;
        for (int i = 0; i < 2000; i++)
        {
            final int kind = random.nextInt(4);
            final FrameBuilder builder = new FrameBuilder().ipv4(random.nextInt(), kind == 3 ? random.nextInt() :
                Ipv4Header.parseAddress("10.0.8.17"));
            if (random.nextBoolean())
            {
                builder.vlans(1 + random.nextInt(4000));
            }
            if (kind == 1)
            {
                builder.tcp(random.nextInt(65536), 80, TcpHeader.ACK);
            }
            else
            {
                builder.udp(random.nextInt(65536), kind == 2 ? 9999 : 8080);
            }
            final byte[] frame = builder.length(builder.headersLength() + random.nextInt(200)).build();
            final boolean noUdpChecksum = kind == 0 && random.nextInt(5) == 0;
            view.parse(MemorySegment.ofArray(frame), 0, frame.length);
            final long checksumAt = view.l4Offset() +
                (kind == 1 ? TcpHeader.CHECKSUM_OFFSET : UdpHeader.CHECKSUM_OFFSET);
            if (noUdpChecksum)
            {
                NetworkOrder.u16(MemorySegment.ofArray(frame), checksumAt, 0);
            }
            else if (damageL4)
            {
                final int checksum = NetworkOrder.u16(MemorySegment.ofArray(frame), checksumAt);
                NetworkOrder.u16(MemorySegment.ofArray(frame), checksumAt, checksum == 0x1234 ? 0x4321 : 0x1234);
            }
            final boolean l4Offloaded = checks.verifyL4Checksum() && !noUdpChecksum;
            for (int pass = 0; pass < 2; pass++)
            {
                assertTrue(pool.allocBulk(mbufs, 1));
                final long mbuf = mbufs.get(0);
                MemorySegment.copy(MemorySegment.ofArray(frame), 0, ALL, Mbuf.dataAddress(mbuf), frame.length);
                Mbuf.setLength(mbuf, frame.length);
                Mbuf.setOffloadFlags(mbuf, 0);

                processor.beginBurst();
                final int destination = processor.process(mbuf);
                processor.endBurst();
                final long flags = Mbuf.offloadFlags(mbuf);
                // No checks: the header checksum is zeroed for the NIC, which emulateNic plays.
                view.parse(ALL, Mbuf.dataAddress(mbuf), Mbuf.dataLength(mbuf), 0);
                final long l3 = view.base() + view.l3Offset();
                final long l4 = view.base() + view.l4Offset();
                if (kind == 0)
                {
                    assertEquals(1, destination, "accepted to the paired port, which offloads");
                    assertEquals(Mbuf.TX_IPV4 | Mbuf.TX_IP_CKSUM | (l4Offloaded ? Mbuf.TX_UDP_CKSUM : 0), flags);
                    assertEquals(0, Ipv4Header.checksum(ALL, l3), "zeroed for the NIC");
                    final long txOffload = ALL.get(ValueLayout.JAVA_LONG_UNALIGNED, mbuf + Mbuf.TX_OFFLOAD_OFFSET);
                    assertEquals(view.l3Offset(), (int)(txOffload >>> Mbuf.TX_OFFLOAD_L2_LEN_SHIFT) & 0x7F);
                    assertEquals(view.l3HeaderLength(), (int)(txOffload >>> Mbuf.TX_OFFLOAD_L3_LEN_SHIFT) & 0x1FF);
                    emulateNic(view, flags);
                    offloaded++;
                }
                else
                {
                    // Port 0 offers nothing, and a frame the rules did not rewrite keeps its own checksums.
                    assertEquals(0, flags, "kind " + kind);
                }
                assertTrue(Ipv4Header.isChecksumValid(ALL, l3));
                final int l4Length = view.ipEnd() - view.l4Offset();
                if (noUdpChecksum)
                {
                    assertEquals(0, UdpHeader.checksum(ALL, l4), "no checksum stays no checksum");
                }
                else
                {
                    assertEquals(!damageL4, InternetChecksum.verify(ALL, l4, l4Length,
                        InternetChecksum.ipv4PseudoHeaderSum(Ipv4Header.source(ALL, l3),
                            Ipv4Header.destination(ALL, l3), view.protocol(), l4Length)),
                        damageL4 ? "a damaged L4 checksum stays damaged" : "valid from scratch");
                }
                Mbuf.free(mbuf);
            }
        }
        return offloaded;
    }

    /** What a NIC (or DPDK's software fallback) does with the offload request. */
    private static void emulateNic(final PacketView view, final long flags)
    {
        final long l3 = view.base() + view.l3Offset();
        if (0 != (flags & Mbuf.TX_IP_CKSUM))
        {
            Ipv4Header.checksum(ALL, l3, InternetChecksum.checksum(ALL, l3, view.l3HeaderLength()));
        }
        if ((flags & Mbuf.TX_UDP_CKSUM) == Mbuf.TX_UDP_CKSUM || (flags & Mbuf.TX_UDP_CKSUM) == Mbuf.TX_TCP_CKSUM)
        {
            // The checksum field holds the pseudo-header sum; the NIC sums the segment over it and complements.
            final long l4 = view.base() + view.l4Offset();
            final int checksum = InternetChecksum.checksum(ALL, l4, view.ipEnd() - view.l4Offset());
            final long at = l4 + (IpProtocol.TCP == view.protocol() ? TcpHeader.CHECKSUM_OFFSET :
                UdpHeader.CHECKSUM_OFFSET);
            NetworkOrder.u16(ALL, at, IpProtocol.UDP == view.protocol() && 0 == checksum ? 0xFFFF : checksum);
        }
    }
}
