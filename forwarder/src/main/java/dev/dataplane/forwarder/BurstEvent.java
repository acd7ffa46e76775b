package dev.dataplane.forwarder;

import dev.dataplane.dpdk.MbufArray;

/**
 * One slot of a pipeline ring: a received burst, pre-allocated by the Disruptor and reused for ever, holding
 * primitives only (a native array of mbuf addresses, a count, and the ports they leave by). The RX lcore receives
 * straight into {@link #mbufs} and sets {@link #count}; the rules stage writes {@link #destinations}; the TX stage
 * reads both. One slot per burst keeps the ring's cross-core traffic to a few cache lines per burst, not per packet.
 */
public final class BurstEvent
{
    /** The burst's mbufs, the first {@link #count} of them. */
    final MbufArray mbufs;
    /** Per packet, the port it leaves by, or {@link RulesProcessor#DROP}. */
    final int[] destinations;
    /** Per packet, its frame's address (the RX lcore reads it off the mbuf, whose lines stay on its core). */
    final long[] frames;
    /** Per packet, its frame's length. */
    final int[] lengths;
    int count;

    BurstEvent(final int burst)
    {
        this.mbufs = new MbufArray(burst);
        this.destinations = new int[burst];
        this.frames = new long[burst];
        this.lengths = new int[burst];
    }
}
