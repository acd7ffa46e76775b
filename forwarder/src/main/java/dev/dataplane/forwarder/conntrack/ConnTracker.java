package dev.dataplane.forwarder.conntrack;

import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;

import java.lang.foreign.MemorySegment;

import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import dev.dataplane.runtime.Counters;

/**
 * One lcore's connection tracker: for each parsed packet, the connection it belongs to (found from either direction
 * in a {@link ConnTable}, or created by a packet that may open one), the TCP state it moves the connection to
 * ({@link TcpState}), and the packet's connection state as rules will match it: {@link #NEW} for a connection not yet
 * answered, {@link #ESTABLISHED} once it has been, {@link #INVALID} for a packet that fits no state and opens
 * nothing. Each packet of a connection sets its expiry from the timeout of the state it leaves it in. IPv4 TCP and
 * UDP are tracked (window tracking, ICMP and fragments come later); anything else is {@link #UNTRACKED}.
 * Allocation-free per packet.
 */
public final class ConnTracker
{
    public static final int UNTRACKED = 0;
    public static final int NEW = 1;
    public static final int ESTABLISHED = 2;
    public static final int INVALID = 3;
    /** A packet that would open a connection the full table cannot take: drop it. */
    public static final int TABLE_FULL = 4;

    /** UDP: 30 s until a reply, then 120 s (nf_conntrack's and VPP's defaults). */
    public static final long UDP_UNREPLIED_MILLIS = 30_000;
    public static final long UDP_REPLIED_MILLIS = 120_000;

    /** State word: bits 0-7 the TCP state's ordinal, bit 8 UDP, bit 9 a reply seen. */
    private static final int UDP = 1 << 8;
    private static final int REPLIED = 1 << 9;
    private static final int TCP_STATE_MASK = 0xFF;

    private final ConnTable table;
    private final Counters counters = Counters.of(ConnCounter.class);
    private final long[] tcpTimeoutMillis = new long[TcpState.values().length];
    private long expiredSeen;
    /** The connection and direction of the last tracked packet ({@link ConnTable#lookup}'s reference), or -1. */
    private int lastReference = -1;

    /** @param table the table it owns (one per lcore). */
    public ConnTracker(final ConnTable table)
    {
        this.table = table;
        for (final TcpState state : TcpState.values())
        {
            tcpTimeoutMillis[state.ordinal()] = state.defaultTimeoutSeconds() * 1000L;
        }
    }

    /** Sets how long a TCP connection in {@code state} lives without a segment. */
    public void tcpTimeout(final TcpState state, final long millis)
    {
        tcpTimeoutMillis[state.ordinal()] = millis;
    }

    /**
     * Tracks one parsed packet at {@code nowMillis}.
     *
     * @return its connection state: {@link #NEW}, {@link #ESTABLISHED}, {@link #INVALID}, {@link #TABLE_FULL} or
     * {@link #UNTRACKED}.
     */
    public int track(final PacketView view, final long nowMillis)
    {
        lastReference = -1;
        final int protocol = view.protocol();
        if (PacketView.OK != view.verdict() || 4 != view.ipVersion() || view.isFragment() || !view.hasL4() ||
            (IpProtocol.TCP != protocol && IpProtocol.UDP != protocol))
        {
            counters.add(ConnCounter.UNTRACKED, 1);
            return UNTRACKED;
        }
        final MemorySegment s = view.segment();
        final long l3 = view.base() + view.l3Offset();
        final int source = s.get(JAVA_INT_UNALIGNED, l3 + Ipv4Header.SOURCE_OFFSET);
        final int destination = s.get(JAVA_INT_UNALIGNED, l3 + Ipv4Header.DESTINATION_OFFSET);
        final int sourcePort = view.sourcePort();
        final int destinationPort = view.destinationPort();
        final long k0 = key0(source, destination);
        final long k1 = key1(sourcePort, destinationPort, protocol);
        counters.add(ConnCounter.LOOKUPS, 1);
        final int reference = table.lookup(k0, k1, nowMillis);
        noteExpired();
        final boolean tcp = IpProtocol.TCP == protocol;
        if (reference >= 0)
        {
            counters.add(ConnCounter.HITS, 1);
            lastReference = reference;
            return tcp ? tcpSegment(reference, view.tcpFlags(), nowMillis) : udpDatagram(reference, nowMillis);
        }
        final int state;
        if (tcp)
        {
            state = TcpState.next(TcpState.NONE.ordinal(), false, TcpState.kind(view.tcpFlags()));
            if (state < 0)
            {
                counters.add(ConnCounter.INVALID_NEW, 1);
                return INVALID;
            }
        }
        else
        {
            state = UDP;
        }
        final int entry = table.insert(k0, k1, key0(destination, source), key1(destinationPort, sourcePort, protocol),
            nowMillis + (tcp ? tcpTimeoutMillis[state] : UDP_UNREPLIED_MILLIS));
        if (entry < 0)
        {
            counters.add(ConnCounter.TABLE_FULL, 1);
            return TABLE_FULL;
        }
        table.state(entry, state);
        counters.add(ConnCounter.CREATED, 1);
        lastReference = entry << 1;
        return NEW;
    }

