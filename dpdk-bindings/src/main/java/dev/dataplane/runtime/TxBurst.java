package dev.dataplane.runtime;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;

/** The one way a poller transmits: a TX burst, and what the ring refused freed at once. */
public final class TxBurst
{
    private TxBurst()
    {
    }

    /**
     * Sends {@code count} packets of {@code pkts} from {@code from} on {@code port}'s TX queue {@code queue} and frees
     * those the ring refused. Drop rather than retry: waiting for TX room only lets latency build up behind a slow
     * port. The caller counts {@code count - sent} as refused.
     *
     * @return the packets sent.
     */
    public static int sendOrFree(final int port, final int queue, final MbufArray pkts, final int from, final int count)
    {
        if (0 == count)
        {
            return 0;
        }
        final int sent = EthDev.txBurst(port, queue, pkts, from, count);
        freeRefused(pkts, from, count, sent);
        return sent;
    }

    /**
     * Frees what a TX burst of {@code count} packets of {@code pkts} from {@code from} refused, {@code sent} having
     * gone: {@link #sendOrFree}'s second half, for a caller that looks at the refused packets first.
     */
    public static void freeRefused(final MbufArray pkts, final int from, final int count, final int sent)
    {
        if (sent < count)
        {
            Mbuf.freeBulk(pkts, from + sent, count - sent);
        }
    }
}
