package dev.dataplane.perf.jmh;

import java.util.concurrent.TimeUnit;

import dev.dataplane.dpdk.Prefetch;
import dev.dataplane.forwarder.conntrack.ConnTable;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Where the connection table stands before it meets the data path: one lookup of a live connection, in a random
 * order over {@code flows} connections in a table sized for them (a miss of the core's caches once they outgrow
 * them, which is what issue 18's targets are about). {@code bin/bench-jmh ConnTable}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ConnTableBenchmark
{
    static final int BURST = 32;

    @Param({"10000", "1000000"})
    public int flows;

    private ConnTable table;
    private long[] keys;
    private int next;
    private final long[] hashes = new long[BURST];
    private final int[] candidates = new int[BURST];
    private final Prefetch lines = new Prefetch(2 * BURST);

    @Setup
    public void fill()
    {
        table = new ConnTable(Integer.highestOneBit(flows - 1) << 1, 42);
        keys = new long[2 * flows];
        long x = 0x9E3779B97F4A7C15L;
        for (int i = 0; i < flows; i++)
        {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            keys[2 * i] = x;
            keys[2 * i + 1] = x >>> 16 | 17;
            table.insert(keys[2 * i], keys[2 * i + 1], ~keys[2 * i], keys[2 * i + 1] + 1, Long.MAX_VALUE);
        }
    }

    @TearDown
    public void close()
    {
        table.close();
    }

    @Benchmark
    public int lookup()
    {
        // A stride coprime with the flow count visits every connection in a cache-hostile order.
        next = (next + 7919) % flows;
        return table.lookup(keys[2 * next], keys[2 * next + 1], 0);
    }

    /** A burst's lookups one after the other, as a burst of packets makes them when nothing is asked for ahead. */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int burst()
    {
        int sum = 0;
        for (int i = 0; i < BURST; i++)
        {
            next = (next + 7919) % flows;
            sum += table.lookup(keys[2 * next], keys[2 * next + 1], 0);
        }
        return sum;
    }

    /**
     * The same burst looked up ahead, as the data path does ({@code ConnTracker.lookAhead}): every key's bucket
     * prefetched, then every bucket's candidate connection found and prefetched, then each candidate confirmed from
     * its entry ({@link ConnTable#holds}) in place of a lookup.
     */
    @Benchmark
    @OperationsPerInvocation(BURST)
    public int lookedAheadBurst()
    {
        int at = next;
        for (int i = 0; i < BURST; i++)
        {
            at = (at + 7919) % flows;
            hashes[i] = table.prefetchBucket(keys[2 * at], keys[2 * at + 1], lines);
        }
        lines.issue();
        for (int i = 0; i < BURST; i++)
        {
            candidates[i] = table.candidate(hashes[i], lines);
        }
        lines.issue();
        int sum = 0;
        for (int i = 0; i < BURST; i++)
        {
            next = (next + 7919) % flows;
            final long k0 = keys[2 * next];
            final long k1 = keys[2 * next + 1];
            final int candidate = candidates[i];
            sum += candidate >= 0 && table.holds(candidate, k0, k1, 0) ? candidate : table.lookup(k0, k1, 0);
        }
        return sum;
    }
}
