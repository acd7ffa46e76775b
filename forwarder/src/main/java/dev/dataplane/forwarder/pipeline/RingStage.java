package dev.dataplane.forwarder.pipeline;

import com.lmax.disruptor.EventPoller;
import dev.dataplane.runtime.Poller;

/**
 * A consumer of one pipeline ring ({@link PipelineRules}, {@link PipelineTx}): each poll takes the bursts ready for
 * it, at most {@value #BURSTS_PER_POLL}, so that one busy ring does not starve the lcore's other work.
 */
abstract class RingStage implements Poller
{
    /** Bursts taken per poll. */
    static final int BURSTS_PER_POLL = 4;

    private final EventPoller<BurstEvent> poller;
    private final EventPoller.Handler<BurstEvent> handler = this::onBurst;
    private int bursts;
    private int handled;

    RingStage(final EventPoller<BurstEvent> poller)
    {
        this.poller = poller;
    }

    /**
     * Takes what is ready.
     *
     * @return the packets handled.
     */
    @Override
    public final int poll()
    {
        handled = 0;
        bursts = 0;
        try
        {
            poller.poll(handler);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("pipeline " + this + " failed", ex);
        }
        if (0 == handled)
        {
            idle();
        }
        return handled;
    }

    /** A poll that found nothing in the ring: time for a stage's upkeep (nothing by default). */
    void idle()
    {
    }

    /** This stage's progress through its ring. */
    final EventPoller<BurstEvent> poller()
    {
        return poller;
    }

    private boolean onBurst(final BurstEvent event, final long sequence, final boolean endOfBatch)
    {
        final boolean more = ++bursts < BURSTS_PER_POLL;
        handle(event, endOfBatch || !more);
        handled += event.count;
        return more;
    }

    /**
     * One burst.
     *
     * @param lastOfPoll whether it is the last this poll takes (nothing more ready, or the poll's limit).
     */
    abstract void handle(BurstEvent event, boolean lastOfPoll);
}
