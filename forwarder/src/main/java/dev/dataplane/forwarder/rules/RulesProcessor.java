package dev.dataplane.forwarder.rules;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.dataplane.dpdk.EthDevInfo;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.forwarder.conntrack.ConnOwners;
import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.forwarder.conntrack.Handoff;
import dev.dataplane.forwarder.rules.classify.Classifier;
import dev.dataplane.forwarder.rules.flow.FlowCache;
import dev.dataplane.forwarder.rules.lang.Nat;
import dev.dataplane.forwarder.rules.lang.Verdict;
import dev.dataplane.forwarder.rules.rewrite.RewriteProgram;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.HashSeed;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.PlainFrame;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.net.UdpHeader;
import dev.dataplane.runtime.Burst;
import dev.dataplane.runtime.CounterDescriptor;
import dev.dataplane.runtime.Counters;
import dev.dataplane.runtime.LcoreTransmitter;

/**
 * The rules applied to the packets of one RX queue, a burst at a time and within it one packet after the other: a
 * plain frame of a cached flow takes the {@link FlowCache}'s fast path; any other is parsed, looked up in the cache
 * or classified (and cached), and rewritten. Each is given the port it leaves by (accept: the paired port; tx: back
 * out of the in-port, MACs swapped; redirect: the named port) or {@link #DROP} (drop, the drop policy, an expired
 * TTL, a malformed frame no rule claims). Every outcome is counted.
 * <p>
 * Every frame is checked as a router checks it before anything looks past Ethernet ({@code PacketView}'s checks,
 * the fast path's included): one that fails matches only {@code malformed} rules, is never rewritten, and without
 * one is dropped (or with {@code --malformed accept} forwarded untouched), counted by reason. Checksums the RX port
 * checked are taken from its word; a rewritten frame's L4 checksum is left to the TX port only when it was known
 * good, so that a frame that came damaged never leaves repaired. The same processor serves run-to-completion
 * ({@code RuleStream}) and the pipeline's rules stage ({@code PipelineRules}): same rules, same results.
 * <p>
 * Used by one thread at a time, in bursts: {@link #beginBurst} picks up a reload, {@link #endBurst} publishes the
 * outcome counters (and the tracker's per-packet counts). Frames are classified on their first segment
 * ({@code data_len}).
 */
public final class RulesProcessor
{
    /** {@link #process} of a packet to free (the flow cache's own word for it, as it records destinations). */
    public static final int DROP = FlowCache.DROP;
    /** {@link #process} of a packet handed to another lcore's processor ({@link Handoff}): neither send nor free it. */
    public static final int TAKEN = LcoreTransmitter.TAKEN;

    /** Outcome counters, by index into {@link #outcome}: {@link RuleOutcome}'s, then malformed frames by kind. */
    public static final int RECEIVED = RuleOutcome.RECEIVED.ordinal();
    public static final int DEFAULT_ACCEPTED = RuleOutcome.DEFAULT_ACCEPTED.ordinal();
    public static final int DEFAULT_DROPPED = RuleOutcome.DEFAULT_DROPPED.ordinal();
    public static final int RULE_DROPPED = RuleOutcome.RULE_DROPPED.ordinal();
    public static final int TTL_EXPIRED = RuleOutcome.TTL_EXPIRED.ordinal();
    public static final int MALFORMED_DROPPED = RuleOutcome.MALFORMED_DROPPED.ordinal();
    public static final int MALFORMED_ACCEPTED = RuleOutcome.MALFORMED_ACCEPTED.ordinal();
    public static final int FRAGMENTS = RuleOutcome.FRAGMENTS.ordinal();
    public static final int CLASSIFIED = RuleOutcome.CLASSIFIED.ordinal();
    public static final int CONN_REFUSED = RuleOutcome.CONN_REFUSED.ordinal();
    public static final int HANDED_OFF = RuleOutcome.HANDED_OFF.ordinal();
    public static final int HANDED_IN = RuleOutcome.HANDED_IN.ordinal();
    /** Malformed frames no rule claimed, by {@code PacketView} verdict (1 and up), start here. */
    private static final int MALFORMED_BY_KIND = RuleOutcome.values().length - 1;
    /** What each outcome counter counts, by index. */
    public static final List<CounterDescriptor> OUTCOMES = outcomeDescriptors();
    public static final int OUTCOME_COUNT = OUTCOMES.size();
    /** Per-rule rows are plain arrays, written by this thread and published by {@link #endBurst}'s release. */
    /**
     * A verdict kept with a connection's direction ({@link ConnTracker#directionWord}): bit 63 set, the rule
     * generation's low 30 bits from bit 33, the RX port from bit 28 (when rules match it), the connection state from
     * bit 24 (what it was decided for), and the rule + 1 (0: the policy) in the low 24 bits.
     */
    private static final long KEPT = 1L << 63;
    private static final long KEPT_RULE_MASK = (1L << 24) - 1;
    private static final int KEPT_SLOW = -1;
    private static final int KEPT_DROP = 0xFFFF;
    private static final int KEPT_PORT_MASK = 0xFFFF;
    private static final int KEPT_SWAP_MACS = 1 << 16;
    /** Multipliers of the keyed hashes that pick a pool's backend and a source port search's start. */
    private static final long POOL_HASH = HashSeed.multiplier(HashSeed.PROCESS, 2) | 1;
    private static final long PORT_HASH = HashSeed.multiplier(HashSeed.PROCESS, 3) | 1;
    private static final VarHandle RULE_COUNTER = MethodHandles.arrayElementVarHandle(long[].class);

