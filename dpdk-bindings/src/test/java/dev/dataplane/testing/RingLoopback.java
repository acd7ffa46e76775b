package dev.dataplane.testing;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mempool;

/**
 * This process's EAL with one net_ring port, {@link #PORT}, started with one RX and one TX queue: a loopback whose RX
 * queue receives what its TX queue sent, with a pool of its own. Closing it stops and closes the port, checks that
 * every mbuf is back in the pool, and frees the pool and the EAL. EAL initialises once per process, so one per test
 * JVM.
 */
public final class RingLoopback implements AutoCloseable
{
    public static final int PORT = 0;

    private final Eal eal;
    private final Mempool pool;

    private RingLoopback(final Eal eal, final Mempool pool)
    {
        this.eal = eal;
        this.pool = pool;
    }

    /**
     * @param poolName    the pool's name.
     * @param poolSize    mbufs in the pool.
     * @param descriptors the RX and the TX ring's size.
     */
    public static RingLoopback start(final String poolName, final int poolSize, final int descriptors)
    {
        final Eal eal = Eal.init(ealArgs("net_ring0"));
        Mempool pool = null;
        try
        {
            pool = Mempool.createPktmbufPool(poolName, poolSize, 0, Mempool.DEFAULT_DATA_ROOM_SIZE, eal.socketId());
            EthDev.configureAndStart(PORT, descriptors, descriptors, pool);
            return new RingLoopback(eal, pool);
        }
        catch (final RuntimeException ex)
        {
            if (null != pool)
            {
                pool.close();
            }
            eal.close();
            throw ex;
        }
    }

    public Eal eal()
    {
        return eal;
    }

    public Mempool pool()
    {
        return pool;
    }

    @Override
    public void close()
    {
        try
        {
            EthDev.stop(PORT);
            EthDev.close(PORT);
            assertEquals(0, pool.inUseCount(), "mbufs not back in the pool");
        }
        finally
        {
            pool.close();
            eal.close();
        }
    }
}
