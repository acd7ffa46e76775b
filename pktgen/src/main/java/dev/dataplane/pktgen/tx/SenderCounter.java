package dev.dataplane.pktgen.tx;

import dev.dataplane.runtime.CounterDescriptor;

/** The counters of a generator or a pcap replay, by {@link dev.dataplane.runtime.Counters} index. */
public enum SenderCounter implements CounterDescriptor
{
    SENT("tx_packets", "packets", "taken by the TX queue"),
    TX_REFUSED("tx_refused", "packets", "refused by the TX queue, freed and never retried"),
    ALLOC_FAILED("alloc_failed", "packets", "not built for want of mbufs"),
    BYTES("tx_bytes", "bytes", "of the packets the TX queue took, as in the mbufs: no FCS");

    private final String counterName;
    private final String unit;
    private final String help;

    SenderCounter(final String counterName, final String unit, final String help)
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
