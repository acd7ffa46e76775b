package dev.dataplane.runtime;

import java.util.List;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;

/**
 * A tool's lcores for Prometheus: each one's {@link LcoreCounter}s as {@code <prefix>lcore_cycles_total} and
 * {@code <prefix>lcore_busy_cycles_total}, and {@code <prefix>lcore_busy_ratio}, the share of its cycles since the
 * last scrape spent in polls that found work (its load: a busy-polling lcore keeps its CPU at 100% whatever its load),
 * each with an {@code lcore} label (its EAL lcore id). One scrape at a time.
 */
public final class LcoreMetrics
{
    private final String prefix;
    private final List<PollingLcore> lcores;
    private final long[] lastCycles;
    private final long[] lastBusy;

    public LcoreMetrics(final String prefix, final List<PollingLcore> lcores)
    {
        this.prefix = prefix;
        this.lcores = List.copyOf(lcores);
        this.lastCycles = new long[lcores.size()];
        this.lastBusy = new long[lcores.size()];
    }

    /** Adds the lcores' families to a scrape. */
    public synchronized void addTo(final MetricSnapshots.Builder metrics)
    {
        final CounterSnapshot.Builder cycles = CounterSnapshot.builder().name(prefix + "lcore_cycles")
            .help(LcoreCounter.CYCLES.descriptor().help());
        final CounterSnapshot.Builder busy = CounterSnapshot.builder().name(prefix + "lcore_busy_cycles")
            .help(LcoreCounter.BUSY_CYCLES.descriptor().help());
        final GaugeSnapshot.Builder ratio = GaugeSnapshot.builder().name(prefix + "lcore_busy_ratio")
            .help("share of the lcore's cycles since the last scrape spent in polls that found work");
        for (int i = 0; i < lcores.size(); i++)
        {
            final Counters counters = lcores.get(i).counters();
            final long all = counters.get(LcoreCounter.CYCLES);
            final long working = counters.get(LcoreCounter.BUSY_CYCLES);
            final String lcore = Integer.toString(lcores.get(i).lcore());
            cycles.dataPoint(MetricPoints.counter(all, "lcore", lcore));
            busy.dataPoint(MetricPoints.counter(working, "lcore", lcore));
            final long span = all - lastCycles[i];
            ratio.dataPoint(MetricPoints.gauge(0 == span ? Double.NaN : (double)(working - lastBusy[i]) / span,
                "lcore", lcore));
            lastCycles[i] = all;
            lastBusy[i] = working;
        }
        metrics.metricSnapshot(cycles.build()).metricSnapshot(busy.build()).metricSnapshot(ratio.build());
    }
}
