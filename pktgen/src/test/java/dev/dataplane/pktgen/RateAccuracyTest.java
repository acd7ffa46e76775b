package dev.dataplane.pktgen;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.pktgen.traffic.Traffic;
import dev.dataplane.pktgen.tx.Generator;
import dev.dataplane.pktgen.tx.RateLimiter;
import dev.dataplane.pktgen.tx.Senders;
import org.junit.jupiter.api.Test;

/**
 * Pacing is a correctness property, judged on the generator's own clock: 100 kpps into net_null, and every packet
 * the schedule made due between its first and last poll (time-stamp counter) was sent or counted as given up, and
 * their number over that span is the rate. A window timed by the test thread on a shared 2-core machine measured
 * the machine's scheduling as much as the generator's; the schedule itself is tested exactly on a simulated clock in
 * {@code RateLimiterTest}, and throughput is a benchmark's ({@code bin/bench-tx}).
 */
class RateAccuracyTest
{
    private static final double RATE = 100_000;

    @Test
    void sendsOrCountsEveryPacketTheScheduleMadeDue() throws Exception
    {
        final Eal eal = Eal.init(ealArgs("net_null0"));
        try
        {
            final Traffic traffic = Traffic.defaults(64, 4);
            final Pktgen pktgen = Pktgen.create(eal, new PktgenContext(0, PktgenContext.NO_RX, 32, traffic, "100k",
                0, 0));
            assertEquals(RATE, pktgen.packetsPerSecond(), 1e-6);
            pktgen.start();
            Thread.sleep(1500);
            pktgen.close();
            final Senders senders = pktgen.senders();
            final RateLimiter limiter = ((Generator)senders.list().get(0)).limiter();
            final long accounted = senders.sent() + senders.txRefused() + senders.allocFailed() + senders.skipped();
            final long due = limiter.dueBy(limiter.lastTsc());
            // Short by at most the backlog a stall may leave (10 ms of packets, after which it is given up and
            // counted); over by at most one a restart of the schedule.
            final long backlog = Math.round(RATE * RateLimiter.MAX_LAG_SECONDS);
            assertTrue(accounted >= due - backlog && accounted <= due + 1 + senders.skipped() / backlog,
                accounted + " packets sent or given up, " + due + " due");
            final double seconds = (limiter.lastTsc() - limiter.startTsc()) / (double)eal.tscHz();
            assertTrue(seconds > 0.5, "ran " + seconds + " s");
            final double rate = accounted / seconds;
            assertTrue(Math.abs(rate - RATE) <= 0.01 * RATE, "paced " + rate + " pps by its own clock");
            assertEquals(0, pktgen.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
    }
}
