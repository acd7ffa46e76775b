package dev.dataplane.forwarder;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import dev.dataplane.dpdk.EthDevInfo;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.forwarder.rules.Classifier;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.FlowCache;
import dev.dataplane.forwarder.rules.RewriteProgram;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.net.UdpHeader;

/**
 * The rules applied to the packets of one RX queue, one packet at a time: parse, look the flow up in the
 * {@link FlowCache} or classify it, rewrite it, and name the port it leaves by (accept: the paired port; tx: back out
 * of the in-port, MACs swapped; redirect: the named port) or {@link #DROP} (drop, the drop policy, an expired TTL, a
 * malformed frame no rule claims). Every outcome is counted. The same processor serves run-to-completion
 * ({@link RuleStream}) and the pipeline's rules stage ({@link PipelineStages}): same rules, same results.
 * <p>
 * Used by one thread at a time, in bursts: {@link #beginBurst} picks up a reload, {@link #endBurst} publishes the
 * outcome counters. Frames are classified on their first segment ({@code data_len}).
 */
public final class RulesProcessor
{
    /** {@link #process} of a packet to free. */
    public static final int DROP = -1;

    /** Outcome counters, by index into {@link #outcome}. */
    public static final int RECEIVED = 0;
    public static final int DEFAULT_ACCEPTED = 1;
    public static final int DEFAULT_DROPPED = 2;
    public static final int RULE_DROPPED = 3;
    public static final int TTL_EXPIRED = 4;
    public static final int MALFORMED_DROPPED = 5;
    /** Malformed frames by {@code PacketView} verdict start here. */
    public static final int MALFORMED_BY_KIND = 6;
    public static final int OUTCOME_COUNT = MALFORMED_BY_KIND + PacketView.VERDICT_COUNT;
    private static final VarHandle COUNTER = MethodHandles.arrayElementVarHandle(long[].class);

    private final int rxPort;
    private final int pairedPort;
    private final int index;
    private final RulesSource source;
    /** Per port id: the TX checksum offloads ({@code EthDevInfo.TX_OFFLOAD_*}) enabled on it; 0 where none. */
    private final long[] txChecksumOffloads;
    private final PacketView view = new PacketView();
    private final FlowCache flowCache = new FlowCache(FlowCache.DEFAULT_ENTRIES);
    /** Published once per burst; written by the processing thread only. */
    private final long[] outcomes = new long[OUTCOME_COUNT];
    /** This burst's outcomes so far, by index as {@link #outcomes}. */
    private final int[] pending = new int[OUTCOME_COUNT];
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
     */
    RulesProcessor(final int rxPort, final int pairedPort, final int index, final RulesSource source,
        final long[] txChecksumOffloads)
    {
        this.rxPort = rxPort;
        this.pairedPort = pairedPort;
        this.index = index;
        this.source = source;
        this.txChecksumOffloads = txChecksumOffloads.clone();
        adopt(source.get());
    }

    private void adopt(final RulesState newState)
    {
        state = newState;
        rules = newState.rules();
        classifier = rules.classifier();
        ruleCounters = newState.counters(index);
        flowCache.reset(rules);
    }

    /** Starts a burst: a reload published since the last one applies from here on. */
    public void beginBurst()
    {
        final RulesState current = source.get();
        if (current != state)
        {
            adopt(current);
        }
    }

    /**
     * Applies the rules to one packet.
     *
     * @return the port to send it out of, or {@link #DROP} to free it.
     */
    public int process(final long mbuf)
    {
        final PacketView view = this.view;
        final int[] pending = this.pending;
        pending[RECEIVED]++;
        view.parse(ALL, Mbuf.dataAddress(mbuf), Mbuf.dataLength(mbuf));
        final FlowCache flowCache = this.flowCache;
        final int cached = flowCache.lookup(view, rxPort);
        final int rule = cached >= 0 ? flowCache.rule(cached, ruleCounters, view.length()) :
            classifier.classify(view, rxPort, ruleCounters);
        if (Classifier.NO_MATCH == rule)
        {
            if (FlowCache.MISS == cached)
            {
                flowCache.insert(rule, null, view, rxPort);
            }
            final int verdict = view.verdict();
            if (PacketView.OK != verdict)
            {
                pending[MALFORMED_DROPPED]++;
                pending[MALFORMED_BY_KIND + verdict]++;
                return DROP;
            }
            if (!rules.defaultAccept())
            {
                pending[DEFAULT_DROPPED]++;
                return DROP;
            }
            pending[DEFAULT_ACCEPTED]++;
            return pairedPort;
        }
        final int destination;
        switch (rules.verdict(rule))
        {
            case ACCEPT -> destination = pairedPort;
            case TX ->
            {
                EthernetHeader.swapAddresses(ALL, view.base());
                destination = rxPort;
            }
            case REDIRECT -> destination = rules.redirectPort(rule);
            default ->
            {
                if (FlowCache.MISS == cached)
                {
                    flowCache.insert(rule, null, view, rxPort);
                }
                pending[RULE_DROPPED]++;
                return DROP;
            }
        }
        final RewriteProgram program = rules.program(rule);
        final boolean kept;
        if (cached >= 0)
        {
            kept = flowCache.rewrite(cached, view, program);
        }
        else
        {
            if (FlowCache.MISS == cached)
            {
                flowCache.insert(rule, program, view, rxPort);
            }
            kept = PacketView.OK != view.verdict() || program.apply(view);
        }
        if (!kept)
        {
            pending[TTL_EXPIRED]++;
            return DROP;
        }
        final long offloads = txChecksumOffloads[destination];
        if (0 != offloads && !program.isEmpty() && PacketView.OK == view.verdict() && 4 == view.ipVersion())
        {
            offloadChecksums(mbuf, offloads);
        }
        return destination;
    }

