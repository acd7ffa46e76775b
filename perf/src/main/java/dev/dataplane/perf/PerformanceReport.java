package dev.dataplane.perf;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;

import dev.dataplane.net.EthernetHeader;
import dev.dataplane.pktgen.report.LatencyFiles;

/**
 * The performance report: reads the result files the end-to-end benchmarks wrote into one directory ({@code bin/report}
 * runs them all) and writes a Markdown page of dated tables, each figure with the command that produced it, and PNG
 * charts beside it ({@link ReportCharts}): Mpps by frame size, ours beside testpmd, and the latency percentiles.
 * <p>
 * The directory holds the benchmarks' {@code *.json} results, the latency runs' {@code latency-BOX-RATE.csv}
 * distributions, {@code machine.txt} ({@code name: value} lines describing the machine) and, when some benchmark
 * failed, {@code failed.txt} (one command a line). A file that is not a benchmark's result is named on the page,
 * never silently dropped.
 * <p>
 * Usage: {@code PerformanceReport --results DIR --page FILE [--date YYYY-MM-DD]}; the charts go into a directory
 * named after the page, without its {@code .md}.
 */
public final class PerformanceReport
{
    /** 10 Gb/s Ethernet: a frame takes its size plus {@link EthernetHeader#FRAMING_BYTES} of the wire. */
    private static final double TEN_GIGABIT = 10e9;
    private static final String USAGE = "PerformanceReport --results DIR [--page FILE] [--date YYYY-MM-DD]" +
        " (bin/report --from DIR runs it)";
    /** The box every other latency figure is compared with. */
    private static final String REFERENCE_BOX = "testpmd-io";

    private PerformanceReport()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        System.setProperty("java.awt.headless", "true");
        Path results = null;
        Path page = Path.of("docs", "report.md");
        LocalDate date = LocalDate.now();
        try
        {
            for (int i = 0; i < args.length; i += 2)
            {
                if (i + 1 == args.length)
                {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i])
                {
                    case "--results" -> results = Path.of(args[i + 1]);
                    case "--page" -> page = Path.of(args[i + 1]);
                    case "--date" -> date = LocalDate.parse(args[i + 1]);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (null == results)
            {
                throw new IllegalArgumentException("give the results directory");
            }
            write(results, page, date);
        }
        catch (final IllegalArgumentException | java.time.format.DateTimeParseException ex)
        {
            System.err.println("report: error: " + ex.getMessage() + "\nusage: " + USAGE);
            System.exit(2);
            return;
        }
        System.out.println("report: " + page + " (charts in " + chartDirectory(page) + ")");
    }

    /** The charts' directory: the page's path without {@code .md}. */
    public static Path chartDirectory(final Path page)
    {
        final String name = page.getFileName().toString();
        return page.resolveSibling(name.endsWith(".md") ? name.substring(0, name.length() - 3) : name + "-charts");
    }

