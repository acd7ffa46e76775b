package dev.dataplane.dpdk;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Large tables' memory without EAL: anonymous, zeroed, aligned, advised to transparent huge pages, freed. */
class LargeMemoryTest
{
    private static final long BYTES = 5L << 20;

    @Test
    void anonymousMemoryIsZeroedAlignedAndAdvisedToHugePages() throws IOException
    {
        final String mode = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
        try (LargeMemory memory = LargeMemory.allocate(BYTES + 8, 128, null))
        {
            final MemorySegment segment = memory.segment();
            assertEquals(BYTES + 8, segment.byteSize());
            assertEquals(0, segment.address() % LargeMemory.HUGE_PAGE, "from a huge page boundary");
            for (long at = 0; at < segment.byteSize(); at += 4096)
            {
                assertEquals(0, segment.get(JAVA_LONG, at), "zeroed at " + at);
                segment.set(JAVA_LONG, at, at + 1);
            }
            assertEquals(BYTES + 1, segment.get(JAVA_LONG, BYTES));
            if (mode.contains("[never]"))
            {
                assertEquals(LargeMemory.Backing.PAGES, memory.backing());
            }
            else
            {
                assertEquals(LargeMemory.Backing.TRANSPARENT_HUGEPAGES, memory.backing());
                assertTrue(vmFlags(segment.address()).contains(" hg"),
                    "the mapping carries the kernel's huge page advice (VmFlags hg)");
            }
            memory.close();
            memory.close();
        }
    }

    @Test
    void refusesWhatItCannotAlign()
    {
        assertThrows(IllegalArgumentException.class, () -> LargeMemory.allocate(0, 64, null));
        assertThrows(IllegalArgumentException.class, () -> LargeMemory.allocate(4096, 48, null));
        assertThrows(IllegalArgumentException.class, () -> LargeMemory.allocate(4096, 4L << 20, null));
    }

    /** The VmFlags line of the mapping of this process that holds {@code address}, from /proc/self/smaps. */
    private static String vmFlags(final long address) throws IOException
    {
        final List<String> lines = Files.readAllLines(Path.of("/proc/self/smaps"));
        boolean inside = false;
        for (final String line : lines)
        {
            final int dash = line.indexOf('-');
            final int space = line.indexOf(' ');
            if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+"))
            {
                final long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                final long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                inside = Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
            }
            else if (inside && line.startsWith("VmFlags:"))
            {
                return line;
            }
        }
        return "";
    }
}
