package dev.dataplane.forwarder;

/** One RX queue's work on an lcore: a plain forwarding stream, or a rule stream. */
public interface Poller
{
    /**
     * One receive-process-transmit cycle.
     *
     * @return the number of packets received.
     */
    int poll();

    /** Receives and frees what the RX queue still holds, after the lcores stopped; bounded by {@code maxBursts}. */
    int drain(int maxBursts);
}
