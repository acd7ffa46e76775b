package dev.dataplane.forwarder.pipeline;

import static dev.dataplane.runtime.CounterDescriptor.packets;

import dev.dataplane.runtime.CounterDescriptor;

/** The counters of a pipeline's RX side, by {@link dev.dataplane.runtime.Counters} index. */
public enum PipelineRxCounter implements CounterDescriptor.Enumerated
{
    RECEIVED(packets("rx_packets", "received from the RX queue")),
    RING_FULL(packets("ring_full", "received, then freed: the ring to the stages had no free slot"));

    private final CounterDescriptor descriptor;

    PipelineRxCounter(final CounterDescriptor descriptor)
    {
        this.descriptor = descriptor;
    }

    @Override
    public CounterDescriptor descriptor()
    {
        return descriptor;
    }
}
