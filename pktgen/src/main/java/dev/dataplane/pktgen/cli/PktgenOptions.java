package dev.dataplane.pktgen.cli;

import java.nio.file.Path;

import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.MacAddress;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.pktgen.PktgenContext;
import dev.dataplane.pktgen.traffic.FrameSizes;
import dev.dataplane.pktgen.traffic.Traffic;
import dev.dataplane.runtime.RunOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options after {@code --}, named as Pktgen-DPDK and TRex users would guess them; they fill a context. */
@Command(name = "pktgen", sortOptions = false, usageHelpAutoWidth = true,
    description = "Generates stamped UDP traffic on one port and measures what arrives on another (or the same).",
    customSynopsis = "bin/pktgen [EAL args] -- [options]")
final class PktgenOptions
{
    @Option(names = "--tx-port", paramLabel = "N", description = "Port to send on (default: 0).")
    int txPort;

    @Option(names = "--rx-port", paramLabel = "N", description = "Port to receive on (default: the TX port).")
    Integer rxPort;

    @Option(names = "--no-rx", description = "Send only: no receiver (e.g. into a net_null sink).")
    boolean noRx;

    @Option(names = "--rate", paramLabel = "RATE",
        description = "Packets per second (100000, 200k, 1.5M), percent of the link (50%%; 10 Gbit/s when the " +
            "device reports no speed; framing counted), or 0 for as fast as the port takes them (default: 0).")
    String rate = "0";

    @Option(names = "--size", paramLabel = "SIZES", description = "Frame size with FCS, 64..9618 (past 1518 the " +
        "ports' MTU is raised to fit); a list sent in turn (64,512,1518); or imix (64/576/1500 as 7:4:1) " +
        "(default: 64).")
    String size = "64";

    @Option(names = "--flows", paramLabel = "N",
        description = "Flows (streams): flow i adds i to --flow-field (default: 1).")
    int flows = 1;

    @Option(names = "--flow-field", paramLabel = "FIELD", description = "What tells flows apart: src-ip, dst-ip, " +
        "src-port, dst-port, src-mac or dst-mac, a range from its base value (default: src-ip).")
    String flowField = "src-ip";

    @Option(names = "--flow-order", paramLabel = "seq|random", description = "Flows in turn, or each packet's flow " +
        "drawn at random (default: seq).")
    String flowOrder = "seq";

    @Option(names = "--tx-queues", paramLabel = "N", description = "TX queues, each with a generator on an lcore " +
        "of its own when EAL gives enough; flows and rate are shared out (default: 1).")
    int txQueues = 1;

    @Option(names = "--count", paramLabel = "N", description = "Packets to send, 0 for no limit (default: 0).")
    long count;

    @Mixin
    final RunOptions run = new RunOptions();

    @Option(names = "--proto", paramLabel = "udp|tcp", description = "Transport (default: udp).")
    String protocol = "udp";

    @Option(names = "--tcp-flags", paramLabel = "FLAGS", description = "With --proto tcp: flags of every segment, " +
        "comma-separated (fin, syn, rst, psh, ack, urg, ece, cwr; default: ack, i.e. data segments).")
    String tcpFlags = "ack";

    @Option(names = "--ipv6", description = "IPv6 instead of IPv4: 2001:db8:: with --src-ip/--dst-ip as the last " +
        "32 bits.")
    boolean ipv6;

    @Option(names = "--vlan", paramLabel = "ID", description = "Tag every frame with this 802.1Q VLAN id.")
    int vlan;

    @Option(names = "--src-ip", paramLabel = "A", description = "First source address (default: 10.0.0.1).")
    String sourceIp = "10.0.0.1";

    @Option(names = "--dst-ip", paramLabel = "A", description = "Destination address (default: 10.0.8.17).")
    String destinationIp = "10.0.8.17";

    @Option(names = "--sport", paramLabel = "N", description = "UDP source port (default: 40000).")
    int sourcePort = 40000;

