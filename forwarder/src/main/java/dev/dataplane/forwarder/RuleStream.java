package dev.dataplane.forwarder;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.forwarder.rules.Classifier;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.FlowCache;
import dev.dataplane.forwarder.rules.RewriteProgram;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.PacketView;

/**
 * Rules applied to one RX queue, run to completion on its lcore: receive a burst, parse each frame, classify it,
 * rewrite it, and hand it to the lcore's {@link LcoreTransmitter} for the port its verdict names (accept: the
 * paired port; tx: back out of the in-port, MACs swapped; redirect: the named port), or free it (drop, the drop
 * policy, an expired TTL, a malformed frame no rule claims). Every outcome is counted.
 * <p>
 * Frames are classified on their first segment ({@code data_len}); multi-segment frames keep their other segments.
 */
public final class RuleStream extends RxStream
{
    /** Outcome counters, by index into {@link #outcomes}. */
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

    private final int pairedPort;
    private final MbufArray drops;
    private final LcoreTransmitter transmitter;
    private final int index;
    private final RulesSource source;
    private RulesState state;
    private CompiledRules rules;
    private Classifier classifier;
    private long[] ruleCounters;
    private final long[] outcomes = new long[OUTCOME_COUNT];
    private final PacketView view = new PacketView();
    private final FlowCache flowCache = new FlowCache(FlowCache.DEFAULT_ENTRIES);

    /**
     * @param index  this stream's position among the forwarder's rule streams (its counters in each generation).
     * @param source where the current {@link RulesState} is read, once per burst.
     */
    public RuleStream(final int rxPort, final int rxQueue, final int pairedPort, final int burst,
        final LcoreTransmitter transmitter, final int index, final RulesSource source)
    {
        super(rxPort, rxQueue, burst);
        this.pairedPort = pairedPort;
        this.drops = new MbufArray(burst);
        this.transmitter = transmitter;
        this.index = index;
        this.source = source;
        adopt(source.get());
    }

    private void adopt(final RulesState newState)
    {
        state = newState;
        rules = newState.rules();
        classifier = rules.classifier();
        ruleCounters = newState.counters(index);
        flowCache.reset(rules.ruleSet());
    }

    @Override
    public int poll()
    {
        final MbufArray pkts = this.pkts;
        final int received = EthDev.rxBurst(rxPort, rxQueue, pkts, burst);
        if (0 == received)
        {
            return 0;
        }
        final RulesState current = source.get();
        if (current != state)
        {
            adopt(current); // a reload: the new rules apply from this burst on
        }
        // Outcomes are counted in locals and published once per burst; only the rare malformed kinds go per packet.
        final PacketView view = this.view;
        int dropCount = 0;
        int defaultAccepted = 0;
        int defaultDropped = 0;
        int ruleDropped = 0;
        int ttlExpired = 0;
        int malformed = 0;
        for (int i = 0; i < received; i++)
        {
            final long mbuf = pkts.get(i);
            view.parse(ALL, Mbuf.dataAddress(mbuf), Mbuf.dataLength(mbuf));
            final int cached = flowCache.lookup(view, rxPort);
            final int rule = cached >= 0 ? flowCache.rule(cached, ruleCounters, view.length()) :
                classifier.classify(view, rxPort, ruleCounters);
            final int destination;
            if (Classifier.NO_MATCH == rule)
            {
                if (FlowCache.MISS == cached)
                {
                    flowCache.insert(rule, null, view, rxPort);
                }
                final int verdict = view.verdict();
                if (PacketView.OK != verdict)
                {
                    malformed++;
                    add(outcomes, MALFORMED_BY_KIND + verdict, 1);
                    drops.set(dropCount++, mbuf);
                    continue;
                }
                if (!rules.defaultAccept())
                {
                    defaultDropped++;
                    drops.set(dropCount++, mbuf);
                    continue;
                }
                defaultAccepted++;
                destination = pairedPort;
            }
            else
            {
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
                        ruleDropped++;
                        drops.set(dropCount++, mbuf);
                        continue;
                    }
                }
                final boolean kept;
                if (cached >= 0)
                {
                    kept = flowCache.rewrite(cached, view, rules.program(rule));
                }
                else
                {
                    final RewriteProgram program = rules.program(rule);
                    if (FlowCache.MISS == cached)
                    {
                        flowCache.insert(rule, program, view, rxPort);
                    }
                    kept = PacketView.OK != view.verdict() || program.apply(view);
                }
                if (!kept)
                {
                    ttlExpired++;
                    drops.set(dropCount++, mbuf);
                    continue;
                }
            }
            transmitter.send(destination, mbuf);
        }
        final long[] outcomes = this.outcomes;
        add(outcomes, RECEIVED, received);
        add(outcomes, DEFAULT_ACCEPTED, defaultAccepted);
        add(outcomes, DEFAULT_DROPPED, defaultDropped);
        add(outcomes, RULE_DROPPED, ruleDropped);
        add(outcomes, TTL_EXPIRED, ttlExpired);
        add(outcomes, MALFORMED_DROPPED, malformed);
        if (0 != dropCount)
        {
            Mbuf.freeBulk(drops, 0, dropCount);
        }
        transmitter.flush();
        return received;
    }

    private static void add(final long[] counters, final int index, final int n)
    {
        if (0 != n)
        {
            COUNTER.setOpaque(counters, index, counters[index] + n);
        }
    }

    /** An outcome counter (any thread). */
    public long outcome(final int index)
    {
        return (long)COUNTER.getOpaque(outcomes, index);
    }

    /** Packets this stream counted for {@code rule} of {@code state}'s generation (any thread). */
    public long rulePackets(final RulesState state, final int rule)
    {
        return (long)COUNTER.getOpaque(state.counters(index), 2 * rule);
    }

    /** Bytes this stream counted for {@code rule} of {@code state}'s generation (any thread). */
    public long ruleBytes(final RulesState state, final int rule)
    {
        return (long)COUNTER.getOpaque(state.counters(index), 2 * rule + 1);
    }

    @Override
    public String toString()
    {
        return "port " + rxPort + " queue " + rxQueue + " -> rules";
    }
}
