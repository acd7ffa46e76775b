package dev.dataplane.forwarder.conntrack;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.MemorySegment;

import dev.dataplane.net.TcpHeader;

/**
 * TCP window tracking for a connection seen from the middle, after Guido van Rooij's "Real Stateful TCP Packet
 * Filtering in IP Filter" as nf_conntrack applies it ({@code tcp_in_window}): each direction remembers the highest
 * sequence it sent ({@code end}), the highest the other side allowed it ({@code maxend}) and its largest window
 * ({@code maxwin}); a segment is in window when
 * <pre>
 *   I    seq       <= sender.maxend                          (not past what the receiver allowed)
 *   II   seq + len >= sender.end - receiver.maxwin           (not older than a window)
 *   III  ack       <= receiver.end                           (acknowledges nothing not sent)
 *   IV   ack       >= receiver.end - max(sender.maxwin, 66000)  (not too old an acknowledgment)
 * </pre>
 * in sequence space (modulo 2^32). Window scaling counts only when both ends offered it in their SYNs. A direction's
 * state is 14 bytes in the connection's entry: end, maxend, maxwin (ints), scale and flags (bytes).
 */
public final class TcpWindow
{
    /** In window. */
    public static final int OK = 0;
    /** I failed: the segment starts past the receiver's window. */
    public static final int SEQ_OVER = 1;
    /** II failed: the segment ends before anything the receiver could still want. */
    public static final int SEQ_UNDER = 2;
    /** III failed: it acknowledges data the other side never sent. */
    public static final int ACK_OVER = 3;
    /** IV failed: it acknowledges something older than a window. */
    public static final int ACK_UNDER = 4;
    /** Bytes of one direction's state. */
    public static final int BYTES = 16;

    private static final int END = 0;
    private static final int MAXEND = 4;
    private static final int MAXWIN = 8;
    private static final int SCALE = 12;
    private static final int FLAGS = 13;
    /** The sender offered window scaling in its SYN. */
    private static final int WINDOW_SCALE = 1;
    /** nf_conntrack's MAXACKWINCONST: the least window an acknowledgment may lag by. */
    private static final int MAX_ACK_WINDOW = 66000;
    /** RFC 7323's largest shift. */
    private static final int MAX_SCALE = 14;

    private TcpWindow()
    {
    }

    /**
     * Checks one segment against the windows and, when it is in window (or {@code liberal}), moves them on.
     *
     * @param entries  the connection table's entries.
     * @param sender   the offset of the sending direction's state in {@code entries}.
     * @param receiver the offset of the other direction's state.
     * @param reply    whether the sender is the reply direction.
     * @param flags    the segment's TCP flags.
     * @param seq      its sequence number.
     * @param ack      its acknowledgment number (ignored without ACK).
     * @param window   its window field, unscaled.
     * @param length   its payload bytes.
     * @param scale    the window scale its SYN offers, or -1 for none (or not a SYN).
     * @param state    the connection's TCP state before the segment ({@link TcpState} ordinal).
     * @param liberal  accept out-of-window segments (nf_conntrack_tcp_be_liberal), still tracking.
     * @return {@link #OK} or why not.
     */
    public static int check(final MemorySegment entries, final long sender, final long receiver, final boolean reply,
        final int flags, final int seq, final int ack, final int window, final int length, final int scale,
        final int state, final boolean liberal)
    {
        final boolean syn = 0 != (flags & TcpHeader.SYN);
        final boolean hasAck = 0 != (flags & TcpHeader.ACK);
        final boolean rst = 0 != (flags & TcpHeader.RST);
        int end = seq + length + (syn ? 1 : 0) + (0 != (flags & TcpHeader.FIN) ? 1 : 0);
        int segmentSeq = seq;
        if (0 == maxwin(entries, sender))
        {
            if (syn)
            {
                initSender(entries, sender, receiver, reply, end, window, scale);
                if (!hasAck)
                {
                    return OK;
                }
            }
            else
            {
                // Picked up mid-stream: take what the segment says.
                set(entries, sender, END, end);
                final int maxwin = Math.max(1, window << scale(entries, sender));
                set(entries, sender, MAXWIN, maxwin);
                set(entries, sender, MAXEND, end + maxwin);
                if (0 == maxwin(entries, receiver))
                {
                    set(entries, receiver, END, ack);
                    set(entries, receiver, MAXEND, ack);
                }
            }
        }
        else if (syn && after(end, get(entries, sender, END)) && (TcpState.SYN_SENT.ordinal() == state ||
            TcpState.SYN_RECV.ordinal() == state))
        {
            // A reinitialised connection: larger sequence numbers are fine (RFC 793).
            initSender(entries, sender, receiver, reply, end, window, scale);
            if (reply && !hasAck)
            {
                return OK;
            }
        }
        final int receiverEnd = get(entries, receiver, END);
        final int effectiveAck = hasAck ? ack : receiverEnd;
        if (rst && 0 == seq && TcpState.SYN_SENT.ordinal() == state)
        {
            // An RST answering a SYN carries sequence 0.
            segmentSeq = get(entries, sender, END);
            end = segmentSeq;
        }
        final int senderMaxwin = maxwin(entries, sender);
        final int verdict;
        if (!before(segmentSeq, get(entries, sender, MAXEND) + 1))
        {
            verdict = SEQ_OVER;
        }
        else if (!after(end, get(entries, sender, END) - maxwin(entries, receiver) - 1))
        {
            verdict = SEQ_UNDER;
        }
        else if (!before(effectiveAck, receiverEnd + 1))
        {
            verdict = ACK_OVER;
        }
        else if (!after(effectiveAck, receiverEnd - Math.max(senderMaxwin, MAX_ACK_WINDOW) - 1))
        {
            verdict = ACK_UNDER;
        }
        else
        {
            verdict = OK;
        }
        if (OK == verdict || liberal)
        {
            advance(entries, sender, receiver, syn, end, effectiveAck, window);
        }
        return verdict;
    }