    private final int rxPort;
    private final int pairedPort;
    private final int index;
    private final RulesSource source;
    /** Per port id: the TX checksum offloads ({@code EthDevInfo.TX_OFFLOAD_*}) enabled on it; 0 where none. */
    private final long[] txChecksumOffloads;
    /** Some port has a TX checksum offload enabled. */
    private final boolean anyTxChecksumOffload;
    /** The checks {@link PacketView#parse} makes in software (unless the NIC gave its word). */
    private final int parseChecks;
    private final boolean verifyL4Checksum;
    private final boolean acceptMalformed;
    /** The RX port checks checksums: each packet's {@code ol_flags} carry its word. */
    private final boolean readRxChecks;
    /** Every frame may try the fast path, with nothing to read first: no RX word, no L4 checksum to verify. */
    private final boolean fastPathAlways;
    private final PacketView view = new PacketView();
    private final FlowCache flowCache;
    /** The connection tracker of this processor's lcore, shared with its other processors; null: stateless. */
    private final ConnTracker tracker;
    /**
     * When several lcores share connections ({@link #shareConnections}): who owns which, this processor's lcore's
     * owner index, the rings between them and each owner's index among their lcores; else null.
     */
    private ConnOwners owners;
    private int ownerIndex;
    private Handoff handoff;
    private int[] handoffLcores;
    /** The clock of this burst, for the tracker (milliseconds). */
    private long nowMillis;
    /** Verdicts may be kept with connections ({@link CompiledRules#decidesPerConnection}). */
    private boolean keepPerConnection;
    /** A kept verdict's word for this generation and port, without its state and rule. */
    private long keptBase;
    /** Per rule, the next backend of its {@code dnat} pool picked round-robin. */
    private int[] roundRobin;
    /**
     * Per rule + 1 (0: the policy), what becomes of a packet of a connection whose kept verdict is that rule, on the
     * stateful fast path: its port, {@link #KEPT_DROP}, with {@link #KEPT_SWAP_MACS} for tx; or {@link #KEPT_SLOW}
     * when the rule rewrites more than the connection's translation (the packet is parsed).
     */
    private int[] keptOutcomes;
    /** Published once per burst, by {@link #OUTCOMES}. */
    private final Counters outcomes = new Counters(OUTCOMES);
    /** This burst's outcomes so far, by index as {@link #outcomes}. */
    private final int[] pending = new int[OUTCOME_COUNT];
    /** A burst's frame addresses and lengths, for {@link #process(MbufArray, int, int[])}. */
    private final long[] frames = new long[Burst.MAX];
    private final int[] lengths = new int[Burst.MAX];
    /** The count rules the classifier counted for the last frame it classified, for the flow cache. */
    private final int[] countedRules = new int[FlowCache.COUNTED_RULES];
    /** {@link #process(long)}'s burst of one. */
    private final MbufArray one = new MbufArray(1);
    private final int[] oneDestination = new int[1];
    private RulesState state;
    private CompiledRules rules;
    private Classifier classifier;
    private long[] ruleCounters;

    /**
     * @param rxPort     the port the packets arrive on.
     * @param pairedPort where accepted packets leave.
     * @param index      this processor's position among the forwarder's (its counters in each generation).
     * @param source     where the current {@link RulesState} is read, once per burst.
     * @param txChecksumOffloads per port id, the TX checksum offloads enabled on it (0: none).
     * @param flowCacheEntries   the flow cache's size (a power of two, see {@link FlowCache}).
     * @param rxChecksumOffloads the RX checksum offloads enabled on {@code rxPort} (0: none).
     * @param checks             what else to check, and what becomes of a frame that fails.
     */
    public RulesProcessor(final int rxPort, final int pairedPort, final int index, final RulesSource source,
        final long[] txChecksumOffloads, final int flowCacheEntries, final long rxChecksumOffloads,
        final PacketChecks checks)
    {
        this(rxPort, pairedPort, index, source, txChecksumOffloads, flowCacheEntries, rxChecksumOffloads, checks,
            null);
    }

    /**
     * A processor that tracks connections (stateful) when {@code tracker} is not null: then every packet is tracked
     * before it is classified ({@code ct-state} matches its connection's state), a connection's first packet binds
     * the address and port rewrites of the rule that accepts it to the connection as its translation (NAT), and every
     * later packet of it, replies included, is translated from the connection; the flow cache is not used.
     *
     * @param tracker the connection tracker of the lcore this processor runs on (one thread), or null.
     */
    public RulesProcessor(final int rxPort, final int pairedPort, final int index, final RulesSource source,
        final long[] txChecksumOffloads, final int flowCacheEntries, final long rxChecksumOffloads,
        final PacketChecks checks, final ConnTracker tracker)
    {
        this.tracker = tracker;
        this.verifyL4Checksum = checks.verifyL4Checksum();
        this.acceptMalformed = checks.acceptMalformed();
        this.parseChecks = PacketView.ROUTER_CHECKS | (verifyL4Checksum ? PacketView.CHECK_L4_CHECKSUM : 0);
        this.readRxChecks = 0 != rxChecksumOffloads;
        this.fastPathAlways = !readRxChecks && !verifyL4Checksum;
        this.flowCache = new FlowCache(flowCacheEntries);
        this.rxPort = rxPort;
        this.pairedPort = pairedPort;
        this.index = index;
        this.source = source;
        this.txChecksumOffloads = txChecksumOffloads.clone();
        this.anyTxChecksumOffload = Arrays.stream(txChecksumOffloads).anyMatch(offloads -> 0 != offloads);
        adopt(source.get());
    }

