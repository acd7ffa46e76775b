package dev.dataplane.forwarder;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;

/**
 * An lcore's transmit side when packets may leave by any port (rules: accept, tx, redirect): one buffer per port,
 * sent with one tx burst per port per cycle on the TX queue this lcore owns on every port, so lcores never share a
 * queue. What a TX ring refuses is freed and counted, never retried.
 */
public final class LcoreTransmitter
{
    private static final VarHandle COUNTER = MethodHandles.arrayElementVarHandle(long[].class);

    private final int queue;
    private final int[] ports;
    private final MbufArray[] buffers;
    private final int[] counts;
    private final int capacity;
    /** Per port id: [2 * port] packets sent, [2 * port + 1] packets TX refused. Written by the lcore only. */
    private final long[] counters = new long[2 * EthDev.MAX_PORTS];

    /**
     * @param queue    the TX queue this lcore owns on every port.
     * @param ports    the ports it may send to.
     * @param capacity packets buffered per port before a burst goes out early.
     */
    public LcoreTransmitter(final int queue, final int[] ports, final int capacity)
    {
        this.queue = queue;
        this.ports = ports.clone();
        this.capacity = capacity;
        this.buffers = new MbufArray[EthDev.MAX_PORTS];
        this.counts = new int[EthDev.MAX_PORTS];
        for (final int port : ports)
        {
            buffers[port] = new MbufArray(capacity);
        }
    }

    /** Queues {@code mbuf} for {@code port}, which must be one of this transmitter's ports. */
    public void send(final int port, final long mbuf)
    {
        int count = counts[port];
        if (count == capacity)
        {
            flush(port);
            count = 0;
        }
        buffers[port].set(count, mbuf);
        counts[port] = count + 1;
    }

    /** Sends every port's buffered packets. */
    public void flush()
    {
        for (final int port : ports)
        {
            if (0 != counts[port])
            {
                flush(port);
            }
        }
    }

    private void flush(final int port)
    {
        final int count = counts[port];
        final MbufArray buffer = buffers[port];
        final int sent = EthDev.txBurst(port, queue, buffer, 0, count);
        if (sent < count)
        {
            Mbuf.freeBulk(buffer, sent, count - sent);
            COUNTER.setOpaque(counters, 2 * port + 1, counters[2 * port + 1] + count - sent);
        }
        COUNTER.setOpaque(counters, 2 * port, counters[2 * port] + sent);
        counts[port] = 0;
    }

    public int queue()
    {
        return queue;
    }

    /** Packets sent on {@code port} so far (any thread). */
    public long sent(final int port)
    {
        return (long)COUNTER.getOpaque(counters, 2 * port);
    }

    /** Packets {@code port}'s TX ring refused, freed (any thread). */
    public long dropped(final int port)
    {
        return (long)COUNTER.getOpaque(counters, 2 * port + 1);
    }
}
