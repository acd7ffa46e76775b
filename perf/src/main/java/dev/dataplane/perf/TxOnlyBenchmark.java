package dev.dataplane.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dataplane.dpdk.JvmFlags;
import dev.dataplane.pktgen.cli.PktgenMain;
import dev.dataplane.pktgen.traffic.FrameSizes;
import dev.dataplane.pktgen.traffic.Traffic;

/**
 * The generator benchmark: 64-byte (or {@code --size}) UDP frames sent by one TX lcore into a net_null vdev,
 * dpdk-testpmd in txonly mode and our pktgen ({@code --no-rx}) alternating on the same vdev, each run a separate
 * process. testpmd's txonly writes one fixed frame; ours stamps a sequence number and a time stamp into every frame
 * and updates its UDP checksum.
 * Prints each run's Mpps (median of its per-second samples after warm-up) and the median ratio.
 * <p>
 * {@code --size N} (64..1518, with the FCS as pktgen's {@code --size} counts it) sends N-byte frames: N - 4 bytes in
 * each mbuf, testpmd's {@code --txpkts} too.
 * <p>
 * Usage: {@code bin/bench-tx [--runs N] [--seconds S] [--size N] [--out DIR]}
 */
public final class TxOnlyBenchmark
{
    private static final Pattern TESTPMD_TX_PPS = Pattern.compile("^\\s*Tx-pps:\\s+(\\d+)");
    private static final Pattern OUR_TX_PPS = Pattern.compile("\"tx_pps\":([0-9.]+)");
    private static final int MIN_SECONDS = 6;
    private static final String USAGE = "bin/bench-tx [--runs N] [--seconds S] [--size 64..1518] [--out DIR]";

    private TxOnlyBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        int runs = 5;
        int seconds = 8;
        int size = FrameSizes.MIN;
        Path out = Path.of("results");
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                if (i + 1 == args.length)
                {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                final String value = args[++i];
                switch (args[i - 1])
                {
                    case "--runs" -> runs = Integer.parseInt(value);
                    case "--seconds" -> seconds = Integer.parseInt(value);
                    case "--size" -> size = Integer.parseInt(value);
                    case "--out" -> out = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i - 1]);
                }
            }
            if (runs < 1 || seconds < MIN_SECONDS || size < FrameSizes.MIN || size > FrameSizes.STANDARD_MAX)
            {
                throw new IllegalArgumentException("need --runs >= 1, --seconds >= " + MIN_SECONDS + " and --size in " +
                    FrameSizes.MIN + ".." + FrameSizes.STANDARD_MAX);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("bench-tx: error: " + ex.getMessage() + "\nusage: " + USAGE);
            System.exit(2);
            return;
        }
        Files.createDirectories(out);
        System.out.printf(Locale.ROOT, "tx-only benchmark: %d runs each of %d s, %d-byte UDP into net_null0, one " +
            "TX lcore each, 4 KiB pages (--no-huge); figures are packets sent per second%n", runs, seconds, size);
        final List<Double> testpmd = new ArrayList<>();
        final List<Double> ours = new ArrayList<>();
        try
        {
            for (int run = 1; run <= runs; run++)
            {
                final RateSampler.Run a = RateSampler.run("testpmd", testpmd(run, size),
                    out.resolve("tx-testpmd-" + run + ".log"), seconds, line -> match(TESTPMD_TX_PPS, line));
                testpmd.add(a.medianPps());
                report(run, a);
                final RateSampler.Run b = RateSampler.run("pktgen", ours(run, seconds, size), out.resolve("tx-pktgen-" +
                    run + ".log"), 0, ourParser());
                ours.add(b.medianPps());
                report(run, b);
            }
        }
        catch (final IOException ex)
        {
            System.err.println("bench-tx: error: " + ex.getMessage());
            System.exit(1);
        }
        final double t = RateSampler.median(testpmd);
        final double o = RateSampler.median(ours);
        final List<String> ratios = new ArrayList<>();
        for (int i = 0; i < runs; i++)
        {
            ratios.add(String.format(Locale.ROOT, "%.3f", ours.get(i) / testpmd.get(i)));
        }
        System.out.printf(Locale.ROOT, "%nmedian over runs: testpmd %.2f Mpps, pktgen %.2f Mpps, ratio %.3f%n" +
            "per-pair ratios: %s%n", t / 1e6, o / 1e6, o / t, ratios);
        final Path result = out.resolve("tx-only" + (FrameSizes.MIN == size ? "" : "-" + size + "B") + ".json");
        Files.writeString(result, String.format(Locale.ROOT, "{\"benchmark\":\"tx-only\",\"runs\":%d,\"seconds\":%d," +
            "\"size\":%d,\"command\":%s,\"testpmd_pps\":%s,\"pktgen_pps\":%s,\"testpmd_median_pps\":%.1f," +
            "\"pktgen_median_pps\":%.1f,\"ratio\":%.4f}%n", runs, seconds, size,
            ResultFiles.command("bin/bench-tx", args), testpmd, ours, t, o, o / t));
        System.out.println("results: " + result);
    }

    private static Double match(final Pattern pattern, final String line)
    {
        final Matcher m = pattern.matcher(line);
        return m.find() ? Double.parseDouble(m.group(1)) : null;
    }

    private static Function<String, Double> ourParser()
    {
        return line -> line.startsWith("{\"type\":\"stats\"") ? match(OUR_TX_PPS, line) : null;
    }

    private static List<String> eal(final String prefix)
    {
        return List.of("-l", "0,1", "--no-pci", "--no-huge", "-m", "256", "--file-prefix",
            prefix + "-" + ProcessHandle.current().pid(), "--vdev", "net_null0");
    }

    private static List<String> testpmd(final int run, final int size)
    {
        final List<String> command = new ArrayList<>(List.of("dpdk-testpmd"));
        command.addAll(eal("bench-txonly-testpmd-" + run));
        command.addAll(List.of("--", "--forward-mode=txonly", "--txpkts=" + (size - Traffic.FCS), "--burst=32",
            "--nb-cores=1", "--port-topology=loop", "--stats-period", "1", "--total-num-mbufs=16383",
            "--no-lsc-interrupt"));
        return command;
    }

    private static List<String> ours(final int run, final int seconds, final int size)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(JvmFlags.production());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PktgenMain.class.getName()));
        command.addAll(eal("bench-txonly-pktgen-" + run));
        command.addAll(List.of("--", "--no-rx", "--size", Integer.toString(size), "--burst", "32", "--stats-format",
            "json",
            "--duration", Integer.toString(seconds)));
        return command;
    }

    private static void report(final int run, final RateSampler.Run result)
    {
        System.out.printf(Locale.ROOT, "run %d %-8s %7.2f Mpps  (samples Mpps: %s)%n", run, result.tool(),
            result.medianPps() / 1e6, result.samplesPps().stream()
                .map(s -> String.format(Locale.ROOT, "%.1f", s / 1e6)).toList());
    }
}
