package dev.dataplane.forwarder;

/**
 * A piece of an lcore's work: a forwarding or rule stream on one RX queue, or one stage of a pipeline ring (its RX,
 * rules or TX side).
 */
public interface Poller
{
    /**
     * One cycle: a stream receives, processes and transmits a burst; a pipeline stage takes what is ready for it.
     *
     * @return the packets it received or handled: its work, 0 when it found none (the lcore's idle strategy reads it).
     */
    int poll();

    /** Receives and frees what the RX queue still holds, after the lcores stopped; bounded by {@code maxBursts}. */
    int drain(int maxBursts);
}
