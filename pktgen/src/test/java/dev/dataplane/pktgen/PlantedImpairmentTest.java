package dev.dataplane.pktgen;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.pktgen.rx.LatencyRecorder;
import dev.dataplane.pktgen.rx.Receiver;
import dev.dataplane.pktgen.rx.SequenceTracker;
import dev.dataplane.pktgen.traffic.Stamp;
import dev.dataplane.pktgen.traffic.Traffic;
import dev.dataplane.testing.RingLoopback;
import org.junit.jupiter.api.Test;

/**
 * Stamped frames with a drop, a duplicate and a reorder planted in their order, sent through a net_ring port to
 * the receiver: each impairment is counted exactly once, and nothing else is.
 */
class PlantedImpairmentTest
{
    @Test
    void detectsAPlantedDropDuplicateAndReorderThroughTheDevice()
    {
        try (RingLoopback ring = RingLoopback.start("planted", 4095, 1024))
        {
            final Mempool pool = ring.pool();
            final Traffic traffic = Traffic.defaults(64, 2);
            final List<int[]> order = new ArrayList<>(); // {stream, sequence}
            for (int n = 0; n < 1000; n++)
            {
                for (int stream = 0; stream < 2; stream++)
                {
                    if (!(stream == 0 && n == 500))               // drop: stream 0, number 500
                    {
                        order.add(new int[] {stream, n});
                    }
                    if (stream == 1 && n == 700)                  // duplicate: stream 1, number 700
                    {
                        order.add(new int[] {stream, n});
                    }
                }
            }
            // Reorder: stream 1's number 800 arrives after its 803.
            final int at800 = indexOf(order, 1, 800);
            final int[] late = order.remove(at800);
            order.add(indexOf(order, 1, 803) + 1, late);

            try (var arena = java.lang.foreign.Arena.ofConfined())
            {
                final MemorySegment templates = traffic.buildTemplates(arena);
                final SequenceTracker tracker = new SequenceTracker(2);
                final Receiver receiver = new Receiver(0, 1, 32, tracker,
                    new LatencyRecorder(Pktgen.HIGHEST_LATENCY_NANOS, 3),
                    Pktgen.HIGHEST_LATENCY_NANOS, ring.eal().tscHz());
                final MbufArray one = new MbufArray(1);
                for (final int[] frame : order)
                {
                    assertTrue(pool.allocBulk(one, 1));
                    final long mbuf = one.get(0);
                    MemorySegment.copy(templates, traffic.templateOffset(0, frame[0]), ALL, Mbuf.dataAddress(mbuf),
                        traffic.dataLength(0));
                    Mbuf.setLength(mbuf, traffic.dataLength(0));
                    NetworkOrder.u32(ALL, Mbuf.dataAddress(mbuf) + traffic.stampOffset() + Stamp.SEQUENCE_OFFSET,
                        frame[1]);
                    assertEquals(1, EthDev.txBurst(0, 0, one, 0, 1));
                    while (receiver.poll() > 0)
                    {
                        // drain what the ring holds
                    }
                }
                assertEquals(order.size(), receiver.received());
                assertEquals(1, tracker.lost(0), "the drop");
                assertEquals(0, tracker.duplicates(0) + tracker.outOfOrder(0));
                assertEquals(0, tracker.lost(1), "a reorder is not a loss");
                assertEquals(1, tracker.duplicates(1), "the duplicate");
                assertEquals(1, tracker.outOfOrder(1), "the reordered frame");
            }
        } // closing the loopback checks that every mbuf is back in the pool
    }

    private static int indexOf(final List<int[]> order, final int stream, final int sequence)
    {
        for (int i = 0; i < order.size(); i++)
        {
            if (order.get(i)[0] == stream && order.get(i)[1] == sequence)
            {
                return i;
            }
        }
        throw new IllegalStateException("not planted: " + stream + "/" + sequence);
    }
}
