package dev.dataplane.pktgen.rx;

import dev.dataplane.runtime.CounterDescriptor;

/** The counters of a receiver, by {@link dev.dataplane.runtime.Counters} index. */
public enum ReceiverCounter implements CounterDescriptor
{
    RECEIVED("rx_packets", "packets", "received on the RX queues"),
    UNSTAMPED("unstamped", "packets", "received without a stamp of ours"),
    BYTES("rx_bytes", "bytes", "of the frames received, as in the mbufs: no FCS"),
    LOST("lost", "packets", "stamped numbers skipped and not arrived since (may fall as late ones arrive)");

    private final String counterName;
    private final String unit;
    private final String help;

    ReceiverCounter(final String counterName, final String unit, final String help)
    {
        this.counterName = counterName;
        this.unit = unit;
        this.help = help;
    }

    @Override
    public String counterName()
    {
        return counterName;
    }

    @Override
    public String unit()
    {
        return unit;
    }

    @Override
    public String help()
    {
        return help;
    }
}
