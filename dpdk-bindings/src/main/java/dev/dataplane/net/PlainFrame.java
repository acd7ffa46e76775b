package dev.dataplane.net;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The common frame every fast path takes without a {@link PacketView} parse: untagged Ethernet, IPv4 without options,
 * not a fragment, with the packet inside the frame, its headers at fixed offsets ({@link #L3}, {@link #L4}). Each
 * check here is one {@link PacketView} makes of such a frame (RFC 1812's: header checksum, TTL; the UDP length and
 * TCP data offset), so that a frame a fast path takes is one the parse would have found well formed. Reads native
 * memory at the addresses given ({@link dev.dataplane.dpdk.NativeMemory#ALL}), never past the lengths given.
 */
public final class PlainFrame
{
    /** Where a plain frame's IPv4 header is, and its UDP or TCP header. */
    public static final int L3 = EthernetHeader.LENGTH;
    public static final int L4 = L3 + Ipv4Header.MIN_LENGTH;

    private static final ValueLayout.OfShort RAW16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt RAW32 = JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong RAW64 = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The IPv4 EtherType (08 00) and the fragment bits (MF and the offset), read in memory order. */
    private static final short RAW_TYPE_IPV4 = Short.reverseBytes((short)EthernetHeader.TYPE_IPV4);
    private static final int RAW_FRAGMENT_BITS = Short.reverseBytes((short)(Ipv4Header.FLAG_MORE_FRAGMENTS |
        Ipv4Header.FRAGMENT_OFFSET_MASK)) & 0xFFFF;
    /** Version 4, IHL 5. */
    private static final int VERSION_IHL = 0x45;

    private PlainFrame()
    {
    }

    /**
     * The IPv4 total length of a plain frame of {@code length} bytes at {@code frame}, or -1 for any other frame, or
     * one that fails the router's checks: a header checksum that does not sum to 0xFFFF, or TTL 0. The header is read
     * as three words in memory order (byte k at bits 8k), and every field checked comes from them: bytes 0-7
     * (version and IHL, total length, fragment field), 8-15 (TTL, protocol, checksum, source), 16-19 (destination).
     * A ones' complement sum does not care about byte order, and 0xFFFF reads the same swapped (RFC 1071).
     * (With no load more than the checks need, so that the fast paths still inline into the burst loops, which a
     * separate checksum pass over the header kept them from.)
     */
    public static int ipv4Length(final long frame, final int length)
    {
        if (length < L4 || RAW_TYPE_IPV4 != ALL.get(RAW16, frame + EthernetHeader.ETHER_TYPE_OFFSET))
        {
            return -1;
        }
        final long l3 = frame + L3;
        final long head = ALL.get(RAW64, l3);
        final long middle = ALL.get(RAW64, l3 + 8);
        // Five 32-bit words sum to at most 35 bits; two folds bring that to at most 0x10001, which is 0xFFFF exactly
        // when its last fold would be.
        long sum = (head >>> 32) + (head & 0xFFFFFFFFL) + (middle >>> 32) + (middle & 0xFFFFFFFFL) +
            (ALL.get(RAW32, l3 + Ipv4Header.DESTINATION_OFFSET) & 0xFFFFFFFFL);
        sum = (sum & 0xFFFF) + (sum >>> 16 & 0xFFFF) + (sum >>> 32);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        final int totalLength = (int)(head >>> 8) & 0xFF00 | (int)(head >>> 24) & 0xFF;
        if (VERSION_IHL != (head & 0xFF) || L3 + totalLength > length ||
            0 != ((head >>> 48) & RAW_FRAGMENT_BITS) || 0 == (middle & 0xFF) || 0xFFFF != sum)
        {
            return -1;
        }
        return totalLength;
    }

    /**
     * Whether the UDP header at {@code l4} lies wholly inside the packet's {@code l4Length} bytes with a length of at
     * least 8 and not past them (the router's check).
     */
    public static boolean udpFits(final long l4, final int l4Length)
    {
        if (l4Length < UdpHeader.LENGTH)
        {
            return false;
        }
        final int udpLength = NetworkOrder.u16(ALL, l4 + UdpHeader.LENGTH_OFFSET);
        return udpLength >= UdpHeader.LENGTH && udpLength <= l4Length;
    }

    /** The length of the TCP header at {@code l4}, or -1 when it does not lie wholly inside {@code l4Length} bytes. */
    public static int tcpHeaderLength(final long l4, final int l4Length)
    {
        if (l4Length < TcpHeader.MIN_LENGTH)
        {
            return -1;
        }
        final int headerLength = TcpHeader.headerLength(ALL, l4);
        return headerLength < TcpHeader.MIN_LENGTH || headerLength > l4Length ? -1 : headerLength;
    }
}
