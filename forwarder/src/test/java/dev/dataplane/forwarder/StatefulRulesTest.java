package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.forwarder.conntrack.ConnCounter;
import dev.dataplane.forwarder.conntrack.ConnTable;
import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.PacketChecks;
import dev.dataplane.forwarder.rules.RuleOutcome;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.RulesSource;
import dev.dataplane.forwarder.rules.RulesState;
import dev.dataplane.forwarder.rules.flow.FlowCache;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules run stateful: two processors, one per port, share their lcore's connection tracker, as the forwarder
 * builds them. A connection's first packet binds the address and port rewrites of the rule that accepts it to the
 * connection, and its replies, which no rule matches, are translated back (the seed scenario of
 * {@code examples/redirect.rules}, both ways); {@code ct-state} rules make a stateful firewall. Every frame that
 * leaves has checksums a receiver accepts.
 */
class StatefulRulesTest
{
    private static final int CLIENT = Ipv4Header.parseAddress("10.0.8.18");
    private static final int SERVICE = Ipv4Header.parseAddress("10.0.8.17");
    private static final int SERVER = Ipv4Header.parseAddress("10.0.1.2");

    private static Eal eal;
    private static Mempool pool;
    private static OneFrame one;

    private final PacketView view = new PacketView();
    private ConnTracker tracker;
    private RulesProcessor clientSide;
    private RulesProcessor serverSide;
    private RulesSource source;

    @BeforeAll
    static void startEal()
    {
        eal = Eal.init(ealArgs());
        pool = Mempool.createPktmbufPool("stateful", 1023, 0, Mempool.DEFAULT_DATA_ROOM_SIZE, eal.socketId());
        one = new OneFrame(pool);
    }

    @AfterAll
    static void stopEal()
    {
        assertEquals(0, pool.inUseCount());
        pool.close();
        eal.close();
    }

    @AfterEach
    void closeTracker()
    {
        tracker.close();
    }

    private void rules(final RuleSet ruleSet)
    {
        tracker = new ConnTracker(new ConnTable(1024, 0x5EED));
        source = new RulesSource(new RulesState(new CompiledRules(ruleSet), 1, 2));
        clientSide = new RulesProcessor(0, 1, 0, source, new long[EthDev.MAX_PORTS], FlowCache.DEFAULT_ENTRIES, 0,
            PacketChecks.DEFAULT, tracker);
        serverSide = new RulesProcessor(1, 0, 1, source, new long[EthDev.MAX_PORTS], FlowCache.DEFAULT_ENTRIES, 0,
            PacketChecks.DEFAULT, tracker);
    }

    @Test
    void theRedirectExampleTranslatesTheRepliesBack() throws Exception
    {
        rules(RulesParser.parse(Path.of("..", "examples", "redirect.rules")));
        for (int i = 0; i < 3; i++)
        {
            final byte[] request = new FrameBuilder().ipv4(CLIENT, SERVICE).udp(5000, 8080).length(100).build();
            assertEquals(1, one.send(clientSide, request));
            assertTuple(request, CLIENT, SERVER, 5000, 8083);
            final byte[] reply = new FrameBuilder().ipv4(SERVER, CLIENT).udp(8083, 5000).length(100).build();
            assertEquals(0, one.send(serverSide, reply));
            assertTuple(reply, SERVICE, CLIENT, 8080, 5000);
        }
        final byte[] syn = tcp(CLIENT, SERVICE, 40000, 8080, TcpHeader.SYN);
        assertEquals(1, one.send(clientSide, syn));
        assertTuple(syn, CLIENT, SERVER, 40000, 8083);
        final byte[] synAck = tcp(SERVER, CLIENT, 8083, 40000, TcpHeader.SYN | TcpHeader.ACK);
        assertEquals(0, one.send(serverSide, synAck));
        assertTuple(synAck, SERVICE, CLIENT, 8080, 40000);
        final byte[] ack = tcp(CLIENT, SERVICE, 40000, 8080, TcpHeader.ACK);
        assertEquals(1, one.send(clientSide, ack));
        assertTuple(ack, CLIENT, SERVER, 40000, 8083);
        final byte[] data = tcp(SERVER, CLIENT, 8083, 40000, TcpHeader.ACK);
        assertEquals(0, one.send(serverSide, data));
        assertTuple(data, SERVICE, CLIENT, 8080, 40000);
        final byte[] direct = new FrameBuilder().ipv4(SERVER, CLIENT).udp(9000, 5000).build();
        assertEquals(0, one.send(serverSide, direct));
        assertTuple(direct, SERVER, CLIENT, 9000, 5000);
        assertEquals(3, tracker.table().used(), "the translated flow and connection, and the direct flow");
        assertEquals(2, tracker.counters().get(ConnCounter.TRANSLATED));
        assertEquals(5, clientSide.outcome(RuleOutcome.RECEIVED.ordinal()), "3 datagrams, the SYN and the ACK");
        assertEquals(4, clientSide.outcome(RuleOutcome.CLASSIFIED.ordinal()),
            "the third datagram met the verdict its connection kept for the state and direction");
    }

