package dev.dataplane.forwarder;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.lang.foreign.ValueLayout;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;

/**
 * The rules stage of one pipeline ring, on a stage lcore: parse, classify or flow-cache hit, filter, rewrite (the
 * {@link RulesProcessor}, a burst at a time), from the frame addresses and lengths the RX lcore noted in each slot,
 * so that it reads no mbuf header. The ring's {@link PipelineTx} follows it and sends, on the RX or the stage lcore
 * ({@link PipelineTxLcore}).
 */
public final class PipelineRules implements Poller
{
    /** Bursts taken per poll, so that one busy ring does not starve the others on the lcore. */
    private static final int BURSTS_PER_POLL = 4;

    private final RulesProcessor processor;
    private final EventPoller<BurstEvent> rulesPoller;
    private int bursts;
    private int handled;
    /** Keeps the loads of {@link #touch} from being optimised away. */
    private long touched;

    private final EventPoller.Handler<BurstEvent> rulesStage = this::rulesStage;

    /**
     * @param ring      the ring one {@link PipelineRx} publishes into.
     * @param processor the rules for that ring's RX queue.
     */
    PipelineRules(final RingBuffer<BurstEvent> ring, final RulesProcessor processor)
    {
        this.processor = processor;
        this.rulesPoller = ring.newPoller();
    }

    /** How far this stage is through the ring, for the TX stage to follow. */
    Sequence sequence()
    {
        return rulesPoller.getSequence();
    }

    /**
     * Runs the rules over what is available.
     *
     * @return the packets handled.
     */
    @Override
    public int poll()
    {
        handled = 0;
        bursts = 0;
        try
        {
            rulesPoller.poll(rulesStage);
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
        touch(event.frames, count);
        processor.beginBurst();
        processor.process(event.mbufs, event.frames, event.lengths, count, event.destinations);
        processor.endBurst();
        handled += count;
        return ++bursts < BURSTS_PER_POLL;
    }

    /**
     * Loads each packet's first byte, one independent load after the other, before any is processed: the RX lcore's
     * core wrote them, and this way their cache misses overlap instead of each stalling the rules in turn (the Java
     * stand-in for DPDK's rte_prefetch0 of a burst).
     */
    private void touch(final long[] frames, final int count)
    {
        long sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += ALL.get(ValueLayout.JAVA_BYTE, frames[i]);
        }
        touched += sum;
    }

    /** Nothing of its own: the ring's {@link PipelineTx} frees what is left in it at stop. */
    @Override
    public int drain(final int maxBursts)
    {
        return 0;
    }

    public RulesProcessor processor()
    {
        return processor;
    }

    @Override
    public String toString()
    {
        return "rules stage of the ring of port " + processor.rxPort();
    }
}
