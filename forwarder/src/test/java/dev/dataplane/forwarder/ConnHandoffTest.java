package dev.dataplane.forwarder;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.forwarder.conntrack.ConnCounter;
import dev.dataplane.forwarder.conntrack.ConnOwners;
import dev.dataplane.forwarder.conntrack.ConnTable;
import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.forwarder.conntrack.Handoff;
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
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two lcores that share connections ({@link ConnOwners}), each with its own tracker and a processor per port, and a
 * {@link Handoff} between them, driven by hand: a packet is given to the lcore it "landed" on, and whatever it hands
 * on is run where it was handed (as the lcores' {@code HandoffStream}s run it), hop by hop. Every connection is
 * created by the owner of its source port and held only there; a packet that lands elsewhere reaches it within two
 * hops, new connections included; replies come back translated wherever they land; masquerade picks only its own
 * lcore's ports; ICMP errors and every fragment of a datagram find their connection's lcore, later fragments held
 * for a first that came after them included.
 */
class ConnHandoffTest
{
    private static final int CLIENT = Ipv4Header.parseAddress("10.0.8.18");
    private static final int SERVICE = Ipv4Header.parseAddress("10.0.8.17");
    private static final int SERVER = Ipv4Header.parseAddress("10.0.1.2");
    private static final int NAT = Ipv4Header.parseAddress("192.0.2.1");
    private static final int LCORES = 2;

    private static Eal eal;
    private static Mempool pool;

    private final ConnOwners owners = new ConnOwners(LCORES, 0x5EED);
    private final Handoff handoff = new Handoff(LCORES, 64);
    private final ConnTracker[] trackers = new ConnTracker[LCORES];
    /** Per lcore, per port: its processor. */
    private final RulesProcessor[][] processors = new RulesProcessor[LCORES][2];
    private final MbufArray burst = new MbufArray(1);
    private final int[] destination = new int[1];
    private final long[] words = new long[1];
    private final PacketView view = new PacketView();
    /** The lcores the last packet went through, the one it landed on first. */
    private final List<Integer> path = new ArrayList<>();
    private int inUseAtStart;

    @BeforeAll
    static void startEal()
    {
        eal = Eal.init(ealArgs());
        pool = Mempool.createPktmbufPool("handoff", 1023, 0, Mempool.DEFAULT_DATA_ROOM_SIZE, eal.socketId());
    }

    @AfterAll
    static void stopEal()
    {
        pool.close();
        eal.close();
    }

    @AfterEach
    void closeTrackers()
    {
        for (int lcore = 0; lcore < LCORES; lcore++)
        {
            assertEquals(0, handoff.poll(lcore, 1 - lcore, words, 1), "nothing left on a ring");
            trackers[lcore].close();
        }
        assertEquals(inUseAtStart, pool.inUseCount());
    }

    private void rules(final RuleSet ruleSet)
    {
        inUseAtStart = pool.inUseCount();
        final RulesSource source = new RulesSource(new RulesState(new CompiledRules(ruleSet), 1, 2 * LCORES));
        for (int lcore = 0; lcore < LCORES; lcore++)
        {
            trackers[lcore] = new ConnTracker(new ConnTable(1024, 0x5EED + lcore));
            for (int port = 0; port < 2; port++)
            {
                final RulesProcessor processor = new RulesProcessor(port, 1 - port, 2 * lcore + port, source,
                    new long[EthDev.MAX_PORTS], FlowCache.DEFAULT_ENTRIES, 0, PacketChecks.DEFAULT, trackers[lcore]);
                processor.shareConnections(owners, lcore, handoff, new int[] {0, 1});
                processors[lcore][port] = processor;
            }
        }
    }

    /**
     * Gives {@code frame}, arrived on {@code port}, to lcore {@code lcore}, then runs it wherever it is handed, as
     * {@code HandoffStream} would; copies what it became back into it.
     *
     * @return the port it leaves by, or {@link RulesProcessor#DROP}; {@link #path} says where it went.
     */
    private int send(final int lcore, final int port, final byte[] frame)
    {
        path.clear();
        final long mbuf = OneFrame.load(pool, frame, 0, port);
        int at = lcore;
        int hop = ConnTracker.FROM_QUEUE;
        while (true)
        {
            path.add(at);
            final RulesProcessor processor = processors[at][port];
            processor.beginBurst();
            burst.set(0, mbuf);
            if (ConnTracker.FROM_QUEUE == hop)
            {
                processor.process(burst, 1, destination);
            }
            else
            {
                processor.processHandedOff(burst, 1, destination, hop);
            }
            processor.endBurst();
            if (RulesProcessor.TAKEN != destination[0])
            {
                break;
            }
            final int from = at;
            at = 1 - at;
            assertEquals(1, handoff.poll(at, from, words, 1), "handed to the other lcore");
            assertEquals(mbuf, words[0] & ~Handoff.HOP);
            hop = (int)(words[0] & Handoff.HOP);
            assertTrue(path.size() <= 2, "two hops at most: " + path);
        }
        copyBack(mbuf, frame);
        return destination[0];
    }

    /** A source port of {@code owner}'s, the first from {@code from} on. */
    private int portOf(final int owner, final int from)
    {
        int port = from;
        while (owners.of(port) != owner)
        {
            port++;
        }
        return port;
    }

    @Test
    void aConnectionIsCreatedByItsSourcePortsOwnerAndItsPacketsReachItWhereverTheyLand() throws Exception
    {
        rules(RulesParser.parse(Path.of("..", "examples", "redirect.rules")));
        // The service port's owner is where a packet is first asked for as a reply; the other lcore, "elsewhere".
        final int asked = owners.of(8080);
        final int elsewhere = 1 - asked;
        // A client port of the lcore it lands on, which is not the service port's: asked there first (a miss), then
        // created back here: two hops, once.
        final int local = portOf(elsewhere, 40000);
        final byte[] first = udp(CLIENT, SERVICE, local, 8080);
        assertEquals(1, send(elsewhere, 0, first));
        assertEquals(List.of(elsewhere, asked, elsewhere), path);
        StatefulRulesTest.assertTupleOf(view, first, CLIENT, SERVER, local, 8083);
        assertEquals(1, trackers[elsewhere].table().used());
        assertEquals(0, trackers[asked].table().used());
        // Its later packets landing there stay there; the server's replies, wherever they land, are translated back
        // by the lcore that holds it.
        assertEquals(1, send(elsewhere, 0, udp(CLIENT, SERVICE, local, 8080)));
        assertEquals(List.of(elsewhere), path);
        for (final int landed : new int[] {asked, elsewhere})
        {
            final byte[] reply = udp(SERVER, CLIENT, 8083, local);
            assertEquals(0, send(landed, 1, reply));
            assertEquals(landed == elsewhere ? List.of(elsewhere) : List.of(asked, elsewhere), path);
            StatefulRulesTest.assertTupleOf(view, reply, SERVICE, CLIENT, 8080, local);
        }
        // A client port of the other lcore's: created there, one hop.
        final int remote = portOf(asked, 40000);
        assertEquals(1, send(elsewhere, 0, udp(CLIENT, SERVICE, remote, 8080)));
        assertEquals(List.of(elsewhere, asked), path);
        assertEquals(1, trackers[asked].table().used());
        final byte[] reply = udp(SERVER, CLIENT, 8083, remote);
        assertEquals(0, send(elsewhere, 1, reply));
        assertEquals(List.of(elsewhere, asked), path);
        StatefulRulesTest.assertTupleOf(view, reply, SERVICE, CLIENT, 8080, remote);
        // One connection per flow, nowhere twice.
        assertEquals(2, trackers[0].table().used() + trackers[1].table().used());
        final long handed = trackers[0].counters().get(ConnCounter.HANDED_OFF) +
            trackers[1].counters().get(ConnCounter.HANDED_OFF);
        assertEquals(5, handed, "two for the first packet, one per reply landed elsewhere, one for the remote flow");
        final long handedOff = processors[0][0].outcome(RuleOutcome.HANDED_OFF.ordinal()) +
            processors[1][0].outcome(RuleOutcome.HANDED_OFF.ordinal()) +
            processors[0][1].outcome(RuleOutcome.HANDED_OFF.ordinal()) +
            processors[1][1].outcome(RuleOutcome.HANDED_OFF.ordinal());
        assertEquals(handed, handedOff);
    }

    @Test
    void masqueradeTakesOnlyItsOwnLcoresPortsSoTheRepliesComeBackToIt() throws Exception
    {
        // Four ports: each lcore owns two of them (each aligned pair of ports holds both owners).
        rules(RulesParser.parse("out: ip4 in-port 0 proto udp => accept masquerade 192.0.2.1 ports 20000-20003\n",
            "masquerade.rules"));
        for (int lcore = 0; lcore < LCORES; lcore++)
        {
            final List<Integer> taken = new ArrayList<>();
            for (int flow = 0; flow < 3; flow++)
            {
                final int port = portOf(lcore, 5000 + 100 * flow);
                final byte[] datagram = udp(CLIENT, SERVER, port, 53);
                final int sent = send(lcore, 0, datagram);
                if (flow < 2)
                {
                    assertEquals(1, sent);
                    final int translated = Short.toUnsignedInt(MemorySegment.ofArray(datagram)
                        .get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN), 34));
                    assertEquals(lcore, owners.of(translated), "a port of the lcore that holds the connection");
                    taken.add(translated);
                    final byte[] reply = udp(SERVER, NAT, 53, translated);
                    assertEquals(0, send(1 - lcore, 1, reply), "a reply landing on the other lcore");
                    StatefulRulesTest.assertTupleOf(view, reply, SERVER, CLIENT, 53, port);
                }
                else
                {
                    assertEquals(RulesProcessor.DROP, sent, "this lcore's two ports are taken: " + taken);
                }
            }
            assertEquals(2, taken.stream().distinct().count());
            assertEquals(1, trackers[lcore].counters().get(ConnCounter.NAT_CLASHES));
        }
    }

    @Test
    void icmpErrorsAndLaterFragmentsFindTheLcoreOfTheirConnection() throws Exception
    {
        rules(RulesParser.parse(Path.of("..", "examples", "redirect.rules")));
        final int owner = 1 - owners.of(8080);
        final int clientPort = portOf(owner, 5000);
        final byte[] request = udp(CLIENT, SERVICE, clientPort, 8080);
        assertEquals(1, send(owner, 0, request));
        // Port unreachable from the server, quoting the datagram as it left, landing on the other lcore.
        final byte[] quote = Arrays.copyOfRange(request, 14, request.length);
        final byte[] body = new byte[4 + quote.length];
        System.arraycopy(quote, 0, body, 4, quote.length);
        final byte[] error = new FrameBuilder().ipv4(SERVER, CLIENT).icmp(3, 3, body).build();
        assertEquals(0, send(1 - owner, 1, error));
        assertEquals(List.of(1 - owner, owner), path);
        assertEquals(1, trackers[owner].counters().get(ConnCounter.RELATED));
        assertEquals(Ipv4Header.toString(SERVICE),
            Ipv4Header.toString(Ipv4Header.source(MemorySegment.ofArray(error), 14)));
        // A datagram in fragments landing on the lcore that does not own it: the first is handed (and noted), the
        // later ones follow it there, and all take the connection's translation.
        final int fragmented = portOf(owner, 6000);
        final byte[][] fragments = StatefulRulesTest.inFragments(new FrameBuilder().ipv4(CLIENT, SERVICE)
            .udp(fragmented, 8080).length(14 + 20 + 1000).build());
        for (final byte[] fragment : fragments)
        {
            assertEquals(1, send(1 - owner, 0, fragment));
            assertEquals(owner, path.get(path.size() - 1).intValue());
        }
        StatefulRulesTest.assertReassembles(fragments, CLIENT, SERVER, 8083);
        assertEquals(0, trackers[0].counters().get(ConnCounter.FRAGMENT_ORPHANS) +
            trackers[1].counters().get(ConnCounter.FRAGMENT_ORPHANS));
        assertEquals(0, trackers[1 - owner].table().used());
    }

    @Test
    void laterFragmentsHeldBeforeTheirFirstFollowItToItsLcore() throws Exception
    {
        rules(RulesParser.parse(Path.of("..", "examples", "redirect.rules")));
        trackers[0].holdFragments(true);
        trackers[1].holdFragments(true);
        final int owner = 1 - owners.of(8080);
        final int landed = 1 - owner;
        final byte[][] fragments = StatefulRulesTest.inFragments(new FrameBuilder().ipv4(CLIENT, SERVICE)
            .udp(portOf(owner, 7000), 8080).length(14 + 20 + 1000).build());
        // The last and the middle land first, on the lcore that will not hold the connection: held there.
        final long last = held(landed, fragments[2]);
        final long middle = held(landed, fragments[1]);
        // The first lands there too: handed to the owner (and noted), which creates the connection.
        assertEquals(1, send(landed, 0, fragments[0]));
        assertEquals(List.of(landed, owner), path);
        // The held two are given back where they were held, follow the note to the owner, and are translated there.
        final MbufArray released = new MbufArray(32);
        final int[] destinations = new int[32];
        processors[landed][0].beginBurst();
        assertEquals(2, processors[landed][0].processReleased(released, destinations));
        processors[landed][0].endBurst();
        for (int i = 0; i < 2; i++)
        {
            assertEquals(RulesProcessor.TAKEN, destinations[i], "handed to the owner");
            assertEquals(1, handoff.poll(owner, landed, words, 1));
            assertEquals(released.get(i), words[0] & ~Handoff.HOP);
            burst.set(0, released.get(i));
            processors[owner][0].beginBurst();
            processors[owner][0].processHandedOff(burst, 1, destination, (int)(words[0] & Handoff.HOP));
            processors[owner][0].endBurst();
            assertEquals(1, destination[0]);
        }
        assertEquals(last, released.get(0));
        assertEquals(middle, released.get(1));
        copyBack(last, fragments[2]);
        copyBack(middle, fragments[1]);
        StatefulRulesTest.assertReassembles(fragments, CLIENT, SERVER, 8083);
        assertEquals(2, trackers[landed].counters().get(ConnCounter.FRAGMENTS_HELD));
        assertEquals(1, trackers[owner].table().used());
        assertEquals(0, trackers[landed].table().used());
    }

    /** Gives a later fragment to lcore {@code lcore} on port 0, where it is held (not handed): its mbuf. */
    private long held(final int lcore, final byte[] frame)
    {
        final long mbuf = OneFrame.load(pool, frame, 0, 0);
        processors[lcore][0].beginBurst();
        burst.set(0, mbuf);
        processors[lcore][0].process(burst, 1, destination);
        processors[lcore][0].endBurst();
        assertEquals(RulesProcessor.TAKEN, destination[0]);
        assertEquals(0, handoff.poll(1 - lcore, lcore, words, 1), "held, not handed");
        return mbuf;
    }

    private static void copyBack(final long mbuf, final byte[] frame)
    {
        MemorySegment.copy(ALL, ValueLayout.JAVA_BYTE, Mbuf.dataAddress(mbuf), frame, 0, frame.length);
        Mbuf.free(mbuf);
    }

    private static byte[] udp(final int source, final int destination, final int sourcePort,
        final int destinationPort)
    {
        return new FrameBuilder().ipv4(source, destination).udp(sourcePort, destinationPort).length(100).build();
    }
}
