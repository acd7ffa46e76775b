package dev.dataplane.forwarder.rules;

import dev.dataplane.net.PacketView;

/**
 * Finds, for a parsed frame, the first rule whose every match holds and whose verdict ends the search, counting on
 * the way every {@link Verdict#COUNT} rule that matched before it. Frames the parser rejected match only
 * {@code malformed} rules; the others never match those.
 */
public interface Classifier
{
    /** No terminal rule matched: the rule set's policy applies. */
    int NO_MATCH = -1;

    /**
     * @param view     the frame, parsed (its verdict tells whether it is malformed).
     * @param inPort   the port it arrived on.
     * @param counters per-rule packet and byte counters, {@code [2 * rule]} and {@code [2 * rule + 1]}, owned by the
     *                 calling thread; the matched terminal rule and every matched count rule before it are counted.
     * @return the index of the first terminal rule that matched, or {@link #NO_MATCH}.
     */
    int classify(PacketView view, int inPort, long[] counters);
}
