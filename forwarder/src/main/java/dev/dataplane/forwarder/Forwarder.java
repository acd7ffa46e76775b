package dev.dataplane.forwarder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.IntUnaryOperator;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.RingBuffer;
import dev.dataplane.dpdk.DpdkException;
import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthDevInfo;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.forwarder.conntrack.ConnCounter;
import dev.dataplane.forwarder.conntrack.ConnListing;
import dev.dataplane.forwarder.conntrack.ConnOwners;
import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.forwarder.conntrack.Handoff;
import dev.dataplane.forwarder.engine.ForwardingEngine;
import dev.dataplane.forwarder.pipeline.BurstEvent;
import dev.dataplane.forwarder.pipeline.PipelineRules;
import dev.dataplane.forwarder.pipeline.PipelineRx;
import dev.dataplane.forwarder.pipeline.PipelineTx;
import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import dev.dataplane.forwarder.rtc.ForwardingStream;
import dev.dataplane.forwarder.rtc.HandoffStream;
import dev.dataplane.forwarder.rtc.RuleStream;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.RulesSource;
import dev.dataplane.forwarder.rules.RulesState;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.net.HashSeed;
import dev.dataplane.runtime.LcoreGroup;
import dev.dataplane.runtime.LcoreTransmitter;
import dev.dataplane.runtime.Poller;
import dev.dataplane.runtime.PollingLcore;
import dev.dataplane.runtime.PortSet;

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
    /** Bursts each handoff ring between two lcores holds. */
    private static final int HANDOFF_RING_BURSTS = 64;

    private final ForwarderContext context;
    private final Topology topology;
    private final PortSet portSet;
    private final Mempool pool;
    private final List<ForwardingStream> streams;
    private final List<RulesProcessor> processors;
    /** One per lcore that runs the rules, when connections are tracked (else empty). */
    private final List<ConnTracker> trackers;
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
    /** The bursts {@link RulesWarmUp} ran before the ports started (0: none, not a rules mode). */
    private final int warmUpBursts;
    private boolean closed;
    private long drainedAtStop;
    private long ringDrainedAtStop;

    private Forwarder(final ForwarderContext context, final Topology topology, final PortSet portSet,
        final Mempool pool, final Parts parts, final List<PollingLcore> lcores, final List<String> warnings,
        final int warmUpBursts)
    {
        this.context = context;
        this.topology = topology;
        this.portSet = portSet;
        this.pool = pool;
        this.streams = List.copyOf(parts.streams);
        this.processors = List.copyOf(parts.processors);
        this.trackers = List.copyOf(parts.trackers);
        this.pipelineRx = List.copyOf(parts.pipelineRx);
        this.transmitters = List.copyOf(parts.transmitters);
        this.receivers = List.copyOf(parts.receivers);
        this.txStages = List.copyOf(parts.txStages);
        this.rulesSource = parts.rulesSource;
        this.lcores = List.copyOf(lcores);
        this.warnings = List.copyOf(warnings);
        this.warmUpBursts = warmUpBursts;
    }

    /**
     * Plans the forwarder against EAL's ports and lcores ({@link Topology}), then creates the pool, starts the
     * ports ({@link PortSet}) and builds the pollers. Nothing runs yet.
     *
     * @throws IllegalArgumentException for a configuration the ports or lcores cannot take.
     * @throws DpdkException when DPDK refuses a setup call.
     */
    public static Forwarder create(final Eal eal, final ForwarderContext context)
    {
        final Map<Integer, EthDevInfo> infos = new LinkedHashMap<>();
        for (final int port : selectPorts(context.portmask()))
        {
            infos.put(port, EthDev.info(port));
        }
        final List<Integer> workers = eal.workerLcores();
        final Topology topology = Topology.plan(context, infos, workers.size(), eal.hasHugepages(),
            Runtime.getRuntime().maxMemory());
        final List<String> warnings = new ArrayList<>(topology.warnings());
        final CompiledRules rules = null == context.rules() ? null : new CompiledRules(context.rules());
        int warmUpBursts = 0;
        if (null != rules)
        {
            // Before the ports start, so that nothing waits in their queues meanwhile.
            try
            {
                warmUpBursts = RulesWarmUp.run(eal, context, topology, rules);
            }
            catch (final RuntimeException ex)
            {
                warnings.add("the rules path's warm-up did not run (" + ex.getMessage() + "): the first packets " +
                    "wait while it compiles");
            }
        }
        final Mempool pool = Mempool.createPktmbufPool("fwd_pool", topology.poolSize(), context.mbufCache(),
            Mempool.DEFAULT_DATA_ROOM_SIZE, eal.socketId());
        final PortSet portSet = PortSet.start(List.of(pool), topology.portSetups(context, infos, pool), warnings);
        final Parts parts = new Parts();
        try
        {
            if (null == rules)
            {
                forwardModeParts(parts, context, topology);
            }
            else
            {
                rulesParts(parts, context, topology, rules, eal);
            }
        }
        catch (final RuntimeException | OutOfMemoryError ex)
        {
            parts.closeTrackers();
            portSet.close();
            throw ex;
        }
        final List<PollingLcore> lcores = new ArrayList<>();
        for (int l = 0; l < parts.perLcore.size(); l++)
        {
            lcores.add(new PollingLcore("forwarder", workers.get(l), parts.perLcore.get(l).toArray(new Poller[0])));
        }
        return new Forwarder(context, topology, portSet, pool, parts, lcores, warnings, warmUpBursts);
    }

    /** A forward mode's streams: one per direction and RX queue, spread over the RX lcores. */
    private static void forwardModeParts(final Parts parts, final ForwarderContext context, final Topology topology)
    {
        final int[] ports = topology.ports();
        for (int i = 0; i < ports.length; i += 2)
        {
            for (int queue = 0; queue < context.rxQueues(); queue++)
            {
                parts.streams.add(newStream(context, ports[i], ports[i + 1], queue));
                parts.streams.add(newStream(context, ports[i + 1], ports[i], queue));
            }
        }
        parts.assign(parts.streams, topology.rxLcores(), 0);
        parts.receivers.addAll(parts.streams);
    }

    /**
     * The rules' pollers: a processor per RX queue of each port, run to completion by a rule stream with its lcore's
     * transmitter, or as a pipeline (a ring per RX queue, its RX side on an RX lcore, its rules stage on a stage
     * lcore, its TX stage with the transmitter of an lcore that sends). With connections tracked, each lcore that runs
     * the rules has one tracker for all its processors, and both ports of a pair share an lcore for each RX queue.
     * When a pair's RX queues run on several lcores (run to completion), those lcores share its connections by
     * {@link ConnOwners}, and each has a {@link HandoffStream} for the packets the others hand it: every connection is
     * held by one lcore, which sees both its directions.
     */
    private static void rulesParts(final Parts parts, final ForwarderContext context, final Topology topology,
        final CompiledRules rules, final Eal eal)
    {
        final int[] ports = topology.ports();
        final boolean rtc = RunMode.RUN_TO_COMPLETION == topology.runMode();
        final int ruleLcores = rtc ? topology.rxLcores() : topology.stageLcores();
        final boolean tracked = context.tracksConnections();
        if (tracked && !rtc && context.rxQueues() > 1 && ruleLcores > 1)
        {
            throw new IllegalArgumentException("connection tracking over " + context.rxQueues() + " RX queues on " +
                ruleLcores + " stage lcores: a connection's packets are handed to the lcore that holds it only when " +
                "run to completion; use --run-mode rtc, or --rxq 1");
        }
        // Stream i's lcore among those that run the rules: with tracking, by its queue and port pair.
        final IntUnaryOperator ruleLcoreOf = i -> tracked ?
            ((i / ports.length) * (ports.length / 2) + (i % ports.length) / 2) % ruleLcores : i % ruleLcores;
        final ConnTracker[] trackers = new ConnTracker[ruleLcores];
        final int streamCount = ports.length * context.rxQueues();
        parts.rulesSource = new RulesSource(new RulesState(rules, 1, streamCount));
        final int transmitting = topology.txLcores();
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
            final int ruleLcore = ruleLcoreOf.applyAsInt(i);
            if (tracked && null == trackers[ruleLcore])
            {
                trackers[ruleLcore] = context.connTrack().newTracker(eal);
                // Run to completion, the stream sends what the tracker gives back; the pipeline's stage cannot.
                trackers[ruleLcore].holdFragments(rtc);
                parts.trackers.add(trackers[ruleLcore]);
            }
            final RulesProcessor processor = new RulesProcessor(port, ports[(i % ports.length) ^ 1], i,
                parts.rulesSource, topology.txChecksumOffloads(), context.flowCacheEntries(),
                topology.rxChecksumOffloads()[port], context.packetChecks(), trackers[ruleLcore]);
            parts.processors.add(processor);
            // Run to completion, a stream sends with its own lcore's transmitter (its TX queue).
            final LcoreTransmitter transmitter = parts.transmitters.get(rtc ? ruleLcore : i % transmitting);
            if (RunMode.RUN_TO_COMPLETION == topology.runMode())
            {
                rx.add(new RuleStream(queue, context.burst(), processor, transmitter));
                continue;
            }
            final int burst = context.burst();
            final RingBuffer<BurstEvent> ring = RingBuffer.createSingleProducer(() -> new BurstEvent(burst),
                context.ringBursts(), new BusySpinWaitStrategy());
            final PipelineRx pipelineRx = new PipelineRx(port, queue, burst, ring);
            parts.pipelineRx.add(pipelineRx);
            rx.add(pipelineRx);
            final PipelineRules stage = new PipelineRules(ring, processor);
            stages.add(stage);
            tx.add(new PipelineTx(ring, port, stage.sequence(), transmitter, burst));
        }
        if (rtc)
        {
            parts.assign(rx, topology.rxLcores(), 0, ruleLcoreOf);
            if (tracked)
            {
                shareConnections(parts, ports.length / 2, ruleLcores, ruleLcoreOf, context.burst());
            }
        }
        else
        {
            parts.assign(rx, topology.rxLcores(), 0);
            parts.assign(stages, topology.stageLcores(), topology.rxLcores(), ruleLcoreOf);
        }
        parts.receivers.addAll(rx);
        parts.assign(tx, transmitting, topology.firstTxLcore());
        parts.txStages.addAll(tx);
    }

    /**
     * Where a pair's RX queues run on several lcores, makes those lcores share its connections ({@link ConnOwners},
     * drawn from the process's seed), with one {@link Handoff} among all the rule lcores and a {@link HandoffStream}
     * on each that shares any.
     */
    private static void shareConnections(final Parts parts, final int pairs, final int ruleLcores,
        final IntUnaryOperator ruleLcoreOf, final int burst)
    {
        final List<RulesProcessor> processors = parts.processors;
        final int streams = processors.size();
        Handoff handoff = null;
        final List<List<RulesProcessor>> sharing = new ArrayList<>();
        for (int l = 0; l < ruleLcores; l++)
        {
            sharing.add(new ArrayList<>());
        }
        for (int pair = 0; pair < pairs; pair++)
        {
            // Stream i is port (i % ports) of queue (i / ports): a pair's streams are 2 * pair (+1) of each queue.
            final TreeSet<Integer> lcores = new TreeSet<>();
            for (int i = 2 * pair; i < streams; i += 2 * pairs)
            {
                lcores.add(ruleLcoreOf.applyAsInt(i));
            }
            if (lcores.size() < 2)
            {
                continue;
            }
            if (null == handoff)
            {
                handoff = new Handoff(ruleLcores, HANDOFF_RING_BURSTS * burst);
            }
            final int[] lcoreOfOwner = lcores.stream().mapToInt(Integer::intValue).toArray();
            final ConnOwners owners = new ConnOwners(lcoreOfOwner.length, HashSeed.PROCESS);
            for (int i = 2 * pair; i < streams; i += 2 * pairs)
            {
                for (int side = 0; side < 2; side++)
                {
                    final int lcore = ruleLcoreOf.applyAsInt(i + side);
                    processors.get(i + side).shareConnections(owners, Arrays.binarySearch(lcoreOfOwner, lcore),
                        handoff, lcoreOfOwner);
                    sharing.get(lcore).add(processors.get(i + side));
                }
            }
        }
        final List<Poller> handoffStreams = new ArrayList<>();
        final List<Integer> lcoreOfStream = new ArrayList<>();
        for (int l = 0; l < ruleLcores; l++)
        {
            if (!sharing.get(l).isEmpty())
            {
                handoffStreams.add(new HandoffStream(handoff, l, burst, sharing.get(l), parts.transmitters.get(l)));
                lcoreOfStream.add(l);
            }
        }
        parts.assign(handoffStreams, ruleLcores, 0, lcoreOfStream::get);
        parts.receivers.addAll(handoffStreams);
    }

    /** What {@link #create} assembles: the pollers by kind, and the pollers of each lcore. */
    private static final class Parts
    {
        final List<ForwardingStream> streams = new ArrayList<>();
        final List<RulesProcessor> processors = new ArrayList<>();
        final List<ConnTracker> trackers = new ArrayList<>();
        final List<PipelineRx> pipelineRx = new ArrayList<>();
        final List<LcoreTransmitter> transmitters = new ArrayList<>();
        final List<Poller> receivers = new ArrayList<>();
        final List<PipelineTx> txStages = new ArrayList<>();
        final List<List<Poller>> perLcore = new ArrayList<>();
        RulesSource rulesSource;

        /** Deals {@code work} round-robin over {@code count} lcores, the first of them {@code first}. */
        void assign(final List<? extends Poller> work, final int count, final int first)
        {
            assign(work, count, first, i -> i % count);
        }

        /** Puts work {@code i} on lcore {@code first + lcoreOf(i)} of {@code count}. */
        void assign(final List<? extends Poller> work, final int count, final int first,
            final IntUnaryOperator lcoreOf)
        {
            for (int l = perLcore.size(); l < first + count; l++)
            {
                perLcore.add(new ArrayList<>());
            }
            for (int i = 0; i < work.size(); i++)
            {
                perLcore.get(first + lcoreOf.applyAsInt(i)).add(work.get(i));
            }
        }

        void closeTrackers()
        {
            trackers.forEach(ConnTracker::close);
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
        Topology.checkRedirects(ruleSet, topology.ports());
        if (trackers.isEmpty() && ruleSet.requiresConnTracking())
        {
            throw new IllegalArgumentException("the rules match ct-state or translate with dnat, snat or " +
                "masquerade, but this forwarder tracks no connections (start it with --conntrack on)");
        }
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
        for (final ConnTracker tracker : trackers)
        {
            tracker.freeHeld();
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
            portSet.close();
            trackers.forEach(ConnTracker::close);
        }
    }

    public ForwarderContext context()
    {
        return context;
    }

    /** The forwarded ports, in pair order. */
    public int[] ports()
    {
        return topology.ports().clone();
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
        return portSet.mbufsInUseAtClose();
    }

    public List<ForwardingStream> streams()
    {
        return streams;
    }

    /** The TX checksum offloads ({@code EthDevInfo.TX_OFFLOAD_*}) rewritten frames use on {@code port}; 0: none. */
    public long txChecksumOffloads(final int port)
    {
        return topology.txChecksumOffloads()[port];
    }

    /** How the rules run (a forward mode always runs to completion). */
    public RunMode runMode()
    {
        return topology.runMode();
    }

    /** Which lcores run the pipeline's TX stages; null when the rules run to completion or there are none. */
    public PipelineTxLcore pipelineTx()
    {
        return topology.pipelineTx();
    }

    /** The plan the forwarder was built to. */
    public Topology topology()
    {
        return topology;
    }

    /**
     * Lists the tracked connections {@code filter} takes, a line each to {@code out} (any thread; see
     * {@link ConnListing} for what a listing of live tables shows).
     *
     * @return the connections listed.
     */
    public int listConnections(final ConnListing filter, final Consumer<String> out)
    {
        final long now = System.currentTimeMillis();
        int listed = 0;
        for (final ConnTracker tracker : trackers)
        {
            listed += filter.list(tracker, now, out);
        }
        return listed;
    }

    /**
     * Removes every tracked connection: each lcore flushes its own table at its next poll. Waits for them up to
     * {@code timeoutMillis}.
     *
     * @return the connections removed, or -1 when an lcore did not flush in time.
     */
    public long flushConnections(final long timeoutMillis) throws InterruptedException
    {
        final long before = trackers.stream().mapToLong(t -> t.counters().get(ConnCounter.FLUSHED)).sum();
        final int[] tickets = trackers.stream().mapToInt(ConnTracker::requestFlush).toArray();
        final long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        for (int i = 0; i < tickets.length; i++)
        {
            while (!trackers.get(i).flushDone(tickets[i]))
            {
                if (System.nanoTime() > deadline)
                {
                    return -1;
                }
                Thread.sleep(1);
            }
        }
        return trackers.stream().mapToLong(t -> t.counters().get(ConnCounter.FLUSHED)).sum() - before;
    }

    /** The connection trackers, one per lcore that runs the rules, when connections are tracked (else empty). */
    public List<ConnTracker> trackers()
    {
        return trackers;
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

    /** The bursts the rules path's warm-up ran before the ports started ({@link RulesWarmUp}); 0 when none. */
    public int warmUpBursts()
    {
        return warmUpBursts;
    }

    /** Things that did not stop the forwarder but a user should know (an unsupported promiscuous mode...). */
    public List<String> warnings()
    {
        return warnings;
    }
}