    /**
     * Hands the checksums of a rewritten IPv4 frame to the TX port, per DPDK's offload contract: the header checksum
     * zeroed, the L4 checksum holding the pseudo-header sum, {@code ol_flags} and the header lengths set. A UDP
     * checksum of 0 ("none") is left alone; frames the rules did not rewrite keep the checksums they came with.
     */
    private void offloadChecksums(final long mbuf, final long offloads)
    {
        final PacketView view = this.view;
        final MemorySegment s = view.segment();
        final long l3 = view.base() + view.l3Offset();
        long flags = 0;
        if (0 != (offloads & EthDevInfo.TX_OFFLOAD_IPV4_CKSUM))
        {
            Ipv4Header.checksum(s, l3, 0);
            flags |= Mbuf.TX_IPV4 | Mbuf.TX_IP_CKSUM;
        }
        if (view.hasL4())
        {
            final int protocol = view.protocol();
            final long l4 = view.base() + view.l4Offset();
            final boolean udp = IpProtocol.UDP == protocol && 0 != (offloads & EthDevInfo.TX_OFFLOAD_UDP_CKSUM) &&
                0 != UdpHeader.checksum(s, l4);
            final boolean tcp = IpProtocol.TCP == protocol && 0 != (offloads & EthDevInfo.TX_OFFLOAD_TCP_CKSUM);
            if (udp || tcp)
            {
                final int pseudo = InternetChecksum.fold(InternetChecksum.ipv4PseudoHeaderSum(
                    Ipv4Header.source(s, l3), Ipv4Header.destination(s, l3), protocol, view.ipEnd() - view.l4Offset()));
                if (udp)
                {
                    UdpHeader.checksum(s, l4, pseudo);
                    flags |= Mbuf.TX_IPV4 | Mbuf.TX_UDP_CKSUM;
                }
                else
                {
                    TcpHeader.checksum(s, l4, pseudo);
                    flags |= Mbuf.TX_IPV4 | Mbuf.TX_TCP_CKSUM;
                }
            }
        }
        if (0 != flags)
        {
            Mbuf.requestTxChecksums(mbuf, flags, view.l3Offset(), view.l3HeaderLength());
        }
    }

    /** Ends a burst: publishes its outcome counts for the stats thread. */
    public void endBurst()
    {
        final int[] pending = this.pending;
        final long[] outcomes = this.outcomes;
        for (int i = 0; i < OUTCOME_COUNT; i++)
        {
            final int n = pending[i];
            if (0 != n)
            {
                COUNTER.setOpaque(outcomes, i, outcomes[i] + n);
                pending[i] = 0;
            }
        }
    }

    public int rxPort()
    {
        return rxPort;
    }

    /** An outcome counter (any thread). */
    public long outcome(final int index)
    {
        return (long)COUNTER.getOpaque(outcomes, index);
    }

    /** Packets this processor counted for {@code rule} of {@code state}'s generation (any thread). */
    public long rulePackets(final RulesState state, final int rule)
    {
        return (long)COUNTER.getOpaque(state.counters(index), 2 * rule);
    }

    /** Bytes this processor counted for {@code rule} of {@code state}'s generation (any thread). */
    public long ruleBytes(final RulesState state, final int rule)
    {
        return (long)COUNTER.getOpaque(state.counters(index), 2 * rule + 1);
    }
}