    /**
     * Shares this stateful processor's connections with the processors of other lcores, each lcore holding those its
     * {@link ConnOwners} give it: a packet of a connection another lcore holds (or is to create) is handed there
     * through {@code handoff} ({@link #TAKEN}), and what they hand here comes in by {@link #processHandedOff}.
     *
     * @param ownerIndex    this processor's lcore's owner index.
     * @param handoffLcores per owner index, its lcore's index in {@code handoff}.
     */
    public void shareConnections(final ConnOwners owners, final int ownerIndex, final Handoff handoff,
        final int[] handoffLcores)
    {
        if (null == tracker)
        {
            throw new IllegalStateException("a processor that tracks no connections shares none");
        }
        this.owners = owners;
        this.ownerIndex = ownerIndex;
        this.handoff = handoff;
        this.handoffLcores = handoffLcores.clone();
    }

    private void adopt(final RulesState newState)
    {
        state = newState;
        rules = newState.rules();
        classifier = rules.classifier();
        ruleCounters = newState.counters(index);
        keepPerConnection = null != tracker && rules.decidesPerConnection();
        roundRobin = new int[Math.max(1, rules.size())];
        keptOutcomes = new int[rules.size() + 1];
        for (int rule = Classifier.NO_MATCH; rule < rules.size(); rule++)
        {
            final int destination = destinationOf(rule);
            final RewriteProgram program = Classifier.NO_MATCH == rule ? null : rules.program(rule);
            keptOutcomes[rule + 1] = DROP == destination ? KEPT_DROP :
                null != program && !program.withoutTranslation().isEmpty() ? KEPT_SLOW :
                destination | (Classifier.NO_MATCH != rule && Verdict.TX == rules.verdict(rule) ? KEPT_SWAP_MACS : 0);
        }
        // The port is part of what a kept verdict was decided for only when some rule looks at it: else a connection
        // whose direction arrives on two ports (as the benchmarks' replayed flows do) keeps one verdict for both.
        keptBase = KEPT | (newState.generation() & 0x3FFF_FFFFL) << 33 |
            (rules.matchesInPort() ? (long)(rxPort & 31) << 28 : 0);
        flowCache.reset(rules.matchesLength(), rules.matchesTcpFlags());
    }

    /** Starts a burst: a reload published since the last one applies from here on. */
    public void beginBurst()
    {
        final RulesState current = source.get();
        if (current != state)
        {
            adopt(current);
        }
        if (null != tracker)
        {
            nowMillis = System.currentTimeMillis();
            tracker.sweepPaced(nowMillis);
        }
    }

    /**
     * Applies the rules to a burst, one packet after the other: a plain frame of a cached flow takes the flow cache's
     * fast path ({@link FlowCache#forwardPlain}), anything else the full parse. (Not split into a keying pass and a
     * lookup pass as DPDK's bulk hash lookups are: here that cost more than the cache misses it hid.)
     *
     * @param destinations per packet, the port to send it out of, or {@link #DROP} to free it.
     */
    public void process(final MbufArray pkts, final int count, final int[] destinations)
    {
        pkts.frames(count, frames, lengths);
        process(pkts, frames, lengths, count, destinations);
    }

    /**
     * {@link #process(MbufArray, int, int[])} with each frame's address and length already read off its mbuf
     * ({@link MbufArray#frames}).
     */
    public void process(final MbufArray pkts, final long[] frames, final int[] lengths, final int count,
        final int[] destinations)
    {
        final FlowCache flowCache = this.flowCache;
        final long[] ruleCounters = this.ruleCounters;
        final int rxPort = this.rxPort;
        final long elements = pkts.elements();
        Objects.checkFromIndexSize(0, count, Math.min(Math.min(pkts.capacity(), destinations.length),
            Math.min(frames.length, lengths.length)));
        if (null != tracker)
        {
            trackedBurst(elements, frames, lengths, count, destinations, ConnTracker.FROM_QUEUE);
            pending[RECEIVED] += count;
            return;
        }
        if (!fastPathAlways)
        {
            processWithRxChecks(elements, frames, lengths, count, destinations);
            return;
        }
        for (int i = 0; i < count; i++)
        {
            final long frame = frames[i];
            final int length = lengths[i];
            destinations[i] = finish(MbufArray.element(elements, i), frame, length,
                flowCache.forwardPlain(frame, length, rxPort, ruleCounters), 0);
        }
        pending[RECEIVED] += count;
    }

    /**
     * {@link #process(MbufArray, int, int[])} of packets another lcore's processor handed here
     * ({@link #shareConnections}), all as {@code hop} ({@link ConnTracker#AS_REPLY}, {@link ConnTracker#LAST_HOP}):
     * counted as handed in, not received (their RX port counted them once).
     */
    public void processHandedOff(final MbufArray pkts, final int count, final int[] destinations, final int hop)
    {
        Objects.checkFromIndexSize(0, count, Math.min(pkts.capacity(), destinations.length));
        pkts.frames(count, frames, lengths);
        trackedBurst(pkts.elements(), frames, lengths, count, destinations, hop);
        pending[HANDED_IN] += count;
    }

