package dev.dataplane.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

class MbufArrayTest
{
    @Test
    void holdsWhatIsSetAndRefusesIndexesOutsideItsCapacity()
    {
        final MbufArray array = new MbufArray(32);
        for (int i = 0; i < 32; i++)
        {
            array.set(i, 0x1000L * (i + 1));
        }
        for (int i = 0; i < 32; i++)
        {
            assertEquals(0x1000L * (i + 1), array.get(i));
        }
        assertThrows(IndexOutOfBoundsException.class, () -> array.get(32));
        assertThrows(IndexOutOfBoundsException.class, () -> array.get(-1));
        assertThrows(IndexOutOfBoundsException.class, () -> array.set(32, 1));
        assertEquals(0, array.address() % 64, "cache-line aligned for the drivers");
    }

    @Test
    void aBurstLoopReadsTheSameElementsThroughElements()
    {
        final MbufArray array = new MbufArray(32);
        for (int i = 0; i < 32; i++)
        {
            array.set(i, 0x7F00_0000_1000L + 0x80L * i);
        }
        final long elements = array.elements();
        assertEquals(array.address(), elements, "a user-space address, unchanged by NativeMemory.address");
        for (int i = 0; i < 32; i++)
        {
            assertEquals(0x7F00_0000_1000L + 0x80L * i, MbufArray.element(elements, i), "element " + i);
        }
    }

    @Test
    void notesEachFramesAddressAndLengthOffItsMbufHeader()
    {
        try (Arena arena = Arena.ofConfined())
        {
            final int count = 5;
            final MemorySegment headers = arena.allocate(128L * count, 64);
            final MbufArray array = new MbufArray(8);
            for (int i = 0; i < count; i++)
            {
                final MemorySegment header = headers.asSlice(128L * i, 128);
                header.set(ValueLayout.JAVA_LONG_UNALIGNED, Mbuf.BUF_ADDR_OFFSET, 0x7F00_0010_0000L + 0x1000L * i);
                header.set(ValueLayout.JAVA_SHORT_UNALIGNED, Mbuf.DATA_OFF_OFFSET, (short)(128 + i));
                header.set(ValueLayout.JAVA_SHORT_UNALIGNED, Mbuf.DATA_LEN_OFFSET, (short)(60 + 100 * i));
                array.set(i, header.address());
            }
            final long[] frames = new long[8];
            final int[] lengths = new int[8];
            array.frames(count, frames, lengths);
            for (int i = 0; i < count; i++)
            {
                assertEquals(0x7F00_0010_0000L + 0x1000L * i + 128 + i, frames[i], "buf_addr + data_off");
                assertEquals(60 + 100 * i, lengths[i], "data_len");
            }
            assertEquals(0, frames[count], "nothing past the count");
            assertThrows(IndexOutOfBoundsException.class, () -> array.frames(9, new long[16], new int[16]));
            assertThrows(IndexOutOfBoundsException.class, () -> array.frames(count, new long[4], lengths));
        }
    }
}
