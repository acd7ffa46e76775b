package dev.dataplane.runtime;

/**
 * A piece of an lcore's work, polled in turn with the lcore's others by a {@link PollingLcore}: a forwarding stream
 * on one RX queue, one stage of a pipeline ring, a generator or a receiver.
 */
public interface Poller
{
    /**
     * One cycle: a stream receives, processes and transmits a burst; a pipeline stage takes what is ready for it; a
     * generator sends a burst.
     *
     * @return the packets it received, handled or sent: its work, 0 when it found none (the idle strategy reads it).
     */
    int poll();

    /**
     * After the lcores stopped, frees what it still holds (what its RX queue has, bounded by {@code maxBursts}
     * bursts; what its ring has), or nothing.
     *
     * @return how many packets it freed.
     */
    default int drain(final int maxBursts)
    {
        return 0;
    }
}
