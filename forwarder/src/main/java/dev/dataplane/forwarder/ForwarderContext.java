package dev.dataplane.forwarder;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import dev.dataplane.forwarder.engine.ForwardMode;
import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import dev.dataplane.forwarder.rules.PacketChecks;
import dev.dataplane.forwarder.conntrack.ConnTrackConfig;
import dev.dataplane.forwarder.rules.flow.FlowCache;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.runtime.Burst;
import dev.dataplane.runtime.RunOptions;
import dev.dataplane.runtime.StatsFormat;

/**
 * The forwarder's configuration: defaults as named constants, validated once by {@link Builder#build()} before
 * anything starts (and against the ports by {@link Forwarder#create}). The CLI only fills the builder.
 */
public final class ForwarderContext
{
    /** Ring sizes that absorb a scheduling hiccup of a few tens of microseconds at line rate. */
    public static final int DEFAULT_RX_DESCRIPTORS = 1024;
    public static final int DEFAULT_TX_DESCRIPTORS = 1024;
    /** Per-lcore mempool cache: testpmd's default (250), rounded to what DPDK likes (a divisor of the pool). */
    public static final int DEFAULT_MBUF_CACHE = 256;
    /** Smallest pool: 2^13 - 1, DPDK's sweet spot for a ring-backed mempool. */
    public static final int MIN_AUTO_MBUFS = 8191;
    /** Pipeline ring slots per RX queue: as deep as the RX descriptor ring, so a stage hiccup costs no more. */
    public static final int DEFAULT_RING_SIZE = 1024;
    /** RX queues per port: one, unless RSS is asked for with --rxq. */
    public static final int DEFAULT_RX_QUEUES = 1;
    public static final int MAX_RX_QUEUES = 16;

    private final long portmask;
    private final int burst;
    private final ForwardMode forwardMode;
    private final double statsPeriodSeconds;
    private final StatsFormat statsFormat;
    private final double durationSeconds;
    private final int rxDescriptors;
    private final int txDescriptors;
    private final int mbufs;
    private final int mbufCache;
    private final boolean promiscuous;
    private final int forwardingCores;
    private final Map<Integer, Long> peerMacs;
    private final RuleSet rules;
    private final RunMode runMode;
    private final PipelineTxLcore pipelineTx;
    private final int ringSize;
    private final int flowCacheEntries;
    private final int rxQueues;
    private final boolean txChecksumOffload;
    private final PacketChecks packetChecks;
    private final ConnTrackConfig connTrack;

    private ForwarderContext(final Builder builder)
    {
        this.portmask = builder.portmask;
        this.burst = builder.burst;
        this.forwardMode = builder.forwardMode;
        this.statsPeriodSeconds = builder.statsPeriodSeconds;
        this.statsFormat = builder.statsFormat;
        this.durationSeconds = builder.durationSeconds;
        this.rxDescriptors = builder.rxDescriptors;
        this.txDescriptors = builder.txDescriptors;
        this.mbufs = builder.mbufs;
        this.mbufCache = builder.mbufCache;
        this.promiscuous = builder.promiscuous;
        this.forwardingCores = builder.forwardingCores;
        this.peerMacs = Map.copyOf(builder.peerMacs);
        this.rules = builder.rules;
        this.runMode = builder.runMode;
        this.pipelineTx = builder.pipelineTx;
        this.ringSize = builder.ringSize;
        this.flowCacheEntries = builder.flowCacheEntries;
        this.rxQueues = builder.rxQueues;
        this.txChecksumOffload = builder.txChecksumOffload;
        this.packetChecks = builder.packetChecks;
        this.connTrack = builder.connTrack;
    }

    public static Builder builder()
    {
        return new Builder();
    }

    /** Ports to forward between, one bit per port id; 0 means every port EAL found. */
    public long portmask()
    {
        return portmask;
    }

    public int burst()
    {
        return burst;
    }

    public ForwardMode forwardMode()
    {
        return forwardMode;
    }

    /** What the stats call the mode: {@code rules} with a rules file, else the forward mode's name. */
    public String modeName()
    {
        return null != rules ? "rules" : forwardMode.cliName();
    }

