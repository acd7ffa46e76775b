package dev.dataplane.forwarder.conntrack;

import static dev.dataplane.forwarder.conntrack.TcpState.ACK;
import static dev.dataplane.forwarder.conntrack.TcpState.FIN;
import static dev.dataplane.forwarder.conntrack.TcpState.IGNORE;
import static dev.dataplane.forwarder.conntrack.TcpState.INVALID;
import static dev.dataplane.forwarder.conntrack.TcpState.NO_FLAGS;
import static dev.dataplane.forwarder.conntrack.TcpState.RST;
import static dev.dataplane.forwarder.conntrack.TcpState.SYN;
import static dev.dataplane.forwarder.conntrack.TcpState.SYN_ACK;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dataplane.net.TcpHeader;
import org.junit.jupiter.api.Test;

/** The TCP states a connection goes through, segment by segment, as nf_conntrack has them. */
class TcpStateTest
{
    private static final boolean ORIGINAL = false;
    private static final boolean REPLY = true;

    @Test
    void aSegmentsKindIsRstOverSynOverFinOverAck()
    {
        assertEquals(SYN, TcpState.kind(TcpHeader.SYN));
        assertEquals(SYN_ACK, TcpState.kind(TcpHeader.SYN | TcpHeader.ACK));
        assertEquals(RST, TcpState.kind(TcpHeader.RST | TcpHeader.SYN | TcpHeader.ACK));
        assertEquals(FIN, TcpState.kind(TcpHeader.FIN | TcpHeader.ACK | TcpHeader.PSH));
        assertEquals(ACK, TcpState.kind(TcpHeader.ACK | TcpHeader.PSH));
        assertEquals(NO_FLAGS, TcpState.kind(TcpHeader.PSH | TcpHeader.URG));
    }

    @Test
    void aHandshakeEstablishesAndAnActiveCloseEndsInTimeWait()
    {
        walk(TcpState.NONE, ORIGINAL, SYN, TcpState.SYN_SENT, REPLY, SYN_ACK, TcpState.SYN_RECV, ORIGINAL, ACK,
            TcpState.ESTABLISHED, ORIGINAL, ACK, TcpState.ESTABLISHED, REPLY, ACK, TcpState.ESTABLISHED,
            ORIGINAL, FIN, TcpState.FIN_WAIT, REPLY, ACK, TcpState.CLOSE_WAIT, REPLY, FIN, TcpState.LAST_ACK,
            ORIGINAL, ACK, TcpState.TIME_WAIT);
    }

    @Test
    void aSimultaneousOpenGoesThroughSynSent2()
    {
        walk(TcpState.NONE, ORIGINAL, SYN, TcpState.SYN_SENT, REPLY, SYN, TcpState.SYN_SENT2, ORIGINAL, SYN_ACK,
            TcpState.SYN_RECV, ORIGINAL, ACK, TcpState.ESTABLISHED);
    }

    @Test
    void aRetransmittedSynStaysAndTimeWaitReopens()
    {
        assertEquals(TcpState.SYN_SENT.ordinal(), TcpState.next(TcpState.SYN_SENT.ordinal(), ORIGINAL, SYN));
        assertEquals(TcpState.SYN_SENT.ordinal(), TcpState.next(TcpState.TIME_WAIT.ordinal(), ORIGINAL, SYN));
        assertEquals(IGNORE, TcpState.next(TcpState.ESTABLISHED.ordinal(), ORIGINAL, SYN), "the receiver answers RST");
        assertEquals(IGNORE, TcpState.next(TcpState.SYN_RECV.ordinal(), REPLY, SYN_ACK), "a retransmitted SYN-ACK");
    }

    @Test
    void anRstClosesEveryStateButNoneAndSegmentsThatFitNoStateAreInvalid()
    {
        for (final TcpState state : TcpState.values())
        {
            for (final boolean reply : new boolean[] {ORIGINAL, REPLY})
            {
                assertEquals(TcpState.NONE == state ? INVALID : TcpState.CLOSE.ordinal(),
                    TcpState.next(state.ordinal(), reply, RST), state + (reply ? " reply" : " original"));
                assertEquals(INVALID, TcpState.next(state.ordinal(), reply, NO_FLAGS), "no flags at all");
            }
        }
        assertEquals(INVALID, TcpState.next(TcpState.SYN_SENT.ordinal(), ORIGINAL, ACK), "no SYN-ACK seen yet");
        assertEquals(INVALID, TcpState.next(TcpState.SYN_SENT.ordinal(), ORIGINAL, FIN));
        assertEquals(INVALID, TcpState.next(TcpState.NONE.ordinal(), REPLY, SYN), "a reply never opens");
        assertEquals(TcpState.ESTABLISHED.ordinal(), TcpState.next(TcpState.NONE.ordinal(), ORIGINAL, ACK),
            "picked up mid-stream");
    }

    @Test
    void establishedLivesTheTwoHoursFourMinutesRfc5382AsksOfANat()
    {
        assertEquals(7440, TcpState.ESTABLISHED.defaultTimeoutSeconds());
        assertEquals(120, TcpState.TIME_WAIT.defaultTimeoutSeconds());
        assertEquals(10, TcpState.CLOSE.defaultTimeoutSeconds());
    }

    /** Applies each (direction, kind) in turn from {@code start}, checking the state after each. */
    private static void walk(final TcpState start, final Object... steps)
    {
        int state = start.ordinal();
        for (int i = 0; i < steps.length; i += 3)
        {
            state = TcpState.next(state, (Boolean)steps[i], (Integer)steps[i + 1]);
            assertEquals(steps[i + 2], state < 0 ? state : TcpState.of(state), "step " + i / 3);
        }
    }
}
