package dev.dataplane.dpdk;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;

/**
 * What a port says of itself (struct rte_eth_dev_info, the fields this project uses). Offsets are Debian's
 * DPDK 22.11, checked by LayoutProbeTest.
 */
public record EthDevInfo(
    String driverName,
    int maxRxQueues,
    int maxTxQueues,
    int maxRxPacketLength,
    int rxDescMax,
    int rxDescMin,
    int rxDescAlign,
    int txDescMax,
    int txDescMin,
    int txDescAlign,
    long rxOffloadCapabilities,
    long txOffloadCapabilities,
    long rssOffloads,
    int speedCapabilities)
{
    static final long SIZE = 376;
    static final long DRIVER_NAME_OFFSET = 8;
    static final long MAX_RX_PKTLEN_OFFSET = 36;
    static final long MAX_RX_QUEUES_OFFSET = 44;
    static final long MAX_TX_QUEUES_OFFSET = 46;
    static final long RX_OFFLOAD_CAPA_OFFSET = 72;
    static final long TX_OFFLOAD_CAPA_OFFSET = 80;
    static final long FLOW_TYPE_RSS_OFFLOADS_OFFSET = 112;
    static final long RX_DESC_LIM_OFFSET = 262;
    static final long TX_DESC_LIM_OFFSET = 272;
    static final long SPEED_CAPA_OFFSET = 284;
    /** struct rte_eth_desc_lim: nb_max, nb_min, nb_align (uint16_t each). */
    static final long DESC_LIM_NB_MAX_OFFSET = 0;
    static final long DESC_LIM_NB_MIN_OFFSET = 2;
    static final long DESC_LIM_NB_ALIGN_OFFSET = 4;

    /** Receive offload capability bits (RTE_ETH_RX_OFFLOAD_*): the NIC checks these checksums. */
    public static final long RX_OFFLOAD_IPV4_CKSUM = 1L << 1;
    public static final long RX_OFFLOAD_UDP_CKSUM = 1L << 2;
    public static final long RX_OFFLOAD_TCP_CKSUM = 1L << 3;
    /** Transmit offload capability bits (RTE_ETH_TX_OFFLOAD_*). */
    public static final long TX_OFFLOAD_IPV4_CKSUM = 1L << 1;
    public static final long TX_OFFLOAD_UDP_CKSUM = 1L << 2;
    public static final long TX_OFFLOAD_TCP_CKSUM = 1L << 3;

    static EthDevInfo read(final MemorySegment info)
    {
        final MemorySegment driver = info.get(ADDRESS, DRIVER_NAME_OFFSET);
        return new EthDevInfo(
            MemorySegment.NULL.equals(driver) ? "" : driver.reinterpret(256).getString(0),
            u16(info, MAX_RX_QUEUES_OFFSET),
            u16(info, MAX_TX_QUEUES_OFFSET),
            (int)Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(info.get(JAVA_INT, MAX_RX_PKTLEN_OFFSET))),
            u16(info, RX_DESC_LIM_OFFSET + DESC_LIM_NB_MAX_OFFSET),
            u16(info, RX_DESC_LIM_OFFSET + DESC_LIM_NB_MIN_OFFSET),
            u16(info, RX_DESC_LIM_OFFSET + DESC_LIM_NB_ALIGN_OFFSET),
            u16(info, TX_DESC_LIM_OFFSET + DESC_LIM_NB_MAX_OFFSET),
            u16(info, TX_DESC_LIM_OFFSET + DESC_LIM_NB_MIN_OFFSET),
            u16(info, TX_DESC_LIM_OFFSET + DESC_LIM_NB_ALIGN_OFFSET),
            info.get(JAVA_LONG, RX_OFFLOAD_CAPA_OFFSET),
            info.get(JAVA_LONG, TX_OFFLOAD_CAPA_OFFSET),
            info.get(JAVA_LONG, FLOW_TYPE_RSS_OFFLOADS_OFFSET),
            info.get(JAVA_INT, SPEED_CAPA_OFFSET));
    }

    /** Why {@code count} RX descriptors would be refused by this port, or null when they fit. */
    public String checkRxDescriptors(final int count)
    {
        return checkDescriptors("RX", count, rxDescMin, rxDescMax, rxDescAlign);
    }

    /** Why {@code count} TX descriptors would be refused by this port, or null when they fit. */
    public String checkTxDescriptors(final int count)
    {
        return checkDescriptors("TX", count, txDescMin, txDescMax, txDescAlign);
    }

    private static String checkDescriptors(
        final String direction, final int count, final int min, final int max, final int align)
    {
        if (count < min || count > max || (align > 1 && count % align != 0))
        {
            return direction + " descriptors must be in " + min + ".." + max +
                (align > 1 ? " and a multiple of " + align : "") + ": " + count;
        }
        return null;
    }

    private static int u16(final MemorySegment segment, final long offset)
    {
        return segment.get(JAVA_SHORT, offset) & 0xFFFF;
    }
}
