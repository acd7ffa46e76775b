package dev.dataplane.runtime;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;

/**
 * The receive side every stream shares: the RX queue it polls, its burst size and burst array, and the bounded
 * drain at stop that returns whatever the queue still holds to the pool.
 */
public abstract class RxStream implements Poller
{
    protected final int rxPort;
    protected final int rxQueue;
    protected final int burst;
    protected final MbufArray pkts;
    private long drained;

    protected RxStream(final int rxPort, final int rxQueue, final int burst)
    {
        this.rxPort = rxPort;
        this.rxQueue = rxQueue;
        this.burst = burst;
        this.pkts = new MbufArray(burst);
    }

    /** One RX burst into {@link #pkts}: the number of packets received. */
    protected final int receive()
    {
        return receive(pkts);
    }

    /** One RX burst into {@code into} (at least {@link #burst} long): the number of packets received. */
    protected final int receive(final MbufArray into)
    {
        return EthDev.rxBurst(rxPort, rxQueue, into, burst);
    }

    /**
     * Receives and frees up to {@code maxBursts} bursts, after the lcores stopped; bounded because some devices
     * (net_null) never run dry.
     *
     * @return the number of packets freed.
     */
    @Override
    public final int drain(final int maxBursts)
    {
        final int count = drain(rxPort, rxQueue, pkts, burst, maxBursts);
        drained += count;
        return count;
    }

    /**
     * Receives and frees up to {@code maxBursts} bursts of {@code burst} from a queue no lcore polls any more, into
     * {@code scratch}: what every poller's drain at stop does.
     *
     * @return the number of packets freed.
     */
    public static int drain(final int port, final int queue, final MbufArray scratch, final int burst,
        final int maxBursts)
    {
        int count = 0;
        for (int i = 0; i < maxBursts; i++)
        {
            final int n = EthDev.rxBurst(port, queue, scratch, burst);
            if (0 == n)
            {
                break;
            }
            Mbuf.freeBulk(scratch, 0, n);
            count += n;
        }
        return count;
    }

    /** Packets {@link #drain} took from the RX queue and freed, unforwarded. */
    public final long drained()
    {
        return drained;
    }

    public final int rxPort()
    {
        return rxPort;
    }

    public final int rxQueue()
    {
        return rxQueue;
    }
}
