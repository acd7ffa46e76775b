package dev.dataplane.runtime;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.Objects;

/**
 * A block of single-writer counters, the one way both programs count: one thread (an lcore) adds, any thread reads.
 * The values are longs in an array padded at both ends, so the blocks of different lcores never share a cache line;
 * the writer stores with release semantics (a plain store on x86), a reader loads with acquire, so what an lcore
 * wrote before an add (a burst's per-rule counts, say) is seen by a reader that sees the add. Each counter has a
 * {@link CounterDescriptor}; printers, JSON and exporters read those, not parallel tables of names.
 */
public final class Counters
{
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    /** Longs before the first value and after the last: two cache lines, the pair adjacent-line prefetch moves. */
    private static final int PAD = 16;

    private final List<CounterDescriptor> descriptors;
    private final long[] slots;

    public Counters(final List<? extends CounterDescriptor> descriptors)
    {
        this.descriptors = List.copyOf(descriptors);
        this.slots = new long[2 * PAD + descriptors.size()];
    }

    /** The counters of an enum's constants, by ordinal. */
    public static <E extends Enum<E> & CounterDescriptor> Counters of(final Class<E> kind)
    {
        return new Counters(List.of(kind.getEnumConstants()));
    }

    /** Adds {@code delta} to counter {@code index} (the writer only). */
    public void add(final int index, final long delta)
    {
        final int slot = PAD + Objects.checkIndex(index, descriptors.size());
        SLOT.setRelease(slots, slot, slots[slot] + delta);
    }

    /**
     * Adds each of {@code pending}'s nonzero counts to the counter of the same index and zeroes it (the writer only):
     * counts gathered per packet in a plain array, published once per burst.
     */
    public void publish(final int[] pending)
    {
        final long[] slots = this.slots;
        Objects.checkFromIndexSize(0, pending.length, descriptors.size());
        for (int i = 0; i < pending.length; i++)
        {
            final int n = pending[i];
            if (0 != n)
            {
                SLOT.setRelease(slots, PAD + i, slots[PAD + i] + n);
                pending[i] = 0;
            }
        }
    }

    /** Adds {@code delta} to {@code counter}, one of the enum this block was made {@link #of} (the writer only). */
    public <E extends Enum<E> & CounterDescriptor> void add(final E counter, final long delta)
    {
        add(indexOf(counter), delta);
    }

    /** {@code counter}'s value, one of the enum this block was made {@link #of} (any thread). */
    public <E extends Enum<E> & CounterDescriptor> long get(final E counter)
    {
        return get(indexOf(counter));
    }

    private <E extends Enum<E> & CounterDescriptor> int indexOf(final E counter)
    {
        final int index = counter.ordinal();
        if (index >= descriptors.size() || descriptors.get(index) != counter)
        {
            throw new IllegalArgumentException(counter + " is not a counter of this block " + descriptors);
        }
        return index;
    }

    /** Counter {@code index}'s value (any thread). */
    public long get(final int index)
    {
        return (long)SLOT.getAcquire(slots, PAD + Objects.checkIndex(index, descriptors.size()));
    }

    /** Every counter's value, by index (any thread). */
    public long[] snapshot()
    {
        final long[] values = new long[descriptors.size()];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = get(i);
        }
        return values;
    }

    public int size()
    {
        return descriptors.size();
    }

    public List<CounterDescriptor> descriptors()
    {
        return descriptors;
    }
}
