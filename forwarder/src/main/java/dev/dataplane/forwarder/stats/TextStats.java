package dev.dataplane.forwarder.stats;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthDevInfo;
import dev.dataplane.dpdk.EthLink;
import dev.dataplane.forwarder.Forwarder;
import dev.dataplane.forwarder.ForwarderContext;
import dev.dataplane.forwarder.conntrack.ConnCounter;
import dev.dataplane.forwarder.conntrack.ConnTable;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.lang.Rule;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.MacAddress;
import dev.dataplane.runtime.PollingLcore;

/** The statistics as tables for people: a description at start, a row per port per period, the summary. */
public final class TextStats implements StatsSink
{
    private final PrintStream out;
    private boolean headerPrinted;

    public TextStats(final PrintStream out)
    {
        this.out = out;
    }

    @Override
    public void start(final Forwarder forwarder, final Eal eal)
    {
        final ForwarderContext context = forwarder.context();
        out.printf(Locale.ROOT, "forwarder: %s run-mode=%s%s%n", context, forwarder.runMode().cliName(),
            null == forwarder.pipelineTx() ? "" : " pipeline-tx=" + forwarder.pipelineTx().cliName());
        for (final int port : forwarder.ports())
        {
            final EthLink link = EthDev.link(port);
            final long offloads = forwarder.txChecksumOffloads(port);
            out.printf(Locale.ROOT, "  port %d: %s (%s) mac %s link %s %d Mbit/s%s%n", port, EthDev.name(port),
                EthDev.info(port).driverName(), MacAddress.toString(EthDev.macAddress(port)),
                link.up() ? "up" : "down", link.speedMbps(), 0 == offloads ? "" : ", tx checksum offload" +
                    ((offloads & EthDevInfo.TX_OFFLOAD_IPV4_CKSUM) != 0 ? " ipv4" : "") +
                    ((offloads & EthDevInfo.TX_OFFLOAD_UDP_CKSUM) != 0 ? " udp" : "") +
                    ((offloads & EthDevInfo.TX_OFFLOAD_TCP_CKSUM) != 0 ? " tcp" : ""));
        }
        for (final PollingLcore lcore : forwarder.lcores())
        {
            out.printf(Locale.ROOT, "  lcore %d: %s%n", lcore.lcore(), Arrays.toString(lcore.pollers()));
        }
        out.printf(Locale.ROOT, "  mbuf pool: %d mbufs, cache %d; main lcore %d prints statistics%n",
            forwarder.pool().size(), context.mbufCache(), eal.mainLcore());
        if (!forwarder.trackers().isEmpty())
        {
            final ConnTable table = forwarder.trackers().get(0).table();
            out.printf(Locale.ROOT, "  connection tables: %d (one per rules lcore), each %d connections in %.1f MiB " +
                "(%d bytes a connection) on %s%n", forwarder.trackers().size(), table.capacity(),
                table.bytes() / (double)(1 << 20), table.bytes() / table.capacity(), table.backing().description());
        }
        out.println(context.durationSeconds() > 0 ?
            String.format(Locale.ROOT, "Forwarding for %.1f s (Ctrl-C stops earlier)...", context.durationSeconds()) :
            "Forwarding until Ctrl-C or SIGTERM...");
        out.flush();
    }

    @Override
    public void period(final double elapsedSeconds, final PortTotals[] previous, final PortTotals[] current,
        final double seconds)
    {
        if (!headerPrinted)
        {
            headerPrinted = true;
            out.printf(Locale.ROOT, "%8s %5s %10s %10s %10s %10s %10s %10s %12s %10s %10s %10s %10s%n", "time-s",
                "port", "rx-Mpps", "tx-Mpps", "rx-Mbit/s", "rx-wire", "tx-Mbit/s", "tx-wire", "tx-dropped",
                "malformed", "filtered", "rx-nombuf", "rx-missed");
            if (Arrays.stream(current).anyMatch(port -> !port.rxBytesCounted() || !port.txBytesCounted()))
            {
                out.println("(Mbit/s shown as - : the port's driver counts no bytes; net_null and net_ring don't)");
            }
        }
        for (int i = 0; i < current.length; i++)
        {
            rates(elapsedSeconds, Integer.toString(current[i].port()), previous[i], current[i], seconds);
        }
        if (current.length > 2)
        {
            rates(elapsedSeconds, "all", ForwarderStats.sum(previous), ForwarderStats.sum(current), seconds);
        }
        out.flush();
    }

    @Override
    public void summary(final ForwarderContext context, final int lcores, final double seconds,
        final PortTotals[] totals, final ForwarderStats.RulesSnapshot rules, final int mbufsInUseAtExit,
        final int mbufs)
    {
        final PortTotals all = ForwarderStats.sum(totals);
        out.printf(Locale.ROOT, "%nSummary: %.2f s, forward-mode %s, burst %d, %d forwarding lcore(s)%n", seconds,
            context.modeName(), context.burst(), lcores);
        out.printf(Locale.ROOT, "%5s %16s %16s %12s %10s %10s %10s %10s %12s %12s%n", "port", "rx-packets",
            "tx-packets", "tx-dropped", "malformed", "filtered", "rx-nombuf", "rx-missed", "avg-rx-Mpps",
            "avg-tx-Mpps");
        for (final PortTotals port : totals)
        {
            totals(Integer.toString(port.port()), port, seconds);
        }
        totals("all", all, seconds);
        if (0 != all.ringFull())
        {
            out.printf(Locale.ROOT, "pipeline ring full: %d packets received and dropped before the rules stage " +
                "(counted in rx-packets)%n", all.ringFull());
        }
        if (null != rules)
        {
            rules(rules);
        }
        out.printf(Locale.ROOT, "mbufs in use at exit: %d of %d%s%n", mbufsInUseAtExit, mbufs,
            0 == mbufsInUseAtExit ? "" : "  <-- LEAK");
        out.flush();
    }

