package dev.dataplane.forwarder.stats;

import java.io.PrintStream;
import java.util.Locale;

import dev.dataplane.forwarder.ForwarderContext;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.lang.Rule;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.PacketView;
import dev.dataplane.runtime.StatsFormat;

/**
 * Prints periodic per-port rates and the final summary, as a table or as one JSON object per line. Rates are
 * deltas between two snapshots over the time between them; Mbit/s are given at L2 (the bytes the port counts,
 * which exclude the FCS on NICs that strip it) and on the wire (plus {@value EthernetHeader#FRAMING_BYTES} B of preamble
 * and gap per frame). A port whose driver counts no bytes shows "-" in text and null in JSON.
 */
public final class StatsPrinter
{
    private final PrintStream out;
    private final StatsFormat format;
    private boolean headerPrinted;

    public StatsPrinter(final PrintStream out, final StatsFormat format)
    {
        this.out = out;
        this.format = format;
    }

    /** One period: rates between {@code previous} and {@code current}, {@code seconds} apart. */
    public void period(final double elapsedSeconds, final PortTotals[] previous, final PortTotals[] current,
        final double seconds)
    {
        if (format == StatsFormat.JSON)
        {
            final StringBuilder sb = new StringBuilder(256).append("{\"type\":\"stats\",\"elapsed_s\":")
                .append(fixed(elapsedSeconds, 3)).append(",\"ports\":[");
            for (int i = 0; i < current.length; i++)
            {
                sb.append(i > 0 ? "," : "");
                rateJson(sb, previous[i], current[i], seconds);
            }
            sb.append("],\"all\":");
            rateJson(sb, ForwarderStats.sum(previous), ForwarderStats.sum(current), seconds);
            out.println(sb.append('}'));
        }
        else
        {
            if (!headerPrinted)
            {
                headerPrinted = true;
                out.printf(Locale.ROOT, "%8s %5s %10s %10s %10s %10s %10s %10s %12s %10s %10s %10s %10s%n", "time-s",
                    "port", "rx-Mpps", "tx-Mpps", "rx-Mbit/s", "rx-wire", "tx-Mbit/s", "tx-wire", "tx-dropped",
                    "malformed", "filtered", "rx-nombuf", "rx-missed");
                for (final PortTotals port : current)
                {
                    if (!port.rxBytesCounted() || !port.txBytesCounted())
                    {
                        out.println("(Mbit/s shown as - : the port's driver counts no bytes; " +
                            "net_null and net_ring don't)");
                        break;
                    }
                }
            }
            for (int i = 0; i < current.length; i++)
            {
                rateText(elapsedSeconds, Integer.toString(current[i].port), previous[i], current[i], seconds);
            }
            if (current.length > 2)
            {
                rateText(elapsedSeconds, "all", ForwarderStats.sum(previous), ForwarderStats.sum(current), seconds);
            }
        }
        out.flush();
    }

    /** The final summary: totals since start and average rates over {@code seconds}. */
    public void summary(final ForwarderContext context, final int lcores, final double seconds,
        final PortTotals[] totals, final ForwarderStats.RulesSnapshot rules, final int mbufsInUseAtExit,
        final int mbufs)
    {
        final PortTotals all = ForwarderStats.sum(totals);
        if (format == StatsFormat.JSON)
        {
            final StringBuilder sb = new StringBuilder(512).append("{\"type\":\"summary\",\"elapsed_s\":")
                .append(fixed(seconds, 3)).append(",\"forward_mode\":\"").append(context.modeName())
                .append("\",\"burst\":").append(context.burst()).append(",\"lcores\":").append(lcores)
                .append(",\"ports\":[");
            for (int i = 0; i < totals.length; i++)
            {
                sb.append(i > 0 ? "," : "");
                totalJson(sb, totals[i], seconds);
            }
            sb.append("],\"all\":");
            totalJson(sb, all, seconds);
            if (null != rules)
            {
                rulesJson(sb, rules);
            }
            sb.append(",\"mbufs\":").append(mbufs).append(",\"mbufs_in_use_at_exit\":").append(mbufsInUseAtExit);
            out.println(sb.append('}'));
        }
        else
        {
            out.printf(Locale.ROOT, "%nSummary: %.2f s, forward-mode %s, burst %d, %d forwarding lcore(s)%n", seconds,
                context.modeName(), context.burst(), lcores);
            out.printf(Locale.ROOT, "%5s %16s %16s %12s %10s %10s %10s %10s %12s %12s%n", "port", "rx-packets",
                "tx-packets", "tx-dropped", "malformed", "filtered", "rx-nombuf", "rx-missed", "avg-rx-Mpps",
                "avg-tx-Mpps");
            for (final PortTotals port : totals)
            {
                totalText(Integer.toString(port.port), port, seconds);
            }
            totalText("all", all, seconds);
            if (0 != all.ringFull)
            {
                out.printf(Locale.ROOT, "pipeline ring full: %d packets received and dropped before the rules stage " +
                    "(counted in rx-packets)%n", all.ringFull);
            }
            if (null != rules)
            {
                rulesText(rules);
            }
            out.printf(Locale.ROOT, "mbufs in use at exit: %d of %d%s%n", mbufsInUseAtExit, mbufs,
                0 == mbufsInUseAtExit ? "" : "  <-- LEAK");
        }
        out.flush();
    }

