package dev.dataplane.pktgen;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dataplane.dpdk.Eal;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** net_ring loops TX back to RX: every packet of every flow arrives once, in order, and is counted exactly. */
class LoopbackTest
{
    private static final long COUNT = 3_000_000;

    @Test
    void countsEveryPacketOfEveryFlowWithNoLoss()
    {
        final Eal eal = Eal.init(ealArgs("net_ring0"));
        try
        {
            final Traffic traffic = Traffic.defaults(64, 64);
            final Pktgen pktgen = Pktgen.create(eal, new PktgenContext(0, 0, 32, traffic, "0", COUNT, 0));
            pktgen.start();
            assertTrue(await(() -> pktgen.receiver().received() >= COUNT, 60_000), "all arrived");
            pktgen.stop();
            final Histogram latency = pktgen.latency().getIntervalHistogram();
            pktgen.close();
            assertEquals(COUNT, pktgen.generator().sent());
            assertEquals(0, pktgen.generator().txRefused());
            assertEquals(COUNT, pktgen.receiver().received());
            assertEquals(0, pktgen.receiver().unstamped());
            final SequenceTracker tracker = pktgen.receiver().tracker();
            for (int stream = 0; stream < 64; stream++)
            {
                assertEquals(COUNT / 64 + (stream < COUNT % 64 ? 1 : 0), tracker.received(stream), "stream " + stream);
                assertEquals(tracker.received(stream), tracker.expected(stream));
                assertEquals(0, tracker.lost(stream) + tracker.duplicates(stream) + tracker.outOfOrder(stream) +
                    tracker.late(stream));
            }
            assertEquals(COUNT, latency.getTotalCount(), "a latency for every packet");
            assertTrue(latency.getValueAtPercentile(50) > 0);
            assertEquals(0, pktgen.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
    }
}
