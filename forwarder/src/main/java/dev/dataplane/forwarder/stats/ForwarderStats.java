package dev.dataplane.forwarder.stats;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthStats;
import dev.dataplane.forwarder.Forwarder;
import dev.dataplane.forwarder.pipeline.PipelineRx;
import dev.dataplane.forwarder.pipeline.PipelineRxCounter;
import dev.dataplane.forwarder.rtc.ForwardingStream;
import dev.dataplane.forwarder.rtc.StreamCounter;
import dev.dataplane.forwarder.conntrack.ConnCounter;
import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.RulesState;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.runtime.Counters;
import dev.dataplane.runtime.LcoreTransmitter;

/** Reads the streams' counters and the ports' device counters into per-port totals, on the stats thread. */
public final class ForwarderStats
{
    private final Forwarder forwarder;
    private final int[] ports;
    private final EthStats ethStats = new EthStats();
    private final MemorySegment statsBuffer = EthDev.allocateStatsBuffer(Arena.ofAuto());

    public ForwarderStats(final Forwarder forwarder)
    {
        this.forwarder = forwarder;
        this.ports = forwarder.ports();
    }

    /** A snapshot, one entry per forwarded port in pair order. Ports must still be open. */
    public PortTotals[] snapshot()
    {
        final PortTotals[] totals = new PortTotals[ports.length];
        final boolean pipeline = !forwarder.pipelineRx().isEmpty();
        for (int i = 0; i < ports.length; i++)
        {
            final int id = ports[i];
            final PortTotals port = new PortTotals(id);
            for (final ForwardingStream stream : forwarder.streams())
            {
                final Counters counters = stream.counters();
                if (stream.rxPort() == id)
                {
                    port.add(PortCounter.RX_PACKETS, counters.get(StreamCounter.RX_PACKETS));
                    port.add(PortCounter.MALFORMED, counters.get(StreamCounter.MALFORMED));
                }
                if (stream.txPort() == id)
                {
                    port.add(PortCounter.TX_PACKETS, counters.get(StreamCounter.TX_PACKETS));
                    port.add(PortCounter.TX_DROPPED, counters.get(StreamCounter.TX_DROPPED));
                }
            }
            for (final RulesProcessor processor : forwarder.processors())
            {
                if (processor.rxPort() == id)
                {
                    // In a pipeline the RX lcore counts what it received; the rules stage sees only what it passed.
                    port.add(PortCounter.RX_PACKETS, pipeline ? 0 : processor.outcome(RulesProcessor.RECEIVED));
                    port.add(PortCounter.MALFORMED, processor.outcome(RulesProcessor.MALFORMED_DROPPED));
                    port.add(PortCounter.FILTERED, processor.outcome(RulesProcessor.RULE_DROPPED) +
                        processor.outcome(RulesProcessor.DEFAULT_DROPPED) +
                        processor.outcome(RulesProcessor.TTL_EXPIRED));
                }
            }
            for (final PipelineRx rx : forwarder.pipelineRx())
            {
                if (rx.rxPort() == id)
                {
                    port.add(PortCounter.RX_PACKETS, rx.counters().get(PipelineRxCounter.RECEIVED));
                    port.add(PortCounter.RING_FULL, rx.counters().get(PipelineRxCounter.RING_FULL));
                }
            }
            for (final LcoreTransmitter transmitter : forwarder.transmitters())
            {
                port.add(PortCounter.TX_PACKETS, transmitter.sent(id));
                port.add(PortCounter.TX_DROPPED, transmitter.dropped(id));
            }
            EthDev.stats(id, ethStats, statsBuffer);
            port.add(PortCounter.RX_BYTES, ethStats.rxBytes);
            port.add(PortCounter.TX_BYTES, ethStats.txBytes);
            port.add(PortCounter.DEVICE_RX_PACKETS, ethStats.rxPackets);
            port.add(PortCounter.DEVICE_TX_PACKETS, ethStats.txPackets);
            port.add(PortCounter.RX_NOMBUF, ethStats.rxNoMbuf);
            port.add(PortCounter.RX_MISSED, ethStats.rxMissed);
            port.add(PortCounter.RX_ERRORS, ethStats.rxErrors);
            port.add(PortCounter.TX_ERRORS, ethStats.txErrors);
            totals[i] = port;
        }
        return totals;
    }

    /**
     * Per-rule packets and bytes and the outcome counters ({@link RulesProcessor#OUTCOMES}), summed over streams, and
     * the connection trackers' counters ({@link ConnCounter}) summed over lcores, and the connections each lcore's
     * tracker created and holds (its {@code ct_in_use} gauge); all null when none tracks connections.
     */
    public record RulesSnapshot(RuleSet ruleSet, long[] perRule, long[] outcomes, long[] connections,
        long[] createdByLcore, long[] inUseByLcore)
    {
        public long packets(final int rule)
        {
            return perRule[2 * rule];
        }

        public long bytes(final int rule)
        {
            return perRule[2 * rule + 1];
        }
    }

    /** The rules' counters, or null when no rules are applied. */
    public RulesSnapshot rulesSnapshot()
    {
        final RulesState state = forwarder.rulesState();
        if (null == state)
        {
            return null;
        }
        final RuleSet ruleSet = state.rules().ruleSet();
        final long[] perRule = new long[2 * ruleSet.size()];
        final long[] outcomes = new long[RulesProcessor.OUTCOME_COUNT];
        for (final RulesProcessor processor : forwarder.processors())
        {
            for (int r = 0; r < ruleSet.size(); r++)
            {
                perRule[2 * r] += processor.rulePackets(state, r);
                perRule[2 * r + 1] += processor.ruleBytes(state, r);
            }
            for (int o = 0; o < outcomes.length; o++)
            {
                outcomes[o] += processor.outcome(o);
            }
        }
        long[] connections = null;
        final List<ConnTracker> trackers = forwarder.trackers();
        final long[] createdByLcore = trackers.isEmpty() ? null : new long[trackers.size()];
        final long[] inUseByLcore = trackers.isEmpty() ? null : new long[trackers.size()];
        for (int t = 0; t < trackers.size(); t++)
        {
            final long[] counts = trackers.get(t).counters().snapshot();
            connections = null == connections ? new long[counts.length] : connections;
            for (int c = 0; c < counts.length; c++)
            {
                connections[c] += counts[c];
            }
            createdByLcore[t] = counts[ConnCounter.CREATED.ordinal()];
            inUseByLcore[t] = counts[ConnCounter.IN_USE.ordinal()];
        }
        return new RulesSnapshot(ruleSet, perRule, outcomes, connections, createdByLcore, inUseByLcore);
    }

    /** The sum over ports, as port -1. */
    public static PortTotals sum(final PortTotals[] ports)
    {
        final PortTotals all = new PortTotals(-1);
        for (final PortTotals port : ports)
        {
            all.add(port);
        }
        return all;
    }
}
