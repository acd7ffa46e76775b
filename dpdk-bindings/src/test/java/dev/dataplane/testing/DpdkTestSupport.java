package dev.dataplane.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import dev.dataplane.dpdk.EalFiles;
import dev.dataplane.dpdk.JvmFlags;

/**
 * Helpers shared by the DPDK tests of every module: EAL arguments for virtual devices with no hugepages, running a
 * main class in a JVM of its own (EAL initialises once per process), and bounded waiting.
 */
public final class DpdkTestSupport
{
    /** This test JVM's EAL file prefix, which the processes it starts with {@link #ealArgs} share. */
    private static final String FILE_PREFIX = "dptest-" + ProcessHandle.current().pid();

    static
    {
        // EAL leaves its runtime directory (3 MiB of memory maps under --no-huge, in /var/run's tmpfs) when the
        // process ends: this JVM's, and its children's, go when it does, so that a test run leaves none behind.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> EalFiles.removeRuntimeDirectory(FILE_PREFIX)));
    }

    private DpdkTestSupport()
    {
    }

    /** Main lcore 0 and worker 2 on CPU 0, worker 1 on CPU 1: two workers on a two-CPU machine. */
    public static final String THREE_LCORES = "0@0,1@1,2@0";

    /**
     * EAL arguments: two lcores, no hugepages, no PCI, a file prefix of this process's own, quiet logs, and the
     * given {@code --vdev} specs.
     */
    public static List<String> ealArgs(final String... vdevs)
    {
        return ealArgsOnLcores("0,1", vdevs);
    }

    /**
     * EAL arguments as {@link #ealArgs} with an EAL {@code --lcores} list, e.g. {@link #THREE_LCORES} for a pipeline
     * (two workers) on this two-CPU machine.
     */
    public static List<String> ealArgsOnLcores(final String lcores, final String... vdevs)
    {
        final List<String> args = new ArrayList<>(List.of("--lcores", lcores, "--no-huge", "--no-pci", "-m", "256",
            "--file-prefix", FILE_PREFIX, "--log-level", "lib.eal:warning",
            "--no-telemetry"));
        for (final String vdev : vdevs)
        {
            args.add("--vdev");
            args.add(vdev);
        }
        return args;
    }

    /** Polls {@code condition} until true or {@code timeoutMillis} pass; returns its last value. */
    public static boolean await(final BooleanSupplier condition, final long timeoutMillis)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                return false;
            }
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return condition.getAsBoolean();
            }
        }
        return true;
    }

    /** The outcome of a child JVM. */
    public record ProcessResult(int exitCode, String stdout, String stderr, boolean timedOut)
    {
        public List<String> stderrLines()
        {
            return stderr.isEmpty() ? List.of() : Arrays.asList(stderr.split("\n"));
        }

        public List<String> stdoutLines()
        {
            return stdout.isEmpty() ? List.of() : Arrays.asList(stdout.split("\n"));
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + (timedOut ? " (timed out)" : "") + "\n--- stdout\n" + stdout +
                "\n--- stderr\n" +
                stderr;
        }
    }

    /** A child JVM running {@code mainClass} with this JVM's class path and the production flags. */
    public static ProcessBuilder javaProcess(final String mainClass, final List<String> args, final Path workDir)
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        final List<String> command = new ArrayList<>(List.of(java));
        command.addAll(JvmFlags.production());
        command.addAll(List.of("-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=" + workDir.resolve("hs_err_pid%p.log")));
        command.addAll(List.of("-cp", classPath, mainClass));
        command.addAll(args);
        return new ProcessBuilder(command).directory(workDir.toFile());
    }

    /** Runs a program's {@code mainClass} as {@code prog [EAL args] -- [options]} in a child JVM, 2 min at most. */
    public static ProcessResult runProgram(final String mainClass, final List<String> eal, final Path workDir,
        final String... options) throws IOException, InterruptedException
    {
        final List<String> args = new ArrayList<>(eal);
        args.add("--");
        args.addAll(List.of(options));
        return runJava(mainClass, args, workDir, 120);
    }

    /** Runs a child JVM to its end, or kills it after {@code timeoutSeconds}. */
    public static ProcessResult runJava(final String mainClass, final List<String> args, final Path workDir,
        final long timeoutSeconds) throws IOException, InterruptedException
    {
        final Path out = workDir.resolve("stdout-" + System.nanoTime() + ".txt");
        final Path err = workDir.resolve("stderr-" + System.nanoTime() + ".txt");
        final Process process = javaProcess(mainClass, args, workDir)
            .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(
                new java.io.File("/dev/null"))).start();
        final boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        if (!finished)
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return new ProcessResult(finished ? process.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8), !finished);
    }

    /**
     * A command-line program's clean refusal: exit 2, exactly one {@code "<program>: error:"} line containing
     * {@code expected}, no stack trace, no crash files in {@code dir}.
     */
    public static void assertCleanRejection(final ProcessResult result, final String program, final String expected,
        final Path dir) throws IOException
    {
        assertEquals(2, result.exitCode(), result.toString());
        final List<String> errors =
            result.stderrLines().stream().filter(l -> l.startsWith(program + ": error:")).toList();
        assertEquals(1, errors.size(), result.toString());
        assertTrue(errors.get(0).contains(expected),
            "wanted '" + expected + "' in: " + errors.get(0));
        assertFalse(
            result.stderr().contains("Exception") || result.stderr().contains("\tat "), result.toString());
        assertEquals(List.of(), crashFiles(dir));
    }

    /** Files a crashed JVM leaves behind (hs_err logs, core files) in {@code dir}. */
    public static List<Path> crashFiles(final Path dir) throws IOException
    {
        try (var files = Files.list(dir))
        {
            return files.filter(p ->
            {
                final String name = p.getFileName().toString();
                return name.startsWith("hs_err") || name.equals("core") || name.startsWith("core.");
            }).toList();
        }
    }
}
