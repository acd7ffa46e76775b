package dev.dataplane.forwarder;

/**
 * One slot of a pipeline ring: primitives only, pre-allocated by the Disruptor and reused for ever. The RX lcore
 * writes {@link #mbuf}; the rules stage writes {@link #destination}; the TX stage reads both.
 */
public final class PacketEvent
{
    /** The packet's mbuf address. */
    long mbuf;
    /** The port it leaves by, or {@link RulesProcessor#DROP}. */
    int destination;
}
