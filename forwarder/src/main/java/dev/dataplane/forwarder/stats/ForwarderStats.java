package dev.dataplane.forwarder.stats;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthStats;
import dev.dataplane.forwarder.Forwarder;
import dev.dataplane.forwarder.pipeline.PipelineRx;
import dev.dataplane.forwarder.rtc.ForwardingStream;
import dev.dataplane.forwarder.rtc.StreamCounter;
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
        for (int i = 0; i < ports.length; i++)
        {
            final PortTotals port = new PortTotals(ports[i]);
            for (final ForwardingStream stream : forwarder.streams())
            {
                final Counters counters = stream.counters();
                if (stream.rxPort() == port.port)
                {
                    port.rxPackets += counters.get(StreamCounter.RX_PACKETS);
                    port.malformed += counters.get(StreamCounter.MALFORMED);
                }
                if (stream.txPort() == port.port)
                {
                    port.txPackets += counters.get(StreamCounter.TX_PACKETS);
                    port.txDropped += counters.get(StreamCounter.TX_DROPPED);
                }
            }
            final boolean pipeline = !forwarder.pipelineRx().isEmpty();
            for (final RulesProcessor processor : forwarder.processors())
            {
                if (processor.rxPort() == port.port)
                {
                    // In a pipeline the RX lcore counts what it received; the rules stage sees only what it passed.
                    port.rxPackets += pipeline ? 0 : processor.outcome(RulesProcessor.RECEIVED);
                    port.malformed += processor.outcome(RulesProcessor.MALFORMED_DROPPED);
                    port.filtered += processor.outcome(RulesProcessor.RULE_DROPPED) +
                        processor.outcome(RulesProcessor.DEFAULT_DROPPED) +
                        processor.outcome(RulesProcessor.TTL_EXPIRED);
                }
            }
            for (final PipelineRx rx : forwarder.pipelineRx())
            {
                if (rx.rxPort() == port.port)
                {
                    port.rxPackets += rx.received();
                    port.ringFull += rx.ringFull();
                }
            }
            for (final LcoreTransmitter transmitter : forwarder.transmitters())
            {
                port.txPackets += transmitter.sent(port.port);
                port.txDropped += transmitter.dropped(port.port);
            }
            EthDev.stats(port.port, ethStats, statsBuffer);
            port.rxBytes = ethStats.rxBytes;
            port.txBytes = ethStats.txBytes;
            port.deviceRxPackets = ethStats.rxPackets;
            port.deviceTxPackets = ethStats.txPackets;
            port.rxNoMbuf = ethStats.rxNoMbuf;
            port.rxMissed = ethStats.rxMissed;
            port.rxErrors = ethStats.rxErrors;
            port.txErrors = ethStats.txErrors;
            totals[i] = port;
        }
        return totals;
    }

    /**
     * Per-rule packets and bytes, the outcome counters and the packets the flow caches did not answer
     * ({@link RulesProcessor#classified}), summed over the rule streams.
     */
    public record RulesSnapshot(RuleSet ruleSet, long[] perRule, long[] outcomes, long classified)
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
        long classified = 0;
        for (final RulesProcessor processor : forwarder.processors())
        {
            classified += processor.classified();
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
        return new RulesSnapshot(ruleSet, perRule, outcomes, classified);
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
