package dev.dataplane.pktgen.report;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthStats;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.pktgen.Pktgen;
import dev.dataplane.pktgen.PktgenContext;
import dev.dataplane.pktgen.rx.Receiver;
import dev.dataplane.pktgen.rx.ReceiverCounter;
import dev.dataplane.pktgen.rx.SequenceTracker;
import dev.dataplane.pktgen.traffic.Traffic;
import dev.dataplane.pktgen.tx.Senders;
import dev.dataplane.runtime.JsonWriter;
import org.HdrHistogram.Histogram;

/**
 * Prints what the generator and receiver counted: a line per period (TX and RX Mpps, Mbit/s at L2 and on the wire,
 * loss so far) and a summary (totals, loss, duplicates, reordering, latency percentiles), as a table or one JSON
 * object per line. Reads the lcores' counters from the main thread; the latency recorder's interval histograms are
 * summed here.
 */
public final class PktgenReport
{
    /** Streams the text summary lists one by one. */
    private static final int STREAM_ROWS = 16;
    private final PrintStream out;
    private final boolean json;
    private final PktgenContext context;
    private final Histogram total = new Histogram(Pktgen.HIGHEST_LATENCY_NANOS, 3);
    private final EthStats stats = new EthStats();
    private final MemorySegment statsBuffer = EthDev.allocateStatsBuffer(Arena.ofAuto());
    private Counts last = Counts.ZERO;
    private String summaryJson;
    private double lastSeconds;
    private boolean header;

    public PktgenReport(final PrintStream out, final boolean json, final PktgenContext context)
    {
        this.out = out;
        this.json = json;
        this.context = context;
    }

    public void start(final Pktgen pktgen)
    {
        final Traffic t = context.traffic();
        final String sizes = null != context.pcap() ? "pcap" : t.sizes().toString();
        if (json)
        {
            out.println(new JsonWriter().beginObject().field("type", "start").field("tx_port", context.txPort())
                .field("tx_name", EthDev.name(context.txPort())).field("rx_port", context.rxPort())
                .field("rx_name", context.receives() ? EthDev.name(context.rxPort()) : null).field("size", sizes)
                .field("flows", t.flows()).field("tx_queues", context.txQueues())
                .field("rate_pps", pktgen.packetsPerSecond(), 1).field("count", context.count())
                .field("lcores", pktgen.lcores().size()).endObject());
            return;
        }
        out.printf(Locale.ROOT, "pktgen: port %d (%s) -> %s, %s %s frames, %d flow(s), %d TX queue(s), " +
            "rate %s, %d lcore(s)%n", context.txPort(), EthDev.name(context.txPort()), context.receives() ? "port " +
                context.rxPort() + " (" + EthDev.name(context.rxPort()) + ")" : "no receiver",
            null != context.pcap() ? "pcap" : t.sizes().describe(),
            t.tcp() ? "TCP" : "UDP", t.flows(), context.txQueues(),
            0 == pktgen.packetsPerSecond() ? "unlimited" : String.format(Locale.ROOT, "%.0f pps",
                pktgen.packetsPerSecond()), pktgen.lcores().size());
    }