    private static final String[] OUTCOME_NAMES = {"received", "default_accepted", "default_dropped", "rule_dropped",
        "ttl_expired", "malformed_dropped", "malformed_accepted", "fragments"};

    private void rulesText(final ForwarderStats.RulesSnapshot rules)
    {
        out.printf(Locale.ROOT, "%nRules (%s, policy %s):%n%6s %-24s %-10s %16s %18s%n", rules.ruleSet().source(),
            rules.ruleSet().defaultAccept() ? "accept" : "drop", "line", "rule", "verdict", "packets", "bytes");
        for (final Rule rule : rules.ruleSet().rules())
        {
            out.printf(Locale.ROOT, "%6d %-24s %-10s %16d %18d%n", rule.line(), null == rule.name() ? "-" : rule.name(),
                rule.verdict().keyword(), rules.packets(rule.index()), rules.bytes(rule.index()));
        }
        final StringBuilder outcomes = new StringBuilder();
        for (int o = 1; o < OUTCOME_NAMES.length; o++)
        {
            outcomes.append(o > 1 ? ", " : "").append(OUTCOME_NAMES[o].replace('_', ' ')).append(' ')
                .append(rules.outcomes()[o]);
        }
        for (int v = 1; v < PacketView.VERDICT_COUNT; v++)
        {
            final long count = rules.outcomes()[RulesProcessor.malformedIndex(v)];
            if (0 != count)
            {
                outcomes.append(", ").append(PacketView.verdictName(v)).append(' ').append(count);
            }
        }
        out.println("outcomes: " + outcomes);
        out.printf(Locale.ROOT, "classified: %d of %d received (the rest answered by the flow cache)%n",
            rules.classified(), rules.outcomes()[RulesProcessor.RECEIVED]);
    }

    private static void rulesJson(final StringBuilder sb, final ForwarderStats.RulesSnapshot rules)
    {
        sb.append(",\"rules\":[");
        for (final Rule rule : rules.ruleSet().rules())
        {
            sb.append(rule.index() > 0 ? "," : "").append("{\"line\":").append(rule.line()).append(",\"name\":")
                .append(null == rule.name() ? "null" : "\"" + rule.name() + "\"").append(",\"verdict\":\"")
                .append(rule.verdict().keyword()).append("\",\"packets\":").append(rules.packets(rule.index()))
                .append(",\"bytes\":").append(rules.bytes(rule.index())).append('}');
        }
        sb.append("],\"outcomes\":{");
        for (int o = 0; o < OUTCOME_NAMES.length; o++)
        {
            sb.append(o > 0 ? "," : "").append('"').append(OUTCOME_NAMES[o]).append("\":").append(rules.outcomes()[o]);
        }
        sb.append(",\"malformed\":{");
        for (int v = 1; v < PacketView.VERDICT_COUNT; v++)
        {
            sb.append(v > 1 ? "," : "").append('"').append(PacketView.verdictName(v)).append("\":")
                .append(rules.outcomes()[RulesProcessor.malformedIndex(v)]);
        }
        sb.append("}},\"classified\":").append(rules.classified());
    }

    private void rateText(final double elapsed, final String port, final PortTotals previous,
        final PortTotals current, final double seconds)
    {
        final long rxPackets = current.rxPackets - previous.rxPackets;
        final long txPackets = current.txPackets - previous.txPackets;
        out.printf(Locale.ROOT, "%8.1f %5s %10.3f %10.3f %10s %10s %10s %10s %12d %10d %10d %10d %10d%n", elapsed,
            port, rxPackets / seconds / 1e6, txPackets / seconds / 1e6,
            mbps(true, previous, current, seconds, 0, 1, "-"),
            mbps(true, previous, current, seconds, EthernetHeader.FRAMING_BYTES, 1, "-"),
            mbps(false, previous, current, seconds, 0, 1, "-"),
            mbps(false, previous, current, seconds, EthernetHeader.FRAMING_BYTES, 1, "-"),
            current.txDropped - previous.txDropped, current.malformed - previous.malformed,
            current.filtered - previous.filtered, current.rxNoMbuf - previous.rxNoMbuf,
            current.rxMissed - previous.rxMissed);
    }

