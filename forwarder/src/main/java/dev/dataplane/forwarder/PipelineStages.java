package dev.dataplane.forwarder;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.lang.foreign.ValueLayout;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;

/**
 * The stages that consume one pipeline ring, in Disruptor order: the rules stage (parse, classify or flow-cache
 * hit, filter, rewrite: the {@link RulesProcessor}, a burst at a time) and, gated on it, the TX stage (hands each
 * kept packet to the lcore's {@link LcoreTransmitter}, frees the dropped in bulk, and flushes TX at the end of every
 * batch). The RX side is gated on the TX stage, so a slot is reused only once its packets have left or been freed.
 */
public final class PipelineStages implements Poller
{
    /** Bursts each stage takes per poll, so that one busy ring does not starve the others on the lcore. */
    private static final int BURSTS_PER_POLL = 4;

    private final RingBuffer<BurstEvent> ring;
    private final RulesProcessor processor;
    private final LcoreTransmitter transmitter;
    private final EventPoller<BurstEvent> rulesPoller;
    private final EventPoller<BurstEvent> txPoller;
    private final MbufArray drops;
    private int bursts;
    private int handled;
    /** Keeps the loads of {@link #touch} from being optimised away. */
    private long touched;

    private final EventPoller.Handler<BurstEvent> rulesStage = this::rulesStage;
    private final EventPoller.Handler<BurstEvent> txStage = this::txStage;

    /**
     * @param ring        the ring one {@link PipelineRx} publishes into.
     * @param processor   the rules for that ring's RX queue.
     * @param transmitter the TX side of the lcore these stages run on.
     * @param burst       the ring's burst size: packets freed at once.
     */
    PipelineStages(final RingBuffer<BurstEvent> ring, final RulesProcessor processor,
        final LcoreTransmitter transmitter, final int burst)
    {
        this.ring = ring;
        this.processor = processor;
        this.transmitter = transmitter;
        this.rulesPoller = ring.newPoller();
        this.txPoller = ring.newPoller(rulesPoller.getSequence());
        ring.addGatingSequences(txPoller.getSequence());
        this.drops = new MbufArray(burst);
    }

    /**
     * Runs each stage over what is available to it.
     *
     * @return the packets the rules stage handled.
     */
    @Override
    public int poll()
    {
        handled = 0;
        try
        {
            bursts = 0;
            rulesPoller.poll(rulesStage);
            bursts = 0;
            txPoller.poll(txStage);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("pipeline stage failed on " + processor.rxPort(), ex);
        }
        return handled;
    }

    private boolean rulesStage(final BurstEvent event, final long sequence, final boolean endOfBatch)
    {
        final int count = event.count;
        touch(event.mbufs, count);
        processor.beginBurst();
        processor.process(event.mbufs, count, event.destinations);
        processor.endBurst();
        handled += count;
        return ++bursts < BURSTS_PER_POLL;
    }

    /**
     * Loads each packet's mbuf header and first byte, one independent load after the other, before any is processed:
     * the RX lcore's core wrote them, and this way their cache misses overlap instead of each stalling the rules in
     * turn (the Java stand-in for DPDK's rte_prefetch0 of a burst).
     */
    private void touch(final MbufArray mbufs, final int count)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += ALL.get(ValueLayout.JAVA_BYTE, Mbuf.dataAddress(mbufs.get(i)));
        }
        touched += sum;
    }

    private boolean txStage(final BurstEvent event, final long sequence, final boolean endOfBatch)
    {
        transmitter.dispatch(event.mbufs, event.count, event.destinations, drops);
        final boolean more = ++bursts < BURSTS_PER_POLL;
        if (endOfBatch || !more)
        {
            transmitter.flush();
        }
        return more;
    }

    /**
     * Frees the packets still in the ring, published but not yet through the TX stage, once every lcore stopped
     * (all of them: the ring is bounded).
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
        rulesPoller.getSequence().set(published);
        return count;
    }

    public RulesProcessor processor()
    {
        return processor;
    }

    @Override
    public String toString()
    {
        return "ring of port " + processor.rxPort() + " -> rules stage -> tx stage";
    }
}
