package dev.dataplane.pktgen.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.dataplane.dpdk.DpdkException;
import dev.dataplane.dpdk.Eal;
import dev.dataplane.pktgen.Pktgen;
import dev.dataplane.pktgen.PktgenContext;
import dev.dataplane.pktgen.report.LatencyFiles;
import dev.dataplane.pktgen.report.PktgenReport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * {@code bin/pktgen [EAL args] -- [options]}: sends until {@code --count} is sent (and has had time to arrive),
 * {@code --duration} ends, or SIGINT/SIGTERM; prints a line per period and a summary with loss and latency. Exit 0
 * on a clean stop, 1 on a failure or a leak, 2 for bad arguments, as the forwarder.
 */
public final class PktgenMain
{
    private static final int EXIT_FAILED = 1;
    private static final int EXIT_USAGE = 2;
    /** After --count is sent: how long nothing more must arrive before the run ends, and the most it waits. */
    private static final long QUIET_NANOS = 200_000_000L;
    private static final long MAX_DRAIN_NANOS = 2_000_000_000L;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final PrintStream out;
    private final PrintStream err;

    PktgenMain(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    public static void main(final String[] args)
    {
        final int code = new PktgenMain(System.out, System.err).run(args);
        System.out.flush();
        System.exit(code);
    }

    int run(final String[] args)
    {
        final List<String> all = Arrays.asList(args);
        final int separator = all.indexOf("--");
        final List<String> ealArgs = separator < 0 ? all : all.subList(0, separator);
        final List<String> appArgs = separator < 0 ? List.of() : all.subList(separator + 1, all.size());
        if (args.length == 0 || ealArgs.contains("-h") || ealArgs.contains("--help"))
        {
            new CommandLine(new PktgenOptions()).usage(out);
            return args.length == 0 ? EXIT_USAGE : 0;
        }
        final PktgenOptions options = new PktgenOptions();
        final PktgenContext context;
        try
        {
            final CommandLine.ParseResult parsed = new CommandLine(options).parseArgs(appArgs.toArray(new String[0]));
            if (parsed.isUsageHelpRequested())
            {
                new CommandLine(new PktgenOptions()).usage(out);
                return 0;
            }
            context = options.toContext();
        }
        catch (final CommandLine.ParameterException | IllegalArgumentException ex)
        {
            return usageError(ex.getMessage());
        }
        final Eal eal;
        try
        {
            eal = Eal.init(new ArrayList<>(ealArgs));
        }
        catch (final DpdkException | IllegalArgumentException ex)
        {
            return usageError(ex.getMessage());
        }
        try
        {
            return generate(eal, context, options);
        }
        finally
        {
            eal.close();
        }
    }

    private int generate(final Eal eal, final PktgenContext context, final PktgenOptions options)
    {
        final double period = options.statsPeriod;
        final boolean json = options.statsFormat.equals("json");
        final Pktgen pktgen;
        try
        {
            pktgen = Pktgen.create(eal, context);
        }
        catch (final DpdkException | IllegalArgumentException ex)
        {
            return usageError(ex.getMessage());
        }
        pktgen.warnings().forEach(warning -> err.println("pktgen: warning: " + warning));
        final PktgenReport report = new PktgenReport(out, json, context);
        int exit = 0;
        try
        {
            installSignalHandlers();
            report.start(pktgen);
            final long startNanos = System.nanoTime();
            pktgen.start();
            final long periodNanos = 0 == period ? Long.MAX_VALUE : (long)(period * 1e9);
            final long endNanos = 0 == context.duration() ? Long.MAX_VALUE :
                startNanos + (long)(context.duration() * 1e9);
            long nextReport = startNanos + periodNanos;
            long lastReceived = -1;
            long quietSince = 0;
            long sentAllAt = 0;
            while (true)
            {
                if (stopRequested.await(10, TimeUnit.MILLISECONDS) || null != pktgen.failure())
                {
                    break;
                }
                final long now = System.nanoTime();
                if (now >= endNanos)
                {
                    break;
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
            final Histogram latency = pktgen.latency().intervalHistogram();
            report.accumulate(latency);
            pktgen.close();
            report.summary(pktgen, seconds);
            exit = writeFiles(report, options, context);
            if (null != failure)
            {
                err.println("pktgen: error: an lcore failed: " + failure);
                exit = EXIT_FAILED;
            }
            if (0 != pktgen.mbufsInUseAtClose())
            {
                err.println("pktgen: error: " + pktgen.mbufsInUseAtClose() + " mbufs still in use at exit");
                exit = EXIT_FAILED;
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            exit = EXIT_FAILED;
        }
        finally
        {
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
            return 0;
        }
        catch (final IOException ex)
        {
            err.println("pktgen: error: cannot write an output file: " + ex.getMessage());
            return EXIT_FAILED;
        }
    }

    private void installSignalHandlers()
    {
        for (final String name : List.of("INT", "TERM"))
        {
            Signal.handle(new Signal(name), signal -> stopRequested.countDown());
        }
    }

    private int usageError(final String message)
    {
        err.println("pktgen: error: " + (null == message ? "bad arguments" : message.lines().findFirst().orElse("")));
        return EXIT_USAGE;
    }
}
