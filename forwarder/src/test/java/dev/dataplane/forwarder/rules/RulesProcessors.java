package dev.dataplane.forwarder.rules;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.forwarder.rules.flow.FlowCache;

/** Rules processors outside any forwarder, for tests and benchmarks that run the per-packet path by hand. */
public final class RulesProcessors
{
    private RulesProcessors()
    {
    }

    /** A processor alone with one fixed rule generation, default packet checks and no checksum offload. */
    public static RulesProcessor standalone(final CompiledRules rules, final int rxPort, final int pairedPort)
    {
        return standalone(rules, rxPort, pairedPort, null);
    }

    /** {@link #standalone(CompiledRules, int, int)}, stateful with {@code tracker} unless it is null. */
    public static RulesProcessor standalone(final CompiledRules rules, final int rxPort, final int pairedPort,
        final ConnTracker tracker)
    {
        return new RulesProcessor(rxPort, pairedPort, 0, new RulesSource(new RulesState(rules, 1, 1)),
            new long[EthDev.MAX_PORTS], FlowCache.DEFAULT_ENTRIES, 0, PacketChecks.DEFAULT, tracker);
    }
}
