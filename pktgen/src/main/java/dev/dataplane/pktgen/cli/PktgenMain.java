package dev.dataplane.pktgen.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.dataplane.dpdk.DpdkException;
import dev.dataplane.dpdk.Eal;
import dev.dataplane.pktgen.Pktgen;
import dev.dataplane.pktgen.PktgenContext;
import dev.dataplane.pktgen.report.LatencyFiles;
import dev.dataplane.pktgen.report.PktgenMetrics;
import dev.dataplane.pktgen.report.PktgenReport;
import dev.dataplane.runtime.Launcher;
import dev.dataplane.runtime.MetricsEndpoint;
import dev.dataplane.runtime.StatsFormat;
import org.HdrHistogram.Histogram;

/**
 * {@code bin/pktgen [EAL args] -- [options]}: sends until {@code --count} is sent (and has had time to arrive),
 * {@code --duration} ends, or SIGINT/SIGTERM; prints a line per period and a summary with loss and latency. Exit 0
 * on a clean stop, 1 on a failure or a leak, 2 for bad arguments, as the forwarder.
 */
public final class PktgenMain implements Launcher.Program<PktgenOptions>
{
    /** After --count is sent: how long nothing more must arrive before the run ends, and the most it waits. */
    private static final long QUIET_NANOS = 200_000_000L;
    private static final long MAX_DRAIN_NANOS = 2_000_000_000L;

    private final Launcher launcher;
    private final PrintStream out;
    private PktgenOptions options;
    private PktgenContext context;
    /** {@code --prometheus}, or null. */
    private String prometheus;

    PktgenMain(final Launcher launcher, final PrintStream out)
    {
        this.launcher = launcher;
        this.out = out;
    }

    public static void main(final String[] args)
    {
        final Launcher launcher = new Launcher("pktgen", System.out, System.err);
        launcher.installSignalHandlers();
        final int code = launcher.launch(args, new PktgenMain(launcher, System.out));
        System.out.flush();
        System.exit(code);
    }

    @Override
    public PktgenOptions newOptions()
    {
        return new PktgenOptions();
    }

    @Override
    public void prepare(final PktgenOptions options)
    {
        this.context = options.toContext();
        this.options = options;
        if (options.latencyWarmup < 0 || (0 != context.duration() && options.latencyWarmup >= context.duration()))
        {
            throw new IllegalArgumentException("--latency-warmup must be at least 0 and shorter than --duration");
        }
        prometheus = options.run.prometheus();
    }

    @Override
    public int run(final Eal eal)
    {
        return generate(eal, context, options);
    }

    private int generate(final Eal eal, final PktgenContext context, final PktgenOptions options)
    {
        final double period = options.run.statsPeriod();
        final boolean json = StatsFormat.JSON == options.run.statsFormat();
        final Pktgen pktgen;
        try
        {
            pktgen = Pktgen.create(eal, context);
        }
        catch (final DpdkException ex)
        {
            return launcher.usageError(ex.getMessage());
        }
        pktgen.warnings().forEach(launcher::warning);
        final PktgenReport report = new PktgenReport(out, json, context);
        int exit = Launcher.EXIT_OK;
        MetricsEndpoint metrics = null;
        try
        {
            report.start(pktgen);
            metrics = MetricsEndpoint.serve(prometheus, () -> new PktgenMetrics(pktgen, report), launcher::log);
            final long startNanos = System.nanoTime();
            pktgen.start();
            final long periodNanos = 0 == period ? Long.MAX_VALUE : (long)(period * 1e9);
            final long endNanos = 0 == context.duration() ? Long.MAX_VALUE :
                startNanos + (long)(context.duration() * 1e9);
            long nextReport = startNanos + periodNanos;
            long warmupEnd = 0 == options.latencyWarmup ? 0 : startNanos + (long)(options.latencyWarmup * 1e9);
            long lastReceived = -1;
            long quietSince = 0;
            long sentAllAt = 0;
            while (true)
            {
                if (launcher.awaitStop(TimeUnit.MILLISECONDS.toNanos(10)) || null != pktgen.failure())
                {
                    break;
                }
                final long now = System.nanoTime();
                if (now >= endNanos)
                {
                    break;
                }
                if (0 != warmupEnd && now >= warmupEnd)
                {
                    report.forgetLatency(pktgen);
                    warmupEnd = 0;
                }
                if (now >= nextReport)
                {
                    report.period(pktgen, (now - startNanos) / 1e9);
                    nextReport += periodNanos;
                }
                if (pktgen.senders().done())
                {
                    // Everything is sent: end once nothing more arrives for a while (or the wait runs out).
                    sentAllAt = 0 == sentAllAt ? now : sentAllAt;
                    final long received = null == pktgen.receiver() ? 0 : pktgen.receiver().received();
                    if (received != lastReceived)
                    {
                        lastReceived = received;
                        quietSince = now;
                    }
                    if (now - quietSince >= QUIET_NANOS || now - sentAllAt >= MAX_DRAIN_NANOS)
                    {
                        break;
                    }
                }
            }
            final double seconds = (System.nanoTime() - startNanos) / 1e9;
            final Throwable failure = pktgen.failure();
            pktgen.stop();
            if (null != metrics)
            {
                metrics.close();
                metrics = null;
            }
            final Histogram latency = pktgen.latency().intervalHistogram();
            report.accumulate(latency);
            pktgen.close();
            report.summary(pktgen, seconds);
            exit = writeFiles(report, options, context);
            if (null != failure)
            {
                launcher.error("an lcore failed: " + failure);
                exit = Launcher.EXIT_FAILED;
            }
            if (0 != pktgen.mbufsInUseAtClose())
            {
                launcher.error(pktgen.mbufsInUseAtClose() + " mbufs still in use at exit");
                exit = Launcher.EXIT_FAILED;
            }
        }
        catch (final IOException ex)
        {
            launcher.error(ex.getMessage());
            exit = Launcher.EXIT_FAILED;
        }
        finally
        {
            if (null != metrics)
            {
                metrics.close();
            }
            pktgen.close();
        }
        return exit;
    }

    private int writeFiles(final PktgenReport report, final PktgenOptions options, final PktgenContext context)
    {
        final Histogram latency = report.latency();
        final String title = String.format(Locale.ROOT, "pktgen latency: %s frames, %d flow(s), port %d -> %d",
            context.traffic().sizes().describe(), context.traffic().flows(), context.txPort(), context.rxPort());
        try
        {
            if (null != options.latencyCsv)
            {
                LatencyFiles.writeCsv(latency, Path.of(options.latencyCsv));
            }
            if (null != options.latencyHtml)
            {
                LatencyFiles.writeHtml(latency, Path.of(options.latencyHtml), title);
            }
            if (null != options.summaryJson)
            {
                Files.writeString(Path.of(options.summaryJson), report.summaryJson());
            }
            return Launcher.EXIT_OK;
        }
        catch (final IOException ex)
        {
            launcher.error("cannot write an output file: " + ex.getMessage());
            return Launcher.EXIT_FAILED;
        }
    }
}
