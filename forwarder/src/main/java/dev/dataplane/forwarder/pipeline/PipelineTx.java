package dev.dataplane.forwarder.pipeline;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.runtime.LcoreTransmitter;

/**
 * The TX stage of one pipeline ring: gated on the rules stage ({@link PipelineRules}), it hands each kept packet to
 * its lcore's {@link LcoreTransmitter}, frees the dropped in bulk, and flushes TX at the end of every batch. It runs
 * on the lcore that receives into the ring or on the stage lcore ({@link PipelineTxLcore}). The RX side is gated on
 * this stage, so a slot is reused only once its packets have left or been freed.
 */
public final class PipelineTx extends RingStage
{
    private final RingBuffer<BurstEvent> ring;
    private final int rxPort;
    private final LcoreTransmitter transmitter;
    private final Sequence rulesSequence;
    private final MbufArray drops;

    /**
     * @param ring          the ring one {@link PipelineRx} publishes into.
     * @param rxPort        the port that ring receives from (for messages).
     * @param rulesSequence the rules stage's progress on that ring, which this stage follows.
     * @param transmitter   the TX side of the lcore this stage runs on.
     * @param burst         the ring's burst size: packets freed at once.
     */
    public PipelineTx(final RingBuffer<BurstEvent> ring, final int rxPort, final Sequence rulesSequence,
        final LcoreTransmitter transmitter, final int burst)
    {
        super(ring.newPoller(rulesSequence));
        this.ring = ring;
        this.rxPort = rxPort;
        this.transmitter = transmitter;
        this.rulesSequence = rulesSequence;
        ring.addGatingSequences(poller().getSequence());
        this.drops = new MbufArray(burst);
    }

    /** Sends a burst the rules stage finished; flushes TX after the last of the poll. */
    @Override
    void handle(final BurstEvent event, final boolean lastOfPoll)
    {
        transmitter.dispatch(event.mbufs, event.count, event.destinations, drops);
        if (lastOfPoll)
        {
            transmitter.flush();
        }
    }

    /**
     * Frees the packets still in the ring, published but not yet through this stage, once every lcore stopped (all
     * of them: the ring is bounded).
     *
     * @return how many.
     */
    @Override
    public int drain(final int maxBursts)
    {
        final Sequence consumed = poller().getSequence();
        final long published = ring.getCursor();
        int count = 0;
        for (long sequence = consumed.get() + 1; sequence <= published; sequence++)
        {
            final BurstEvent event = ring.get(sequence);
            Mbuf.freeBulk(event.mbufs, 0, event.count);
            count += event.count;
        }
        consumed.set(published);
        rulesSequence.set(published);
        return count;
    }

    @Override
    public String toString()
    {
        return "tx stage of the ring of port " + rxPort;
    }
}
