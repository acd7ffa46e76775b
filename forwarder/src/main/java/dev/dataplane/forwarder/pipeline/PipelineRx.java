package dev.dataplane.forwarder.pipeline;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.runtime.RxStream;

/**
 * The RX side of the pipeline: busy-polls one RX queue straight into the next slot of its ring, a burst per slot
 * ({@link BurstEvent}), notes each frame's address and length there (the mbuf headers it just read stay on this
 * core), and publishes each burst with one claim and one publish. When the ring has no free slot, what
 * arrives is freed and counted ({@link #ringFull}): the RX lcore never waits for the stages, so a slow stage costs
 * packets, not latency, as a full NIC ring would.
 */
public final class PipelineRx extends RxStream
{
    private static final VarHandle RING_FULL;
    private static final VarHandle RECEIVED;

    static
    {
        try
        {
            RING_FULL = MethodHandles.lookup().findVarHandle(PipelineRx.class, "ringFull", long.class);
            RECEIVED = MethodHandles.lookup().findVarHandle(PipelineRx.class, "received", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final RingBuffer<BurstEvent> ring;
    /** A slot claimed but not yet filled (an empty poll keeps it for the next), or -1. */
    private long claimed = -1;
    @SuppressWarnings("unused") // through RING_FULL
    private long ringFull;
    @SuppressWarnings("unused") // through RECEIVED
    private long received;

    public PipelineRx(final int rxPort, final int rxQueue, final int burst, final RingBuffer<BurstEvent> ring)
    {
        super(rxPort, rxQueue, burst);
        this.ring = ring;
    }

    @Override
    public int poll()
    {
        final RingBuffer<BurstEvent> ring = this.ring;
        // Into the next slot; when the stages are behind and none is free, into our own array, to be dropped, as a
        // full NIC ring would.
        final MbufArray into = claimed >= 0 || claim() ? ring.get(claimed).mbufs : pkts;
        final int received = receive(into);
        if (0 == received)
        {
            return 0;
        }
        RECEIVED.setOpaque(this, (long)RECEIVED.getOpaque(this) + received);
        if (into == pkts)
        {
            Mbuf.freeBulk(pkts, 0, received);
            RING_FULL.setOpaque(this, (long)RING_FULL.getOpaque(this) + received);
        }
        else
        {
            final BurstEvent event = ring.get(claimed);
            into.frames(received, event.frames, event.lengths);
            event.count = received;
            ring.publish(claimed);
            claimed = -1;
        }
        return received;
    }

    /**
     * Claims the next slot, if one is free. The capacity check comes first so that a full ring, the common case under
     * overload, costs a read of the stages' sequence and no exception.
     */
    private boolean claim()
    {
        if (!ring.hasAvailableCapacity(1))
        {
            return false;
        }
        try
        {
            claimed = ring.tryNext();
            return true;
        }
        catch (final InsufficientCapacityException ex)
        {
            // One producer, and a slot was free: only a stage running ahead of the RX side would get here.
            throw new IllegalStateException("ring " + this + " had capacity and refused a claim", ex);
        }
    }

    /** Packets received from the RX queue (any thread). */
    public long received()
    {
        return (long)RECEIVED.getOpaque(this);
    }

    /** Packets received but freed because the ring was full (any thread). */
    public long ringFull()
    {
        return (long)RING_FULL.getOpaque(this);
    }

    @Override
    public String toString()
    {
        return "port " + rxPort + " queue " + rxQueue + " -> ring";
    }
}
