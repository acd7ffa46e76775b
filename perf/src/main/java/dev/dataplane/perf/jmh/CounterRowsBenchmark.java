package dev.dataplane.perf.jmh;

import java.util.concurrent.TimeUnit;

import dev.dataplane.forwarder.rules.classify.Classifier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Two lcores counting into their own rows of per-rule counters, as two rule streams do: rows allocated one after
 * the other as before ({@code layout=adjacent}: the last rule of one row and the first of the next share a cache
 * line) against {@link Classifier#newCounters}' padded rows. Each thread counts a packet against the row's last
 * rule (the adjacent case's shared line) and first rule. {@code bin/bench-jmh CounterRows}
 */
@State(Scope.Group)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CounterRowsBenchmark
{
    private static final int RULES = 3;

    @Param({"adjacent", "padded"})
    public String layout;

    private long[] first;
    private long[] second;
    private int firstRule;
    private int lastRule;

    @Setup
    public void setUp()
    {
        if ("padded".equals(layout))
        {
            first = Classifier.newCounters(RULES);
            second = Classifier.newCounters(RULES);
            firstRule = Classifier.packetsIndex(0);
            lastRule = Classifier.packetsIndex(RULES - 1);
        }
        else
        {
            final long[][] rows = new long[2][2 * RULES];
            first = rows[0];
            second = rows[1];
            firstRule = 0;
            lastRule = 2 * (RULES - 1);
        }
    }

    @Benchmark
    @Group("rows")
    @GroupThreads(1)
    public void firstLcore()
    {
        count(first);
    }

    @Benchmark
    @Group("rows")
    @GroupThreads(1)
    public void secondLcore()
    {
        count(second);
    }

    private void count(final long[] row)
    {
        row[lastRule]++;
        row[lastRule + 1] += 64;
        row[firstRule]++;
        row[firstRule + 1] += 64;
    }
}
