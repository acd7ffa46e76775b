package dev.dataplane.perf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Where a forwarding program's lcores spend their time, by Linux perf: the program runs under
 * {@code perf record -e cpu-clock}, and the samples of its DPDK lcore threads ({@code rte-worker-*}) are split
 * between the driver (the PMD's library, {@code librte_net_*}), the forwarding code above it (dpdk-testpmd's own
 * code, or the JVM's compiled code and our C shim), and the rest (mempool, libc, the dynamic linker's TLS lookups,
 * the JVM runtime). On a shared machine a run's Mpps swing with the machine, the driver's share with them; the code's
 * time per unit of the driver's moves far less, so it is the figure to compare two builds or two programs by.
 */
final class PerfProfile
{
    /** Samples per second per thread: enough for a split to the percent in a few seconds. */
    private static final String FREQUENCY = "999";
    private static final String LCORE_THREAD = "rte-worker-";
    private static final String DRIVER_LIBRARY = "librte_net_";

    /** Shares of the lcores' samples, in percent, and how many samples they are. */
    record Split(double driver, double code, double other, long samples)
    {
        /** The forwarding code's time per unit of the driver's. */
        double codePerDriver()
        {
            return code / driver;
        }

        /** The split as a line, the forwarding code called {@code codeName}. */
        String describe(final String codeName)
        {
            return String.format(Locale.ROOT, "lcore samples: driver %.1f%%, %s %.1f%%, other %.1f%%; " +
                "code per unit of driver %.3f", driver, codeName, code, other, codePerDriver());
        }
    }

    private PerfProfile()
    {
    }

    /** {@code command} run under perf, recording into {@code data}. */
    static List<String> wrap(final List<String> command, final Path data)
    {
        final List<String> wrapped = new ArrayList<>(List.of("perf", "record", "-e", "cpu-clock", "-F", FREQUENCY,
            "-q", "-o", data.toString(), "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** testpmd's own code: its executable. */
    static boolean isTestpmdCode(final String dso)
    {
        return dso.startsWith("dpdk-testpmd");
    }

    /** Ours: the JIT's code (named through the JVM's perf map) and the C shim the bursts go through. */
    static boolean isJavaCode(final String dso)
    {
        return dso.startsWith("[JIT]") || dso.startsWith("dataplane_shim");
    }

    /**
     * The split of the recording in {@code data}.
     *
     * @param isCode which shared objects are the forwarding code.
     * @throws IOException when perf cannot read it, or it holds no lcore samples in a driver.
     */
    static Split read(final Path data, final Predicate<String> isCode) throws IOException, InterruptedException
    {
        final Process report = new ProcessBuilder("perf", "report", "-i", data.toString(), "--no-children",
            "--sort", "comm,dso", "--stdio", "--percentage", "relative", "-t", ",", "-n")
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final List<String> lines;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(report.getInputStream(),
            StandardCharsets.UTF_8)))
        {
            lines = reader.lines().toList();
        }
        if (!report.waitFor(60, TimeUnit.SECONDS))
        {
            report.destroyForcibly();
            throw new IOException("perf report of " + data + " did not finish");
        }
        final Split split = 0 == report.exitValue() ? split(lines, isCode) : null;
        if (null == split)
        {
            throw new IOException("perf report of " + data + " found no lcore samples in a driver (exit " +
                report.exitValue() + ")");
        }
        return split;
    }

    /**
     * The split of {@code perf report --sort comm,dso -t , -n} output: lines of overhead, samples, thread and shared
     * object ({@code "61.22%,4750,rte-worker-1,librte_net_pcap.so.23.0"}, padded), {@code #} comments.
     *
     * @return null when no lcore sample is in a driver.
     */
    static Split split(final List<String> reportLines, final Predicate<String> isCode)
    {
        long driver = 0;
        long code = 0;
        long other = 0;
        for (final String line : reportLines)
        {
            final String[] fields = line.split(",", 4);
            if (line.startsWith("#") || fields.length < 4 || !fields[2].trim().startsWith(LCORE_THREAD))
            {
                continue;
            }
            final long samples = Long.parseLong(fields[1].trim());
            final String dso = fields[3].trim();
            if (dso.startsWith(DRIVER_LIBRARY))
            {
                driver += samples;
            }
            else if (isCode.test(dso))
            {
                code += samples;
            }
            else
            {
                other += samples;
            }
        }
        final long total = driver + code + other;
        return 0 == driver ? null : new Split(100.0 * driver / total, 100.0 * code / total, 100.0 * other / total,
            total);
    }
}
