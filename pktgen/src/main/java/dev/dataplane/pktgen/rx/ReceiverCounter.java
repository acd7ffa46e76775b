package dev.dataplane.pktgen.rx;

import static dev.dataplane.runtime.CounterDescriptor.bytes;
import static dev.dataplane.runtime.CounterDescriptor.packets;

import dev.dataplane.runtime.CounterDescriptor;

/** The counters of a receiver, by {@link dev.dataplane.runtime.Counters} index. */
public enum ReceiverCounter implements CounterDescriptor.Enumerated
{
    RECEIVED(packets("rx_packets", "received on the RX queues")),
    UNSTAMPED(packets("unstamped", "received without a stamp of ours")),
    BYTES(bytes("rx_bytes", "of the frames received, as in the mbufs: no FCS")),
    LOST(packets("lost", "stamped numbers skipped and not arrived since (may fall as late ones arrive)"));

    private final CounterDescriptor descriptor;

    ReceiverCounter(final CounterDescriptor descriptor)
    {
        this.descriptor = descriptor;
    }

    @Override
    public CounterDescriptor descriptor()
    {
        return descriptor;
    }
}
