package dev.dataplane.forwarder;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.dpdk.NativeMemory;
import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.RulesSource;
import dev.dataplane.forwarder.rules.RulesState;
import dev.dataplane.forwarder.rules.lang.Prefix;
import dev.dataplane.forwarder.rules.lang.Rule;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PlainFrame;

/**
 * The rules path compiled before the ports start: throwaway processors (their own rules state and counters, their
 * own small connection table, their own mbufs) run bursts of frames made from the rules themselves (to each rule's
 * destination and port, from its source), then the replies to what they accepted turned round, through the pair's
 * other port, so the JIT has compiled the paths the traffic will take (the classifier, connection creation, the
 * translation both ways, the fast path of established connections) before the first packet comes. Else, on a machine
 * whose CPUs the lcores keep busy, the compiler runs late and the first second's packets queue behind it: pktgen's
 * latency through a stateful DNAT counted from the first packet was 6-10x testpmd's at p99.9. Nothing of it is left:
 * its mbufs are freed and its pool, table and counters dropped.
 */
final class RulesWarmUp
{
    /** Bursts at most, and time at most: whichever comes first. */
    private static final int BURSTS = 20_000;
    private static final long MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(1500);
    /** Rules frames are made for, and flows of each (distinct source ports): the connections it makes. */
    private static final int MAX_RULES = 64;
    private static final int FLOWS_PER_RULE = 16;
    private static final int TABLE_CONNECTIONS = 1 << 14;
    private static final int POOL_SIZE = 255;
    private static final int FRAME_LENGTH = 60;
    private static final long CLIENT_MAC = 0x02_00_00_00_00_01L;
    private static final long SERVER_MAC = 0x02_00_00_00_00_02L;
    /** Sources where a rule names none: the benchmarking range (RFC 2544). */
    private static final int ANY_SOURCE = 0xC6_12_00_01;
    /** Destinations and ports where a rule names none. */
    private static final int ANY_DESTINATION = 0x0A_FF_00_01;
    private static final int ANY_PORT = 53;
    private static final int CLIENT_PORT = 40_000;

    private RulesWarmUp()
    {
    }

    /**
     * Runs it for the first pair of {@code ports}; nothing when there is no pair.
     *
     * @return the bursts run.
     */
    static int run(final Eal eal, final ForwarderContext context, final Topology topology, final CompiledRules rules)
    {
        final int[] ports = topology.ports();
        if (ports.length < 2)
        {
            return 0;
        }
        final List<byte[]> requests = new ArrayList<>();
        final List<Integer> requestPorts = new ArrayList<>();
        for (final Rule rule : rules.ruleSet().rules())
        {
            if (requests.size() >= MAX_RULES * FLOWS_PER_RULE)
            {
                break;
            }
            if (rule.malformed() || rule.fragment() || 6 == rule.ipVersion() || Rule.ANY != rule.vlanLow())
            {
                continue;
            }
            for (int flow = 0; flow < FLOWS_PER_RULE; flow++)
            {
                requests.add(frame(rule, flow));
                requestPorts.add(rule.inPort() == ports[1] ? 1 : 0);
            }
        }
        for (int flow = 0; flow < FLOWS_PER_RULE; flow++)
        {
            // Traffic no rule names: the default policy's.
            requests.add(new FrameBuilder().macs(SERVER_MAC, CLIENT_MAC).ipv4(ANY_SOURCE + flow, ANY_DESTINATION)
                .udp(CLIENT_PORT + flow, ANY_PORT).length(FRAME_LENGTH).build());
            requestPorts.add(0);
        }
        final RulesSource source = new RulesSource(new RulesState(rules, 1, 2));
        try (Mempool pool = Mempool.createPktmbufPool("fwd_warmup", POOL_SIZE, 0, Mempool.DEFAULT_DATA_ROOM_SIZE,
            eal.socketId());
            ConnTracker tracker = context.tracksConnections() ?
                context.connTrack().newTracker(eal, TABLE_CONNECTIONS) : null)
        {
            final RulesProcessor[] processors = new RulesProcessor[2];
            for (int side = 0; side < 2; side++)
            {
                processors[side] = new RulesProcessor(ports[side], ports[side ^ 1], side, source,
                    topology.txChecksumOffloads(), context.flowCacheEntries(),
                    topology.rxChecksumOffloads()[ports[side]], context.packetChecks(), tracker);
            }
            final int bursts = burst(pool, processors, ports, requests, requestPorts, context.burst());
            if (0 != pool.inUseCount())
            {
                throw new IllegalStateException("the warm-up left " + pool.inUseCount() + " mbufs in use");
            }
            return bursts;
        }
    }

