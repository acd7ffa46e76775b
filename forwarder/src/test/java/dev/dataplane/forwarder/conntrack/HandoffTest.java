package dev.dataplane.forwarder.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/**
 * The rings between lcores: each ordered pair its own, in order, bounded (a full ring refuses and changes nothing),
 * and safe between one producer thread and one consumer thread: a million words cross, each once, in order.
 */
class HandoffTest
{
    @Test
    void eachPairOfLcoresHasARingOfItsOwnInOrderAndBounded()
    {
        final Handoff handoff = new Handoff(3, 5);
        assertEquals(8, handoff.capacity(), "rounded up to a power of two");
        for (int i = 0; i < 8; i++)
        {
            assertTrue(handoff.offer(0, 1, 64L * (i + 1) | 1));
        }
        assertFalse(handoff.offer(0, 1, 64 * 100), "full");
        assertTrue(handoff.offer(2, 1, 64 * 200 | 2), "another pair's ring");
        assertTrue(handoff.offer(0, 2, 64 * 300 | 2));
        final long[] into = new long[16];
        assertEquals(1, handoff.poll(1, 2, into, 16));
        assertEquals(64 * 200 | 2, into[0]);
        assertEquals(3, handoff.poll(1, 0, into, 3));
        assertEquals(64L | 1, into[0]);
        assertEquals(64L * 3 | 1, into[2]);
        // Room again: the ring goes round.
        for (int i = 8; i < 11; i++)
        {
            assertTrue(handoff.offer(0, 1, 64L * (i + 1) | 1));
        }
        assertEquals(8, handoff.poll(1, 0, into, 16));
        for (int i = 0; i < 8; i++)
        {
            assertEquals(64L * (i + 4) | 1, into[i]);
        }
        assertEquals(0, handoff.poll(1, 0, into, 16));
        assertEquals(1, handoff.poll(2, 0, into, 16));
        assertEquals(0, handoff.poll(0, 2, into, 16), "nothing was handed the other way");
    }

    @Test
    void aMillionWordsCrossBetweenTwoThreadsEachOnceInOrder() throws Exception
    {
        final Handoff handoff = new Handoff(2, 64);
        final long words = 1_000_000;
        final AtomicReference<String> failure = new AtomicReference<>();
        final Thread consumer = new Thread(() ->
        {
            final long[] into = new long[32];
            long expected = 1;
            final long deadline = System.nanoTime() + 60_000_000_000L;
            while (expected <= words && System.nanoTime() < deadline)
            {
                final int taken = handoff.poll(1, 0, into, into.length);
                for (int i = 0; i < taken; i++)
                {
                    if (into[i] != expected << 6)
                    {
                        failure.compareAndSet(null, "word " + expected + " came as " + (into[i] >>> 6));
                    }
                    expected++;
                }
                if (0 == taken)
                {
                    Thread.onSpinWait();
                }
            }
            if (expected <= words)
            {
                failure.compareAndSet(null, "only " + (expected - 1) + " words came");
            }
        });
        consumer.start();
        for (long word = 1; word <= words; word++)
        {
            while (!handoff.offer(0, 1, word << 6))
            {
                Thread.yield();
            }
        }
        consumer.join(90_000);
        assertEquals(null, failure.get());
    }
}
