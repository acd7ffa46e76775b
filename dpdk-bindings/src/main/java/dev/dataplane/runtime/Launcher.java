package dev.dataplane.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.dataplane.dpdk.DpdkException;
import dev.dataplane.dpdk.Eal;
import picocli.CommandLine;
import sun.misc.Signal;

/**
 * What each program's {@code main} does around its own work, the testpmd way: {@code prog [EAL args] -- [options]};
 * help; options parsed (picocli) and checked before EAL starts; EAL initialised and closed; exit 0 on a clean stop,
 * 1 when the run failed, 2 for arguments it cannot run with (an EAL argument EAL refused included). Signals: SIGINT
 * and SIGTERM ask the run to stop, SIGHUP to reload, handled rather than left to the JVM, so that a run stopped by a
 * signal still stops its lcores, returns every mbuf and prints its summary.
 */
public final class Launcher
{
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    /** What a program does between the launcher's steps. */
    public interface Program<O>
    {
        /** A fresh picocli command object: the options to parse into, or to print the usage of. */
        O newOptions();

        /**
         * The arguments to run with: the ones given, or what they stand for (a demo's).
         *
         * @throws IllegalArgumentException for arguments that cannot be expanded: a usage error.
         */
        default Arguments expand(final Arguments given)
        {
            return given;
        }

        /**
         * Checks the parsed options before EAL starts, and takes what the run needs from them.
         *
         * @throws IllegalArgumentException for options it cannot run with, IOException for a resource it cannot take
         *                                  (a socket): usage errors.
         */
        void prepare(O options) throws IOException;

        /**
         * The run, with EAL up.
         *
         * @return the exit code.
         * @throws IllegalArgumentException for a configuration the ports or lcores cannot take: a usage error; any
         *                                  other exception fails the run.
         */
        int run(Eal eal);

        /** Releases what {@link #prepare} took; called whenever it returned. */
        default void release()
        {
        }
    }

    /** A command line split at its first {@code --}: EAL's arguments, then the program's. */
    public record Arguments(List<String> eal, List<String> app)
    {
        public static Arguments split(final String[] args)
        {
            final List<String> all = Arrays.asList(args);
            final int separator = all.indexOf("--");
            return separator < 0 ? new Arguments(all, List.of()) :
                new Arguments(all.subList(0, separator), all.subList(separator + 1, all.size()));
        }
    }

    private final String name;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final AtomicBoolean reloadRequested = new AtomicBoolean();

    /** @param name the program's name, which starts its messages ({@code forwarder: error: ...}). */
    public Launcher(final String name, final PrintStream out, final PrintStream err)
    {
        this.name = name;
        this.out = out;
        this.err = err;
    }

    /**
     * Installs the signal handlers. First thing in {@code main}: a signal that arrives while EAL starts must not end
     * the process the JVM's way (exit 129 or 143, no summary, no mbufs returned); it applies once running.
     */
    public void installSignalHandlers()
    {
        Signal.handle(new Signal("INT"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("TERM"), signal -> stopRequested.countDown());
        Signal.handle(new Signal("HUP"), signal -> reloadRequested.set(true));
    }

    /** Runs {@code program} on the command line {@code args}: the exit code. */
    public <O> int launch(final String[] args, final Program<O> program)
    {
        Arguments arguments = Arguments.split(args);
        if (0 == args.length || arguments.eal().contains("-h") || arguments.eal().contains("--help"))
        {
            new CommandLine(program.newOptions()).usage(out);
            return 0 == args.length ? EXIT_USAGE : EXIT_OK;
        }
        final O options = program.newOptions();
        try
        {
            arguments = program.expand(arguments);
            if (new CommandLine(options).parseArgs(arguments.app().toArray(new String[0])).isUsageHelpRequested())
            {
                new CommandLine(program.newOptions()).usage(out);
                return EXIT_OK;
            }
            program.prepare(options);
        }
        catch (final CommandLine.ParameterException | IllegalArgumentException | IOException ex)
        {
            return usageError(ex.getMessage());
        }
        try
        {
            return runWithEal(arguments.eal(), program);
        }
        finally
        {
            program.release();
        }
    }

    private int runWithEal(final List<String> ealArgs, final Program<?> program)
    {
        final Eal eal;
        try
        {
            eal = Eal.init(ealArgs);
        }
        catch (final DpdkException | IllegalArgumentException ex)
        {
            return usageError(ex.getMessage());
        }
        try
        {
            return program.run(eal);
        }
        catch (final IllegalArgumentException ex)
        {
            return usageError(ex.getMessage());
        }
        catch (final RuntimeException ex)
        {
            error(ex.getMessage());
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
                warning(ex.getMessage());
            }
        }
    }

    /** Whether SIGINT or SIGTERM asked the run to stop. */
    public boolean stopRequested()
    {
        return 0 == stopRequested.getCount();
    }

    /**
     * Waits up to {@code nanos} for a stop request.
     *
     * @return whether one came (an interrupt counts as one).
     */
    public boolean awaitStop(final long nanos)
    {
        try
        {
            return stopRequested.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            stopRequested.countDown();
            return true;
        }
    }

    /** Whether SIGHUP asked for a reload since the last call. */
    public boolean takeReloadRequest()
    {
        return reloadRequested.getAndSet(false);
    }

    /** Reports an argument the run cannot take: {@link #EXIT_USAGE}. */
    public int usageError(final String message)
    {
        error(message);
        return EXIT_USAGE;
    }

    public void error(final String message)
    {
        err.println(name + ": error: " + message);
    }

    public void warning(final String message)
    {
        err.println(name + ": warning: " + message);
    }

    /** A line to the log (standard error): an event the operator should see, such as a reload. */
    public void log(final String message)
    {
        err.println(name + ": " + message);
    }
}
