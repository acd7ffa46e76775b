package dev.dataplane.forwarder.conntrack;

/**
 * The source ports a masquerading SNAT hands out for one external address and protocol, from a range: a bitmap of
 * the ports in use, so a port is never given to two live connections. A connection keeps its own source port when
 * that is free and in the range (as Linux's NAT does: fewer surprises for protocols that care); else it gets the next
 * free one after a cursor that moves on with each allocation, so a port just released is not reused at once (a late
 * packet of the old connection cannot land in the new one). A search reads the bitmap a word (64 ports) at a time.
 * Allocation-free; one per lcore, as the connections are.
 */
public final class PortAllocator
{
    /** {@link #allocate}: every port of the range is in use. */
    public static final int EXHAUSTED = -1;

    private final int first;
    private final int count;
    private final long[] inUse;
    private int cursor;
    private int used;

    /** @param first the range's first port; {@code last} its last (1..65535, first <= last). */
    public PortAllocator(final int first, final int last)
    {
        if (first < 1 || last > 65535 || first > last)
        {
            throw new IllegalArgumentException("a port range is within 1..65535, first <= last: " + first + "-" + last);
        }
        this.first = first;
        this.count = last - first + 1;
        this.inUse = new long[(count + 63) / 64];
        if (0 != count % 64)
        {
            // Past the range: always taken, so a word's search never offers them.
            inUse[inUse.length - 1] = -1L << (count % 64);
        }
    }

    /**
     * A port for a new connection whose own source port is {@code preferred}: that one if it is in the range and free,
     * else the next free one.
     *
     * @return the port, now in use, or {@link #EXHAUSTED}.
     */
    public int allocate(final int preferred)
    {
        final int wanted = preferred - first;
        if (wanted >= 0 && wanted < count && !taken(wanted))
        {
            take(wanted);
            return preferred;
        }
        if (used == count)
        {
            return EXHAUSTED;
        }
        final int words = inUse.length;
        int word = cursor >>> 6;
        // The cursor's own word, from the cursor on; then each word in turn, round to the cursor's word again.
        long free = ~inUse[word] & (-1L << (cursor & 63));
        for (int i = 0; i <= words; i++)
        {
            if (0 != free)
            {
                final int offset = word << 6 | Long.numberOfTrailingZeros(free);
                take(offset);
                cursor = offset + 1 == count ? 0 : offset + 1;
                return first + offset;
            }
            word = word + 1 == words ? 0 : word + 1;
            free = ~inUse[word];
        }
        return EXHAUSTED;
    }

    /** Gives {@code port} back (its connection ended). */
    public void release(final int port)
    {
        final int offset = port - first;
        if (offset < 0 || offset >= count || !taken(offset))
        {
            throw new IllegalArgumentException("port " + port + " is not one this allocator gave out");
        }
        inUse[offset >>> 6] &= ~(1L << offset);
        used--;
    }

    /** Whether {@code port} is in use. */
    public boolean inUse(final int port)
    {
        final int offset = port - first;
        return offset >= 0 && offset < count && taken(offset);
    }

    /** Ports in use. */
    public int used()
    {
        return used;
    }

    private boolean taken(final int offset)
    {
        return 0 != (inUse[offset >>> 6] & 1L << offset);
    }

    private void take(final int offset)
    {
        inUse[offset >>> 6] |= 1L << offset;
        used++;
    }
}
