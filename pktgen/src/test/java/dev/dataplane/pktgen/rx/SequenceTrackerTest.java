package dev.dataplane.pktgen.rx;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class SequenceTrackerTest
{
    private static void feed(final SequenceTracker tracker, final int stream, final List<Long> sequence)
    {
        for (final long n : sequence)
        {
            tracker.record(stream, (int)n);
        }
    }

    private static List<Long> upTo(final long count)
    {
        final List<Long> numbers = new ArrayList<>();
        for (long n = 0; n < count; n++)
        {
            numbers.add(n);
        }
        return numbers;
    }

    @Test
    void countsAPerfectStreamAsSuch()
    {
        final SequenceTracker tracker = new SequenceTracker(2);
        feed(tracker, 1, upTo(100_000));
        assertEquals(100_000, tracker.received(1));
        assertEquals(0, tracker.lost(1));
        assertEquals(0, tracker.duplicates(1) + tracker.outOfOrder(1) + tracker.late(1));
        assertEquals(0, tracker.received(0), "streams are separate");
    }

    @Test
    void detectsAPlantedDropDuplicateAndReorderExactly()
    {
        final SequenceTracker tracker = new SequenceTracker(1);
        final List<Long> numbers = upTo(10_000);
        numbers.remove(Long.valueOf(5000));          // a drop
        numbers.add(numbers.indexOf(7000L) + 1, 7000L); // a duplicate
        numbers.add(numbers.indexOf(8003L) + 1, numbers.remove(numbers.indexOf(8000L))); // overtaken by three
        feed(tracker, 0, numbers);
        assertEquals(1, tracker.lost(0));
        assertEquals(1, tracker.duplicates(0));
        assertEquals(1, tracker.outOfOrder(0), "the frame that came after higher numbers");
        assertEquals(10_000, tracker.received(0));
        assertEquals(10_000, tracker.expected(0));
    }

    @Test
    void agreesWithAnExactCountOnRandomImpairments()
    {
        final Random random = new Random(3);
        for (int round = 0; round < 50; round++)
        {
            final SequenceTracker tracker = new SequenceTracker(1);
            final List<Long> numbers = new ArrayList<>();
            final int count = 20_000;
            int drops = 0;
            int dups = 0;
            for (long n = 0; n < count; n++)
            {
                // The last number always arrives, so that every drop is behind the highest.
                if (n < count - 1 && random.nextInt(100) == 0)
                {
                    drops++;
                    continue;
                }
                numbers.add(n);
                if (random.nextInt(200) == 0)
                {
                    numbers.add(n);
                    dups++;
                }
            }
            // Local reordering, far inside the window.
            for (int i = 0; i + 10 < numbers.size(); i += 1 + random.nextInt(500))
            {
                Collections.swap(numbers, i, i + 1 + random.nextInt(9));
            }
            feed(tracker, 0, numbers);
            assertEquals(drops, tracker.lost(0), "round " + round);
            assertEquals(dups, tracker.duplicates(0), "round " + round);
            assertEquals(numbers.size(), tracker.received(0));
            assertEquals(0, tracker.late(0));
        }
    }

    @Test
    void followsA32BitWrap()
    {
        final SequenceTracker tracker = new SequenceTracker(1);
        for (long n = 0xFFFF_FF00L; n < 0x1_0000_0100L; n++)
        {
            if (n != 0x1_0000_0010L)
            {
                tracker.record(0, (int)n);
            }
        }
        assertEquals(0xFFFF_FF00L + 1, tracker.lost(0), "streams start at 0: the numbers before the first seen count");
        assertEquals(0x1_0000_0100L, tracker.expected(0));
    }
}
