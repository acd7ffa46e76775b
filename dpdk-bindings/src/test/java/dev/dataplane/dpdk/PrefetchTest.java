package dev.dataplane.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

/** The prefetch list: what it holds, issuing it through the shim, a full list issuing itself, its bounds. */
class PrefetchTest
{
    @Test
    void issuesWhatWasAddedAndEmptiesItself()
    {
        final MemorySegment lines = Arena.ofAuto().allocate(64 * 8, 64);
        final Prefetch prefetch = new Prefetch(4);
        for (int i = 0; i < 3; i++)
        {
            prefetch.add(lines.address() + 64L * i);
        }
        assertEquals(3, prefetch.count());
        prefetch.issue();
        assertEquals(0, prefetch.count());
        prefetch.issue();
        assertEquals(0, prefetch.count(), "an empty list issues nothing");
        for (int i = 0; i < 5; i++)
        {
            prefetch.add(lines.address() + 64L * i);
        }
        assertEquals(1, prefetch.count(), "the fifth address found the list full: the four went first");
        prefetch.clear();
        assertEquals(0, prefetch.count());
    }

    @Test
    void aPrefetchOfAnAddressNothingIsMappedAtIsHarmless()
    {
        // A prefetch is a hint: it never faults (a lookup's stale candidate may name any line of the table).
        final Prefetch prefetch = new Prefetch(2);
        prefetch.add(0);
        prefetch.add(8);
        prefetch.issue();
        assertEquals(0, prefetch.count());
    }

    @Test
    void refusesACapacityOutsideItsRange()
    {
        assertThrows(IllegalArgumentException.class, () -> new Prefetch(0));
        assertThrows(IllegalArgumentException.class, () -> new Prefetch(65_537));
    }
}