    /**
     * Applies the rules to the held fragments the last burst released ({@link ConnTracker#takeReleased}: later
     * fragments that came before their datagram's first, which has now come), as many as {@code pkts} holds: call
     * after each burst until it gives 0, and send or free them as {@link #process}'s.
     *
     * @return how many are at the start of {@code pkts}, their ports (or {@link #DROP}, {@link #TAKEN}) in
     * {@code destinations}.
     */
    public int processReleased(final MbufArray pkts, final int[] destinations)
    {
        if (null == tracker || 0 == tracker.releasedCount())
        {
            return 0;
        }
        final int count = tracker.takeReleased(pkts);
        Objects.checkFromIndexSize(0, count, destinations.length);
        pkts.frames(count, frames, lengths);
        trackedBurst(pkts.elements(), frames, lengths, count, destinations, ConnTracker.FROM_QUEUE);
        return count;
    }

    private void trackedBurst(final long elements, final long[] frames, final int[] lengths, final int count,
        final int[] destinations, final int hop)
    {
        tracker.route(owners, ownerIndex, hop);
        tracker.lookAhead(frames, lengths, count);
        for (int i = 0; i < count; i++)
        {
            final long mbuf = MbufArray.element(elements, i);
            destinations[i] = trackedPacket(mbuf, frames[i], lengths[i], rxChecks(mbuf), tracker.candidate(i));
        }
    }

    /**
     * {@link #process(MbufArray, long[], int[], int, int[])} where each packet's RX checksum word is to be read or its
     * L4 checksum verified: a loop of its own, so that the common loop stays small enough for the JIT compiler to
     * inline the fast path and {@link #finish} into it (one loop for both did not, and the common case paid for it).
     */
    private void processWithRxChecks(final long elements, final long[] frames, final int[] lengths, final int count,
        final int[] destinations)
    {
        final FlowCache flowCache = this.flowCache;
        final long[] ruleCounters = this.ruleCounters;
        for (int i = 0; i < count; i++)
        {
            final long mbuf = MbufArray.element(elements, i);
            final long frame = frames[i];
            final int length = lengths[i];
            final int rxChecks = rxChecks(mbuf);
            destinations[i] = finish(mbuf, frame, length, fastPathTakes(rxChecks) ?
                flowCache.forwardPlain(frame, length, rxPort, ruleCounters) : FlowCache.BYPASS, rxChecks);
        }
        pending[RECEIVED] += count;
    }

    /**
     * Applies the rules to one packet (a burst of one; for tools and tests).
     *
     * @return the port to send it out of, or {@link #DROP} to free it.
     */
    public int process(final long mbuf)
    {
        one.set(0, mbuf);
        process(one, 1, oneDestination);
        return oneDestination[0];
    }

    /**
     * What the RX port found of the packet's checksums, as {@link PacketView#parse} takes it
     * ({@code IPV4_CHECKSUM_GOOD}, ...; 0 where it did not check).
     */
    private int rxChecks(final long mbuf)
    {
        if (!readRxChecks)
        {
            return 0;
        }
        final long flags = Mbuf.offloadFlags(mbuf);
        final long ip = flags & Mbuf.RX_IP_CKSUM_MASK;
        final long l4 = flags & Mbuf.RX_L4_CKSUM_MASK;
        return (ip == Mbuf.RX_IP_CKSUM_GOOD ? PacketView.IPV4_CHECKSUM_GOOD : 0) |
            (ip == Mbuf.RX_IP_CKSUM_BAD ? PacketView.IPV4_CHECKSUM_BAD : 0) |
            (l4 == Mbuf.RX_L4_CKSUM_GOOD ? PacketView.L4_CHECKSUM_GOOD : 0) |
            (l4 == Mbuf.RX_L4_CKSUM_BAD ? PacketView.L4_CHECKSUM_BAD : 0);
    }

    /**
     * Whether a frame may take the fast path, which verifies the IPv4 header checksum itself but no L4 checksum:
     * not when the RX port found a checksum bad, nor when L4 checksums are to be verified and the port did not.
     */
    private boolean fastPathTakes(final int rxChecks)
    {
        return 0 == (rxChecks & (PacketView.IPV4_CHECKSUM_BAD | PacketView.L4_CHECKSUM_BAD)) &&
            (!verifyL4Checksum || 0 != (rxChecks & PacketView.L4_CHECKSUM_GOOD));
    }

    /**
     * A packet after the flow cache's fast path: its outcome counted, or parsed in full when the path passed.
     *
     * @param rxChecks what the RX port found of its checksums ({@link #rxChecks}).
     */
    private int finish(final long mbuf, final long frame, final int length, final int plain, final int rxChecks)
    {
        if (plain >= 0)
        {
            final int output = plain & FlowCache.PLAIN_PORT_MASK;
            final long offloads = anyTxChecksumOffload && output != plain ? txChecksumOffloads[output] : 0;
            if (0 != offloads)
            {
                offloadPlainChecksums(mbuf, offloads, frame, rxChecks);
            }
            return output;
        }
        switch (plain)
        {
            case FlowCache.PLAIN_DEFAULT_ACCEPTED ->
            {
                pending[DEFAULT_ACCEPTED]++;
                return pairedPort;
            }
            case FlowCache.PLAIN_RULE_DROPPED ->
            {
                pending[RULE_DROPPED]++;
                return DROP;
            }
            case FlowCache.PLAIN_DEFAULT_DROPPED ->
            {
                pending[DEFAULT_DROPPED]++;
                return DROP;
            }
            default ->
            {
                return processParsed(mbuf, frame, length, FlowCache.PLAIN_MISS == plain, rxChecks);
            }
        }
    }

