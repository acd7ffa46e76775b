package dev.dataplane.perf.jmh;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.forwarder.conntrack.ConnTable;
import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.RuleSets;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.RulesProcessors;
import dev.dataplane.forwarder.rules.lang.RulesException;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.HashSeed;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The run-to-completion rules path per packet, without the drivers: a burst of 32 real mbufs holding the 64-byte UDP
 * frame of {@code bin/bench-io --rules N} (to the DNAT address) is passed through a {@link RulesProcessor} as
 * {@code RuleStream} passes a received burst. Each frame is first restored from its template (the DNAT rewrites it), so
 * {@code restore} measures that alone, {@code parse} adds the parse, {@code process} is the whole path (parse, flow
 * cache, counters, rewrite with checksums), or with {@code conntrack=on} the stateful path (parse, connection lookup,
 * classification, translation from the connection). Figures are per packet.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@OperationsPerInvocation(RulesPathBenchmark.BURST)
public class RulesPathBenchmark
{
    static final int BURST = 32;
    private static final int LENGTH = 64;

    @Param({"20", "1000"})
    public int rules;

    @Param({"restore", "parse", "process"})
    public String step;

    /** {@code on}: the stateful path (a connection tracker; the DNAT bound to the flow's connection). */
    @Param({"off", "on"})
    public String conntrack;

    private Eal eal;
    private Mempool pool;
    private final MbufArray mbufs = new MbufArray(BURST);
    private final long[] frames = new long[BURST];
    private final int[] destinations = new int[BURST];
    private final PacketView view = new PacketView();
    private MemorySegment template;
    private RulesProcessor processor;
    private ConnTracker tracker;

    @Setup(Level.Trial)
    public void setUp() throws RulesException
    {
        eal = JmhEal.init();
        pool = Mempool.createPktmbufPool("jmh_rules", 1023, 0, Mempool.DEFAULT_DATA_ROOM_SIZE, eal.socketId());
        template = NativeFrames.copy(new FrameBuilder().ipv4(Ipv4Header.parseAddress("10.0.0.1"),
            Ipv4Header.parseAddress("10.0.8.17")).udp(4000, 8080).length(LENGTH).build());
        if (!pool.allocBulk(mbufs, BURST))
        {
            throw new IllegalStateException("no mbufs");
        }
        for (int i = 0; i < BURST; i++)
        {
            Mbuf.setLength(mbufs.get(i), LENGTH);
            frames[i] = Mbuf.dataAddress(mbufs.get(i));
        }
        tracker = "on".equals(conntrack) ? new ConnTracker(new ConnTable(1 << 16, HashSeed.PROCESS)) : null;
        processor = RulesProcessors.standalone(new CompiledRules(RulesParser.parse(RuleSets.mixedRules(rules),
            "bench.rules")), 0, 1, tracker);
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        Mbuf.freeBulk(mbufs, 0, BURST);
        if (0 != pool.inUseCount())
        {
            throw new IllegalStateException(pool.inUseCount() + " mbufs leaked");
        }
        pool.close();
        eal.close();
        if (null != tracker)
        {
            tracker.close();
        }
    }

    @Benchmark
    public int burst()
    {
        int sum = 0;
        final String step = this.step;
        if (step.equals("restore"))
        {
            for (int i = 0; i < BURST; i++)
            {
                MemorySegment.copy(template, 0, ALL, frames[i], LENGTH);
                sum += Mbuf.dataLength(mbufs.get(i));
            }
        }
        else if (step.equals("parse"))
        {
            final PacketView view = this.view;
            for (int i = 0; i < BURST; i++)
            {
                MemorySegment.copy(template, 0, ALL, frames[i], LENGTH);
                final long mbuf = mbufs.get(i);
                sum += view.parse(ALL, Mbuf.dataAddress(mbuf), Mbuf.dataLength(mbuf)) + view.destinationPort();
            }
        }
        else
        {
            for (int i = 0; i < BURST; i++)
            {
                MemorySegment.copy(template, 0, ALL, frames[i], LENGTH);
            }
            final RulesProcessor processor = this.processor;
            processor.beginBurst();
            processor.process(mbufs, BURST, destinations);
            processor.endBurst();
            sum += destinations[BURST - 1];
        }
        return sum;
    }
}
