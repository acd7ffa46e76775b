package dev.dataplane.perf.jmh;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.lang.foreign.MemorySegment;
import java.util.Random;
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
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.HashSeed;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.UdpHeader;
import dev.dataplane.perf.IoForwardBenchmark;
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
 * {@code RuleStream} passes a received burst. Each frame is first restored from its template (the DNAT rewrites it),
 * and with {@code flows=new} given its flow's source, so {@code restore} measures that alone (the benchmark's own
 * work, part of every other step's figure), {@code parse} adds the parse, {@code process} is the whole path (parse,
 * flow cache, counters, rewrite with checksums), or with {@code conntrack=on} the stateful path (parse, connection
 * lookup, classification, translation from the connection). With {@code flows=new} every packet is a new flow (a
 * source address and port no packet had before, the IPv4 header checksum updated to match, RFC 1624): with
 * {@code conntrack=on} each is a new connection through the NAT (tracked, classified, its translation bound and
 * applied), its connections living 1 ms so that the table (2^20) holds what the sweep has not yet reclaimed: the flow
 * setup rate per lcore. With {@code flows=N} (a number: {@code -p flows=10000}) each frame is one of N flows drawn at
 * random (a fixed order), established connections once the warm-up has met them, in a table sized as
 * {@code bin/bench-io} sizes the forwarder's: what the table's size costs each packet once it outgrows the caches.
 * Figures are per packet.
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
    /** {@code flows=new}: sources from 198.18.0.0 (RFC 2544's range), 2^17 addresses, then the next port. */
    private static final int FIRST_SOURCE = Ipv4Header.parseAddress("198.18.0.0");
    private static final int SOURCES = 1 << 17;

    @Param({"20", "1000"})
    public int rules;

    @Param({"restore", "parse", "process"})
    public String step;

    /** {@code on}: the stateful path (a connection tracker; the DNAT bound to the flow's connection). */
    @Param({"off", "on"})
    public String conntrack;

    /** {@code 1}: one flow, all of it cached; N: each frame one of N flows at random; {@code new}: every packet new. */
    @Param({"1", "10000", "new"})
    public String flows;

    /** {@code flows=new}: every frame a new flow. */
    private boolean newFlows;
    /** With N flows: the order the frames take them in (null with one flow, or new ones). */
    private int[] flowOrder;
    private int nextOrder;

    private Eal eal;
    private long nextFlow;
    private Mempool pool;
    private final MbufArray mbufs = new MbufArray(BURST);
    private final long[] frames = new long[BURST];
    private final int[] destinations = new int[BURST];
    private final PacketView view = new PacketView();
    private MemorySegment template;
    private int templateSource;
    private int templateChecksum;
    private RulesProcessor processor;
    private ConnTracker tracker;

    @Setup(Level.Trial)
    public void setUp() throws RulesException
    {
        eal = JmhEal.init();
        pool = Mempool.createPktmbufPool("jmh_rules", 1023, 0, Mempool.DEFAULT_DATA_ROOM_SIZE, eal.socketId());
        template = NativeFrames.copy(new FrameBuilder().ipv4(Ipv4Header.parseAddress("10.0.0.1"),
            Ipv4Header.parseAddress("10.0.8.17")).udp(4000, 8080).length(LENGTH).build());
        templateSource = Ipv4Header.source(template, EthernetHeader.LENGTH);
        templateChecksum = NetworkOrder.u16(template, EthernetHeader.LENGTH + Ipv4Header.CHECKSUM_OFFSET);
        if (!pool.allocBulk(mbufs, BURST))
        {
            throw new IllegalStateException("no mbufs");
        }
        for (int i = 0; i < BURST; i++)
        {
            Mbuf.setLength(mbufs.get(i), LENGTH);
            frames[i] = Mbuf.dataAddress(mbufs.get(i));
        }
        MemorySegment.copy(template, 0, ALL, frames[0], LENGTH);
        newFlow(frames[0], SOURCES + 7);
        if (0 != InternetChecksum.checksum(ALL, frames[0] + EthernetHeader.LENGTH, Ipv4Header.MIN_LENGTH))
        {
            throw new IllegalStateException("a new flow's header checksum does not verify");
        }
        newFlows = "new".equals(flows);
        final int flowCount = newFlows ? 0 : Integer.parseInt(flows);
        if (flowCount > 1)
        {
            // Long enough that the order does not repeat within the caches' reach; fixed, so that runs compare.
            final Random random = new Random(42);
            flowOrder = new int[Math.max(1 << 20, 4 * flowCount)];
            for (int i = 0; i < flowOrder.length; i++)
            {
                flowOrder[i] = random.nextInt(flowCount);
            }
        }
        tracker = "on".equals(conntrack) ? new ConnTracker(new ConnTable(newFlows ? 1 << 20 :
            IoForwardBenchmark.tableConnections(flowCount), HashSeed.PROCESS)) : null;
        if (null != tracker && newFlows)
        {
            tracker.udpTimeouts(1, 1);
        }
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
                restore(frames[i]);
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
                restore(frames[i]);
            }
            final RulesProcessor processor = this.processor;
            processor.beginBurst();
            processor.process(mbufs, BURST, destinations);
            processor.endBurst();
            sum += destinations[BURST - 1];
        }
        return sum;
    }

    /** The frame at {@code frame} restored from the template as the next flow's: a new one, the next of N, the one. */
    private void restore(final long frame)
    {
        MemorySegment.copy(template, 0, ALL, frame, LENGTH);
        if (newFlows)
        {
            newFlow(frame, nextFlow++);
        }
        else if (null != flowOrder)
        {
            newFlow(frame, flowOrder[nextOrder]);
            nextOrder = nextOrder + 1 == flowOrder.length ? 0 : nextOrder + 1;
        }
    }

    /**
     * Gives the frame at {@code frame}, just restored from the template, flow {@code n}'s source address and port, and
     * the header checksum the new source makes (updated from the template's, as a router would: a sum over the
     * header per packet was a fifth of the new-flow figure, none of it the forwarder's).
     */
    private void newFlow(final long frame, final long n)
    {
        final long l3 = frame + EthernetHeader.LENGTH;
        final int source = FIRST_SOURCE + (int)(n % SOURCES);
        Ipv4Header.setSource(ALL, l3, source);
        NetworkOrder.u16(ALL, l3 + Ipv4Header.MIN_LENGTH + UdpHeader.SOURCE_PORT_OFFSET,
            1024 + (int)(n / SOURCES % 64_000));
        NetworkOrder.u16(ALL, l3 + Ipv4Header.CHECKSUM_OFFSET,
            InternetChecksum.update32(templateChecksum, templateSource, source));
    }
}
