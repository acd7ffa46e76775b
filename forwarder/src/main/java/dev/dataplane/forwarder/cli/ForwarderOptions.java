package dev.dataplane.forwarder.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import dev.dataplane.forwarder.ForwarderContext;
import dev.dataplane.forwarder.RunMode;
import dev.dataplane.forwarder.engine.ForwardMode;
import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import dev.dataplane.forwarder.rules.PacketChecks;
import dev.dataplane.forwarder.conntrack.ConnTrackConfig;
import dev.dataplane.forwarder.rules.flow.FlowCache;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.forwarder.rules.lang.RulesException;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.net.MacAddress;
import dev.dataplane.runtime.RunOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The application options (after {@code --}), named as testpmd and l2fwd name them. They only fill the context. */
@Command(name = "forwarder", sortOptions = false, usageHelpAutoWidth = true,
    description = "Forwards packets between port pairs (0<->1, 2<->3...) on busy-polling lcores.",
    customSynopsis = "bin/forwarder [EAL args] -- [options]%n       bin/forwarder --demo [-- options]",
    footer = {"",
        "EAL args are DPDK's own, passed through unchanged (e.g. -l 0,1 --no-huge --no-pci --vdev net_null0).",
        "--demo stands for: " + ForwarderOptions.DEMO_EAL_ARGS +
            " -- --duration 10 (options given after -- still apply)."})
public final class ForwarderOptions
{
    /** The hardware-free default: two net_null ports, forwarded by one worker lcore. */
    public static final String DEMO_EAL_ARGS =
        "-l 0,1 --no-huge --no-pci -m 256 --file-prefix fwd-demo-PID --vdev net_null0 --vdev net_null1";

    @Option(names = "--portmask", paramLabel = "HEX",
        description = "Ports to forward, as a hex bit mask (default: all).")
    String portmask;

    @Option(names = "--rules", paramLabel = "FILE",
        description = "Apply the rules in FILE (see docs/rules.md) instead of --forward-mode.")
    String rulesFile;

    @Option(names = "--control", paramLabel = "PATH",
        description = "Listen for control commands (reload, conntrack list|count|flush) on a Unix socket at PATH.")
    String controlSocket;


    @Mixin
    final RunOptions run = new RunOptions();

    @Option(names = "--forward-mode", paramLabel = "MODE", description = "io, mac or macswap (default: io).")
    String forwardMode = ForwardMode.IO.cliName();

    @Option(names = "--rxd", paramLabel = "N",
        description = "RX descriptors per queue, a power of two (default: 1024).")
    int rxd = ForwarderContext.DEFAULT_RX_DESCRIPTORS;

    @Option(names = "--txd", paramLabel = "N",
        description = "TX descriptors per queue, a power of two (default: 1024).")
    int txd = ForwarderContext.DEFAULT_TX_DESCRIPTORS;

    @Option(names = "--nb-cores", paramLabel = "N",
        description = "Worker lcores to forward on (default: all workers, at most one per stream).")
    int nbCores;

    @Option(names = "--run-mode", paramLabel = "MODE",
        description = "With --rules: run-to-completion (rtc) or pipeline (default: pipeline only when there are more " +
            "worker lcores than RX queues).")
    String runMode;

    @Option(names = "--pipeline-tx", paramLabel = "LCORE",
        description = "With --run-mode pipeline: which lcores send, rx (the ones that receive) or stage (after the " +
            "rules) (default: rx when EAL runs on hugepages, stage on 4 KiB pages).")
    String pipelineTx;

    @Option(names = "--ring-size", paramLabel = "N",
        description = "Packets a pipeline ring holds per RX queue, a power of two (default: 1024), in slots of a " +
            "burst each.")
    int ringSize = ForwarderContext.DEFAULT_RING_SIZE;

    @Option(names = "--flow-cache", paramLabel = "N",
        description = "With --rules: entries of each RX queue's flow cache, a power of two (default: 32768, " +
            "2.25 MiB); size it to the flows a queue sees at once, since a flow that misses is classified again.")
    int flowCache = FlowCache.DEFAULT_ENTRIES;

    @Option(names = "--conntrack", paramLabel = "auto|on|off",
        description = "With --rules: track connections (stateful firewall and NAT): auto (default) when the rules " +
            "match ct-state or rewrite addresses or ports, on, or off (rewrites stay stateless).")
    String conntrack = "auto";

    @Option(names = "--max-flows", paramLabel = "N",
        description = "Connections each lcore's table holds (default: 262144, 160 bytes each); a new connection " +
            "beyond them is dropped and counted (conn_refused).")
    int maxFlows = ConnTrackConfig.DEFAULT_MAX_FLOWS;

    @Option(names = "--ct-liberal",
        description = "Accept TCP segments outside their connection's windows, as nf_conntrack_tcp_be_liberal does.")
    boolean ctLiberal;

    @Option(names = "--ct-timeout", paramLabel = "NAME=SECONDS",
        description = "An idle timeout: tcp-syn-sent, tcp-syn-recv, tcp-established (7440), tcp-fin-wait, " +
            "tcp-close-wait, tcp-last-ack, tcp-time-wait, tcp-close, tcp-syn-sent2, udp (30), udp-stream (120), " +
            "icmp (30). Repeatable.")
    List<String> ctTimeouts = new ArrayList<>();

    @Option(names = "--rxq", paramLabel = "N",
        description = "RX queues per port, spread by RSS over addresses and ports where the device offers it " +
            "(default: 1).")
    int rxq = ForwarderContext.DEFAULT_RX_QUEUES;

