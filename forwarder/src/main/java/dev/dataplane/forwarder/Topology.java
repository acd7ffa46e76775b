package dev.dataplane.forwarder;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.ToLongFunction;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthDevInfo;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import dev.dataplane.forwarder.rules.flow.FlowCache;
import dev.dataplane.forwarder.rules.lang.Rule;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.forwarder.rules.lang.Verdict;
import dev.dataplane.runtime.PortSet;

/**
 * Where the forwarder's work goes, planned from the context and what EAL found (the selected ports' infos, the
 * worker lcores, hugepages, the heap) before anything is set up: how the rules run; how many worker lcores receive,
 * run the pipeline's stages and send; each port's queues and checksum offloads; the pool's size. Every check that
 * refuses a configuration the ports or lcores cannot take is made here, so the plan is tested without EAL.
 * <p>
 * Streams: with a forward mode, one per direction and RX queue (ports pair 0&lt;-&gt;1, 2&lt;-&gt;3...); with rules,
 * one per RX queue of each port, stream {@code i} on port {@code ports[i % ports.length]}, queue
 * {@code i / ports.length}. Run to completion puts one stream per lcore at most, every lcore receiving and sending;
 * the pipeline gives the smaller half of the lcores to receiving, the larger to the stages, and its TX stages to the
 * RX or the stage lcores ({@link PipelineTxLcore}).
 *
 * @param ports              the forwarded ports, in pair order.
 * @param runMode            how the rules run (a forward mode always runs to completion).
 * @param pipelineTx         which lcores send in the pipeline; null when it runs to completion.
 * @param rxLcores           worker lcores that receive (the first ones).
 * @param stageLcores        worker lcores that run the pipeline's rules stages (after the RX lcores); 0 otherwise.
 * @param txQueues           TX queues per port that lcores own.
 * @param rxChecksumOffloads per port id, the RX checksum offloads enabled ({@code EthDevInfo.RX_OFFLOAD_*}).
 * @param txChecksumOffloads per port id, the TX checksum offloads rewritten frames use ({@code TX_OFFLOAD_*}).
 * @param poolSize           mbufs in the pool.
 * @param warnings           what does not stop the forwarder but a user should know.
 */
