package dev.dataplane.forwarder.stats;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;

import dev.dataplane.dpdk.Telemetry;
import dev.dataplane.forwarder.Forwarder;
import dev.dataplane.forwarder.conntrack.ConnCounter;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.lang.Rule;
import dev.dataplane.runtime.PollingLcore;

/**
 * The forwarder's commands on DPDK's telemetry socket, beside EAL's and ethdev's ({@code dpdk-telemetry.py -f
 * PREFIX}): {@code /dataplane/forwarder} (mode, lcores, ports, and each port's packets), {@code /dataplane/lcores}
 * (each lcore's pollers), {@code /dataplane/rules} (the rules' source, generation, size, policy and outcomes),
 * {@code /dataplane/rule,N} (rule N's packets and bytes), {@code /dataplane/conntrack} (the connection counters summed
 * over lcores, and each lcore's connections in use). Answered on the telemetry thread from what the lcores publish;
 * once the forwarder is gone, each answers an error.
 */
public final class ForwarderTelemetry
{
    private ForwarderTelemetry()
    {
    }

    /**
     * Registers the commands (once a process), answering for whatever forwarder {@code current} holds (null: none).
     */
    public static void register(final AtomicReference<Forwarder> current)
    {
        Telemetry.register("/dataplane/forwarder", "The forwarder: mode, lcores, ports and their packets.",
            answer(current, ForwarderTelemetry::forwarder));
        Telemetry.register("/dataplane/lcores", "Each forwarding lcore's pollers.",
            answer(current, ForwarderTelemetry::lcores));
        Telemetry.register("/dataplane/rules", "The rules: source, generation, size, policy, outcomes.",
            answer(current, ForwarderTelemetry::rules));
        Telemetry.register("/dataplane/rule", "One rule's packets and bytes. Parameters: int rule index.",
            answer(current, ForwarderTelemetry::rule));
        Telemetry.register("/dataplane/conntrack", "Connection tracking counters, summed, and each lcore's in use.",
            answer(current, ForwarderTelemetry::conntrack));
    }

    private interface Answer
    {
        void fill(Forwarder forwarder, String params, Telemetry.Reply reply);
    }

    private static BiConsumer<String, Telemetry.Reply> answer(final AtomicReference<Forwarder> current,
        final Answer answer)
    {
        return (params, reply) ->
        {
            final Forwarder forwarder = current.get();
            if (null == forwarder)
            {
                throw new IllegalStateException("no forwarder");
            }
            answer.fill(forwarder, params, reply);
        };
    }

    private static void forwarder(final Forwarder forwarder, final String params, final Telemetry.Reply reply)
    {
        reply.add("mode", forwarder.context().modeName()).add("lcores", forwarder.lcores().size())
            .add("ports", forwarder.ports().length);
        for (final PortTotals port : new ForwarderStats(forwarder).snapshot())
        {
            reply.add("port" + port.port() + "_rx_packets", port.rxPackets())
                .add("port" + port.port() + "_tx_packets", port.txPackets());
        }
    }

    private static void lcores(final Forwarder forwarder, final String params, final Telemetry.Reply reply)
    {
        for (final PollingLcore lcore : forwarder.lcores())
        {
            reply.add("lcore" + lcore.lcore(), Arrays.toString(lcore.pollers()));
        }
    }

    private static void rules(final Forwarder forwarder, final String params, final Telemetry.Reply reply)
    {
        final ForwarderStats.RulesSnapshot rules = new ForwarderStats(forwarder).rulesSnapshot();
        if (null == rules)
        {
            throw new IllegalStateException("the forwarder runs a forward mode, not rules");
        }
        reply.add("source", rules.ruleSet().source()).add("generation", forwarder.rulesState().generation())
            .add("rules", rules.ruleSet().rules().size())
            .add("policy", rules.ruleSet().defaultAccept() ? "accept" : "drop");
        for (int o = 0; o < RulesProcessor.OUTCOME_COUNT; o++)
        {
            reply.add(RulesProcessor.OUTCOMES.get(o).counterName(), rules.outcomes()[o]);
        }
    }

    private static void rule(final Forwarder forwarder, final String params, final Telemetry.Reply reply)
    {
        final ForwarderStats.RulesSnapshot rules = new ForwarderStats(forwarder).rulesSnapshot();
        final List<Rule> list = null == rules ? List.of() : rules.ruleSet().rules();
        final int index = Integer.parseInt(params.trim());
        final Rule rule = list.get(index);
        reply.add("index", index).add("name", null == rule.name() ? "" : rule.name()).add("line", rule.line())
            .add("verdict", rule.verdict().keyword()).add("packets", rules.packets(index))
            .add("bytes", rules.bytes(index));
    }

    private static void conntrack(final Forwarder forwarder, final String params, final Telemetry.Reply reply)
    {
        final ForwarderStats.RulesSnapshot rules = new ForwarderStats(forwarder).rulesSnapshot();
        if (null == rules || null == rules.connections())
        {
            throw new IllegalStateException("the forwarder tracks no connections");
        }
        for (int t = 0; t < rules.inUseByLcore().length; t++)
        {
            reply.add("in_use_lcore" + t, rules.inUseByLcore()[t]);
        }
        for (final ConnCounter counter : ConnCounter.values())
        {
            reply.add(counter.counterName(), rules.connections()[counter.ordinal()]);
        }
    }
}
