package dev.dataplane.forwarder.conntrack;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Packets handed from one lcore to another that holds (or is to create) their connection, VPP's handoff: a
 * single-producer single-consumer ring of mbuf addresses for each ordered pair of lcores, so no two threads ever write
 * one index and nothing locks. A word is an mbuf's address with the hop it arrives as in its low bits ({@link #HOP}:
 * an mbuf is cache-line aligned). Bounded: a full ring refuses, and the sender frees and counts the packet. Rings are
 * plain Java arrays written and read through acquire/release, allocation-free; the indices of each ring sit on cache
 * lines of their own.
 */
public final class Handoff
{
    /** The bits of a word that carry its hop (1: asked whether a reply; 2: to create its connection). */
    public static final long HOP = 3;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(long[].class);
    /** Longs from one ring's indices to the next ring's (128 bytes): the producer's and the consumer's 64 apart. */
    private static final int INDEX_STRIDE = 16;
    private static final int PRODUCED = 0;
    private static final int CONSUMED = 8;

    private final int lcores;
    private final int mask;
    private final long[][] rings;
    /** Per ring, {@link #PRODUCED} and {@link #CONSUMED} positions, {@link #INDEX_STRIDE} longs apart from the next. */
    private final long[] indices;

    /**
     * @param lcores   the lcores that hand packets to each other (their indices 0 to {@code lcores - 1}).
     * @param capacity packets each ring holds (rounded up to a power of two).
     */
    public Handoff(final int lcores, final int capacity)
    {
        if (lcores < 2)
        {
            throw new IllegalArgumentException("a handoff needs two lcores or more, not " + lcores);
        }
        final int size = Integer.highestOneBit(Math.max(2, capacity - 1) << 1);
        this.lcores = lcores;
        this.mask = size - 1;
        this.rings = new long[lcores * lcores][];
        for (int from = 0; from < lcores; from++)
        {
            for (int to = 0; to < lcores; to++)
            {
                rings[from * lcores + to] = from == to ? new long[0] : new long[size];
            }
        }
        this.indices = new long[(lcores * lcores + 1) * INDEX_STRIDE];
    }

    public int lcores()
    {
        return lcores;
    }

    /** Packets each ring holds. */
    public int capacity()
    {
        return mask + 1;
    }

    /**
     * Called by lcore {@code from} only: puts {@code word} (an mbuf address with its hop) on the ring to {@code to}.
     *
     * @return false when that ring is full (nothing changed).
     */
    public boolean offer(final int from, final int to, final long word)
    {
        final int ring = from * lcores + to;
        final int at = (ring + 1) * INDEX_STRIDE;
        final long produced = indices[at + PRODUCED];
        if (produced - (long)SLOT.getAcquire(indices, at + CONSUMED) > mask)
        {
            return false;
        }
        rings[ring][(int)produced & mask] = word;
        SLOT.setRelease(indices, at + PRODUCED, produced + 1);
        return true;
    }

    /**
     * Called by lcore {@code to} only: takes up to {@code max} words that lcore {@code from} handed it, in order.
     *
     * @return how many were put at the start of {@code into}.
     */
    public int poll(final int to, final int from, final long[] into, final int max)
    {
        final int ring = from * lcores + to;
        final int at = (ring + 1) * INDEX_STRIDE;
        final long consumed = indices[at + CONSUMED];
        final int ready = (int)Math.min(Math.min(max, into.length),
            (long)SLOT.getAcquire(indices, at + PRODUCED) - consumed);
        final long[] slots = rings[ring];
        for (int i = 0; i < ready; i++)
        {
            into[i] = slots[(int)(consumed + i) & mask];
        }
        SLOT.setRelease(indices, at + CONSUMED, consumed + ready);
        return ready;
    }
}
