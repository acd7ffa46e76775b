package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.NativeMemory;
import dev.dataplane.forwarder.engine.ForwardMode;
import dev.dataplane.forwarder.rtc.ForwardingStream;
import dev.dataplane.forwarder.rtc.StreamCounter;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.runtime.Counters;
import org.junit.jupiter.api.Test;

/**
 * Two net_ring ports, each a loopback (what it sends it receives), so N packets put into port 0 bounce between
 * the ports for as long as the forwarder runs: none may be lost or made, and all must come back to the pool.
 */
class RingConservationTest
{
    private static final int PACKETS = 1000;

    @Test
    void keepsExactlyTheInjectedPacketsInFlightAndReturnsThemAll()
    {
        final Eal eal = Eal.init(ealArgs("net_ring0", "net_ring1"));
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder()
                .forwardMode(ForwardMode.MACSWAP).build());
            final byte[] frame = new FrameBuilder().udp(1, 2).length(64).build();
            final MbufArray inject = new MbufArray(PACKETS);
            assertTrue(forwarder.pool().allocBulk(inject, PACKETS));
            for (int i = 0; i < PACKETS; i++)
            {
                final long mbuf = inject.get(i);
                MemorySegment.copy(MemorySegment.ofArray(frame), 0, NativeMemory.ALL, Mbuf.dataAddress(mbuf),
                    frame.length);
                Mbuf.setLength(mbuf, frame.length);
            }
            assertEquals(PACKETS, EthDev.txBurst(0, 0, inject, 0, PACKETS));
            assertEquals(PACKETS, forwarder.pool().inUseCount());

            forwarder.start();
            assertTrue(await(() -> forwarded(forwarder) >= 50L * PACKETS, 20_000), "each packet bounced ~50 times");
            forwarder.stop();

            long rx = 0;
            for (final ForwardingStream stream : forwarder.streams())
            {
                final Counters c = stream.counters();
                assertEquals(0, c.get(StreamCounter.TX_DROPPED), "no ring ever overflowed");
                assertEquals(0, c.get(StreamCounter.MALFORMED));
                assertEquals(c.get(StreamCounter.RX_PACKETS), c.get(StreamCounter.TX_PACKETS), stream.toString());
                rx += c.get(StreamCounter.RX_PACKETS);
            }
            assertTrue(rx >= 50L * PACKETS);
            assertEquals(PACKETS, forwarder.drainedAtStop(), "exactly the injected packets were still in flight");
            forwarder.close();
            assertEquals(0, forwarder.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
    }

    private static long forwarded(final Forwarder forwarder)
    {
        long tx = 0;
        for (final ForwardingStream stream : forwarder.streams())
        {
            tx += stream.counters().get(StreamCounter.TX_PACKETS);
        }
        return tx;
    }
}