    /**
     * Whether a frame's UDP/TCP checksum was known good when it arrived (checked here or by the RX port), so that
     * the TX port may compute it afresh: else the rewrite's incremental update stands, which keeps a wrong checksum
     * wrong. A fragment's covers its whole datagram, which no port sees.
     */
    private boolean l4ChecksumKnownGood(final int rxChecks, final boolean fragment)
    {
        return !fragment && (verifyL4Checksum || 0 != (rxChecks & PacketView.L4_CHECKSUM_GOOD));
    }

    /**
     * Any frame, parsed in full: the flow cache (which learns the flow here), else the classifier.
     *
     * @param plainMiss the flow cache's fast path found the frame plain but its flow not cached (and kept its key).
     * @param rxChecks  what the RX port found of its checksums ({@link #rxChecks}).
     */
    private int processParsed(final long mbuf, final long frame, final int length, final boolean plainMiss,
        final int rxChecks)
    {
        final PacketView view = this.view;
        final int[] pending = this.pending;
        view.parse(ALL, frame, length, parseChecks | rxChecks);
        if (view.isFragment())
        {
            pending[FRAGMENTS]++;
        }
        final FlowCache flowCache = this.flowCache;
        final int cached = flowCache.lookup(view, rxPort, plainMiss);
        final int rule;
        if (cached >= 0)
        {
            rule = flowCache.rule(cached, ruleCounters, length);
        }
        else
        {
            rule = classifier.classify(view, rxPort, ruleCounters, countedRules);
            pending[CLASSIFIED]++;
        }
        final int verdict = view.verdict();
        if (Classifier.NO_MATCH == rule && PacketView.OK != verdict)
        {
            pending[MALFORMED_BY_KIND + verdict]++;
            pending[acceptMalformed ? MALFORMED_ACCEPTED : MALFORMED_DROPPED]++;
            return acceptMalformed ? pairedPort : DROP;
        }
        final int destination = destinationOf(rule);
        final boolean swapMacs = Classifier.NO_MATCH != rule && Verdict.TX == rules.verdict(rule);
        final RewriteProgram program = DROP == destination || Classifier.NO_MATCH == rule ? null : rules.program(rule);
        final int inserted = FlowCache.MISS == cached ?
            flowCache.insert(rule, countedRules, program, destination, swapMacs) : -1;
        if (DROP == destination)
        {
            pending[Classifier.NO_MATCH == rule ? DEFAULT_DROPPED : RULE_DROPPED]++;
            return DROP;
        }
        if (null == program)
        {
            pending[DEFAULT_ACCEPTED]++;
            return destination;
        }
        if (swapMacs)
        {
            EthernetHeader.swapAddresses(ALL, frame);
        }
        // A flow just cached is rewritten as its later packets will be: with the entry's constants where it has them.
        final int entry = cached >= 0 ? cached : inserted;
        final boolean kept = entry >= 0 ? flowCache.rewrite(entry, view, program) :
            PacketView.OK != verdict || program.apply(view);
        if (!kept)
        {
            pending[TTL_EXPIRED]++;
            return DROP;
        }
        final long offloads = txChecksumOffloads[destination];
        if (0 != offloads && !program.isEmpty() && PacketView.OK == verdict && 4 == view.ipVersion())
        {
            offloadChecksums(mbuf, offloads, frame, view.l3Offset(), view.l3HeaderLength(),
                view.hasL4() && l4ChecksumKnownGood(rxChecks, view.isFragment()) ? view.l4Offset() : -1,
                view.protocol(), view.ipEnd());
        }
        return destination;
    }

    /**
     * A packet of a stateful processor. A plain frame ({@code PlainFrame}) of a known connection whose direction kept
     * its verdict for the state the packet leaves it in, and whose rule rewrites nothing but the connection's
     * translation, takes the fast path: tracked from its bytes, counted, translated from the entry's constants; no
     * parse, no classifier. Any other is parsed in full ({@link #processTracked}).
     *
     * @param candidate its connection as the burst's look-ahead found it ({@link ConnTracker#candidate}), or -1.
     */
    private int trackedPacket(final long mbuf, final long frame, final int length, final int rxChecks,
        final int candidate)
    {
        final ConnTracker tracker = this.tracker;
        final int connState = fastPathTakes(rxChecks) ? tracker.trackPlain(frame, length, nowMillis, candidate) :
            ConnTracker.NOT_PLAIN;
        if (ConnTracker.HANDOFF == connState)
        {
            return handOff(mbuf);
        }
        if (connState >= 0 && keepPerConnection)
        {
            final long word = tracker.directionWord();
            if ((word & ~KEPT_RULE_MASK) == (keptBase | (long)connState << 24))
            {
                final int rule = (int)(word & KEPT_RULE_MASK) - 1;
                final int outcome = keptOutcomes[rule + 1];
                if (KEPT_SLOW != outcome)
                {
                    return forwardKept(mbuf, frame, length, rule, outcome, rxChecks);
                }
            }
        }
        return processTracked(mbuf, frame, length, rxChecks, connState);
    }

