package dev.dataplane.pktgen.report;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthStats;
import dev.dataplane.pktgen.Pktgen;
import dev.dataplane.pktgen.rx.Receiver;
import dev.dataplane.pktgen.rx.ReceiverCounter;
import dev.dataplane.pktgen.tx.Senders;
import dev.dataplane.runtime.LcoreMetrics;
import dev.dataplane.runtime.MetricPoints;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import org.HdrHistogram.Histogram;

/**
 * pktgen's figures for Prometheus ({@code --prometheus}), read at each scrape from what its lcores publish: what the
 * TX port's queues took and refused ({@code port} label), what the RX port received, the loss the receiver sees so
 * far (a gauge: it falls when late packets arrive), the ports' own drops on receive, and the latency of every
 * stamped packet received so far as a summary in seconds (p50, p90, p99, p99.9, p99.99) with its maximum, and each
 * lcore's cycles, busy cycles and busy ratio ({@link LcoreMetrics}).
 */
public final class PktgenMetrics implements MultiCollector
{
    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999, 0.9999};

    private final Pktgen pktgen;
    private final PktgenReport report;
    private final LcoreMetrics lcores;
    private final EthStats stats = new EthStats();
    private final MemorySegment statsBuffer = EthDev.allocateStatsBuffer(Arena.ofAuto());

    /** @param report where the latency so far is gathered (shared with the period lines). */
    public PktgenMetrics(final Pktgen pktgen, final PktgenReport report)
    {
        this.pktgen = pktgen;
        this.report = report;
        this.lcores = new LcoreMetrics("pktgen_", pktgen.lcores());
    }

    @Override
    public synchronized MetricSnapshots collect()
    {
        final MetricSnapshots.Builder metrics = MetricSnapshots.builder();
        lcores.addTo(metrics);
        final Senders senders = pktgen.senders();
        final String tx = Integer.toString(pktgen.context().txPort());
        metrics.metricSnapshot(counter("pktgen_tx_packets", "packets the TX queues took", tx, senders.sent()))
            .metricSnapshot(counter("pktgen_tx_bytes", "bytes of the packets the TX queues took (no FCS)", tx,
                senders.sentBytes()))
            .metricSnapshot(counter("pktgen_tx_refused", "packets the TX queues refused, freed and never retried",
                tx, senders.txRefused()))
            .metricSnapshot(counter("pktgen_alloc_failed", "packets not built for want of mbufs", tx,
                senders.allocFailed()));
        final Receiver receiver = pktgen.receiver();
        if (null == receiver)
        {
            return metrics.build();
        }
        final String rx = Integer.toString(receiver.port());
        EthDev.stats(receiver.port(), stats, statsBuffer);
        metrics.metricSnapshot(counter("pktgen_rx_packets", "packets received on the RX queues", rx,
                receiver.received()))
            .metricSnapshot(counter("pktgen_rx_bytes", "bytes of the frames received (no FCS)", rx,
                receiver.receivedBytes()))
            .metricSnapshot(counter("pktgen_rx_unstamped", "packets received without a stamp of ours", rx,
                receiver.unstamped()))
            .metricSnapshot(counter("pktgen_rx_missed", "the RX port's own count of frames its ring had no room for",
                rx, stats.rxMissed))
            .metricSnapshot(counter("pktgen_rx_nombuf", "the RX port's own count of frames it had no mbuf for", rx,
                stats.rxNoMbuf))
            .metricSnapshot(GaugeSnapshot.builder().name("pktgen_lost_packets")
                .help("stamped packets skipped and not arrived since (falls as late ones arrive)")
                .dataPoint(MetricPoints.gauge(receiver.counters().get(ReceiverCounter.LOST), "port", rx))
                .build());
        final Histogram latency = report.latencySoFar(pktgen);
        final Quantile[] quantiles = new Quantile[QUANTILES.length];
        for (int q = 0; q < QUANTILES.length; q++)
        {
            quantiles[q] = new Quantile(QUANTILES[q],
                0 == latency.getTotalCount() ? Double.NaN : latency.getValueAtPercentile(100 * QUANTILES[q]) / 1e9);
        }
        metrics.metricSnapshot(SummarySnapshot.builder().name("pktgen_latency_seconds")
                .help("latency of the stamped packets received so far, send to receive")
                .dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().count(latency.getTotalCount())
                    .sum(latency.getMean() * latency.getTotalCount() / 1e9).quantiles(Quantiles.of(quantiles))
                    .labels(Labels.of("port", rx)).build())
                .build())
            .metricSnapshot(GaugeSnapshot.builder().name("pktgen_latency_max_seconds")
                .help("the highest latency received so far")
                .dataPoint(MetricPoints.gauge(0 == latency.getTotalCount() ? Double.NaN : latency.getMaxValue() / 1e9,
                    "port", rx))
                .build());
        return metrics.build();
    }

    private static CounterSnapshot counter(final String name, final String help, final String port,
        final long value)
    {
        return CounterSnapshot.builder().name(name).help(help).dataPoint(MetricPoints.counter(value, "port", port))
            .build();
    }
}
