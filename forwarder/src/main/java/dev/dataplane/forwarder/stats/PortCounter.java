package dev.dataplane.forwarder.stats;

import static dev.dataplane.runtime.CounterDescriptor.bytes;
import static dev.dataplane.runtime.CounterDescriptor.packets;

import dev.dataplane.runtime.CounterDescriptor;

/**
 * The figures of one forwarded port, as {@link PortTotals} holds them and the statistics print them: the
 * forwarder's own counts, then the device's (rte_eth_stats).
 */
public enum PortCounter implements CounterDescriptor.Enumerated
{
    RX_PACKETS(packets("rx_packets", "received by the forwarder's pollers")),
    TX_PACKETS(packets("tx_packets", "sent by the forwarder's pollers")),
    RX_BYTES(bytes("rx_bytes", "the device's count (no FCS on NICs that strip it); some virtual devices count none")),
    TX_BYTES(bytes("tx_bytes", "the device's count")),
    TX_DROPPED(packets("tx_dropped", "refused by a TX ring, freed and never retried")),
    MALFORMED(packets("malformed", "failed the router's checks (or too short for a rewrite) and freed")),
    FILTERED(packets("filtered", "freed by the rules: drop verdicts, the drop policy, expired TTLs")),
    RING_FULL(packets("ring_full", "pipeline: received, then freed because the ring to the stages was full")),
    RX_NOMBUF(packets("rx_nombuf", "the device's: no mbuf to receive into")),
    RX_MISSED(packets("rx_missed", "the device's: its RX ring was full")),
    RX_ERRORS(packets("rx_errors", "the device's erroneous received packets")),
    TX_ERRORS(packets("tx_errors", "the device's failed transmissions")),
    DEVICE_RX_PACKETS(packets("device_rx_packets", "the device's received packets (ipackets)")),
    DEVICE_TX_PACKETS(packets("device_tx_packets", "the device's sent packets (opackets)"));

    private final CounterDescriptor descriptor;

    PortCounter(final CounterDescriptor descriptor)
    {
        this.descriptor = descriptor;
    }

    @Override
    public CounterDescriptor descriptor()
    {
        return descriptor;
    }
}
