package dev.dataplane.forwarder.conntrack;

import static dev.dataplane.forwarder.conntrack.TcpWindow.ACK_OVER;
import static dev.dataplane.forwarder.conntrack.TcpWindow.OK;
import static dev.dataplane.forwarder.conntrack.TcpWindow.SEQ_OVER;
import static dev.dataplane.forwarder.conntrack.TcpWindow.SEQ_UNDER;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.dataplane.net.TcpHeader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Segments in and out of window, as a box in the middle sees them. */
class TcpWindowTest
{
    private static final long CLIENT = 0;
    private static final long SERVER = TcpWindow.BYTES;
    private static final int SYN = TcpHeader.SYN;
    private static final int SYN_ACK = TcpHeader.SYN | TcpHeader.ACK;
    private static final int ACK = TcpHeader.ACK;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment entries = arena.allocate(2 * TcpWindow.BYTES);
    private int state = TcpState.NONE.ordinal();

    @AfterEach
    void close()
    {
        arena.close();
    }

    @Test
    void aHandshakeAndDataWithinTheWindowsPass()
    {
        handshake(1000, 5000, 7, 7);
        assertEquals(7, TcpWindow.scale(entries, CLIENT), "both offered scaling: it counts");
        assertEquals(OK, client(ACK, 1001, 5001, 512, 1000));
        assertEquals(OK, server(ACK, 5001, 2001, 512, 0), "acknowledges all the client sent");
        assertEquals(OK, server(ACK, 5001, 2001, 512, 1400));
        assertEquals(OK, client(ACK | TcpHeader.FIN, 2001, 6401, 512, 0));
    }

    @Test
    void segmentsOutsideTheWindowsAreRefusedWithTheirReason()
    {
        handshake(1000, 5000, -1, -1);
        assertEquals(OK, client(ACK, 1001, 5001, 1000, 100));
        assertEquals(SEQ_OVER, client(ACK, 1001 + 10_000_000, 5001, 1000, 100), "past the server's window");
        assertEquals(SEQ_UNDER, client(ACK, 1001 - 3_000_000, 5001, 1000, 100), "older than a window");
        assertEquals(ACK_OVER, server(ACK, 5001, 1101 + 5000, 1000, 0), "acknowledges bytes never sent");
        assertEquals(TcpWindow.ACK_UNDER, server(ACK, 5001, 1101 - 200_000, 1000, 0), "too old an ack");
        assertEquals(OK, server(ACK, 5001, 1101, 1000, 0));
    }

    @Test
    void scalingCountsOnlyWhenBothEndsOfferIt()
    {
        handshake(1000, 5000, 7, -1);
        assertEquals(0, TcpWindow.scale(entries, CLIENT));
        assertEquals(0, TcpWindow.scale(entries, SERVER));
        // Unscaled, the client's window is 512 bytes: the server may not send past it.
        assertEquals(OK, client(ACK, 1001, 5001, 512, 0));
        assertEquals(SEQ_OVER, server(ACK, 5001 + 600, 1001, 512, 100));
    }

    @Test
    void sequenceNumbersWrapRound()
    {
        handshake(0xFFFF_FF00, 0x7FFF_FFF0, -1, -1);
        assertEquals(OK, client(ACK, 0xFFFF_FF01, 0x7FFF_FFF1, 65535, 1000), "data across 2^32");
        assertEquals(OK, server(ACK, 0x7FFF_FFF1, 0xFFFF_FF01 + 1000, 65535, 0));
    }

    @Test
    void aLiberalTrackerLetsOutOfWindowSegmentsPassAndStillTracks()
    {
        handshake(1000, 5000, -1, -1);
        assertEquals(SEQ_OVER, TcpWindow.check(entries, CLIENT, SERVER, false, ACK, 1001 + 10_000_000, 5001, 1000,
            100, -1, state, true));
        assertEquals(OK, server(ACK, 5001, 1001 + 10_000_100, 1000, 0),
            "tracked all the same: the server may acknowledge it");
    }

    @Test
    void aMidStreamPickupTakesTheWindowsFromTheSegments()
    {
        state = TcpState.ESTABLISHED.ordinal();
        assertEquals(OK, client(ACK, 70_000, 90_000, 2000, 100));
        assertEquals(OK, server(ACK, 90_000, 70_100, 2000, 100));
    }

    private void handshake(final int clientIsn, final int serverIsn, final int clientScale, final int serverScale)
    {
        assertEquals(OK, TcpWindow.check(entries, CLIENT, SERVER, false, SYN, clientIsn, 0, 65535, 0, clientScale,
            state, false));
        state = TcpState.SYN_SENT.ordinal();
        assertEquals(OK, TcpWindow.check(entries, SERVER, CLIENT, true, SYN_ACK, serverIsn, clientIsn + 1, 65535, 0,
            serverScale, state, false));
        state = TcpState.SYN_RECV.ordinal();
    }

    private int client(final int flags, final int seq, final int ack, final int window, final int length)
    {
        return TcpWindow.check(entries, CLIENT, SERVER, false, flags, seq, ack, window, length, -1, state, false);
    }

    private int server(final int flags, final int seq, final int ack, final int window, final int length)
    {
        return TcpWindow.check(entries, SERVER, CLIENT, true, flags, seq, ack, window, length, -1, state, false);
    }
}
