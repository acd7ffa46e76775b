package dev.dataplane.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

/**
 * The checks a router makes before it forwards (RFC 1812 5.2.2, Linux's ip_rcv and udp_rcv): each damage has its own
 * verdict, what the NIC found takes precedence over software, and well-formed variants still pass. Each of these
 * frames parsed OK before the checks existed.
 */
class RouterChecksTest
{
    private static final int L3 = EthernetHeader.LENGTH;
    private static final int L4 = L3 + Ipv4Header.MIN_LENGTH;

    private final PacketView view = new PacketView();

    private static byte[] udp()
    {
        return new FrameBuilder().ipv4(Ipv4Header.parseAddress("10.0.0.1"), Ipv4Header.parseAddress("10.0.8.17"))
            .udp(4000, 8080).length(64).build();
    }

    private int parse(final byte[] frame, final int checks)
    {
        return view.parse(MemorySegment.ofArray(frame), 0, frame.length, checks);
    }

    private int parse(final byte[] frame)
    {
        return view.parse(MemorySegment.ofArray(frame), 0, frame.length);
    }

    private static void fixHeaderChecksum(final byte[] frame)
    {
        Ipv4Header.computeChecksum(MemorySegment.ofArray(frame), L3);
    }

    @Test
    void rejectsAWrongIpv4HeaderChecksumUnlessTheNicVouchedForIt()
    {
        final byte[] frame = udp();
        frame[L3 + Ipv4Header.CHECKSUM_OFFSET] ^= 0x10;
        assertEquals(PacketView.BAD_IPV4_CHECKSUM, parse(frame));
        assertEquals(PacketView.OK, parse(frame, 0), "not asked");
        assertEquals(PacketView.OK, parse(frame, PacketView.ROUTER_CHECKS | PacketView.IPV4_CHECKSUM_GOOD));
        assertEquals(PacketView.BAD_IPV4_CHECKSUM, parse(udp(), PacketView.ROUTER_CHECKS |
            PacketView.IPV4_CHECKSUM_BAD), "the NIC's word stands");
    }

    @Test
    void rejectsAnOptionThatRunsPastTheHeaderAndKeepsWellFormedOnes()
    {
        // The case: an option of length 40 in a 4-byte option area.
        assertEquals(PacketView.BAD_IPV4_OPTIONS, parse(withOptions(0x94, 40, 0, 0)));
        assertEquals(PacketView.BAD_IPV4_OPTIONS, parse(withOptions(0x94, 1, 0, 0)), "length below 2");
        assertEquals(PacketView.BAD_IPV4_OPTIONS, parse(withOptions(1, 1, 1, 0x94)), "no room for its length");
        assertEquals(PacketView.OK, parse(withOptions(0x94, 4, 0, 0)), "router alert");
        assertEquals(PacketView.OK, parse(withOptions(1, 1, 0, 0x55)), "NOPs, then end of list (the rest ignored)");
        assertEquals(PacketView.OK, parse(withOptions(1, 1, 1, 1)));
    }

    /** The UDP frame with four bytes of options (IHL 6) and a valid header checksum. */
    private static byte[] withOptions(final int... options)
    {
        final byte[] base = udp();
        final byte[] frame = new byte[base.length + 4];
        System.arraycopy(base, 0, frame, 0, L4);
        for (int i = 0; i < 4; i++)
        {
            frame[L4 + i] = (byte)options[i];
        }
        System.arraycopy(base, L4, frame, L4 + 4, base.length - L4);
        final MemorySegment s = MemorySegment.ofArray(frame);
        NetworkOrder.u8(s, L3, 0x46);
        NetworkOrder.u16(s, L3 + Ipv4Header.TOTAL_LENGTH_OFFSET, Ipv4Header.totalLength(s, L3) + 4);
        fixHeaderChecksum(frame);
        return frame;
    }

    @Test
    void rejectsTtlAndHopLimitZero()
    {
        final byte[] frame = udp();
        frame[L3 + Ipv4Header.TTL_OFFSET] = 0;
        fixHeaderChecksum(frame);
        assertEquals(PacketView.TTL_ZERO, parse(frame));
        frame[L3 + Ipv4Header.TTL_OFFSET] = 1;
        fixHeaderChecksum(frame);
        assertEquals(PacketView.OK, parse(frame), "TTL 1 arrives fine; dec-ttl expires it");

        final byte[] v6 = new FrameBuilder().ipv6(new long[] {1, 1}, new long[] {2, 2}).udp(1, 2).length(80).build();
        v6[L3 + Ipv6Header.HOP_LIMIT_OFFSET] = 0;
        assertEquals(PacketView.TTL_ZERO, parse(v6));
    }

