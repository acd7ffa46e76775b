package dev.dataplane.perf;

import java.util.Random;

import dev.dataplane.net.Ipv4Header;

/** Rule files for benchmarks: many rules that miss, then the DNAT rule that hits. */
public final class RuleSets
{
    private RuleSets()
    {
    }

    /** {@code count - 1} rules over other addresses (172.0.0.0/8 prefixes) and port ranges, then the DNAT rule. */
    public static String mixedRules(final int count)
    {
        final Random random = new Random(1000);
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
