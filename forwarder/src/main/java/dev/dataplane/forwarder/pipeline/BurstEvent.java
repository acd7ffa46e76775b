package dev.dataplane.forwarder.pipeline;

import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.runtime.LcoreTransmitter;

/**
 * One slot of a pipeline ring: a received burst, pre-allocated by the Disruptor and reused for ever, holding
 * primitives only (a native array of mbuf addresses, each frame's address and length, a count, and the ports they
 * leave by). The RX lcore receives straight into {@link #mbufs} and sets {@link #frames}, {@link #lengths} and
 * {@link #count}; the rules stage reads the frames and writes {@link #destinations}; the TX stage reads the mbufs and
 * destinations. One slot per burst keeps the ring's own cross-core traffic to a few cache lines per burst.
 */
public final class BurstEvent
{
    /** The burst's mbufs, the first {@link #count} of them. */
    final MbufArray mbufs;
    /** Per packet, the port it leaves by, or {@link LcoreTransmitter#DROP}. */
    final int[] destinations;
    /** Per packet, its frame's address, read off the mbuf on the RX lcore: the rules stage reads no mbuf header. */
    final long[] frames;
    /** Per packet, its frame's length. */
    final int[] lengths;
    int count;

    public BurstEvent(final int burst)
    {
        this.mbufs = new MbufArray(burst);
        this.destinations = new int[burst];
        this.frames = new long[burst];
        this.lengths = new int[burst];
    }
}