    /** Seconds between statistics lines; 0 prints only the summary. */
    public double statsPeriodSeconds()
    {
        return statsPeriodSeconds;
    }

    public StatsFormat statsFormat()
    {
        return statsFormat;
    }

    /** Seconds to run; 0 runs until SIGINT or SIGTERM. */
    public double durationSeconds()
    {
        return durationSeconds;
    }

    public int rxDescriptors()
    {
        return rxDescriptors;
    }

    public int txDescriptors()
    {
        return txDescriptors;
    }

    /** Mbufs in the pool; 0 sizes it from ports, rings, lcores and caches. */
    public int mbufs()
    {
        return mbufs;
    }

    public int mbufCache()
    {
        return mbufCache;
    }

    public boolean promiscuous()
    {
        return promiscuous;
    }

    /** Worker lcores to forward on; 0 means all of EAL's workers (at most one per stream). */
    public int forwardingCores()
    {
        return forwardingCores;
    }

    /** The peer MAC of a port for mac mode: set by --eth-peer, else 02:00:00:00:00:{port}, as l2fwd does. */
    public long peerMac(final int port)
    {
        final Long mac = peerMacs.get(port);
        return null != mac ? mac : 0x02_00_00_00_00_00L | (port & 0xFF);
    }

    /** The rules to apply instead of the forward mode, or null. */
    public RuleSet rules()
    {
        return rules;
    }

    /**
     * Mbufs the pool needs: every RX, TX and pipeline ring full, every lcore's cache full and its bursts in flight.
     *
     * @param txRings the TX queues per port that lcores transmit on (the others never hold an mbuf).
     */
    public long mbufsNeeded(final int ports, final int txRings, final int lcores, final int ringSlots)
    {
        return (long)ports * (rxQueues * (long)rxDescriptors + (long)txRings * txDescriptors) + (long)lcores *
            (mbufCache + 2L * burst * ports) + ringSlots;
    }

    /** The pool's size: {@code --mbufs}, or the power of two less one that holds {@link #mbufsNeeded}. */
    public int poolSize(final int ports, final int txRings, final int lcores, final int ringSlots)
    {
        if (0 != mbufs)
        {
            return mbufs;
        }
        final long needed = mbufsNeeded(ports, txRings, lcores, ringSlots);
        int size = MIN_AUTO_MBUFS;
        while (size < needed)
        {
            size = size * 2 + 1;
        }
        return size;
    }

    /** The rules' run mode as asked for, or null for {@link RunMode#DEFAULT the default}. */
    public RunMode runMode()
    {
        return runMode;
    }

    /** The pipeline's TX lcores as asked for, or null for {@link PipelineTxLcore#defaultFor the default}. */
    public PipelineTxLcore pipelineTx()
    {
        return pipelineTx;
    }

    /** Packets a pipeline ring holds per RX queue (a power of two). */
    public int ringSize()
    {
        return ringSize;
    }

    /** Entries of each RX queue's flow cache (a power of two). */
    public int flowCacheEntries()
    {
        return flowCacheEntries;
    }

    /**
     * Slots of a pipeline ring, one burst each: {@link #ringSize} packets in whole bursts, rounded down to a power of
     * two (as the Disruptor needs), at least two so that RX can fill one slot while the stages work on another.
     */
    public int ringBursts()
    {
        return Math.max(2, Integer.highestOneBit(ringSize / burst));
    }

    /** RX queues per port, spread by RSS. */
    public int rxQueues()
    {
        return rxQueues;
    }

    /** Whether rewritten frames leave checksums to ports that offer TX checksum offload. */
    public boolean txChecksumOffload()
    {
        return txChecksumOffload;
    }

    /** With rules: what each frame is checked for, and what becomes of one that fails. */
    public PacketChecks packetChecks()
    {
        return packetChecks;
    }

    /** How connections are tracked, when they are ({@link #tracksConnections}). */
    public ConnTrackConfig connTrack()
    {
        return connTrack;
    }

