package dev.dataplane.forwarder.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.Pdump;
import dev.dataplane.forwarder.Forwarder;
import dev.dataplane.forwarder.ForwarderContext;
import dev.dataplane.forwarder.conntrack.ConnCounter;
import dev.dataplane.forwarder.conntrack.ConnListing;
import dev.dataplane.forwarder.control.ControlSocket;
import dev.dataplane.forwarder.rules.RulesState;
import dev.dataplane.forwarder.rules.lang.RulesException;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.forwarder.stats.ForwarderMetrics;
import dev.dataplane.forwarder.stats.ForwarderStats;
import dev.dataplane.forwarder.stats.ForwarderTelemetry;
import dev.dataplane.forwarder.stats.PortTotals;
import dev.dataplane.forwarder.stats.StatsSink;
import dev.dataplane.runtime.Launcher;
import dev.dataplane.runtime.MetricsEndpoint;

/**
 * {@code bin/forwarder [EAL args] -- [options]}: validates the options, initialises EAL, forwards until
 * {@code --duration} ends or SIGINT/SIGTERM arrives, then stops cleanly and prints the summary. Exit code 0 on a
 * clean stop, 1 when forwarding failed or leaked mbufs, 2 for bad arguments.
 */
public final class ForwarderMain implements Launcher.Program<ForwarderOptions>
{
    /** The control socket's commands, for its error line. */
    private static final String COMMANDS = "reload, conntrack list|count|flush";
    /** How long {@code conntrack flush} waits for the lcores. */
    private static final long FLUSH_TIMEOUT_MILLIS = 2_000;
    /** The forwarder DPDK's telemetry commands answer for (registered once a process, with EAL). */
    private static final AtomicReference<Forwarder> TELEMETRY = new AtomicReference<>();

    private final Launcher launcher;
    private final PrintStream out;
    private ForwarderContext context;
    private ControlSocket control;
    /** {@code --prometheus}, or null. */
    private String prometheus;

    ForwarderMain(final Launcher launcher, final PrintStream out)
    {
        this.launcher = launcher;
        this.out = out;
    }

    public static void main(final String[] args)
    {
        final Launcher launcher = new Launcher("forwarder", System.out, System.err);
        launcher.installSignalHandlers();
        final int code = launcher.launch(args, new ForwarderMain(launcher, System.out));
        System.out.flush();
        System.exit(code);
    }

    @Override
    public ForwarderOptions newOptions()
    {
        return new ForwarderOptions();
    }

    /** {@code --demo} stands for the hardware-free EAL arguments, and ten seconds unless a duration is given. */
    @Override
    public Launcher.Arguments expand(final Launcher.Arguments given)
    {
        if (!given.eal().contains("--demo"))
        {
            return given;
        }
        if (given.eal().size() != 1)
        {
            throw new IllegalArgumentException(
                "--demo stands for all the EAL arguments; give options after --, not EAL arguments");
        }
        final List<String> app = new ArrayList<>();
        if (!given.app().contains("--duration"))
        {
            app.addAll(List.of("--duration", "10"));
        }
        app.addAll(given.app());
        return new Launcher.Arguments(Arrays.asList(ForwarderOptions.DEMO_EAL_ARGS.replace("PID",
            Long.toString(ProcessHandle.current().pid())).split(" ")), app);
    }