    /**
     * The stateful fast path's end: a plain frame tracked by {@link ConnTracker#trackPlain}, whose verdict
     * ({@code rule}, {@link Classifier#NO_MATCH}: the policy's; {@code outcome} its {@link #keptOutcomes}) its
     * connection kept, counted and sent as {@link #processTracked} would.
     */
    private int forwardKept(final long mbuf, final long frame, final int length, final int rule, final int outcome,
        final int rxChecks)
    {
        if (Classifier.NO_MATCH != rule)
        {
            Classifier.count(ruleCounters, rule, length);
        }
        if (KEPT_DROP == outcome)
        {
            pending[Classifier.NO_MATCH == rule ? DEFAULT_DROPPED : RULE_DROPPED]++;
            return DROP;
        }
        final boolean rewritten = tracker.translatePlain(frame);
        if (Classifier.NO_MATCH == rule)
        {
            pending[DEFAULT_ACCEPTED]++;
        }
        if (0 != (outcome & KEPT_SWAP_MACS))
        {
            EthernetHeader.swapAddresses(ALL, frame);
        }
        final int destination = outcome & KEPT_PORT_MASK;
        final long offloads = txChecksumOffloads[destination];
        if (0 != offloads && rewritten)
        {
            offloadPlainChecksums(mbuf, offloads, frame, rxChecks);
        }
        return destination;
    }

    /**
     * A packet of a stateful processor parsed in full: tracked, classified with its connection's state, and
     * translated as its connection says (a new connection takes the translation of the rule that accepts its first
     * packet).
     *
     * @param tracked its connection state when {@link ConnTracker#trackPlain} tracked it already (>= 0), else what
     *                that said ({@link ConnTracker#NOT_PLAIN}, {@link ConnTracker#PLAIN_MISS}).
     */
    private int processTracked(final long mbuf, final long frame, final int length, final int rxChecks,
        final int tracked)
    {
        final PacketView view = this.view;
        final int[] pending = this.pending;
        final ConnTracker tracker = this.tracker;
        view.parse(ALL, frame, length, parseChecks | rxChecks);
        final int connState = tracked >= 0 ? tracked : tracker.track(view, nowMillis, mbuf);
        if (ConnTracker.HANDOFF == connState)
        {
            return handOff(mbuf);
        }
        if (ConnTracker.HELD == connState)
        {
            // A later fragment before its first: the tracker holds it, and gives it back by processReleased.
            return TAKEN;
        }
        if (view.isFragment())
        {
            pending[FRAGMENTS]++;
        }
        if (ConnTracker.TABLE_FULL == connState)
        {
            pending[CONN_REFUSED]++;
            return DROP;
        }
        view.connState(connState);
        final int verdict = view.verdict();
        final boolean ofConnection = tracker.lastReference() >= 0 && PacketView.OK == verdict;
        if (ofConnection)
        {
            // A datagram's later fragments follow its first (its connection's translation and kept verdict), so the
            // first fragment meets the rules with its ports, as a whole datagram would.
            view.matchFirstFragmentPorts();
        }
        // The verdict of a connection's direction in this state is kept with it, when the rules decide so: set by a
        // packet with its ports (not a later fragment), taken by any packet of the connection.
        final boolean keep = keepPerConnection && ofConnection;
        final long kept = keptBase | (long)connState << 24;
        final long word = keep ? tracker.directionWord() : 0;
        final int rule;
        if (keep && (word & ~KEPT_RULE_MASK) == kept)
        {
            rule = (int)(word & KEPT_RULE_MASK) - 1;
            if (Classifier.NO_MATCH != rule)
            {
                Classifier.count(ruleCounters, rule, length);
            }
        }
        else
        {
            rule = classifier.classify(view, rxPort, ruleCounters, countedRules);
            pending[CLASSIFIED]++;
            if (keep && countedRules[0] < 0 && !view.isLaterFragment())
            {
                tracker.directionWord(kept | (rule + 1));
            }
        }
        if (Classifier.NO_MATCH == rule && PacketView.OK != verdict)
        {
            pending[MALFORMED_BY_KIND + verdict]++;
            pending[acceptMalformed ? MALFORMED_ACCEPTED : MALFORMED_DROPPED]++;
            return acceptMalformed ? pairedPort : DROP;
        }
        final int destination = destinationOf(rule);
        if (DROP == destination)
        {
            if (tracker.lastCreated())
            {
                tracker.forget();
            }
            pending[Classifier.NO_MATCH == rule ? DEFAULT_DROPPED : RULE_DROPPED]++;
            return DROP;
        }
        RewriteProgram program = Classifier.NO_MATCH == rule ? null : rules.program(rule);
        boolean rewritten = false;
        if (tracker.lastReference() >= 0)
        {
            // A new connection takes its rule's translation, then goes into the table for good (a clash refuses it).
            if (tracker.lastCreated() &&
                ((Classifier.NO_MATCH != rule && !bindTranslation(view, rule, program)) || !tracker.confirm()))
            {
                pending[CONN_REFUSED]++;
                return DROP;
            }
            rewritten = tracker.translate(view);
            program = null == program ? null : program.withoutTranslation();
        }
        if (Classifier.NO_MATCH != rule && Verdict.TX == rules.verdict(rule))
        {
            EthernetHeader.swapAddresses(ALL, frame);
        }
        if (null != program && !program.isEmpty() && PacketView.OK == verdict)
        {
            if (!program.apply(view))
            {
                pending[TTL_EXPIRED]++;
                return DROP;
            }
            rewritten = true;
        }
        if (Classifier.NO_MATCH == rule)
        {
            pending[DEFAULT_ACCEPTED]++;
        }
        final long offloads = txChecksumOffloads[destination];
        if (0 != offloads && rewritten && PacketView.OK == verdict && 4 == view.ipVersion())
        {
            offloadChecksums(mbuf, offloads, frame, view.l3Offset(), view.l3HeaderLength(),
                view.hasL4() && l4ChecksumKnownGood(rxChecks, view.isFragment()) ? view.l4Offset() : -1,
                view.protocol(), view.ipEnd());
        }
        return destination;
    }