    /** Whether the rules run stateful: connections tracked, rewrites of addresses and ports bound to them as NAT. */
    public boolean tracksConnections()
    {
        return null != rules && connTrack.enabledFor(rules.needsConnTracking());
    }

    @Override
    public String toString()
    {
        return "portmask=0x" + Long.toHexString(portmask) + " burst=" + burst + " forward-mode=" +
            (null != rules ? "rules(" + rules.source() + ", " + rules.size() + ") flow-cache=" + flowCacheEntries +
                " malformed=" + packetChecks.malformedPolicy() + " verify-l4-checksum=" +
                packetChecks.verifyL4Checksum() + " conntrack=" +
                (tracksConnections() ? "on " + connTrack.describe() : "off") : forwardMode.cliName()) +
            " rxq=" + rxQueues + " rxd=" + rxDescriptors + " txd=" + txDescriptors + " mbuf-cache=" + mbufCache +
            " promiscuous=" + promiscuous + " stats-period=" + statsPeriodSeconds + " duration=" + durationSeconds;
    }

    /** Fills and validates a context. */
    public static final class Builder
    {
        private long portmask;
        private int burst = Burst.DEFAULT;
        private ForwardMode forwardMode = ForwardMode.IO;
        private double statsPeriodSeconds = RunOptions.DEFAULT_STATS_PERIOD_SECONDS;
        private StatsFormat statsFormat = StatsFormat.TEXT;
        private double durationSeconds;
        private int rxDescriptors = DEFAULT_RX_DESCRIPTORS;
        private int txDescriptors = DEFAULT_TX_DESCRIPTORS;
        private int mbufs;
        private int mbufCache = DEFAULT_MBUF_CACHE;
        private boolean promiscuous = true;
        private int forwardingCores;
        private final Map<Integer, Long> peerMacs = new TreeMap<>();
        private RuleSet rules;
        private RunMode runMode;
        private PipelineTxLcore pipelineTx;
        private int ringSize = DEFAULT_RING_SIZE;
        private int flowCacheEntries = FlowCache.DEFAULT_ENTRIES;
        private int rxQueues = DEFAULT_RX_QUEUES;
        private boolean txChecksumOffload = true;
        private PacketChecks packetChecks = PacketChecks.DEFAULT;
        private ConnTrackConfig connTrack = ConnTrackConfig.DEFAULT;

        public Builder portmask(final long portmask)
        {
            this.portmask = portmask;
            return this;
        }

        public Builder burst(final int burst)
        {
            this.burst = burst;
            return this;
        }

        public Builder forwardMode(final ForwardMode forwardMode)
        {
            this.forwardMode = forwardMode;
            return this;
        }

        public Builder statsPeriodSeconds(final double seconds)
        {
            this.statsPeriodSeconds = seconds;
            return this;
        }

        public Builder statsFormat(final StatsFormat statsFormat)
        {
            this.statsFormat = statsFormat;
            return this;
        }

        public Builder durationSeconds(final double seconds)
        {
            this.durationSeconds = seconds;
            return this;
        }

        public Builder rxDescriptors(final int rxDescriptors)
        {
            this.rxDescriptors = rxDescriptors;
            return this;
        }

        public Builder txDescriptors(final int txDescriptors)
        {
            this.txDescriptors = txDescriptors;
            return this;
        }

        public Builder mbufs(final int mbufs)
        {
            this.mbufs = mbufs;
            return this;
        }

        public Builder mbufCache(final int mbufCache)
        {
            this.mbufCache = mbufCache;
            return this;
        }

        public Builder promiscuous(final boolean promiscuous)
        {
            this.promiscuous = promiscuous;
            return this;
        }

        public Builder forwardingCores(final int forwardingCores)
        {
            this.forwardingCores = forwardingCores;
            return this;
        }

        public Builder peerMac(final int port, final long mac)
        {
            this.peerMacs.put(port, mac);
            return this;
        }

        /** Run-to-completion or pipeline for the rules; null for the default from the lcore count. */
        public Builder runMode(final RunMode runMode)
        {
            this.runMode = runMode;
            return this;
        }

