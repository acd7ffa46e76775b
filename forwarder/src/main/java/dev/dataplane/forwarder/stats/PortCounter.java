package dev.dataplane.forwarder.stats;

import dev.dataplane.runtime.CounterDescriptor;

/**
 * The figures of one forwarded port, as {@link PortTotals} holds them and the statistics print them: the
 * forwarder's own counts, then the device's (rte_eth_stats).
 */
public enum PortCounter implements CounterDescriptor
{
    RX_PACKETS("rx_packets", "packets", "received by the forwarder's pollers"),
    TX_PACKETS("tx_packets", "packets", "sent by the forwarder's pollers"),
    RX_BYTES("rx_bytes", "bytes", "the device's count (no FCS on NICs that strip it); some virtual devices count none"),
    TX_BYTES("tx_bytes", "bytes", "the device's count"),
    TX_DROPPED("tx_dropped", "packets", "refused by a TX ring, freed and never retried"),
    MALFORMED("malformed", "packets", "failed the router's checks (or too short for a rewrite) and freed"),
    FILTERED("filtered", "packets", "freed by the rules: drop verdicts, the drop policy, expired TTLs"),
    RING_FULL("ring_full", "packets", "pipeline: received, then freed because the ring to the stages was full"),
    RX_NOMBUF("rx_nombuf", "packets", "the device's: no mbuf to receive into"),
    RX_MISSED("rx_missed", "packets", "the device's: its RX ring was full"),
    RX_ERRORS("rx_errors", "packets", "the device's erroneous received packets"),
    TX_ERRORS("tx_errors", "packets", "the device's failed transmissions"),
    DEVICE_RX_PACKETS("device_rx_packets", "packets", "the device's received packets (ipackets)"),
    DEVICE_TX_PACKETS("device_tx_packets", "packets", "the device's sent packets (opackets)");

    private final String counterName;
    private final String unit;
    private final String help;

    PortCounter(final String counterName, final String unit, final String help)
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