    @Test
    void icmpErrorsAboutATranslatedFlowAreTranslatedQuoteIncluded() throws Exception
    {
        rules(RulesParser.parse(Path.of("..", "examples", "redirect.rules")));
        final byte[] request = new FrameBuilder().ipv4(CLIENT, SERVICE).udp(5000, 8080).length(100).build();
        assertEquals(1, one.send(clientSide, request));
        final int router = Ipv4Header.parseAddress("10.0.1.254");
        // Port unreachable from the server, and time exceeded from a router on its side, each quoting the datagram
        // as it left the forwarder (translated) whole.
        for (final int[] error : new int[][] {{SERVER, 3, 3}, {router, 11, 0}})
        {
            final byte[] quote = Arrays.copyOfRange(request, 14, request.length);
            final byte[] body = new byte[4 + quote.length];
            System.arraycopy(quote, 0, body, 4, quote.length);
            final byte[] frame = new FrameBuilder().ipv4(error[0], CLIENT).icmp(error[1], error[2], body).build();
            assertEquals(0, one.send(serverSide, frame));
            final MemorySegment s = MemorySegment.ofArray(frame);
            assertEquals(PacketView.OK, view.parse(s, 0, frame.length), "the error's header checksum");
            assertEquals(Ipv4Header.toString(SERVICE), Ipv4Header.toString(Ipv4Header.source(s, 14)),
                "from the service, as a reply would be (Linux's nf_nat_icmp_reply_translation)");
            assertTrue(InternetChecksum.verify(s, 34, frame.length - 34, 0), "the ICMP checksum");
            // The quoted datagram is the client's own again: its tuple, its header and UDP checksums right.
            final byte[] quoted = new byte[14 + quote.length];
            System.arraycopy(frame, 0, quoted, 0, 14);
            System.arraycopy(frame, 42, quoted, 14, quote.length);
            assertTuple(quoted, CLIENT, SERVICE, 5000, 8080);
        }
        assertEquals(2, tracker.counters().get(ConnCounter.RELATED));
    }

    @Test
    void everyFragmentOfADatagramTakesItsFirstFragmentsTranslation() throws Exception
    {
        datagramInFragments(RulesParser.parse(Path.of("..", "examples", "redirect.rules")));
    }

    @Test
    void everyFragmentOfADatagramTakesItsFirstFragmentsVerdict() throws Exception
    {
        // Only the port rule accepts: the later fragments, which carry no ports, pass by their connection's verdict.
        datagramInFragments(RulesParser.parse("""
            vip: proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083
            policy drop
            """, "ports-only.rules"));
    }

    /** A 1000-byte UDP datagram to the service in three fragments, in order: each forwarded to the backend. */
    private void datagramInFragments(final RuleSet ruleSet) throws Exception
    {
        rules(ruleSet);
        final byte[][] fragments = inFragments(new FrameBuilder().ipv4(CLIENT, SERVICE).udp(5000, 8080)
            .length(14 + 20 + 1000).build());
        for (final byte[] fragment : fragments)
        {
            assertEquals(1, one.send(clientSide, fragment));
        }
        assertReassembles(fragments, CLIENT, SERVER, 8083);
        assertEquals(3, clientSide.outcome(RuleOutcome.FRAGMENTS.ordinal()));
        assertEquals(1, tracker.table().used(), "one connection for the datagram");
        assertEquals(0, tracker.counters().get(ConnCounter.FRAGMENT_ORPHANS));
    }

