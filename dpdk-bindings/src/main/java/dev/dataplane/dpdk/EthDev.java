package dev.dataplane.dpdk;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ethernet ports (librte_ethdev). The control plane is ordinary downcalls that throw {@link DpdkException}
 * on failure; {@link #rxBurst} and {@link #txBurst} are the fast path.
 * <p>
 * rte_eth_rx_burst and rte_eth_tx_burst are static inline in DPDK's headers. They are reached through the
 * shim (src/main/c), as critical downcalls: short, and never calling back into Java. The alternative, calling
 * the drivers through the exported rte_eth_fp_ops table (perf's {@code EthFpOps}), measured no faster here, skips
 * the ethdev RX/TX callbacks that dpdk-pdump and latencystats hook, and goes stale when a port restarts; the
 * performance docs have the figures.
 */
public final class EthDev
{
    /** RTE_MAX_ETHPORTS in Debian's build. */
    public static final int MAX_PORTS = 32;
    /** RTE_ETH_NAME_MAX_LEN. */
    public static final int NAME_MAX_LENGTH = 64;
    /** sizeof(struct rte_eth_conf), and the offsets of what is set in it. Checked by LayoutProbeTest. */
    static final long CONF_SIZE = 2272;
    static final long CONF_RXMODE_MQ_MODE_OFFSET = 8;
    static final long CONF_RXMODE_OFFLOADS_OFFSET = 8 + 16;
    static final long CONF_TXMODE_OFFLOADS_OFFSET = 64 + 8;
    static final long CONF_RSS_HF_OFFSET = 128 + 16;
    /** RTE_ETH_MQ_RX_RSS. */
    static final int MQ_RX_RSS = 1;
    /** RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP: spread flows by addresses and ports. */
    public static final long RSS_IP_UDP_TCP = 0x3AFBCL;

    private static final MethodHandle RX_BURST = DpdkLibrary.downcall("dp_rx_burst",
        FunctionDescriptor.of(JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_LONG, JAVA_SHORT),
        Linker.Option.critical(false));
    private static final MethodHandle TX_BURST = DpdkLibrary.downcall("dp_tx_burst",
        FunctionDescriptor.of(JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_LONG, JAVA_SHORT),
        Linker.Option.critical(false));

    private static final MethodHandle COUNT_AVAIL = DpdkLibrary.downcall(
        "rte_eth_dev_count_avail", FunctionDescriptor.of(JAVA_SHORT));
    private static final MethodHandle IS_VALID_PORT = DpdkLibrary.downcall(
        "rte_eth_dev_is_valid_port", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle PORT_BY_NAME = DpdkLibrary.downcall(
        "rte_eth_dev_get_port_by_name", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle NAME_BY_PORT = DpdkLibrary.downcall(
        "rte_eth_dev_get_name_by_port", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle SOCKET_ID = DpdkLibrary.downcall(
        "rte_eth_dev_socket_id", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle INFO_GET = DpdkLibrary.downcall(
        "rte_eth_dev_info_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle CONFIGURE = DpdkLibrary.downcall(
        "rte_eth_dev_configure", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle RX_QUEUE_SETUP = DpdkLibrary.downcall("rte_eth_rx_queue_setup",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle TX_QUEUE_SETUP = DpdkLibrary.downcall("rte_eth_tx_queue_setup",
        FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_INT, ADDRESS));
    private static final MethodHandle START = DpdkLibrary.downcall(
        "rte_eth_dev_start", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle STOP = DpdkLibrary.downcall(
        "rte_eth_dev_stop", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle CLOSE = DpdkLibrary.downcall(
        "rte_eth_dev_close", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle PROMISCUOUS_ENABLE = DpdkLibrary.downcall(
        "rte_eth_promiscuous_enable", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle SET_MTU = DpdkLibrary.downcall(
        "rte_eth_dev_set_mtu", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, JAVA_SHORT));
    private static final MethodHandle PROMISCUOUS_GET = DpdkLibrary.downcall(
        "rte_eth_promiscuous_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle MACADDR_GET = DpdkLibrary.downcall(
        "rte_eth_macaddr_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle LINK_GET_NOWAIT = DpdkLibrary.downcall(
        "rte_eth_link_get_nowait", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle STATS_GET = DpdkLibrary.downcall(
        "rte_eth_stats_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS));
    private static final MethodHandle STATS_RESET = DpdkLibrary.downcall(
        "rte_eth_stats_reset", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT));
    private static final MethodHandle XSTATS_GET = DpdkLibrary.downcall(
        "rte_eth_xstats_get", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS, JAVA_INT));
    private static final MethodHandle XSTATS_GET_NAMES = DpdkLibrary.downcall(
        "rte_eth_xstats_get_names", FunctionDescriptor.of(JAVA_INT, JAVA_SHORT, ADDRESS, JAVA_INT));

    /** sizeof(struct rte_eth_xstat) {uint64_t id; uint64_t value;} and of struct rte_eth_xstat_name {char[64]}. */
    static final long XSTAT_SIZE = 16;
    static final long XSTAT_NAME_SIZE = 64;

    private EthDev()
    {
    }

    /**
     * rte_eth_rx_burst: up to {@code count} packets from the queue into {@code pkts[0..)}.
     *
     * @return the number received.
     */
    public static int rxBurst(final int port, final int queue, final MbufArray pkts, final int count)
    {
        try
        {
            return (short)RX_BURST.invokeExact((short)port, (short)queue, pkts.address(), (short)count) & 0xFFFF;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /**
     * rte_eth_tx_burst of {@code pkts[from..from+count)}. The mbufs TX takes are the driver's to free; the
     * ones it leaves (the tail past the returned count) stay the caller's.
     *
     * @return the number the driver took.
     */
    public static int txBurst(final int port, final int queue, final MbufArray pkts, final int from, final int count)
    {
        try
        {
            return (short)TX_BURST.invokeExact((short)port, (short)queue, pkts.address() + ((long)from << 3),
                (short)count) & 0xFFFF;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /** Ports EAL found (rte_eth_dev_count_avail). */
    public static int count()
    {
        return call("rte_eth_dev_count_avail", -1, () -> (short)COUNT_AVAIL.invokeExact() & 0xFFFF);
    }

    public static boolean isValidPort(final int port)
    {
        return port >= 0 && port < MAX_PORTS &&
            0 != call("rte_eth_dev_is_valid_port", port, () -> (int)IS_VALID_PORT.invokeExact((short)port));
    }

    /** The port id of a device name (for example {@code net_null0}), or -1 when there is none. */
    public static int portByName(final String name)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment portId = arena.allocate(JAVA_SHORT);
            final int ret = (int)PORT_BY_NAME.invokeExact(arena.allocateFrom(name), portId);
            return 0 == ret ? portId.get(JAVA_SHORT, 0) & 0xFFFF : -1;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException("rte_eth_dev_get_port_by_name " + name, t);
        }
    }

    public static String name(final int port)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment name = arena.allocate(NAME_MAX_LENGTH);
            call("rte_eth_dev_get_name_by_port", port, () -> (int)NAME_BY_PORT.invokeExact((short)port, name));
            return name.getString(0);
        }
    }

    /** The port's NUMA socket, or -1 when unknown (virtual devices). */
    public static int socketId(final int port)
    {
        try
        {
            return (int)SOCKET_ID.invokeExact((short)port);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    public static EthDevInfo info(final int port)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment info = arena.allocate(EthDevInfo.SIZE, 8);
            call("rte_eth_dev_info_get", port, () -> (int)INFO_GET.invokeExact((short)port, info));
            return EthDevInfo.read(info);
        }
    }

    /**
     * rte_eth_dev_configure. With more than one RX queue, RSS spreads flows over them by addresses and ports.
     *
     * @param rxOffloads RTE_ETH_RX_OFFLOAD_* bits to enable; must be among the port's capabilities.
     * @param txOffloads RTE_ETH_TX_OFFLOAD_* bits to enable; must be among the port's capabilities.
     */
    public static void configure(final int port, final int rxQueues, final int txQueues, final long rxOffloads,
        final long txOffloads)
    {
        final long rssHf = rxQueues > 1 ? RSS_IP_UDP_TCP & info(port).rssOffloads() : 0;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment conf = arena.allocate(CONF_SIZE, 8);
            if (0 != rssHf)
            {
                conf.set(JAVA_INT, CONF_RXMODE_MQ_MODE_OFFSET, MQ_RX_RSS);
                conf.set(JAVA_LONG, CONF_RSS_HF_OFFSET, rssHf);
            }
            conf.set(JAVA_LONG, CONF_RXMODE_OFFLOADS_OFFSET, rxOffloads);
            conf.set(JAVA_LONG, CONF_TXMODE_OFFLOADS_OFFSET, txOffloads);
            call("rte_eth_dev_configure", port,
                () -> (int)CONFIGURE.invokeExact((short)port, (short)rxQueues, (short)txQueues, conf));
        }
    }

    /** rte_eth_rx_queue_setup with the driver's default queue configuration. */
    public static void rxQueueSetup(final int port, final int queue, final int descriptors, final Mempool pool)
    {
        final int socket = socketId(port);
        call("rte_eth_rx_queue_setup", port, () -> (int)RX_QUEUE_SETUP.invokeExact((short)port, (short)queue,
            (short)descriptors, socket, MemorySegment.NULL, pool.address()));
    }

    /** rte_eth_tx_queue_setup with the driver's default queue configuration. */
    public static void txQueueSetup(final int port, final int queue, final int descriptors)
    {
        final int socket = socketId(port);
        call("rte_eth_tx_queue_setup", port, () -> (int)TX_QUEUE_SETUP.invokeExact((short)port, (short)queue,
            (short)descriptors, socket, MemorySegment.NULL));
    }

    /**
     * The usual bring-up: one RX and one TX queue with the driver's defaults, RX buffers from {@code pool}, then
     * start.
     */
    public static void configureAndStart(final int port, final int rxDescriptors, final int txDescriptors,
        final Mempool pool)
    {
        configure(port, 1, 1, 0, 0);
        rxQueueSetup(port, 0, rxDescriptors, pool);
        txQueueSetup(port, 0, txDescriptors);
        start(port);
    }

    public static void start(final int port)
    {
        call("rte_eth_dev_start", port, () -> (int)START.invokeExact((short)port));
    }

    public static void stop(final int port)
    {
        call("rte_eth_dev_stop", port, () -> (int)STOP.invokeExact((short)port));
    }

    public static void close(final int port)
    {
        call("rte_eth_dev_close", port, () -> (int)CLOSE.invokeExact((short)port));
    }

    /** Stops and closes {@code port}, adding what DPDK refused to {@code problems} instead of throwing. */
    public static void stopAndClose(final int port, final List<String> problems)
    {
        try
        {
            stop(port);
        }
        catch (final DpdkException ex)
        {
            problems.add(ex.getMessage());
        }
        try
        {
            close(port);
        }
        catch (final DpdkException ex)
        {
            problems.add(ex.getMessage());
        }
    }

    /**
     * rte_eth_promiscuous_enable.
     *
     * @return false when the driver does not support it (virtual devices often don't), true when on.
     */
    public static boolean enablePromiscuous(final int port)
    {
        final int enotsup = -95;
        final int unsupported = 1;
        final int ret = call("rte_eth_promiscuous_enable", port, () ->
        {
            final int r = (int)PROMISCUOUS_ENABLE.invokeExact((short)port);
            return r == enotsup ? unsupported : r;
        });
        return ret != unsupported &&
            1 == call("rte_eth_promiscuous_get", port, () -> (int)PROMISCUOUS_GET.invokeExact((short)port));
    }

    /**
     * rte_eth_dev_set_mtu: the largest L3 packet the port sends and takes (a frame of {@code mtu} + 18 bytes, FCS
     * included, or 22 with a VLAN tag).
     *
     * @return false when the driver has no MTU to set (virtual devices such as net_ring and net_null take any size),
     *     true when set; a refusal (an MTU past the port's limits) throws.
     */
    public static boolean setMtu(final int port, final int mtu)
    {
        final int enotsup = -95;
        final int unsupported = 1;
        return unsupported != call("rte_eth_dev_set_mtu", port, () ->
        {
            final int r = (int)SET_MTU.invokeExact((short)port, (short)mtu);
            return r == enotsup ? unsupported : r;
        });
    }

    /** The port's MAC address as the low 48 bits of a long, first octet most significant. */
    public static long macAddress(final int port)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment mac = arena.allocate(6);
            call("rte_eth_macaddr_get", port, () -> (int)MACADDR_GET.invokeExact((short)port, mac));
            long value = 0;
            for (int i = 0; i < 6; i++)
            {
                value = (value << 8) | (mac.get(JAVA_BYTE, i) & 0xFF);
            }
            return value;
        }
    }

    /** rte_eth_link_get_nowait. */
    public static EthLink link(final int port)
    {
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment link = arena.allocate(EthLink.SIZE, 8);
            call("rte_eth_link_get_nowait", port, () -> (int)LINK_GET_NOWAIT.invokeExact((short)port, link));
            final int speed = link.get(JAVA_INT, EthLink.SPEED_OFFSET);
            final int flags = link.get(JAVA_SHORT, EthLink.FLAGS_OFFSET);
            return new EthLink(speed == EthLink.SPEED_UNKNOWN ? 0 : speed,
                0 != (flags & (1 << EthLink.STATUS_BIT)), 0 != (flags & (1 << EthLink.DUPLEX_BIT)));
        }
    }

    /** A reusable native buffer for {@link #stats(int, EthStats, MemorySegment)}, so periodic reads allocate none. */
    public static MemorySegment allocateStatsBuffer(final Arena arena)
    {
        return arena.allocate(EthStats.SIZE, 8);
    }

    /** rte_eth_stats_get into {@code into}, through a scratch buffer from {@link #allocateStatsBuffer}. */
    public static void stats(final int port, final EthStats into, final MemorySegment buffer)
    {
        call("rte_eth_stats_get", port, () -> (int)STATS_GET.invokeExact((short)port, buffer));
        into.read(buffer);
    }

    /** rte_eth_stats_get. */
    public static EthStats stats(final int port, final EthStats into)
    {
        try (Arena arena = Arena.ofConfined())
        {
            stats(port, into, allocateStatsBuffer(arena));
            return into;
        }
    }

    public static void resetStats(final int port)
    {
        call("rte_eth_stats_reset", port, () -> (int)STATS_RESET.invokeExact((short)port));
    }

    /** Extended statistics, by name, in the driver's order. */
    public static Map<String, Long> xstats(final int port)
    {
        final int count = call("rte_eth_xstats_get_names", port,
            () -> (int)XSTATS_GET_NAMES.invokeExact((short)port, MemorySegment.NULL, 0));
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment names = arena.allocate(XSTAT_NAME_SIZE * Math.max(1, count), 8);
            final MemorySegment values = arena.allocate(XSTAT_SIZE * Math.max(1, count), 8);
            final int gotNames = call("rte_eth_xstats_get_names", port,
                () -> (int)XSTATS_GET_NAMES.invokeExact((short)port, names, count));
            final int gotValues = call("rte_eth_xstats_get", port,
                () -> (int)XSTATS_GET.invokeExact((short)port, values, count));
            final Map<String, Long> xstats = new LinkedHashMap<>();
            for (int i = 0; i < Math.min(count, Math.min(gotNames, gotValues)); i++)
            {
                final long id = values.get(JAVA_LONG, i * XSTAT_SIZE);
                if (id >= 0 && id < gotNames)
                {
                    xstats.put(names.getString(id * XSTAT_NAME_SIZE), values.get(JAVA_LONG, i * XSTAT_SIZE + 8));
                }
            }
            return xstats;
        }
    }

    /** A control-plane downcall returning DPDK's int status. */
    @FunctionalInterface
    private interface NativeCall
    {
        int invoke() throws Throwable;
    }

    /** Makes the call and returns its non-negative result; a negative one is a {@link DpdkException}. */
    private static int call(final String name, final int port, final NativeCall call)
    {
        final int ret;
        try
        {
            ret = call.invoke();
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(name + " (port " + port + ")", t);
        }
        check(name, ret, port);
        return ret;
    }

    private static void check(final String call, final int ret, final int port)
    {
        if (ret < 0)
        {
            throw DpdkException.ofReturn(call, ret, "port " + port);
        }
    }
}
