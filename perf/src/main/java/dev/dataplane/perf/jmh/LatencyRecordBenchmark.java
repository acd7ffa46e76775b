package dev.dataplane.perf.jmh;

import java.util.concurrent.TimeUnit;

import dev.dataplane.pktgen.rx.LatencyRecorder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * A receiver's latency recording, per burst of 32 values: HdrHistogram's {@code SingleWriterRecorder} (two atomic
 * increments a value) against {@link LatencyRecorder} (two a burst). {@code bin/bench-jmh LatencyRecord}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class LatencyRecordBenchmark
{
    private static final int BURST = 32;

    private final SingleWriterRecorder perValue = new SingleWriterRecorder(10_000_000_000L, 3);
    private final LatencyRecorder perBurst = new LatencyRecorder(10_000_000_000L, 3);
    private long value = 1;

    @Benchmark
    public void singleWriterRecorder()
    {
        for (int i = 0; i < BURST; i++)
        {
            perValue.recordValue(next());
        }
    }

    @Benchmark
    public void latencyRecorder()
    {
        final long token = perBurst.beginBurst();
        try
        {
            final Histogram h = perBurst.recording();
            for (int i = 0; i < BURST; i++)
            {
                h.recordValue(next());
            }
        }
        finally
        {
            perBurst.endBurst(token);
        }
    }

    /** Latencies spread over 1-65 us, as a loaded forwarder gives, so the buckets touched vary. */
    private long next()
    {
        value = value * 6364136223846793005L + 1442695040888963407L;
        return 1_000 + ((value >>> 40) & 0xFFFF);
    }
}
