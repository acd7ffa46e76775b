package dev.dataplane.pktgen.rx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyRecorderTest
{
    private static final long HIGHEST = 10_000_000_000L;

    @Test
    void everyValueLandsInExactlyOneIntervalWhileTheReaderSamples() throws InterruptedException
    {
        final LatencyRecorder recorder = new LatencyRecorder(HIGHEST, 3);
        final int bursts = 200_000;
        final AtomicBoolean done = new AtomicBoolean();
        final Thread writer = new Thread(() ->
        {
            for (int b = 0; b < bursts; b++)
            {
                final long token = recorder.beginBurst();
                try
                {
                    final Histogram h = recorder.recording();
                    for (int i = 0; i < 32; i++)
                    {
                        h.recordValue(1 + (b + i) % 1000);
                    }
                }
                finally
                {
                    recorder.endBurst(token);
                }
            }
            done.set(true);
        });
        writer.start();
        final Histogram total = new Histogram(HIGHEST, 3);
        int samples = 0;
        while (!done.get())
        {
            total.add(recorder.intervalHistogram());
            samples++;
        }
        writer.join(60_000);
        total.add(recorder.intervalHistogram());
        assertEquals(32L * bursts, total.getTotalCount());
        assertEquals(1, total.getMinValue());
        assertEquals(1000, total.getMaxValue());
        assertTrue(samples > 1, "the reader sampled while the writer recorded: " + samples);
        assertEquals(0, recorder.intervalHistogram().getTotalCount(), "nothing twice");
    }
}
