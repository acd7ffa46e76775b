package dev.dataplane.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class CountersTest
{
    @Test
    void aReaderSeesEachCounterGrowAndFinallyWhatTheWriterAdded() throws InterruptedException
    {
        final Counters counters = Counters.of(TxCounter.class);
        final int adds = 2_000_000;
        final Thread writer = new Thread(() ->
        {
            for (int i = 0; i < adds; i++)
            {
                counters.add(TxCounter.TX_PACKETS, 3);
                counters.add(TxCounter.TX_DROPPED, 1);
            }
        });
        writer.start();
        long last = 0;
        while (writer.isAlive())
        {
            final long dropped = counters.get(TxCounter.TX_DROPPED);
            final long sent = counters.get(TxCounter.TX_PACKETS);
            assertTrue(sent >= 3 * dropped, "what was added before an add is seen with it: " + sent + " " + dropped);
            assertTrue(sent >= last, "never backwards");
            last = sent;
        }
        writer.join();
        assertEquals(3L * adds, counters.get(TxCounter.TX_PACKETS));
        assertEquals(adds, counters.get(TxCounter.TX_DROPPED));
    }

    @Test
    void publishAddsAndZeroesABurstsPendingCounts()
    {
        final Counters counters = new Counters(List.of(CounterDescriptor.of("a", "packets", "a"),
            CounterDescriptor.of("b", "packets", "b"), CounterDescriptor.of("c", "bytes", "c")));
        final int[] pending = {2, 0, 7};
        counters.publish(pending);
        counters.publish(new int[] {1, 1, 1});
        assertArrayEquals(new int[3], pending);
        assertArrayEquals(new long[] {3, 1, 8}, counters.snapshot());
        assertEquals("c", counters.descriptors().get(2).counterName());
        assertThrows(IndexOutOfBoundsException.class, () -> counters.publish(new int[4]));
        assertThrows(IndexOutOfBoundsException.class, () -> counters.get(3));
    }

    @Test
    void refusesACounterOfAnotherKind()
    {
        final Counters counters = Counters.of(TxCounter.class);
        assertThrows(IllegalArgumentException.class, () -> counters.get(Other.X));
    }

    private enum Other implements CounterDescriptor
    {
        X;

        @Override
        public String counterName()
        {
            return "x";
        }

        @Override
        public String unit()
        {
            return "packets";
        }

        @Override
        public String help()
        {
            return "x";
        }
    }
}
