package dev.dataplane.forwarder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToLongFunction;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import dev.dataplane.dpdk.DpdkException;
import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthDevInfo;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.forwarder.engine.ForwardingEngine;
import dev.dataplane.forwarder.pipeline.BurstEvent;
import dev.dataplane.forwarder.pipeline.PipelineRules;
import dev.dataplane.forwarder.pipeline.PipelineRx;
import dev.dataplane.forwarder.pipeline.PipelineTx;
import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import dev.dataplane.forwarder.rtc.ForwardingStream;
import dev.dataplane.forwarder.rtc.RuleStream;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.FlowCache;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.RulesSource;
import dev.dataplane.forwarder.rules.RulesState;
import dev.dataplane.forwarder.rules.lang.Rule;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.forwarder.rules.lang.Verdict;
import dev.dataplane.runtime.LcoreGroup;
import dev.dataplane.runtime.LcoreTransmitter;
import dev.dataplane.runtime.Poller;
import dev.dataplane.runtime.PollingLcore;

/**
 * The assembled dataplane: one mbuf pool, the selected ports paired 0&lt;-&gt;1, 2&lt;-&gt;3..., and the pollers spread
 * over worker lcores: with a forward mode, one {@link ForwardingStream} per direction and RX queue; with rules, one
 * {@link RulesProcessor} per RX queue of each port, run to completion ({@link RuleStream}, one
 * {@link LcoreTransmitter} per lcore) or as a pipeline (per RX queue a Disruptor ring, {@link PipelineRx} on an RX
 * lcore publishing into it, {@link PipelineRules} on a stage lcore, and {@link PipelineTx} with the lcore's
 * transmitter on the RX or the stage lcore: {@link PipelineTxLcore}). {@link #create} validates everything against
 * the ports before anything starts; {@link #start} launches the lcores; {@link #stop} joins them and drains the RX
 * queues and rings; {@link #close} stops and closes the ports and frees the pool.
 */
public final class Forwarder implements AutoCloseable
{
    /** RX bursts drained per queue at stop: bounded because some devices (net_null) never run dry. */
    private static final int DRAIN_BURSTS = 64;

    private final ForwarderContext context;
    private final int[] ports;
    private final Mempool pool;
    private final RunMode runMode;
    private final PipelineTxLcore pipelineTx;
    private final long[] txChecksumOffloads;
    private final List<ForwardingStream> streams;
    private final List<RulesProcessor> processors;
    private final List<PipelineRx> pipelineRx;
    private final List<LcoreTransmitter> transmitters;
    /** The pollers on the RX queues (forwarding, rule, or pipeline RX streams), drained at stop. */
    private final List<Poller> receivers;
    /** The pipeline's TX stages, which drain their rings at stop. */
    private final List<PipelineTx> txStages;
    private final List<PollingLcore> lcores;
    private final LcoreGroup lcoreGroup = new LcoreGroup();
    private final RulesSource rulesSource;
    private final List<String> warnings;
    private boolean closed;
    private int inUseAtClose = -1;
    private long drainedAtStop;
    private long ringDrainedAtStop;

