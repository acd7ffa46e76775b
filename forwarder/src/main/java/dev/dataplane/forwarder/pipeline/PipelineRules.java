package dev.dataplane.forwarder.pipeline;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.lang.foreign.ValueLayout;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import dev.dataplane.forwarder.rules.RulesProcessor;

/**
 * The rules stage of one pipeline ring, on a stage lcore: parse, classify or flow-cache hit, filter, rewrite (the
 * {@link RulesProcessor}, a burst at a time), from the frame addresses and lengths the RX lcore noted in each slot,
 * so that it reads no mbuf header. The ring's {@link PipelineTx} follows it and sends, on the RX or the stage lcore
 * ({@link PipelineTxLcore}).
 */
public final class PipelineRules extends RingStage
{
    private final RulesProcessor processor;
    /** Keeps the loads of {@link #touch} from being optimised away. */
    private long touched;

    /**
     * @param ring      the ring one {@link PipelineRx} publishes into.
     * @param processor the rules for that ring's RX queue.
     */
    public PipelineRules(final RingBuffer<BurstEvent> ring, final RulesProcessor processor)
    {
        super(ring.newPoller());
        this.processor = processor;
    }

    /** How far this stage is through the ring, for the TX stage to follow. */
    public Sequence sequence()
    {
        return poller().getSequence();
    }

    @Override
    void handle(final BurstEvent event, final boolean lastOfPoll)
    {
        final int count = event.count;
        touch(event.frames, count);
        processor.beginBurst();
        processor.process(event.mbufs, event.frames, event.lengths, count, event.destinations);
        processor.endBurst();
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

    @Override
    void idle()
    {
        processor.idle();
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
