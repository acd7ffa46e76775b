package dev.dataplane.forwarder.rtc;

import dev.dataplane.runtime.CounterDescriptor;

/**
 * The counters of one forwarding stream, by {@link dev.dataplane.runtime.Counters} index. Bytes come from the ports'
 * own counters, so that io mode touches no packet.
 */
public enum StreamCounter implements CounterDescriptor
{
    RX_PACKETS("rx_packets", "received from the stream's RX queue"),
    TX_PACKETS("tx_packets", "sent on the stream's TX queue"),
    TX_DROPPED("tx_dropped", "refused by the TX ring, freed and never retried"),
    MALFORMED("malformed", "too short for the forward mode's rewrite, freed");

    private final String counterName;
    private final String help;

    StreamCounter(final String counterName, final String help)
    {
        this.counterName = counterName;
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
        return "packets";
    }

    @Override
    public String help()
    {
        return help;
    }
}
