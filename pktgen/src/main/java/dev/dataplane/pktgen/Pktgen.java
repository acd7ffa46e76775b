package dev.dataplane.pktgen;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthLink;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.VlanTag;
import dev.dataplane.pktgen.rx.LatencyRecorder;
import dev.dataplane.pktgen.rx.Receiver;
import dev.dataplane.pktgen.rx.SequenceTracker;
import dev.dataplane.pktgen.traffic.FrameSizes;
import dev.dataplane.pktgen.traffic.Traffic;
import dev.dataplane.pktgen.tx.Generator;
import dev.dataplane.pktgen.tx.PcapReplay;
import dev.dataplane.pktgen.tx.RateLimiter;
import dev.dataplane.pktgen.tx.Sender;
import dev.dataplane.pktgen.tx.Senders;
import dev.dataplane.runtime.LcoreGroup;
import dev.dataplane.runtime.Poller;
import dev.dataplane.runtime.PollingLcore;
import dev.dataplane.runtime.PortSet;
import dev.dataplane.runtime.RxStream;

/**
 * The assembled generator and receiver: the TX port and the RX port (the same one for a loopback), a {@link Generator}
 * per TX queue (or a {@link PcapReplay}) and a {@link Receiver}, each on a worker lcore of its own when EAL gives
 * enough, else sharing them in turn; a pool per frame size for the generators and one for what is received.
 * {@link #create} validates against the ports; {@link #start}, {@link #stop} and {@link #close} as the forwarder's.
 */
public final class Pktgen implements AutoCloseable
{
    /** Link speed assumed for a rate in percent when the device reports none (virtual devices): 10 Gbit/s. */
    public static final long DEFAULT_LINK_MBPS = 10_000;
    /** Latencies above this (10 s) are recorded as this. */
    public static final long HIGHEST_LATENCY_NANOS = 10_000_000_000L;
    /** How long {@link #start} waits for the ports' links to come up. */
    public static final long LINK_WAIT_MILLIS = 5_000;
    private static final int DESCRIPTORS = 1024;
    private static final int POOL_SIZE = 16383;
    /** Mbufs in a pool of jumbo-frame buffers (about 10 KiB each). */
    private static final int JUMBO_POOL_SIZE = 4095;
    private static final int DRAIN_BURSTS = 64;
    /**
     * Bursts the JIT warm-up builds, and the rate it paces them at when the run is paced (always due, but the paced
     * path: the JIT compiles the branches the run takes, else it compiles for the wrong ones and the run pays).
     */
    private static final int WARM_UP_BURSTS = 20_000;
    private static final double WARM_UP_RATE = 1e12;

    private final PktgenContext context;
    private final PortSet portSet;
    private final Set<Integer> ports;
    private final Senders senders;
    private final Receiver receiver;
    private final LatencyRecorder latency;
    private final List<PollingLcore> lcores;
    private final double packetsPerSecond;
    private final LcoreGroup lcoreGroup = new LcoreGroup();
    private final Arena arena;
    /** What the operator should know of the set-up, one line each. */
    private final List<String> warnings;
    private boolean closed;

    private Pktgen(final PktgenContext context, final PortSet portSet, final Set<Integer> ports,
        final Senders senders, final Receiver receiver, final LatencyRecorder latency,
        final List<PollingLcore> lcores, final double packetsPerSecond, final Arena arena, final List<String> warnings)
    {
        this.warnings = List.copyOf(warnings);
        this.context = context;
        this.portSet = portSet;
        this.ports = ports;
        this.senders = senders;
        this.receiver = receiver;
        this.latency = latency;
        this.lcores = lcores;
        this.packetsPerSecond = packetsPerSecond;
        this.arena = arena;
    }

    /** What the operator should know of the set-up (a pcap file's skipped records), one line each. */
    public List<String> warnings()
    {
        return warnings;
    }