        /** Which lcores run the pipeline's TX stage; null for the default from EAL's pages. */
        public Builder pipelineTx(final PipelineTxLcore pipelineTx)
        {
            this.pipelineTx = pipelineTx;
            return this;
        }

        public Builder flowCacheEntries(final int flowCacheEntries)
        {
            this.flowCacheEntries = flowCacheEntries;
            return this;
        }

        public Builder ringSize(final int ringSize)
        {
            this.ringSize = ringSize;
            return this;
        }

        public Builder rxQueues(final int rxQueues)
        {
            this.rxQueues = rxQueues;
            return this;
        }

        public Builder txChecksumOffload(final boolean txChecksumOffload)
        {
            this.txChecksumOffload = txChecksumOffload;
            return this;
        }

        public Builder packetChecks(final PacketChecks packetChecks)
        {
            this.packetChecks = Objects.requireNonNull(packetChecks);
            return this;
        }

        /** Connection tracking, with rules. */
        public Builder connTrack(final ConnTrackConfig connTrack)
        {
            this.connTrack = Objects.requireNonNull(connTrack);
            return this;
        }

        /** Rules to apply: they replace the forward mode. */
        public Builder rules(final RuleSet rules)
        {
            this.rules = rules;
            return this;
        }

        /**
         * Validates and freezes.
         *
         * @throws IllegalArgumentException naming the first bad setting.
         */
        public ForwarderContext build()
        {
            RunOptions.checkBurst(burst);
            RunOptions.checkStatsPeriod(statsPeriodSeconds);
            RunOptions.checkDuration(durationSeconds);
            require(Integer.bitCount(rxDescriptors) == 1 && rxDescriptors >= 8 && rxDescriptors <= 32768,
                "--rxd must be a power of two in 8..32768: " + rxDescriptors);
            require(Integer.bitCount(txDescriptors) == 1 && txDescriptors >= 8 && txDescriptors <= 32768,
                "--txd must be a power of two in 8..32768: " + txDescriptors);
            require(burst <= rxDescriptors, "--burst " + burst + " exceeds --rxd " + rxDescriptors);
            require(mbufCache >= 0 && mbufCache <= 512, "--mbuf-cache must be in 0..512: " + mbufCache);
            require(0 == mbufs || (mbufs >= 1023 && mbufs <= 16_777_215),
                "--mbufs must be 0 (automatic) or in 1023..16777215: " + mbufs);
            require(forwardingCores >= 0, "--nb-cores must be >= 0: " + forwardingCores);
            require(Integer.bitCount(ringSize) == 1 && ringSize >= burst && ringSize <= 65536,
                "--ring-size must be a power of two in --burst.." + 65536 + ": " + ringSize);
            require(FlowCache.isValidSize(flowCacheEntries),
                "--flow-cache must be " + FlowCache.SIZE_RULE + ": " + flowCacheEntries);
            require(FlowCache.DEFAULT_ENTRIES == flowCacheEntries || null != rules, "--flow-cache applies to --rules");
            require(rxQueues >= 1 && rxQueues <= MAX_RX_QUEUES,
                "--rxq must be in 1.." + MAX_RX_QUEUES + ": " + rxQueues);
            require(null == runMode || null != rules,
                "--run-mode applies to --rules; the forward modes always run to completion");
            require(null == pipelineTx || null != rules, "--pipeline-tx applies to --rules in the pipeline run mode");
            require(ConnTrackConfig.DEFAULT.equals(connTrack) || null != rules,
                "--conntrack, --max-flows, --ct-liberal and --ct-timeout apply to --rules");
            require(null == rules || ConnTrackConfig.Mode.OFF != connTrack.mode() || !rules.requiresConnTracking(),
                "the rules match ct-state or translate with dnat, snat or masquerade, which need connection " +
                    "tracking: drop --conntrack off");
            require(portmask >= 0, "--portmask must be a non-negative hex mask: " + Long.toHexString(portmask));
            return new ForwarderContext(this);
        }

        private static void require(final boolean condition, final String message)
        {
            if (!condition)
            {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
