package dev.dataplane.pktgen;

import java.io.PrintStream;
import java.util.Locale;

import dev.dataplane.dpdk.EthDev;
import org.HdrHistogram.Histogram;

/**
 * Prints what the generator and receiver counted: a line per period (TX and RX Mpps, Mbit/s at L2 and on the wire,
 * loss so far) and a summary (totals, loss, duplicates, reordering, latency percentiles), as a table or one JSON
 * object per line. Reads the lcores' counters from the main thread; the latency recorder's interval histograms are
 * summed here.
 */
final class PktgenReport
{
    private final PrintStream out;
    private final boolean json;
    private final PktgenContext context;
    private final Histogram total = new Histogram(Pktgen.HIGHEST_LATENCY_NANOS, 3);
    private long lastSent;
    private long lastReceived;
    private double lastSeconds;
    private boolean header;

    PktgenReport(final PrintStream out, final boolean json, final PktgenContext context)
    {
        this.out = out;
        this.json = json;
        this.context = context;
    }

    void start(final Pktgen pktgen)
    {
        final Traffic t = context.traffic();
        if (json)
        {
            out.printf(Locale.ROOT, "{\"type\":\"start\",\"tx_port\":%d,\"tx_name\":\"%s\",\"rx_port\":%d," +
                "\"rx_name\":%s,\"size\":%d,\"flows\":%d,\"rate_pps\":%.1f,\"count\":%d,\"lcores\":%d}%n",
                context.txPort(), EthDev.name(context.txPort()), context.rxPort(), context.receives() ?
                    "\"" + EthDev.name(context.rxPort()) + "\"" : "null", t.frameSize(), t.flows(),
                pktgen.packetsPerSecond(), context.count(), pktgen.lcores().size());
            return;
        }
        out.printf(Locale.ROOT, "pktgen: port %d (%s) -> %s, %d-byte UDP frames, %d flow(s), rate %s, " +
            "%d lcore(s)%n", context.txPort(), EthDev.name(context.txPort()), context.receives() ? "port " +
                context.rxPort() + " (" + EthDev.name(context.rxPort()) + ")" : "no receiver", t.frameSize(), t.flows(),
            0 == pktgen.packetsPerSecond() ? "unlimited" : String.format(Locale.ROOT, "%.0f pps",
                pktgen.packetsPerSecond()), pktgen.lcores().size());
    }

    void period(final Pktgen pktgen, final double seconds)
    {
        accumulate(pktgen.latency().getIntervalHistogram());
        final long sent = pktgen.generator().sent();
        final Receiver receiver = pktgen.receiver();
        final long received = null == receiver ? 0 : receiver.received();
        final double elapsed = seconds - lastSeconds;
        final double txPps = (sent - lastSent) / elapsed;
        final double rxPps = (received - lastReceived) / elapsed;
        final long lost = null == receiver ? 0 : lost(receiver.tracker());
        lastSent = sent;
        lastReceived = received;
        lastSeconds = seconds;
        final int size = context.traffic().frameSize();
        if (json)
        {
            out.printf(Locale.ROOT, "{\"type\":\"stats\",\"elapsed_s\":%.3f,\"tx_pps\":%.1f,\"rx_pps\":%.1f," +
                "\"tx_mbps\":%.3f,\"tx_wire_mbps\":%.3f,\"rx_mbps\":%.3f,\"rx_wire_mbps\":%.3f,\"tx_total\":%d," +
                "\"rx_total\":%d,\"lost_so_far\":%d}%n", seconds, txPps, rxPps, mbps(txPps, size), mbps(txPps,
                size + PktgenContext.FRAMING_BYTES), mbps(rxPps, size), mbps(rxPps, size + PktgenContext.FRAMING_BYTES),
                sent, received, lost);
            return;
        }
        if (!header)
        {
            header = true;
            out.printf(Locale.ROOT, "%8s %10s %10s %10s %10s %10s %10s %12s%n", "time-s", "tx-Mpps", "rx-Mpps",
                "tx-Mbit/s", "tx-wire", "rx-Mbit/s", "rx-wire", "lost");
        }
        out.printf(Locale.ROOT, "%8.1f %10.3f %10.3f %10.1f %10.1f %10.1f %10.1f %12d%n", seconds, txPps / 1e6,
            rxPps / 1e6, mbps(txPps, size), mbps(txPps, size + PktgenContext.FRAMING_BYTES), mbps(rxPps, size),
            mbps(rxPps, size + PktgenContext.FRAMING_BYTES), lost);
    }

