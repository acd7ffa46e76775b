package dev.dataplane.net;

import java.lang.foreign.MemorySegment;

/**
 * IPv6 fixed header (RFC 8200), read and written in place; the caller makes sure {@link #LENGTH} bytes are there.
 * <pre>
 *  0       4               12                              32
 *  +-------+---------------+-------------------------------+
 *  |version| traffic class |          flow label           |
 *  |        payload length         | next hdr | hop limit  |
 *  |              source address (16 bytes)               |
 *  |            destination address (16 bytes)            |
 *  +-------------------------------------------------------+
 * </pre>
 */
public final class Ipv6Header
{
    public static final int LENGTH = 40;
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    public static final int NEXT_HEADER_OFFSET = 6;
    public static final int HOP_LIMIT_OFFSET = 7;
    public static final int SOURCE_OFFSET = 8;
    public static final int DESTINATION_OFFSET = 24;

    /** Extension headers that PacketView walks (RFC 8200 4.1). */
    public static final int EXT_HOP_BY_HOP = 0;
    public static final int EXT_ROUTING = 43;
    public static final int EXT_FRAGMENT = 44;
    public static final int EXT_DESTINATION_OPTIONS = 60;
    public static final int EXT_AUTHENTICATION = 51;
    public static final int NO_NEXT_HEADER = 59;

    private Ipv6Header()
    {
    }

    public static int version(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u8(segment, offset) >>> 4;
    }

    public static int trafficClass(final MemorySegment segment, final long offset)
    {
        return (NetworkOrder.u16(segment, offset) >>> 4) & 0xFF;
    }

    public static int payloadLength(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u16(segment, offset + PAYLOAD_LENGTH_OFFSET);
    }

    public static int nextHeader(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u8(segment, offset + NEXT_HEADER_OFFSET);
    }

    public static int hopLimit(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u8(segment, offset + HOP_LIMIT_OFFSET);
    }

    public static void hopLimit(final MemorySegment segment, final long offset, final int hopLimit)
    {
        NetworkOrder.u8(segment, offset + HOP_LIMIT_OFFSET, hopLimit);
    }

    /** High 64 bits of the source address. */
    public static long sourceHigh(final MemorySegment segment, final long offset)
    {
        return segment.get(NetworkOrder.U64, offset + SOURCE_OFFSET);
    }

    public static long sourceLow(final MemorySegment segment, final long offset)
    {
        return segment.get(NetworkOrder.U64, offset + SOURCE_OFFSET + 8);
    }

    public static long destinationHigh(final MemorySegment segment, final long offset)
    {
        return segment.get(NetworkOrder.U64, offset + DESTINATION_OFFSET);
    }

    public static long destinationLow(final MemorySegment segment, final long offset)
    {
        return segment.get(NetworkOrder.U64, offset + DESTINATION_OFFSET + 8);
    }
}