    private void rules(final ForwarderStats.RulesSnapshot rules)
    {
        out.printf(Locale.ROOT, "%nRules (%s, policy %s):%n%6s %-24s %-10s %16s %18s%n", rules.ruleSet().source(),
            rules.ruleSet().defaultAccept() ? "accept" : "drop", "line", "rule", "verdict", "packets", "bytes");
        for (final Rule rule : rules.ruleSet().rules())
        {
            out.printf(Locale.ROOT, "%6d %-24s %-10s %16d %18d%n", rule.line(), null == rule.name() ? "-" : rule.name(),
                rule.verdict().keyword(), rules.packets(rule.index()), rules.bytes(rule.index()));
        }
        // Every outcome but the received count and the classified count, which the next line gives; zeros of the
        // malformed kinds left out.
        final StringBuilder outcomes = new StringBuilder();
        for (int o = 0; o < RulesProcessor.OUTCOME_COUNT; o++)
        {
            final long count = rules.outcomes()[o];
            if (RulesProcessor.RECEIVED == o || RulesProcessor.CLASSIFIED == o || (o > RulesProcessor.CLASSIFIED &&
                0 == count))
            {
                continue;
            }
            outcomes.append(outcomes.isEmpty() ? "" : ", ")
                .append(RulesProcessor.OUTCOMES.get(o).counterName().replace('_', ' ')).append(' ').append(count);
        }
        out.println("outcomes: " + outcomes);
        if (null == rules.connections())
        {
            out.printf(Locale.ROOT, "classified: %d of %d received (the rest answered by the flow cache)%n",
                rules.outcomes()[RulesProcessor.CLASSIFIED], rules.outcomes()[RulesProcessor.RECEIVED]);
            return;
        }
        // Connection tracking: every counter that is not zero, by its name without the ct_ prefix.
        final StringBuilder connections = new StringBuilder();
        for (final ConnCounter counter : ConnCounter.values())
        {
            final long count = rules.connections()[counter.ordinal()];
            if (0 != count || ConnCounter.IN_USE == counter)
            {
                connections.append(connections.isEmpty() ? "" : ", ")
                    .append(counter.counterName().substring(3).replace('_', ' ')).append(' ')
                    .append(count);
            }
        }
        out.println("connections: " + connections);
        if (rules.createdByLcore().length > 1)
        {
            out.println("connections by lcore: " + joined(rules.createdByLcore()) + " created; " +
                joined(rules.inUseByLcore()) + " in use (each lcore's tracker holds its own)");
        }
    }

    private static String joined(final long[] counts)
    {
        return Arrays.stream(counts).mapToObj(Long::toString).collect(Collectors.joining(", "));
    }

    private void rates(final double elapsed, final String port, final PortTotals previous, final PortTotals current,
        final double seconds)
    {
        out.printf(Locale.ROOT, "%8.1f %5s %10.3f %10.3f %10s %10s %10s %10s %12d %10d %10d %10d %10d%n", elapsed,
            port, StatsSink.rate(previous, current, PortCounter.RX_PACKETS, seconds) / 1e6,
            StatsSink.rate(previous, current, PortCounter.TX_PACKETS, seconds) / 1e6,
            mbps(StatsSink.mbps(true, previous, current, seconds, 0)),
            mbps(StatsSink.mbps(true, previous, current, seconds, EthernetHeader.FRAMING_BYTES)),
            mbps(StatsSink.mbps(false, previous, current, seconds, 0)),
            mbps(StatsSink.mbps(false, previous, current, seconds, EthernetHeader.FRAMING_BYTES)),
            current.since(previous, PortCounter.TX_DROPPED), current.since(previous, PortCounter.MALFORMED),
            current.since(previous, PortCounter.FILTERED), current.since(previous, PortCounter.RX_NOMBUF),
            current.since(previous, PortCounter.RX_MISSED));
    }

    private void totals(final String port, final PortTotals totals, final double seconds)
    {
        out.printf(Locale.ROOT, "%5s %16d %16d %12d %10d %10d %10d %10d %12.3f %12.3f%n", port, totals.rxPackets(),
            totals.txPackets(), totals.get(PortCounter.TX_DROPPED), totals.get(PortCounter.MALFORMED),
            totals.get(PortCounter.FILTERED), totals.get(PortCounter.RX_NOMBUF), totals.get(PortCounter.RX_MISSED),
            totals.rxPackets() / seconds / 1e6, totals.txPackets() / seconds / 1e6);
    }

    private static String mbps(final double mbps)
    {
        return Double.isNaN(mbps) ? "-" : String.format(Locale.ROOT, "%.1f", mbps);
    }
}
