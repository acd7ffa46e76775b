package dev.dataplane.perf.jmh;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import dev.dataplane.forwarder.rules.Classifier;
import dev.dataplane.forwarder.rules.LinearClassifier;
import dev.dataplane.forwarder.rules.RuleClassifier;
import dev.dataplane.forwarder.rules.RuleSet;
import dev.dataplane.forwarder.rules.RulesException;
import dev.dataplane.forwarder.rules.RulesParser;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Classifying one parsed 64-byte UDP frame against N rules of mixed prefixes and port ranges with the DNAT rule
 * last (the frame matches only it): the compiled classifier against the linear reference.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ClassifierBenchmark
{
    @Param({"20", "1000"})
    public int rules;

    @Param({"compiled", "linear"})
    public String classifier;

    private final PacketView view = new PacketView();
    private Classifier chosen;
    private long[] counters;
    private MemorySegment frame;

    @Setup
    public void setUp() throws RulesException
    {
        final RuleSet set = RulesParser.parse(mixedRules(rules), "bench.rules");
        chosen = classifier.equals("compiled") ? new RuleClassifier(set) : new LinearClassifier(set);
        counters = new long[2 * set.size()];
        frame = NativeFrames.copy(new FrameBuilder().ipv4(Ipv4Header.parseAddress("10.0.0.1"),
            Ipv4Header.parseAddress("10.0.8.17")).udp(4000, 8080).length(64).build());
        view.parse(frame, 0, 64);
    }

    /** {@code count - 1} rules over other addresses and ports, then the DNAT rule. */
    static String mixedRules(final int count)
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

    @Benchmark
    public int classify()
    {
        return chosen.classify(view, 0, counters);
    }
}
