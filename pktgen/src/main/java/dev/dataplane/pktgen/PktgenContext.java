package dev.dataplane.pktgen;

import java.nio.file.Path;

import dev.dataplane.net.EthernetHeader;
import dev.dataplane.pktgen.traffic.Traffic;
import dev.dataplane.runtime.RunOptions;

/**
 * What to generate and how: validated on construction (the CLI only fills it).
 *
 * @param rxPort   the port to receive on, or {@link #NO_RX}.
 * @param rate     packets per second ({@code "100000"}, {@code "1.5M"}, {@code "200k"}), a percent of the TX link's
 *                 speed ({@code "50%"}, framing included), or {@code "0"} for as fast as the port takes them.
 * @param count    packets to send in all, 0 for no limit.
 * @param duration seconds to run, 0 for no limit.
 * @param pcap     a pcap file to replay instead of generating {@code traffic}, or null.
 * @param loops    with a pcap: times through the file, 0 for no limit.
 * @param pcapTiming with a pcap: send at the file's own inter-packet times instead of {@code rate}.
 * @param txQueues TX queues on the TX port, each with a generator on an lcore (when EAL gives enough) of its own;
 *                 the flows and the rate are shared out among them.
 */
public record PktgenContext(int txPort, int rxPort, int burst, Traffic traffic, String rate, long count,
    double duration, Path pcap, long loops, boolean pcapTiming, int txQueues)
{
    /** TX queues at most. */
    public static final int MAX_TX_QUEUES = 16;
    /** {@link #rxPort()} of a send-only run. */
    public static final int NO_RX = -1;

    public PktgenContext
    {
        RunOptions.checkBurst(burst);
        RunOptions.checkDuration(duration);
        if (count < 0)
        {
            throw new IllegalArgumentException("--count must be >= 0: " + count);
        }
        if (null == rate || null == traffic)
        {
            throw new IllegalArgumentException("a rate and the traffic are needed");
        }
        packetsPerSecond(rate, traffic.sizes().average(), 10_000); // validates the rate's form
        if (null != pcap && rate.trim().endsWith("%"))
        {
            throw new IllegalArgumentException("--rate in percent needs a frame size; with --pcap give packets per " +
                "second");
        }
        if (null == pcap && (pcapTiming || 1 != loops))
        {
            throw new IllegalArgumentException("--loops and --pcap-timing apply to --pcap");
        }
        if (loops < 0)
        {
            throw new IllegalArgumentException("--loops must be >= 0: " + loops);
        }
        if (txQueues < 1 || txQueues > MAX_TX_QUEUES)
        {
            throw new IllegalArgumentException("--tx-queues must be in 1.." + MAX_TX_QUEUES + ": " + txQueues);
        }
        if (txQueues > 1 && null != pcap)
        {
            throw new IllegalArgumentException("--tx-queues applies to generated traffic: a --pcap replays on one " +
                "queue, in the file's order");
        }
        if (txQueues > traffic.flows())
        {
            throw new IllegalArgumentException("--tx-queues " + txQueues + " needs at least as many --flows (each " +
                "queue sends flows of its own): " + traffic.flows());
        }
        if (0 != count && count < txQueues)
        {
            throw new IllegalArgumentException("--count " + count + " is less than one packet per TX queue (" +
                txQueues + ")");
        }
    }

    /** Generated traffic (no pcap). */
    public PktgenContext(final int txPort, final int rxPort, final int burst, final Traffic traffic, final String rate,
        final long count, final double duration)
    {
        this(txPort, rxPort, burst, traffic, rate, count, duration, null, 1, false, 1);
    }

    public boolean receives()
    {
        return NO_RX != rxPort;
    }

    /** The rate in packets per second for a TX link of {@code linkMbps}; 0 means unlimited. */
    public double packetsPerSecond(final long linkMbps)
    {
        return packetsPerSecond(rate, traffic.sizes().average(), linkMbps);
    }

    /** Packets the generator of TX queue {@code queue} sends: its share of {@link #count}, 0 for no limit. */
    public long count(final int queue)
    {
        return 0 == count ? 0 : count / txQueues + (queue < count % txQueues ? 1 : 0);
    }

    private static double packetsPerSecond(final String rate, final double frameSize, final long linkMbps)
    {
        final String r = rate.trim();
        try
        {
            final double pps;
            if (r.endsWith("%"))
            {
                final double percent = Double.parseDouble(r.substring(0, r.length() - 1));
                if (!(percent > 0 && percent <= 100))
                {
                    throw new IllegalArgumentException("--rate in percent must be in (0, 100]: " + rate);
                }
                pps = percent / 100 * linkMbps * 1e6 / ((frameSize + EthernetHeader.FRAMING_BYTES) * 8.0);
            }
            else
            {
                final char unit = r.isEmpty() ? ' ' : Character.toLowerCase(r.charAt(r.length() - 1));
                final double scale = unit == 'k' ? 1e3 : unit == 'm' ? 1e6 : 1;
                pps = Double.parseDouble(scale == 1 ? r : r.substring(0, r.length() - 1)) * scale;
            }
            if (!(pps >= 0) || Double.isInfinite(pps))
            {
                throw new IllegalArgumentException("--rate must be >= 0: " + rate);
            }
            return pps;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("--rate wants packets per second (100000, 200k, 1.5M), a percent of " +
                "the link (50%) or 0 for unlimited, not '" + rate + "'", ex);
        }
    }
}
