package dev.dataplane.perf.jmh;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import dev.dataplane.forwarder.rules.RuleSets;
import dev.dataplane.forwarder.rules.classify.Classifier;
import dev.dataplane.forwarder.rules.classify.LinearClassifier;
import dev.dataplane.forwarder.rules.classify.RuleClassifier;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.forwarder.rules.lang.RulesException;
import dev.dataplane.forwarder.rules.lang.RulesParser;
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
        final RuleSet set = RulesParser.parse(RuleSets.mixedRules(rules), "bench.rules");
        chosen = classifier.equals("compiled") ? new RuleClassifier(set) : new LinearClassifier(set);
        counters = Classifier.newCounters(set.size());
        frame = NativeFrames.copy(new FrameBuilder().ipv4(Ipv4Header.parseAddress("10.0.0.1"),
            Ipv4Header.parseAddress("10.0.8.17")).udp(4000, 8080).length(64).build());
        view.parse(frame, 0, 64);
    }

    @Benchmark
    public int classify()
    {
        return chosen.classify(view, 0, counters);
    }
}