    @Test
    void aReloadKeepsTheConnectionsAndTheirTranslationsWhileNewOnesFollowTheNewRules() throws Exception
    {
        rules(RulesParser.parse("ip4 proto udp dport 80 => accept dnat 10.0.1.2\n", "first.rules"));
        final byte[] before = new FrameBuilder().ipv4(CLIENT, SERVICE).udp(5000, 80).build();
        assertEquals(1, one.send(clientSide, before));
        assertTuple(before, CLIENT, SERVER, 5000, 80);
        source.publish(new RulesState(new CompiledRules(RulesParser.parse(
            "ip4 proto udp dport 80 => accept dnat 10.0.1.3\n", "second.rules")), 2, 2));
        final byte[] same = new FrameBuilder().ipv4(CLIENT, SERVICE).udp(5000, 80).build();
        assertEquals(1, one.send(clientSide, same));
        assertTuple(same, CLIENT, SERVER, 5000, 80);
        final byte[] reply = new FrameBuilder().ipv4(SERVER, CLIENT).udp(80, 5000).build();
        assertEquals(0, one.send(serverSide, reply));
        assertTuple(reply, SERVICE, CLIENT, 80, 5000);
        final byte[] fresh = new FrameBuilder().ipv4(CLIENT, SERVICE).udp(5001, 80).build();
        assertEquals(1, one.send(clientSide, fresh));
        assertTuple(fresh, CLIENT, Ipv4Header.parseAddress("10.0.1.3"), 5001, 80);
        assertEquals(2, clientSide.rulePackets(source.get(), 0),
            "the old connection's packet and the new one's, each counted by the rule in force");
    }

    @Test
    void aSecondClientOnTheSameTranslatedTupleIsRefusedAndCounted() throws Exception
    {
        rules(RulesParser.parse("""
            ip4 proto udp dport 53 => accept set-src 192.0.2.1 set-sport 40000
            """, "snat.rules"));
        final byte[] first = new FrameBuilder().ipv4(CLIENT, SERVER).udp(1111, 53).build();
        assertEquals(1, one.send(clientSide, first));
        assertTuple(first, Ipv4Header.parseAddress("192.0.2.1"), SERVER, 40000, 53);
        final byte[] second = new FrameBuilder().ipv4(CLIENT + 1, SERVER).udp(2222, 53).build();
        assertEquals(RulesProcessor.DROP, one.send(clientSide, second), "its replies could not be told apart");
        assertEquals(1, clientSide.outcome(RuleOutcome.CONN_REFUSED.ordinal()));
        assertEquals(1, tracker.counters().get(ConnCounter.NAT_CLASHES));
        final byte[] reply = new FrameBuilder().ipv4(SERVER, Ipv4Header.parseAddress("192.0.2.1")).udp(53, 40000)
            .build();
        assertEquals(0, one.send(serverSide, reply));
        assertTuple(reply, SERVER, CLIENT, 53, 1111);
    }

    @Test
    void aDnatPoolDealsConnectionsRoundRobinOrKeepsAClientByHash() throws Exception
    {
        rules(RulesParser.parse("""
            rr: ip4 proto udp dport 80 => accept dnat 10.0.1.2:8083,10.0.1.3:8083,10.0.1.4
            by-client: ip4 proto udp dport 81 => accept dnat 10.0.1.2,10.0.1.3 hash
            """, "pool.rules"));
        final List<String> backends = new ArrayList<>();
        for (int port = 5000; port < 5006; port++)
        {
            final byte[] frame = new FrameBuilder().ipv4(CLIENT, SERVICE).udp(port, 80).build();
            assertEquals(1, one.send(clientSide, frame));
            view.parse(MemorySegment.ofArray(frame), 0, frame.length, PacketView.CHECK_L4_CHECKSUM);
            assertEquals(PacketView.OK, view.verdict());
            backends.add(Ipv4Header.toString(Ipv4Header.destination(MemorySegment.ofArray(frame), 14)) + ":" +
                view.destinationPort());
        }
        assertEquals(List.of("10.0.1.2:8083", "10.0.1.3:8083", "10.0.1.4:80", "10.0.1.2:8083", "10.0.1.3:8083",
            "10.0.1.4:80"), backends, "in turn; the third keeps the port");
        final byte[] reply = new FrameBuilder().ipv4(Ipv4Header.parseAddress("10.0.1.4"), CLIENT).udp(80, 5002).build();
        assertEquals(0, one.send(serverSide, reply));
        assertTuple(reply, SERVICE, CLIENT, 80, 5002);
        final Set<String> picked = new HashSet<>();
        for (int port = 6000; port < 6010; port++)
        {
            final byte[] frame = new FrameBuilder().ipv4(CLIENT, SERVICE).udp(port, 81).build();
            assertEquals(1, one.send(clientSide, frame));
            picked.add(Ipv4Header.toString(Ipv4Header.destination(MemorySegment.ofArray(frame), 14)));
        }
        assertEquals(1, picked.size(), "one client, one backend: " + picked);
    }

