package dev.dataplane.runtime;

import java.util.ArrayList;
import java.util.List;

import dev.dataplane.dpdk.DpdkException;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mempool;

/**
 * The ports a dataplane brings up and the pools their queues take mbufs from, the lifecycle both programs share:
 * configured and started in order, with every port started so far stopped and closed, and the pools freed, when one
 * fails; at the end stopped and closed together once, the pools' in-use count read just before they are freed
 * (anything but 0 is a leak).
 */
public final class PortSet implements AutoCloseable
{
    /**
     * How one port is set up: its queues and descriptors, the pool its RX queues fill from, offloads, an MTU (0: the
     * driver's) and promiscuous mode.
     */
    public record PortSetup(int port, int rxQueues, int txQueues, int rxDescriptors, int txDescriptors,
        Mempool rxPool, long rxOffloads, long txOffloads, int mtu, boolean promiscuous)
    {
    }

    private final List<Integer> ports;
    private final List<Mempool> pools;
    private boolean closed;
    private int inUseAtClose = -1;

    private PortSet(final List<Integer> ports, final List<Mempool> pools)
    {
        this.ports = List.copyOf(ports);
        this.pools = List.copyOf(pools);
    }

    /**
     * Sets up and starts each port in order; takes {@code pools} over (they are freed with the set, or at once if a
     * port fails). A port that refuses promiscuous mode adds a line to {@code warnings}.
     *
     * @throws DpdkException            when DPDK refuses a setup call, after undoing what was done.
     * @throws IllegalArgumentException when a port refuses the MTU, after undoing what was done.
     */
    public static PortSet start(final List<Mempool> pools, final List<PortSetup> setups, final List<String> warnings)
    {
        final List<Integer> started = new ArrayList<>();
        try
        {
            for (final PortSetup setup : setups)
            {
                final int port = setup.port();
                EthDev.configure(port, setup.rxQueues(), setup.txQueues(), setup.rxOffloads(), setup.txOffloads());
                if (0 != setup.mtu())
                {
                    setMtu(port, setup.mtu());
                }
                for (int queue = 0; queue < setup.rxQueues(); queue++)
                {
                    EthDev.rxQueueSetup(port, queue, setup.rxDescriptors(), setup.rxPool());
                }
                for (int queue = 0; queue < setup.txQueues(); queue++)
                {
                    EthDev.txQueueSetup(port, queue, setup.txDescriptors());
                }
                EthDev.start(port);
                started.add(port);
                if (setup.promiscuous() && !EthDev.enablePromiscuous(port))
                {
                    warnings.add("port " + port + " (" + EthDev.info(port).driverName() +
                        ") does not support promiscuous mode");
                }
            }
        }
        catch (final RuntimeException ex)
        {
            for (final int port : started)
            {
                EthDev.stopAndClose(port, warnings);
            }
            pools.forEach(Mempool::close);
            throw ex;
        }
        return new PortSet(started, pools);
    }

    /** Sets the port's MTU; a port that has none to set (a virtual device) takes any size. */
    private static void setMtu(final int port, final int mtu)
    {
        try
        {
            EthDev.setMtu(port, mtu);
        }
        catch (final DpdkException ex)
        {
            throw new IllegalArgumentException("port " + port + " (" + EthDev.name(port) + ") refuses an MTU of " +
                mtu + " for these frames: " + ex.getMessage(), ex);
        }
    }

    /** The ports, in the order they were set up. */
    public List<Integer> ports()
    {
        return ports;
    }

    /**
     * Stops and closes the ports, then reads the pools' in-use count and frees them. Idempotent.
     *
     * @throws DpdkException naming each port that failed to stop or close (everything else is still done).
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        final List<String> problems = new ArrayList<>();
        for (final int port : ports)
        {
            EthDev.stopAndClose(port, problems);
        }
        inUseAtClose = pools.stream().mapToInt(Mempool::inUseCount).sum();
        pools.forEach(Mempool::close);
        if (!problems.isEmpty())
        {
            throw new DpdkException(String.join("; ", problems));
        }
    }

    /**
     * Mbufs still out of the pools once the ports closed, measured just before the pools were freed: 0 unless
     * something leaked; -1 before {@link #close}.
     */
    public int mbufsInUseAtClose()
    {
        return inUseAtClose;
    }
}
