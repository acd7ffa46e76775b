package dev.dataplane.forwarder.rules.flow;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.PlainFrame;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.net.UdpHeader;

/**
 * A flow's key, three words of everything the rules can look at: {@code key0} the frame's kind (in-port, outer
 * VLAN, IP protocol, an L4 header, and the rule generation's tag the table adds), {@code key1} the two IPv4
 * addresses, {@code key2} the ports (and the frame's length and TCP flags when some rule matches on them). Built
 * two ways that must agree: from a {@link PacketView} parse, or straight from a plain frame's bytes (untagged IPv4
 * without options, not a fragment, UDP or TCP with its header inside the packet), validating on the way every check
 * the parse makes of such a frame ({@link PlainFrame}). Header words are kept as they lie in memory, so a hit reads
 * and writes them without byte swaps (little-endian, the order of the machines DPDK runs on; correct, if slower,
 * anywhere).
 */
final class FlowKeys
{
    static final ValueLayout.OfShort RAW16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt RAW32 = JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong RAW64 = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /**
     * {@link #udpKey}, {@link #tcpKey}: not a plain frame's L4 header. Bit 31, which no L4 key part has (ports from bit
     * 32, TCP flags to bit 8), nor the length's ({@link #lengthKey}: bits 9-25).
     */
    static final long NOT_PLAIN_L4 = 1L << 31;
    /** Set in every key0: an all-zero entry is no key. */
    static final long VALID = 1L << 63;
    private static final long HAS_L4 = 1L << 62;

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
        if (PlainFrame.tcpHeaderLength(l4, l4Length) < 0)
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
