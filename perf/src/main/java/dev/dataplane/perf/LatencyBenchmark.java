package dev.dataplane.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import dev.dataplane.forwarder.cli.ForwarderMain;
import dev.dataplane.pktgen.cli.PktgenMain;
import dev.dataplane.pktgen.report.LatencyFiles;

/**
 * Latency through a middle box, ours against C ({@code bin/bench-latency}): pktgen sends 64-byte stamped UDP frames
 * over memif to the box and receives them back over another memif ({@link MemifWire}), at fixed rates, and reads
 * each one's latency (its TSC stamp, one clock: both ends are this machine). The boxes, one after the other in the
 * same run: {@code dpdk-testpmd --forward-mode=io}, the forwarder in io mode, and the forwarder with
 * {@code examples/redirect.rules} (the flows to 10.0.8.17:8080, so each packet is translated by its connection).
 * Prints p50, p99, p99.9 and max per box and rate, what was lost, and ours over testpmd at p99.9 (the goal:
 * within 2x), and writes the figures as JSON and, per rate, the boxes' percentile distributions on one plot
 * ({@code latency-RATE.html}: latency against percentile on HdrHistogram's log scale of nines).
 * <p>
 * With {@code --max-search STEPS} it also searches each box's highest rate without loss
 * ({@link #highestWithoutLoss}).
 * <p>
 * Usage: {@code bin/bench-latency [--seconds S (default 10)] [--warmup W (latency from second W on; default 0)]
 * [--rates 100k,1M,5M] [--max-search STEPS (default 0)] [--out DIR]}
 */
public final class LatencyBenchmark
{
    private static final List<String> BOXES = List.of("testpmd-io", "forwarder-io", "forwarder-dnat");
    /** Seconds of each run of {@link #highestWithoutLoss}'s search. */
    private static final int SEARCH_SECONDS = 4;
    /** {@link #highestWithoutLoss}: a rate passes with at most one packet in this many lost. */
    private static final long LOSS_TOLERANCE = 100_000;

    private LatencyBenchmark()
    {
    }

    /** One box at one rate: what pktgen measured, and its latency distribution. */
    private record Result(String box, String rate, PktgenSummary figures, List<double[]> distribution)
    {
        long lost()
        {
            return figures.sent() - figures.received();
        }
    }

