package dev.dataplane.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.api.Test;

class PacketViewTest
{
    private final PacketView view = new PacketView();

    private int parse(final byte[] frame)
    {
        // A segment of exactly the frame: any read past its end would throw.
        return view.parse(MemorySegment.ofArray(frame), 0, frame.length);
    }

    @Test
    void parsesUdpOverIpv4()
    {
        final byte[] frame = new FrameBuilder().ipv4(Ipv4Header.parseAddress("10.0.0.1"),
            Ipv4Header.parseAddress("10.0.8.17")).udp(4000, 8080).length(64).build();
        assertEquals(PacketView.OK, parse(frame));
        assertEquals(4, view.ipVersion());
        assertEquals(IpProtocol.UDP, view.protocol());
        assertEquals(14, view.l3Offset());
        assertEquals(34, view.l4Offset());
        assertEquals(4000, view.sourcePort());
        assertEquals(8080, view.destinationPort());
        assertEquals("10.0.8.17", Ipv4Header.toString(Ipv4Header.destination(view.segment(), view.l3Offset())));
        assertEquals(-1, view.outerVlanId());
    }

    @Test
    void parsesTcpFlagsAndVlanTags()
    {
        final byte[] frame = new FrameBuilder().vlans(100, 200).tcp(1234, 80, TcpHeader.SYN).length(80).build();
        assertEquals(PacketView.OK, parse(frame));
        assertEquals(2, view.vlanCount());
        assertEquals(100, view.outerVlanId());
        assertEquals(200, view.innerVlanId());
        assertEquals(EthernetHeader.TYPE_IPV4, view.etherType());
        assertEquals(22, view.l3Offset());
        assertEquals(TcpHeader.SYN, view.tcpFlags());
    }

    @Test
    void rejectsAThirdVlanTag()
    {
        final byte[] frame = new FrameBuilder().vlans(1, 2).udp(1, 2).length(80).build();
        final byte[] tripled = new byte[frame.length + 4];
        System.arraycopy(frame, 0, tripled, 0, 12);
        NetworkOrder.u16(MemorySegment.ofArray(tripled), 12, EthernetHeader.TYPE_VLAN);
        NetworkOrder.u16(MemorySegment.ofArray(tripled), 14, 3);
        System.arraycopy(frame, 12, tripled, 16, frame.length - 12);
        assertEquals(PacketView.TOO_MANY_VLAN_TAGS, parse(tripled));
    }

    @Test
    void parsesIpv6ExtensionHeadersAndFragments()
    {
        final byte[] base =
            new FrameBuilder().ipv6(new long[] {1, 1}, new long[] {2, 2}).udp(53, 5353).length(100).build();
        // Insert a hop-by-hop header (8 bytes) and a fragment header (8 bytes, first fragment) before UDP.
        final byte[] frame = new byte[base.length + 16];
        System.arraycopy(base, 0, frame, 0, 54);
        final MemorySegment s = MemorySegment.ofArray(frame);
        NetworkOrder.u8(s, 14 + Ipv6Header.NEXT_HEADER_OFFSET, Ipv6Header.EXT_HOP_BY_HOP);
        NetworkOrder.u16(s, 14 + Ipv6Header.PAYLOAD_LENGTH_OFFSET, base.length - 54 + 16);
        NetworkOrder.u8(s, 54, Ipv6Header.EXT_FRAGMENT);
        NetworkOrder.u8(s, 55, 0);
        NetworkOrder.u8(s, 62, IpProtocol.UDP);
        NetworkOrder.u16(s, 64, 0x0001); // offset 0, more fragments
        System.arraycopy(base, 54, frame, 70, base.length - 54);
        assertEquals(PacketView.OK, parse(frame));
        assertEquals(6, view.ipVersion());
        assertEquals(56, view.l3HeaderLength());
        assertTrue(view.isFragment());
        assertFalse(view.isLaterFragment());
        assertEquals(70, view.l4Offset());
        assertEquals(5353, view.destinationPort());

        NetworkOrder.u16(s, 64, 0x0008); // offset 8: a later fragment carries no UDP header
        assertEquals(PacketView.OK, parse(frame));
        assertTrue(view.isLaterFragment());
        assertFalse(view.hasL4());
    }

    @Test
    void givesLaterIpv4FragmentsNoL4()
    {
        final byte[] frame = new FrameBuilder().udp(1, 2).length(64).build();
        NetworkOrder.u16(MemorySegment.ofArray(frame), 14 + Ipv4Header.FRAGMENT_OFFSET, 0x0010);
        Ipv4Header.computeChecksum(MemorySegment.ofArray(frame), 14);
        assertEquals(PacketView.OK, parse(frame));
        assertTrue(view.isLaterFragment());
        assertFalse(view.hasL4());
        assertEquals(-1, view.destinationPort());
    }

