package dev.dataplane.forwarder.rules.flow;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.net.UdpHeader;

/**
 * A flow's key, three words of everything the rules can look at: {@code key0} the frame's kind (in-port, outer
 * VLAN, IP protocol, an L4 header, and the rule generation's tag the table adds), {@code key1} the two IPv4
 * addresses, {@code key2} the ports (and the frame's length and TCP flags when some rule matches on them). Built
 * two ways that must agree: from a {@link PacketView} parse, or straight from a plain frame's bytes (untagged IPv4
 * without options, not a fragment, UDP or TCP with its header inside the packet), validating on the way every check
 * the parse makes of such a frame. Header words are kept as they lie in memory, so a hit reads and writes them
 * without byte swaps (little-endian, the order of the machines DPDK runs on; correct, if slower, anywhere).
 */
final class FlowKeys
{
    static final ValueLayout.OfShort RAW16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt RAW32 = JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong RAW64 = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Where the plain frame's headers are: untagged Ethernet, IPv4 without options. */
    static final int PLAIN_L3 = EthernetHeader.LENGTH;
    static final int PLAIN_L4 = PLAIN_L3 + Ipv4Header.MIN_LENGTH;
    /**
     * {@link #udpKey}, {@link #tcpKey}: not a plain frame's L4 header. Bit 31, which no L4 key part has (ports from bit
     * 32, TCP flags to bit 8), nor the length's ({@link #lengthKey}: bits 9-25).
     */
    static final long NOT_PLAIN_L4 = 1L << 31;
    /** Set in every key0: an all-zero entry is no key. */
    static final long VALID = 1L << 63;
    private static final long HAS_L4 = 1L << 62;
    /** The IPv4 EtherType (08 00) and the fragment bits (MF and the offset), read in memory order. */
    private static final short RAW_TYPE_IPV4 = Short.reverseBytes((short)EthernetHeader.TYPE_IPV4);
    private static final int RAW_FRAGMENT_BITS = (int)swap16(Ipv4Header.FLAG_MORE_FRAGMENTS |
        Ipv4Header.FRAGMENT_OFFSET_MASK);
    /** Version 4, IHL 5. */
    private static final int PLAIN_VERSION_IHL = 0x45;

    private FlowKeys()
    {
    }

    /**
     * The key word of the frame's kind: in-port, outer VLAN (id + 1, 0 untagged), IP protocol, an L4 header; the
     * table adds the generation's tag (bits 40-61, which this leaves clear).
     */
    static long key0(final boolean l4, final int inPort, final int vlan, final int protocol)
    {
        return VALID | (l4 ? HAS_L4 : 0) | (long)(inPort & 0xFF) << 32 | (long)vlan << 8 | protocol;
    }

    /** The key word of the two addresses of the IPv4 header at {@code l3}, each as it lies in memory. */
    static long addressKey(final MemorySegment s, final long l3)
    {
        return (s.get(RAW32, l3 + Ipv4Header.SOURCE_OFFSET) & 0xFFFFFFFFL) << 32 |
            (s.get(RAW32, l3 + Ipv4Header.DESTINATION_OFFSET) & 0xFFFFFFFFL);
    }

    /** The ports of the L4 header at {@code l4} as they lie in memory, in the high half of the third key word. */
    static long portsKey(final MemorySegment s, final long l4)
    {
        return (s.get(RAW32, l4) & 0xFFFFFFFFL) << 32;
    }

    /** The frame length's part of the third key word, when some rule matches on it ({@code keyLength}). */
    static long lengthKey(final int length, final boolean keyLength)
    {
        return keyLength ? (long)Math.min(length, 0x10000) << 9 : 0;
    }

    /** key0 of a parsed frame (well-formed IPv4, no fragment: see {@code FlowCache}). */
    static long key0(final PacketView view, final int inPort)
    {
        return key0(view.hasL4(), inPort, 0 == view.vlanCount() ? 0 : view.outerVlanId() + 1, view.protocol());
    }

    /** key1 of a parsed frame. */
    static long key1(final PacketView view)
    {
        return addressKey(view.segment(), view.base() + view.l3Offset());
    }