    /**
     * Writes the page and its charts from the results in {@code results}.
     *
     * @throws IllegalArgumentException when there are no results, or a file is not JSON.
     */
    public static void write(final Path results, final Path page, final LocalDate date) throws IOException
    {
        final List<ResultFiles.Result> files = ResultFiles.read(results);
        if (files.isEmpty())
        {
            throw new IllegalArgumentException("no benchmark results (*.json) in " + results);
        }
        final Path charts = chartDirectory(page);
        Files.createDirectories(charts);
        // The charts of an earlier report go: the page is written whole, and its charts with it.
        try (DirectoryStream<Path> old = Files.newDirectoryStream(charts, "*.png"))
        {
            for (final Path png : old)
            {
                Files.delete(png);
            }
        }
        final String chartLink = charts.getFileName().toString();
        final List<JsonNode> forwarding = new ArrayList<>();
        final List<JsonNode> nat = new ArrayList<>();
        final Map<Integer, JsonNode> forwardBySize = new TreeMap<>();
        final Map<Integer, JsonNode> generateBySize = new TreeMap<>();
        final List<JsonNode> latency = new ArrayList<>();
        final List<JsonNode> seed = new ArrayList<>();
        final List<JsonNode> jmh = new ArrayList<>();
        final List<String> unknown = new ArrayList<>();
        for (final ResultFiles.Result file : files)
        {
            final JsonNode json = file.json();
            switch (json.path("benchmark").asText())
            {
                case "forward" ->
                {
                    if (json.path("copy").asBoolean())
                    {
                        forwardBySize.put(json.path("size").asInt(), json);
                    }
                    else if (json.path("nat").asBoolean())
                    {
                        nat.add(json);
                    }
                    else
                    {
                        forwarding.add(json);
                    }
                }
                case "tx-only" -> generateBySize.put(json.path("size").asInt(64), json);
                case "latency" -> latency.add(json);
                case "seed" -> seed.add(json);
                case "jmh" -> jmh.add(json);
                default -> unknown.add(file.file());
            }
        }

        final StringBuilder md = new StringBuilder();
        md.append("# Performance report\n\n");
        md.append(String.format(Locale.ROOT, "Measured on %s and written by `bin/report` from the %d result files in " +
            "`%s`. Every throughput figure is a median over alternating runs of ours and DPDK's `dpdk-testpmd` on " +
            "the same virtual devices in the same invocation, and the ratio is ours over testpmd's: these machines " +
            "are shared and their speed drifts, the ratio much less. How each figure is taken: " +
            "[performance.md](performance.md#how-the-figures-are-taken).%n%n", date, files.size(), results));
        machine(md, results.resolve("machine.txt"));
        forwardingTable(md, "Forwarding", "64-byte frames, packets forwarded per second, both directions summed.",
            sorted(forwarding));
        forwardingTable(md, "Stateful NAT, both directions", "`--nat`: clients to 10.0.8.17:8080 on port 0, the " +
            "backend's replies on port 1, through 20 rules ending in the DNAT; testpmd `5tswap`.", sorted(nat));
        frameSizes(md, forwardBySize, generateBySize, charts, chartLink);
        for (final JsonNode run : latency)
        {
            latencySection(md, run, results, charts, chartLink);
        }
        for (final JsonNode run : seed)
        {
            seedSection(md, run);
        }
        for (final JsonNode run : jmh)
        {
            jmhSection(md, run);
        }
        final Path failed = results.resolve("failed.txt");
        if (Files.exists(failed))
        {
            md.append("## Did not complete\n\n");
            for (final String line : Files.readAllLines(failed))
            {
                if (!line.isBlank())
                {
                    md.append("- `").append(line.strip()).append("`\n");
                }
            }
            md.append('\n');
        }
        if (!unknown.isEmpty())
        {
            md.append("Files in the results that are no benchmark's result, left out: ")
                .append(String.join(", ", unknown.stream().map(f -> "`" + f + "`").toList())).append(".\n");
        }
        if (null != page.getParent())
        {
            Files.createDirectories(page.getParent());
        }
        Files.writeString(page, md.toString());
    }

    /** The 10 GbE line rate for frames of {@code size} bytes (FCS included), in packets per second. */
    public static double lineRatePps(final int size)
    {
        return TEN_GIGABIT / ((size + EthernetHeader.FRAMING_BYTES) * 8.0);
    }

    private static void machine(final StringBuilder md, final Path file) throws IOException
    {
        md.append("## Machine\n\n");
        if (!Files.exists(file))
        {
            md.append("Not described (no `machine.txt` in the results).\n\n");
            return;
        }
        md.append("| | |\n|---|---|\n");
        for (final String line : Files.readAllLines(file))
        {
            final int colon = line.indexOf(':');
            if (colon > 0)
            {
                md.append("| ").append(cell(line.substring(0, colon).strip())).append(" | ")
                    .append(cell(line.substring(colon + 1).strip())).append(" |\n");
            }
        }
        md.append('\n');
    }