    @Test
    void masqueradeGivesEachConnectionAFreeSourcePortOfItsRange() throws Exception
    {
        rules(RulesParser.parse("""
            out: ip4 in-port 0 proto udp => accept masquerade 192.0.2.1 ports 20000-20003
            """, "masquerade.rules"));
        final int outside = Ipv4Header.parseAddress("192.0.2.1");
        final Set<Integer> ports = new HashSet<>();
        for (int client = 0; client < 4; client++)
        {
            final byte[] frame = new FrameBuilder().ipv4(CLIENT + client, SERVER).udp(5000, 53).build();
            assertEquals(1, one.send(clientSide, frame), "client " + client);
            view.parse(MemorySegment.ofArray(frame), 0, frame.length, PacketView.CHECK_L4_CHECKSUM);
            assertEquals(PacketView.OK, view.verdict());
            assertEquals(Ipv4Header.toString(outside), Ipv4Header.toString(Ipv4Header.source(
                MemorySegment.ofArray(frame), 14)));
            ports.add(view.sourcePort());
        }
        assertEquals(Set.of(20000, 20001, 20002, 20003), ports, "four clients, four ports: never one in use");
        assertEquals(RulesProcessor.DROP, one.send(clientSide,
            new FrameBuilder().ipv4(CLIENT + 4, SERVER).udp(5000, 53).build()), "the range is spent towards it");
        assertEquals(1, tracker.counters().get(ConnCounter.NAT_CLASHES));
        final byte[] other = new FrameBuilder().ipv4(CLIENT + 4, SERVER + 1).udp(5000, 53).build();
        assertEquals(1, one.send(clientSide, other), "another server: the ports are free towards it");
        view.parse(MemorySegment.ofArray(other), 0, other.length);
        final int port = view.sourcePort();
        final byte[] reply = new FrameBuilder().ipv4(SERVER + 1, outside).udp(53, port).build();
        assertEquals(0, one.send(serverSide, reply));
        assertTuple(reply, SERVER + 1, CLIENT + 4, 53, 5000);
    }

    @Test
    void masqueradeGivesAnEchoAnotherIdentifierWhenItsOwnIsTaken() throws Exception
    {
        rules(RulesParser.parse("ip4 in-port 0 proto icmp => accept masquerade 192.0.2.1\n", "ping.rules"));
        final int outside = Ipv4Header.parseAddress("192.0.2.1");
        final byte[] first = echo(CLIENT, SERVER, 8, 7);
        assertEquals(1, one.send(clientSide, first));
        assertEcho(first, outside, SERVER, 7);
        final byte[] second = echo(CLIENT + 1, SERVER, 8, 7);
        assertEquals(1, one.send(clientSide, second), "the same identifier to the same host, from another client");
        final int id = echoId(second);
        assertEcho(second, outside, SERVER, id);
        assertTrue(id >= 1024 && id != 7, "another identifier: " + id);
        for (final int[] reply : new int[][] {{id, CLIENT + 1}, {7, CLIENT}, {id, CLIENT + 1}})
        {
            final byte[] frame = echo(SERVER, outside, 0, reply[0]);
            assertEquals(0, one.send(serverSide, frame));
            assertEcho(frame, SERVER, reply[1], 7);
        }
        assertEquals(2, tracker.counters().get(ConnCounter.TRANSLATED));
        assertEquals(0, tracker.counters().get(ConnCounter.NAT_CLASHES));
        // Time exceeded from a router outside, quoting the second echo whole as it left: back to its client, the
        // quoted echo with the client's own address and identifier, every checksum right.
        final byte[] quote = Arrays.copyOfRange(second, 14, second.length);
        final byte[] body = new byte[4 + quote.length];
        System.arraycopy(quote, 0, body, 4, quote.length);
        final byte[] error = new FrameBuilder().ipv4(Ipv4Header.parseAddress("198.51.100.1"), outside)
            .icmp(11, 0, body).build();
        assertEquals(0, one.send(serverSide, error));
        final MemorySegment s = MemorySegment.ofArray(error);
        assertEquals(PacketView.OK, view.parse(s, 0, error.length, PacketView.CHECK_IPV4_CHECKSUM));
        assertEquals(Ipv4Header.toString(CLIENT + 1), Ipv4Header.toString(Ipv4Header.destination(s, 14)));
        assertTrue(InternetChecksum.verify(s, 34, error.length - 34, 0), "the error's ICMP checksum");
        final byte[] quoted = new byte[14 + quote.length];
        System.arraycopy(error, 0, quoted, 0, 14);
        System.arraycopy(error, 42, quoted, 14, quote.length);
        assertEcho(quoted, CLIENT + 1, SERVER, 7);
        assertEquals(1, tracker.counters().get(ConnCounter.RELATED));
    }