    public static Pktgen create(final Eal eal, final PktgenContext context)
    {
        final List<Integer> workers = eal.workerLcores();
        if (workers.isEmpty())
        {
            throw new IllegalArgumentException(
                "pktgen needs a worker lcore besides the main one: give EAL two or more lcores, e.g. -l 0,1");
        }
        final List<Integer> used = context.receives() ? List.of(context.txPort(), context.rxPort()) :
            List.of(context.txPort());
        for (final int port : used)
        {
            if (!EthDev.isValidPort(port))
            {
                throw new IllegalArgumentException("port " + port + " does not exist (EAL found " + EthDev.count() +
                    " port(s)); give devices with --vdev or PCI addresses");
            }
        }
        final int txQueues = context.txQueues();
        final int maxTxQueues = EthDev.info(context.txPort()).maxTxQueues();
        if (txQueues > maxTxQueues)
        {
            throw new IllegalArgumentException("--tx-queues " + txQueues + ": port " + context.txPort() + " (" +
                EthDev.name(context.txPort()) + ") offers " + maxTxQueues + " TX queue(s)");
        }
        // A file to replay is read and checked before any port is touched: a bad one is a clear error, nothing more.
        final PcapReplay.Capture capture = null == context.pcap() ? null :
            PcapReplay.read(context.pcap(), Mempool.DEFAULT_DATA_ROOM_SIZE - Mbuf.HEADROOM);
        final Set<Integer> ports = new LinkedHashSet<>(used);
        // The generator's mbufs hold its frames between uses (Generator.prefill): a pool per frame size, and received
        // frames, which could be anything, go to a pool of their own.
        final FrameSizes sizes = context.traffic().sizes();
        final boolean replay = null != context.pcap();
        final int txPoolSize = 1 == sizes.count() || replay ? POOL_SIZE : sizes.count() <= 4 ? 8191 : 4095;
        // Jumbo frames: buffers that hold a whole frame (no chained segments), fewer of them, and an MTU to fit.
        final int largestData = replay ? 0 : sizes.largest() - Traffic.FCS;
        final int rxDataRoom = Math.max(Mempool.DEFAULT_DATA_ROOM_SIZE, largestData + Mbuf.HEADROOM);
        final List<Mempool> pools = new ArrayList<>();
        final Mempool rxPool;
        try
        {
            for (int k = 0; k < (replay ? 1 : sizes.count()); k++)
            {
                final boolean jumbo = !replay && sizes.size(k) > FrameSizes.STANDARD_MAX;
                pools.add(Mempool.createPktmbufPool("pktgen_tx" + k, jumbo ? JUMBO_POOL_SIZE : txPoolSize, 256,
                    jumbo ? sizes.size(k) - Traffic.FCS + Mbuf.HEADROOM : Mempool.DEFAULT_DATA_ROOM_SIZE,
                    eal.socketId()));
            }
            rxPool = Mempool.createPktmbufPool("pktgen_rx",
                rxDataRoom > Mempool.DEFAULT_DATA_ROOM_SIZE ? JUMBO_POOL_SIZE : POOL_SIZE, 256, rxDataRoom,
                eal.socketId());
            pools.add(rxPool);
        }
        catch (final RuntimeException ex)
        {
            pools.forEach(Mempool::close);
            throw ex;
        }
        // Jumbo frames: an MTU that fits the largest (its L3 part: no Ethernet header, no VLAN tag).
        final int mtu = largestData + Traffic.FCS <= FrameSizes.STANDARD_MAX ? 0 :
            largestData - EthernetHeader.LENGTH - (0 == context.traffic().vlan() ? 0 : VlanTag.LENGTH);
        final List<PortSet.PortSetup> setups = new ArrayList<>();
        for (final int port : ports)
        {
            setups.add(new PortSet.PortSetup(port, rxQueues(context, port), port == context.txPort() ? txQueues : 1,
                DESCRIPTORS, DESCRIPTORS, rxPool, 0, 0, mtu, true));
        }
        final List<String> warnings = new ArrayList<>();
        final PortSet portSet = PortSet.start(pools, setups, warnings);
        final Arena arena = Arena.ofShared();
        try
        {
            return assemble(eal, context, portSet, pools, ports, arena, capture, warnings);
        }
        catch (final RuntimeException ex)
        {
            portSet.close();
            arena.close();
            throw ex;
        }
    }