    /** Forwarding results in a stable order: by rules, then flows, then the rest of the name. */
    private static List<JsonNode> sorted(final List<JsonNode> results)
    {
        return results.stream().sorted(Comparator.<JsonNode>comparingInt(j -> j.path("rules").asInt())
            .thenComparingInt(j -> j.path("flows").asInt()).thenComparing(PerformanceReport::name)).toList();
    }

    /** What a forwarding result measured, in a few words. */
    static String name(final JsonNode json)
    {
        final StringBuilder name = new StringBuilder();
        final int rules = json.path("rules").asInt();
        if (0 == rules)
        {
            name.append(json.path("testpmd_mode").asText("io"));
        }
        else
        {
            name.append(rules).append(" rules");
            final int flows = json.path("flows").asInt();
            name.append(String.format(Locale.ROOT, ", %,d flow%s", flows, 1 == flows ? "" : "s"));
        }
        if (json.path("pipeline").asBoolean())
        {
            name.append(", pipeline");
        }
        if (2 == json.path("lcores").asInt(1))
        {
            name.append(", 2 lcores");
        }
        if (json.path("huge").asBoolean())
        {
            name.append(", hugepages");
        }
        if (0 != rules)
        {
            name.append(" (testpmd ").append(json.path("testpmd_mode").asText()).append(')');
        }
        return name.toString();
    }

