package dev.dataplane.pktgen.rx;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.WriterReaderPhaser;

/**
 * Latency recorded by one lcore and sampled by another thread, a burst at a time: the lcore records a burst's values
 * into a plain {@link Histogram} inside one {@link WriterReaderPhaser} critical section (two atomic increments a
 * burst, where HdrHistogram's {@code SingleWriterRecorder} takes two a value), and the reader swaps in the spare
 * histogram and takes the one the lcore has left, as {@code SingleWriterRecorder} does.
 * <pre>
 *   final long token = recorder.beginBurst();
 *   try { final Histogram h = recorder.recording(); ... h.recordValue(nanos) ... }
 *   finally { recorder.endBurst(token); }
 * </pre>
 */
public final class LatencyRecorder
{
    private final WriterReaderPhaser phaser = new WriterReaderPhaser();
    private volatile Histogram active;
    private Histogram inactive;

    /**
     * @param highestTrackableValue the largest value recorded (the writer clamps to it).
     * @param significantDigits     HdrHistogram's precision.
     */
    public LatencyRecorder(final long highestTrackableValue, final int significantDigits)
    {
        this.active = new Histogram(highestTrackableValue, significantDigits);
        this.inactive = new Histogram(highestTrackableValue, significantDigits);
    }

    /** Starts recording a burst (the writer): the token {@link #endBurst} takes. */
    public long beginBurst()
    {
        return phaser.writerCriticalSectionEnter();
    }

    /** The histogram to record into between {@link #beginBurst} and {@link #endBurst} (the writer). */
    public Histogram recording()
    {
        return active;
    }

    /** Ends the burst {@link #beginBurst} started (the writer). */
    public void endBurst(final long token)
    {
        phaser.writerCriticalSectionExit(token);
    }

    /**
     * The values recorded since the last call, as a new histogram (the reader: any one thread at a time; waits at
     * most for the writer's burst in progress).
     */
    public synchronized Histogram intervalHistogram()
    {
        phaser.readerLock();
        try
        {
            final Histogram retired = active;
            inactive.reset();
            active = inactive;
            phaser.flipPhase();
            inactive = retired;
            return retired.copy();
        }
        finally
        {
            phaser.readerUnlock();
        }
    }
}