    @Option(names = "--no-tx-checksum-offload",
        description = "With --rules: keep checksum updates in software even where a port offers TX checksum offload.")
    boolean noTxChecksumOffload;

    @Option(names = "--no-rx-checksum-offload",
        description = "With --rules: verify checksums in software even where a port checks them on receive.")
    boolean noRxChecksumOffload;

    @Option(names = "--verify-l4-checksum",
        description = "With --rules: verify UDP and TCP checksums too (default: the IPv4 header's only).")
    boolean verifyL4Checksum;

    @Option(names = "--malformed", paramLabel = "drop|accept",
        description = "With --rules: what becomes of a frame that fails a check and that no malformed rule claims: " +
            "dropped (default), or forwarded untouched to the paired port.")
    String malformed = "drop";

    @Option(names = "--mbufs", paramLabel = "N",
        description = "Mbufs in the pool (default: sized from rings and lcores).")
    int mbufs;

    @Option(names = "--mbuf-cache", paramLabel = "N", description = "Per-lcore mempool cache, 0..512 (default: 256).")
    int mbufCache = ForwarderContext.DEFAULT_MBUF_CACHE;

    @Option(names = "--no-promisc", description = "Leave promiscuous mode off (default: on, as in testpmd).")
    boolean noPromiscuous;

    @Option(names = "--eth-peer", paramLabel = "PORT,MAC",
        description = "Destination MAC that mac mode writes for packets sent on PORT (default: 02:00:00:00:00:PORT).")
    List<String> ethPeers = new ArrayList<>();

    private ConnTrackConfig connTrack()
    {
        final ConnTrackConfig.Mode mode = ConnTrackConfig.Mode.of(conntrack);
        if (null == mode)
        {
            throw new IllegalArgumentException("--conntrack must be auto, on or off: " + conntrack);
        }
        return new ConnTrackConfig(mode, maxFlows, ctLiberal, ConnTrackConfig.parseTimeouts(ctTimeouts));
    }

    /** The validated context. */
    ForwarderContext toContext()
    {
        final ForwarderContext.Builder builder = ForwarderContext.builder()
            .portmask(parsePortmask(portmask))
            .burst(run.burst())
            .forwardMode(ForwardMode.fromCliName(forwardMode))
            .statsPeriodSeconds(run.statsPeriod())
            .statsFormat(run.statsFormat())
            .durationSeconds(run.duration())
            .rxDescriptors(rxd)
            .txDescriptors(txd)
            .forwardingCores(nbCores)
            .runMode(parseNamed(runMode, RunMode::of, "--run-mode must be run-to-completion (or rtc) or pipeline"))
            .pipelineTx(parseNamed(pipelineTx, PipelineTxLcore::of, "--pipeline-tx must be rx or stage"))
            .ringSize(ringSize)
            .flowCacheEntries(flowCache)
            .rxQueues(rxq)
            .txChecksumOffload(!noTxChecksumOffload)
            .connTrack(connTrack())
            .packetChecks(new PacketChecks(verifyL4Checksum, parseMalformed(malformed), !noRxChecksumOffload))
            .mbufs(mbufs)
            .mbufCache(mbufCache)
            .promiscuous(!noPromiscuous)
            .rules(loadRules());
        for (final String peer : ethPeers)
        {
            final int comma = peer.indexOf(',');
            if (comma <= 0)
            {
                throw new IllegalArgumentException("--eth-peer wants PORT,MAC (e.g. 0,02:00:00:00:00:10): " + peer);
            }
            final int port;
            try
            {
                port = Integer.parseInt(peer.substring(0, comma).trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("--eth-peer wants PORT,MAC with a numeric port: " + peer, ex);
            }
            builder.peerMac(port, MacAddress.parse(peer.substring(comma + 1)));
        }
        return builder.build();
    }

    /**
     * An option's value by its CLI name ({@code lookup}, null for an unknown name), or null when the option was not
     * given; an unknown name is refused with {@code expected}.
     */
    private static <T> T parseNamed(final String value, final Function<String, T> lookup, final String expected)
    {
        if (null == value)
        {
            return null;
        }
        final T parsed = lookup.apply(value);
        if (null == parsed)
        {
            throw new IllegalArgumentException(expected + ": " + value);
        }
        return parsed;
    }

    private RuleSet loadRules()
    {
        if (null == rulesFile)
        {
            return null;
        }
        try
        {
            return RulesParser.parse(Path.of(rulesFile));
        }
        catch (final RulesException ex)
        {
            throw new IllegalArgumentException(ex.getMessage(), ex);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IllegalArgumentException("cannot read rules file " + rulesFile + ": no such file", ex);
        }
        catch (final AccessDeniedException ex)
        {
            throw new IllegalArgumentException("cannot read rules file " + rulesFile + ": permission denied", ex);
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot read rules file " + rulesFile + ": " + ex.getMessage(), ex);
        }
    }

    private static long parsePortmask(final String text)
    {
        if (null == text)
        {
            return 0;
        }
        final String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
        try
        {
            final long mask = Long.parseUnsignedLong(digits, 16);
            if (0 == mask)
            {
                throw new IllegalArgumentException("--portmask selects no port: " + text);
            }
            return mask;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--portmask wants a hex mask like 0x3: " + text, ex);
        }
    }

    private static boolean parseMalformed(final String text)
    {
        return switch (text)
        {
            case "drop" -> false;
            case "accept" -> true;
            default -> throw new IllegalArgumentException("--malformed must be drop or accept: " + text);
        };
    }
}