    /** key2 of a parsed frame, with its length and TCP flags when the rules match on them. */
    static long key2(final PacketView view, final boolean keyLength, final boolean keyTcpFlags)
    {
        final boolean l4 = view.hasL4();
        return (l4 ? portsKey(view.segment(), view.base() + view.l4Offset()) : 0) |
            lengthKey(view.length(), keyLength) |
            (keyTcpFlags && l4 && IpProtocol.TCP == view.protocol() ? 0x100 | view.tcpFlags() : 0);
    }

    /**
     * The IPv4 total length of a plain frame (untagged IPv4 without options, not a fragment, the packet inside the
     * frame's {@code length} bytes), or -1 for any other frame, or one that fails the router's checks
     * ({@link PacketView}'s, for the fast path): a header checksum that does not sum to 0xFFFF, or TTL 0. The header
     * is read as three words in memory order (byte k at bits 8k), and every field checked comes from them: bytes 0-7
     * (version and IHL, total length, fragment field), 8-15 (TTL, protocol, checksum, source), 16-19 (destination).
     * A ones' complement sum does not care about byte order, and 0xFFFF reads the same swapped (RFC 1071).
     * (With no load more than the checks need, so that the fast path still inlines into the burst loop, which a
     * separate checksum pass over the header kept it from.)
     */
    static int plainIpv4Length(final long frame, final int length)
    {
        if (length < PLAIN_L4 || RAW_TYPE_IPV4 != ALL.get(RAW16, frame + EthernetHeader.ETHER_TYPE_OFFSET))
        {
            return -1;
        }
        final long l3 = frame + PLAIN_L3;
        final long head = ALL.get(RAW64, l3);
        final long middle = ALL.get(RAW64, l3 + 8);
        // Five 32-bit words sum to at most 35 bits; two folds bring that to at most 0x10001, which is 0xFFFF exactly
        // when its last fold would be.
        long sum = (head >>> 32) + (head & 0xFFFFFFFFL) + (middle >>> 32) + (middle & 0xFFFFFFFFL) +
            (ALL.get(RAW32, l3 + Ipv4Header.DESTINATION_OFFSET) & 0xFFFFFFFFL);
        sum = (sum & 0xFFFF) + (sum >>> 16 & 0xFFFF) + (sum >>> 32);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        final int totalLength = (int)(head >>> 8) & 0xFF00 | (int)(head >>> 24) & 0xFF;
        if (PLAIN_VERSION_IHL != (head & 0xFF) || PLAIN_L3 + totalLength > length ||
            0 != ((head >>> 48) & RAW_FRAGMENT_BITS) || 0 == (middle & 0xFF) || 0xFFFF != sum)
        {
            return -1;
        }
        return totalLength;
    }

    /**
     * The UDP part of a plain frame's key (its ports, as {@link #portsKey} has them), or {@link #NOT_PLAIN_L4} when the
     * header is not wholly inside the packet's {@code l4Length} bytes or its length is below 8 or past them (the
     * router's check, {@link PacketView}'s). One load for both: ports and length are the header's first 6 bytes.
     */
    static long udpKey(final long l4, final int l4Length)
    {
        if (l4Length < UdpHeader.LENGTH)
        {
            return NOT_PLAIN_L4;
        }
        final long header = ALL.get(RAW64, l4);
        final int udpLength = (int)(header >>> 24) & 0xFF00 | (int)(header >>> 40) & 0xFF;
        return udpLength < UdpHeader.LENGTH || udpLength > l4Length ? NOT_PLAIN_L4 : header << 32;
    }

    /**
     * The TCP part of a plain frame's key (its ports, and its flags when {@code keyTcpFlags}), or
     * {@link #NOT_PLAIN_L4} when its header is not wholly inside the packet's {@code l4Length} bytes.
     */
    static long tcpKey(final long l4, final int l4Length, final boolean keyTcpFlags)
    {
        if (l4Length < TcpHeader.MIN_LENGTH)
        {
            return NOT_PLAIN_L4;
        }
        final int headerLength = TcpHeader.headerLength(ALL, l4);
        if (headerLength < TcpHeader.MIN_LENGTH || headerLength > l4Length)
        {
            return NOT_PLAIN_L4;
        }
        return portsKey(ALL, l4) | (keyTcpFlags ? 0x100 | TcpHeader.flags(ALL, l4) : 0);
    }

    /** A 16-bit value in memory order: ones' complement sums are byte-order independent (RFC 1071). */
    static long swap16(final int value)
    {
        return (value & 0xFF) << 8 | (value >>> 8) & 0xFF;
    }
}
