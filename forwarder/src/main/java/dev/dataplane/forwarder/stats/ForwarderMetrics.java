package dev.dataplane.forwarder.stats;

import java.util.List;

import dev.dataplane.forwarder.Forwarder;
import dev.dataplane.forwarder.conntrack.ConnCounter;
import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.lang.Rule;
import dev.dataplane.runtime.LcoreMetrics;
import dev.dataplane.runtime.MetricPoints;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * The forwarder's figures for Prometheus ({@code --prometheus}), read at each scrape from what the lcores publish
 * (the same counters the statistics print): per port, its {@link PortCounter}s as {@code forwarder_<name>_total}
 * with a {@code port} label (DPDK's ethdev names: rx_packets, rx_bytes, rx_missed, rx_nombuf, rx_errors,
 * tx_packets, tx_bytes, tx_errors, and the forwarder's own); with rules, each rule's packets and bytes
 * ({@code rule} and {@code line} labels) and the rules' outcomes, malformed frames by reason among them
 * ({@code outcome} label); with connection tracking, each lcore's {@link ConnCounter}s ({@code lcore} label: its
 * index among the lcores that run the rules), {@code ct_in_use} as a gauge; each forwarding lcore's cycles, busy
 * cycles and busy ratio ({@link LcoreMetrics}). Scrapes run on the endpoint's thread, one at a time.
 */
public final class ForwarderMetrics implements MultiCollector
{
    private static final String PREFIX = "forwarder_";

    private final Forwarder forwarder;
    private final ForwarderStats stats;
    private final LcoreMetrics lcores;

    public ForwarderMetrics(final Forwarder forwarder)
    {
        this.forwarder = forwarder;
        this.stats = new ForwarderStats(forwarder);
        this.lcores = new LcoreMetrics(PREFIX, forwarder.lcores());
    }

    @Override
    public synchronized MetricSnapshots collect()
    {
        final MetricSnapshots.Builder metrics = MetricSnapshots.builder();
        lcores.addTo(metrics);
        final PortTotals[] ports = stats.snapshot();
        for (final PortCounter counter : PortCounter.values())
        {
            final CounterSnapshot.Builder family = CounterSnapshot.builder().name(PREFIX + counter.counterName())
                .help(counter.descriptor().help());
            for (final PortTotals port : ports)
            {
                family.dataPoint(MetricPoints.counter(port.get(counter), "port", Integer.toString(port.port())));
            }
            metrics.metricSnapshot(family.build());
        }
        final ForwarderStats.RulesSnapshot rules = stats.rulesSnapshot();
        if (null != rules)
        {
            final CounterSnapshot.Builder packets = CounterSnapshot.builder().name(PREFIX + "rule_packets")
                .help("packets each rule matched (count rules included)");
            final CounterSnapshot.Builder bytes = CounterSnapshot.builder().name(PREFIX + "rule_bytes")
                .help("bytes of the packets each rule matched");
            final List<Rule> ruleList = rules.ruleSet().rules();
            for (final Rule rule : ruleList)
            {
                final String name = null == rule.name() ? "" : rule.name();
                final String line = Integer.toString(rule.line());
                packets.dataPoint(MetricPoints.counter(rules.packets(rule.index()), "rule", name, "line", line));
                bytes.dataPoint(MetricPoints.counter(rules.bytes(rule.index()), "rule", name, "line", line));
            }
            metrics.metricSnapshot(packets.build()).metricSnapshot(bytes.build());
            final CounterSnapshot.Builder outcomes = CounterSnapshot.builder().name(PREFIX + "rule_outcome_packets")
                .help("what became of the packets the rules saw, by outcome (docs/forwarder.md, Rule outcomes)");
            for (int o = 0; o < RulesProcessor.OUTCOME_COUNT; o++)
            {
                outcomes.dataPoint(MetricPoints.counter(rules.outcomes()[o], "outcome",
                    RulesProcessor.OUTCOMES.get(o).counterName()));
            }
            metrics.metricSnapshot(outcomes.build());
        }
        final List<ConnTracker> trackers = forwarder.trackers();
        if (!trackers.isEmpty())
        {
            final long[][] counts = new long[trackers.size()][];
            for (int t = 0; t < counts.length; t++)
            {
                counts[t] = trackers.get(t).counters().snapshot();
            }
            for (final ConnCounter counter : ConnCounter.values())
            {
                final String name = PREFIX + counter.counterName();
                final String help = counter.descriptor().help();
                if (ConnCounter.IN_USE == counter)
                {
                    final GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(name).help(help);
                    for (int t = 0; t < counts.length; t++)
                    {
                        gauge.dataPoint(MetricPoints.gauge(counts[t][counter.ordinal()], "lcore", Integer.toString(t)));
                    }
                    metrics.metricSnapshot(gauge.build());
                    continue;
                }
                final CounterSnapshot.Builder family = CounterSnapshot.builder().name(name).help(help);
                for (int t = 0; t < counts.length; t++)
                {
                    family.dataPoint(MetricPoints.counter(counts[t][counter.ordinal()], "lcore", Integer.toString(t)));
                }
                metrics.metricSnapshot(family.build());
            }
        }
        return metrics.build();
    }
}
