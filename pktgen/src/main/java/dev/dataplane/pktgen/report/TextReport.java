package dev.dataplane.pktgen.report;

import java.io.PrintStream;
import java.util.Locale;

import org.HdrHistogram.Histogram;

/** pktgen's report as tables: the set-up, a row per port per period, the summary with the first streams. */
public final class TextReport implements ReportSink
{
    /** Streams the summary lists one by one. */
    private static final int STREAM_ROWS = 16;

    private final PrintStream out;
    private boolean header;

    public TextReport(final PrintStream out)
    {
        this.out = out;
    }

    @Override
    public void start(final Figures.Start start)
    {
        out.printf(Locale.ROOT, "pktgen: port %d (%s) -> %s, %s %s frames, %d flow(s), %d TX queue(s), " +
            "rate %s, %d lcore(s)%n", start.txPort(), start.txName(), null == start.rxName() ? "no receiver" :
                "port " + start.rxPort() + " (" + start.rxName() + ")", start.frames(), start.tcp() ? "TCP" : "UDP",
            start.flows(), start.txQueues(), 0 == start.rate() ? "unlimited" :
                String.format(Locale.ROOT, "%.0f pps", start.rate()), start.lcores());
    }

    @Override
    public void period(final Figures.Period period)
    {
        if (!header)
        {
            header = true;
            out.printf(Locale.ROOT, "%8s %4s %9s %9s %10s %10s %10s %10s %10s %12s%n", "time-s", "port", "tx-Mpps",
                "rx-Mpps", "tx-Mbit/s", "tx-wire", "rx-Mbit/s", "rx-wire", "rx-dropped", "lost");
        }
        for (final Figures.PortPeriod port : period.ports())
        {
            out.printf(Locale.ROOT, "%8.1f %4d %9.3f %9.3f %10.1f %10.1f %10.1f %10.1f %10d %12d%n",
                period.elapsedSeconds(), port.port(), port.tx().pps() / 1e6, port.rx().pps() / 1e6, port.tx().mbps(),
                port.tx().wireMbps(), port.rx().mbps(), port.rx().wireMbps(), port.rxDropped(), port.lostSoFar());
        }
    }

    @Override
    public void summary(final Figures.Summary s)
    {
        final Histogram latency = s.latency();
        out.printf(Locale.ROOT, "%nSummary: %.2f s%n", s.seconds());
        out.printf(Locale.ROOT, "  sent %d (TX refused %d, not built for want of mbufs %d, given up behind " +
            "schedule %d), avg %.3f Mpps, %.1f Mbit/s (%.1f on the wire)%n", s.sent(), s.txRefused(),
            s.allocFailed(), s.behindSchedule(), s.tx().pps() / 1e6, s.tx().mbps(), s.tx().wireMbps());
        out.printf(Locale.ROOT, "  received %d (stamped %d, other %d), avg %.3f Mpps, %.1f Mbit/s%n", s.received(),
            s.stamped(), s.unstamped(), s.rx().pps() / 1e6, s.rx().mbps());
        out.printf(Locale.ROOT, "  lost %d, duplicated %d, out of order %d, late %d%n", s.lost(), s.duplicates(),
            s.outOfOrder(), s.late());
        out.printf(Locale.ROOT, "  latency (us): min %.2f p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f over %d%n",
            latency.getMinValue() / 1e3, latency.getValueAtPercentile(50) / 1e3,
            latency.getValueAtPercentile(90) / 1e3, latency.getValueAtPercentile(99) / 1e3,
            latency.getValueAtPercentile(99.9) / 1e3, latency.getMaxValue() / 1e3, latency.getTotalCount());
        if (!s.streams().isEmpty())
        {
            out.printf(Locale.ROOT, "  %6s %12s %12s %10s %8s %8s %9s %9s %9s %9s %9s%n", "stream", "sent",
                "received", "lost", "dup", "reorder", "mean-us", "p50-us", "p99-us", "p99.9-us", "max-us");
            final int shown = Math.min(s.streams().size(), STREAM_ROWS);
            for (final Figures.Stream stream : s.streams().subList(0, shown))
            {
                final Histogram h = stream.latency();
                out.printf(Locale.ROOT, "  %6d %12d %12d %10d %8d %8d %9.2f %9.2f %9.2f %9.2f %9.2f%n",
                    stream.stream(), stream.sent(), stream.received(), stream.lost(), stream.duplicates(),
                    stream.outOfOrder(), stream.meanNanos() / 1e3, percentileMicros(h, 50), percentileMicros(h, 99),
                    percentileMicros(h, 99.9), stream.maxNanos() / 1e3);
            }
            if (shown < s.streams().size())
            {
                out.printf(Locale.ROOT, "  (%d more streams: --stats-format json lists them all)%n",
                    s.streams().size() - shown);
            }
        }
        out.printf(Locale.ROOT, "mbufs in use at exit: %d%s%n", s.mbufsInUse(), 0 == s.mbufsInUse() ? "" :
            "  <-- LEAK");
    }

    private static double percentileMicros(final Histogram histogram, final double percentile)
    {
        return null == histogram ? Double.NaN : histogram.getValueAtPercentile(percentile) / 1e3;
    }
}
