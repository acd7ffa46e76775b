package dev.dataplane.forwarder.stats;

/**
 * Cumulative figures of one port at one instant: the packets the forwarder's streams counted on it, and the
 * device's own counters for bytes and for what never reached a stream (no mbuf, RX ring full, errors).
 * Some virtual devices (net_null, net_ring) count no bytes: {@link #rxBytesCounted()} says so.
 */
public final class PortTotals
{
    final int port;
    long rxPackets;
    long rxBytes;
    long txPackets;
    long txBytes;
    long txDropped;
    long malformed;
    long filtered;
    /** Pipeline only: received, then dropped because the ring to the stages was full. */
    long ringFull;
    long deviceRxPackets;
    long deviceTxPackets;
    long rxNoMbuf;
    long rxMissed;
    long rxErrors;
    long txErrors;

    PortTotals(final int port)
    {
        this.port = port;
    }

    public int port()
    {
        return port;
    }

    public long rxPackets()
    {
        return rxPackets;
    }

    public long rxBytes()
    {
        return rxBytes;
    }

    public long txPackets()
    {
        return txPackets;
    }

    public long txBytes()
    {
        return txBytes;
    }

    /** False when the device received packets but counted no bytes for them: its Mbit/s are unknown. */
    public boolean rxBytesCounted()
    {
        return 0 != rxBytes || 0 == deviceRxPackets;
    }

    /** False when the device sent packets but counted no bytes for them. */
    public boolean txBytesCounted()
    {
        return 0 != txBytes || 0 == deviceTxPackets;
    }

    public long txDropped()
    {
        return txDropped;
    }

    public long malformed()
    {
        return malformed;
    }

    /** Packets the rules dropped: drop verdicts, the drop policy, expired TTLs. */
    /** Packets dropped at RX because the pipeline ring was full. */
    public long ringFull()
    {
        return ringFull;
    }

    public long filtered()
    {
        return filtered;
    }

    /** Packets the device says it received (ethdev ipackets). */
    public long deviceRxPackets()
    {
        return deviceRxPackets;
    }

    /** Packets the device says it sent (ethdev opackets). */
    public long deviceTxPackets()
    {
        return deviceTxPackets;
    }

    public long rxNoMbuf()
    {
        return rxNoMbuf;
    }

    public long rxMissed()
    {
        return rxMissed;
    }

    void add(final PortTotals other)
    {
        rxPackets += other.rxPackets;
        rxBytes += other.rxBytes;
        txPackets += other.txPackets;
        txBytes += other.txBytes;
        txDropped += other.txDropped;
        malformed += other.malformed;
        filtered += other.filtered;
        ringFull += other.ringFull;
        deviceRxPackets += other.deviceRxPackets;
        deviceTxPackets += other.deviceTxPackets;
        rxNoMbuf += other.rxNoMbuf;
        rxMissed += other.rxMissed;
        rxErrors += other.rxErrors;
        txErrors += other.txErrors;
    }
}
