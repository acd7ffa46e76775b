package dev.dataplane.forwarder.stats;

/**
 * Cumulative figures of one port at one instant, by {@link PortCounter}: the packets the forwarder's pollers counted
 * on it, and the device's own counters for bytes and for what never reached a poller (no mbuf, RX ring full,
 * errors). Some virtual devices (net_null, net_ring) count no bytes: {@link #rxBytesCounted()} says so.
 */
public final class PortTotals
{
    private static final PortCounter[] COUNTERS = PortCounter.values();

    private final int port;
    private final long[] values = new long[COUNTERS.length];

    /** @param port the port id, or -1 for a sum over ports. */
    public PortTotals(final int port)
    {
        this.port = port;
    }

    public int port()
    {
        return port;
    }

    public long get(final PortCounter counter)
    {
        return values[counter.ordinal()];
    }

    /** Adds {@code delta} to {@code counter}: while the totals are gathered. */
    public void add(final PortCounter counter, final long delta)
    {
        values[counter.ordinal()] += delta;
    }

    /** Adds every figure of {@code other}. */
    public void add(final PortTotals other)
    {
        for (int i = 0; i < values.length; i++)
        {
            values[i] += other.values[i];
        }
    }

    /** {@code counter}'s figure since {@code earlier}. */
    public long since(final PortTotals earlier, final PortCounter counter)
    {
        return get(counter) - earlier.get(counter);
    }

    public long rxPackets()
    {
        return get(PortCounter.RX_PACKETS);
    }

    public long txPackets()
    {
        return get(PortCounter.TX_PACKETS);
    }

    /** False when the device received packets but counted no bytes for them: its Mbit/s are unknown. */
    public boolean rxBytesCounted()
    {
        return 0 != get(PortCounter.RX_BYTES) || 0 == get(PortCounter.DEVICE_RX_PACKETS);
    }

    /** False when the device sent packets but counted no bytes for them. */
    public boolean txBytesCounted()
    {
        return 0 != get(PortCounter.TX_BYTES) || 0 == get(PortCounter.DEVICE_TX_PACKETS);
    }

    /** Whether {@code counter} is known: any but a byte count the device does not keep ({@link #rxBytesCounted()}). */
    public boolean known(final PortCounter counter)
    {
        return switch (counter)
        {
            case RX_BYTES -> rxBytesCounted();
            case TX_BYTES -> txBytesCounted();
            default -> true;
        };
    }

    public long deviceRxPackets()
    {
        return get(PortCounter.DEVICE_RX_PACKETS);
    }

    public long deviceTxPackets()
    {
        return get(PortCounter.DEVICE_TX_PACKETS);
    }

    public long ringFull()
    {
        return get(PortCounter.RING_FULL);
    }
}
