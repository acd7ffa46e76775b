package dev.dataplane.dpdk;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * A list of addresses to bring into the cache all at once ({@code rte_prefetch0}, through the shim): a burst's
 * lookups gather the lines they will read, then {@link #issue} asks for them in one critical downcall, as
 * {@code rte_hash_lookup_bulk} and VPP's nodes prefetch before they look. Java has no prefetch of its own, and a load
 * used in its place holds up the core (its reorder buffer fills behind the miss) where a prefetch retires at once,
 * so a whole burst's misses overlap. Native memory, allocated once; nothing allocated per address or per issue.
 */
public final class Prefetch
{
    /** Critical: a loop of prefetch instructions, never calling back into Java. */
    private static final MethodHandle PREFETCH0_BULK = DpdkLibrary.downcall("dp_prefetch0_bulk",
        FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_INT), Linker.Option.critical(false));

    /** The list's memory, held so that it lives as long as the list: accessed at {@link #addresses}. */
    private final MemorySegment segment;
    private final long addresses;
    private final int capacity;
    private int count;

    /** @param capacity addresses a list holds at most before {@link #issue} (1..65,536). */
    public Prefetch(final int capacity)
    {
        if (capacity < 1 || capacity > 65_536)
        {
            throw new IllegalArgumentException("a prefetch list holds 1..65536 addresses: " + capacity);
        }
        this.segment = Arena.ofAuto().allocate(JAVA_LONG.byteSize() * capacity, 64);
        this.addresses = NativeMemory.address(segment.address());
        this.capacity = capacity;
    }

    /** Adds {@code address} to the list; a full list issues itself first. */
    public void add(final long address)
    {
        if (count == capacity)
        {
            issue();
        }
        ALL.set(JAVA_LONG, addresses + 8L * count++, address);
    }

    /** Empties the list without prefetching what it holds. */
    public void clear()
    {
        count = 0;
    }

    /** Addresses added since the last {@link #issue}. */
    public int count()
    {
        return count;
    }

    /** Prefetches every address added since the last issue, and empties the list. */
    public void issue()
    {
        if (0 == count)
        {
            return;
        }
        try
        {
            PREFETCH0_BULK.invokeExact(addresses, count);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
        count = 0;
    }
}