    /**
     * A line per port in use: what was sent on it and received on it since the last period (our counters, which are
     * what the TX queues took and what the RX queue gave), the port's own count of frames it dropped on receive
     * (missed, or no mbuf: rte_eth_stats), and the loss the receiver has seen so far on the RX port.
     */
    public void period(final Pktgen pktgen, final double seconds)
    {
        accumulate(pktgen.latency().intervalHistogram());
        final Senders senders = pktgen.senders();
        final Receiver receiver = pktgen.receiver();
        final Counts now = new Counts(senders.sent(), senders.sentBytes(), null == receiver ? 0 : receiver.received(),
            null == receiver ? 0 : receiver.receivedBytes());
        final double elapsed = seconds - lastSeconds;
        final long lost = null == receiver ? 0 : receiver.counters().get(ReceiverCounter.LOST);
        final Rates tx = Rates.of(now.sent - last.sent, now.sentBytes - last.sentBytes, elapsed);
        final Rates rx = Rates.of(now.received - last.received, now.receivedBytes - last.receivedBytes, elapsed);
        last = now;
        lastSeconds = seconds;
        if (!json && !header)
        {
            header = true;
            out.printf(Locale.ROOT, "%8s %4s %9s %9s %10s %10s %10s %10s %10s %12s%n", "time-s", "port", "tx-Mpps",
                "rx-Mpps", "tx-Mbit/s", "tx-wire", "rx-Mbit/s", "rx-wire", "rx-dropped", "lost");
        }
        final JsonWriter ports = new JsonWriter().beginArray();
        for (final int port : pktgen.ports())
        {
            final Rates portTx = port == context.txPort() ? tx : Rates.NONE;
            final Rates portRx = context.receives() && port == context.rxPort() ? rx : Rates.NONE;
            final long portLost = context.receives() && port == context.rxPort() ? lost : 0;
            EthDev.stats(port, stats, statsBuffer);
            final long dropped = stats.rxMissed + stats.rxNoMbuf;
            if (json)
            {
                ports.beginObject().field("port", port).field("tx_pps", portTx.pps, 1).field("rx_pps", portRx.pps, 1)
                    .field("tx_mbps", portTx.mbps, 3).field("tx_wire_mbps", portTx.wireMbps, 3)
                    .field("rx_mbps", portRx.mbps, 3).field("rx_wire_mbps", portRx.wireMbps, 3)
                    .field("rx_dropped", dropped).field("lost_so_far", portLost).endObject();
                continue;
            }
            out.printf(Locale.ROOT, "%8.1f %4d %9.3f %9.3f %10.1f %10.1f %10.1f %10.1f %10d %12d%n", seconds, port,
                portTx.pps / 1e6, portRx.pps / 1e6, portTx.mbps, portTx.wireMbps, portRx.mbps, portRx.wireMbps,
                dropped, portLost);
        }
        if (json)
        {
            out.println(new JsonWriter().beginObject().field("type", "stats").field("elapsed_s", seconds, 3)
                .field("tx_pps", tx.pps, 1).field("rx_pps", rx.pps, 1).field("tx_mbps", tx.mbps, 3)
                .field("tx_wire_mbps", tx.wireMbps, 3).field("rx_mbps", rx.mbps, 3).field("rx_wire_mbps", rx.wireMbps, 3)
                .field("tx_total", now.sent).field("rx_total", now.received).field("lost_so_far", lost)
                .name("ports").value(ports.endArray()).endObject());
        }
    }

    /** Totals read at the end of a period. */
    private record Counts(long sent, long sentBytes, long received, long receivedBytes)
    {
        static final Counts ZERO = new Counts(0, 0, 0, 0);
    }

    /**
     * Packets per second and Mbit/s over a period: at L2 (the frame with its FCS, which the mbuf does not hold) and
     * on the wire (20 bytes more per frame: preamble, start delimiter, gap).
     */
    private record Rates(double pps, double mbps, double wireMbps)
    {
        static final Rates NONE = new Rates(0, 0, 0);

        static Rates of(final long packets, final long bytes, final double seconds)
        {
            final double l2Bits = (bytes + (double)Traffic.FCS * packets) * 8;
            return new Rates(packets / seconds, l2Bits / seconds / 1e6,
                (l2Bits + EthernetHeader.FRAMING_BYTES * 8.0 * packets) / seconds / 1e6);
        }
    }

    /** The summary as one JSON object (and a line end), once {@link #summary} has run; else null. */
    public String summaryJson()
    {
        return summaryJson;
    }

    /** Every latency recorded so far, in nanoseconds. */
    public Histogram latency()
    {
        return total;
    }

    public void accumulate(final Histogram interval)
    {
        total.add(interval);
    }