    private Forwarder(final ForwarderContext context, final RunMode runMode, final PipelineTxLcore pipelineTx,
        final int[] ports, final Mempool pool, final Parts parts, final List<PollingLcore> lcores,
        final List<String> warnings, final long[] txChecksumOffloads)
    {
        this.txChecksumOffloads = txChecksumOffloads;
        this.context = context;
        this.runMode = runMode;
        this.pipelineTx = pipelineTx;
        this.ports = ports;
        this.pool = pool;
        this.streams = List.copyOf(parts.streams);
        this.processors = List.copyOf(parts.processors);
        this.pipelineRx = List.copyOf(parts.pipelineRx);
        this.transmitters = List.copyOf(parts.transmitters);
        this.receivers = List.copyOf(parts.receivers);
        this.txStages = List.copyOf(parts.txStages);
        this.rulesSource = parts.rulesSource;
        this.lcores = List.copyOf(lcores);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Checks the context against EAL's ports and lcores, then creates the pool and configures and starts the
     * ports. Nothing runs yet.
     *
     * @throws IllegalArgumentException for a configuration the ports or lcores cannot take.
     * @throws DpdkException when DPDK refuses a setup call.
     */
    public static Forwarder create(final Eal eal, final ForwarderContext context)
    {
        final int[] ports = selectPorts(context.portmask());
        final List<Integer> workers = eal.workerLcores();
        if (workers.isEmpty())
        {
            throw new IllegalArgumentException(
                "forwarding needs a worker lcore besides the main one: give EAL two or more lcores, e.g. -l 0,1");
        }
        if (context.forwardingCores() > workers.size())
        {
            throw new IllegalArgumentException("--nb-cores " + context.forwardingCores() + " exceeds the " +
                workers.size() + " worker lcore(s) EAL has " + workers);
        }
        final CompiledRules rules = null == context.rules() ? null : new CompiledRules(context.rules());
        final int rxQueues = context.rxQueues();
        final int streamCount = ports.length * rxQueues;
        final int available = 0 == context.forwardingCores() ? workers.size() : context.forwardingCores();
        final RunMode runMode = null == rules ? RunMode.RUN_TO_COMPLETION :
            null != context.runMode() ? context.runMode() : RunMode.DEFAULT;
        if (null != context.pipelineTx() && RunMode.PIPELINE != runMode)
        {
            throw new IllegalArgumentException("--pipeline-tx applies to the pipeline run mode; the rules run to " +
                "completion here (give --run-mode pipeline)");
        }
        if (null != rules)
        {
            final long cacheBytes = (long)streamCount * context.flowCacheEntries() * FlowCache.ENTRY_BYTES;
            final long heap = Runtime.getRuntime().maxMemory();
            if (cacheBytes > heap / 2)
            {
                throw new IllegalArgumentException("--flow-cache " + context.flowCacheEntries() + " on " + streamCount +
                    " RX queue(s) needs " + (cacheBytes >> 20) + " MiB, more than half the JVM's heap (" +
                    (heap >> 20) + " MiB); give fewer entries");
            }
        }
        final PipelineTxLcore pipelineTx = RunMode.PIPELINE != runMode ? null :
            null != context.pipelineTx() ? context.pipelineTx() : PipelineTxLcore.defaultFor(eal.hasHugepages());
        final Layout layout = Layout.of(runMode, available, streamCount, pipelineTx);
        final List<String> warnings = new ArrayList<>();
        for (final int port : ports)
        {
            final EthDevInfo info = EthDev.info(port);
            final String rx = info.checkRxDescriptors(context.rxDescriptors());
            final String tx = info.checkTxDescriptors(context.txDescriptors());
            if (null != rx || null != tx)
            {
                throw new IllegalArgumentException("port " + port + " (" + EthDev.name(port) + "): " +
                    (null != rx ? rx : tx));
            }
            if (rxQueues > info.maxRxQueues() || layout.txQueues(rules, rxQueues) > info.maxTxQueues())
            {
                throw new IllegalArgumentException("port " + port + " (" + info.driverName() + ") has at most " +
                    info.maxRxQueues() + " RX and " + info.maxTxQueues() + " TX queues; this layout needs " +
                    rxQueues + " RX (--rxq) and " + layout.txQueues(rules, rxQueues) + " TX");
            }
            if (rxQueues > 1 && 0 == (info.rssOffloads() & EthDev.RSS_IP_UDP_TCP))
            {
                warnings.add("port " + port + " (" + info.driverName() + ") offers no RSS: its " + rxQueues +
                    " RX queues receive what the driver puts in each, not flows spread by hash");
            }
        }
        if (null != rules)
        {
            checkRedirects(rules.ruleSet(), ports);
        }
        final int txQueues = layout.txQueues(rules, rxQueues);
        // Rewritten frames leave their checksums to the ports that can compute them, and the checksums' verdicts are
        // taken from the ports that check them on receive (rules only: the forward modes look at no IP or L4 field).
        final long[] txChecksumOffloads = checksumOffloads(ports, null != rules && context.txChecksumOffload(),
            EthDevInfo::txOffloadCapabilities, EthDevInfo.TX_OFFLOAD_IPV4_CKSUM | EthDevInfo.TX_OFFLOAD_UDP_CKSUM |
            EthDevInfo.TX_OFFLOAD_TCP_CKSUM);
        final long[] rxChecksumOffloads = checksumOffloads(ports,
            null != rules && context.packetChecks().rxChecksumOffload(), EthDevInfo::rxOffloadCapabilities,
            EthDevInfo.RX_OFFLOAD_IPV4_CKSUM | EthDevInfo.RX_OFFLOAD_UDP_CKSUM | EthDevInfo.RX_OFFLOAD_TCP_CKSUM);
        final int ringSlots = RunMode.PIPELINE == runMode ? streamCount * context.ringBursts() * context.burst() : 0;
        final int poolLcores = layout.rxLcores + layout.stageLcores;
        final long mbufsNeeded = context.mbufsNeeded(ports.length, txQueues, poolLcores, ringSlots);
        final int poolSize = context.poolSize(ports.length, txQueues, poolLcores, ringSlots);
        if (poolSize < mbufsNeeded)
        {
            warnings.add("--mbufs " + poolSize + " is fewer than the " + mbufsNeeded + " that every ring and cache " +
                "can hold (" + ports.length + " ports x (" + rxQueues + " RX x " + context.rxDescriptors() + " + " +
                txQueues + " TX x " + context.txDescriptors() + " descriptors), " + poolLcores + " lcores' caches " +
                "and bursts" + (ringSlots > 0 ? ", " + ringSlots + " pipeline ring slots" : "") +
                "): RX may run out of mbufs (rx-nombuf)");
        }
        final Mempool pool = Mempool.createPktmbufPool("fwd_pool", poolSize, context.mbufCache(),
            Mempool.DEFAULT_DATA_ROOM_SIZE, eal.socketId());
        final List<Integer> started = new ArrayList<>();
        try
        {
            for (final int port : ports)
            {
                // Some drivers (net_tap) insist on as many TX queues as RX queues, as testpmd configures them by
                // default: configure that many where the port has them; the ones no lcore owns stay unused.
                final int portTxQueues = Math.max(txQueues, Math.min(rxQueues, EthDev.info(port).maxTxQueues()));
                EthDev.configure(port, rxQueues, portTxQueues, rxChecksumOffloads[port], txChecksumOffloads[port]);
                for (int queue = 0; queue < rxQueues; queue++)
                {
                    EthDev.rxQueueSetup(port, queue, context.rxDescriptors(), pool);
                }
                for (int queue = 0; queue < portTxQueues; queue++)
                {
                    EthDev.txQueueSetup(port, queue, context.txDescriptors());
                }
                EthDev.start(port);
                started.add(port);
                if (context.promiscuous() && !EthDev.enablePromiscuous(port))
                {
                    warnings.add("port " + port + " (" + EthDev.info(port).driverName() +
                        ") does not support promiscuous mode");
                }
            }
        }
        catch (final RuntimeException ex)
        {
            for (final int port : started)
            {
                EthDev.stopAndClose(port, warnings);
            }
            pool.close();
            throw ex;
        }

        final Parts parts = new Parts();
        if (null == rules)
        {
            for (int i = 0; i < ports.length; i += 2)
            {
                for (int queue = 0; queue < rxQueues; queue++)
                {
                    parts.streams.add(newStream(context, ports[i], ports[i + 1], queue));
                    parts.streams.add(newStream(context, ports[i + 1], ports[i], queue));
                }
            }
            parts.assign(parts.streams, layout.rxLcores, 0);
            parts.receivers.addAll(parts.streams);
        }
        else
        {
            parts.rulesSource = new RulesSource(new RulesState(rules, 1, streamCount));
            final int transmitting = layout.txLcores();
            for (int l = 0; l < transmitting; l++)
            {
                parts.transmitters.add(new LcoreTransmitter(l, ports, 2 * context.burst()));
            }
            final List<Poller> rx = new ArrayList<>();
            final List<PipelineRules> stages = new ArrayList<>();
            final List<PipelineTx> tx = new ArrayList<>();
            for (int i = 0; i < streamCount; i++)
            {
                final int port = ports[i % ports.length];
                final int queue = i / ports.length;
                final RulesProcessor processor = new RulesProcessor(port, ports[(i % ports.length) ^ 1], i,
                    parts.rulesSource, txChecksumOffloads, context.flowCacheEntries(), rxChecksumOffloads[port],
                    context.packetChecks());
                parts.processors.add(processor);
                if (RunMode.RUN_TO_COMPLETION == runMode)
                {
                    rx.add(new RuleStream(queue, context.burst(), processor, parts.transmitters.get(i % transmitting)));
                }
                else
                {
                    final int burst = context.burst();
                    final RingBuffer<BurstEvent> ring = RingBuffer.createSingleProducer(() -> new BurstEvent(burst),
                        context.ringBursts(), new BusySpinWaitStrategy());
                    final PipelineRx pipelineRx = new PipelineRx(port, queue, context.burst(), ring);
                    parts.pipelineRx.add(pipelineRx);
                    rx.add(pipelineRx);
                    final PipelineRules stage = new PipelineRules(ring, processor);
                    stages.add(stage);
                    tx.add(new PipelineTx(ring, port, stage.sequence(), parts.transmitters.get(i % transmitting),
                        context.burst()));
                }
            }
            parts.assign(rx, layout.rxLcores, 0);
            parts.receivers.addAll(rx);
            parts.assign(stages, layout.stageLcores, layout.rxLcores);
            parts.assign(tx, transmitting, layout.firstTxLcore());
            parts.txStages.addAll(tx);
        }
        final List<PollingLcore> lcores = new ArrayList<>();
        for (int l = 0; l < parts.perLcore.size(); l++)
        {
            lcores.add(new PollingLcore("forwarder", workers.get(l), parts.perLcore.get(l).toArray(new Poller[0])));
        }
        return new Forwarder(context, runMode, pipelineTx, ports, pool, parts, lcores, warnings, txChecksumOffloads);
    }

    /**
     * How many worker lcores receive and how many run the pipeline's stages, and which of them send. Run-to-completion:
     * one lcore per stream at most, all of them receiving and sending. Pipeline: at least one of each; the stages,
     * which do the heavier work, get the larger half; the TX stages run on the RX lcores or on the stage lcores
     * ({@code txOn}).
     */
    private record Layout(int rxLcores, int stageLcores, PipelineTxLcore txOn)
    {
        static Layout of(final RunMode runMode, final int available, final int streams, final PipelineTxLcore txOn)
        {
            if (RunMode.RUN_TO_COMPLETION == runMode)
            {
                return new Layout(Math.min(streams, available), 0, null);
            }
            if (available < 2)
            {
                throw new IllegalArgumentException("--run-mode pipeline needs two worker lcores or more (one to " +
                    "receive, one for the stages); EAL has " + available + ": give e.g. -l 0-2, or --lcores " +
                    "'0@0,1@1,2@0' to share CPUs (slower), or use --run-mode run-to-completion");
            }
            final int rx = Math.max(1, Math.min(streams, available / 2));
            return new Layout(rx, Math.min(streams, available - rx), txOn);
        }

        /** The lcores that send: each has a transmitter with a TX queue of its own on every port. */
        int txLcores()
        {
            return PipelineTxLcore.STAGE == txOn ? stageLcores : rxLcores;
        }

        /** The index of the first of them among the worker lcores. */
        int firstTxLcore()
        {
            return PipelineTxLcore.STAGE == txOn ? rxLcores : 0;
        }

        /**
         * TX queues per port. Rules may send out of any port, so each lcore that transmits owns a queue on every port;
         * a forward mode's stream sends on the queue numbered as its RX queue, which only it uses.
         */
        int txQueues(final CompiledRules rules, final int rxQueues)
        {
            return null == rules ? rxQueues : txLcores();
        }
    }

    /** What {@link #create} assembles: the pollers by kind, and the pollers of each lcore. */
    private static final class Parts
    {
        final List<ForwardingStream> streams = new ArrayList<>();
        final List<RulesProcessor> processors = new ArrayList<>();
        final List<PipelineRx> pipelineRx = new ArrayList<>();
        final List<LcoreTransmitter> transmitters = new ArrayList<>();
        final List<Poller> receivers = new ArrayList<>();
        final List<PipelineTx> txStages = new ArrayList<>();
        final List<List<Poller>> perLcore = new ArrayList<>();
        RulesSource rulesSource;

        /** Deals {@code work} round-robin over {@code count} lcores, the first of them {@code first}. */
        void assign(final List<? extends Poller> work, final int count, final int first)
        {
            for (int l = perLcore.size(); l < first + count; l++)
            {
                perLcore.add(new ArrayList<>());
            }
            for (int i = 0; i < work.size(); i++)
            {
                perLcore.get(first + i % count).add(work.get(i));
            }
        }
    }

    /** Redirects must name forwarded ports: they are the ones with a TX queue for every lcore. */
    private static void checkRedirects(final RuleSet ruleSet, final int[] ports)
    {
        for (final Rule rule : ruleSet.rules())
        {
            if (rule.verdict() == Verdict.REDIRECT &&
                Arrays.stream(ports).noneMatch(port -> port == rule.redirectPort()))
            {
                throw new IllegalArgumentException(ruleSet.source() + ":" + rule.line() + ": redirect " +
                    rule.redirectPort() + " names a port that is not forwarded " + Arrays.toString(ports));
            }
        }
    }

    /**
     * Swaps in a new rule set while forwarding: validated and compiled here, on the caller's thread, then published
     * at once; every rule stream applies it from its next burst. No lcore stops and no packet is held back.
     *
     * @return the new generation's state.
     * @throws IllegalArgumentException when the rules do not fit this forwarder (a redirect to a port it lacks),
     *                                  in which case the old rules stay in force.
     * @throws IllegalStateException    when the forwarder was not started with rules.
     */
    public synchronized RulesState reload(final RuleSet ruleSet)
    {
        if (null == rulesSource)
        {
            throw new IllegalStateException("the forwarder runs a forward mode, not rules: start it with --rules");
        }
        checkRedirects(ruleSet, ports);
        final RulesState next = new RulesState(new CompiledRules(ruleSet), rulesSource.get().generation() + 1,
            processors.size());
        rulesSource.publish(next);
        return next;
    }

    /** The rules in force, or null in a forward mode. */
    public RulesState rulesState()
    {
        return null == rulesSource ? null : rulesSource.get();
    }

    private static ForwardingStream newStream(final ForwarderContext context, final int rxPort, final int txPort,
        final int rxQueue)
    {
        final ForwardingEngine engine = context.forwardMode().newEngine(
            EthDev.macAddress(txPort), context.peerMac(txPort));
        return new ForwardingStream(rxPort, rxQueue, txPort, rxQueue, context.burst(), engine);
    }

    private static int[] selectPorts(final long portmask)
    {
        final int count = EthDev.count();
        if (0 == count)
        {
            throw new IllegalArgumentException(
                "EAL found no ports: give devices with --vdev (e.g. --vdev net_null0 --vdev net_null1) or PCI " +
                    "addresses");
        }
        final List<Integer> selected = new ArrayList<>();
        if (0 == portmask)
        {
            for (int port = 0; port < EthDev.MAX_PORTS; port++)
            {
                if (EthDev.isValidPort(port))
                {
                    selected.add(port);
                }
            }
        }
        else
        {
            for (int port = 0; port < 64; port++)
            {
                if (0 != (portmask & (1L << port)))
                {
                    if (!EthDev.isValidPort(port))
                    {
                        throw new IllegalArgumentException("--portmask 0x" + Long.toHexString(portmask) +
                            " selects port " + port + ", which does not exist (EAL found " + count + " port(s))");
                    }
                    selected.add(port);
                }
            }
        }
        if (selected.size() % 2 != 0)
        {
            throw new IllegalArgumentException("forwarding pairs ports (0<->1, 2<->3...), so it needs an even number" +
                " of them; " + selected.size() + " selected: " + selected);
        }
        return selected.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Launches every forwarding lcore, busy-spinning. */
    public void start()
    {
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
        for (final Poller receiver : receivers)
        {
            drainedAtStop += receiver.drain(DRAIN_BURSTS);
        }
        for (final PipelineTx txStage : txStages)
        {
            ringDrainedAtStop += txStage.drain(DRAIN_BURSTS);
        }
        lcoreGroup.throwIfFailed();
    }

    /** Stops (if running), stops and closes the ports, frees the pool. Idempotent. */
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
            for (final int port : ports)
            {
                EthDev.stopAndClose(port, problems);
            }
            inUseAtClose = pool.inUseCount();
            pool.close();
            if (!problems.isEmpty())
            {
                throw new DpdkException(String.join("; ", problems));
            }
        }
    }