    @Test
    void acceptsIpv4OptionsAndFindsL4AfterThem()
    {
        final byte[] base = new FrameBuilder().udp(7, 9).length(64).build();
        final byte[] frame = new byte[base.length + 8];
        System.arraycopy(base, 0, frame, 0, 34);
        System.arraycopy(base, 34, frame, 42, base.length - 34);
        final MemorySegment s = MemorySegment.ofArray(frame);
        NetworkOrder.u8(s, 14, 0x47);
        NetworkOrder.u16(s, 14 + Ipv4Header.TOTAL_LENGTH_OFFSET, frame.length - 14);
        Ipv4Header.computeChecksum(s, 14);
        assertEquals(PacketView.OK, parse(frame));
        assertEquals(28, view.l3HeaderLength());
        assertEquals(42, view.l4Offset());
        assertEquals(9, view.destinationPort());
    }

    @Test
    void namesEachWayAFrameLies()
    {
        assertEquals(PacketView.TRUNCATED_ETHERNET, parse(new byte[0]));
        assertEquals(PacketView.TRUNCATED_ETHERNET, parse(new byte[13]));

        final byte[] udp = new FrameBuilder().udp(1, 2).length(64).build();
        assertEquals(PacketView.TRUNCATED_IPV4, parse(Arrays.copyOf(udp, 14 + 19)));

        final byte[] smallIhl = udp.clone();
        smallIhl[14] = 0x44;
        assertEquals(PacketView.BAD_IPV4_HEADER_LENGTH, parse(smallIhl));

        final byte[] ihlPastFrame = Arrays.copyOf(udp, 40);
        ihlPastFrame[14] = 0x4F;
        assertEquals(PacketView.BAD_IPV4_HEADER_LENGTH, parse(ihlPastFrame));

        final byte[] totalPastFrame = udp.clone();
        NetworkOrder.u16(MemorySegment.ofArray(totalPastFrame), 16, 1500);
        assertEquals(PacketView.BAD_IPV4_TOTAL_LENGTH, parse(totalPastFrame));

        final byte[] totalTooShortForUdp = udp.clone();
        NetworkOrder.u16(MemorySegment.ofArray(totalTooShortForUdp), 16, 24);
        Ipv4Header.computeChecksum(MemorySegment.ofArray(totalTooShortForUdp), 14);
        assertEquals(PacketView.TRUNCATED_L4, parse(totalTooShortForUdp));

        final byte[] vlanCut = Arrays.copyOf(new FrameBuilder().vlans(5).udp(1, 2).length(64).build(), 16);
        assertEquals(PacketView.TRUNCATED_VLAN, parse(vlanCut));

        final byte[] v6 = new FrameBuilder().ipv6(new long[] {1, 1}, new long[] {2, 2}).udp(1, 2).length(80).build();
        assertEquals(PacketView.TRUNCATED_IPV6, parse(Arrays.copyOf(v6, 50)));
        final byte[] v6Long = v6.clone();
        NetworkOrder.u16(MemorySegment.ofArray(v6Long), 18, 2000);
        assertEquals(PacketView.BAD_IPV6_PAYLOAD_LENGTH, parse(v6Long));

        final byte[] tcp = new FrameBuilder().tcp(1, 2, TcpHeader.ACK).length(64).build();
        tcp[34 + TcpHeader.DATA_OFFSET_OFFSET] = 0x40; // data offset 4 words < 5
        assertEquals(PacketView.BAD_TCP_DATA_OFFSET, parse(tcp));
    }

    @Test
    void parsesJumboAndNonIpFrames()
    {
        assertEquals(PacketView.OK, parse(new FrameBuilder().udp(1, 2).length(9000).build()));
        final byte[] arp = new byte[60];
        NetworkOrder.u16(MemorySegment.ofArray(arp), 12, EthernetHeader.TYPE_ARP);
        assertEquals(PacketView.OK, parse(arp));
        assertEquals(0, view.ipVersion());
        assertEquals(EthernetHeader.TYPE_ARP, view.etherType());
    }

    @Test
    void neverReadsPastTheFrameWhateverItsBytes()
    {
        final Random random = new Random(42);
        final byte[][] seeds = {
            new FrameBuilder().udp(1, 2).length(64).build(),
            new FrameBuilder().vlans(3, 4).tcp(1, 2, TcpHeader.SYN).length(90).build(),
            new FrameBuilder().ipv6(new long[] {1, 2}, new long[] {3, 4}).udp(1, 2).length(120).build(),
        };
        int verdicts = 0;
        for (int i = 0; i < 200_000; i++)
        {
            final byte[] seed = seeds[random.nextInt(seeds.length)];
            final byte[] frame = Arrays.copyOf(seed, random.nextInt(seed.length + 8));
            for (int flips = random.nextInt(6); flips > 0 && frame.length > 0; flips--)
            {
                frame[random.nextInt(frame.length)] = (byte)random.nextInt(256);
            }
            final int verdict = parse(frame);
            assertTrue(verdict >= 0 && verdict < PacketView.VERDICT_COUNT);
            if (PacketView.OK == verdict && view.hasL4())
            {
                assertTrue(view.l4Offset() + UdpHeader.LENGTH <= frame.length);
                assertTrue(view.ipEnd() <= frame.length);
            }
            verdicts |= 1 << verdict;
        }
        assertTrue(Integer.bitCount(verdicts) >= 8, "mutations should reach most verdicts: " +
            Integer.toBinaryString(verdicts));
    }
}
