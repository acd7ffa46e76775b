package dev.dataplane.forwarder.stats;

import java.io.PrintStream;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.Forwarder;
import dev.dataplane.forwarder.ForwarderContext;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.runtime.StatsFormat;

/**
 * Where the forwarder's statistics go: a description at start, a line per period with the rates between two
 * snapshots, and the summary. {@link TextStats} prints tables for people, {@link JsonStats} one JSON object per line
 * for scripts. Mbit/s are given at L2 (the bytes the port counts, which exclude the FCS on NICs that strip it) and
 * on the wire (plus {@value EthernetHeader#FRAMING_BYTES} B of preamble and gap per frame); a port whose driver
 * counts no bytes has none.
 */
public interface StatsSink
{
    static StatsSink of(final StatsFormat format, final PrintStream out)
    {
        return StatsFormat.JSON == format ? new JsonStats(out) : new TextStats(out);
    }

    /** What runs where: ports, lcores and their pollers, the pool. */
    void start(Forwarder forwarder, Eal eal);

    /** One period: rates between {@code previous} and {@code current}, {@code seconds} apart. */
    void period(double elapsedSeconds, PortTotals[] previous, PortTotals[] current, double seconds);

    /** The final summary: totals since start and average rates over {@code seconds}. */
    void summary(ForwarderContext context, int lcores, double seconds, PortTotals[] totals,
        ForwarderStats.RulesSnapshot rules, int mbufsInUseAtExit, int mbufs);

    /** Packets per second of {@code counter} between two snapshots. */
    static double rate(final PortTotals previous, final PortTotals current, final PortCounter counter,
        final double seconds)
    {
        return current.since(previous, counter) / seconds;
    }

    /**
     * Mbit/s of the port's own RX or TX byte count between two snapshots, plus {@code framing} bytes per frame the
     * port counted; NaN when its driver counts no bytes.
     */
    static double mbps(final boolean rx, final PortTotals previous, final PortTotals current, final double seconds,
        final int framing)
    {
        if (!(rx ? current.rxBytesCounted() : current.txBytesCounted()))
        {
            return Double.NaN;
        }
        final long bytes = current.since(previous, rx ? PortCounter.RX_BYTES : PortCounter.TX_BYTES);
        final long packets = current.since(previous, rx ? PortCounter.DEVICE_RX_PACKETS : PortCounter.DEVICE_TX_PACKETS);
        return (bytes + (double)packets * framing) * 8 / seconds / 1e6;
    }
}
