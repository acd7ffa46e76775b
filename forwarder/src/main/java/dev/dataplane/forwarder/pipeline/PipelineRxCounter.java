package dev.dataplane.forwarder.pipeline;

import dev.dataplane.runtime.CounterDescriptor;

/** The counters of a pipeline's RX side, by {@link dev.dataplane.runtime.Counters} index. */
public enum PipelineRxCounter implements CounterDescriptor
{
    RECEIVED("rx_packets", "received from the RX queue"),
    RING_FULL("ring_full", "received, then freed: the ring to the stages had no free slot");

    private final String counterName;
    private final String help;

    PipelineRxCounter(final String counterName, final String help)
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
