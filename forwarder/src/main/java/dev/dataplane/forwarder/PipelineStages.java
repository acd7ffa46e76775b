package dev.dataplane.forwarder;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;

/**
 * The stages that consume one pipeline ring, in Disruptor order: the rules stage (parse, classify or flow-cache
 * hit, filter, rewrite: the {@link RulesProcessor}) and, gated on it, the TX stage (hands each kept packet to the
 * lcore's {@link LcoreTransmitter}, frees the dropped in bulk, and flushes TX at the end of every batch). The RX side
 * is gated on the TX stage, so a slot is reused only once its packet has left or been freed.
 */
public final class PipelineStages implements Poller
{
    private final RingBuffer<PacketEvent> ring;
    private final RulesProcessor processor;
    private final LcoreTransmitter transmitter;
    private final EventPoller<PacketEvent> rulesPoller;
    private final EventPoller<PacketEvent> txPoller;
    private final MbufArray drops;
    private int dropCount;
    private final int batch;
    /** The rules stage's batch: its events, their packets, and where the processor sends them. */
    private final PacketEvent[] events;
    private final MbufArray batchMbufs;
    private final int[] destinations;
    private int batched;

    private final EventPoller.Handler<PacketEvent> rulesStage = this::rulesStage;
    private final EventPoller.Handler<PacketEvent> txStage = this::txStage;

    /**
     * @param ring        the ring one {@link PipelineRx} publishes into.
     * @param processor   the rules for that ring's RX queue.
     * @param transmitter the TX side of the lcore these stages run on.
     * @param burst       packets freed at once.
     */
    PipelineStages(final RingBuffer<PacketEvent> ring, final RulesProcessor processor,
        final LcoreTransmitter transmitter, final int burst)
    {
        this.ring = ring;
        this.processor = processor;
        this.transmitter = transmitter;
        this.rulesPoller = ring.newPoller();
        this.txPoller = ring.newPoller(rulesPoller.getSequence());
        ring.addGatingSequences(txPoller.getSequence());
        this.drops = new MbufArray(burst);
        this.batch = burst;
        this.events = new PacketEvent[burst];
        this.batchMbufs = new MbufArray(burst);
        this.destinations = new int[burst];
    }

    /**
     * Runs each stage over what is available to it.
     *
     * @return the packets the rules stage handled.
     */
    @Override
    public int poll()
    {
        final int handled;
        try
        {
            batched = 0;
            rulesPoller.poll(rulesStage);
            handled = batched;
            if (handled > 0)
            {
                processor.beginBurst();
                processor.process(batchMbufs, handled, destinations);
                processor.endBurst();
                for (int i = 0; i < handled; i++)
                {
                    events[i].destination = destinations[i];
                }
            }
            txPoller.poll(txStage);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("pipeline stage failed on " + processor.rxPort(), ex);
        }
        return handled;
    }

    /**
     * Gathers up to a batch of events; the processor then takes them as one burst (its first pass over the burst
     * loads every packet's headers before any is processed, so the cache misses on packets the RX lcore's core wrote
     * overlap instead of stalling the stage one after the other). The TX stage sees each event only after this
     * poll's rules stage set its destination.
     */
    private boolean rulesStage(final PacketEvent event, final long sequence, final boolean endOfBatch)
    {
        events[batched] = event;
        batchMbufs.set(batched, event.mbuf);
        return ++batched < batch;
    }

    private boolean txStage(final PacketEvent event, final long sequence, final boolean endOfBatch)
    {
        if (RulesProcessor.DROP == event.destination)
        {
            drops.set(dropCount++, event.mbuf);
            if (dropCount == drops.capacity())
            {
                freeDrops();
            }
        }
        else
        {
            transmitter.send(event.destination, event.mbuf);
        }
        if (endOfBatch)
        {
            freeDrops();
            transmitter.flush();
        }
        return true;
    }

    private void freeDrops()
    {
        if (0 != dropCount)
        {
            Mbuf.freeBulk(drops, 0, dropCount);
            dropCount = 0;
        }
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
            Mbuf.free(ring.get(sequence).mbuf);
            count++;
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