    private static void forwardingTable(final StringBuilder md, final String title, final String caption,
        final List<JsonNode> results)
    {
        md.append("## ").append(title).append("\n\n");
        if (results.isEmpty())
        {
            md.append("Not in these results.\n\n");
            return;
        }
        md.append(caption).append("\n\n");
        md.append("| benchmark | ours Mpps | testpmd Mpps | ours / testpmd | per pair | command |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (final JsonNode json : results)
        {
            md.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f | **%.3f** | %s | `%s` |%n", name(json),
                json.path("forwarder_median_pps").asDouble() / 1e6, json.path("testpmd_median_pps").asDouble() / 1e6,
                json.path("ratio").asDouble(), pairRatios(json.path("forwarder_pps"), json.path("testpmd_pps")),
                command(json)));
        }
        md.append('\n');
    }

    /** Each run's ours over the same pair's testpmd, as the benchmark printed them. */
    private static String pairRatios(final JsonNode ours, final JsonNode testpmd)
    {
        final List<String> ratios = new ArrayList<>();
        for (int i = 0; i < Math.min(ours.size(), testpmd.size()); i++)
        {
            ratios.add(String.format(Locale.ROOT, "%.3f", ours.get(i).asDouble() / testpmd.get(i).asDouble()));
        }
        return String.join(", ", ratios);
    }

    private static void frameSizes(final StringBuilder md, final Map<Integer, JsonNode> forward,
        final Map<Integer, JsonNode> generate, final Path charts, final String chartLink) throws IOException
    {
        md.append("## Frame sizes\n\n");
        if (forward.isEmpty() && generate.isEmpty())
        {
            md.append("Not in these results.\n\n");
            return;
        }
        md.append("Sizes with the FCS, as on the wire. Forwarding: io between two net_null ports that copy every " +
            "frame's bytes in and out (`bin/bench-io --size N`); generating: pktgen beside testpmd `txonly` into " +
            "net_null (`bin/bench-tx --size N`). The 10 GbE line rate is what one 10 Gb/s port carries.\n\n");
        md.append("| size | 10 GbE line rate Mpps | forwarding: ours | testpmd io | ours / testpmd | generating: " +
            "pktgen | testpmd txonly | pktgen / testpmd |\n|---|---|---|---|---|---|---|---|\n");
        final Map<Integer, double[]> forwardBars = new TreeMap<>();
        final Map<Integer, double[]> generateBars = new TreeMap<>();
        final Set<Integer> sizes = new TreeSet<>(forward.keySet());
        sizes.addAll(generate.keySet());
        for (final int size : sizes)
        {
            final JsonNode f = forward.get(size);
            final JsonNode g = generate.get(size);
            md.append(String.format(Locale.ROOT, "| %d | %.2f | %s | %s |%n", size, lineRatePps(size) / 1e6,
                sizeCells(f, "forwarder_median_pps"), sizeCells(g, "pktgen_median_pps")));
            if (null != f)
            {
                forwardBars.put(size, new double[] {f.path("forwarder_median_pps").asDouble() / 1e6,
                    f.path("testpmd_median_pps").asDouble() / 1e6, lineRatePps(size) / 1e6});
            }
            if (null != g)
            {
                generateBars.put(size, new double[] {g.path("pktgen_median_pps").asDouble() / 1e6,
                    g.path("testpmd_median_pps").asDouble() / 1e6, lineRatePps(size) / 1e6});
            }
        }
        // One line a command with N for the size, in place of one a size.
        final Set<String> commands = new LinkedHashSet<>();
        forward.values().forEach(j -> commands.add("`" + command(j).replaceAll("--size \\d+", "--size N") + "`"));
        generate.values().forEach(j -> commands.add("`" + command(j).replaceAll("--size \\d+", "--size N") + "`"));
        md.append("\nCommands, for each size N: ").append(String.join(", ", commands)).append(".\n\n");
        if (!forwardBars.isEmpty())
        {
            ReportCharts.frameSizes(forwardBars, List.of("forwarder io", "testpmd io", "10 GbE line rate"),
                "Forwarding by frame size (net_null, frames copied)", charts.resolve("frame-sizes-forward.png"));
            md.append("![Forwarding by frame size](").append(chartLink).append("/frame-sizes-forward.png)\n\n");
        }
        if (!generateBars.isEmpty())
        {
            ReportCharts.frameSizes(generateBars, List.of("pktgen", "testpmd txonly", "10 GbE line rate"),
                "Generating by frame size (net_null)", charts.resolve("frame-sizes-generate.png"));
            md.append("![Generating by frame size](").append(chartLink).append("/frame-sizes-generate.png)\n\n");
        }
    }

    /** Ours, testpmd's and the ratio for one size, or three dashes when it was not run. */
    private static String sizeCells(final JsonNode json, final String ours)
    {
        if (null == json)
        {
            return "- | - | -";
        }
        return String.format(Locale.ROOT, "%.2f | %.2f | **%.3f**", json.path(ours).asDouble() / 1e6,
            json.path("testpmd_median_pps").asDouble() / 1e6, json.path("ratio").asDouble());
    }

    private static void latencySection(final StringBuilder md, final JsonNode json, final Path results,
        final Path charts, final String chartLink) throws IOException
    {
        md.append("## Latency through the box\n\n");
        md.append(String.format(Locale.ROOT, "pktgen -> memif -> box -> memif -> pktgen, 64-byte UDP, %d s a run, " +
            "latency from second %d on, in microseconds; the ratio is the box's p99.9 over testpmd io's at the " +
            "same rate. Command: `%s`.%n%n", json.path("seconds").asInt(), json.path("warmup_seconds").asInt(),
            command(json)));
        final Map<String, List<JsonNode>> byRate = new LinkedHashMap<>();
        for (final JsonNode run : json.path("runs"))
        {
            byRate.computeIfAbsent(run.path("rate").asText(), r -> new ArrayList<>()).add(run);
        }
        for (final Map.Entry<String, List<JsonNode>> rate : byRate.entrySet())
        {
            double reference = Double.NaN;
            for (final JsonNode run : rate.getValue())
            {
                if (REFERENCE_BOX.equals(run.path("box").asText()))
                {
                    reference = run.path("p99_9_ns").asDouble();
                }
            }
            final List<LatencyFiles.Series> series = new ArrayList<>();
            md.append("| rate | box | sent | lost | p50 | p99 | p99.9 | max | p99.9 / testpmd io |\n");
            md.append("|---|---|---|---|---|---|---|---|---|\n");
            for (final JsonNode run : rate.getValue())
            {
                final String box = run.path("box").asText();
                final long sent = run.path("sent").asLong();
                md.append(String.format(Locale.ROOT, "| %s | %s | %,d | %,d | %.1f | %.1f | %.1f | %.1f | %s |%n",
                    rate.getKey(), box, sent, sent - run.path("received").asLong(), run.path("p50_ns").asDouble() / 1e3,
                    run.path("p99_ns").asDouble() / 1e3, run.path("p99_9_ns").asDouble() / 1e3,
                    run.path("max_ns").asDouble() / 1e3, Double.isNaN(reference) ? "-" :
                        String.format(Locale.ROOT, "%.2f", run.path("p99_9_ns").asDouble() / reference)));
                final Path csv = results.resolve("latency-" + box + "-" + rate.getKey() + ".csv");
                if (Files.exists(csv))
                {
                    series.add(new LatencyFiles.Series(box, LatencyFiles.readCsv(csv)));
                }
            }
            if (!series.isEmpty())
            {
                final String png = "latency-" + rate.getKey() + ".png";
                ReportCharts.latency(series, REFERENCE_BOX, "Latency at " + rate.getKey() +
                    " pps (64-byte UDP over memif)", charts.resolve(png));
                md.append("\n![Latency at ").append(rate.getKey()).append(" pps](").append(chartLink).append('/')
                    .append(png).append(")\n");
            }
            md.append('\n');
        }
        final JsonNode lossless = json.path("max_lossless_pps");
        if (lossless.isObject())
        {
            md.append("Highest rate without loss (at most one packet in 100,000 lost, nothing refused): ");
            final List<String> boxes = new ArrayList<>();
            lossless.properties().forEach(e -> boxes.add(String.format(Locale.ROOT, "%s %.2f Mpps", e.getKey(),
                e.getValue().asDouble() / 1e6)));
            md.append(String.join(", ", boxes)).append(".\n");
        }
        md.append('\n');
    }

    /** /proc/stat's columns in {@code bin/bench-seed}'s CPU samples. */
    private static final int USER = 0;
    private static final int NICE = 1;
    private static final int SYSTEM = 2;
    private static final int IRQ = 5;
    private static final int SOFTIRQ = 6;

    private static void seedSection(final StringBuilder md, final JsonNode json)
    {
        md.append("## The seed experiment: nftables, XDP and the forwarder\n\n");
        md.append(String.format(Locale.ROOT, "One UDP transfer of %,d bytes from the client 10.0.8.18 to " +
            "10.0.8.17:8080, redirected to the server 10.0.1.2:8083, between network namespaces: `routed` is the " +
            "kernel routing with no NAT (the client sends to 10.0.1.2:8083), the baseline; `nft` the kernel's " +
            "nftables DNAT; `xdp` an XDP program on the router's veth rewriting and redirecting one way; `forwarder` " +
            "ours on two net_tap ports with examples/redirect.rules, `forwarder-afp` the same on net_af_packet " +
            "ports bound to the router's veths. CPU is the whole machine's (/proc/stat, both " +
            "CPUs, the sender and receiver included) from the sender's start to its end, per GB received. " +
            "Command: `%s`.%n%n", json.path("bytes").asLong(), command(json)));
        md.append("| box | rate | sent MB | received MB | lost | goodput Gb/s | CPU s per GB | user | system | " +
            "softirq |\n|---|---|---|---|---|---|---|---|---|---|\n");
        final Map<String, double[]> cpuByWayAndPace = new LinkedHashMap<>();
        for (final JsonNode run : json.path("runs"))
        {
            final JsonNode send = run.path("send");
            final JsonNode recv = run.path("recv");
            final double received = recv.path("bytes").asDouble();
            final double ticks = run.path("clock_ticks").asDouble(100);
            final double gigabytes = received / 1e9;
            final double user = delta(run, USER) + delta(run, NICE);
            final double system = delta(run, SYSTEM) + delta(run, IRQ);
            final double softirq = delta(run, SOFTIRQ);
            final double perGb = (user + system + softirq) / ticks / gigabytes;
            final long sentDatagrams = send.path("datagrams").asLong();
            final double lost = 0 == sentDatagrams ? 0 : 1 - recv.path("distinct").asDouble() / sentDatagrams;
            final long rate = run.path("rate_bps").asLong();
            final double seconds = recv.path("seconds").asDouble();
            md.append(String.format(Locale.ROOT, "| %s | %s | %.1f | %.1f | %.2f%% | %s | %s | %s | %s | %s |%n",
                run.path("way").asText(), 0 == rate ? "unpaced" : String.format(Locale.ROOT, "%.2f Gb/s", rate / 1e9),
                send.path("bytes").asDouble() / 1e6, received / 1e6, 100 * lost,
                seconds > 0 ? String.format(Locale.ROOT, "%.2f", received * 8 / seconds / 1e9) : "-",
                perGigabyte(perGb), perGigabyte(user / ticks / gigabytes), perGigabyte(system / ticks / gigabytes),
                perGigabyte(softirq / ticks / gigabytes)));
            cpuByWayAndPace.put(run.path("way").asText() + (0 == rate ? "-unpaced" : "-paced"),
                new double[] {perGb, seconds > 0 ? received * 8 / seconds / 1e9 : 0});
        }
        md.append('\n');
        final JsonNode highest = json.path("highest_bps_within_0.1%_loss");
        if (highest.isObject() && !highest.isEmpty())
        {
            final List<String> ways = new ArrayList<>();
            highest.properties().forEach(e -> ways.add(String.format(Locale.ROOT, "%s %.2f Gb/s", e.getKey(),
                e.getValue().asDouble() / 1e9)));
            md.append("Highest rate offered with at most 0.1% lost (the unpaced sender's own rate for a box that " +
                "lost no more unpaced; otherwise found by halving, with transfers a quarter the size): ")
                .append(String.join(", ", ways)).append(".\n\n");
        }
        final double[] nft = cpuByWayAndPace.get("nft-paced");
        final double[] nftFast = cpuByWayAndPace.get("nft-unpaced");
        for (final String way : List.of("forwarder", "forwarder-afp"))
        {
            final double[] ours = cpuByWayAndPace.get(way + "-paced");
            final double[] oursFast = cpuByWayAndPace.get(way + "-unpaced");
            if (null != ours && null != nft && null != oursFast && null != nftFast)
            {
                md.append(String.format(Locale.ROOT, "`%s` busy-polls a CPU whatever the load: at the paced rate it " +
                    "cost %.2f CPU s per GB against nftables' %.2f (%.1fx); unpaced, %.2f against %.2f, at %.2f " +
                    "against %.2f Gb/s of goodput.%n%n", way, ours[0], nft[0], ours[0] / nft[0], oursFast[0],
                    nftFast[0], oursFast[1], nftFast[1]));
            }
        }
    }

    /** The rules path per packet with no driver: {@code RulesPathBenchmark}'s steps by tracking and flows. */
    private static void jmhSection(final StringBuilder md, final JsonNode json)
    {
        md.append("## Per packet, without the drivers (JMH)\n\n");
        md.append(String.format(Locale.ROOT, "The rules path of `bin/bench-io --rules 20` (its 64-byte UDP frame to " +
            "the DNAT address) on real mbufs, no driver: ns a packet, +- JMH's 99.9%% error. `restore` is the " +
            "benchmark's own copy of each frame, part of every other figure; `process` the whole path. 10,000 " +
            "flows: each frame one of 10,000 drawn at random, established connections, in a table sized as " +
            "`bin/bench-io` sizes it (what the table costs once it outgrows the caches; `restore` gives each its " +
            "source). Stateful, every packet new: each a new connection through the NAT, tracked, bound, translated " +
            "and swept. Command: `%s`.%n%n", command(json)));
        final Map<String, double[]> scores = new LinkedHashMap<>();
        final Set<String> steps = new LinkedHashSet<>();
        for (final JsonNode result : json.path("results"))
        {
            final JsonNode params = result.path("params");
            final String step = params.path("step").asText();
            steps.add(step);
            scores.put(step + "/" + params.path("conntrack").asText() + "/" + params.path("flows").asText(),
                new double[] {result.path("primaryMetric").path("score").asDouble(),
                    result.path("primaryMetric").path("scoreError").asDouble()});
        }
        final List<String> columns = List.of("off/1", "on/1", "off/10000", "on/10000", "off/new", "on/new");
        md.append("| step | stateless, one flow | stateful, one flow | stateless, 10,000 flows | stateful, 10,000 " +
            "flows | stateless, every packet new | stateful, every packet new |\n|---|---|---|---|---|---|---|\n");
        for (final String step : steps)
        {
            md.append("| ").append(step);
            for (final String column : columns)
            {
                final double[] score = scores.get(step + "/" + column);
                md.append(" | ").append(null == score ? "-" : Double.isNaN(score[1]) ?
                    String.format(Locale.ROOT, "%.1f", score[0]) :
                    String.format(Locale.ROOT, "%.1f +- %.1f", score[0], score[1]));
            }
            md.append(" |\n");
        }
        md.append('\n');
        final double[] newConnection = scores.get("process/on/new");
        final double[] newRestore = scores.get("restore/on/new");
        final double[] stateful = scores.get("process/on/1");
        final double[] stateless = scores.get("process/off/1");
        if (null != newConnection && null != newRestore)
        {
            final double nanos = newConnection[0] - newRestore[0];
            md.append(String.format(Locale.ROOT, "New connections on one lcore: %.0f ns each (process less " +
                "restore), **%.2f M a second**.", nanos, 1e3 / nanos));
            if (null != stateful && null != stateless)
            {
                md.append(String.format(Locale.ROOT, " An established connection's packet: %.1f ns stateful " +
                    "against %.1f stateless.", stateful[0], stateless[0]));
            }
            final double[] manyFlows = scores.get("process/on/10000");
            final double[] manyRestore = scores.get("restore/on/10000");
            final double[] oneRestore = scores.get("restore/on/1");
            if (null != stateful && null != manyFlows && null != manyRestore && null != oneRestore)
            {
                md.append(String.format(Locale.ROOT, " At 10,000 connections: %.1f ns less restore, against %.1f " +
                    "at one.", manyFlows[0] - manyRestore[0], stateful[0] - oneRestore[0]));
            }
            md.append("\n\n");
        }
    }

    /** One of /proc/stat's columns, after less before. */
    private static double delta(final JsonNode run, final int column)
    {
        return run.path("cpu_after").path(column).asDouble() - run.path("cpu_before").path(column).asDouble();
    }

    private static String perGigabyte(final double seconds)
    {
        return Double.isFinite(seconds) ? String.format(Locale.ROOT, "%.2f", seconds) : "-";
    }

    /**
     * The command that produced a result, as a user would type it again: without the {@code --out DIR} that
     * {@code bin/report} adds (the results then go to {@code results/}).
     */
    static String command(final JsonNode json)
    {
        final String command = json.path("command").asText("");
        return command.isEmpty() ? "(not recorded)" : command.replaceAll(" --out (?:'[^']*'|\\S+)", "");
    }

    /** A table cell's text: no pipe, no line break. */
    private static String cell(final String text)
    {
        return text.replace("|", "\\|").replace('\n', ' ');
    }
}
