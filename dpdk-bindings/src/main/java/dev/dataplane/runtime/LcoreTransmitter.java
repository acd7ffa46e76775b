package dev.dataplane.runtime;

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
    /** A destination that is no port: {@link #dispatch} frees the packet. */
    public static final int DROP = -1;
    /** A destination that is no port: something else took the packet (another lcore); {@link #dispatch} leaves it. */
    public static final int TAKEN = -2;

    private final int queue;
    private final int[] ports;
    private final MbufArray[] buffers;
    private final int[] counts;
    private final int capacity;
    /** Per port id, for its ports: what it sent there, by {@link TxCounter}. */
    private final Counters[] counters = new Counters[EthDev.MAX_PORTS];

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
            counters[port] = Counters.of(TxCounter.class);
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

    /**
     * Hands each of a burst's packets to the port its destination names, or frees it ({@link #DROP}; in bulk, through
     * {@code drops}), or leaves it ({@link #TAKEN}). A burst that goes all one way, the common case, is sent or freed
     * whole.
     *
     * @return how many were freed.
     */
    public int dispatch(final MbufArray pkts, final int count, final int[] destinations, final MbufArray drops)
    {
        final int first = destinations[0];
        int same = 1;
        while (same < count && destinations[same] == first)
        {
            same++;
        }
        if (same == count)
        {
            if (DROP == first)
            {
                Mbuf.freeBulk(pkts, 0, count);
                return count;
            }
            if (TAKEN == first)
            {
                return 0;
            }
            sendAll(first, pkts, count);
            return 0;
        }
        final long elements = MbufArray.checkedElements(pkts, count);
        int dropCount = 0;
        for (int i = 0; i < count; i++)
        {
            final int destination = destinations[i];
            if (DROP == destination)
            {
                drops.set(dropCount++, MbufArray.element(elements, i));
            }
            else if (TAKEN != destination)
            {
                send(destination, MbufArray.element(elements, i));
            }
        }
        if (0 != dropCount)
        {
            Mbuf.freeBulk(drops, 0, dropCount);
        }
        return dropCount;
    }

    /**
     * Sends the first {@code count} packets of {@code pkts}, all for {@code port}: straight from {@code pkts} when
     * nothing is buffered for that port (the common burst, all one way: no copy into the buffer), else queued
     * behind what is, in order.
     */
    public void sendAll(final int port, final MbufArray pkts, final int count)
    {
        if (0 != counts[port])
        {
            final long elements = MbufArray.checkedElements(pkts, count);
            for (int i = 0; i < count; i++)
            {
                send(port, MbufArray.element(elements, i));
            }
            return;
        }
        transmit(port, pkts, count);
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
        transmit(port, buffers[port], counts[port]);
        counts[port] = 0;
    }

    /** One tx burst of the first {@code count} of {@code pkts}; what the ring refuses is freed and counted. */
    private void transmit(final int port, final MbufArray pkts, final int count)
    {
        final int sent = TxBurst.sendOrFree(port, queue, pkts, 0, count);
        final Counters portCounters = counters[port];
        if (sent < count)
        {
            portCounters.add(TxCounter.TX_DROPPED, count - sent);
        }
        portCounters.add(TxCounter.TX_PACKETS, sent);
    }

    public int queue()
    {
        return queue;
    }

    /** Packets sent on {@code port} so far (any thread). */
    public long sent(final int port)
    {
        return null == counters[port] ? 0 : counters[port].get(TxCounter.TX_PACKETS);
    }

    /** Packets {@code port}'s TX ring refused, freed (any thread). */
    public long dropped(final int port)
    {
        return null == counters[port] ? 0 : counters[port].get(TxCounter.TX_DROPPED);
    }
}