    /** The generators or the replay, the receiver, and their lcores, once the ports run. */
    private static Pktgen assemble(final Eal eal, final PktgenContext context, final PortSet portSet,
        final List<Mempool> pools, final Set<Integer> ports, final Arena arena, final PcapReplay.Capture capture,
        final List<String> warnings)
    {
        final List<Integer> workers = eal.workerLcores();
        final FrameSizes sizes = context.traffic().sizes();
        final boolean replay = null != context.pcap();
        final int txQueues = context.txQueues();
        final double pps = context.packetsPerSecond(linkMbps(context.txPort()));
        final LatencyRecorder latency = new LatencyRecorder(HIGHEST_LATENCY_NANOS, 3);
        final Receiver receiver = !context.receives() ? null : new Receiver(context.rxPort(),
            rxQueues(context, context.rxPort()), context.burst(),
            new SequenceTracker(context.traffic().flows()), latency, HIGHEST_LATENCY_NANOS, eal.tscHz());
        final List<Sender> senders = new ArrayList<>();
        if (replay)
        {
            senders.add(PcapReplay.load(capture, context.txPort(), context.burst(), pools.get(0), context.loops(),
                context.pcapTiming() ? null : new RateLimiter(pps, eal.tscHz()), eal.tscHz(), arena));
        }
        else
        {
            final MemorySegment templates = context.traffic().buildTemplates(arena);
            final Mempool[] txPools = pools.subList(0, sizes.count()).toArray(new Mempool[0]);
            for (int k = 0; k < sizes.count(); k++)
            {
                Generator.prefill(txPools[k], context.traffic(), templates, k);
            }
            for (int q = 0; q < txQueues; q++)
            {
                senders.add(new Generator(context.txPort(), q, context.burst(), txPools, context.traffic(), templates,
                    q, txQueues, new RateLimiter(pps / txQueues, eal.tscHz()), context.count(q)));
            }
            warmUp(eal, context, txPools, templates, null != receiver, pps);
            // The warm-up's garbage (its receiver's histograms) is collected now, not in a pause during the run.
            System.gc();
        }
        final List<Poller> parts = new ArrayList<>(senders);
        if (null != receiver)
        {
            parts.add(receiver);
        }
        if (null != capture && capture.skipped() > 0)
        {
            warnings.add(capture.file() + ": " + capture.skipped() + " record(s) shorter than an Ethernet header " +
                "skipped (the first of " + capture.firstSkipped().data().length + " bytes), " +
                capture.records().size() + " frames replayed");
        }
        return new Pktgen(context, portSet, ports, new Senders(senders), receiver, latency, place(parts, workers), pps,
            arena, warnings);
    }

    /**
     * Runs a throwaway generator and receiver's per-packet code on the main thread (frames built and accounted for,
     * then freed, nothing sent), so the JIT has compiled it before the run: else a paced run spends its first second
     * behind schedule and its packets' latencies land in the tail.
     */
    private static void warmUp(final Eal eal, final PktgenContext context, final Mempool[] txPools,
        final MemorySegment templates, final boolean receives, final double pps)
    {
        final Traffic traffic = context.traffic();
        final Generator generator = new Generator(context.txPort(), 0, context.burst(), txPools, traffic,
            templates, 0, 1, new RateLimiter(0 == pps ? 0 : WARM_UP_RATE, eal.tscHz()), 0);
        final Receiver probe = !receives ? null : new Receiver(context.rxPort(), 1, context.burst(),
            new SequenceTracker(traffic.flows()), new LatencyRecorder(HIGHEST_LATENCY_NANOS, 3),
            HIGHEST_LATENCY_NANOS, eal.tscHz());
        generator.warmUp(WARM_UP_BURSTS, null == probe ? null : probe::warmUp);
    }