    @Override
    public void prepare(final ForwarderOptions options) throws IOException
    {
        context = options.toContext();
        prometheus = options.run.prometheus();
        try
        {
            control = null == options.controlSocket ? null : new ControlSocket(Path.of(options.controlSocket),
                System.err);
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot listen for control commands on " + options.controlSocket + ": " +
                ex.getMessage(), ex);
        }
    }

    @Override
    public void release()
    {
        if (null != control)
        {
            try
            {
                control.close();
            }
            catch (final IOException ex)
            {
                launcher.warning("cannot remove the control socket: " + ex.getMessage());
            }
        }
    }

    @Override
    public int run(final Eal eal)
    {
        ForwarderTelemetry.register(TELEMETRY);
        // Live capture: dpdk-dumpcap, a secondary process, attaches to this one (hugepages needed for that).
        final String capture = Pdump.init();
        if (null != capture)
        {
            launcher.warning("live capture (dpdk-dumpcap) is unavailable: " + capture);
        }
        try
        {
            return forward(eal, context, control);
        }
        finally
        {
            Pdump.uninit();
        }
    }

    /**
     * Re-reads the rules file the forwarder started with and logs the result with its source; on any problem the old
     * rules stay in force.
     *
     * @return one line for the operator.
     */
    private String reload(final Forwarder forwarder, final String source)
    {
        final String result = reloadRules(forwarder);
        launcher.log("reload (" + source + "): " + result);
        return result;
    }

    /**
     * The reload's edge: nothing that comes through it stops forwarding. The parser bounds what it reads, and what
     * it still throws (an error of the JVM's included: an out-of-memory while compiling a huge file) is reported here,
     * with the rules in force kept.
     */
    private static String reloadRules(final Forwarder forwarder)
    {
        final RulesState current = forwarder.rulesState();
        if (null == current)
        {
            return "error: nothing to reload: the forwarder was started without --rules";
        }
        final String file = current.rules().ruleSet().source();
        try
        {
            final RulesState next = forwarder.reload(RulesParser.parse(Path.of(file)));
            return "rules reloaded from " + file + ": " + next.rules().size() + " rules, generation " +
                next.generation();
        }
        catch (final RulesException | IllegalArgumentException ex)
        {
            return "error: rules reload rejected, the old rules stay in force: " + ex.getMessage();
        }
        catch (final IOException ex)
        {
            return "error: rules reload rejected, the old rules stay in force: cannot read " + file + ": " + ex;
        }
        catch (final RuntimeException | OutOfMemoryError | StackOverflowError ex)
        {
            return "error: rules reload failed, the old rules stay in force (generation " + current.generation() +
                "): " + ex;
        }
    }

    /**
     * The connection commands: {@code conntrack list [FILTER]} (a line a connection, then {@code N connections}),
     * {@code conntrack count}, {@code conntrack flush}.
     */
    private String conntrack(final Forwarder forwarder, final String command)
    {
        final List<String> words = List.of(command.trim().split("\\s+"));
        if (forwarder.trackers().isEmpty())
        {
            return "error: this forwarder tracks no connections (--conntrack)";
        }
        try
        {
            switch (words.size() < 2 ? "" : words.get(1))
            {
                case "list" ->
                {
                    final StringBuilder lines = new StringBuilder();
                    final int listed = forwarder.listConnections(ConnListing.parse(words.subList(2, words.size())),
                        line -> lines.append(line).append('\n'));
                    return lines.append(listed).append(1 == listed ? " connection" : " connections").toString();
                }
                case "count" ->
                {
                    return forwarder.trackers().stream().mapToLong(t -> t.counters().get(ConnCounter.IN_USE)).sum() +
                        " connections";
                }
                case "flush" ->
                {
                    final long flushed = forwarder.flushConnections(FLUSH_TIMEOUT_MILLIS);
                    launcher.log("conntrack flush: " + flushed + " connections removed");
                    return flushed < 0 ? "error: an lcore did not flush within " + FLUSH_TIMEOUT_MILLIS + " ms" :
                        "flushed " + flushed + " connections";
                }
                default ->
                {
                    return "error: conntrack list [proto P] [src A] [dst A] [sport N] [dport N], count or flush";
                }
            }
        }
        catch (final IllegalArgumentException ex)
        {
            return "error: " + ex.getMessage();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "error: interrupted";
        }
    }

    private int forward(final Eal eal, final ForwarderContext context, final ControlSocket control)
    {
        final StatsSink printer = StatsSink.of(context.statsFormat(), out);
        int exitCode = Launcher.EXIT_OK;
        final double seconds;
        final PortTotals[] totals;
        final int lcores;
        final int mbufs;
        final ForwarderStats.RulesSnapshot rules;
        MetricsEndpoint metrics = null;
        final Forwarder forwarder = Forwarder.create(eal, context);
        try
        {
            lcores = forwarder.lcores().size();
            mbufs = forwarder.pool().size();
            printer.start(forwarder, eal);
            forwarder.warnings().forEach(launcher::warning);
            TELEMETRY.set(forwarder);
            metrics = MetricsEndpoint.serve(prometheus, () -> new ForwarderMetrics(forwarder), launcher::log);

            final ForwarderStats stats = new ForwarderStats(forwarder);
            final long periodNanos = (long)(context.statsPeriodSeconds() * 1e9);
            final long durationNanos = (long)(context.durationSeconds() * 1e9);
            PortTotals[] previous = stats.snapshot();
            final long start = System.nanoTime();
            long previousTime = start;
            long nextPeriod = start + periodNanos;
            forwarder.start();

            while (true)
            {
                final long now = System.nanoTime();
                final long end = durationNanos > 0 ? start + durationNanos : Long.MAX_VALUE;
                if (now >= end || launcher.stopRequested() || null != forwarder.failure())
                {
                    break;
                }
                if (launcher.takeReloadRequest())
                {
                    reload(forwarder, "SIGHUP");
                }
                for (ControlSocket.Request request = null == control ? null : control.poll(); null != request;
                    request = control.poll())
                {
                    request.reply().complete(switch (request.command())
                    {
                        case "reload" -> reload(forwarder, "control socket, " + request.peer());
                        default -> request.command().startsWith("conntrack") ? conntrack(forwarder,
                            request.command()) : "error: unknown command '" + request.command() + "' (" + COMMANDS +
                            ")";
                    });
                }
                if (periodNanos > 0 && now >= nextPeriod)
                {
                    final PortTotals[] current = stats.snapshot();
                    printer.period((now - start) / 1e9, previous, current, (now - previousTime) / 1e9);
                    previous = current;
                    previousTime = now;
                    nextPeriod += periodNanos * Math.max(1, (now - nextPeriod) / periodNanos + 1);
                    continue;
                }
                final long wake = Math.min(end, periodNanos > 0 ? nextPeriod : Long.MAX_VALUE);
                launcher.awaitStop(Math.min(wake - now, TimeUnit.MILLISECONDS.toNanos(20)));
            }
            try
            {
                forwarder.stop();
            }
            catch (final RuntimeException ex)
            {
                launcher.error(ex.getMessage());
                exitCode = Launcher.EXIT_FAILED;
            }
            seconds = (System.nanoTime() - start) / 1e9;
            totals = stats.snapshot();
            rules = stats.rulesSnapshot();
        }
        catch (final IOException ex)
        {
            launcher.error(ex.getMessage());
            return Launcher.EXIT_FAILED;
        }
        finally
        {
            TELEMETRY.set(null);
            if (null != metrics)
            {
                metrics.close();
            }
            forwarder.close();
        }
        printer.summary(context, lcores, seconds, totals, rules, forwarder.mbufsInUseAtClose(), mbufs);
        if (0 != forwarder.mbufsInUseAtClose())
        {
            launcher.error(forwarder.mbufsInUseAtClose() + " mbufs were not returned to the pool");
            exitCode = Launcher.EXIT_FAILED;
        }
        return exitCode;
    }
}
