package dev.dataplane.forwarder.conntrack;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Connections followed packet by packet, under a clock the test moves (milliseconds). */
class ConnTrackerTest
{
    private static final int CLIENT = Ipv4Header.parseAddress("10.0.8.18");
    private static final int SERVER = Ipv4Header.parseAddress("10.0.1.2");

    private static final ValueLayout.OfInt BIG_INT = JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfShort BIG_SHORT = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final ConnTable table = new ConnTable(64, 0x5EED);
    private final ConnTracker tracker = new ConnTracker(table);
    private final PacketView view = new PacketView();

    @AfterEach
    void close()
    {
        table.close();
    }

    @Test
    void aTcpConnectionIsNewUntilAnsweredThenEstablishedAndClosesThroughTimeWait()
    {
        assertEquals(ConnTracker.NEW, tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.SYN, 0));
        assertEquals(TcpState.SYN_SENT, tracker.lastTcpState());
        assertEquals(ConnTracker.NEW, tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.SYN, 500), "a retransmitted SYN");
        assertEquals(ConnTracker.ESTABLISHED, tcp(SERVER, CLIENT, 8080, 40000, TcpHeader.SYN | TcpHeader.ACK, 1000));
        assertTrue(tracker.lastWasReply());
        assertEquals(TcpState.SYN_RECV, tracker.lastTcpState());
        assertEquals(ConnTracker.ESTABLISHED, tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.ACK, 1001));
        assertEquals(TcpState.ESTABLISHED, tracker.lastTcpState());
        assertEquals(7_441_001, table.expiresAt(0), "ESTABLISHED lives 7440 s from the last segment");
        tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.FIN | TcpHeader.ACK, 2000);
        tcp(SERVER, CLIENT, 8080, 40000, TcpHeader.ACK, 2001);
        tcp(SERVER, CLIENT, 8080, 40000, TcpHeader.FIN | TcpHeader.ACK, 2002);
        assertEquals(TcpState.LAST_ACK, tracker.lastTcpState());
        tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.ACK, 2003);
        assertEquals(TcpState.TIME_WAIT, tracker.lastTcpState());
        assertEquals(ConnTracker.NEW, tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.SYN, 2003 + 120_000),
            "TIME_WAIT ran out: the same tuple opens a new connection");
        assertEquals(1, tracker.counters().get(ConnCounter.EXPIRED));
        assertEquals(2, tracker.counters().get(ConnCounter.CREATED));
        tracker.sweep(2003 + 120_000, 0);
        assertEquals(9, tracker.counters().get(ConnCounter.LOOKUPS), "published by the sweep");
        assertEquals(7, tracker.counters().get(ConnCounter.HITS), "all but the two SYNs that opened connections");
        assertEquals(1, tracker.counters().get(ConnCounter.IN_USE));
    }

    @Test
    void aSynInTimeWaitReopensTheConnectionWithNewSequenceNumbers()
    {
        assertEquals(ConnTracker.NEW, tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.SYN, 1000, 0, 65535, 0));
        tcp(SERVER, CLIENT, 8080, 40000, TcpHeader.SYN | TcpHeader.ACK, 9000, 1001, 65535, 1);
        tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.ACK, 1001, 9001, 65535, 2);
        tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.FIN | TcpHeader.ACK, 1001, 9001, 65535, 3);
        tcp(SERVER, CLIENT, 8080, 40000, TcpHeader.FIN | TcpHeader.ACK, 9001, 1002, 65535, 4);
        tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.ACK, 1002, 9002, 65535, 5);
        assertEquals(TcpState.TIME_WAIT, tracker.lastTcpState());
        // The client opens the same tuple again at once, from an unrelated initial sequence number (RFC 6191).
        assertEquals(ConnTracker.NEW, tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.SYN, 50_000_000, 0, 65535, 6),
            "a new connection on the old tuple");
        assertEquals(TcpState.SYN_SENT, tracker.lastTcpState());
        assertEquals(ConnTracker.ESTABLISHED,
            tcp(SERVER, CLIENT, 8080, 40000, TcpHeader.SYN | TcpHeader.ACK, 70_000_000, 50_000_001, 65535, 7));
        assertEquals(ConnTracker.ESTABLISHED,
            tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.ACK, 50_000_001, 70_000_001, 65535, 8));
        assertEquals(TcpState.ESTABLISHED, tracker.lastTcpState());
        assertEquals(0, tracker.counters().get(ConnCounter.INVALID_WINDOW) + tracker.counters().get(
            ConnCounter.INVALID_STATE));
        assertEquals(1, tracker.counters().get(ConnCounter.REOPENED));
        assertEquals(1, tracker.counters().get(ConnCounter.CREATED), "the same entry, opened again");
    }

    @Test
    void segmentsThatFitNoStateAreInvalidAndCounted()
    {
        assertEquals(ConnTracker.INVALID, tcp(SERVER, CLIENT, 8080, 40000, TcpHeader.SYN | TcpHeader.ACK, 0),
            "a SYN-ACK that answers nothing opens nothing");
        assertEquals(1, tracker.counters().get(ConnCounter.INVALID_NEW));
        assertEquals(0, table.used());
        tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.SYN, 0);
        assertEquals(ConnTracker.INVALID, tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.ACK, 1),
            "an ACK before any SYN-ACK");
        assertEquals(1, tracker.counters().get(ConnCounter.INVALID_STATE));
        assertEquals(TcpState.SYN_SENT, TcpState.of(table.state(0) & 0xFF), "the state stands");
        assertEquals(ConnTracker.ESTABLISHED, tcp(SERVER, CLIENT, 8080, 40000, TcpHeader.RST | TcpHeader.ACK, 2));
        assertEquals(TcpState.CLOSE, tracker.lastTcpState());
    }

    @Test
    void aSegmentOutsideItsConnectionsWindowsIsInvalidUnlessLiberal()
    {
        assertEquals(ConnTracker.NEW, tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.SYN, 1000, 0, 65535, 0));
        assertEquals(ConnTracker.ESTABLISHED,
            tcp(SERVER, CLIENT, 8080, 40000, TcpHeader.SYN | TcpHeader.ACK, 9000, 1001, 65535, 1));
        assertEquals(ConnTracker.ESTABLISHED, tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.ACK, 1001, 9001, 65535, 2));
        assertEquals(ConnTracker.INVALID,
            tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.ACK, 1001 + 50_000_000, 9001, 65535, 3));
        assertEquals(TcpWindow.SEQ_OVER, tracker.lastWindowVerdict());
        assertEquals(ConnTracker.INVALID,
            tcp(SERVER, CLIENT, 8080, 40000, TcpHeader.RST, 9001 + 50_000_000, 0, 0, 4), "an RST out of window");
        assertEquals(2, tracker.counters().get(ConnCounter.INVALID_WINDOW));
        assertEquals(TcpState.ESTABLISHED, TcpState.of(table.state(0) & 0xFF), "neither closed the connection");
        tracker.liberal(true);
        assertEquals(ConnTracker.ESTABLISHED,
            tcp(CLIENT, SERVER, 40000, 8080, TcpHeader.ACK, 1001 + 50_000_000, 9001, 65535, 5));
    }

    @Test
    void readsTheWindowScaleOfASynsOptions()
    {
        final byte[] header = new byte[32];
        header[12] = (byte)(8 << 4);
        final byte[] options = {2, 4, 0x05, (byte)0xB4, 1, 3, 3, 7, 1, 1, 0, 0};
        System.arraycopy(options, 0, header, 20, options.length);
        assertEquals(7, ConnTracker.windowScaleOption(MemorySegment.ofArray(header), 0, 32));
        header[25] = 2;
        assertEquals(-1, ConnTracker.windowScaleOption(MemorySegment.ofArray(header), 0, 32), "a bad option length");
        assertEquals(-1, ConnTracker.windowScaleOption(MemorySegment.ofArray(header), 0, 20), "no options");
    }

    @Test
    void thePacedSweepGoesRoundTheTableOnceASecondAFewSlotsAtATime()
    {
        // The 64-connection table: a slot a millisecond at least (the grant rounds up), laps within the second.
        for (int port = 0; port < 40; port++)
        {
            udp(CLIENT, SERVER, 5000 + port, 8080, 0);
        }
        assertEquals(40, table.used());
        final long expired = ConnTracker.UDP_UNREPLIED_MILLIS;
        long now = expired - 1;
        tracker.sweepPaced(now);
        for (int ms = 0; ms < ConnTracker.SWEEP_ROUND_MILLIS; ms++)
        {
            tracker.sweepPaced(++now);
        }
        assertEquals(0, table.used(), "a lap a second reclaimed every connection that ran out");
        assertEquals(40, tracker.counters().get(ConnCounter.EXPIRED));

        // A clock that jumps grants a lap at most, spent at most SWEEP_MOST_A_CALL slots a call.
        final ConnTable big = new ConnTable(1024, 0x5EED);
        // The tracker closes its table.
        try (ConnTracker paced = new ConnTracker(big))
        {
            for (int i = 0; i < 200; i++)
            {
                big.insert(i, 1, i, 2, 10);
            }
            paced.sweepPaced(0);
            paced.sweepPaced(1_000_000);
            assertEquals(200 - ConnTracker.SWEEP_MOST_A_CALL, big.used(), "the first 64 slots, all expired");
            for (int call = 0; call < 1024 / ConnTracker.SWEEP_MOST_A_CALL; call++)
            {
                paced.sweepPaced(1_000_000);
            }
            assertEquals(0, big.used(), "the lap granted, spent over the calls that followed");
        }
    }

    @Test
    void aUdpFlowLives30SecondsUnansweredAnd120Answered()
    {
        assertEquals(ConnTracker.NEW, udp(CLIENT, SERVER, 5000, 8080, 0));
        assertEquals(ConnTracker.NEW, udp(CLIENT, SERVER, 5000, 8080, 29_000), "still unanswered");
        assertEquals(ConnTracker.NEW, udp(CLIENT, SERVER, 5000, 8080, 59_001), "expired at 59,000: a new one");
        assertEquals(ConnTracker.ESTABLISHED, udp(SERVER, CLIENT, 8080, 5000, 60_000));
        assertEquals(ConnTracker.ESTABLISHED, udp(CLIENT, SERVER, 5000, 8080, 179_999));
        tracker.sweep(299_998, 64);
        assertEquals(1, table.used());
        tracker.sweep(299_999, 64);
        assertEquals(0, table.used(), "the sweep removed it when its 120 s ran out");
        assertEquals(2, tracker.counters().get(ConnCounter.EXPIRED));
        assertEquals(2, tracker.counters().get(ConnCounter.EXPIRED_UDP));
        assertEquals(0, tracker.counters().get(ConnCounter.EXPIRED_TCP));
        assertFalse(tracker.lastWasReply());
    }

    @Test
    void aFullTableRefusesNewConnectionsAndCountsThem()
    {
        for (int port = 1; port <= 64; port++)
        {
            assertEquals(ConnTracker.NEW, udp(CLIENT, SERVER, port, 53, 0));
        }
        assertEquals(ConnTracker.TABLE_FULL, udp(CLIENT, SERVER, 65, 53, 0));
        assertEquals(1, tracker.counters().get(ConnCounter.TABLE_FULL));
        assertEquals(ConnTracker.ESTABLISHED, udp(SERVER, CLIENT, 53, 7, 1), "a known flow still passes");
    }

    @Test
    void anEchoIsAnsweredByItsReplyAndAStrayReplyIsInvalid()
    {
        assertEquals(ConnTracker.NEW, track(icmp(CLIENT, SERVER, 8, 0, echo(0x1234)), 0));
        assertEquals(ConnTracker.ESTABLISHED, track(icmp(SERVER, CLIENT, 0, 0, echo(0x1234)), 10));
        assertTrue(tracker.lastWasReply());
        assertEquals(ConnTracker.INVALID, track(icmp(SERVER, CLIENT, 0, 0, echo(0x4321)), 20), "no such request");
        assertEquals(ConnTracker.NEW, track(icmp(CLIENT, SERVER, 8, 0, echo(0x1234)), 30_010), "30 s later: gone");
    }

    @Test
    void anIcmpErrorAboutATrackedConnectionIsRelated()
    {
        final byte[] datagram = new FrameBuilder().ipv4(CLIENT, SERVER).udp(5000, 8083).build();
        assertEquals(ConnTracker.NEW, track(datagram, 0));
        // Port unreachable from the server, quoting the datagram's IPv4 header and first 8 bytes.
        final byte[] quote = Arrays.copyOfRange(datagram, 14, 14 + 28);
        assertEquals(ConnTracker.RELATED, track(icmp(SERVER, CLIENT, 3, 3, withHeader(quote)), 1));
        assertEquals(1, tracker.counters().get(ConnCounter.RELATED));
        final byte[] other = new FrameBuilder().ipv4(CLIENT, SERVER).udp(5001, 8083).build();
        assertEquals(ConnTracker.INVALID,
            track(icmp(SERVER, CLIENT, 3, 3, withHeader(Arrays.copyOfRange(other, 14, 42))), 2),
            "about a datagram of no connection");
        assertEquals(ConnTracker.UNTRACKED, track(icmp(SERVER, CLIENT, 13, 0, echo(1)), 3), "a timestamp request");
    }

    @Test
    void theLaterFragmentsOfADatagramBelongToItsFirstFragmentsConnection()
    {
        assertEquals(ConnTracker.NEW, track(fragment(CLIENT, SERVER, 0x0101, 0, true), 0), "the first fragment");
        final int reference = tracker.lastReference();
        assertEquals(ConnTracker.NEW, track(fragment(CLIENT, SERVER, 0x0101, 185, false), 10));
        assertEquals(reference, tracker.lastReference(), "the last fragment: the first one's connection");
        assertEquals(ConnTracker.ESTABLISHED, udp(SERVER, CLIENT, 8083, 5000, 20));
        assertEquals(ConnTracker.ESTABLISHED, track(fragment(CLIENT, SERVER, 0x0101, 370, true), 30),
            "a middle fragment after the reply");
        assertEquals(ConnTracker.UNTRACKED, track(fragment(CLIENT, SERVER, 0x0202, 185, false), 40),
            "a datagram whose first fragment never came");
        assertEquals(ConnTracker.UNTRACKED,
            track(fragment(CLIENT, SERVER, 0x0101, 555, false), 40 + ConnTracker.FRAGMENT_LIFETIME_MILLIS),
            "its note ran out");
        assertEquals(2, tracker.counters().get(ConnCounter.FRAGMENT_ORPHANS));
        assertEquals(1, table.used());
    }

    @Test
    void otherTrafficIsUntracked()
    {
        final byte[] v6 = new FrameBuilder().ipv6(new long[] {1, 2}, new long[] {3, 4}).udp(1, 2).build();
        view.parse(MemorySegment.ofArray(v6), 0, v6.length);
        assertEquals(ConnTracker.UNTRACKED, tracker.track(view, 0));
        assertEquals(1, tracker.counters().get(ConnCounter.UNTRACKED));
    }

    private int tcp(final int source, final int destination, final int sourcePort, final int destinationPort,
        final int flags, final long now)
    {
        return track(new FrameBuilder().ipv4(source, destination).tcp(sourcePort, destinationPort, flags).build(), now);
    }

    /** A segment with these sequence, acknowledgment and window numbers (FrameBuilder writes zeros). */
    private int tcp(final int source, final int destination, final int sourcePort, final int destinationPort,
        final int flags, final int seq, final int ack, final int window, final long now)
    {
        final byte[] frame = new FrameBuilder().ipv4(source, destination).tcp(sourcePort, destinationPort, flags)
            .build();
        final MemorySegment s = MemorySegment.ofArray(frame);
        final long l4 = 14 + 20;
        s.set(BIG_INT, l4 + TcpHeader.SEQUENCE_OFFSET, seq);
        s.set(BIG_INT, l4 + TcpHeader.ACKNOWLEDGMENT_OFFSET, ack);
        s.set(BIG_SHORT, l4 + TcpHeader.WINDOW_OFFSET, (short)window);
        return track(frame, now);
    }

    private int udp(final int source, final int destination, final int sourcePort, final int destinationPort,
        final long now)
    {
        return track(new FrameBuilder().ipv4(source, destination).udp(sourcePort, destinationPort).build(), now);
    }

    /**
     * A fragment of a UDP datagram 5000 to 8083 with IP id {@code id}: at {@code offset} (8-byte units; 0: the first,
     * with the UDP header), with or without more to come.
     */
    private static byte[] fragment(final int source, final int destination, final int id, final int offset,
        final boolean more)
    {
        final byte[] frame = new FrameBuilder().ipv4(source, destination).udp(5000, 8083).length(128).build();
        final MemorySegment s = MemorySegment.ofArray(frame);
        s.set(BIG_SHORT, 14 + Ipv4Header.IDENTIFICATION_OFFSET, (short)id);
        s.set(BIG_SHORT, 14 + Ipv4Header.FRAGMENT_OFFSET,
            (short)((more ? Ipv4Header.FLAG_MORE_FRAGMENTS : 0) | offset));
        s.set(BIG_SHORT, 14 + 10, (short)0);
        s.set(BIG_SHORT, 14 + 10, (short)InternetChecksum.checksum(s, 14, 20));
        return frame;
    }

    /** An Ethernet/IPv4/ICMP frame of {@code type} and {@code code} whose ICMP body (after 4 bytes) is {@code body}. */
    private static byte[] icmp(final int source, final int destination, final int type, final int code,
        final byte[] body)
    {
        return new FrameBuilder().ipv4(source, destination).icmp(type, code, body).build();
    }

    /** An echo's body after the type, code and checksum: identifier, sequence, 8 bytes of data. */
    private static byte[] echo(final int id)
    {
        return new byte[] {(byte)(id >>> 8), (byte)id, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8};
    }

    /** An error's body: 4 unused bytes, then the quoted packet. */
    private static byte[] withHeader(final byte[] quote)
    {
        final byte[] body = new byte[4 + quote.length];
        System.arraycopy(quote, 0, body, 4, quote.length);
        return body;
    }

    private int track(final byte[] frame, final long now)
    {
        view.parse(MemorySegment.ofArray(frame), 0, frame.length);
        return tracker.track(view, now);
    }
}