    /**
     * RX queues on {@code port}: as many as TX queues when it receives what it sends itself (a loopback such as
     * net_ring, whose TX queue {@code q} feeds its RX queue {@code q}), else one.
     */
    private static int rxQueues(final PktgenContext context, final int port)
    {
        return context.receives() && port == context.rxPort() && port == context.txPort() ? context.txQueues() : 1;
    }

    /** Part {@code i} on worker {@code i % workers}: each on an lcore of its own when EAL gives enough. */
    private static List<PollingLcore> place(final List<Poller> parts, final List<Integer> workers)
    {
        final List<PollingLcore> lcores = new ArrayList<>();
        for (int w = 0; w < Math.min(workers.size(), parts.size()); w++)
        {
            final List<Poller> mine = new ArrayList<>();
            for (int i = w; i < parts.size(); i += workers.size())
            {
                mine.add(parts.get(i));
            }
            lcores.add(new PollingLcore("pktgen", workers.get(w), mine.toArray(new Poller[0])));
        }
        return lcores;
    }

    private static long linkMbps(final int port)
    {
        final EthLink link = EthDev.link(port);
        return link.speedMbps() > 0 ? link.speedMbps() : DEFAULT_LINK_MBPS;
    }

    /**
     * Starts the lcores, once the ports' links are up or {@value #LINK_WAIT_MILLIS} ms have passed (a memif or a NIC
     * comes up a moment after it starts; what is sent before that is refused, and counted as lost).
     */
    public void start()
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINK_WAIT_MILLIS);
        while (!ports.stream().allMatch(port -> EthDev.link(port).up()) && System.nanoTime() < deadline)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        lcoreGroup.start(lcores.stream().map(PollingLcore::lcore).toList(), lcores);
    }

    /** The first lcore failure, or null while all run. */
    public Throwable failure()
    {
        return lcoreGroup.failure();
    }

    /** Stops and joins the lcores, then frees what the RX queues still hold. Idempotent. */
    public synchronized void stop()
    {
        if (!lcoreGroup.stop())
        {
            return;
        }
        final MbufArray drain = new MbufArray(context.burst());
        for (final int port : ports)
        {
            for (int q = 0; q < rxQueues(context, port); q++)
            {
                RxStream.drain(port, q, drain, context.burst(), DRAIN_BURSTS);
            }
        }
        lcoreGroup.throwIfFailed();
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            stop();
        }
        finally
        {
            closed = true;
            try
            {
                portSet.close();
            }
            finally
            {
                arena.close();
            }
        }
    }


    public PktgenContext context()
    {
        return context;
    }

    /** The generators (one per TX queue), or the pcap replay. */
    public Senders senders()
    {
        return senders;
    }

    /** The ports in use: the TX port, then the RX port when it is another. */
    public Set<Integer> ports()
    {
        return ports;
    }

    /** The receiver, or null in a send-only run. */
    public Receiver receiver()
    {
        return receiver;
    }

    /** The latency recorder (nanoseconds); sample it with {@link LatencyRecorder#intervalHistogram}. */
    public LatencyRecorder latency()
    {
        return latency;
    }

    /** The rate the generator paces to, packets per second; 0 for unlimited. */
    public double packetsPerSecond()
    {
        return packetsPerSecond;
    }

    public List<PollingLcore> lcores()
    {
        return lcores;
    }

    /** Mbufs out of the pool at close, measured just before it is freed: 0 unless something leaked; -1 before. */
    public int mbufsInUseAtClose()
    {
        return portSet.mbufsInUseAtClose();
    }
}
