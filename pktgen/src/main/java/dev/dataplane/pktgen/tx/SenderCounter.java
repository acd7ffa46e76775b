package dev.dataplane.pktgen.tx;

import static dev.dataplane.runtime.CounterDescriptor.bytes;
import static dev.dataplane.runtime.CounterDescriptor.packets;

import dev.dataplane.runtime.CounterDescriptor;

/** The counters of a generator or a pcap replay, by {@link dev.dataplane.runtime.Counters} index. */
public enum SenderCounter implements CounterDescriptor.Enumerated
{
    SENT(packets("tx_packets", "taken by the TX queue")),
    TX_REFUSED(packets("tx_refused", "refused by the TX queue, freed and never retried")),
    ALLOC_FAILED(packets("alloc_failed", "not built for want of mbufs")),
    BYTES(bytes("tx_bytes", "of the packets the TX queue took, as in the mbufs: no FCS"));

    private final CounterDescriptor descriptor;

    SenderCounter(final CounterDescriptor descriptor)
    {
        this.descriptor = descriptor;
    }

    @Override
    public CounterDescriptor descriptor()
    {
        return descriptor;
    }
}