    public static void main(final String[] args) throws Exception
    {
        int seconds = 10;
        int warmup = 0;
        int searchSteps = 0;
        List<String> rates = List.of("100k", "1M", "5M");
        Path out = Path.of("results");
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
                case "--max-search" -> searchSteps = Integer.parseInt(args[i + 1]);
                case "--rates" -> rates = List.of(args[i + 1].split(","));
                case "--out" -> out = Path.of(args[i + 1]);
                default ->
                {
                    System.err.println("bench-latency: usage: bin/bench-latency [--seconds S] [--warmup W] " +
                        "[--rates R,R...] [--max-search STEPS] [--out DIR]");
                    System.exit(2);
                }
            }
        }
        if (0 != args.length % 2 || seconds < 3 || warmup < 0 || warmup >= seconds || searchSteps < 0 ||
            searchSteps > 10)
        {
            System.err.println("bench-latency: usage: bin/bench-latency [--seconds S, 3 or more] [--warmup W, under " +
                "S] [--rates R,R...] [--max-search STEPS, 0..10]");
            System.exit(2);
        }
        Files.createDirectories(out);
        System.out.printf(Locale.ROOT, "latency benchmark: pktgen -> memif -> box -> memif -> pktgen, 64-byte UDP, " +
            "4 flows, %d s a run (latency from second %d on), no hugepages; figures in microseconds%n", seconds,
            warmup);
        System.out.printf(Locale.ROOT, "%-16s %8s %12s %10s %10s %10s %10s %10s %10s%n", "box", "rate", "sent",
            "lost", "refused", "p50", "p99", "p99.9", "max");
        final List<Result> results = new ArrayList<>();
        for (final String rate : rates)
        {
            for (final String box : BOXES)
            {
                final Result result = run(box, rate, seconds, warmup);
                results.add(result);
                LatencyFiles.writeCsv(result.distribution(), out.resolve("latency-" + box + "-" + rate + ".csv"));
                System.out.printf(Locale.ROOT, "%-16s %8s %12d %10d %10d %10.1f %10.1f %10.1f %10.1f%n", box, rate,
                    result.figures().sent(), result.lost(), result.figures().refused(), result.figures().p50() / 1e3,
                    result.figures().p99() / 1e3, result.figures().p999() / 1e3, result.figures().max() / 1e3);
            }
        }
        final StringBuilder json = new StringBuilder("{\"benchmark\":\"latency\",\"seconds\":" + seconds +
            ",\"warmup_seconds\":" + warmup + ",\"command\":" + ResultFiles.command("bin/bench-latency", args) +
            ",\"runs\":[");
        for (int i = 0; i < results.size(); i++)
        {
            final Result r = results.get(i);
            json.append(0 == i ? "" : ",").append(String.format(Locale.ROOT, "{\"box\":\"%s\",\"rate\":\"%s\"," +
                "\"sent\":%d,\"received\":%d,\"refused\":%d,\"p50_ns\":%d,\"p99_ns\":%d,\"p99_9_ns\":%d," +
                "\"max_ns\":%d}", r.box(), r.rate(), r.figures().sent(), r.figures().received(), r.figures().refused(),
                r.figures().p50(), r.figures().p99(), r.figures().p999(), r.figures().max()));
        }
        System.out.println();
        for (final String rate : rates)
        {
            final Result testpmd = find(results, "testpmd-io", rate);
            for (final String box : List.of("forwarder-io", "forwarder-dnat"))
            {
                final Result ours = find(results, box, rate);
                System.out.printf(Locale.ROOT, "%s at %s: p99.9 %.2fx testpmd's, p50 %.2fx%n", box, rate,
                    (double)ours.figures().p999() / testpmd.figures().p999(),
                    (double)ours.figures().p50() / testpmd.figures().p50());
            }
        }
        json.append("]");
        if (0 != searchSteps)
        {
            json.append(",\"max_lossless_pps\":{");
            for (int b = 0; b < BOXES.size(); b++)
            {
                final long[] bracket = highestWithoutLoss(BOXES.get(b), searchSteps);
                System.out.printf(Locale.ROOT, "%s: highest rate without loss %,d pps (%,d lost some)%n",
                    BOXES.get(b), bracket[0], bracket[1]);
                json.append(0 == b ? "" : ",").append('"').append(BOXES.get(b)).append("\":").append(bracket[0]);
            }
            json.append('}');
        }
        final Path file = out.resolve("latency.json");
        Files.writeString(file, json.append("}\n").toString());
        System.out.println("results: " + file);
        for (final String rate : rates)
        {
            // The boxes' distributions at this rate on one plot, HdrHistogram's way (latency against nines).
            final List<LatencyFiles.Series> series = results.stream().filter(r -> r.rate().equals(rate))
                .map(r -> new LatencyFiles.Series(r.box(), r.distribution())).toList();
            final Path plot = out.resolve("latency-" + rate + ".html");
            LatencyFiles.writeHtml(series, plot, "latency through the box at " + rate + " pps, 64-byte UDP over memif",
                "pktgen -> memif -> box -> memif -> pktgen; " + seconds + " s a run, latency from second " + warmup +
                " on; bin/bench-latency");
            System.out.println("plot: " + plot);
        }
    }

    /**
     * The highest rate a box carries without loss (at most one packet in {@value #LOSS_TOLERANCE} lost, so that the
     * odd packet every run loses at its start or end, testpmd's included, does not decide; nothing refused by pktgen's
     * TX ring; {@value #SEARCH_SECONDS} s runs): {@code steps} halvings of the ratio between a rate that passed and one
     * that did not, from 100 kpps and 20 Mpps.
     *
     * @return the highest rate that passed and the lowest that did not.
     */
    private static long[] highestWithoutLoss(final String box, final int steps) throws Exception
    {
        long passed = 100_000;
        long failed = 20_000_000;
        for (int step = 0; step < steps; step++)
        {
            final long rate = Math.round(Math.sqrt((double)passed * failed));
            final Result result = run(box, Long.toString(rate), SEARCH_SECONDS, 1);
            if (result.lost() * LOSS_TOLERANCE <= result.figures().sent() && 0 == result.figures().refused())
            {
                passed = rate;
            }
            else
            {
                failed = rate;
            }
        }
        return new long[] {passed, failed};
    }

    private static Result find(final List<Result> results, final String box, final String rate)
    {
        return results.stream().filter(r -> r.box().equals(box) && r.rate().equals(rate)).findFirst().orElseThrow();
    }

    /** One run: the box started, pktgen through it for {@code seconds}, the box stopped. */
    private static Result run(final String box, final String rate, final int seconds, final int warmup)
        throws Exception
    {
        final long pid = ProcessHandle.current().pid();
        try (MemifWire wire = new MemifWire())
        {
            final List<String> boxEal = wire.eal(MemifWire.MIDDLE_LCORES, "lat-box-" + pid, "server");
            final Process middle;
            if (box.startsWith("testpmd"))
            {
                final List<String> command = new ArrayList<>(List.of("dpdk-testpmd"));
                command.addAll(boxEal);
                // Its default pool (155,456 mbufs) would not fit EAL's 256 MiB; the forwarder's is 16,383.
                command.addAll(List.of("--", "--forward-mode=io", "--nb-cores=1", "--stats-period", "1",
                    "--no-lsc-interrupt", "--total-num-mbufs=16384"));
                middle = wire.start("box", command);
                wire.await(middle, "box", ".out", "Port statistics");
            }
            else
            {
                middle = wire.java("box", ForwarderMain.class.getName(), boxEal, box.endsWith("dnat") ?
                    List.of("--rules", "examples/redirect.rules", "--stats-period", "0") :
                    List.of("--forward-mode", "io", "--stats-period", "0"));
                wire.await(middle, "box", ".out", "Forwarding ");
            }
            final Path summary = wire.dir().resolve("pktgen.json");
            final Path csv = wire.dir().resolve("latency.csv");
            final Process pktgen = wire.java("pktgen", PktgenMain.class.getName(), wire.eal(MemifWire.PKTGEN_LCORES,
                "lat-gen-" + pid, "client"), List.of("--tx-port", "0", "--rx-port", "1", "--dst-ip", "10.0.8.17",
                "--dport", "8080", "--flows", "4", "--rate", rate, "--duration", Integer.toString(seconds),
                "--stats-period", "0", "--summary-json", summary.toString(), "--latency-warmup",
                Integer.toString(warmup), "--latency-csv", csv.toString()));
            if (!pktgen.waitFor(seconds + 120L, TimeUnit.SECONDS) || 0 != pktgen.exitValue())
            {
                throw new IllegalStateException("pktgen failed through " + box + " at " + rate + ": " +
                    Files.readString(wire.dir().resolve("pktgen.err")));
            }
            return new Result(box, rate, PktgenSummary.parse(Files.readString(summary)), LatencyFiles.readCsv(csv));
        }
    }
}
