package dev.dataplane.forwarder.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Notes of fragmented datagrams under a clock the test moves (milliseconds). */
class FragmentTableTest
{
    private static final int UDP = 17;

    @Test
    void findsADatagramsNoteUntilItRunsOut()
    {
        final FragmentTable table = new FragmentTable(16, 2_000);
        assertTrue(table.note(1, 2, UDP, 0xBEEF, 42, 0));
        assertEquals(42, table.find(1, 2, UDP, 0xBEEF, 1_999));
        assertEquals(FragmentTable.MISS, table.find(1, 2, UDP, 0xBEEF, 2_000), "ran out");
        assertEquals(FragmentTable.MISS, table.find(2, 1, UDP, 0xBEEF, 0), "the addresses the other way");
        assertEquals(FragmentTable.MISS, table.find(1, 2, 6, 0xBEEF, 0), "another protocol");
        assertEquals(FragmentTable.MISS, table.find(1, 2, UDP, 0xBEEE, 0), "another id");
    }

    @Test
    void aNoteOfTheSameDatagramReplacesTheOld()
    {
        final FragmentTable table = new FragmentTable(16, 2_000);
        table.note(1, 2, UDP, 7, 10, 0);
        table.note(1, 2, UDP, 7, 12, 1_000);
        assertEquals(12, table.find(1, 2, UDP, 7, 2_500));
    }

    @Test
    void aFullNeighbourhoodRefusesANoteUntilOneRunsOut()
    {
        final FragmentTable table = new FragmentTable(8, 100);
        int refused = 0;
        for (int id = 0; id < 64; id++)
        {
            refused += table.note(1, 2, UDP, id, id, 0) ? 0 : 1;
        }
        assertEquals(64 - 8, refused, "8 slots: the rest refused");
        int found = 0;
        for (int id = 0; id < 64; id++)
        {
            found += table.find(1, 2, UDP, id, 50) == id ? 1 : 0;
        }
        assertEquals(8, found, "the noted ones are still found");
        assertTrue(table.note(1, 2, UDP, 99, 99, 100), "their notes ran out: the slots are free again");
        assertEquals(99, table.find(1, 2, UDP, 99, 150));
    }
}