    /** Every latency recorded so far, in nanoseconds. */
    Histogram latency()
    {
        return total;
    }

    void accumulate(final Histogram interval)
    {
        total.add(interval);
    }

    void summary(final Pktgen pktgen, final double seconds)
    {
        final Sender g = pktgen.generator();
        final Receiver r = pktgen.receiver();
        final SequenceTracker t = null == r ? new SequenceTracker(0) : r.tracker();
        final long received = null == r ? 0 : r.received();
        final long unstamped = null == r ? 0 : r.unstamped();
        long lost = 0;
        long duplicates = 0;
        long outOfOrder = 0;
        long late = 0;
        long stamped = 0;
        for (int s = 0; s < t.streams(); s++)
        {
            lost += t.lost(s);
            duplicates += t.duplicates(s);
            outOfOrder += t.outOfOrder(s);
            late += t.late(s);
            stamped += t.received(s);
        }
        // Frames never seen at the tail of a stream are lost too: compare with what was sent per stream. A replayed
        // pcap carries no stamps: what was sent and did not arrive is lost.
        final long tail = null == r ? 0 : null != context.pcap() ? Math.max(0, g.sent() - received) :
            Math.max(0, g.sent() + g.txRefused() - stamped + duplicates - lost);
        if (json)
        {
            out.printf(Locale.ROOT, "{\"type\":\"summary\",\"elapsed_s\":%.3f,\"tx_packets\":%d,\"tx_refused\":%d," +
                "\"alloc_failed\":%d,\"rx_packets\":%d,\"rx_stamped\":%d,\"rx_unstamped\":%d,\"lost\":%d," +
                "\"duplicates\":%d,\"out_of_order\":%d,\"late\":%d,\"avg_tx_pps\":%.1f,\"avg_rx_pps\":%.1f," +
                "\"latency_ns\":{\"count\":%d,\"min\":%d,\"p50\":%d,\"p90\":%d,\"p99\":%d,\"p99_9\":%d," +
                "\"max\":%d},\"mbufs_in_use_at_exit\":%d}%n", seconds, g.sent(), g.txRefused(), g.allocFailed(),
                received, stamped, unstamped, lost + tail, duplicates, outOfOrder, late, g.sent() / seconds,
                received / seconds, total.getTotalCount(), total.getMinValue(), p(50), p(90), p(99), p(99.9),
                total.getMaxValue(), pktgen.mbufsInUseAtClose());
            return;
        }
        out.printf(Locale.ROOT, "%nSummary: %.2f s%n", seconds);
        out.printf(Locale.ROOT, "  sent %d (TX refused %d, not built for want of mbufs %d), avg %.3f Mpps%n",
            g.sent(), g.txRefused(), g.allocFailed(), g.sent() / seconds / 1e6);
        out.printf(Locale.ROOT, "  received %d (stamped %d, other %d), avg %.3f Mpps%n", received, stamped,
            unstamped, received / seconds / 1e6);
        out.printf(Locale.ROOT, "  lost %d, duplicated %d, out of order %d, late %d%n", lost + tail, duplicates,
            outOfOrder, late);
        out.printf(Locale.ROOT, "  latency (us): min %.2f p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f over %d%n",
            total.getMinValue() / 1e3, p(50) / 1e3, p(90) / 1e3, p(99) / 1e3, p(99.9) / 1e3,
            total.getMaxValue() / 1e3, total.getTotalCount());
        out.printf(Locale.ROOT, "mbufs in use at exit: %d%s%n", pktgen.mbufsInUseAtClose(),
            0 == pktgen.mbufsInUseAtClose() ? "" : "  <-- LEAK");
    }

    private long p(final double percentile)
    {
        return total.getValueAtPercentile(percentile);
    }

    private static long lost(final SequenceTracker tracker)
    {
        long lost = 0;
        for (int s = 0; s < tracker.streams(); s++)
        {
            lost += tracker.lost(s);
        }
        return lost;
    }

    private static double mbps(final double pps, final int bytes)
    {
        return pps * bytes * 8 / 1e6;
    }
}