    /** An ICMP echo request (type 8) or reply (0) with identifier {@code id}, sequence 1 and 8 bytes of data. */
    private static byte[] echo(final int source, final int destination, final int type, final int id)
    {
        return new FrameBuilder().ipv4(source, destination).icmp(type, 0,
            new byte[] {(byte)(id >>> 8), (byte)id, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8}).build();
    }

    private static int echoId(final byte[] frame)
    {
        return (frame[34 + 4] & 0xFF) << 8 | frame[34 + 5] & 0xFF;
    }

    /** The echo carries these addresses and identifier, and its IPv4 and ICMP checksums are right. */
    private void assertEcho(final byte[] frame, final int source, final int destination, final int id)
    {
        final MemorySegment s = MemorySegment.ofArray(frame);
        assertEquals(PacketView.OK, view.parse(s, 0, frame.length, PacketView.CHECK_IPV4_CHECKSUM), "checksum");
        assertEquals(Ipv4Header.toString(source), Ipv4Header.toString(Ipv4Header.source(s, 14)));
        assertEquals(Ipv4Header.toString(destination), Ipv4Header.toString(Ipv4Header.destination(s, 14)));
        assertEquals(id, echoId(frame));
        assertTrue(InternetChecksum.verify(s, 34, frame.length - 34, 0), "the ICMP checksum");
    }

    @Test
    void snatKeepsTheSourcePortUnlessItIsTaken() throws Exception
    {
        rules(RulesParser.parse("ip4 in-port 0 proto tcp => accept snat 192.0.2.1\n", "snat.rules"));
        final byte[] first = tcp(CLIENT, SERVER, 40000, 80, TcpHeader.SYN);
        assertEquals(1, one.send(clientSide, first));
        assertTuple(first, Ipv4Header.parseAddress("192.0.2.1"), SERVER, 40000, 80);
        final byte[] second = tcp(CLIENT + 1, SERVER, 40000, 80, TcpHeader.SYN);
        assertEquals(1, one.send(clientSide, second));
        view.parse(MemorySegment.ofArray(second), 0, second.length);
        assertTrue(view.sourcePort() >= 1024 && view.sourcePort() != 40000, "another port: " + view.sourcePort());
        assertEquals(2, tracker.counters().get(ConnCounter.TRANSLATED));
    }

    @Test
    void aStatefulFirewallLetsRepliesInAndRefusesConnectionsFromOutside() throws Exception
    {
        rules(RulesParser.parse("""
            ct-state established,related => accept
            ct-state invalid => drop
            in-port 0 ct-state new proto tcp dst 10.0.1.2 dport 8083 => accept
            policy drop
            """, "firewall.rules"));
        assertEquals(1, one.send(clientSide, tcp(CLIENT, SERVER, 40000, 8083, TcpHeader.SYN)));
        assertEquals(0, one.send(serverSide, tcp(SERVER, CLIENT, 8083, 40000, TcpHeader.SYN | TcpHeader.ACK)));
        assertEquals(1, one.send(clientSide, tcp(CLIENT, SERVER, 40000, 8083, TcpHeader.ACK)));
        assertEquals(RulesProcessor.DROP, one.send(serverSide, tcp(SERVER, CLIENT, 5555, 22, TcpHeader.SYN)),
            "a connection opened from the server's side");
        assertEquals(RulesProcessor.DROP, one.send(clientSide, tcp(CLIENT, SERVER, 40000, 22, TcpHeader.SYN)),
            "not the service");
        assertEquals(RulesProcessor.DROP,
            one.send(serverSide, tcp(SERVER, CLIENT, 8083, 41000, TcpHeader.SYN | TcpHeader.ACK)), "invalid");
        assertEquals(1, tracker.table().used(), "the refused connections were not kept");
        assertEquals(2, tracker.counters().get(ConnCounter.FORGOTTEN));
        assertEquals(1, tracker.counters().get(ConnCounter.INVALID_NEW));
    }