    @Test
    void wantsAUdpLengthOfAtLeastEightAndWithinTheIpPayload()
    {
        parse(udp());
        final int payload = view.ipEnd() - L4;
        for (final int length : new int[] {3, 0, 7, 200, payload + 1})
        {
            final byte[] frame = udp();
            NetworkOrder.u16(MemorySegment.ofArray(frame), L4 + UdpHeader.LENGTH_OFFSET, length);
            assertEquals(PacketView.BAD_UDP_LENGTH, parse(frame), "UDP length " + length);
        }
        // Shorter than the payload: allowed, as Linux and nf_conntrack allow it (the rest is IP payload).
        final byte[] surplus = udp();
        NetworkOrder.u16(MemorySegment.ofArray(surplus), L4 + UdpHeader.LENGTH_OFFSET, 8);
        assertEquals(PacketView.OK, parse(surplus));
    }

    @Test
    void wantsATcpDataOffsetOfFiveWordsOrMoreWithinTheSegment()
    {
        final byte[] tcp = new FrameBuilder().tcp(1, 2, TcpHeader.ACK).length(64).build();
        tcp[L4 + TcpHeader.DATA_OFFSET_OFFSET] = 0x40;
        assertEquals(PacketView.BAD_TCP_DATA_OFFSET, parse(tcp));
        tcp[L4 + TcpHeader.DATA_OFFSET_OFFSET] = (byte)0xF0;
        assertEquals(PacketView.BAD_TCP_DATA_OFFSET, parse(tcp), "60 bytes of header in a 26-byte segment");
    }

    @Test
    void verifiesL4ChecksumsOnlyWhenAsked()
    {
        final int l4 = PacketView.ROUTER_CHECKS | PacketView.CHECK_L4_CHECKSUM;
        assertEquals(PacketView.OK, parse(udp(), l4));
        final byte[] wrong = udp();
        wrong[L4 + UdpHeader.CHECKSUM_OFFSET] ^= 1;
        assertEquals(PacketView.OK, parse(wrong), "not asked by default");
        assertEquals(PacketView.BAD_L4_CHECKSUM, parse(wrong, l4));
        assertEquals(PacketView.OK, parse(wrong, l4 | PacketView.L4_CHECKSUM_GOOD), "the NIC vouched");
        assertEquals(PacketView.BAD_L4_CHECKSUM, parse(udp(), PacketView.L4_CHECKSUM_BAD), "the NIC's word stands");

        final byte[] none = udp();
        NetworkOrder.u16(MemorySegment.ofArray(none), L4 + UdpHeader.CHECKSUM_OFFSET, 0);
        assertEquals(PacketView.OK, parse(none, l4), "UDP over IPv4 may have none");
        final byte[] v6 = new FrameBuilder().ipv6(new long[] {1, 1}, new long[] {2, 2}).udp(1, 2).length(80).build();
        assertEquals(PacketView.OK, parse(v6, l4));
        NetworkOrder.u16(MemorySegment.ofArray(v6), L3 + Ipv6Header.LENGTH + UdpHeader.CHECKSUM_OFFSET, 0);
        assertEquals(PacketView.BAD_L4_CHECKSUM, parse(v6, l4), "UDP over IPv6 must have one");

        final byte[] tcp = new FrameBuilder().tcp(1, 2, TcpHeader.ACK).length(70).build();
        assertEquals(PacketView.OK, parse(tcp, l4));
        tcp[tcp.length - 1] ^= 0x20;
        assertEquals(PacketView.BAD_L4_CHECKSUM, parse(tcp, l4));
    }

    @Test
    void aFirstFragmentHasItsL4HeaderButNoPortsForRules()
    {
        final byte[] frame = udp();
        NetworkOrder.u16(MemorySegment.ofArray(frame), L3 + Ipv4Header.FRAGMENT_OFFSET, Ipv4Header.FLAG_MORE_FRAGMENTS);
        // A first fragment's UDP length and checksum are the whole datagram's: neither is held to this fragment.
        NetworkOrder.u16(MemorySegment.ofArray(frame), L4 + UdpHeader.LENGTH_OFFSET, 1400);
        fixHeaderChecksum(frame);
        assertEquals(PacketView.OK, parse(frame, PacketView.ROUTER_CHECKS | PacketView.CHECK_L4_CHECKSUM));
        assertTrue(view.isFragment());
        assertTrue(view.hasL4(), "a rewrite still updates its L4 checksum");
        assertFalse(view.hasPorts(), "rules see no ports on any fragment");
    }

    @Test
    void namesEveryVerdict()
    {
        for (int verdict = 0; verdict < PacketView.VERDICT_COUNT; verdict++)
        {
            assertFalse(PacketView.verdictName(verdict).startsWith("unknown"), "verdict " + verdict);
        }
        assertEquals("bad-ipv4-checksum", PacketView.verdictName(PacketView.BAD_IPV4_CHECKSUM));
    }
}
