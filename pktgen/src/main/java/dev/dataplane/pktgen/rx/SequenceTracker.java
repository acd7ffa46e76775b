package dev.dataplane.pktgen.rx;

/**
 * Loss, duplicates and reordering of numbered streams, from the sequence numbers the receiver sees, exactly within a
 * window: each stream remembers which of the last {@value #WINDOW} numbers below its highest it has seen. A number
 * above the highest seen marks the numbers skipped as lost; one of those arriving later is un-lost and counted out of
 * order; a number seen before is a duplicate; one older than the window is counted late (neither lost nor found).
 * <p>
 * Numbers arrive as 32 bits (what fits a 64-byte frame) and are widened to 64 against the stream's highest, so a
 * stream may wrap. One thread records and reads; others read once it has stopped (the receiver publishes the running
 * loss in its counters for the periodic report). Allocation-free after construction.
 */
public final class SequenceTracker
{
    /** Numbers below a stream's highest whose arrival is remembered; a power of two. */
    public static final int WINDOW = 4096;
    private static final int WORDS = WINDOW / 64;

    private final int streams;
    /** Per stream: highest number seen + 1 (0: nothing yet). */
    private final long[] next;
    private final long[] received;
    private final long[] lost;
    private final long[] duplicates;
    private final long[] outOfOrder;
    private final long[] late;
    /** Per stream, {@link #WORDS} words: bit (n % WINDOW) set when number n (within the window) arrived. */
    private final long[] seen;
    /** The sum of {@link #lost}: numbers skipped and not arrived since. */
    private long lostTotal;

    public SequenceTracker(final int streams)
    {
        this.streams = streams;
        this.next = new long[streams];
        this.received = new long[streams];
        this.lost = new long[streams];
        this.duplicates = new long[streams];
        this.outOfOrder = new long[streams];
        this.late = new long[streams];
        this.seen = new long[streams * WORDS];
    }

    /** Records that {@code stream} delivered its number {@code sequence32} (the low 32 bits of a 64-bit count). */
    public void record(final int stream, final int sequence32)
    {
        received[stream]++;
        final long highest = next[stream] - 1;
        // Widen to the 64-bit number nearest the highest seen.
        final long sequence = highest < 0 ? sequence32 & 0xFFFFFFFFL :
            highest + (int)(sequence32 - (int)highest);
        if (sequence < 0)
        {
            late[stream]++;
            return;
        }
        final int base = stream * WORDS;
        if (sequence > highest)
        {
            final long gap = sequence - highest - 1;
            lost[stream] += gap;
            lostTotal += gap;
            // The skipped numbers take the slots of numbers the window slides past: not seen (none, in order).
            for (long n = sequence - Math.min(gap, WINDOW - 1); n < sequence; n++)
            {
                seen[base + (int)((n >>> 6) & (WORDS - 1))] &= ~(1L << n);
            }
            seen[base + (int)((sequence >>> 6) & (WORDS - 1))] |= 1L << sequence;
            next[stream] = sequence + 1;
            return;
        }
        if (highest - sequence >= WINDOW)
        {
            late[stream]++;
            return;
        }
        final int word = base + (int)((sequence >>> 6) & (WORDS - 1));
        if (0 != (seen[word] & (1L << sequence)))
        {
            duplicates[stream]++;
            return;
        }
        seen[word] |= 1L << sequence;
        lost[stream]--;
        lostTotal--;
        outOfOrder[stream]++;
    }

    /** Numbers lost so far over all streams (the recording thread). */
    public long lostTotal()
    {
        return lostTotal;
    }

    public int streams()
    {
        return streams;
    }

    /** Frames received on {@code stream}, duplicates included. */
    public long received(final int stream)
    {
        return received[stream];
    }

    /** Numbers skipped and not (yet) arrived: lost so far. Frames still in flight count until they land. */
    public long lost(final int stream)
    {
        return lost[stream];
    }

    public long duplicates(final int stream)
    {
        return duplicates[stream];
    }

    /** Frames that arrived after a higher number of their stream. */
    public long outOfOrder(final int stream)
    {
        return outOfOrder[stream];
    }

    /** Frames older than the window when they arrived: not matched against the losses. */
    public long late(final int stream)
    {
        return late[stream];
    }

    /** The highest number seen + 1: how many the stream has sent as far as the receiver can tell. */
    public long expected(final int stream)
    {
        return next[stream];
    }
}
