package dev.dataplane.forwarder;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;

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

    /**
     * The drain both kinds of stream do: up to {@code maxBursts} bursts into {@code pkts}, each freed at once.
     * Bounded because some devices (net_null) never run dry.
     *
     * @return the number of packets freed.
     */
    static int drainQueue(final int port, final int queue, final MbufArray pkts, final int burst, final int maxBursts)
    {
        int count = 0;
        for (int i = 0; i < maxBursts; i++)
        {
            final int n = EthDev.rxBurst(port, queue, pkts, burst);
            if (0 == n)
            {
                break;
            }
            Mbuf.freeBulk(pkts, 0, n);
            count += n;
        }
        return count;
    }
}
