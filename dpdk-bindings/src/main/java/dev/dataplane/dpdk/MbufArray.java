package dev.dataplane.dpdk;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A pre-allocated native array of mbuf pointers ({@code struct rte_mbuf *[capacity]}), the unit that rx/tx
 * bursts, bulk alloc and bulk free work on. Elements are raw addresses held as {@code long}s; nothing is
 * allocated per access.
 */
public final class MbufArray
{
    private final MemorySegment segment;
    private final long address;
    private final int capacity;

    public MbufArray(final int capacity)
    {
        if (capacity <= 0 || capacity > 65535)
        {
            throw new IllegalArgumentException("mbuf array capacity must be in 1..65535: " + capacity);
        }
        this.segment = Arena.ofAuto().allocate(JAVA_LONG.byteSize() * capacity, 64);
        this.address = segment.address();
        this.capacity = capacity;
    }

    public int capacity()
    {
        return capacity;
    }

    /** The array's native address, for passing to DPDK. */
    public long address()
    {
        return address;
    }

    /**
     * The element at {@code index}, bounds-checked against the capacity. Read through {@link NativeMemory#ALL} at
     * the array's address rather than through its own segment: the same bytes (kept alive by {@code segment}), but
     * without the session check that an arena's segment pays on every access of the per-packet loops.
     */
    public long get(final int index)
    {
        return ALL.get(JAVA_LONG_UNALIGNED, elementAddress(index));
    }

    public void set(final int index, final long mbuf)
    {
        ALL.set(JAVA_LONG_UNALIGNED, elementAddress(index), mbuf);
    }

    /**
     * The first element's address, for a burst loop that checks its range against {@link #capacity()} once and then
     * reads with {@link #element}: the same bytes as {@link #get}, without a bounds check per element.
     */
    public long elements()
    {
        return NativeMemory.address(address);
    }

    /**
     * {@code array}'s {@link #elements()}, once {@code count} is checked against its capacity: the one bounds check
     * of a burst loop over the first {@code count} elements with {@link #element}.
     */
    public static long checkedElements(final MbufArray array, final int count)
    {
        Objects.checkFromIndexSize(0, count, array.capacity);
        return array.elements();
    }

    /**
     * Element {@code index} of the array whose {@link #elements()} is {@code elements}. Unchecked: the caller has
     * checked that {@code index} is within the capacity.
     */
    public static long element(final long elements, final int index)
    {
        return ALL.get(JAVA_LONG_UNALIGNED, elements + ((long)index << 3));
    }

    /**
     * Each of the first {@code count} mbufs' data address ({@link Mbuf#dataAddress}) and data length, into
     * {@code frames} and {@code lengths}: one pass over a burst's mbuf headers, for code that then reads only the
     * packets (a pipeline's RX lcore notes them while the headers are in its cache).
     */
    public void frames(final int count, final long[] frames, final int[] lengths)
    {
        Objects.checkFromIndexSize(0, count, Math.min(capacity, Math.min(frames.length, lengths.length)));
        final long elements = elements();
        for (int i = 0; i < count; i++)
        {
            final long mbuf = element(elements, i);
            frames[i] = Mbuf.dataAddress(mbuf);
            lengths[i] = Mbuf.dataLength(mbuf);
        }
    }

    /** Where element {@code index} is, bounds-checked against the capacity (see {@link NativeMemory#address}). */
    private long elementAddress(final int index)
    {
        return NativeMemory.address(address) + ((long)Objects.checkIndex(index, capacity) << 3);
    }
}