    /** A frame to {@code rule}'s destination and port from its source, flow {@code flow} of it. */
    private static byte[] frame(final Rule rule, final int flow)
    {
        final int destination = null == rule.destination() ? ANY_DESTINATION : first(rule.destination());
        final int source = null == rule.source() ? ANY_SOURCE + flow : first(rule.source());
        final int sourcePort = Rule.ANY == rule.sourcePortLow() ? CLIENT_PORT + flow : rule.sourcePortLow();
        final int destinationPort = Rule.ANY == rule.destinationPortLow() ? ANY_PORT : rule.destinationPortLow();
        final FrameBuilder frame = new FrameBuilder().macs(SERVER_MAC, CLIENT_MAC).ipv4(source, destination)
            .length(FRAME_LENGTH);
        if (IpProtocol.TCP == rule.protocol())
        {
            // A connection's first segment: a SYN (then its turned-round reply, which the tracker judges).
            return frame.tcp(sourcePort, destinationPort, 0x02).build();
        }
        return frame.udp(sourcePort, destinationPort).build();
    }

    /** An IPv4 prefix's first address (its network, or the host itself). */
    private static int first(final Prefix prefix)
    {
        return (int)prefix.network().low();
    }

    private static int burst(final Mempool pool, final RulesProcessor[] processors, final int[] ports,
        final List<byte[]> requests, final List<Integer> requestPorts, final int burstSize)
    {
        final int burst = Math.min(burstSize, (POOL_SIZE - 1) / 2);
        final MbufArray[] pkts = {new MbufArray(burst), new MbufArray(burst)};
        final int[] counts = new int[2];
        final MbufArray fresh = new MbufArray(burst);
        final MbufArray replies = new MbufArray(burst);
        final int[] destinations = new int[burst];
        final long deadline = System.nanoTime() + MAX_NANOS;
        int next = 0;
        int bursts = 0;
        while (bursts < BURSTS && System.nanoTime() < deadline)
        {
            if (!pool.allocBulk(fresh, burst))
            {
                throw new IllegalStateException("the warm-up's pool ran dry: an mbuf was not given back");
            }
            counts[0] = 0;
            counts[1] = 0;
            for (int i = 0; i < burst; i++)
            {
                final int request = next++ % requests.size();
                final int side = requestPorts.get(request);
                final long mbuf = fresh.get(i);
                fill(mbuf, requests.get(request));
                pkts[side].set(counts[side]++, mbuf);
            }
            for (int side = 0; side < 2; side++)
            {
                run(processors[side], processors[side ^ 1], ports[side ^ 1], pkts[side], counts[side], replies,
                    destinations);
            }
            bursts++;
        }
        return bursts;
    }

    /**
     * Runs {@code count} requests through {@code processor}, then what it sent on to {@code pairedPort} back through
     * {@code paired}, turned round as the other end's replies; frees them all.
     */
    private static void run(final RulesProcessor processor, final RulesProcessor paired, final int pairedPort,
        final MbufArray pkts, final int count, final MbufArray replies, final int[] destinations)
    {
        if (0 == count)
        {
            return;
        }
        processor.beginBurst();
        processor.process(pkts, count, destinations);
        processor.endBurst();
        int answered = 0;
        for (int i = 0; i < count; i++)
        {
            final long mbuf = pkts.get(i);
            if (pairedPort == destinations[i])
            {
                turnRound(mbuf);
                replies.set(answered++, mbuf);
            }
            else
            {
                Mbuf.free(mbuf);
            }
        }
        if (0 != answered)
        {
            paired.beginBurst();
            paired.process(replies, answered, destinations);
            paired.endBurst();
            Mbuf.freeBulk(replies, 0, answered);
        }
    }

    private static void fill(final long mbuf, final byte[] frame)
    {
        MemorySegment.copy(frame, 0, ALL, JAVA_BYTE, NativeMemory.address(Mbuf.dataAddress(mbuf)), frame.length);
        Mbuf.setLength(mbuf, frame.length);
    }

    /**
     * The frame (one {@link #frame} made) as its destination would answer it: MACs, addresses and ports swapped, each
     * pair adjacent, so a half turn of the word that holds both (its checksums stay right: a ones' complement sum does
     * not care about order).
     */
    private static void turnRound(final long mbuf)
    {
        final long frame = NativeMemory.address(Mbuf.dataAddress(mbuf));
        EthernetHeader.swapAddresses(ALL, frame);
        final long addresses = frame + PlainFrame.L3 + Ipv4Header.SOURCE_OFFSET;
        ALL.set(JAVA_LONG_UNALIGNED, addresses, Long.rotateLeft(ALL.get(JAVA_LONG_UNALIGNED, addresses), 32));
        final long ports = frame + PlainFrame.L4;
        ALL.set(JAVA_INT_UNALIGNED, ports, Integer.rotateLeft(ALL.get(JAVA_INT_UNALIGNED, ports), 16));
    }
}
