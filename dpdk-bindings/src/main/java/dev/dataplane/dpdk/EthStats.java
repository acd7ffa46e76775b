package dev.dataplane.dpdk;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

/**
 * A port's basic counters (struct rte_eth_stats), read by {@link EthDev#stats(int, EthStats)} into this
 * reusable holder. Offsets checked by LayoutProbeTest.
 */
public final class EthStats
{
    static final long SIZE = 704;
    static final long IPACKETS_OFFSET = 0;
    static final long OPACKETS_OFFSET = 8;
    static final long IBYTES_OFFSET = 16;
    static final long OBYTES_OFFSET = 24;
    static final long IMISSED_OFFSET = 32;
    static final long IERRORS_OFFSET = 40;
    static final long OERRORS_OFFSET = 48;
    static final long RX_NOMBUF_OFFSET = 56;

    public long rxPackets;
    public long txPackets;
    public long rxBytes;
    public long txBytes;
    /** Dropped by the device because its RX queues were full. */
    public long rxMissed;
    public long rxErrors;
    public long txErrors;
    /** RX allocation failures: the mempool ran dry. */
    public long rxNoMbuf;

    void read(final MemorySegment stats)
    {
        rxPackets = stats.get(JAVA_LONG, IPACKETS_OFFSET);
        txPackets = stats.get(JAVA_LONG, OPACKETS_OFFSET);
        rxBytes = stats.get(JAVA_LONG, IBYTES_OFFSET);
        txBytes = stats.get(JAVA_LONG, OBYTES_OFFSET);
        rxMissed = stats.get(JAVA_LONG, IMISSED_OFFSET);
        rxErrors = stats.get(JAVA_LONG, IERRORS_OFFSET);
        txErrors = stats.get(JAVA_LONG, OERRORS_OFFSET);
        rxNoMbuf = stats.get(JAVA_LONG, RX_NOMBUF_OFFSET);
    }

    @Override
    public String toString()
    {
        return "EthStats{rx=" + rxPackets + ", tx=" + txPackets + ", rxBytes=" + rxBytes + ", txBytes=" + txBytes +
            ", rxMissed=" + rxMissed + ", rxErrors=" + rxErrors + ", txErrors=" + txErrors + ", rxNoMbuf=" + rxNoMbuf +
            '}';
    }
}
