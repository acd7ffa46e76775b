package dev.dataplane.runtime;

import static dev.dataplane.runtime.CounterDescriptor.packets;

/** What an lcore's transmitter sent on one port, by {@link Counters} index. */
public enum TxCounter implements CounterDescriptor.Enumerated
{
    TX_PACKETS(packets("tx_packets", "sent")),
    TX_DROPPED(packets("tx_dropped", "refused by the TX ring, freed and never retried"));

    private final CounterDescriptor descriptor;

    TxCounter(final CounterDescriptor descriptor)
    {
        this.descriptor = descriptor;
    }

    @Override
    public CounterDescriptor descriptor()
    {
        return descriptor;
    }
}
