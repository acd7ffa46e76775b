package dev.dataplane.forwarder;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;

/**
 * The TX stage of one pipeline ring: gated on the rules stage ({@link PipelineRules}), it hands each kept packet to
 * its lcore's {@link LcoreTransmitter}, frees the dropped in bulk, and flushes TX at the end of every batch. It runs
 * on the lcore that receives into the ring or on the stage lcore ({@link PipelineTxLcore}). The RX side is gated on
 * this stage, so a slot is reused only once its packets have left or been freed.
 */
public final class PipelineTx implements Poller
{
    /** Bursts taken per poll, so that one busy ring does not starve the lcore's other work. */
    private static final int BURSTS_PER_POLL = 4;

    private final RingBuffer<BurstEvent> ring;
    private final int rxPort;
    private final LcoreTransmitter transmitter;
    private final EventPoller<BurstEvent> txPoller;
    private final Sequence rulesSequence;
    private final MbufArray drops;
    private int bursts;
    private int handled;

    private final EventPoller.Handler<BurstEvent> txStage = this::txStage;

    /**
     * @param ring          the ring one {@link PipelineRx} publishes into.
     * @param rxPort        the port that ring receives from (for messages).
     * @param rulesSequence the rules stage's progress on that ring, which this stage follows.
     * @param transmitter   the TX side of the lcore this stage runs on.
     * @param burst         the ring's burst size: packets freed at once.
     */
    PipelineTx(final RingBuffer<BurstEvent> ring, final int rxPort, final Sequence rulesSequence,
        final LcoreTransmitter transmitter, final int burst)
    {
        this.ring = ring;
        this.rxPort = rxPort;
        this.transmitter = transmitter;
        this.rulesSequence = rulesSequence;
        this.txPoller = ring.newPoller(rulesSequence);
        ring.addGatingSequences(txPoller.getSequence());
        this.drops = new MbufArray(burst);
    }

    /**
     * Sends what the rules stage finished.
     *
     * @return the packets handed on or freed.
     */
    @Override
    public int poll()
    {
        handled = 0;
        bursts = 0;
        try
        {
            txPoller.poll(txStage);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("pipeline TX stage failed on " + rxPort, ex);
        }
        return handled;
    }

    private boolean txStage(final BurstEvent event, final long sequence, final boolean endOfBatch)
    {
        transmitter.dispatch(event.mbufs, event.count, event.destinations, drops);
        handled += event.count;
        final boolean more = ++bursts < BURSTS_PER_POLL;
        if (endOfBatch || !more)
        {
            transmitter.flush();
        }
        return more;
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
        final Sequence consumed = txPoller.getSequence();
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