    /** Hands a packet to the lcore its tracker named ({@link ConnTracker#HANDOFF}), or frees it when that is full. */
    private int handOff(final long mbuf)
    {
        if (handoff.offer(handoffLcores[ownerIndex], handoffLcores[tracker.handoffOwner()],
            mbuf | tracker.handoffHop()))
        {
            pending[HANDED_OFF]++;
            return TAKEN;
        }
        tracker.handoffRefused();
        pending[CONN_REFUSED]++;
        return DROP;
    }

    /** Where a packet that matched {@code rule} ({@link Classifier#NO_MATCH}: the policy's) goes, or {@link #DROP}. */
    private int destinationOf(final int rule)
    {
        if (Classifier.NO_MATCH == rule)
        {
            return rules.defaultAccept() ? pairedPort : DROP;
        }
        return switch (rules.verdict(rule))
        {
            case ACCEPT -> pairedPort;
            case TX -> rxPort;
            case REDIRECT -> rules.redirectPort(rule);
            default -> DROP;
        };
    }

    /**
     * Binds the translation of the rule that accepted a connection's first packet to the connection: its address and
     * port rewrites, then its {@code dnat} (a backend picked from a pool) and its {@code snat} or {@code masquerade}
     * (a source port no live connection holds towards the same remote end).
     *
     * @return false when no tuple could be had (the connection is forgotten, counted).
     */
    private boolean bindTranslation(final PacketView view, final int rule, final RewriteProgram program)
    {
        final Nat dnat = rules.destinationNat(rule);
        final Nat snat = rules.sourceNat(rule);
        if (0 == program.translatedFields() && null == dnat && null == snat)
        {
            return true;
        }
        final int source = translated(view, program, true);
        int destination = translated(view, program, false);
        final int sourcePort = translatedPort(view, program, true);
        int destinationPort = translatedPort(view, program, false);
        if (null != dnat)
        {
            final int target = 1 == dnat.targets() ? 0 : Nat.Pick.HASH == dnat.pick() ?
                (int)(((source & 0xFFFF_FFFFL) * POOL_HASH >>> 32) % dnat.targets()) :
                Integer.remainderUnsigned(roundRobin[rule]++, dnat.targets());
            destination = dnat.address(target);
            if (0 != dnat.port(target) && view.hasL4())
            {
                destinationPort = dnat.port(target);
            }
        }
        if (null == snat)
        {
            return tracker.bind(source, destination, sourcePort, destinationPort, nowMillis);
        }
        // Where the search for a free source port starts: a keyed hash of the connection's tuple.
        final long mixed = ((source & 0xFFFF_FFFFL) << 32 | (destination & 0xFFFF_FFFFL)) * POOL_HASH ^
            ((long)sourcePort << 16 | destinationPort) * PORT_HASH;
        final int start = snat.portLow() + (int)((mixed >>> 32) % (snat.portHigh() - snat.portLow() + 1));
        return tracker.bind(snat.address(0), destination, Nat.Kind.MASQUERADE == snat.kind() ? start : sourcePort,
            destinationPort, nowMillis, snat.portLow(), snat.portHigh(), start);
    }

    /** The IPv4 source ({@code source}) or destination address a connection's first packet is translated to. */
    private static int translated(final PacketView view, final RewriteProgram program, final boolean source)
    {
        final int bit = source ? RewriteProgram.SETS_SOURCE : RewriteProgram.SETS_DESTINATION;
        final long l3 = view.base() + view.l3Offset();
        return 0 != (program.translatedFields() & bit) ? (int)program.translated(bit) :
            source ? Ipv4Header.source(view.segment(), l3) : Ipv4Header.destination(view.segment(), l3);
    }

    /** The source or destination port it is translated to (0 for a packet without ports: ICMP keeps its id). */
    private static int translatedPort(final PacketView view, final RewriteProgram program, final boolean source)
    {
        final int bit = source ? RewriteProgram.SETS_SOURCE_PORT : RewriteProgram.SETS_DESTINATION_PORT;
        if (!view.hasL4())
        {
            return 0;
        }
        return 0 != (program.translatedFields() & bit) ? (int)program.translated(bit) :
            source ? view.sourcePort() : view.destinationPort();
    }

