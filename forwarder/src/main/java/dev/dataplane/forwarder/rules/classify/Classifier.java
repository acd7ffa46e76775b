package dev.dataplane.forwarder.rules.classify;

import dev.dataplane.forwarder.rules.lang.Verdict;
import dev.dataplane.net.PacketView;

/**
 * Finds, for a parsed frame, the first rule whose every match holds and whose verdict ends the search, counting on
 * the way every {@link Verdict#COUNT} rule that matched before it. Frames the parser rejected match only
 * {@code malformed} rules; the others never match those.
 */
public interface Classifier
{
    /**
     * Longs before a counter row's first counter and after its last: 128 bytes, the pair of cache lines the
     * adjacent-line prefetcher moves together, so the rows of streams on different lcores never share one.
     */
    int COUNTERS_PAD = 16;

    /** No terminal rule matched: the rule set's policy applies. */
    int NO_MATCH = -1;

    /**
     * @param view     the frame, parsed (its verdict tells whether it is malformed).
     * @param inPort   the port it arrived on.
     * @param counters per-rule packet and byte counters ({@link #newCounters}: at {@link #packetsIndex} and
     *                 {@link #bytesIndex}), owned by the calling thread; the matched terminal rule and every
     *                 matched count rule before it are counted.
     * @return the index of the first terminal rule that matched, or {@link #NO_MATCH}.
     */
    default int classify(final PacketView view, final int inPort, final long[] counters)
    {
        return classify(view, inPort, counters, null);
    }

    /**
     * {@link #classify(PacketView, int, long[])}, also noting which count rules matched.
     *
     * @param countedRules null, or filled with the indexes of the count rules counted, in order, as many as fit;
     *                     when fewer than its length, -1 follows the last. (Full: at least that many matched.)
     */
    int classify(PacketView view, int inPort, long[] counters, int[] countedRules);

    /**
     * Counts a frame of {@code length} bytes that matched {@code rule}; unless the rule is terminal, notes it in
     * {@code countedRules} (when not null).
     *
     * @return whether the rule ends the search.
     */
    static boolean countMatch(final long[] counters, final int rule, final int length, final boolean terminal,
        final int[] countedRules)
    {
        count(counters, rule, length);
        if (!terminal && null != countedRules)
        {
            noteCounted(countedRules, rule);
        }
        return terminal;
    }

    /** Counts a packet of {@code length} bytes for {@code rule} in {@code counters}, laid out as classify says. */
    static void count(final long[] counters, final int rule, final int length)
    {
        counters[COUNTERS_PAD + 2 * rule]++;
        counters[COUNTERS_PAD + 2 * rule + 1] += length;
    }

    /** A row of per-rule counters for one lcore's stream: {@code rules} rules, padded at both ends. */
    static long[] newCounters(final int rules)
    {
        return new long[2 * COUNTERS_PAD + 2 * Math.max(1, rules)];
    }

    /** Where a counter row holds {@code rule}'s packets. */
    static int packetsIndex(final int rule)
    {
        return COUNTERS_PAD + 2 * rule;
    }

    /** Where a counter row holds {@code rule}'s bytes. */
    static int bytesIndex(final int rule)
    {
        return COUNTERS_PAD + 2 * rule + 1;
    }

    /** Notes count rule {@code rule} in {@code countedRules}, as the four-argument {@code classify} describes. */
    private static void noteCounted(final int[] countedRules, final int rule)
    {
        for (int i = 0; i < countedRules.length; i++)
        {
            if (countedRules[i] < 0)
            {
                countedRules[i] = rule;
                if (i + 1 < countedRules.length)
                {
                    countedRules[i + 1] = -1;
                }
                return;
            }
        }
    }

    /** Empties {@code countedRules} (null: nothing to note) before a classification. */
    static void clearCounted(final int[] countedRules)
    {
        if (null != countedRules && 0 != countedRules.length)
        {
            countedRules[0] = -1;
        }
    }
}
