package dev.dataplane.pktgen.tx;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.runtime.Counters;
import dev.dataplane.runtime.Poller;
import dev.dataplane.runtime.TxBurst;

/**
 * What sends on a TX queue, the stamped-traffic {@link Generator} or the {@link PcapReplay}: the burst array, the
 * allocation and the transmit they share, and their counters (written by the sending lcore, readable from any
 * thread). What the TX queue refuses is freed and counted, never retried.
 */
public abstract class Sender implements Poller
{
    protected final int port;
    protected final int queue;
    protected final int burst;
    protected final Mempool pool;
    protected final MbufArray mbufs;
    /** Per slot of {@link #mbufs}: the frame's length in the mbuf, for a burst of frames of different lengths. */
    protected final int[] lengths;
    private final Counters counters = Counters.of(SenderCounter.class);

    protected Sender(final int port, final int queue, final int burst, final Mempool pool)
    {
        this.port = port;
        this.queue = queue;
        this.burst = burst;
        this.pool = pool;
        this.mbufs = new MbufArray(burst);
        this.lengths = new int[burst];
    }

    /** Takes {@code n} mbufs into {@link #mbufs}; false, and counted, when the pool has too few. */
    protected final boolean allocate(final int n)
    {
        if (pool.allocBulk(mbufs, n))
        {
            return true;
        }
        countAllocFailure(n);
        return false;
    }

    /** Counts {@code n} packets not built for want of mbufs. */
    protected final void countAllocFailure(final int n)
    {
        counters.add(SenderCounter.ALLOC_FAILED, n);
    }

    /**
     * Sends the first {@code n} of {@link #mbufs}, each {@code length} bytes long, or as long as {@link #lengths}
     * says when {@code length} is -1; frees and counts what the queue refused.
     */
    protected final int transmit(final int n, final int length)
    {
        // TxBurst.sendOrFree in its two halves, so that the refused packets are seen before they are freed.
        final int sent = 0 == n ? 0 : EthDev.txBurst(port, queue, mbufs, 0, n);
        if (sent < n)
        {
            refused(sent, n);
            TxBurst.freeRefused(mbufs, 0, n, sent);
            counters.add(SenderCounter.TX_REFUSED, n - sent);
        }
        long bytes = (long)sent * length;
        if (length < 0)
        {
            bytes = 0;
            for (int i = 0; i < sent; i++)
            {
                bytes += lengths[i];
            }
        }
        counters.add(SenderCounter.SENT, sent);
        counters.add(SenderCounter.BYTES, bytes);
        return sent;
    }

    /**
     * Sees the packets {@code from} to {@code to} of {@link #mbufs}, which the TX queue refused, before they are freed
     * (the slow path: the queue was full).
     */
    protected void refused(final int from, final int to)
    {
    }

    /** Packets sent or refused so far: handed to the TX queue (the sending lcore's own view). */
    protected final long handedOut()
    {
        return counters.get(SenderCounter.SENT) + counters.get(SenderCounter.TX_REFUSED);
    }

    /** By {@link SenderCounter} (any thread). */
    public final Counters counters()
    {
        return counters;
    }

    /** Packets the port took (any thread). */
    public final long sent()
    {
        return counters.get(SenderCounter.SENT);
    }

    /** Bytes of the packets the port took, as in the mbufs: no FCS (any thread). */
    public final long sentBytes()
    {
        return counters.get(SenderCounter.BYTES);
    }

    /** Packets the TX queue refused, freed (any thread). */
    public final long txRefused()
    {
        return counters.get(SenderCounter.TX_REFUSED);
    }

    /** Packets not built for want of mbufs (any thread). */
    public final long allocFailed()
    {
        return counters.get(SenderCounter.ALLOC_FAILED);
    }

    /**
     * Packets the pacing schedule gave up because this sender fell more than {@link RateLimiter#MAX_LAG_SECONDS}
     * behind: read once the sender has stopped.
     */
    public abstract long skipped();

    /** True once a finite run (a packet count, a number of loops) has handed everything out (any thread). */
    public abstract boolean done();

    public final int port()
    {
        return port;
    }
}
