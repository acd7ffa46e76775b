package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.forwarder.stats.ForwarderStats;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.net.UdpHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Frames that are not what they claim, each kind several times, through the forwarder with rules: nothing crashes,
 * each is counted under its kind and dropped, except the runts an explicit malformed rule accepts; every mbuf
 * returns.
 */
class MalformedCorpusTest
{
    @Test
    void countsEachMalformationUnderItsVerdict(@TempDir final Path dir) throws Exception
    {
        final List<byte[]> corpus = new ArrayList<>();
        final int[] expected = new int[PacketView.VERDICT_COUNT];
        final byte[] udp = new FrameBuilder().udp(1, 2).length(64).build();
        final byte[] udp6 = new FrameBuilder().ipv6(new long[] {1, 2}, new long[] {3, 4}).udp(1, 2).length(80).build();
        for (int copy = 0; copy < 3; copy++)
        {
            add(corpus, expected, PacketView.TRUNCATED_ETHERNET, Arrays.copyOf(udp, 1 + copy));
            add(corpus, expected, PacketView.TRUNCATED_VLAN,
                Arrays.copyOf(new FrameBuilder().vlans(7).udp(1, 2).length(64).build(), 16));
            final byte[] threeTags = new byte[80];
            final MemorySegment t = MemorySegment.ofArray(threeTags);
            for (int tag = 0; tag < 3; tag++)
            {
                NetworkOrder.u16(t, 12 + 4 * tag, 0x8100);
            }
            add(corpus, expected, PacketView.TOO_MANY_VLAN_TAGS, threeTags);
            add(corpus, expected, PacketView.TRUNCATED_IPV4, Arrays.copyOf(udp, 14 + 10 + copy));
            final byte[] badIhl = udp.clone();
            badIhl[14] = 0x43;
            add(corpus, expected, PacketView.BAD_IPV4_HEADER_LENGTH, badIhl);
            final byte[] longTotal = udp.clone();
            NetworkOrder.u16(MemorySegment.ofArray(longTotal), 16, 9000);
            add(corpus, expected, PacketView.BAD_IPV4_TOTAL_LENGTH, longTotal);
            add(corpus, expected, PacketView.TRUNCATED_IPV6, Arrays.copyOf(udp6, 14 + 30));
            final byte[] longPayload = udp6.clone();
            NetworkOrder.u16(MemorySegment.ofArray(longPayload), 18, 9000);
            add(corpus, expected, PacketView.BAD_IPV6_PAYLOAD_LENGTH, longPayload);
            final byte[] badExtension = udp6.clone();
            badExtension[14 + 6] = 0; // hop-by-hop whose length runs past the packet
            badExtension[54 + 1] = (byte)200;
            add(corpus, expected, PacketView.BAD_IPV6_EXTENSION, badExtension);
            final byte[] shortTcp = new FrameBuilder().tcp(1, 2, TcpHeader.ACK).length(64).build();
            shortTcp[34 + 12] = 0x10; // data offset 1 word
            add(corpus, expected, PacketView.BAD_TCP_DATA_OFFSET, shortTcp);
            final byte[] noRoomForUdp = udp.clone();
            NetworkOrder.u16(MemorySegment.ofArray(noRoomForUdp), 16, 20 + 4 + copy);
            Ipv4Header.computeChecksum(MemorySegment.ofArray(noRoomForUdp), 14);
            add(corpus, expected, PacketView.TRUNCATED_L4, noRoomForUdp);
            final byte[] badChecksum = udp.clone();
            badChecksum[14 + Ipv4Header.CHECKSUM_OFFSET] ^= (byte)(1 + copy);
            add(corpus, expected, PacketView.BAD_IPV4_CHECKSUM, badChecksum);
            final byte[] badOption = Arrays.copyOf(udp, udp.length + 4);
            System.arraycopy(udp, 34, badOption, 38, udp.length - 34);
            badOption[14] = 0x46;
            badOption[34] = (byte)0x94; // router alert, its length 40 in a 4-byte option area
            badOption[35] = 40;
            NetworkOrder.u16(MemorySegment.ofArray(badOption), 16, Ipv4Header.totalLength(MemorySegment.ofArray(udp),
                14) + 4);
            Ipv4Header.computeChecksum(MemorySegment.ofArray(badOption), 14);
            add(corpus, expected, PacketView.BAD_IPV4_OPTIONS, badOption);
            final byte[] ttlZero = udp.clone();
            ttlZero[14 + Ipv4Header.TTL_OFFSET] = 0;
            Ipv4Header.computeChecksum(MemorySegment.ofArray(ttlZero), 14);
            add(corpus, expected, PacketView.TTL_ZERO, ttlZero);
            final byte[] udpLength = udp.clone();
            NetworkOrder.u16(MemorySegment.ofArray(udpLength), 34 + UdpHeader.LENGTH_OFFSET, copy == 0 ? 3 : 200);
            add(corpus, expected, PacketView.BAD_UDP_LENGTH, udpLength);
        }
        final List<byte[]> fine = List.of(udp, udp6);

        final List<byte[]> in0 = new ArrayList<>(corpus);
        in0.addAll(fine);
        PcapForwardingScenario.writePcap(dir.resolve("in0.pcap"), in0);
        PcapForwardingScenario.writePcap(dir.resolve("in1.pcap"), List.of());
        final Eal eal = Eal.init(ealArgs(
            "net_pcap0,rx_pcap=" + dir.resolve("in0.pcap") + ",tx_pcap=" + dir.resolve("out0.pcap"),
            "net_pcap1,rx_pcap=" + dir.resolve("in1.pcap") + ",tx_pcap=" + dir.resolve("out1.pcap")));
        final ForwarderStats.RulesSnapshot counts;
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder().rules(RulesParser.parse(
                "runts: malformed length 0-13 => accept\npolicy accept\n", "malformed.rules")).build());
            final ForwarderStats stats = new ForwarderStats(forwarder);
            forwarder.start();
            assertTrue(await(() -> ForwarderStats.sum(stats.snapshot()).rxPackets() >= in0.size(), 20_000));
            forwarder.stop();
            counts = stats.rulesSnapshot();
            forwarder.close();
            assertEquals(0, forwarder.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
        final int runts = expected[PacketView.TRUNCATED_ETHERNET];
        assertEquals(runts, counts.packets(0), "the explicit rule claims the runts");
        for (int kind = 1; kind < PacketView.VERDICT_COUNT; kind++)
        {
            final long counted = counts.outcomes()[RulesProcessor.malformedIndex(kind)];
            assertEquals(kind == PacketView.TRUNCATED_ETHERNET ? 0 : expected[kind], counted,
                PacketView.verdictName(kind));
        }
        assertEquals(corpus.size() - runts, counts.outcomes()[RulesProcessor.MALFORMED_DROPPED]);
        final List<byte[]> out1 = PcapForwardingScenario.readPcap(dir.resolve("out1.pcap"));
        assertEquals(runts + fine.size(), out1.size(), "the runts and the good frames go through");
    }

    private static void add(final List<byte[]> corpus, final int[] expected, final int verdict, final byte[] frame)
    {
        final PacketView view = new PacketView();
        assertEquals(PacketView.verdictName(verdict),
            PacketView.verdictName(view.parse(MemorySegment.ofArray(frame), 0, frame.length)), "corpus frame");
        corpus.add(frame);
        expected[verdict]++;
    }
}
