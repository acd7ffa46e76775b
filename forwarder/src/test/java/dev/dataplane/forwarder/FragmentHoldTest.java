package dev.dataplane.forwarder;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.forwarder.conntrack.ConnCounter;
import dev.dataplane.forwarder.conntrack.ConnTable;
import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.RuleOutcome;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.RulesProcessors;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Later fragments that come before their datagram's first are held for it (the tracker keeps their mbufs): when the
 * first comes they are given back, in the order they came, and go out with its connection's translation; those whose
 * first never comes are freed when they run out; the hold is bounded, and what finds it full goes on untracked.
 * Every mbuf is back in the pool at the end.
 */
class FragmentHoldTest
{
    private static final int CLIENT = Ipv4Header.parseAddress("10.0.8.18");
    private static final int SERVICE = Ipv4Header.parseAddress("10.0.8.17");
    private static final int SERVER = Ipv4Header.parseAddress("10.0.1.2");

    private static Eal eal;
    private static Mempool pool;

    private final MbufArray one = new MbufArray(1);
    private final int[] destination = new int[1];

    @BeforeAll
    static void startEal()
    {
        eal = Eal.init(ealArgs());
        pool = Mempool.createPktmbufPool("hold", 1023, 0, Mempool.DEFAULT_DATA_ROOM_SIZE, eal.socketId());
    }

    @AfterAll
    static void stopEal()
    {
        assertEquals(0, pool.inUseCount());
        pool.close();
        eal.close();
    }

    @Test
    void laterFragmentsWaitForTheirFirstThenTakeItsTranslationInTheOrderTheyCame() throws Exception
    {
        final ConnTracker tracker = new ConnTracker(new ConnTable(1024, 0x5EED));
        tracker.holdFragments(true);
        final RulesProcessor processor = processor(tracker);
        try
        {
            final byte[][] fragments = StatefulRulesTest.inFragments(new FrameBuilder().ipv4(CLIENT, SERVICE)
                .udp(5000, 8080).length(14 + 20 + 1000).build());
            // The last, then the middle: held, neither sent nor freed.
            final long last = send(processor, fragments[2]);
            assertEquals(RulesProcessor.TAKEN, destination[0]);
            final long middle = send(processor, fragments[1]);
            assertEquals(RulesProcessor.TAKEN, destination[0]);
            assertEquals(2, tracker.counters().get(ConnCounter.FRAGMENTS_HELD));
            assertEquals(2, pool.inUseCount(), "the tracker holds them");
            // The first: forwarded, and the two given back, oldest first, with its translation.
            final long first = send(processor, fragments[0]);
            assertEquals(1, destination[0]);
            copyBack(first, fragments[0]);
            final MbufArray released = new MbufArray(32);
            final int[] destinations = new int[32];
            processor.beginBurst();
            assertEquals(2, processor.processReleased(released, destinations));
            assertEquals(0, processor.processReleased(released, destinations));
            processor.endBurst();
            assertEquals(last, released.get(0));
            assertEquals(middle, released.get(1));
            assertEquals(1, destinations[0]);
            assertEquals(1, destinations[1]);
            copyBack(last, fragments[2]);
            copyBack(middle, fragments[1]);
            StatefulRulesTest.assertReassembles(fragments, CLIENT, SERVER, 8083);
            assertEquals(3, processor.outcome(RuleOutcome.FRAGMENTS.ordinal()), "each counted once");
            assertEquals(0, tracker.counters().get(ConnCounter.FRAGMENT_ORPHANS));
            assertEquals(0, pool.inUseCount());

            // A later fragment whose first never comes: freed when it runs out.
            send(processor, laterFragment(0x1111));
            assertEquals(RulesProcessor.TAKEN, destination[0]);
            tracker.sweep(System.currentTimeMillis() + ConnTracker.FRAGMENT_LIFETIME_MILLIS + 1, 0);
            assertEquals(1, tracker.counters().get(ConnCounter.FRAGMENT_TIMEOUTS));
            assertEquals(0, pool.inUseCount());

            // Bounded: what finds the hold full goes on as an orphan, untracked; the rest are freed at the end.
            for (int i = 0; i < ConnTracker.HELD_FRAGMENTS; i++)
            {
                send(processor, laterFragment(0x2000 + i));
                assertEquals(RulesProcessor.TAKEN, destination[0]);
            }
            final long orphan = send(processor, laterFragment(0x3000));
            assertNotEquals(RulesProcessor.TAKEN, destination[0]);
            Mbuf.free(orphan);
            assertEquals(1, tracker.counters().get(ConnCounter.FRAGMENT_ORPHANS));
            assertEquals(ConnTracker.HELD_FRAGMENTS, pool.inUseCount());
            assertEquals(ConnTracker.HELD_FRAGMENTS, tracker.freeHeld());
            assertEquals(0, pool.inUseCount());
        }
        finally
        {
            tracker.close();
        }
    }

    @Test
    void withoutHoldingALaterFragmentBeforeItsFirstIsAnOrphan() throws Exception
    {
        final ConnTracker tracker = new ConnTracker(new ConnTable(1024, 0x5EED));
        final RulesProcessor processor = processor(tracker);
        try
        {
            final long mbuf = send(processor, laterFragment(0x4444));
            assertNotEquals(RulesProcessor.TAKEN, destination[0]);
            Mbuf.free(mbuf);
            assertEquals(1, tracker.counters().get(ConnCounter.FRAGMENT_ORPHANS));
            assertEquals(0, tracker.counters().get(ConnCounter.FRAGMENTS_HELD));
        }
        finally
        {
            tracker.close();
        }
    }

    private static RulesProcessor processor(final ConnTracker tracker) throws Exception
    {
        return RulesProcessors.standalone(new CompiledRules(RulesParser.parse(Path.of("..", "examples",
            "redirect.rules"))), 0, 1, tracker);
    }

    /** The middle fragment of a datagram to the service with IP id {@code id}, whose first is never sent. */
    private static byte[] laterFragment(final int id)
    {
        final byte[] fragment = StatefulRulesTest.inFragments(new FrameBuilder().ipv4(CLIENT, SERVICE)
            .udp(6000, 8080).length(14 + 20 + 1000).build())[1];
        final MemorySegment s = MemorySegment.ofArray(fragment);
        NetworkOrder.u16(s, 14 + Ipv4Header.IDENTIFICATION_OFFSET, id);
        Ipv4Header.computeChecksum(s, 14);
        return fragment;
    }

    /** Runs {@code frame} through {@code processor} as a burst of one; its mbuf ({@link #destination} says where). */
    private long send(final RulesProcessor processor, final byte[] frame)
    {
        final long mbuf = OneFrame.load(pool, frame, 0, 0);
        one.set(0, mbuf);
        processor.beginBurst();
        processor.process(one, 1, destination);
        processor.endBurst();
        return mbuf;
    }

    /** Copies what the frame in {@code mbuf} became back into {@code frame} and frees the mbuf. */
    private static void copyBack(final long mbuf, final byte[] frame)
    {
        MemorySegment.copy(ALL, ValueLayout.JAVA_BYTE, Mbuf.dataAddress(mbuf), frame, 0, frame.length);
        Mbuf.free(mbuf);
    }
}
