package dev.dataplane.perf.jmh;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

import dev.dataplane.dpdk.DpdkLibrary;
import dev.dataplane.dpdk.EthDev;

/**
 * The exported {@code rte_eth_fp_ops[RTE_MAX_ETHPORTS]} table through which DPDK's inline rx/tx burst
 * functions reach the drivers. Kept for the measured comparison with the shim (perf/ BurstCallBenchmark); the
 * forwarder uses {@link EthDev#rxBurst}. An entry's pointers change when a port is stopped and started again,
 * so read them after the port starts, and again after every restart.
 * <pre>
 *  struct rte_eth_fp_ops (128 B, one per port)
 *   0 rx_pkt_burst   8 rx_queue_count  16 rx_descriptor_status  24 rxq.data  32 rxq.clbk  40 reserved[3]
 *  64 tx_pkt_burst  72 tx_pkt_prepare  80 tx_descriptor_status  88 txq.data  96 txq.clbk 104 reserved[3]
 * </pre>
 */
public final class EthFpOps
{
    // struct rte_eth_fp_ops of DPDK 22.11, whose ABI is fixed for the LTS's life (checked by LayoutProbeTest while
    // this class lived in dpdk-bindings; the benchmark is its only user).
    static final long SIZE = 128;
    static final long RX_PKT_BURST_OFFSET = 0;
    static final long RXQ_DATA_OFFSET = 24;
    static final long TX_PKT_BURST_OFFSET = 64;
    static final long TXQ_DATA_OFFSET = 88;

    private static final MemorySegment TABLE = DpdkLibrary.symbol("rte_eth_fp_ops")
        .reinterpret(SIZE * EthDev.MAX_PORTS);

    private EthFpOps()
    {
    }

    /** The driver's receive function for the port. */
    public static MemorySegment rxFunction(final int port)
    {
        return TABLE.get(ADDRESS, port * SIZE + RX_PKT_BURST_OFFSET);
    }

    /** The driver's transmit function for the port. */
    public static MemorySegment txFunction(final int port)
    {
        return TABLE.get(ADDRESS, port * SIZE + TX_PKT_BURST_OFFSET);
    }

    /** The driver's private data of RX queue {@code queue}: the first argument of the receive function. */
    public static long rxQueue(final int port, final int queue)
    {
        final MemorySegment data = TABLE.get(ADDRESS, port * SIZE + RXQ_DATA_OFFSET);
        return data.reinterpret((queue + 1L) * 8).getAtIndex(JAVA_LONG, queue);
    }

    /** The driver's private data of TX queue {@code queue}: the first argument of the transmit function. */
    public static long txQueue(final int port, final int queue)
    {
        final MemorySegment data = TABLE.get(ADDRESS, port * SIZE + TXQ_DATA_OFFSET);
        return data.reinterpret((queue + 1L) * 8).getAtIndex(JAVA_LONG, queue);
    }
}
