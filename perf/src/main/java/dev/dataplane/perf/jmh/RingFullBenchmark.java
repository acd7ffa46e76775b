package dev.dataplane.perf.jmh;

import java.util.concurrent.TimeUnit;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.YieldingWaitStrategy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The pipeline's RX side finding its ring full, as it does on every poll under overload: asking for a slot and
 * catching Disruptor's {@link InsufficientCapacityException} (before), against checking the capacity first (after).
 * {@code bin/bench-jmh RingFull}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RingFullBenchmark
{
    private RingBuffer<long[]> ring;

    @Setup
    public void fill()
    {
        ring = RingBuffer.createSingleProducer(() -> new long[1], 64, new YieldingWaitStrategy());
        ring.addGatingSequences(new Sequence()); // a stage that never moves
        while (ring.hasAvailableCapacity(1))
        {
            ring.publish(ring.next());
        }
    }

    @Benchmark
    public boolean tryNextAndCatch()
    {
        try
        {
            ring.tryNext();
            return true;
        }
        catch (final InsufficientCapacityException ex)
        {
            return false;
        }
    }

    @Benchmark
    public boolean checkCapacityFirst()
    {
        if (!ring.hasAvailableCapacity(1))
        {
            return false;
        }
        try
        {
            ring.tryNext();
            return true;
        }
        catch (final InsufficientCapacityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
