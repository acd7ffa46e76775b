package dev.dataplane.forwarder.rtc;

import static dev.dataplane.runtime.CounterDescriptor.packets;

import dev.dataplane.runtime.CounterDescriptor;

/**
 * The counters of one forwarding stream, by {@link dev.dataplane.runtime.Counters} index. Bytes come from the ports'
 * own counters, so that io mode touches no packet.
 */
public enum StreamCounter implements CounterDescriptor.Enumerated
{
    RX_PACKETS(packets("rx_packets", "received from the stream's RX queue")),
    TX_PACKETS(packets("tx_packets", "sent on the stream's TX queue")),
    TX_DROPPED(packets("tx_dropped", "refused by the TX ring, freed and never retried")),
    MALFORMED(packets("malformed", "too short for the forward mode's rewrite, freed"));

    private final CounterDescriptor descriptor;

    StreamCounter(final CounterDescriptor descriptor)
    {
        this.descriptor = descriptor;
    }

    @Override
    public CounterDescriptor descriptor()
    {
        return descriptor;
    }
}
