package dev.dataplane.pktgen.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The pacing schedule on a simulated clock: exact counts, due times, catching up, and giving up a backlog. */
class RateLimiterTest
{
    private static final long HZ = 3_000_000_000L;

    @Test
    void releasesExactlyTheRateOverASecondOfSimulatedTime()
    {
        final RateLimiter limiter = new RateLimiter(1_000_000, HZ);
        long sent = 0;
        for (long now = 1_000; now < 1_000 + HZ; now += 997)
        {
            sent += limiter.due(now, 32);
        }
        assertTrue(Math.abs(sent - 1_000_000) <= 1, "sent " + sent);
        assertEquals(0, limiter.skipped());
    }

    @Test
    void stampsEachPacketWithTheTimeItWasDueNotWhenItWent()
    {
        final RateLimiter limiter = new RateLimiter(1_000_000, HZ); // one packet every 3000 ticks
        assertEquals(1, limiter.due(10_000, 32));
        assertEquals(10_000, limiter.scheduled(0));
        // The sender stalls for 10 packets' time: they go out in one burst, each stamped with its own due time.
        assertEquals(10, limiter.due(10_000 + 10 * 3000, 32));
        for (int i = 0; i < 10; i++)
        {
            assertEquals(10_000 + (i + 1) * 3000, limiter.scheduled(i));
        }
        assertEquals(0, limiter.due(10_000 + 10 * 3000 + 100, 32), "nothing due until the next slot");
    }

    @Test
    void catchesUpAStallOfMilliseconds()
    {
        final RateLimiter limiter = new RateLimiter(1_000_000, HZ);
        assertEquals(1, limiter.due(0, 32));
        // 5 ms without a look: the 5000 packets due since go out, a burst at a time, and nothing is skipped.
        long sent = 0;
        for (int i = 0; i < 200; i++)
        {
            sent += limiter.due(3000L * 5000 + i, 32);
        }
        assertEquals(5000, sent);
        assertEquals(0, limiter.skipped());
    }

    @Test
    void dropsABacklogTooLongToCatchUp()
    {
        final RateLimiter limiter = new RateLimiter(1_000_000, HZ);
        limiter.due(0, 32);
        final int n = limiter.due(3000L * 20_000, 32);
        assertEquals(1, n, "restarts from now");
        assertEquals(19_999, limiter.skipped());
    }

    @Test
    void unlimitedReleasesWhateverIsAsked()
    {
        final RateLimiter limiter = new RateLimiter(0, HZ);
        assertEquals(32, limiter.due(123, 32));
        assertEquals(123, limiter.scheduled(5));
    }
}
