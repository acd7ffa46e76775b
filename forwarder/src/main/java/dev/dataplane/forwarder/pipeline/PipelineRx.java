package dev.dataplane.forwarder.pipeline;


import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.runtime.Counters;
import dev.dataplane.runtime.RxStream;

/**
 * The RX side of the pipeline: busy-polls one RX queue straight into the next slot of its ring, a burst per slot
 * ({@link BurstEvent}), notes each frame's address and length there (the mbuf headers it just read stay on this
 * core), and publishes each burst with one claim and one publish. When the ring has no free slot, what arrives is
 * freed and counted ({@link PipelineRxCounter#RING_FULL}): the RX lcore never waits for the stages, so a slow stage
 * costs packets, not latency, as a full NIC ring would.
 */
public final class PipelineRx extends RxStream
{
    private final RingBuffer<BurstEvent> ring;
    /** A slot claimed but not yet filled (an empty poll keeps it for the next), or -1. */
    private long claimed = -1;
    private final Counters counters = Counters.of(PipelineRxCounter.class);

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
        counters.add(PipelineRxCounter.RECEIVED, received);
        if (into == pkts)
        {
            Mbuf.freeBulk(pkts, 0, received);
            counters.add(PipelineRxCounter.RING_FULL, received);
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

    /** By {@link PipelineRxCounter}. */
    public Counters counters()
    {
        return counters;
    }

    @Override
    public String toString()
    {
        return "port " + rxPort + " queue " + rxQueue + " -> ring";
    }
}