    private static byte[] tcp(final int source, final int destination, final int sourcePort,
        final int destinationPort, final int flags)
    {
        return new FrameBuilder().ipv4(source, destination).tcp(sourcePort, destinationPort, flags).build();
    }

    /** The frame carries this tuple, and its IPv4 and UDP/TCP checksums are right. */
    /**
     * A 1000-byte UDP datagram ({@code whole}, a frame of 14 + 20 + 1000 bytes) in three fragments, in order: 496
     * bytes (the UDP header with them), 496, then the last 8.
     */
    static byte[][] inFragments(final byte[] whole)
    {
        final byte[] datagram = Arrays.copyOfRange(whole, 34, whole.length);
        final int[][] parts = {{0, 496}, {496, 496}, {992, 8}};
        final byte[][] fragments = new byte[parts.length][];
        for (int f = 0; f < parts.length; f++)
        {
            final int[] part = parts[f];
            final byte[] fragment = new byte[34 + part[1]];
            System.arraycopy(whole, 0, fragment, 0, 34);
            System.arraycopy(datagram, part[0], fragment, 34, part[1]);
            final MemorySegment s = MemorySegment.ofArray(fragment);
            NetworkOrder.u16(s, 14 + Ipv4Header.TOTAL_LENGTH_OFFSET, 20 + part[1]);
            NetworkOrder.u16(s, 14 + Ipv4Header.IDENTIFICATION_OFFSET, 0x4242);
            NetworkOrder.u16(s, 14 + Ipv4Header.FRAGMENT_OFFSET,
                (part[0] + part[1] < datagram.length ? Ipv4Header.FLAG_MORE_FRAGMENTS : 0) | part[0] / 8);
            Ipv4Header.computeChecksum(s, 14);
            fragments[f] = fragment;
        }
        return fragments;
    }

    /**
     * Asserts that {@link #inFragments}' fragments, as they left, each go from {@code source} to {@code destination}
     * and put together as the receiver's stack would make a datagram to {@code destinationPort} with a UDP checksum
     * right over the whole.
     */
    static void assertReassembles(final byte[][] fragments, final int source, final int destination,
        final int destinationPort)
    {
        final PacketView view = new PacketView();
        final byte[] reassembled = new byte[fragments[0].length - 34 + fragments[1].length - 34 +
            fragments[2].length - 34];
        int at = 0;
        for (final byte[] fragment : fragments)
        {
            final MemorySegment s = MemorySegment.ofArray(fragment);
            assertEquals(PacketView.OK, view.parse(s, 0, fragment.length, PacketView.CHECK_IPV4_CHECKSUM));
            assertEquals(Ipv4Header.toString(destination), Ipv4Header.toString(Ipv4Header.destination(s, 14)),
                "the fragment at " + at);
            System.arraycopy(fragment, 34, reassembled, at, fragment.length - 34);
            at += fragment.length - 34;
        }
        final MemorySegment udp = MemorySegment.ofArray(reassembled);
        assertEquals(destinationPort, NetworkOrder.u16(udp, 2));
        assertTrue(InternetChecksum.verify(udp, 0, reassembled.length,
            InternetChecksum.ipv4PseudoHeaderSum(source, destination, 17, reassembled.length)), "the UDP checksum");
    }

    private void assertTuple(final byte[] frame, final int source, final int destination, final int sourcePort,
        final int destinationPort)
    {
        assertTupleOf(view, frame, source, destination, sourcePort, destinationPort);
    }

    /** Asserts that {@code frame} (parsed into {@code view}) has that tuple and checksums a receiver accepts. */
    static void assertTupleOf(final PacketView view, final byte[] frame, final int source, final int destination,
        final int sourcePort, final int destinationPort)
    {
        final MemorySegment s = MemorySegment.ofArray(frame);
        assertEquals(PacketView.OK, view.parse(s, 0, frame.length,
            PacketView.CHECK_IPV4_CHECKSUM | PacketView.CHECK_L4_CHECKSUM), "checksums");
        assertEquals(Ipv4Header.toString(source), Ipv4Header.toString(Ipv4Header.source(s, 14)));
        assertEquals(Ipv4Header.toString(destination), Ipv4Header.toString(Ipv4Header.destination(s, 14)));
        assertEquals(sourcePort, view.sourcePort());
        assertEquals(destinationPort, view.destinationPort());
    }
}
