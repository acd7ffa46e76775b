package dev.dataplane.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dataplane.dpdk.JvmFlags;
import dev.dataplane.forwarder.cli.ForwarderMain;
import dev.dataplane.forwarder.rules.RuleSets;
import dev.dataplane.forwarder.rules.flow.FlowCache;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.pcap.PcapWriter;
import dev.dataplane.pktgen.traffic.FrameSizes;
import dev.dataplane.pktgen.traffic.Traffic;

/**
 * The io-forwarding benchmark: dpdk-testpmd (io mode) and our forwarder, each alone on the same two net_null
 * vdevs, with the same burst and one forwarding lcore, alternating A B A B..., each run a separate process.
 * Prints each run's Mpps (median of its per-second samples after warm-up, both directions summed) and the median
 * of ours over the median of testpmd's.
 * <p>
 * Usage: {@code bin/bench-io [--runs N] [--seconds S] [--burst B] [--mode io|mac|macswap] [--huge] [--out DIR]
 * [--size 64..1518] [--rules N [--pipeline] [--conntrack auto|on|off] --testpmd-mode 5tswap] [--profile]}
 * <p>
 * {@code --size N} gives the frames N bytes with the FCS (N - 4 in the mbuf), and has net_null copy each frame's
 * bytes in on RX and out on TX ({@code copy=1}), so that a larger frame costs what moving it would; without it
 * net_null's frames are 64 bytes that nothing copies.
 * <p>
 * {@code --rules N} runs ours with N rules (N - 1 over other addresses and ports, then the DNAT rule of
 * examples/redirect.rules) on 64-byte UDP frames to the DNAT address, which both ports replay from a pcap
 * (net_pcap {@code infinite_rx}, TX dropped), and testpmd in {@code --testpmd-mode} (macswap or 5tswap, which
 * also touch headers) on the same devices. {@code --pipeline} runs ours in pipeline mode on two worker lcores
 * (EAL {@code --lcores 0@0,1@1,2@0}: the RX lcore alone on CPU 1, the stage lcore on CPU 0 with the main lcore;
 * TX on the RX lcore with {@code --huge}, on the stage lcore without, the forwarder's default for the pages);
 * testpmd keeps its one forwarding lcore. {@code --lcores 2} runs both on two forwarding lcores (the same EAL lcores)
 * with two RX queues a port, each queue replaying half the flows (flow i on queue i % 2, as RSS would spread them,
 * by nothing the forwarder's connection owners know of, so about half the packets land on the lcore that does not
 * hold their connection and are handed to the one that does).
 * The DNAT rule makes the forwarder track connections (its default,
 * {@code --conntrack auto}); {@code --conntrack off} measures the stateless path, the flow cache's.
 * <p>
 * By default both run with {@code --no-huge} (4 KiB pages, as on machines without hugepages). {@code --huge} uses
 * the hugepages the operator reserved (e.g. {@code echo 256 > /proc/sys/vm/nr_hugepages} and hugetlbfs mounted on
 * /dev/hugepages), as production does; the benchmark reserves nothing itself.
 * <p>
 * {@code --profile} runs both under Linux perf and prints, per run, how the forwarding lcores' time splits between
 * the driver and the forwarding code ({@link PerfProfile}), and the medians of the code's time per unit of the
 * driver's: the figure that stays put when the machine's speed does not.
 */
public final class IoForwardBenchmark
{
    /** Packets forwarded: what each tool sent, per second (a pipeline may receive more than it forwards). */
    private static final Pattern TESTPMD_TX_PPS = Pattern.compile("^\\s*Tx-pps:\\s+(\\d+)");
    private static final Pattern OUR_ALL_TX_PPS =
        Pattern.compile("\"all\":\\{\"port\":-1,\"rx_pps\":[0-9.]+,\"tx_pps\":([0-9.]+)");
    /** Pipeline: lcore 1 receives on CPU 1, lcore 2 runs the stages on CPU 0 beside the idle main lcore. */
    /** EAL lcores for two workers on two CPUs: the second beside the main lcore (and the JVM's threads) on CPU 0. */
    private static final String TWO_WORKER_LCORES = "0@0,1@1,2@0";

