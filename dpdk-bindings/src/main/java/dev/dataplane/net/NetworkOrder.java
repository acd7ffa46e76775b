package dev.dataplane.net;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** Big-endian (network order) reads and writes at any alignment, the building blocks of the header views. */
public final class NetworkOrder
{
    public static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    public static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private NetworkOrder()
    {
    }

    public static int u8(final MemorySegment segment, final long offset)
    {
        return segment.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    public static void u8(final MemorySegment segment, final long offset, final int value)
    {
        segment.set(ValueLayout.JAVA_BYTE, offset, (byte)value);
    }

    public static int u16(final MemorySegment segment, final long offset)
    {
        return segment.get(U16, offset) & 0xFFFF;
    }

    public static void u16(final MemorySegment segment, final long offset, final int value)
    {
        segment.set(U16, offset, (short)value);
    }

    public static int u32(final MemorySegment segment, final long offset)
    {
        return segment.get(U32, offset);
    }

    public static void u32(final MemorySegment segment, final long offset, final int value)
    {
        segment.set(U32, offset, value);
    }

    /** A 48-bit value (a MAC address) as the low bits of a long. */
    public static long u48(final MemorySegment segment, final long offset)
    {
        return ((long)u16(segment, offset) << 32) | (u32(segment, offset + 2) & 0xFFFFFFFFL);
    }

    public static void u48(final MemorySegment segment, final long offset, final long value)
    {
        u16(segment, offset, (int)(value >>> 32));
        u32(segment, offset + 2, (int)value);
    }
}
