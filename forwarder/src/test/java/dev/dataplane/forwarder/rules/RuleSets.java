package dev.dataplane.forwarder.rules;

import java.util.Random;

import dev.dataplane.net.Ipv4Header;

/**
 * Synthetic rule files, for benchmarks and tests: many rules that miss the benchmark's traffic, of the kind that cuts
 * the classifier's value spaces finest, then the DNAT rule that hits.
 */
public final class RuleSets
{
    /** The seed of the benchmarks' rule files (bench-io, the JMH benchmarks), so that every run has the same. */
    public static final long BENCHMARK_SEED = 1000;

    private RuleSets()
    {
    }

    /** {@link #mixedRules(int, long)} of the benchmarks' seed. */
    public static String mixedRules(final int count)
    {
        return mixedRules(count, BENCHMARK_SEED);
    }

    /**
     * {@code count - 1} rules over other addresses (prefixes within 172.0.0.0/8) and port ranges, a quarter of them
     * {@code count} rules and the rest {@code drop}, then the DNAT rule (named {@code dnat}) of
     * {@code examples/redirect.rules}.
     */
    public static String mixedRules(final int count, final long seed)
    {
        final Random random = new Random(seed);
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < count - 1; i++)
        {
            final int length = 8 + random.nextInt(25);
            final int address = (172 << 24 | random.nextInt(1 << 24)) & (int)(-1L << (32 - length));
            final int port = 1 + random.nextInt(60000);
            sb.append(random.nextBoolean() ? "src " : "dst ").append(Ipv4Header.toString(address)).append('/')
                .append(length).append(random.nextBoolean() ? " proto udp" : " proto tcp").append(" dport ")
                .append(port).append('-').append(port + random.nextInt(1000))
                .append(random.nextInt(4) == 0 ? " => count\n" : " => drop\n");
        }
        return sb.append("dnat: proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083\n")
            .toString();
    }
}