public record Topology(int[] ports, RunMode runMode, PipelineTxLcore pipelineTx, int rxLcores, int stageLcores,
    int txQueues, long[] rxChecksumOffloads, long[] txChecksumOffloads, int poolSize, List<String> warnings)
{
    private static final long TX_CHECKSUMS = EthDevInfo.TX_OFFLOAD_IPV4_CKSUM | EthDevInfo.TX_OFFLOAD_UDP_CKSUM |
        EthDevInfo.TX_OFFLOAD_TCP_CKSUM;
    private static final long RX_CHECKSUMS = EthDevInfo.RX_OFFLOAD_IPV4_CKSUM | EthDevInfo.RX_OFFLOAD_UDP_CKSUM |
        EthDevInfo.RX_OFFLOAD_TCP_CKSUM;

    /**
     * Plans the forwarder.
     *
     * @param context      the validated context.
     * @param ports        the selected ports' infos, in pair order.
     * @param workers      EAL's worker lcores.
     * @param hugepages    whether EAL runs on hugepages (the pipeline's TX default depends on it).
     * @param heapBytes    the JVM's largest heap, which the flow caches come out of.
     * @throws IllegalArgumentException for a configuration the ports or lcores cannot take.
     */
    public static Topology plan(final ForwarderContext context, final Map<Integer, EthDevInfo> ports,
        final int workers, final boolean hugepages, final long heapBytes)
    {
        final int[] ids = ports.keySet().stream().mapToInt(Integer::intValue).toArray();
        if (ids.length % 2 != 0)
        {
            throw new IllegalArgumentException("forwarding pairs ports (0<->1, 2<->3...), so it needs an even number" +
                " of them; " + ids.length + " selected: " + Arrays.toString(ids));
        }
        if (0 == workers)
        {
            throw new IllegalArgumentException(
                "forwarding needs a worker lcore besides the main one: give EAL two or more lcores, e.g. -l 0,1");
        }
        if (context.forwardingCores() > workers)
        {
            throw new IllegalArgumentException("--nb-cores " + context.forwardingCores() + " exceeds the " +
                workers + " worker lcore(s) EAL has");
        }
        final RuleSet rules = context.rules();
        final int rxQueues = context.rxQueues();
        final int streams = ids.length * rxQueues;
        final int available = 0 == context.forwardingCores() ? workers : context.forwardingCores();
        final RunMode runMode = null == rules ? RunMode.RUN_TO_COMPLETION :
            null != context.runMode() ? context.runMode() : RunMode.DEFAULT;
        if (null != context.pipelineTx() && RunMode.PIPELINE != runMode)
        {
            throw new IllegalArgumentException("--pipeline-tx applies to the pipeline run mode; the rules run to " +
                "completion here (give --run-mode pipeline)");
        }
        if (null != rules)
        {
            final long cacheBytes = (long)streams * context.flowCacheEntries() * FlowCache.ENTRY_BYTES;
            if (cacheBytes > heapBytes / 2)
            {
                throw new IllegalArgumentException("--flow-cache " + context.flowCacheEntries() + " on " + streams +
                    " RX queue(s) needs " + (cacheBytes >> 20) + " MiB, more than half the JVM's heap (" +
                    (heapBytes >> 20) + " MiB); give fewer entries");
            }
            checkRedirects(rules, ids);
        }
        final PipelineTxLcore pipelineTx = RunMode.PIPELINE != runMode ? null :
            null != context.pipelineTx() ? context.pipelineTx() : PipelineTxLcore.defaultFor(hugepages);
        final int rxLcores;
        final int stageLcores;
        if (RunMode.RUN_TO_COMPLETION == runMode)
        {
            rxLcores = Math.min(streams, available);
            stageLcores = 0;
        }
        else
        {
            if (available < 2)
            {
                throw new IllegalArgumentException("--run-mode pipeline needs two worker lcores or more (one to " +
                    "receive, one for the stages); EAL has " + available + ": give e.g. -l 0-2, or --lcores " +
                    "'0@0,1@1,2@0' to share CPUs (slower), or use --run-mode run-to-completion");
            }
            rxLcores = Math.max(1, Math.min(streams, available / 2));
            stageLcores = Math.min(streams, available - rxLcores);
        }
        // Rules may send out of any port, so each lcore that transmits owns a queue on every port; a forward mode's
        // stream sends on the queue numbered as its RX queue, which only it uses.
        final int txQueues = null == rules ? rxQueues : PipelineTxLcore.STAGE == pipelineTx ? stageLcores : rxLcores;
        final List<String> warnings = new ArrayList<>();
        for (final Map.Entry<Integer, EthDevInfo> entry : ports.entrySet())
        {
            checkPort(entry.getKey(), entry.getValue(), context, txQueues, warnings);
        }
        // Rewritten frames leave their checksums to the ports that can compute them, and the checksums' verdicts are
        // taken from the ports that check them on receive (rules only: the forward modes look at no IP or L4 field).
        final long[] txOffloads = offloads(ports, null != rules && context.txChecksumOffload(),
            EthDevInfo::txOffloadCapabilities, TX_CHECKSUMS);
        final long[] rxOffloads = offloads(ports, null != rules && context.packetChecks().rxChecksumOffload(),
            EthDevInfo::rxOffloadCapabilities, RX_CHECKSUMS);
        final int ringSlots = RunMode.PIPELINE == runMode ? streams * context.ringBursts() * context.burst() : 0;
        final int poolLcores = rxLcores + stageLcores;
        final long needed = context.mbufsNeeded(ids.length, txQueues, poolLcores, ringSlots);
        final int poolSize = context.poolSize(ids.length, txQueues, poolLcores, ringSlots);
        if (poolSize < needed)
        {
            warnings.add("--mbufs " + poolSize + " is fewer than the " + needed + " that every ring and cache " +
                "can hold (" + ids.length + " ports x (" + rxQueues + " RX x " + context.rxDescriptors() + " + " +
                txQueues + " TX x " + context.txDescriptors() + " descriptors), " + poolLcores + " lcores' caches " +
                "and bursts" + (ringSlots > 0 ? ", " + ringSlots + " pipeline ring slots" : "") +
                "): RX may run out of mbufs (rx-nombuf)");
        }
        return new Topology(ids, runMode, pipelineTx, rxLcores, stageLcores, txQueues, rxOffloads, txOffloads, poolSize,
            List.copyOf(warnings));
    }

    private static void checkPort(final int port, final EthDevInfo info, final ForwarderContext context,
        final int txQueues, final List<String> warnings)
    {
        final String rx = info.checkRxDescriptors(context.rxDescriptors());
        final String tx = info.checkTxDescriptors(context.txDescriptors());
        if (null != rx || null != tx)
        {
            throw new IllegalArgumentException("port " + port + " (" + info.driverName() + "): " +
                (null != rx ? rx : tx));
        }
        final int rxQueues = context.rxQueues();
        if (rxQueues > info.maxRxQueues() || txQueues > info.maxTxQueues())
        {
            throw new IllegalArgumentException("port " + port + " (" + info.driverName() + ") has at most " +
                info.maxRxQueues() + " RX and " + info.maxTxQueues() + " TX queues; this layout needs " +
                rxQueues + " RX (--rxq) and " + txQueues + " TX");
        }
        if (rxQueues > 1 && 0 == (info.rssOffloads() & EthDev.RSS_IP_UDP_TCP))
        {
            warnings.add("port " + port + " (" + info.driverName() + ") offers no RSS: its " + rxQueues +
                " RX queues receive what the driver puts in each, not flows spread by hash");
        }
    }

    /** Redirects must name forwarded ports: they are the ones with a TX queue for every lcore. */
    public static void checkRedirects(final RuleSet ruleSet, final int[] ports)
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

    /** Per port id, the offloads among {@code wanted} each port offers, or none anywhere when not {@code enabled}. */
    private static long[] offloads(final Map<Integer, EthDevInfo> ports, final boolean enabled,
        final ToLongFunction<EthDevInfo> capabilities, final long wanted)
    {
        final long[] offloads = new long[EthDev.MAX_PORTS];
        if (enabled)
        {
            ports.forEach((port, info) -> offloads[port] = capabilities.applyAsLong(info) & wanted);
        }
        return offloads;
    }

    /** The worker lcores the pollers run on. */
    public int lcores()
    {
        return rxLcores + stageLcores;
    }

    /** The lcores that send: each has a transmitter with a TX queue of its own on every port. */
    public int txLcores()
    {
        return PipelineTxLcore.STAGE == pipelineTx ? stageLcores : rxLcores;
    }

    /** The index of the first of them among the worker lcores. */
    public int firstTxLcore()
    {
        return PipelineTxLcore.STAGE == pipelineTx ? rxLcores : 0;
    }

    /**
     * How each port is set up. Some drivers (net_tap) insist on as many TX queues as RX queues, as testpmd configures
     * them by default: that many are configured where the port has them; the ones no lcore owns stay unused.
     */
    public List<PortSet.PortSetup> portSetups(final ForwarderContext context, final Map<Integer, EthDevInfo> infos,
        final Mempool pool)
    {
        final List<PortSet.PortSetup> setups = new ArrayList<>();
        for (final int port : ports)
        {
            final int rxQueues = context.rxQueues();
            setups.add(new PortSet.PortSetup(port, rxQueues,
                Math.max(txQueues, Math.min(rxQueues, infos.get(port).maxTxQueues())), context.rxDescriptors(),
                context.txDescriptors(), pool, rxChecksumOffloads[port], txChecksumOffloads[port], 0,
                context.promiscuous()));
        }
        return setups;
    }
}