    /** Moves the windows on for an accepted segment. */
    private static void advance(final MemorySegment entries, final long sender, final long receiver,
        final boolean syn, final int end, final int ack, final int window)
    {
        final int win = syn ? window : window << scale(entries, sender);
        if (Integer.compareUnsigned(maxwin(entries, sender), win) < 0)
        {
            set(entries, sender, MAXWIN, win);
        }
        if (after(end, get(entries, sender, END)))
        {
            set(entries, sender, END, end);
        }
        final int senderMaxend = get(entries, sender, MAXEND);
        if (0 != maxwin(entries, receiver) && after(end, senderMaxend))
        {
            set(entries, receiver, MAXWIN, maxwin(entries, receiver) + (end - senderMaxend));
        }
        if (after(ack + win, get(entries, receiver, MAXEND) - 1))
        {
            set(entries, receiver, MAXEND, ack + win + (0 == win ? 1 : 0));
        }
    }

    private static void initSender(final MemorySegment entries, final long sender, final long receiver,
        final boolean reply, final int end, final int window, final int scale)
    {
        set(entries, sender, END, end);
        set(entries, sender, MAXEND, end);
        set(entries, sender, MAXWIN, Math.max(1, window));
        entries.set(JAVA_BYTE, sender + SCALE, (byte)Math.max(0, Math.min(scale, MAX_SCALE)));
        entries.set(JAVA_BYTE, sender + FLAGS, (byte)(scale >= 0 ? WINDOW_SCALE : 0));
        // RFC 7323: scaling applies only when both ends offer it; the reply's SYN settles it.
        if (reply && (0 == (entries.get(JAVA_BYTE, sender + FLAGS) & WINDOW_SCALE) ||
            0 == (entries.get(JAVA_BYTE, receiver + FLAGS) & WINDOW_SCALE)))
        {
            entries.set(JAVA_BYTE, sender + SCALE, (byte)0);
            entries.set(JAVA_BYTE, receiver + SCALE, (byte)0);
        }
    }

    /** The sending direction's largest window so far, for tests and listings. */
    public static int maxwin(final MemorySegment entries, final long direction)
    {
        return get(entries, direction, MAXWIN);
    }

    /** The direction's window scale shift in force. */
    public static int scale(final MemorySegment entries, final long direction)
    {
        return entries.get(JAVA_BYTE, direction + SCALE);
    }

    /** Whether {@code a} comes after {@code b} in sequence space. */
    static boolean after(final int a, final int b)
    {
        return a - b > 0;
    }

    /** Whether {@code a} comes before {@code b} in sequence space. */
    static boolean before(final int a, final int b)
    {
        return a - b < 0;
    }

    private static int get(final MemorySegment entries, final long direction, final int field)
    {
        return entries.get(JAVA_INT, direction + field);
    }

    private static void set(final MemorySegment entries, final long direction, final int field, final int value)
    {
        entries.set(JAVA_INT, direction + field, value);
    }
}
