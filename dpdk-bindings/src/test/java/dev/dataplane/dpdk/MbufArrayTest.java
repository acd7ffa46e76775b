package dev.dataplane.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
            assertEquals(array.get(i), MbufArray.element(elements, i));
        }
    }
}
