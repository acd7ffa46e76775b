package dev.dataplane.forwarder.conntrack;

import dev.dataplane.net.TcpHeader;

/**
 * A tracked TCP connection's state, as nf_conntrack keeps it for the two ends together, and its transitions: what a
 * segment of one kind, from the original or the reply direction, makes of each state. The table is nf_conntrack's
 * ({@code tcp_conntracks}), so that a connection through the forwarder goes through the states, and expires after
 * the timeouts, that Linux users know; window tracking is the tracker's, apart.
 */
public enum TcpState
{
    NONE(0),
    SYN_SENT(120),
    SYN_RECV(60),
    /**
     * VPP's 7440 s (2 h 4 min) rather than Linux's 5 days: the least RFC 5382 allows a NAT (REQ-5), and a table of a
     * fixed size should not hold a silent connection for days.
     */
    ESTABLISHED(7440),
    FIN_WAIT(120),
    CLOSE_WAIT(60),
    LAST_ACK(30),
    TIME_WAIT(120),
    CLOSE(10),
    /** A SYN from the reply direction after one from the original: simultaneous open. */
    SYN_SENT2(120);

    /** A segment's kind, by its flags, in nf_conntrack's order of precedence. */
    public static final int SYN = 0;
    public static final int SYN_ACK = 1;
    public static final int FIN = 2;
    public static final int ACK = 3;
    public static final int RST = 4;
    public static final int NO_FLAGS = 5;
    /** {@link #next} of a segment that fits no state: the connection keeps its state, the segment is invalid. */
    public static final int INVALID = -1;
    /** {@link #next} of a segment that may be valid or not (a retransmission, a SYN answered by RST): it passes. */
    public static final int IGNORE = -2;

    private static final TcpState[] STATES = values();
    private static final int IV = INVALID;
    private static final int IG = IGNORE;
    private static final int NO = 0;
    private static final int SS = 1;
    private static final int SR = 2;
    private static final int ES = 3;
    private static final int FW = 4;
    private static final int CW = 5;
    private static final int LA = 6;
    private static final int TW = 7;
    private static final int CL = 8;
    private static final int S2 = 9;
    /** [direction: 0 original, 1 reply][segment kind][state] -> next state, {@link #IV} or {@link #IG}. */
    private static final int[][][] NEXT = {
        {
            //  NO  SS  SR  ES  FW  CW  LA  TW  CL  S2
            {SS, SS, IG, IG, IG, IG, IG, SS, SS, S2}, // syn
            {IV, IV, SR, IV, IV, IV, IV, IV, IV, SR}, // syn-ack
            {IV, IV, FW, FW, LA, LA, LA, TW, CL, IV}, // fin
            {ES, IV, ES, ES, CW, CW, TW, TW, CL, IV}, // ack
            {IV, CL, CL, CL, CL, CL, CL, CL, CL, CL}, // rst
            {IV, IV, IV, IV, IV, IV, IV, IV, IV, IV}, // none
        },
        {
            //  NO  SS  SR  ES  FW  CW  LA  TW  CL  S2
            {IV, S2, IV, IV, IV, IV, IV, SS, IV, S2}, // syn
            {IV, SR, IG, IG, IG, IG, IG, IG, IG, SR}, // syn-ack
            {IV, IV, FW, FW, LA, LA, LA, TW, CL, IV}, // fin
            {IV, IG, SR, ES, CW, CW, TW, TW, CL, IG}, // ack
            {IV, CL, CL, CL, CL, CL, CL, CL, CL, CL}, // rst
            {IV, IV, IV, IV, IV, IV, IV, IV, IV, IV}, // none
        },
    };

    private final int timeoutSeconds;

    TcpState(final int timeoutSeconds)
    {
        this.timeoutSeconds = timeoutSeconds;
    }

    /** How long a connection in this state lives without a segment, by default (nf_conntrack's, but ESTABLISHED). */
    public int defaultTimeoutSeconds()
    {
        return timeoutSeconds;
    }

    /** The kind of a segment with TCP flags {@code flags}: RST over SYN over FIN over ACK, as nf_conntrack ranks. */
    public static int kind(final int flags)
    {
        if (0 != (flags & TcpHeader.RST))
        {
            return RST;
        }
        if (0 != (flags & TcpHeader.SYN))
        {
            return 0 != (flags & TcpHeader.ACK) ? SYN_ACK : SYN;
        }
        if (0 != (flags & TcpHeader.FIN))
        {
            return FIN;
        }
        return 0 != (flags & TcpHeader.ACK) ? ACK : NO_FLAGS;
    }

    /**
     * The state a segment of {@code kind} from the {@code reply} (or the original) direction moves a connection in
     * {@code state} to.
     *
     * @return the next state's ordinal; {@link #INVALID} for a segment that fits no state, {@link #IGNORE} for one
     * that may be valid or not (both leave the state as it was).
     */
    public static int next(final int state, final boolean reply, final int kind)
    {
        return NEXT[reply ? 1 : 0][kind][state];
    }

    /** The state of ordinal {@code ordinal}. */
    public static TcpState of(final int ordinal)
    {
        return STATES[ordinal];
    }
}
