package dev.dataplane.pktgen;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.dataplane.dpdk.DpdkException;
import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthLink;
import dev.dataplane.dpdk.LcoreGroup;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * The assembled generator and receiver: one pool, the TX port and the RX port (the same one for a loopback), a
 * {@link Generator} and a {@link Receiver}, each on a worker lcore of its own when EAL gives two, else both on one.
 * {@link #create} validates against the ports; {@link #start}, {@link #stop} and {@link #close} as the forwarder's.
 */
public final class Pktgen implements AutoCloseable
{
    /** Link speed assumed for a rate in percent when the device reports none (virtual devices): 10 Gbit/s. */
    public static final long DEFAULT_LINK_MBPS = 10_000;
    /** Latencies above this (10 s) are recorded as this. */
    public static final long HIGHEST_LATENCY_NANOS = 10_000_000_000L;
    private static final int DESCRIPTORS = 1024;
    private static final int POOL_SIZE = 16383;
    private static final int DRAIN_BURSTS = 64;

    private final PktgenContext context;
    private final Mempool txPool;
    private final Mempool rxPool;
    private final Set<Integer> ports;
    private final Sender sender;
    private final Receiver receiver;
    private final SingleWriterRecorder latency;
    private final List<PktgenLcore> lcores;
    private final double packetsPerSecond;
    private final LcoreGroup lcoreGroup = new LcoreGroup();
    private final Arena arena;
    private int inUseAtClose = -1;
    private boolean closed;

    private Pktgen(final PktgenContext context, final Mempool txPool, final Mempool rxPool, final Set<Integer> ports,
        final Sender sender,
        final Receiver receiver, final SingleWriterRecorder latency, final List<PktgenLcore> lcores, final double packetsPerSecond,
        final Arena arena)
    {
        this.context = context;
        this.txPool = txPool;
        this.rxPool = rxPool;
        this.ports = ports;
        this.sender = sender;
        this.receiver = receiver;
        this.latency = latency;
        this.lcores = lcores;
        this.packetsPerSecond = packetsPerSecond;
        this.arena = arena;
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
        final Set<Integer> ports = new LinkedHashSet<>(used);
        // The generator's mbufs hold its frames between uses (Generator.prefill), so received frames, which could be
        // anything, go to a pool of their own.
        final Mempool txPool = Mempool.createPktmbufPool("pktgen_tx", POOL_SIZE, 256, Mempool.DEFAULT_DATA_ROOM_SIZE,
            eal.socketId());
        final Mempool pool = Mempool.createPktmbufPool("pktgen_rx", POOL_SIZE, 256, Mempool.DEFAULT_DATA_ROOM_SIZE,
            eal.socketId());
        final List<Integer> started = new ArrayList<>();
        try
        {
            for (final int port : ports)
            {
                EthDev.configure(port, 1, 1, 0);
                EthDev.rxQueueSetup(port, 0, DESCRIPTORS, pool);
                EthDev.txQueueSetup(port, 0, DESCRIPTORS);
                EthDev.start(port);
                started.add(port);
                EthDev.enablePromiscuous(port);
            }
        }
        catch (final RuntimeException ex)
        {
            started.forEach(port -> EthDev.stopAndClose(port, new ArrayList<>()));
            pool.close();
            txPool.close();
            throw ex;
        }
        final double pps = context.packetsPerSecond(linkMbps(context.txPort()));
        final Arena arena = Arena.ofShared();
        final Sender generator;
        if (null != context.pcap())
        {
            generator = PcapReplay.load(context.pcap(), context.txPort(), context.burst(), txPool,
                Mempool.DEFAULT_DATA_ROOM_SIZE - Mbuf.HEADROOM, context.loops(),
                context.pcapTiming() ? null : new RateLimiter(pps, eal.tscHz()), eal.tscHz(), arena);
        }
        else
        {
            final MemorySegment templates = context.traffic().buildTemplates(arena);
            Generator.prefill(txPool, context.traffic(), templates);
            generator = new Generator(context.txPort(), 0, context.burst(), txPool, context.traffic(), templates,
                new RateLimiter(pps, eal.tscHz()), context.count());
        }
        final SingleWriterRecorder latency = new SingleWriterRecorder(HIGHEST_LATENCY_NANOS, 3);
        final Receiver receiver = !context.receives() ? null : new Receiver(context.rxPort(), 0, context.burst(),
            new SequenceTracker(context.traffic().flows()), latency, HIGHEST_LATENCY_NANOS, eal.tscHz());
        final List<PktgenLcore> lcores = new ArrayList<>();
        if (null == receiver)
        {
            lcores.add(new PktgenLcore(workers.get(0), new PktgenPart[] {generator}));
        }
        else if (workers.size() >= 2)
        {
            lcores.add(new PktgenLcore(workers.get(0), new PktgenPart[] {generator}));
            lcores.add(new PktgenLcore(workers.get(1), new PktgenPart[] {receiver}));
        }
        else
        {
            lcores.add(new PktgenLcore(workers.get(0), new PktgenPart[] {generator, receiver}));
        }
        return new Pktgen(context, txPool, pool, ports, generator, receiver, latency, lcores, pps, arena);
    }

    private static long linkMbps(final int port)
    {
        final EthLink link = EthDev.link(port);
        return link.speedMbps() > 0 ? link.speedMbps() : DEFAULT_LINK_MBPS;
    }

    public void start()
    {
        lcoreGroup.start(lcores.stream().map(PktgenLcore::lcore).toList(), lcores);
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
            for (int i = 0; i < DRAIN_BURSTS; i++)
            {
                final int n = EthDev.rxBurst(port, 0, drain, context.burst());
                if (0 == n)
                {
                    break;
                }
                Mbuf.freeBulk(drain, 0, n);
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
            final List<String> problems = new ArrayList<>();
            ports.forEach(port -> EthDev.stopAndClose(port, problems));
            inUseAtClose = txPool.inUseCount() + rxPool.inUseCount();
            txPool.close();
            rxPool.close();
            arena.close();
            if (!problems.isEmpty())
            {
                throw new DpdkException(String.join("; ", problems));
            }
        }
    }


    public PktgenContext context()
    {
        return context;
    }

    /** The generator, or the pcap replay. */
    public Sender generator()
    {
        return sender;
    }

    /** The receiver, or null in a send-only run. */
    public Receiver receiver()
    {
        return receiver;
    }

    /** The latency recorder (nanoseconds); sample it with {@code getIntervalHistogram}. */
    public SingleWriterRecorder latency()
    {
        return latency;
    }

    /** The rate the generator paces to, packets per second; 0 for unlimited. */
    public double packetsPerSecond()
    {
        return packetsPerSecond;
    }

    public List<PktgenLcore> lcores()
    {
        return lcores;
    }

    /** Mbufs out of the pool at close, measured just before it is freed: 0 unless something leaked; -1 before. */
    public int mbufsInUseAtClose()
    {
        return inUseAtClose;
    }
}
