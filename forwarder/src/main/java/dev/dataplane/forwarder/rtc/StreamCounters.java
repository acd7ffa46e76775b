package dev.dataplane.forwarder.rtc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Packet counters of one forwarding stream (bytes come from the ports' own counters, so that io mode touches no
 * packet), written by its lcore only and read by the stats thread. Writes are opaque
 * (plain stores on x86, but never kept in a register), padding keeps them off other lcores' cache lines.
 */
public final class StreamCounters extends StreamCountersValues
{
    @SuppressWarnings("unused")
    private long p10, p11, p12, p13, p14, p15, p16, p17;

    /** Adds one burst's figures. */
    public void addBurst(final int received, final int sent, final int txDropped, final int malformed)
    {
        RX_PACKETS.setOpaque(this, rxPackets + received);
        TX_PACKETS.setOpaque(this, txPackets + sent);
        if (0 != txDropped)
        {
            TX_DROPPED.setOpaque(this, this.txDropped + txDropped);
        }
        if (0 != malformed)
        {
            MALFORMED.setOpaque(this, this.malformed + malformed);
        }
    }

    public long rxPackets()
    {
        return (long)RX_PACKETS.getOpaque(this);
    }

    public long txPackets()
    {
        return (long)TX_PACKETS.getOpaque(this);
    }

    /** Packets TX did not take (ring full): freed and counted, never queued. */
    public long txDropped()
    {
        return (long)TX_DROPPED.getOpaque(this);
    }

    /** Packets the forwarding mode could not process (too short for its rewrite): freed and counted. */
    public long malformed()
    {
        return (long)MALFORMED.getOpaque(this);
    }

    private static final VarHandle RX_PACKETS;
    private static final VarHandle TX_PACKETS;
    private static final VarHandle TX_DROPPED;
    private static final VarHandle MALFORMED;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            RX_PACKETS = lookup.findVarHandle(StreamCountersValues.class, "rxPackets", long.class);
            TX_PACKETS = lookup.findVarHandle(StreamCountersValues.class, "txPackets", long.class);
            TX_DROPPED = lookup.findVarHandle(StreamCountersValues.class, "txDropped", long.class);
            MALFORMED = lookup.findVarHandle(StreamCountersValues.class, "malformed", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }
}

/** Left padding, so the counters start on a cache line of their own. */
abstract class StreamCountersPadding
{
    @SuppressWarnings("unused")
    private long p00, p01, p02, p03, p04, p05, p06, p07;
}

abstract class StreamCountersValues extends StreamCountersPadding
{
    long rxPackets;
    long txPackets;
    long txDropped;
    long malformed;
}
