package dev.dataplane.forwarder.rtc;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.forwarder.conntrack.Handoff;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.runtime.LcoreTransmitter;
import dev.dataplane.runtime.Poller;

/**
 * The packets other lcores hand to this one ({@link Handoff}): those of connections it holds or is to create, run to
 * completion here as its rule streams run theirs. A burst from each other lcore's ring in turn, split by hop and by
 * the port each packet arrived on (its mbuf's), each part through this lcore's processor for that port (as if this
 * lcore's RX queue of that port had received it), then to the lcore's transmitter.
 */
public final class HandoffStream implements Poller
{
    private final Handoff handoff;
    private final int self;
    private final int burst;
    /** Per port id, this lcore's processor for the packets that arrived on it; null where it has none. */
    private final RulesProcessor[] processors = new RulesProcessor[EthDev.MAX_PORTS];
    private final LcoreTransmitter transmitter;
    private final long[] words;
    private final MbufArray pkts;
    private final MbufArray drops;
    private final int[] destinations;
    /** Packets handed here for a port this lcore has no processor of: freed (none, when built by the forwarder). */
    private long strays;

    /**
     * @param self       this lcore's index in {@code handoff}.
     * @param processors this lcore's processors; one per port is used.
     */
    public HandoffStream(final Handoff handoff, final int self, final int burst,
        final Iterable<RulesProcessor> processors, final LcoreTransmitter transmitter)
    {
        this.handoff = handoff;
        this.self = self;
        this.burst = burst;
        this.transmitter = transmitter;
        for (final RulesProcessor processor : processors)
        {
            if (null == this.processors[processor.rxPort()])
            {
                this.processors[processor.rxPort()] = processor;
            }
        }
        this.words = new long[burst];
        this.pkts = new MbufArray(burst);
        this.drops = new MbufArray(burst);
        this.destinations = new int[burst];
    }

    @Override
    public int poll()
    {
        int handled = 0;
        for (int from = 0; from < handoff.lcores(); from++)
        {
            if (from != self)
            {
                final int taken = handoff.poll(self, from, words, burst);
                if (0 != taken)
                {
                    run(taken, ConnTracker.AS_REPLY);
                    run(taken, ConnTracker.LAST_HOP);
                    handled += taken;
                }
            }
        }
        if (0 != handled)
        {
            transmitter.flush();
        }
        return handled;
    }

    /** Runs the first {@code count} words of {@link #words} that arrived as {@code hop}, a port's at a time. */
    private void run(final int count, final int hop)
    {
        final long[] words = this.words;
        while (true)
        {
            int port = -1;
            int gathered = 0;
            for (int i = 0; i < count; i++)
            {
                final long word = words[i];
                if (0 == word || (word & Handoff.HOP) != hop)
                {
                    continue;
                }
                final long mbuf = word & ~Handoff.HOP;
                final int arrivedOn = Mbuf.port(mbuf);
                if (-1 == port)
                {
                    port = arrivedOn;
                }
                if (arrivedOn == port)
                {
                    pkts.set(gathered++, mbuf);
                    words[i] = 0;
                }
            }
            if (0 == gathered)
            {
                return;
            }
            final RulesProcessor processor = processors[port];
            if (null == processor)
            {
                strays += gathered;
                Mbuf.freeBulk(pkts, 0, gathered);
                continue;
            }
            processor.beginBurst();
            processor.processHandedOff(pkts, gathered, destinations, hop);
            transmitter.dispatch(pkts, gathered, destinations, drops);
            RuleStream.sendReleased(processor, transmitter, pkts, destinations, drops);
            processor.endBurst();
        }
    }

    /** Frees what the other lcores handed here and this stream did not take (after the lcores stopped). */
    @Override
    public int drain(final int maxBursts)
    {
        int freed = 0;
        for (int from = 0; from < handoff.lcores(); from++)
        {
            int taken;
            while (from != self && 0 != (taken = handoff.poll(self, from, words, burst)))
            {
                for (int i = 0; i < taken; i++)
                {
                    pkts.set(i, words[i] & ~Handoff.HOP);
                }
                Mbuf.freeBulk(pkts, 0, taken);
                freed += taken;
            }
        }
        return freed;
    }

    /** Packets handed here for a port this lcore has no processor of (freed). */
    public long strays()
    {
        return strays;
    }

    @Override
    public String toString()
    {
        return "handed from other lcores -> rules";
    }
}