    private int tcpSegment(final int reference, final int flags, final long nowMillis)
    {
        final int entry = reference >>> 1;
        final boolean reply = 1 == (reference & 1);
        final int word = table.state(entry);
        final int next = TcpState.next(word & TCP_STATE_MASK, reply, TcpState.kind(flags));
        if (TcpState.INVALID == next)
        {
            counters.add(ConnCounter.INVALID_STATE, 1);
            return INVALID;
        }
        final int replied = reply ? REPLIED : word & REPLIED;
        if (TcpState.IGNORE != next)
        {
            table.state(entry, next | replied);
            table.touch(entry, nowMillis + tcpTimeoutMillis[next]);
        }
        else
        {
            table.state(entry, word | replied);
        }
        return 0 != replied ? ESTABLISHED : NEW;
    }

    private int udpDatagram(final int reference, final long nowMillis)
    {
        final int entry = reference >>> 1;
        final int word = table.state(entry) | ((reference & 1) == 1 ? REPLIED : 0);
        table.state(entry, word);
        final boolean replied = 0 != (word & REPLIED);
        table.touch(entry, nowMillis + (replied ? UDP_REPLIED_MILLIS : UDP_UNREPLIED_MILLIS));
        return replied ? ESTABLISHED : NEW;
    }

    /** Removes up to {@code budget} slots' worth of expired connections: call once per burst. */
    public void sweep(final long nowMillis, final int budget)
    {
        table.sweep(nowMillis, budget);
        noteExpired();
    }

    /** The TCP state of the connection of the last tracked packet, or null (none, or not TCP). */
    public TcpState lastTcpState()
    {
        if (lastReference < 0)
        {
            return null;
        }
        final int word = table.state(lastReference >>> 1);
        return 0 != (word & UDP) ? null : TcpState.of(word & TCP_STATE_MASK);
    }

    /** Whether the last tracked packet came from its connection's reply direction. */
    public boolean lastWasReply()
    {
        return lastReference >= 0 && 1 == (lastReference & 1);
    }

    /** By {@link ConnCounter}. */
    public Counters counters()
    {
        return counters;
    }

    public ConnTable table()
    {
        return table;
    }

    private void noteExpired()
    {
        final long expired = table.expired();
        if (expired != expiredSeen)
        {
            counters.add(ConnCounter.EXPIRED, expired - expiredSeen);
            expiredSeen = expired;
        }
    }

    /** The first key word: the two addresses, source first, as they lie in the header. */
    private static long key0(final int source, final int destination)
    {
        return (long)source << 32 | (destination & 0xFFFFFFFFL);
    }

    /** The second: the ports and the protocol. */
    private static long key1(final int sourcePort, final int destinationPort, final int protocol)
    {
        return (long)sourcePort << 48 | (long)destinationPort << 32 | protocol;
    }
}
