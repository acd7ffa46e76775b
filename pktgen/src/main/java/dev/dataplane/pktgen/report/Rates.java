package dev.dataplane.pktgen.report;

import dev.dataplane.net.EthernetHeader;
import dev.dataplane.pktgen.traffic.Traffic;

/**
 * Packets per second and Mbit/s over a span: at L2 (the frame with its FCS, which the mbuf does not hold) and on the
 * wire ({@value EthernetHeader#FRAMING_BYTES} bytes more per frame: preamble, start delimiter, gap).
 */
public record Rates(double pps, double mbps, double wireMbps)
{
    public static final Rates NONE = new Rates(0, 0, 0);

    /** The rates of {@code packets} packets of {@code bytes} bytes (as in the mbufs) over {@code seconds}. */
    public static Rates of(final long packets, final long bytes, final double seconds)
    {
        final double l2Bits = (bytes + (double)Traffic.FCS * packets) * 8;
        return new Rates(packets / seconds, l2Bits / seconds / 1e6,
            (l2Bits + EthernetHeader.FRAMING_BYTES * 8.0 * packets) / seconds / 1e6);
    }
}
