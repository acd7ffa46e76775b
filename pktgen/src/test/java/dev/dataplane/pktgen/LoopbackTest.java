package dev.dataplane.pktgen;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.pktgen.rx.SequenceTracker;
import dev.dataplane.pktgen.traffic.FrameSizes;
import dev.dataplane.pktgen.traffic.Traffic;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * net_ring loops TX back to RX: every packet of every flow arrives once, in order, and is counted exactly; with one TX
 * queue and 64-byte frames, and with IMIX from two TX queues (each feeding its own RX queue), where the bytes that
 * arrive are exactly IMIX's 7:4:1.
 */
class LoopbackTest
{
    private static final long COUNT = 3_000_000;
    /** A whole number of IMIX patterns (12 frames) per TX queue. */
    private static final long IMIX_COUNT = 1_200_000;
    /** Bytes in the mbufs (no FCS) of one IMIX pattern: 7 x 60 + 4 x 572 + 1 x 1496. */
    private static final long IMIX_PATTERN_BYTES = 7 * 60 + 4 * 572 + 1496;

    @Test
    void countsEveryPacketOfEveryFlowWithNoLoss()
    {
        final Eal eal = Eal.init(ealArgs("net_ring0", "net_ring1"));
        try
        {
            final Pktgen single = run(eal, 0, Traffic.defaults(64, 64), 1, COUNT);
            assertEquals(COUNT * 60, single.senders().sentBytes());

            final Traffic imix = new Traffic(FrameSizes.parse("imix"), 64, 0x02_00_00_00_00_01L,
                0x02_00_00_00_00_02L, 0x0A_00_00_01, 0x0A_00_08_11, 40000, 8080, 0, false, -1);
            final Pktgen twoQueues = run(eal, 1, imix, 2, IMIX_COUNT);
            assertEquals(IMIX_COUNT / 12 * IMIX_PATTERN_BYTES, twoQueues.senders().sentBytes());
            assertEquals(twoQueues.senders().sentBytes(), twoQueues.receiver().receivedBytes());
            assertEquals(2, twoQueues.senders().list().size());
            assertEquals(IMIX_COUNT / 2, twoQueues.senders().list().get(1).sent());
        }
        finally
        {
            eal.close();
        }
    }

    private static Pktgen run(final Eal eal, final int port, final Traffic traffic, final int txQueues,
        final long count)
    {
        final Pktgen pktgen = Pktgen.create(eal, new PktgenContext(port, port, 32, traffic, "0", count, 0, null, 1,
            false, txQueues));
        final long started = System.nanoTime();
        pktgen.start();
        assertTrue(await(() -> pktgen.receiver().received() >= count, 60_000), "all arrived");
        final long ran = System.nanoTime() - started;
        pktgen.stop();
        final Histogram latency = pktgen.latency().intervalHistogram();
        pktgen.close();
        assertEquals(count, pktgen.senders().sent());
        assertEquals(0, pktgen.senders().txRefused());
        assertEquals(count, pktgen.receiver().received());
        assertEquals(0, pktgen.receiver().unstamped());
        final SequenceTracker tracker = pktgen.receiver().tracker();
        final int flows = traffic.flows();
        for (int stream = 0; stream < flows; stream++)
        {
            assertEquals(count / flows + (stream < count % flows ? 1 : 0), tracker.received(stream),
                "stream " + stream);
            assertEquals(tracker.received(stream), tracker.expected(stream));
            assertEquals(0, tracker.lost(stream) + tracker.duplicates(stream) + tracker.outOfOrder(stream) +
                tracker.late(stream), "stream " + stream);
        }
        // Latency is the receive TSC less the stamp's send TSC, in ns, one clock: more than nothing for every packet,
        // and never more than the run lasted (HdrHistogram keeps 3 digits, and the TSC rate is a calibration: 1%).
        assertEquals(count, latency.getTotalCount(), "a latency for every packet");
        assertTrue(latency.getMinValue() > 0, "min " + latency.getMinValue() + " ns");
        assertTrue(latency.getMaxValue() <= ran * 1.01, "max " + latency.getMaxValue() + " ns in a run of " + ran);
        assertTrue(latency.getValueAtPercentile(50) <= latency.getValueAtPercentile(99.9));
        assertEquals(0, pktgen.mbufsInUseAtClose());
        return pktgen;
    }
}
