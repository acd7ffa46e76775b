package dev.dataplane.forwarder.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.dataplane.dpdk.DpdkException;
import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthDevInfo;
import dev.dataplane.dpdk.EthLink;
import dev.dataplane.forwarder.Forwarder;
import dev.dataplane.forwarder.ForwarderContext;
import dev.dataplane.forwarder.control.ControlSocket;
import dev.dataplane.forwarder.rules.RulesState;
import dev.dataplane.forwarder.rules.lang.RulesException;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.forwarder.stats.ForwarderStats;
import dev.dataplane.forwarder.stats.PortTotals;
import dev.dataplane.forwarder.stats.StatsPrinter;
import dev.dataplane.net.MacAddress;
import dev.dataplane.runtime.PollingLcore;
import dev.dataplane.runtime.StatsFormat;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * {@code bin/forwarder [EAL args] -- [options]}: validates the options, initialises EAL, forwards until
 * {@code --duration} ends or SIGINT/SIGTERM arrives, then stops cleanly and prints the summary. Exit code 0 on a
 * clean stop, 1 when forwarding failed or leaked mbufs, 2 for bad arguments.
 */
public final class ForwarderMain
{
    private static final int EXIT_FAILED = 1;
    private static final int EXIT_USAGE = 2;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicBoolean reloadRequested = new AtomicBoolean();
    private final PrintStream out;
    private final PrintStream err;

