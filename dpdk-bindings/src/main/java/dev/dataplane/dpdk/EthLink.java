package dev.dataplane.dpdk;

/**
 * A port's link (struct rte_eth_link): speed in Mbit/s (0 when unknown), and whether it is up.
 * The struct is a uint32 speed followed by the bitfields duplex:1, autoneg:1, status:1 in a uint16 at offset 4.
 */
public record EthLink(int speedMbps, boolean up, boolean fullDuplex)
{
    static final long SIZE = 8;
    static final long SPEED_OFFSET = 0;
    static final long FLAGS_OFFSET = 4;
    static final int DUPLEX_BIT = 0;
    static final int AUTONEG_BIT = 1;
    static final int STATUS_BIT = 2;
    /** RTE_ETH_SPEED_NUM_UNKNOWN. */
    static final int SPEED_UNKNOWN = 0xFFFFFFFF;
}
