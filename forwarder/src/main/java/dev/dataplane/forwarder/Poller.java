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

    /**
     * After the lcores stopped, frees what it still holds (what its RX queue has, bounded by {@code maxBursts}
     * bursts; what its ring has), or nothing.
     *
     * @return how many packets it freed.
     */
    int drain(int maxBursts);
}
