package dev.dataplane.pktgen.traffic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrameSizesTest
{
    @Test
    void imixIsSevenFourOneSpreadEvenly()
    {
        final FrameSizes imix = FrameSizes.parse("IMIX");
        assertArrayEquals(new int[] {64, 576, 1500}, imix.sizes());
        final int[] pattern = imix.pattern();
        assertEquals(12, pattern.length);
        final int[] counts = new int[3];
        for (final int k : pattern)
        {
            counts[k]++;
        }
        assertArrayEquals(new int[] {7, 4, 1}, counts);
        // Evenly spread: no two 576-byte frames in a row, the pattern repeated included; 64-byte frames never more
        // than two in a row.
        for (int i = 0; i < pattern.length; i++)
        {
            final int next = pattern[(i + 1) % pattern.length];
            assertTrue(!(1 == pattern[i] && 1 == next), "576 twice in a row at " + i);
            assertTrue(!(0 == pattern[i] && 0 == next && 0 == pattern[(i + 2) % pattern.length]), "64 x3 at " + i);
        }
        assertEquals((7 * 64 + 4 * 576 + 1500) / 12.0, imix.average(), 1e-9);
        assertEquals(64, imix.smallest());
        assertEquals(1500, imix.largest());
    }

    @Test
    void aListIsSentInTurnAndARepeatedSizeMoreOften()
    {
        final FrameSizes list = FrameSizes.parse("64, 1518");
        assertArrayEquals(new int[] {64, 1518}, list.sizes());
        assertArrayEquals(new int[] {0, 1}, list.pattern());
        final FrameSizes weighted = FrameSizes.parse("128,256,128");
        assertArrayEquals(new int[] {128, 256}, weighted.sizes());
        assertArrayEquals(new int[] {0, 1, 0}, weighted.pattern());
        assertEquals(FrameSizes.of(64), FrameSizes.parse("64"));
        assertEquals("64/1518-byte", list.describe());
    }

    @Test
    void rejectsWhatIsNotASizeListWithTheReason()
    {
        assertEquals("--size must be in 64..9618: 63",
            assertThrows(IllegalArgumentException.class, () -> FrameSizes.parse("63")).getMessage());
        assertEquals("--size must be in 64..9618: 9619",
            assertThrows(IllegalArgumentException.class, () -> FrameSizes.parse("64,9619")).getMessage());
        for (final String bad : new String[] {"", "64,", "big", "64;128", "1e3"})
        {
            assertTrue(assertThrows(IllegalArgumentException.class, () -> FrameSizes.parse(bad)).getMessage()
                .startsWith("--size takes a size in bytes"), bad);
        }
        final StringBuilder many = new StringBuilder("64");
        for (int size = 65; size < 65 + FrameSizes.MAX_SIZES; size++)
        {
            many.append(',').append(size);
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> FrameSizes.parse(many.toString()))
            .getMessage().startsWith("--size takes at most 16 different sizes"));
    }
}