    /** Flows in the replayed pcap unless {@code --flows} says otherwise. */
    private static final int DEFAULT_FLOWS = 256;
    /**
     * The most {@code --flows}: sources 198.18.0.1 on, in the benchmarking range (RFC 2544, 198.18.0.0/15), each
     * address with up to 8 source ports.
     */
    private static final int MAX_FLOWS = 1 << 20;
    private static final int SOURCES = 1 << 17;
    /** {@code --nat}: the service's address and port, and its backend's (examples/redirect.rules). */
    private static final String VIP = "10.0.8.17";
    private static final int VIP_PORT = 8080;
    private static final String BACKEND = "10.0.1.2";
    private static final int BACKEND_PORT = 8083;
    /** {@code --nat}: the connection table holds at least this many (the forwarder's default). */
    private static final int MIN_TABLE = 262_144;
    /** testpmd runs this long after its first rate (ours as long); less 2 warm-up samples, 6 s keeps 4. */
    private static final int MIN_SECONDS = 6;
    private static final String USAGE = "bin/bench-io [--runs N] [--seconds S] [--burst B] [--mode io|mac|macswap]" +
        " [--size 64..1518] [--huge] [--rules N [--pipeline | --lcores 1|2] [--flows N] [--flow-cache N]" +
        " [--conntrack auto|on|off]" +
        " [--nat]" +
        " --testpmd-mode macswap|5tswap] [--out DIR]" +
        " [--profile]";

    /** One benchmark's settings, fixed before the first run. */
    private record Setup(int runs, int seconds, int burst, String mode, String testpmdMode, boolean huge,
        List<String> vdevs, Path rulesFile, boolean pipeline, boolean profile, Path out, int flows, int flowCache,
        String conntrack, boolean nat, int lcores, int rules, int size, String command)
    {
        /** EAL's lcores for either tool: the main lcore and one forwarding lcore, or two on this 2-CPU machine. */
        String ealLcores()
        {
            return pipeline || 2 == lcores ? TWO_WORKER_LCORES : "0,1";
        }

        int maxFlows()
        {
            return tableConnections(flows);
        }

        /**
         * Mbufs for either tool: 8191, plus the frames each replaying port keeps (net_pcap's {@code infinite_rx}
         * holds the whole file in mbufs of the pool).
         */
        int mbufs()
        {
            return null == rulesFile || flows <= DEFAULT_FLOWS ? 8191 : 8191 + 2 * flows;
        }

        /**
         * EAL memory in MiB: 256, or 4 KiB for each of {@link #mbufs} and 128 MiB for the rest. (2.5 KiB each, about
         * what an mbuf takes, left testpmd unable to create its pool of 139,263 for 65,536 flows without hugepages.)
         */
        int memoryMegabytes()
        {
            return Math.max(256, 128 + mbufs() * 4 / 1024);
        }

        String pages()
        {
            return huge ? "hugepages" : "4 KiB pages (--no-huge)";
        }
    }

