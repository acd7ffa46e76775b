package dev.dataplane.pktgen;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dataplane.dpdk.Eal;
import org.junit.jupiter.api.Test;

/** Pacing is a correctness property: 100 kpps into net_null, measured over 2 s, lands within 2%. */
class RateAccuracyTest
{
    @Test
    void holdsALowRateWithinTwoPercent() throws Exception
    {
        final Eal eal = Eal.init(ealArgs("net_null0"));
        try
        {
            final Traffic traffic = Traffic.defaults(64, 4);
            final Pktgen pktgen = Pktgen.create(eal, new PktgenContext(0, PktgenContext.NO_RX, 32, traffic, "100k",
                0, 0));
            assertEquals(100_000, pktgen.packetsPerSecond(), 1e-6);
            pktgen.start();
            Thread.sleep(500);
            final long t0 = System.nanoTime();
            final long s0 = pktgen.senders().sent();
            Thread.sleep(2000);
            final long t1 = System.nanoTime();
            final long s1 = pktgen.senders().sent();
            pktgen.close();
            final double rate = (s1 - s0) / ((t1 - t0) / 1e9);
            assertTrue(Math.abs(rate - 100_000) <= 2_000, "measured " + rate + " pps");
            assertEquals(0, pktgen.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
    }
}
