package dev.dataplane.forwarder.rtc;

import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.forwarder.engine.ForwardingEngine;
import dev.dataplane.runtime.Counters;
import dev.dataplane.runtime.RxStream;
import dev.dataplane.runtime.TxBurst;

/**
 * One direction of forwarding, testpmd's fwd_stream: RX queue of one port to TX queue of another, with the
 * engine that processes each burst and the counters. The shared receive/transmit helper: {@link #poll()}
 * receives a burst, runs the engine, transmits, and frees (and counts) what TX did not take.
 */
public final class ForwardingStream extends RxStream
{
    private final int txPort;
    private final int txQueue;
    private final ForwardingEngine engine;
    private final Counters counters = Counters.of(StreamCounter.class);

    public ForwardingStream(final int rxPort, final int rxQueue, final int txPort, final int txQueue, final int burst,
        final ForwardingEngine engine)
    {
        super(rxPort, rxQueue, burst);
        this.txPort = txPort;
        this.txQueue = txQueue;
        this.engine = engine;
    }

    /**
     * One receive, process, transmit cycle.
     *
     * @return the number of packets received.
     */
    @Override
    public int poll()
    {
        final MbufArray pkts = this.pkts;
        final int received = receive();
        if (0 == received)
        {
            return 0;
        }
        // No per-packet work here: io mode never touches an mbuf (byte counts come from the port's counters).
        final int toSend = engine.process(pkts, received);
        final int sent = TxBurst.sendOrFree(txPort, txQueue, pkts, 0, toSend);
        counters.add(StreamCounter.RX_PACKETS, received);
        counters.add(StreamCounter.TX_PACKETS, sent);
        if (sent != received)
        {
            counters.add(StreamCounter.TX_DROPPED, toSend - sent);
            counters.add(StreamCounter.MALFORMED, received - toSend);
        }
        return received;
    }

    public int txPort()
    {
        return txPort;
    }

    public int txQueue()
    {
        return txQueue;
    }

    /** By {@link StreamCounter}. */
    public Counters counters()
    {
        return counters;
    }

    @Override
    public String toString()
    {
        return "port " + rxPort + " queue " + rxQueue + " -> port " + txPort + " queue " + txQueue;
    }
}
