package dev.dataplane.dpdk;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Bindings against two net_null ports in one EAL (this class's own JVM). */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EthDevNullTest
{
    private static Eal eal;
    private static Mempool pool;

    @BeforeAll
    static void startEal()
    {
        eal = Eal.init(ealArgs("net_null0", "net_null1,size=128"));
        pool = Mempool.createPktmbufPool("test_pool", 4095, 128, Mempool.DEFAULT_DATA_ROOM_SIZE, eal.socketId());
        for (int port = 0; port < 2; port++)
        {
            EthDev.configureAndStart(port, 512, 512, pool);
        }
    }

    @AfterAll
    static void stopEal()
    {
        for (int port = 0; port < 2; port++)
        {
            EthDev.stop(port);
            EthDev.close(port);
        }
        assertEquals(0, pool.inUseCount(), "mbufs leaked");
        pool.close();
        eal.close();
    }

    @Test
    @Order(1)
    void describesTheEnvironment()
    {
        assertEquals(0, eal.mainLcore());
        assertEquals(java.util.List.of(1), eal.workerLcores());
        assertEquals(2, EthDev.count());
        assertEquals(0, EthDev.portByName("net_null0"));
        assertEquals(1, EthDev.portByName("net_null1"));
        assertEquals(-1, EthDev.portByName("net_null9"));
        assertEquals("net_null1", EthDev.name(1));
        assertEquals("net_null", EthDev.info(0).driverName());
        assertTrue(EthDev.isValidPort(1));
        assertFalse(EthDev.isValidPort(2));
        assertTrue(EthDev.link(0).up());
        assertTrue(eal.tscHz() > 0);
        assertTrue(Eal.rdtsc() > 0);
        assertEquals(eal.mainLcore(), Eal.lcoreId(), "the thread that initialised EAL is the main lcore");
        assertEquals(0, EthDev.info(0).checkRxDescriptors(512) == null ? 0 : 1);
    }

    @Test
    @Order(2)
    void receivesTransmitsAndCountsWithoutLeaking()
    {
        final int inUse = pool.inUseCount();
        final MbufArray burst = new MbufArray(32);
        final int received = EthDev.rxBurst(1, 0, burst, 32);
        assertEquals(32, received);
        assertEquals(inUse + 32, pool.inUseCount());
        for (int i = 0; i < received; i++)
        {
            final long m = burst.get(i);
            assertEquals(128, Mbuf.dataLength(m));
            assertEquals(128, Mbuf.packetLength(m));
            assertEquals(1, Mbuf.port(m));
            assertEquals(1, Mbuf.refcnt(m));
            assertEquals(1, Mbuf.segmentCount(m));
            assertEquals(pool.address(), Mbuf.pool(m));
            assertEquals(Mbuf.HEADROOM, Mbuf.dataOffset(m));
        }
        assertEquals(32, EthDev.txBurst(0, 0, burst, 0, 32));
        assertEquals(inUse, pool.inUseCount());
        final EthStats stats = EthDev.stats(1, new EthStats());
        assertTrue(stats.rxPackets >= 32);
        final Map<String, Long> xstats = EthDev.xstats(0);
        assertTrue(xstats.get("tx_good_packets") >= 32, xstats.toString());
    }

    @Test
    @Order(3)
    void allocatesAndFreesInBulk()
    {
        final int inUse = pool.inUseCount();
        final MbufArray mbufs = new MbufArray(64);
        assertTrue(pool.allocBulk(mbufs, 64));
        assertEquals(inUse + 64, pool.inUseCount());
        Mbuf.setLength(mbufs.get(0), 60);
        assertEquals(60, Mbuf.dataLength(mbufs.get(0)));
        assertThrows(IllegalArgumentException.class, () -> Mbuf.setLength(mbufs.get(0), 1_000_000));
        Mbuf.free(mbufs.get(0));
        Mbuf.freeBulk(mbufs, 1, 63);
        assertEquals(inUse, pool.inUseCount());
        assertThrows(IndexOutOfBoundsException.class, () -> Mbuf.freeBulk(mbufs, 60, 10));
        assertFalse(pool.allocBulk(new MbufArray(65535), 65535), "more than the pool holds");
        assertEquals(inUse, pool.inUseCount());
    }

    @Test
    @Order(3)
    void aRawAllocationKeepsWhatTheLastUserSetAndAResetOneDoesNot()
    {
        // A pool of its own, with no cache, so what goes back is what comes out next, in order.
        try (Mempool own = Mempool.createPktmbufPool("raw_pool", 1023, 0, Mempool.DEFAULT_DATA_ROOM_SIZE,
            eal.socketId()))
        {
            final MbufArray all = new MbufArray(own.size());
            assertTrue(own.allocBulk(all, own.size()));
            for (int i = 0; i < own.size(); i++)
            {
                Mbuf.setLength(all.get(i), 60);
            }
            Mbuf.freeBulk(all, 0, own.size());
            final MbufArray some = new MbufArray(32);
            assertTrue(own.allocBulkRaw(some, 32));
            for (int i = 0; i < 32; i++)
            {
                assertEquals(60, Mbuf.dataLength(some.get(i)), "raw: as the last user left it");
                assertEquals(60, Mbuf.packetLength(some.get(i)));
            }
            Mbuf.freeBulk(some, 0, 32);
            assertTrue(own.allocBulk(some, 32));
            for (int i = 0; i < 32; i++)
            {
                assertEquals(0, Mbuf.dataLength(some.get(i)), "reset");
            }
            Mbuf.freeBulk(some, 0, 32);
            assertFalse(own.allocBulkRaw(new MbufArray(2048), 2048), "more than the pool holds");
            assertEquals(0, own.inUseCount());
        }
    }

    @Test
    @Order(4)
    void runsAnAgentOnAWorkerLcoreAndStopsIt()
    {
        final AtomicInteger lcoreSeen = new AtomicInteger(-2);
        final AtomicLong cycles = new AtomicLong();
        final LcoreTask task = Lcores.launch(1, new Agent()
        {
            public void onStart()
            {
                lcoreSeen.set(Eal.lcoreId());
            }

            public int doWork()
            {
                cycles.incrementAndGet();
                return 0;
            }

            public String roleName()
            {
                return "counter";
            }
        }, new SleepingIdleStrategy(100_000));
        assertTrue(await(() -> cycles.get() > 10, 10_000));
        assertTrue(task.isRunning());
        assertThrows(IllegalStateException.class, () -> Lcores.launch(1, idleAgent(), new BusySpinIdleStrategy()));
        task.close();
        assertEquals(1, lcoreSeen.get(), "the agent runs with the lcore's id");
        assertThrows(DpdkException.class, () -> Lcores.launch(0, idleAgent(), new BusySpinIdleStrategy()),
            "the main lcore cannot be launched on");
    }

    @Test
    @Order(5)
    void reportsAnAgentFailureWithoutCrashing()
    {
        final LcoreTask task = Lcores.launch(1, new Agent()
        {
            public int doWork()
            {
                throw new IllegalStateException("planted failure");
            }

            public String roleName()
            {
                return "failing";
            }
        }, new BusySpinIdleStrategy());
        assertTrue(await(() -> null != task.failure(), 10_000));
        final IllegalStateException ex = assertThrows(IllegalStateException.class, task::join);
        assertTrue(ex.getMessage().contains("planted failure"), ex.getMessage());
    }

    private static Agent idleAgent()
    {
        return new Agent()
        {
            public int doWork()
            {
                return 0;
            }

            public String roleName()
            {
                return "idle";
            }
        };
    }

    @Test
    @Order(6)
    void failsClearlyOnBadPortsAndArguments()
    {
        final DpdkException ex = assertThrows(DpdkException.class, () -> EthDev.start(9));
        assertTrue(ex.getMessage().contains("rte_eth_dev_start") && ex.getMessage().contains("port 9"),
            ex.getMessage());
        assertThrows(DpdkException.class, () -> EthDev.info(31));
        assertThrows(IllegalArgumentException.class,
            () -> Mempool.createPktmbufPool("bad", 0, 0, Mempool.DEFAULT_DATA_ROOM_SIZE, -1));
        final DpdkException duplicate = assertThrows(DpdkException.class,
            () -> Mempool.createPktmbufPool("test_pool", 1023, 0, Mempool.DEFAULT_DATA_ROOM_SIZE, -1));
        assertTrue(duplicate.getMessage().contains("rte_pktmbuf_pool_create"), duplicate.getMessage());
    }
}