    public ForwarderContext context()
    {
        return context;
    }

    /** The forwarded ports, in pair order. */
    public int[] ports()
    {
        return ports.clone();
    }

    public Mempool pool()
    {
        return pool;
    }

    /** Packets left in the RX queues when the lcores stopped, freed by {@link #stop}. */
    public long drainedAtStop()
    {
        return drainedAtStop;
    }

    /**
     * Packets the pipeline's RX lcores received and published that no stage had taken when the lcores stopped,
     * freed by {@link #stop}.
     */
    public long ringDrainedAtStop()
    {
        return ringDrainedAtStop;
    }

    /**
     * Mbufs still out of the pool once the lcores stopped, the queues drained and the ports closed, measured just
     * before the pool is freed: 0 unless something leaked. -1 before {@link #close}.
     */
    public int mbufsInUseAtClose()
    {
        return inUseAtClose;
    }

    public List<ForwardingStream> streams()
    {
        return streams;
    }

    /**
     * Per port id, the checksum offloads among {@code wanted} that each of {@code ports} offers ({@code capabilities}
     * of its info), or none anywhere when not {@code enabled}.
     */
    private static long[] checksumOffloads(final int[] ports, final boolean enabled,
        final ToLongFunction<EthDevInfo> capabilities, final long wanted)
    {
        final long[] offloads = new long[EthDev.MAX_PORTS];
        if (enabled)
        {
            for (final int port : ports)
            {
                offloads[port] = capabilities.applyAsLong(EthDev.info(port)) & wanted;
            }
        }
        return offloads;
    }

    /** The TX checksum offloads ({@code EthDevInfo.TX_OFFLOAD_*}) rewritten frames use on {@code port}; 0: none. */
    public long txChecksumOffloads(final int port)
    {
        return txChecksumOffloads[port];
    }

    /** How the rules run (a forward mode always runs to completion). */
    public RunMode runMode()
    {
        return runMode;
    }

    /** Which lcores run the pipeline's TX stages; null when the rules run to completion or there are none. */
    public PipelineTxLcore pipelineTx()
    {
        return pipelineTx;
    }

    /** The rules processors, one per RX queue of each port, when rules are applied (else empty). */
    public List<RulesProcessor> processors()
    {
        return processors;
    }

    /** The pipeline's RX side, one per RX queue of each port, in pipeline mode (else empty). */
    public List<PipelineRx> pipelineRx()
    {
        return pipelineRx;
    }

    /** The lcores' transmitters, when rules are applied (else empty). */
    public List<LcoreTransmitter> transmitters()
    {
        return transmitters;
    }

    public List<PollingLcore> lcores()
    {
        return lcores;
    }

    /** Things that did not stop the forwarder but a user should know (an unsupported promiscuous mode...). */
    public List<String> warnings()
    {
        return warnings;
    }
}
