package dev.dataplane.pktgen.traffic;

import java.lang.foreign.MemorySegment;

import dev.dataplane.net.NetworkOrder;

/**
 * What every generated packet carries at the start of its UDP payload, in network byte order:
 * <pre>
 *  0      2        4               8                              16
 *  +------+--------+---------------+-------------------------------+
 *  |magic | stream | sequence (32) | scheduled TX time, TSC (64)   |
 *  +------+--------+---------------+-------------------------------+
 * </pre>
 * 16 bytes, so that it fits the 18 bytes of payload a 64-byte Ethernet/IPv4/UDP frame has. The time is when the
 * packet was due by the pacing schedule (when it was sent, for an unpaced run).
 */
public final class Stamp
{
    public static final int LENGTH = 16;
    public static final int MAGIC = 0xD9C1;
    public static final int MAGIC_OFFSET = 0;
    public static final int STREAM_OFFSET = 2;
    public static final int SEQUENCE_OFFSET = 4;
    public static final int TSC_OFFSET = 8;
    /** Most streams a stamp can name. */
    public static final int MAX_STREAMS = 65536;

    private Stamp()
    {
    }

    public static boolean isStamp(final MemorySegment s, final long at)
    {
        return MAGIC == NetworkOrder.u16(s, at + MAGIC_OFFSET);
    }

    public static int stream(final MemorySegment s, final long at)
    {
        return NetworkOrder.u16(s, at + STREAM_OFFSET);
    }

    public static int sequence(final MemorySegment s, final long at)
    {
        return NetworkOrder.u32(s, at + SEQUENCE_OFFSET);
    }

    public static long tsc(final MemorySegment s, final long at)
    {
        return s.get(NetworkOrder.U64, at + TSC_OFFSET);
    }

    /** The stamp bytes of a template: magic and stream set, sequence and time-stamp 0 (filled per packet). */
    public static byte[] template(final int stream)
    {
        final byte[] stamp = new byte[LENGTH];
        final MemorySegment s = MemorySegment.ofArray(stamp);
        NetworkOrder.u16(s, MAGIC_OFFSET, MAGIC);
        NetworkOrder.u16(s, STREAM_OFFSET, stream);
        return stamp;
    }
}
