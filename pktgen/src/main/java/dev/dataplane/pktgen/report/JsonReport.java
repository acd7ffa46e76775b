package dev.dataplane.pktgen.report;

import java.io.PrintStream;

import dev.dataplane.runtime.JsonWriter;
import org.HdrHistogram.Histogram;

/** pktgen's report as one JSON object per line: {@code start}, {@code stats} per period, {@code summary}. */
public final class JsonReport implements ReportSink
{
    private final PrintStream out;

    public JsonReport(final PrintStream out)
    {
        this.out = out;
    }

    @Override
    public void start(final Figures.Start start)
    {
        out.println(new JsonWriter().beginObject().field("type", "start").field("tx_port", start.txPort())
            .field("tx_name", start.txName()).field("rx_port", start.rxPort()).field("rx_name", start.rxName())
            .field("size", start.sizes()).field("flows", start.flows()).field("tx_queues", start.txQueues())
            .field("rate_pps", start.rate(), 1).field("count", start.count()).field("lcores", start.lcores())
            .endObject());
    }

    @Override
    public void period(final Figures.Period period)
    {
        final JsonWriter json = new JsonWriter().beginObject().field("type", "stats")
            .field("elapsed_s", period.elapsedSeconds(), 3);
        rates(json, period.tx(), period.rx());
        json.field("tx_total", period.txTotal()).field("rx_total", period.rxTotal())
            .field("lost_so_far", period.lostSoFar()).name("ports").beginArray();
        for (final Figures.PortPeriod port : period.ports())
        {
            json.beginObject().field("port", port.port());
            rates(json, port.tx(), port.rx());
            json.field("rx_dropped", port.rxDropped()).field("lost_so_far", port.lostSoFar()).endObject();
        }
        out.println(json.endArray().endObject());
    }

    @Override
    public void summary(final Figures.Summary summary)
    {
        out.println(summaryLine(summary));
    }

    /** The summary as one JSON object, as printed and as {@code --summary-json} writes it. */
    public static String summaryLine(final Figures.Summary s)
    {
        final Histogram latency = s.latency();
        final JsonWriter json = new JsonWriter().beginObject().field("type", "summary")
            .field("elapsed_s", s.seconds(), 3).field("tx_packets", s.sent()).field("tx_refused", s.txRefused())
            .field("alloc_failed", s.allocFailed()).field("behind_schedule", s.behindSchedule())
            .field("rx_packets", s.received()).field("rx_stamped", s.stamped()).field("rx_unstamped", s.unstamped())
            .field("lost", s.lost()).field("duplicates", s.duplicates()).field("out_of_order", s.outOfOrder())
            .field("late", s.late()).field("avg_tx_pps", s.tx().pps(), 1).field("avg_rx_pps", s.rx().pps(), 1)
            .field("tx_bytes", s.txBytes()).field("rx_bytes", s.rxBytes()).field("avg_tx_mbps", s.tx().mbps(), 3)
            .field("avg_rx_mbps", s.rx().mbps(), 3).name("latency_ns").beginObject()
            .field("count", latency.getTotalCount()).field("min", latency.getMinValue());
        percentiles(json, latency);
        json.field("max", latency.getMaxValue()).endObject().name("streams").beginArray();
        for (final Figures.Stream stream : s.streams())
        {
            json.beginObject().field("stream", stream.stream()).field("sent", stream.sent())
                .field("tx_refused", stream.txRefused())
                .field("received", stream.received()).field("lost", stream.lost())
                .field("duplicates", stream.duplicates()).field("out_of_order", stream.outOfOrder())
                .field("late", stream.late()).name("latency_ns").beginObject().field("min", stream.minNanos())
                .field("mean", stream.meanNanos(), 0);
            if (null != stream.latency() && 0 != stream.latency().getTotalCount())
            {
                percentiles(json, stream.latency());
            }
            json.field("max", stream.maxNanos()).endObject().endObject();
        }
        return json.endArray().field("mbufs_in_use_at_exit", s.mbufsInUse()).endObject().toString();
    }

    private static void rates(final JsonWriter json, final Rates tx, final Rates rx)
    {
        json.field("tx_pps", tx.pps(), 1).field("rx_pps", rx.pps(), 1).field("tx_mbps", tx.mbps(), 3)
            .field("tx_wire_mbps", tx.wireMbps(), 3).field("rx_mbps", rx.mbps(), 3)
            .field("rx_wire_mbps", rx.wireMbps(), 3);
    }

    private static void percentiles(final JsonWriter json, final Histogram latency)
    {
        json.field("p50", latency.getValueAtPercentile(50)).field("p90", latency.getValueAtPercentile(90))
            .field("p99", latency.getValueAtPercentile(99)).field("p99_9", latency.getValueAtPercentile(99.9));
    }
}