    ForwarderMain(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    public static void main(final String[] args)
    {
        final ForwarderMain forwarderMain = new ForwarderMain(System.out, System.err);
        // First of all: a SIGHUP or SIGTERM that arrives while EAL starts must not end the process by the JVM's
        // default (exit 129, no summary, no mbufs returned); a reload or stop asked for then applies once running.
        forwarderMain.installSignalHandlers();
        final int code = forwarderMain.run(args);
        System.out.flush();
        System.exit(code);
    }

    int run(final String[] args)
    {
        final List<String> all = Arrays.asList(args);
        final int separator = all.indexOf("--");
        List<String> ealArgs = separator < 0 ? all : all.subList(0, separator);
        final List<String> appArgs = separator < 0 ? List.of() : all.subList(separator + 1, all.size());
        final List<String> demoExtras = new ArrayList<>();
        if (ealArgs.contains("-h") || ealArgs.contains("--help") || (args.length == 0))
        {
            new CommandLine(new ForwarderOptions()).usage(out);
            return args.length == 0 ? EXIT_USAGE : 0;
        }
        if (ealArgs.contains("--demo"))
        {
            if (ealArgs.size() != 1)
            {
                return usageError("--demo stands for all the EAL arguments; give options after --, not EAL arguments");
            }
            ealArgs = Arrays.asList(ForwarderOptions.DEMO_EAL_ARGS.replace("PID",
                Long.toString(ProcessHandle.current().pid())).split(" "));
            if (!appArgs.contains("--duration"))
            {
                demoExtras.add("--duration");
                demoExtras.add("10");
            }
        }

        final ForwarderOptions options = new ForwarderOptions();
        final ForwarderContext context;
        try
        {
            final List<String> app = new ArrayList<>(demoExtras);
            app.addAll(appArgs);
            final CommandLine.ParseResult parsed = new CommandLine(options).parseArgs(app.toArray(new String[0]));
            if (parsed.isUsageHelpRequested())
            {
                new CommandLine(new ForwarderOptions()).usage(out);
                return 0;
            }
            context = options.toContext();
        }
        catch (final CommandLine.ParameterException | IllegalArgumentException ex)
        {
            return usageError(ex.getMessage());
        }

        final ControlSocket control;
        try
        {
            control = null == options.controlSocket ? null : new ControlSocket(Path.of(options.controlSocket), err);
        }
        catch (final IOException ex)
        {
            return usageError("cannot listen for control commands on " + options.controlSocket + ": " +
                ex.getMessage());
        }
        try
        {
            return initAndForward(ealArgs, context, control);
        }
        finally
        {
            if (null != control)
            {
                try
                {
                    control.close();
                }
                catch (final IOException ex)
                {
                    err.println("forwarder: warning: cannot remove the control socket: " + ex.getMessage());
                }
            }
        }
    }

    private int initAndForward(final List<String> ealArgs, final ForwarderContext context, final ControlSocket control)
    {
        final Eal eal;
        try
        {
            eal = Eal.init(ealArgs);
        }
        catch (final DpdkException ex)
        {
            return usageError(ex.getMessage());
        }
        try
        {
            return forward(eal, context, control);
        }
        catch (final IllegalArgumentException ex)
        {
            return usageError(ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            err.println("forwarder: error: " + ex.getMessage());
            return EXIT_FAILED;
        }
        finally
        {
            try
            {
                eal.close();
            }
            catch (final RuntimeException ex)
            {
                err.println("forwarder: warning: " + ex.getMessage());
            }
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
        err.println("forwarder: reload (" + source + "): " + result);
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

    private int forward(final Eal eal, final ForwarderContext context, final ControlSocket control)
    {
        final StatsPrinter printer = new StatsPrinter(out, context.statsFormat());
        int exitCode = 0;
        final double seconds;
        final PortTotals[] totals;
        final int lcores;
        final int mbufs;
        final ForwarderStats.RulesSnapshot rules;
        final Forwarder forwarder = Forwarder.create(eal, context);
        try
        {
            lcores = forwarder.lcores().size();
            mbufs = forwarder.pool().size();
            describe(forwarder, eal);

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
                if (now >= end || stopRequested.getCount() == 0 || null != forwarder.failure())
                {
                    break;
                }
                if (reloadRequested.getAndSet(false))
                {
                    reload(forwarder, "SIGHUP");
                }
                for (ControlSocket.Request request = null == control ? null : control.poll(); null != request;
                    request = control.poll())
                {
                    request.reply().complete(switch (request.command())
                    {
                        case "reload" -> reload(forwarder, "control socket, " + request.peer());
                        default -> "error: unknown command '" + request.command() + "' (reload)";
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
                awaitStop(Math.min(wake - now, TimeUnit.MILLISECONDS.toNanos(20)));
            }
            try
            {
                forwarder.stop();
            }
            catch (final RuntimeException ex)
            {
                err.println("forwarder: error: " + ex.getMessage());
                exitCode = EXIT_FAILED;
            }
            seconds = (System.nanoTime() - start) / 1e9;
            totals = stats.snapshot();
            rules = stats.rulesSnapshot();
        }
        finally
        {
            forwarder.close();
        }
        printer.summary(context, lcores, seconds, totals, rules, forwarder.mbufsInUseAtClose(), mbufs);
        if (0 != forwarder.mbufsInUseAtClose())
        {
            err.println("forwarder: error: " + forwarder.mbufsInUseAtClose() + " mbufs were not returned to the pool");
            exitCode = EXIT_FAILED;
        }
        return exitCode;
    }

    private void describe(final Forwarder forwarder, final Eal eal)
    {
        final ForwarderContext context = forwarder.context();
        final StringBuilder lcoreList = new StringBuilder();
        for (final PollingLcore lcore : forwarder.lcores())
        {
            lcoreList.append(lcoreList.isEmpty() ? "" : ",").append(lcore.lcore());
        }
        if (context.statsFormat() == StatsFormat.JSON)
        {
            final StringBuilder sb = new StringBuilder("{\"type\":\"start\",\"forward_mode\":\"")
                .append(context.modeName()).append("\",\"run_mode\":\"").append(forwarder.runMode().cliName())
                .append(null == forwarder.pipelineTx() ? "" :
                    "\",\"pipeline_tx\":\"" + forwarder.pipelineTx().cliName())
                .append('"').append(null == context.rules() ? "" : ",\"flow_cache\":" + context.flowCacheEntries() +
                    ",\"malformed\":\"" + context.packetChecks().malformedPolicy() +
                    "\",\"verify_l4_checksum\":" + context.packetChecks().verifyL4Checksum())
                .append(",\"burst\":").append(context.burst())
                .append(",\"main_lcore\":").append(eal.mainLcore()).append(",\"lcores\":[").append(lcoreList)
                .append("],\"mbufs\":").append(forwarder.pool().size()).append(",\"ports\":[");
            final int[] ports = forwarder.ports();
            for (int i = 0; i < ports.length; i++)
            {
                final EthLink link = EthDev.link(ports[i]);
                sb.append(i > 0 ? "," : "").append("{\"port\":").append(ports[i])
                    .append(",\"name\":\"").append(EthDev.name(ports[i]))
                    .append("\",\"driver\":\"").append(EthDev.info(ports[i]).driverName())
                    .append("\",\"mac\":\"").append(MacAddress.toString(EthDev.macAddress(ports[i])))
                    .append("\",\"link_up\":").append(link.up()).append(",\"link_mbps\":").append(link.speedMbps())
                    .append('}');
            }
            out.println(sb.append("]}"));
            for (final String warning : forwarder.warnings())
            {
                err.println("forwarder: warning: " + warning);
            }
            return;
        }
        out.printf(Locale.ROOT, "forwarder: %s run-mode=%s%s%n", context, forwarder.runMode().cliName(),
            null == forwarder.pipelineTx() ? "" : " pipeline-tx=" + forwarder.pipelineTx().cliName());
        for (final int port : forwarder.ports())
        {
            final EthLink link = EthDev.link(port);
            final long offloads = forwarder.txChecksumOffloads(port);
            out.printf(Locale.ROOT, "  port %d: %s (%s) mac %s link %s %d Mbit/s%s%n", port, EthDev.name(port),
                EthDev.info(port).driverName(), MacAddress.toString(EthDev.macAddress(port)),
                link.up() ? "up" : "down", link.speedMbps(), 0 == offloads ? "" : ", tx checksum offload" +
                    ((offloads & EthDevInfo.TX_OFFLOAD_IPV4_CKSUM) != 0 ? " ipv4" : "") +
                    ((offloads & EthDevInfo.TX_OFFLOAD_UDP_CKSUM) != 0 ? " udp" : "") +
                    ((offloads & EthDevInfo.TX_OFFLOAD_TCP_CKSUM) != 0 ? " tcp" : ""));
        }
        for (final PollingLcore lcore : forwarder.lcores())
        {
            out.printf(Locale.ROOT, "  lcore %d: %s%n", lcore.lcore(), Arrays.toString(lcore.pollers()));
        }
        out.printf(Locale.ROOT, "  mbuf pool: %d mbufs, cache %d; main lcore %d prints statistics%n",
            forwarder.pool().size(), context.mbufCache(), eal.mainLcore());
        for (final String warning : forwarder.warnings())
        {
            out.println("  warning: " + warning);
        }
        out.println(context.durationSeconds() > 0 ?
            String.format(Locale.ROOT, "Forwarding for %.1f s (Ctrl-C stops earlier)...", context.durationSeconds()) :
            "Forwarding until Ctrl-C or SIGTERM...");
        out.flush();
    }

    /** The forward mode's name, or "rules" when rules replace it. */
    private void installSignalHandlers()
    {
        // Handled here rather than by the JVM's shutdown: the loops stop, the ports close, every mbuf returns, the
        // summary prints, and the exit code is 0, as for a run that ended by --duration.
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("HUP"), signal -> reloadRequested.set(true));
    }

    private void awaitStop(final long nanos)
    {
        try
        {
            stopRequested.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            stopRequested.countDown();
        }
    }

    private int usageError(final String message)
    {
        err.println("forwarder: error: " + message);
        return EXIT_USAGE;
    }
}
