package dev.dataplane.forwarder.rtc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.runtime.LcoreTransmitter;
import dev.dataplane.testing.RingLoopback;
import org.junit.jupiter.api.Test;

/**
 * The transmitter sends in the order it was given packets, whether they were buffered one by one or handed over as a
 * whole burst for one port, counts them, frees what the rules dropped and leaves what another lcore took: checked
 * on a net_ring port, a loopback whose RX queue receives what its TX queue sent.
 */
class LcoreTransmitterTest
{
    @Test
    void aWholeBurstGoesStraightOutOrQueuesBehindWhatIsBuffered()
    {
        try (RingLoopback ring = RingLoopback.start("transmitter", 1023, 512))
        {
            final Mempool pool = ring.pool();
            final LcoreTransmitter transmitter = new LcoreTransmitter(0, new int[] {0}, 64);
            final MbufArray burst = new MbufArray(8);
            final MbufArray received = new MbufArray(64);

            // Nothing buffered: the burst goes out as it is.
            assertTrue(pool.allocBulk(burst, 8));
            final long[] sent = addresses(burst, 8);
            transmitter.sendAll(0, burst, 8);
            assertEquals(8, EthDev.rxBurst(0, 0, received, 64));
            for (int i = 0; i < 8; i++)
            {
                assertEquals(sent[i], received.get(i));
            }
            assertEquals(8, transmitter.sent(0));

            // One packet buffered first: the burst queues behind it, and all leave on the flush, in order.
            final MbufArray one = new MbufArray(1);
            assertTrue(pool.allocBulk(one, 1));
            transmitter.send(0, one.get(0));
            final MbufArray second = new MbufArray(8);
            assertTrue(pool.allocBulk(second, 8));
            final long[] queued = addresses(second, 8);
            transmitter.sendAll(0, second, 8);
            transmitter.flush();
            assertEquals(9, EthDev.rxBurst(0, 0, received, 64));
            assertEquals(one.get(0), received.get(0));
            for (int i = 0; i < 8; i++)
            {
                assertEquals(queued[i], received.get(i + 1));
            }
            assertEquals(17, transmitter.sent(0));
            assertEquals(0, transmitter.dropped(0));
            Mbuf.freeBulk(received, 0, 9);
            Mbuf.freeBulk(burst, 0, 8);

            // A mixed burst: the dropped are freed, the rest leave in order; an all-dropped burst is freed whole.
            final MbufArray drops = new MbufArray(8);
            final int[] destinations = {0, RulesProcessor.DROP, 0, RulesProcessor.DROP, RulesProcessor.DROP, 0, 0,
                RulesProcessor.DROP};
            assertTrue(pool.allocBulk(burst, 8));
            final long[] mixed = addresses(burst, 8);
            assertEquals(4, transmitter.dispatch(burst, 8, destinations, drops));
            transmitter.flush();
            assertEquals(4, EthDev.rxBurst(0, 0, received, 64));
            final int[] kept = {0, 2, 5, 6};
            for (int i = 0; i < kept.length; i++)
            {
                assertEquals(mixed[kept[i]], received.get(i));
            }
            assertEquals(4, pool.inUseCount(), "the four dropped are back in the pool");
            Mbuf.freeBulk(received, 0, 4);
            assertTrue(pool.allocBulk(burst, 8));
            final int[] allDropped = new int[8];
            Arrays.fill(allDropped, RulesProcessor.DROP);
            assertEquals(8, transmitter.dispatch(burst, 8, allDropped, drops));
            assertEquals(0, EthDev.rxBurst(0, 0, received, 64));

            // Packets another lcore took are neither sent nor freed: they are its to send or free.
            assertTrue(pool.allocBulk(burst, 8));
            final long[] taken = addresses(burst, 8);
            final int[] someTaken = {0, RulesProcessor.TAKEN, RulesProcessor.DROP, 0, RulesProcessor.TAKEN, 0, 0, 0};
            assertEquals(1, transmitter.dispatch(burst, 8, someTaken, drops));
            transmitter.flush();
            assertEquals(5, EthDev.rxBurst(0, 0, received, 64));
            assertEquals(7, pool.inUseCount(), "five sent and received, two taken");
            Mbuf.freeBulk(received, 0, 5);
            assertTrue(pool.allocBulk(burst, 8));
            final int[] allTaken = new int[8];
            Arrays.fill(allTaken, RulesProcessor.TAKEN);
            assertEquals(0, transmitter.dispatch(burst, 8, allTaken, drops));
            assertEquals(0, EthDev.rxBurst(0, 0, received, 64));
            assertEquals(10, pool.inUseCount(), "the taken two, and a burst all taken");
            Mbuf.free(taken[1]);
            Mbuf.free(taken[4]);
            Mbuf.freeBulk(burst, 0, 8);
        } // closing the loopback checks that every mbuf is back in the pool
    }

    private static long[] addresses(final MbufArray mbufs, final int count)
    {
        final long[] addresses = new long[count];
        for (int i = 0; i < count; i++)
        {
            addresses[i] = mbufs.get(i);
        }
        return addresses;
    }
}