    private IoForwardBenchmark()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        try
        {
            run(args);
        }
        catch (final IOException ex)
        {
            System.err.println("bench-io: error: " + ex.getMessage());
            System.exit(1);
        }
    }

    private static void run(final String[] args) throws IOException, InterruptedException
    {
        final Setup setup;
        try
        {
            setup = parse(args);
        }
        catch (final IllegalArgumentException ex)
        {
            System.err.println("bench-io: error: " + ex.getMessage() + "\nusage: " + USAGE);
            System.exit(2);
            return;
        }
        System.out.printf(Locale.ROOT,
            "forwarding benchmark: %d runs each of %d s, %s, burst %d, mode %s (testpmd %s), %s, " +
            "%s; figures are packets forwarded per second, both directions summed%n",
            setup.runs(), setup.seconds(), String.join(" <-> ", setup.vdevs()), setup.burst(), setup.mode(),
            setup.testpmdMode(), setup.pipeline() ? "ours: pipeline on 2 worker lcores (RX on CPU 1, rules on " +
                "CPU 0 beside the main lcore and the JVM, TX on the " + (setup.huge() ? "RX" : "rules") +
                " lcore), testpmd: 1 forwarding lcore" : 2 == setup.lcores() ?
                "2 forwarding lcores and 2 RX queues a port each (CPU 1, and CPU 0 beside the main lcore)" :
                "1 forwarding lcore each",
            setup.pages());
        final Side testpmdSide = new Side("testpmd", "testpmd", PerfProfile::isTestpmdCode);
        final Side ourSide = new Side("forwarder", "compiled Java", PerfProfile::isJavaCode);
        final List<Double> testpmd = testpmdSide.rates();
        final List<Double> ours = ourSide.rates();
        for (int run = 1; run <= setup.runs(); run++)
        {
            runSide(setup, run, testpmdSide, testpmdCommand(setup, run), setup.seconds(), testpmdParser());
            runSide(setup, run, ourSide, ourCommand(setup, run), 0, ourParser());
        }
        final double testpmdMedian = RateSampler.median(testpmd);
        final double ourMedian = RateSampler.median(ours);
        final double ratio = ourMedian / testpmdMedian;
        System.out.printf(Locale.ROOT, "%nmedian over runs: testpmd %.2f Mpps, forwarder %.2f Mpps, ratio %.3f%n",
            testpmdMedian / 1e6, ourMedian / 1e6, ratio);
        final List<String> ratios = new ArrayList<>();
        for (int i = 0; i < setup.runs(); i++)
        {
            ratios.add(String.format(Locale.ROOT, "%.3f", ours.get(i) / testpmd.get(i)));
        }
        System.out.println("per-pair ratios: " + ratios);
        String profile = "";
        if (setup.profile())
        {
            System.out.printf(Locale.ROOT, "median code time per unit of driver time: testpmd %.3f, forwarder %.3f%n",
                RateSampler.median(testpmdSide.codePerDriver()), RateSampler.median(ourSide.codePerDriver()));
            profile = String.format(Locale.ROOT, ",\"testpmd_code_per_driver\":%s,\"forwarder_code_per_driver\":%s",
                testpmdSide.codePerDriver(), ourSide.codePerDriver());
        }
        final String json = String.format(Locale.ROOT, "{\"benchmark\":\"forward\",\"pages\":\"%s\"," +
            "\"pipeline\":%s,\"lcores\":%d,\"mode\":\"%s\",\"testpmd_mode\":\"%s\",\"burst\":%d,\"runs\":%d," +
            "\"seconds\":%d,\"rules\":%d,\"flows\":%d,\"nat\":%s,\"size\":%d,\"copy\":%s,\"huge\":%s,\"command\":%s," +
            "\"testpmd_pps\":%s,\"forwarder_pps\":%s,\"testpmd_median_pps\":%.1f,\"forwarder_median_pps\":%.1f," +
            "\"ratio\":%.4f%s}%n", setup.pages(), setup.pipeline(), setup.lcores(), setup.mode(), setup.testpmdMode(),
            setup.burst(), setup.runs(), setup.seconds(), setup.rules(), setup.flows(), setup.nat(),
            0 == setup.size() ? FrameSizes.MIN : setup.size(), 0 != setup.size(), setup.huge(), setup.command(),
            testpmd, ours, testpmdMedian, ourMedian, ratio, profile);
        final Path result = setup.out().resolve("forward-" + (null == setup.rulesFile() ? setup.mode() :
            setup.rulesFile().getFileName().toString().replace(".rules", "")) + (setup.pipeline() ? "-pipeline" : "") +
            (DEFAULT_FLOWS == setup.flows() ? "" : "-" + setup.flows() + "flows") +
            (0 == setup.flowCache() ? "" : "-cache" + setup.flowCache()) +
            (null == setup.conntrack() ? "" : "-conntrack-" + setup.conntrack()) + (setup.nat() ? "-nat" : "") +
            (2 == setup.lcores() ? "-2lcores" : "") + (0 == setup.size() ? "" : "-" + setup.size() + "B") +
            (setup.huge() ? "-huge" : "") + ".json");
        Files.writeString(result, json);
        System.out.println("results: " + result);
    }

    private static Setup parse(final String[] args) throws IOException
    {
        int runs = 3;
        int seconds = 8;
        int burst = 32;
        String mode = "io";
        String testpmdMode = null;
        Path out = Path.of("results");
        boolean huge = false;
        boolean pipeline = false;
        boolean profile = false;
        int ruleCount = 0;
        int flows = DEFAULT_FLOWS;
        int flowCache = 0;
        String conntrack = null;
        boolean nat = false;
        int lcores = 1;
        int size = 0;
        for (int i = 0; i < args.length; i++)
        {
            final String option = args[i];
            if (option.equals("--huge"))
            {
                huge = true;
                continue;
            }
            if (option.equals("--pipeline"))
            {
                pipeline = true;
                continue;
            }
            if (option.equals("--profile"))
            {
                profile = true;
                continue;
            }
            if (option.equals("--nat"))
            {
                nat = true;
                continue;
            }
            if (i + 1 == args.length)
            {
                throw new IllegalArgumentException(option + " needs a value");
            }
            final String value = args[++i];
            switch (option)
            {
                case "--runs" -> runs = number(option, value);
                case "--seconds" -> seconds = number(option, value);
                case "--burst" -> burst = number(option, value);
                case "--rules" -> ruleCount = number(option, value);
                case "--flows" -> flows = number(option, value);
                case "--flow-cache" -> flowCache = number(option, value);
                case "--conntrack" -> conntrack = value;
                case "--lcores" -> lcores = number(option, value);
                case "--size" -> size = number(option, value);
                case "--mode" -> mode = value;
                case "--testpmd-mode" -> testpmdMode = value;
                case "--out" -> out = Path.of(value);
                default -> throw new IllegalArgumentException("unknown argument " + option);
            }
        }
        if ((pipeline || DEFAULT_FLOWS != flows || 0 != flowCache || null != conntrack || nat) && 0 == ruleCount)
        {
            throw new IllegalArgumentException("--pipeline, --flows, --flow-cache, --conntrack and --nat go with the " +
                "rules: give --rules N");
        }
        if (0 != size && (size < FrameSizes.MIN || size > FrameSizes.STANDARD_MAX || 0 != ruleCount))
        {
            throw new IllegalArgumentException("--size is a frame size in " + FrameSizes.MIN + ".." +
                FrameSizes.STANDARD_MAX + " and goes without --rules (the rules replay 64-byte frames): " + size);
        }
        if (nat && null != conntrack && !conntrack.equals("on"))
        {
            throw new IllegalArgumentException("--nat tracks connections: --conntrack " + conntrack +
                " contradicts it");
        }
        if (lcores < 1 || lcores > 2 || (2 == lcores && (0 == ruleCount || pipeline || flows < 2)))
        {
            throw new IllegalArgumentException("--lcores is 1 or 2; 2 goes with --rules, two flows or more, and no " +
                "--pipeline: " + lcores);
        }
        if (null != conntrack && !List.of("auto", "on", "off").contains(conntrack))
        {
            throw new IllegalArgumentException("--conntrack must be auto, on or off: " + conntrack);
        }
        if (flows < 1 || flows > MAX_FLOWS)
        {
            throw new IllegalArgumentException("--flows must be in 1.." + MAX_FLOWS + ": " + flows);
        }
        if (0 != flowCache && !FlowCache.isValidSize(flowCache))
        {
            throw new IllegalArgumentException("--flow-cache must be " + FlowCache.SIZE_RULE + ": " + flowCache);
        }
        if (runs < 1 || seconds < MIN_SECONDS || burst < 1 || burst > 512 || ruleCount < 0)
        {
            throw new IllegalArgumentException("need --runs >= 1, --seconds >= " + MIN_SECONDS +
                ", --burst in 1..512, --rules >= 0");
        }
        Files.createDirectories(out);
        // net_null copies each frame's bytes in and out (copy=1) when a size is given, so the size costs what it would.
        final String copied = ",size=" + (size - Traffic.FCS) + ",copy=1";
        List<String> vdevs = 0 == size ? List.of("net_null0", "net_null1") :
            List.of("net_null0" + copied, "net_null1" + copied);
        Path rulesFile = null;
        if (ruleCount > 0)
        {
            vdevs = pcapVdevs(out, flows, nat, lcores);
            rulesFile = out.resolve("bench-" + (nat ? "nat-" : "") + ruleCount + ".rules");
            // The NAT's server side opens nothing: a reply that comes before its connection is dropped, not tracked.
            Files.writeString(rulesFile, (nat ? "server-side-new: in-port 1 ct-state new => drop\n" : "") +
                RuleSets.mixedRules(ruleCount));
        }
        return new Setup(runs, seconds, burst, null == rulesFile ? mode : "rules",
            null != testpmdMode ? testpmdMode : mode, huge, vdevs, rulesFile, pipeline, profile, out, flows,
            flowCache, nat ? "on" : conntrack, nat, lcores, ruleCount, size, ResultFiles.command("bin/bench-io", args));
    }

    private static int number(final String option, final String value)
    {
        try
        {
            return Integer.parseInt(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(option + " wants a number, not '" + value + "'", ex);
        }
    }

    private static void report(final int run, final RateSampler.Run result)
    {
        System.out.printf(Locale.ROOT, "run %d %-9s %7.2f Mpps  (samples Mpps: %s)%n", run, result.tool(),
            result.medianPps() / 1e6, result.samplesPps().stream()
                .map(s -> String.format(Locale.ROOT, "%.1f", s / 1e6)).toList());
    }

    /**
     * One side of the comparison and what its runs gave: Mpps, and when profiled its code's time per unit of the
     * driver's.
     */
    private record Side(String tool, String codeName, Predicate<String> isCode, List<Double> rates,
        List<Double> codePerDriver)
    {
        Side(final String tool, final String codeName, final Predicate<String> isCode)
        {
            this(tool, codeName, isCode, new ArrayList<>(), new ArrayList<>());
        }
    }

    /** One run of one side: its rate and, when profiling, its profile's split, recorded and printed. */
    private static void runSide(final Setup setup, final int run, final Side side, final List<String> command,
        final int interruptAfterSeconds, final Function<String, Double> parser)
        throws IOException, InterruptedException
    {
        final Path data = setup.out().resolve("perf-" + side.tool() + "-" + run + ".data");
        final RateSampler.Run result = RateSampler.run(side.tool(), profiled(setup, command, data),
            setup.out().resolve("io-" + side.tool() + "-" + run + ".log"), interruptAfterSeconds, parser);
        side.rates().add(result.medianPps());
        report(run, result);
        if (setup.profile())
        {
            final PerfProfile.Split split = PerfProfile.read(data, side.isCode());
            System.out.println("      " + split.describe(side.codeName()));
            side.codePerDriver().add(split.codePerDriver());
        }
    }

    /** {@code command} under perf when profiling, recording into {@code data}; else as it is. */
    private static List<String> profiled(final Setup setup, final List<String> command, final Path data)
    {
        return setup.profile() ? PerfProfile.wrap(command, data) : command;
    }

    private static List<String> eal(final Setup setup, final String prefix, final String lcores)
    {
        final List<String> args = new ArrayList<>(List.of("--lcores", lcores, "--no-pci", "-m",
            Integer.toString(setup.memoryMegabytes()),
            "--file-prefix", prefix + "-" + ProcessHandle.current().pid()));
        for (final String vdev : setup.vdevs())
        {
            args.add("--vdev");
            args.add(vdev);
        }
        if (!setup.huge())
        {
            args.add("--no-huge");
        }
        return args;
    }

    private static List<String> testpmdCommand(final Setup setup, final int run)
    {
        final List<String> command = new ArrayList<>(List.of("dpdk-testpmd"));
        command.addAll(eal(setup, "bench-testpmd-" + run, 2 == setup.lcores() ? TWO_WORKER_LCORES : "0,1"));
        command.addAll(List.of("--", "--forward-mode=" + setup.testpmdMode(), "--burst=" + setup.burst(),
            "--nb-cores=" + setup.lcores(), "--rxq=" + setup.lcores(), "--txq=" + setup.lcores(), "--stats-period", "1",
            "--total-num-mbufs=" + setup.mbufs(), "--no-lsc-interrupt"));
        return command;
    }

    /**
     * Connections the forwarder's table holds for {@code flows} flows (its {@code --max-flows}): room for every flow,
     * a quarter spare, a power of two, and the default table at least.
     */
    public static int tableConnections(final int flows)
    {
        return Math.max(MIN_TABLE, Integer.highestOneBit(flows + flows / 4 - 1) << 1);
    }

    private static List<String> ourCommand(final Setup setup, final int run)
    {
        final List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(JvmFlags.production());
        if (setup.profile())
        {
            // perf names the JIT's code by the map the JVM writes on exit.
            command.addAll(List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:+DumpPerfMapAtExit"));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), ForwarderMain.class.getName()));
        command.addAll(eal(setup, "bench-forwarder-" + run, setup.ealLcores()));
        command.add("--");
        command.addAll(null != setup.rulesFile() ? List.of("--rules", setup.rulesFile().toString()) :
            List.of("--forward-mode", setup.mode()));
        command.addAll(setup.pipeline() ? List.of("--run-mode", "pipeline") :
            List.of("--nb-cores", Integer.toString(setup.lcores()), "--rxq", Integer.toString(setup.lcores())));
        if (0 != setup.flowCache())
        {
            command.addAll(List.of("--flow-cache", Integer.toString(setup.flowCache())));
        }
        if (null != setup.conntrack())
        {
            command.addAll(List.of("--conntrack", setup.conntrack()));
        }
        if (setup.nat())
        {
            command.addAll(List.of("--max-flows", Integer.toString(setup.maxFlows())));
        }
        command.addAll(List.of("--burst", Integer.toString(setup.burst()), "--stats-period", "1",
            "--stats-format", "json", "--mbufs", Integer.toString(setup.mbufs()),
            "--duration", Integer.toString(setup.seconds())));
        return command;
    }

    /**
     * Two net_pcap ports replaying 64-byte UDP frames of {@code flows} flows (one frame each, in turn) to the DNAT
     * address forever, dropping what they send; with {@code nat}, port 1 replays the backend's replies to each
     * instead, so that both directions of every flow cross the NAT.
     */
    private static List<String> pcapVdevs(final Path out, final int flows, final boolean nat, final int queues)
        throws IOException
    {
        final StringBuilder clients = new StringBuilder("net_pcap0");
        final StringBuilder servers = new StringBuilder("net_pcap1");
        for (int queue = 0; queue < queues; queue++)
        {
            final Path toServer = writePcap(out, flows, false, queue, queues);
            clients.append(",rx_pcap=").append(toServer.toAbsolutePath());
            servers.append(",rx_pcap=").append((nat ? writePcap(out, flows, true, queue, queues) : toServer)
                .toAbsolutePath());
        }
        // infinite_rx once per port (net_pcap ignores it given twice); a TX queue per RX queue, dropping.
        final String tx = ",infinite_rx=1" + (1 == queues ? "" : ",tx_pcap=/dev/null".repeat(queues));
        return List.of(clients + tx, servers + tx);
    }

    /**
     * A pcap of one 64-byte UDP frame per flow: flow i from 198.18.0.1 + i % 2^17, source port 40000 + i % 256 +
     * 256 * (i / 2^17) (distinct for every i), to the service; or ({@code replies}) the backend's reply to it. Of
     * {@code queues} RX queues, queue {@code queue}'s: the flows i with i % queues == queue (as RSS spreads flows,
     * by nothing the forwarder's owners know of).
     */
    private static Path writePcap(final Path out, final int flows, final boolean replies, final int queue,
        final int queues) throws IOException
    {
        final Path pcap = out.resolve((replies ? "udp64-reply" : "udp64-dnat") +
            (DEFAULT_FLOWS == flows ? "" : "-" + flows + "flows") + (1 == queues ? "" : "-q" + queue + "of" + queues) +
            ".pcap");
        final int firstSource = Ipv4Header.parseAddress("198.18.0.1");
        try (PcapWriter writer = PcapWriter.create(pcap))
        {
            for (int i = queue; i < flows; i += queues)
            {
                final int client = firstSource + i % SOURCES;
                final int clientPort = 40000 + i % 256 + 256 * (i / SOURCES);
                final FrameBuilder builder = replies ?
                    new FrameBuilder().ipv4(Ipv4Header.parseAddress(BACKEND), client).udp(BACKEND_PORT, clientPort) :
                    new FrameBuilder().ipv4(client, Ipv4Header.parseAddress(VIP)).udp(clientPort, VIP_PORT);
                final byte[] frame = builder.length(60).build();
                writer.write(i * 1000L, frame, 0, frame.length);
            }
        }
        return pcap;
    }

    /** testpmd prints one Rx-pps line per port per period: pairs are summed into one sample. */
    private static Function<String, Double> testpmdParser()
    {
        final double[] pending = {-1};
        return line ->
        {
            final Matcher m = TESTPMD_TX_PPS.matcher(line);
            if (!m.find())
            {
                return null;
            }
            final double pps = Double.parseDouble(m.group(1));
            if (pending[0] < 0)
            {
                pending[0] = pps;
                return null;
            }
            final double sum = pending[0] + pps;
            pending[0] = -1;
            return sum;
        };
    }

    private static Function<String, Double> ourParser()
    {
        return line ->
        {
            if (!line.startsWith("{\"type\":\"stats\""))
            {
                return null;
            }
            final Matcher m = OUR_ALL_TX_PPS.matcher(line);
            return m.find() ? Double.parseDouble(m.group(1)) : null;
        };
    }
}