    @Option(names = "--dport", paramLabel = "N", description = "UDP destination port (default: 8080).")
    int destinationPort = 8080;

    @Option(names = "--dst-mac", paramLabel = "MAC", description = "Destination MAC (default: 02:00:00:00:00:02).")
    String destinationMac = "02:00:00:00:00:02";

    @Option(names = "--pcap", paramLabel = "FILE",
        description = "Replay this pcap file's Ethernet frames instead of generating traffic.")
    String pcap;

    @Option(names = "--loops", paramLabel = "N", description = "With --pcap: times through the file, 0 for no " +
        "limit (default: 1).")
    long loops = 1;

    @Option(names = "--pcap-timing", description = "With --pcap: send at the file's own inter-packet times.")
    boolean pcapTiming;

    @Option(names = "--latency-csv", paramLabel = "FILE",
        description = "Write the latency distribution (percentile, us, count) to FILE at the end.")
    String latencyCsv;

    @Option(names = "--summary-json", paramLabel = "FILE",
        description = "Write the summary (totals, latency, every stream) as one JSON object to FILE at the end.")
    String summaryJson;

    @Option(names = "--latency-html", paramLabel = "FILE",
        description = "Write a self-contained HTML plot of the latency distribution to FILE at the end.")
    String latencyHtml;

    @Option(names = "--latency-warmup", paramLabel = "S",
        description = "Leave the latencies of the first S seconds out of the latency figures (default: 0): a " +
            "system under test still warming up.")
    double latencyWarmup;


    private static int parseTcpFlags(final String text)
    {
        int flags = 0;
        for (final String flag : text.split(","))
        {
            final int bit = TcpHeader.flag(flag.trim());
            if (0 == bit)
            {
                throw new IllegalArgumentException("--tcp-flags takes " + String.join(", ", TcpHeader.FLAG_NAMES) +
                    ": " + text);
            }
            flags |= bit;
        }
        return flags;
    }

    private static boolean parseFlowOrder(final String text)
    {
        if (!text.equals("seq") && !text.equals("random"))
        {
            throw new IllegalArgumentException("--flow-order must be seq or random: " + text);
        }
        return text.equals("random");
    }

    PktgenContext toContext()
    {
        if (sourcePort < 0 || sourcePort > 65535 || destinationPort < 0 || destinationPort > 65535)
        {
            throw new IllegalArgumentException("--sport and --dport must be in 0..65535");
        }
        run.statsFormat();
        run.statsPeriod();
        if (!protocol.equals("udp") && !protocol.equals("tcp"))
        {
            throw new IllegalArgumentException("--proto must be udp or tcp: " + protocol);
        }
        final Traffic traffic = new Traffic(FrameSizes.parse(size), flows, 0x02_00_00_00_00_01L,
            MacAddress.parse(destinationMac), Ipv4Header.parseAddress(sourceIp),
            Ipv4Header.parseAddress(destinationIp), sourcePort, destinationPort, vlan, ipv6,
            protocol.equals("tcp") ? parseTcpFlags(tcpFlags) : -1, Traffic.FlowField.parse(flowField),
            parseFlowOrder(flowOrder));
        if (noRx && null != rxPort)
        {
            throw new IllegalArgumentException("--no-rx and --rx-port contradict each other");
        }
        if (null != pcap && (flows != 1 || !size.equals("64") || count != 0 || !flowField.equals("src-ip") ||
            !flowOrder.equals("seq")))
        {
            throw new IllegalArgumentException("--flows, --flow-field, --flow-order, --size and --count describe " +
                "generated traffic; a --pcap brings its own (use --loops or --duration)");
        }
        if (pcapTiming && !"0".equals(rate))
        {
            throw new IllegalArgumentException("--pcap-timing and --rate contradict each other");
        }
        return new PktgenContext(txPort, noRx ? PktgenContext.NO_RX : null == rxPort ? txPort : rxPort,
            run.burst(), traffic, rate, count, run.duration(), null == pcap ? null : Path.of(pcap), loops, pcapTiming,
            txQueues);
    }
}