    /** {@link #offloadChecksums} of a plain frame ({@code PlainFrame}) the fast paths rewrote. */
    private void offloadPlainChecksums(final long mbuf, final long offloads, final long frame, final int rxChecks)
    {
        final long l3 = frame + PlainFrame.L3;
        offloadChecksums(mbuf, offloads, frame, PlainFrame.L3, Ipv4Header.MIN_LENGTH,
            l4ChecksumKnownGood(rxChecks, false) ? PlainFrame.L4 : -1, Ipv4Header.protocol(ALL, l3),
            PlainFrame.L3 + Ipv4Header.totalLength(ALL, l3));
    }

    /**
     * Hands the checksums of a rewritten IPv4 frame to the TX port, per DPDK's offload contract: the header checksum
     * zeroed, the L4 checksum holding the pseudo-header sum, {@code ol_flags} and the header lengths set. A UDP
     * checksum of 0 ("none") is left alone; frames the rules did not rewrite keep the checksums they came with.
     * Offsets are from the frame's start; {@code l4Offset} is -1 when there is no L4 header, or its checksum is to
     * stay as the rewrite left it.
     */
    private static void offloadChecksums(final long mbuf, final long offloads, final long frame, final int l3Offset,
        final int l3Length, final int l4Offset, final int protocol, final int ipEnd)
    {
        final long l3 = frame + l3Offset;
        long flags = 0;
        if (0 != (offloads & EthDevInfo.TX_OFFLOAD_IPV4_CKSUM))
        {
            Ipv4Header.checksum(ALL, l3, 0);
            flags |= Mbuf.TX_IPV4 | Mbuf.TX_IP_CKSUM;
        }
        if (l4Offset >= 0)
        {
            final long l4 = frame + l4Offset;
            final boolean udp = IpProtocol.UDP == protocol && 0 != (offloads & EthDevInfo.TX_OFFLOAD_UDP_CKSUM) &&
                0 != UdpHeader.checksum(ALL, l4);
            final boolean tcp = IpProtocol.TCP == protocol && 0 != (offloads & EthDevInfo.TX_OFFLOAD_TCP_CKSUM);
            if (udp || tcp)
            {
                final int pseudo = InternetChecksum.fold(InternetChecksum.ipv4PseudoHeaderSum(
                    Ipv4Header.source(ALL, l3), Ipv4Header.destination(ALL, l3), protocol, ipEnd - l4Offset));
                if (udp)
                {
                    UdpHeader.checksum(ALL, l4, pseudo);
                    flags |= Mbuf.TX_IPV4 | Mbuf.TX_UDP_CKSUM;
                }
                else
                {
                    TcpHeader.checksum(ALL, l4, pseudo);
                    flags |= Mbuf.TX_IPV4 | Mbuf.TX_TCP_CKSUM;
                }
            }
        }
        if (0 != flags)
        {
            Mbuf.requestTxChecksums(mbuf, flags, l3Offset, l3Length);
        }
    }

    /**
     * A poll that brought no packet: with connections tracked, the tracker's upkeep goes on without traffic (the
     * sweep of expired connections, a flush the control socket asked for).
     */
    public void idle()
    {
        if (null != tracker)
        {
            tracker.sweepPaced(System.currentTimeMillis());
        }
    }

    /** Ends a burst: publishes its outcome counts for the stats thread. */
    public void endBurst()
    {
        outcomes.publish(pending);
        if (null != tracker)
        {
            tracker.publish();
        }
    }

    public int rxPort()
    {
        return rxPort;
    }

    /** The rule generation in force on this processor's thread. */
    public RulesState state()
    {
        return state;
    }

    /** An outcome counter, by index into {@link #OUTCOMES} (any thread). */
    public long outcome(final int index)
    {
        return outcomes.get(index);
    }

    /** The outcome counters, by {@link #OUTCOMES} (any thread). */
    public Counters outcomes()
    {
        return outcomes;
    }

    /** The index among {@link #OUTCOMES} of malformed frames no rule claimed whose verdict is {@code verdict}. */
    public static int malformedIndex(final int verdict)
    {
        return MALFORMED_BY_KIND + verdict;
    }

    private static List<CounterDescriptor> outcomeDescriptors()
    {
        final List<CounterDescriptor> descriptors = new ArrayList<>(List.of(RuleOutcome.values()));
        for (int verdict = 1; verdict < PacketView.VERDICT_COUNT; verdict++)
        {
            final String name = PacketView.verdictName(verdict);
            descriptors.add(CounterDescriptor.of("malformed_" + name.replace('-', '_'), "packets",
                "malformed frames no rule claimed, of verdict " + name));
        }
        return descriptors;
    }

    /**
     * Packets the flow cache did not answer, so that the classifier matched them (any thread): the first of each
     * flow, those of flows the cache no longer holds (evicted, or since a reload), and frames it does not take (not
     * well-formed IPv4, or a flow that matched more {@code count} rules than an entry holds). Next to the received
     * count it says whether {@code --flow-cache} holds the traffic's flows.
     */
    public long classified()
    {
        return outcomes.get(CLASSIFIED);
    }

    /** Packets this processor counted for {@code rule} of {@code state}'s generation (any thread). */
    public long rulePackets(final RulesState state, final int rule)
    {
        return (long)RULE_COUNTER.getAcquire(state.counters(index), Classifier.packetsIndex(rule));
    }

    /** Bytes this processor counted for {@code rule} of {@code state}'s generation (any thread). */
    public long ruleBytes(final RulesState state, final int rule)
    {
        return (long)RULE_COUNTER.getAcquire(state.counters(index), Classifier.bytesIndex(rule));
    }
}