    private void totalText(final String port, final PortTotals totals, final double seconds)
    {
        out.printf(Locale.ROOT, "%5s %16d %16d %12d %10d %10d %10d %10d %12.3f %12.3f%n", port, totals.rxPackets,
            totals.txPackets, totals.txDropped, totals.malformed, totals.filtered, totals.rxNoMbuf, totals.rxMissed,
            totals.rxPackets / seconds / 1e6, totals.txPackets / seconds / 1e6);
    }

    private static void rateJson(final StringBuilder sb, final PortTotals previous, final PortTotals current,
        final double seconds)
    {
        final long rxPackets = current.rxPackets - previous.rxPackets;
        final long txPackets = current.txPackets - previous.txPackets;
        sb.append("{\"port\":").append(current.port)
            .append(",\"rx_pps\":").append(fixed(rxPackets / seconds, 1))
            .append(",\"tx_pps\":").append(fixed(txPackets / seconds, 1))
            .append(",\"rx_mbps\":").append(mbps(true, previous, current, seconds, 0, 3, "null"))
            .append(",\"rx_wire_mbps\":").append(mbps(true, previous, current, seconds, EthernetHeader.FRAMING_BYTES, 3,
                "null"))
            .append(",\"tx_mbps\":").append(mbps(false, previous, current, seconds, 0, 3, "null"))
            .append(",\"tx_wire_mbps\":").append(mbps(false, previous, current, seconds, EthernetHeader.FRAMING_BYTES, 3,
                "null"))
            .append(",\"tx_dropped\":").append(current.txDropped - previous.txDropped)
            .append(",\"malformed\":").append(current.malformed - previous.malformed)
            .append(",\"filtered\":").append(current.filtered - previous.filtered)
            .append(",\"ring_full\":").append(current.ringFull - previous.ringFull)
            .append(",\"rx_nombuf\":").append(current.rxNoMbuf - previous.rxNoMbuf)
            .append(",\"rx_missed\":").append(current.rxMissed - previous.rxMissed)
            .append(",\"rx_packets_total\":").append(current.rxPackets)
            .append(",\"tx_packets_total\":").append(current.txPackets).append('}');
    }

    private static void totalJson(final StringBuilder sb, final PortTotals totals, final double seconds)
    {
        sb.append("{\"port\":").append(totals.port)
            .append(",\"rx_packets\":").append(totals.rxPackets)
            .append(",\"tx_packets\":").append(totals.txPackets)
            .append(",\"rx_bytes\":").append(totals.rxBytesCounted() ? Long.toString(totals.rxBytes) : "null")
            .append(",\"tx_bytes\":").append(totals.txBytesCounted() ? Long.toString(totals.txBytes) : "null")
            .append(",\"tx_dropped\":").append(totals.txDropped)
            .append(",\"malformed\":").append(totals.malformed)
            .append(",\"filtered\":").append(totals.filtered)
            .append(",\"ring_full\":").append(totals.ringFull)
            .append(",\"rx_nombuf\":").append(totals.rxNoMbuf)
            .append(",\"rx_missed\":").append(totals.rxMissed)
            .append(",\"rx_errors\":").append(totals.rxErrors)
            .append(",\"tx_errors\":").append(totals.txErrors)
            .append(",\"avg_rx_pps\":").append(fixed(totals.rxPackets / seconds, 1))
            .append(",\"avg_tx_pps\":").append(fixed(totals.txPackets / seconds, 1)).append('}');
    }

    /**
     * Mbit/s of the port's own RX or TX byte count over {@code seconds}, plus {@code framing} bytes per frame the port
     * counted, with {@code decimals}; {@code unknown} when the port's driver counts no bytes.
     */
    private static String mbps(final boolean rx, final PortTotals previous, final PortTotals current,
        final double seconds, final int framing, final int decimals, final String unknown)
    {
        if (!(rx ? current.rxBytesCounted() : current.txBytesCounted()))
        {
            return unknown;
        }
        final long bytes = rx ? current.rxBytes - previous.rxBytes : current.txBytes - previous.txBytes;
        final long packets = rx ? current.deviceRxPackets - previous.deviceRxPackets :
            current.deviceTxPackets - previous.deviceTxPackets;
        return fixed((bytes + (double)packets * framing) * 8 / seconds / 1e6, decimals);
    }

    private static String fixed(final double value, final int decimals)
    {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%." + decimals + "f", value) : "0";
    }
}