    public void summary(final Pktgen pktgen, final double seconds)
    {
        final Senders g = pktgen.senders();
        final Receiver r = pktgen.receiver();
        final SequenceTracker t = null == r ? new SequenceTracker(0) : r.tracker();
        final long received = null == r ? 0 : r.received();
        final long unstamped = null == r ? 0 : r.unstamped();
        // Frames never seen at the tail of a stream are lost too: compare with what was handed out per stream. A
        // replayed pcap carries no stamps: what was sent and did not arrive is lost.
        final boolean perStream = null != r && null == context.pcap();
        final long[] streamLost = new long[t.streams()];
        long lost = null != r && !perStream ? Math.max(0, g.sent() - received) : 0;
        long duplicates = 0;
        long outOfOrder = 0;
        long late = 0;
        long stamped = 0;
        for (int s = 0; s < t.streams(); s++)
        {
            duplicates += t.duplicates(s);
            outOfOrder += t.outOfOrder(s);
            late += t.late(s);
            stamped += t.received(s);
            if (perStream)
            {
                streamLost[s] = t.lost(s) + Math.max(0, g.handedOut(s) - t.received(s) + t.duplicates(s) - t.lost(s));
                lost += streamLost[s];
            }
        }
        final long rxBytes = null == r ? 0 : r.receivedBytes();
        final Rates tx = Rates.of(g.sent(), g.sentBytes(), seconds);
        final Rates rx = Rates.of(received, rxBytes, seconds);
        final JsonWriter w = new JsonWriter().beginObject().field("type", "summary").field("elapsed_s", seconds, 3)
            .field("tx_packets", g.sent()).field("tx_refused", g.txRefused()).field("alloc_failed", g.allocFailed())
            .field("behind_schedule", g.skipped()).field("rx_packets", received).field("rx_stamped", stamped)
            .field("rx_unstamped", unstamped).field("lost", lost).field("duplicates", duplicates)
            .field("out_of_order", outOfOrder).field("late", late).field("avg_tx_pps", tx.pps(), 1)
            .field("avg_rx_pps", rx.pps(), 1).field("tx_bytes", g.sentBytes()).field("rx_bytes", rxBytes)
            .field("avg_tx_mbps", tx.mbps(), 3).field("avg_rx_mbps", rx.mbps(), 3).name("latency_ns").beginObject()
            .field("count", total.getTotalCount()).field("min", total.getMinValue()).field("p50", p(50))
            .field("p90", p(90)).field("p99", p(99)).field("p99_9", p(99.9)).field("max", total.getMaxValue())
            .endObject().name("streams").beginArray();
        for (int s = 0; perStream && s < t.streams(); s++)
        {
            w.beginObject().field("stream", s).field("sent", g.handedOut(s)).field("received", t.received(s))
                .field("lost", streamLost[s]).field("duplicates", t.duplicates(s)).field("out_of_order", t.outOfOrder(s))
                .field("late", t.late(s)).name("latency_ns").beginObject().field("min", r.minLatencyNanos(s))
                .field("mean", r.meanLatencyNanos(s), 0);
            final Histogram h = r.streamLatency(s);
            if (null != h && 0 != h.getTotalCount())
            {
                w.field("p50", h.getValueAtPercentile(50)).field("p90", h.getValueAtPercentile(90))
                    .field("p99", h.getValueAtPercentile(99)).field("p99_9", h.getValueAtPercentile(99.9));
            }
            w.field("max", r.maxLatencyNanos(s)).endObject().endObject();
        }
        summaryJson = w.endArray().field("mbufs_in_use_at_exit", pktgen.mbufsInUseAtClose()).endObject() +
            System.lineSeparator();
        if (json)
        {
            out.print(summaryJson);
            return;
        }
        out.printf(Locale.ROOT, "%nSummary: %.2f s%n", seconds);
        out.printf(Locale.ROOT, "  sent %d (TX refused %d, not built for want of mbufs %d, given up behind " +
            "schedule %d), avg %.3f Mpps, %.1f Mbit/s (%.1f on the wire)%n", g.sent(), g.txRefused(), g.allocFailed(),
            g.skipped(), tx.pps() / 1e6, tx.mbps(), tx.wireMbps());
        out.printf(Locale.ROOT, "  received %d (stamped %d, other %d), avg %.3f Mpps, %.1f Mbit/s%n", received,
            stamped, unstamped, rx.pps() / 1e6, rx.mbps());
        out.printf(Locale.ROOT, "  lost %d, duplicated %d, out of order %d, late %d%n", lost, duplicates,
            outOfOrder, late);
        out.printf(Locale.ROOT, "  latency (us): min %.2f p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f over %d%n",
            total.getMinValue() / 1e3, p(50) / 1e3, p(90) / 1e3, p(99) / 1e3, p(99.9) / 1e3,
            total.getMaxValue() / 1e3, total.getTotalCount());
        if (perStream)
        {
            out.printf(Locale.ROOT, "  %6s %12s %12s %10s %8s %8s %9s %9s %9s %9s %9s%n", "stream", "sent",
                "received", "lost", "dup", "reorder", "mean-us", "p50-us", "p99-us", "p99.9-us", "max-us");
            final int shown = Math.min(t.streams(), STREAM_ROWS);
            for (int s = 0; s < shown; s++)
            {
                final Histogram h = r.streamLatency(s);
                out.printf(Locale.ROOT, "  %6d %12d %12d %10d %8d %8d %9.2f %9.2f %9.2f %9.2f %9.2f%n", s,
                    g.handedOut(s), t.received(s), streamLost[s], t.duplicates(s), t.outOfOrder(s),
                    r.meanLatencyNanos(s) / 1e3, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3,
                    h.getValueAtPercentile(99.9) / 1e3, r.maxLatencyNanos(s) / 1e3);
            }
            if (shown < t.streams())
            {
                out.printf(Locale.ROOT, "  (%d more streams: --stats-format json lists them all)%n",
                    t.streams() - shown);
            }
        }
        out.printf(Locale.ROOT, "mbufs in use at exit: %d%s%n", pktgen.mbufsInUseAtClose(),
            0 == pktgen.mbufsInUseAtClose() ? "" : "  <-- LEAK");
    }

    private long p(final double percentile)
    {
        return total.getValueAtPercentile(percentile);
    }
}
