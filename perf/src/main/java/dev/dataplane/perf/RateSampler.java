package dev.dataplane.perf;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.dataplane.dpdk.EalFiles;

/**
 * Runs one forwarding program for a bounded time and collects its once-a-second packet rates from its output.
 * The program stops itself ({@code --duration}) or is sent SIGINT; either way it is killed if it overstays.
 */
final class RateSampler
{
    /** The longest a program that is interrupted may take to print its first rate. */
    private static final int START_LIMIT_SECONDS = 300;
    /** Samples dropped from the start of each run: JIT warm-up and port start. */
    static final int WARMUP_SAMPLES = 2;

    /** What one run gave. */
    record Run(String tool, List<Double> samplesPps, Path log)
    {
        /** The median of the samples after warm-up, in packets per second. */
        double medianPps()
        {
            final List<Double> measured = samplesPps.size() > WARMUP_SAMPLES ?
                samplesPps.subList(WARMUP_SAMPLES, samplesPps.size()) : samplesPps;
            return median(measured);
        }
    }

    private RateSampler()
    {
    }

    /**
     * Runs {@code command}, feeding each output line to {@code parser} (which returns a rate in pps, or null for a
     * line that carries none).
     *
     * @param interruptAfterSeconds seconds of rates after which to send SIGINT (counted from its first rate, so that a
     *                              slow start, loading a million stored frames say, takes nothing from the run; at
     *                              most {@value #START_LIMIT_SECONDS} s to print one), or 0 when the program stops by
     *                              itself.
     */
    static Run run(final String tool, final List<String> command, final Path log, final int interruptAfterSeconds,
        final Function<String, Double> parser) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        final List<Double> samples = Collections.synchronizedList(new ArrayList<>());
        final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        final Thread reader = Thread.ofPlatform().daemon().start(() -> read(process.getInputStream(), lines, samples,
            parser));
        if (interruptAfterSeconds > 0)
        {
            final long startLimit = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_LIMIT_SECONDS);
            while (samples.isEmpty() && process.isAlive() && System.nanoTime() < startLimit)
            {
                Thread.sleep(100);
            }
            // The first rate comes about a second after the forwarding starts.
            if (!process.waitFor(interruptAfterSeconds - 1, TimeUnit.SECONDS))
            {
                new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
            }
        }
        if (!process.waitFor(120, TimeUnit.SECONDS))
        {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IOException(tool + " did not stop; see " + log);
        }
        reader.join(10_000);
        EalFiles.removeRuntimeDirectory(command);
        Files.write(log, lines);
        if (samples.size() <= WARMUP_SAMPLES)
        {
            throw new IOException(tool + " printed " + samples.size() + " rate samples (exit " + process.exitValue() +
                "); see " + log);
        }
        return new Run(tool, List.copyOf(samples), log);
    }

    private static void read(final InputStream in, final List<String> lines, final List<Double> samples,
        final Function<String, Double> parser)
    {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                lines.add(line);
                final Double pps = parser.apply(line);
                if (null != pps)
                {
                    samples.add(pps);
                }
            }
        }
        catch (final IOException ignored)
        {
            // The process ended; what was read is kept.
        }
    }

    static double median(final List<Double> values)
    {
        final List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        final int n = sorted.size();
        return 0 == n ? Double.NaN : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
