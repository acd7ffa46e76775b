package dev.dataplane.forwarder.conntrack;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.NativeMemory;
import dev.dataplane.dpdk.Prefetch;
import dev.dataplane.net.HeaderRewrite;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.PlainFrame;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.net.UdpHeader;
import dev.dataplane.runtime.Burst;
import dev.dataplane.runtime.Counters;

/**
 * One lcore's connection tracker: for each parsed packet, the connection it belongs to (found from either direction
 * in a {@link ConnTable}, or created by a packet that may open one), the TCP state it moves the connection to
 * ({@link TcpState}), and the packet's connection state as rules will match it: {@link #NEW} for a connection not yet
 * answered, {@link #ESTABLISHED} once it has been, {@link #INVALID} for a packet that fits no state and opens
 * nothing, or lies outside its connection's windows ({@link TcpWindow}, unless {@link #liberal}). Each packet of a
 * connection sets its expiry from the timeout of the state it leaves it in. IPv4 TCP, UDP and ICMP echo are tracked,
 * and an ICMP error about a tracked connection is {@link #RELATED}; a later fragment of a datagram belongs to its first
 * fragment's connection ({@link FragmentTable}); anything else is {@link #UNTRACKED}.
 * Allocation-free per packet.
 * <p>
 * Its fields in each entry's user part ({@link ConnTable#USER_OFFSET} on): a word per direction for its owner
 * ({@link #directionWord}), in the entry's first cache line with the keys; then the two directions' TCP windows
 * ({@link TcpWindow}, 16 bytes each) and a translated connection's constants per direction (16 bytes each,
 * {@link #translationAt}) in its second: 128 bytes in all.
 */
public final class ConnTracker implements AutoCloseable
{
    public static final int UNTRACKED = 0;
    public static final int NEW = 1;
    public static final int ESTABLISHED = 2;
    public static final int INVALID = 3;
    /** {@link #trackPlain}: not a plain frame; parse it and {@link #track} it. */
    public static final int NOT_PLAIN = -1;
    /** {@link #trackPlain}: a plain frame of no known connection; parse it and {@link #track} it. */
    public static final int PLAIN_MISS = -2;
    /** A packet that would open a connection the full table cannot take: drop it. */
    public static final int TABLE_FULL = 4;
    /** An ICMP error about a connection in the table (port unreachable, fragmentation needed, time exceeded...). */
    public static final int RELATED = 5;
    /**
     * A packet of no connection this lcore holds, which another lcore holds or is to create
     * ({@link #route}): hand it to {@link #handoffOwner} as hop {@link #handoffHop}; nothing changed here.
     */
    public static final int HANDOFF = 6;
    /**
     * A later fragment of a datagram whose first fragment has not come: held ({@link #holdFragments}), its mbuf now
     * the tracker's until the first comes ({@link #takeReleased}) or it runs out (freed by the sweep).
     */
    public static final int HELD = 7;
    /** Later fragments held at most for their first, per tracker. */
    public static final int HELD_FRAGMENTS = 64;
    /** {@link #route}'s hops: from an RX queue; to the lcore that would hold it were it a reply; the last. */
    public static final int FROM_QUEUE = 0;
    public static final int AS_REPLY = 1;
    public static final int LAST_HOP = 2;

    /** {@link #sweepPaced}: the whole table swept once in this long, and slots swept at most per call. */
    public static final long SWEEP_ROUND_MILLIS = 1_000;
    public static final int SWEEP_MOST_A_CALL = 64;
    private static final long NEVER = Long.MIN_VALUE;
    /** UDP: 30 s until a reply, then 120 s (nf_conntrack's and VPP's defaults). */
    public static final long UDP_UNREPLIED_MILLIS = 30_000;
    public static final long UDP_REPLIED_MILLIS = 120_000;
    /** Datagrams whose fragments are followed at once, and for how long after their first fragment. */
    public static final int FRAGMENT_NOTES = 4096;
    public static final long FRAGMENT_LIFETIME_MILLIS = 2_000;
    /** ICMP echo: 30 s (nf_conntrack's and VPP's). */
    public static final long ICMP_MILLIS = 30_000;
    /** The most source ports {@link #bind} tries before it gives a connection up. */
    public static final int MAX_PORT_PROBES = 256;

    /** {@link #rekey}: the connection is translated to the tuple (or needs no translation). */
    private static final int BOUND = 0;
    /** {@link #rekey}: another live connection holds the tuple. */
    private static final int IN_USE = 1;
    /** {@link #rekey}: no room in the index for the tuple's key. */
    private static final int NO_ROOM = 2;
    /** State word: bits 0-7 the TCP state's ordinal, bit 8 UDP or ICMP (no TCP state), bit 9 a reply seen. */
    private static final int UDP = 1 << 8;
    private static final int ICMP_HEADER = 8;
    private static final int ICMP_CHECKSUM_OFFSET = 2;
    private static final int ICMP_ID_OFFSET = 4;
    private static final int ICMP_ECHO_REPLY = 0;
    private static final int ICMP_UNREACHABLE = 3;
    private static final int ICMP_ECHO_REQUEST = 8;
    private static final int ICMP_TIME_EXCEEDED = 11;
    private static final int ICMP_PARAMETER_PROBLEM = 12;
    private static final int REPLIED = 1 << 9;
    /** The connection is translated: its reply key is not its original key turned round. */
    private static final int TRANSLATED = 1 << 10;
    private static final int TCP_STATE_MASK = 0xFF;
    /** RFC 7323's window scale option. */
    private static final int WINDOW_SCALE_KIND = 3;
    private static final ValueLayout.OfInt RAW_INT = JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final boolean BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;
    private static final ValueLayout.OfShort RAW_SHORT = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    /** The owner's fields in an entry: the direction words (first line), the windows, the translations (second). */
    private static final int DIRECTION_WORDS = ConnTable.USER_OFFSET;
    private static final int WINDOWS = DIRECTION_WORDS + 2 * Long.BYTES;
    private static final int TRANSLATIONS = WINDOWS + 2 * TcpWindow.BYTES;
    private static final int TRANSLATION_BYTES = 16;

    /** {@link #lookAhead}: connections in the table above which a burst's memory is asked for ahead. */
    public static final int LOOK_AHEAD_ABOVE = 1024;
    /** {@link #lookAhead}: what a frame must hold to be keyed as a plain frame (to its ports). */
    private static final int KEY_BYTES = PlainFrame.L4 + 4;

    private static final VarHandle FLUSH_ASKED;
    private static final VarHandle FLUSH_DONE;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            FLUSH_ASKED = lookup.findVarHandle(ConnTracker.class, "flushAsked", int.class);
            FLUSH_DONE = lookup.findVarHandle(ConnTracker.class, "flushDone", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final ConnTable table;
    private final Counters counters = Counters.of(ConnCounter.class);
    private final long[] tcpTimeoutMillis = new long[TcpState.values().length];
    private final MemorySegment entries;
    /** The entries' address: the per-packet reads go through {@link NativeMemory#ALL}, with no bounds check. */
    private final long entriesAt;
    private final long[] lookAheadHashes = new long[Burst.MAX];
    /** {@link #lookAhead}'s connections per packet of the burst, and the lines it asks for (two a connection). */
    private final int[] candidates = new int[Burst.MAX];
    private boolean lookedAhead;
    private final Prefetch prefetch = new Prefetch(2 * Burst.MAX);
    private final FragmentTable fragments = new FragmentTable(FRAGMENT_NOTES, FRAGMENT_LIFETIME_MILLIS);
    private final FragmentHold hold = new FragmentHold(HELD_FRAGMENTS, FRAGMENT_LIFETIME_MILLIS);
    /** Held fragments whose first came, in order, for {@link #takeReleased}. */
    private final long[] released = new long[HELD_FRAGMENTS];
    private int releasedCount;
    private boolean holdsFragments;
    private long udpUnrepliedMillis = UDP_UNREPLIED_MILLIS;
    private long udpRepliedMillis = UDP_REPLIED_MILLIS;
    private long icmpMillis = ICMP_MILLIS;
    /** Accept segments outside the windows, as nf_conntrack_tcp_be_liberal does (still tracking them). */
    private boolean liberal;
    private int lastWindowVerdict;
    private long expiredSeen;
    /** Lookups and hits since the last {@link #sweep}, which publishes them (the two counters every packet moves). */
    private int pendingLookups;
    private int pendingHits;
    /** Packets handed to another lcore since the last {@link #sweep} (as many as every other packet, two lcores). */
    private int pendingHandoffs;
    /** The connection the last packet created, until {@link #confirm}ed (or forgotten): -1 when none. */
    private int unconfirmed = -1;
    /** {@link #sweepPaced}: the time its budget has been granted to, and the slots granted and not yet swept. */
    private long sweptToMillis = NEVER;
    private long sweepCredit;
    /** Connections created since the last {@link #sweep}, which sweeps more for them. */
    private int createdSinceSweep;
    /** Flushes asked for by other threads ({@link #requestFlush}), and done by the owner. */
    private int flushAsked;
    private int flushDone;
    /** The table's connections in use as {@link ConnCounter#IN_USE} last said. */
    private int publishedInUse;
    /** The connection and direction of the last tracked packet ({@link ConnTable#lookup}'s reference), or -1. */
    private int lastReference = -1;
    /** The last tracked packet created its connection (it may still choose its translation, or be forgotten). */
    private boolean lastCreated;
    /** An ICMP error's quoted packet (its offset in the frame's segment) and its length, when it was RELATED. */
    private long lastInner;
    private int lastInnerLength;
    /** What {@link #track} said of the last packet. */
    private int lastState;
    /** The lcores that share connections and this one's index among them ({@link #route}); null: it alone. */
    private ConnOwners owners;
    private int self;
    private int hop;
    /** Where {@link #HANDOFF} sends the last packet, and as what hop. */
    private int handoffOwner;
    private int handoffHop;
    /** The keys {@link #trackPlain} found no connection for, for the {@link #track} that follows it. */
    private boolean missedKeys;
    private long missed0;
    private long missed1;

    /** @param table the table it owns (one per lcore). */
    public ConnTracker(final ConnTable table)
    {
        this.table = table;
        this.entries = table.entries();
        this.entriesAt = entries.address();
        for (final TcpState state : TcpState.values())
        {
            tcpTimeoutMillis[state.ordinal()] = state.defaultTimeoutSeconds() * 1000L;
        }
    }

    /** Whether segments outside the windows pass ({@code --ct-liberal}). */
    public void liberal(final boolean liberal)
    {
        this.liberal = liberal;
    }

    /** Sets how long a UDP flow lives without a datagram: before a reply, and after one. */
    public void udpTimeouts(final long unrepliedMillis, final long repliedMillis)
    {
        udpUnrepliedMillis = unrepliedMillis;
        udpRepliedMillis = repliedMillis;
    }

    /** Sets how long an ICMP echo lives without a request or reply. */
    public void icmpTimeout(final long millis)
    {
        icmpMillis = millis;
    }

    /** Sets how long a TCP connection in {@code state} lives without a segment. */
    public void tcpTimeout(final TcpState state, final long millis)
    {
        tcpTimeoutMillis[state.ordinal()] = millis;
    }

    /**
     * Where the packets to come are to be tracked, when this tracker is one of several that share connections by
     * {@link ConnOwners}: a packet of no connection here is handed on ({@link #HANDOFF}) to the lcore that holds it as
     * a reply (its destination port's owner), unless it came as that ({@link #AS_REPLY}), then to the lcore that is to
     * create it (its source port's owner), which tracks it for good ({@link #LAST_HOP}): two hops at most, and a new
     * connection is created only by its owner.
     *
     * @param owners null when this tracker holds every connection of its packets (no handoff).
     * @param self   this tracker's owner index.
     * @param hop    how the packets to come arrived: {@link #FROM_QUEUE}, {@link #AS_REPLY} or {@link #LAST_HOP}.
     */
    public void route(final ConnOwners owners, final int self, final int hop)
    {
        this.owners = owners;
        this.self = self;
        this.hop = hop;
    }

    /** The owner index {@link #HANDOFF} hands the last packet to. */
    public int handoffOwner()
    {
        return handoffOwner;
    }

    /** The hop the last packet {@link #HANDOFF} is to arrive as there ({@link #AS_REPLY} or {@link #LAST_HOP}). */
    public int handoffHop()
    {
        return handoffHop;
    }

    /** Counts a packet {@link #HANDOFF} named that the ring to its owner had no room for (freed). */
    public void handoffRefused()
    {
        counters.add(ConnCounter.HANDOFF_FULL, 1);
    }

    /**
     * Whether a packet of no connection here goes to another lcore ({@link #route}): to the owner of
     * {@code replyPort} (its destination port; an ICMP error: its quoted packet's source port) first, then to the
     * owner of {@code createPort}, where it stays. Sets {@link #handoffOwner} and {@link #handoffHop}.
     */
    private boolean handedOff(final int createPort, final int replyPort)
    {
        final ConnOwners owners = this.owners;
        if (null == owners || LAST_HOP == hop)
        {
            return false;
        }
        final int asReply = owners.of(replyPort);
        if (FROM_QUEUE == hop && asReply != self)
        {
            handoffOwner = asReply;
            handoffHop = AS_REPLY;
        }
        else
        {
            final int creator = owners.of(createPort);
            if (creator == self)
            {
                return false;
            }
            handoffOwner = creator;
            handoffHop = LAST_HOP;
        }
        pendingHandoffs++;
        return true;
    }

    /**
     * Tracks one parsed packet at {@code nowMillis}.
     *
     * @return its connection state: {@link #NEW}, {@link #ESTABLISHED}, {@link #INVALID}, {@link #TABLE_FULL} or
     * {@link #UNTRACKED}.
     */
    public int track(final PacketView view, final long nowMillis)
    {
        return track(view, nowMillis, 0);
    }

    /**
     * {@link #track(PacketView, long)} of the packet in {@code mbuf}, which a later fragment that came before its
     * first may be held in ({@link #HELD}, when {@link #holdFragments}).
     */
    public int track(final PacketView view, final long nowMillis, final long mbuf)
    {
        return lastState = trackPacket(view, nowMillis, mbuf);
    }

    /**
     * Whether later fragments that come before their datagram's first are held for it (up to
     * {@value #HELD_FRAGMENTS}, {@link #FRAGMENT_LIFETIME_MILLIS} ms) rather than tracked as orphans: for callers
     * that send what {@link #takeReleased} gives back after each burst (run to completion); off by default.
     */
    public void holdFragments(final boolean holds)
    {
        this.holdsFragments = holds;
    }

    /** Held fragments whose first came, waiting for {@link #takeReleased}. */
    public int releasedCount()
    {
        return releasedCount;
    }

    /**
     * Gives back held fragments whose first fragment came (and was noted), in the order they came, into
     * {@code into}, up to its capacity (the rest wait for the next call): they are to be tracked again (their
     * connection is now known) and sent or freed as any packet.
     *
     * @return how many were put at the start of {@code into}.
     */
    public int takeReleased(final MbufArray into)
    {
        final int count = Math.min(releasedCount, into.capacity());
        for (int i = 0; i < count; i++)
        {
            into.set(i, released[i]);
        }
        System.arraycopy(released, count, released, 0, releasedCount - count);
        releasedCount -= count;
        return count;
    }

    /**
     * Frees every held fragment, and every one released but not yet taken: for when the lcore has stopped.
     *
     * @return how many were freed.
     */
    public int freeHeld()
    {
        final int freed = hold.expire(Long.MAX_VALUE) + releasedCount;
        for (int i = 0; i < releasedCount; i++)
        {
            Mbuf.free(released[i]);
        }
        releasedCount = 0;
        return freed;
    }

    /**
     * Looks up a burst's plain frames' connections ahead, all before the first is tracked, as
     * {@code rte_hash_lookup_bulk} does: each frame's key hashed and its bucket asked for
     * ({@link ConnTable#prefetchBucket}), then each bucket's candidate connection found and its lines asked for
     * ({@link ConnTable#candidate}); {@link #candidate} then gives {@link #trackPlain} its connection to confirm
     * instead of a lookup. Short loops of independent steps, which the core overlaps, where a lookup in each packet's
     * path waits on each step in turn: done only when the table holds more connections than a core's first-level
     * caches do ({@value #LOOK_AHEAD_ABOVE}); with fewer the lines are there already and each packet's own lookup, its
     * branches predicted, was the faster (a sixth, one flow end to end). Reads each frame's first
     * {@value #KEY_BYTES} bytes where it has them, nothing else of it (a frame that is no plain frame gives a key
     * that matches nothing).
     */
    public void lookAhead(final long[] frames, final int[] lengths, final int count)
    {
        lookedAhead = table.used() > LOOK_AHEAD_ABOVE;
        if (!lookedAhead)
        {
            return;
        }
        final long[] hashes = lookAheadHashes;
        final int[] candidates = this.candidates;
        final Prefetch lines = prefetch;
        for (int i = 0; i < count; i++)
        {
            final long frame = NativeMemory.address(frames[i]);
            if (lengths[i] >= KEY_BYTES)
            {
                final long l3 = frame + PlainFrame.L3;
                hashes[i] = table.prefetchBucket(plainKey0(l3), plainKey1(frame + PlainFrame.L4,
                    ALL.get(JAVA_BYTE, l3 + Ipv4Header.PROTOCOL_OFFSET) & 0xFF), lines);
            }
            else
            {
                hashes[i] = 0;
            }
        }
        lines.issue();
        for (int i = 0; i < count; i++)
        {
            candidates[i] = 0 != hashes[i] ? table.candidate(hashes[i], lines) : -1;
        }
        lines.issue();
    }

    /**
     * What {@link #lookAhead} found for the burst's packet {@code index}: a connection reference, or -1 (none, or the
     * burst was not looked up ahead).
     */
    public int candidate(final int index)
    {
        return lookedAhead ? candidates[index] : -1;
    }

    /**
     * Tracks a plain frame ({@link PlainFrame}: untagged IPv4 without options, no fragment, UDP or TCP, the router's
     * checks passed) of a known connection straight from its bytes, as {@link #track} would after a full parse: the
     * fast path of established traffic. Reads native memory at {@code frameAddress}, {@code length} bytes.
     *
     * @return its connection state as {@link #track}'s, or {@link #NOT_PLAIN} or {@link #PLAIN_MISS} (nothing
     * changed: parse the frame and {@link #track} it), or {@link #HANDOFF} (another lcore's, {@link #route}).
     */
    public int trackPlain(final long frameAddress, final int length, final long nowMillis)
    {
        return trackPlain(frameAddress, length, nowMillis, -1);
    }

    /**
     * {@link #trackPlain(long, int, long)} given the connection {@link #lookAhead} found for the frame
     * ({@link #candidate}, or -1): confirmed from its entry ({@link ConnTable#holds}) instead of looked up, else looked
     * up.
     */
    public int trackPlain(final long frameAddress, final int length, final long nowMillis, final int candidate)
    {
        confirmPending();
        lastReference = -1;
        lastCreated = false;
        missedKeys = false;
        final long frame = NativeMemory.address(frameAddress);
        final int totalLength = PlainFrame.ipv4Length(frame, length);
        if (totalLength < 0)
        {
            return NOT_PLAIN;
        }
        final long l3 = frame + PlainFrame.L3;
        final long l4 = frame + PlainFrame.L4;
        final int l4Length = totalLength - Ipv4Header.MIN_LENGTH;
        final int protocol = ALL.get(JAVA_BYTE, l3 + Ipv4Header.PROTOCOL_OFFSET) & 0xFF;
        final int headerLength;
        if (IpProtocol.TCP == protocol)
        {
            headerLength = PlainFrame.tcpHeaderLength(l4, l4Length);
        }
        else
        {
            headerLength = IpProtocol.UDP == protocol && PlainFrame.udpFits(l4, l4Length) ? UdpHeader.LENGTH : -1;
        }
        if (headerLength < 0)
        {
            return NOT_PLAIN;
        }
        final long k0 = plainKey0(l3);
        final long k1 = plainKey1(l4, protocol);
        pendingLookups++;
        final int reference = candidate >= 0 && table.holds(candidate, k0, k1, nowMillis) ? candidate :
            table.lookup(k0, k1, nowMillis);
        if (reference < 0)
        {
            // Only a lookup that misses can have expired a connection.
            noteExpired();
            if (null != owners && handedOff(ALL.get(RAW_SHORT, l4) & 0xFFFF, ALL.get(RAW_SHORT, l4 + 2) & 0xFFFF))
            {
                return lastState = HANDOFF;
            }
            missedKeys = true;
            missed0 = k0;
            missed1 = k1;
            return PLAIN_MISS;
        }
        pendingHits++;
        lastReference = reference;
        return lastState = IpProtocol.TCP == protocol ?
            tcpSegment(reference, ALL, l4, headerLength, l4Length - headerLength, nowMillis) :
            udpDatagram(reference, nowMillis, false);
    }

    /** @param mbuf the packet's mbuf, or 0 when not given (then it cannot be held). */
    private int trackPacket(final PacketView view, final long nowMillis, final long mbuf)
    {
        confirmPending();
        lastReference = -1;
        lastCreated = false;
        if (PacketView.OK != view.verdict() || 4 != view.ipVersion())
        {
            counters.add(ConnCounter.UNTRACKED, 1);
            return UNTRACKED;
        }
        if (view.isLaterFragment())
        {
            return laterFragment(view, nowMillis, mbuf);
        }
        final int state = trackWhole(view, nowMillis);
        // A first fragment handed on is noted too, so that its later fragments follow it there.
        if (view.isFragment() && (lastReference >= 0 || HANDOFF == state))
        {
            if (!noteFragments(view, HANDOFF == state ? handoffNote() : lastReference, nowMillis))
            {
                counters.add(ConnCounter.FRAGMENT_OVERFLOWS, 1);
            }
            else if (0 != hold.held())
            {
                final MemorySegment s = view.segment();
                final long l3 = view.base() + view.l3Offset();
                releasedCount = hold.release(s.get(JAVA_INT_UNALIGNED, l3 + Ipv4Header.SOURCE_OFFSET),
                    s.get(JAVA_INT_UNALIGNED, l3 + Ipv4Header.DESTINATION_OFFSET), view.protocol(),
                    s.get(RAW_SHORT, l3 + Ipv4Header.IDENTIFICATION_OFFSET), released, releasedCount);
            }
        }
        return state;
    }

    /** {@link #track} of an unfragmented packet or a first fragment (which carries the ports). */
    private int trackWhole(final PacketView view, final long nowMillis)
    {
        final int protocol = view.protocol();
        if (IpProtocol.ICMP == protocol)
        {
            return icmp(view, nowMillis);
        }
        if (!view.hasL4() || (IpProtocol.TCP != protocol && IpProtocol.UDP != protocol))
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
        // A plain frame's lookup (trackPlain) missed already, and noted what it expired: not looked for twice.
        final int reference;
        if (missedKeys && k0 == missed0 && k1 == missed1)
        {
            reference = ConnTable.MISS;
        }
        else
        {
            pendingLookups++;
            reference = table.lookup(k0, k1, nowMillis);
            noteExpired();
        }
        missedKeys = false;
        final boolean tcp = IpProtocol.TCP == protocol;
        if (reference < 0 && handedOff(sourcePort, destinationPort))
        {
            return HANDOFF;
        }
        if (reference >= 0)
        {
            pendingHits++;
            lastReference = reference;
            if (!tcp)
            {
                return udpDatagram(reference, nowMillis, false);
            }
            final long l4 = view.base() + view.l4Offset();
            final int headerLength = TcpHeader.headerLength(s, l4);
            return tcpSegment(reference, s, l4, headerLength, view.ipEnd() - view.l4Offset() - headerLength,
                nowMillis);
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
        final int entry = table.insertUnconfirmed(k0, k1, key0(destination, source),
            key1(destinationPort, sourcePort, protocol),
            nowMillis + (tcp ? tcpTimeoutMillis[state] : udpUnrepliedMillis));
        if (entry < 0)
        {
            counters.add(ConnCounter.TABLE_FULL, 1);
            return TABLE_FULL;
        }
        table.state(entry, state);
        if (tcp && TcpWindow.OK != window(entry, false, view, TcpState.NONE.ordinal()) && !liberal)
        {
            // A pickup segment the windows it sets cannot hold (they start from it: it does not happen).
            table.remove(entry);
            counters.add(ConnCounter.INVALID_WINDOW, 1);
            return INVALID;
        }
        return created(entry);
    }

    /** The last packet created the connection at {@code entry}, unconfirmed until its packet is through the rules. */
    private int created(final int entry)
    {
        counters.add(ConnCounter.CREATED, 1);
        createdSinceSweep++;
        lastReference = entry << 1;
        lastCreated = true;
        unconfirmed = entry;
        return NEW;
    }

    /** A segment of a parsed packet: {@link #tcpSegment(int, MemorySegment, long, int, int, long)}. */
    private int window(final int entry, final boolean reply, final PacketView view, final int state)
    {
        final MemorySegment s = view.segment();
        final long l4 = view.base() + view.l4Offset();
        final int headerLength = TcpHeader.headerLength(s, l4);
        return window(entry, reply, s, l4, headerLength, view.ipEnd() - view.l4Offset() - headerLength, state);
    }

    /** A TCP segment of a known connection, its header at {@code l4} in {@code s}, {@code payload} bytes after it. */
    private int tcpSegment(final int reference, final MemorySegment s, final long l4, final int headerLength,
        final int payload, final long nowMillis)
    {
        final int entry = reference >>> 1;
        final boolean reply = 1 == (reference & 1);
        final int word = table.state(entry);
        final int state = word & TCP_STATE_MASK;
        final int kind = TcpState.kind(TcpHeader.flags(s, l4));
        if (!reply && TcpState.SYN == kind &&
            (TcpState.TIME_WAIT.ordinal() == state || TcpState.CLOSE.ordinal() == state))
        {
            return reopen(entry, word, s, l4, headerLength, payload, nowMillis);
        }
        final int next = TcpState.next(state, reply, kind);
        if (TcpState.INVALID == next)
        {
            counters.add(ConnCounter.INVALID_STATE, 1);
            return INVALID;
        }
        if (TcpWindow.OK != window(entry, reply, s, l4, headerLength, payload, word & TCP_STATE_MASK) && !liberal)
        {
            counters.add(ConnCounter.INVALID_WINDOW, 1);
            return INVALID;
        }
        final int replied = reply ? REPLIED : word & REPLIED;
        if (TcpState.IGNORE != next)
        {
            table.state(entry, word & ~(TCP_STATE_MASK | REPLIED) | next | replied);
            table.touch(entry, nowMillis + tcpTimeoutMillis[next]);
        }
        else
        {
            table.state(entry, word | replied);
        }
        return 0 != replied ? ESTABLISHED : NEW;
    }

    /**
     * A SYN from the original side of a connection that ended (TIME_WAIT, CLOSE): a new connection on the same tuple,
     * as a client that reuses its port opens one (RFC 6191), with windows that start afresh from this SYN, as
     * nf_conntrack starts a new connection in the old one's place; its translation stays (the same tuple).
     */
    private int reopen(final int entry, final int word, final MemorySegment s, final long l4, final int headerLength,
        final int payload, final long nowMillis)
    {
        final long windows = NativeMemory.address(entriesAt + (long)entry * ConnTable.ENTRY_BYTES + WINDOWS);
        for (int word8 = 0; word8 < 2 * TcpWindow.BYTES; word8 += Long.BYTES)
        {
            ALL.set(JAVA_LONG, windows + word8, 0L);
        }
        if (TcpWindow.OK != window(entry, false, s, l4, headerLength, payload, TcpState.NONE.ordinal()) && !liberal)
        {
            counters.add(ConnCounter.INVALID_WINDOW, 1);
            return INVALID;
        }
        final int next = TcpState.SYN_SENT.ordinal();
        table.state(entry, word & ~(TCP_STATE_MASK | REPLIED) | next);
        table.touch(entry, nowMillis + tcpTimeoutMillis[next]);
        counters.add(ConnCounter.REOPENED, 1);
        return NEW;
    }

    /**
     * ICMP: an echo request opens a connection keyed by its identifier (in the source port's place), its reply is
     * its reply; an error (unreachable, time exceeded, parameter problem) is {@link #RELATED} when the packet it
     * quotes belongs to a connection in the table, {@link #INVALID} when not. Other types are not followed.
     */
    private int icmp(final PacketView view, final long nowMillis)
    {
        final MemorySegment s = view.segment();
        final long l3 = view.base() + view.l3Offset();
        final long l4 = l3 + view.l3HeaderLength();
        final int l4Length = view.ipEnd() - view.l3Offset() - view.l3HeaderLength();
        if (l4Length < ICMP_HEADER)
        {
            counters.add(ConnCounter.INVALID_NEW, 1);
            return INVALID;
        }
        final int type = s.get(JAVA_BYTE, l4) & 0xFF;
        final int source = s.get(JAVA_INT_UNALIGNED, l3 + Ipv4Header.SOURCE_OFFSET);
        final int destination = s.get(JAVA_INT_UNALIGNED, l3 + Ipv4Header.DESTINATION_OFFSET);
        switch (type)
        {
            case ICMP_ECHO_REQUEST, ICMP_ECHO_REPLY ->
            {
                final int id = s.get(RAW_SHORT, l4 + 4) & 0xFFFF;
                // A reply is keyed as its request's reply: from the request's destination, with its identifier.
                final boolean request = ICMP_ECHO_REQUEST == type;
                final long k0 = key0(source, destination);
                final long k1 = request ? key1(id, 0, IpProtocol.ICMP) : key1(0, id, IpProtocol.ICMP);
                pendingLookups++;
                final int reference = table.lookup(k0, k1, nowMillis);
                noteExpired();
                if (reference >= 0)
                {
                    pendingHits++;
                    lastReference = reference;
                    return udpDatagram(reference, nowMillis, true);
                }
                if (handedOff(id, id))
                {
                    return HANDOFF;
                }
                if (!request)
                {
                    counters.add(ConnCounter.INVALID_NEW, 1);
                    return INVALID;
                }
                final int entry = table.insertUnconfirmed(k0, k1, key0(destination, source),
                    key1(0, id, IpProtocol.ICMP),
                    nowMillis + icmpMillis);
                if (entry < 0)
                {
                    counters.add(ConnCounter.TABLE_FULL, 1);
                    return TABLE_FULL;
                }
                table.state(entry, UDP);
                return created(entry);
            }
            case ICMP_UNREACHABLE, ICMP_TIME_EXCEEDED, ICMP_PARAMETER_PROBLEM ->
            {
                return icmpError(s, l4 + ICMP_HEADER, l4Length - ICMP_HEADER, nowMillis);
            }
            default ->
            {
                counters.add(ConnCounter.UNTRACKED, 1);
                return UNTRACKED;
            }
        }
    }

    /**
     * An ICMP error quoting, at {@code inner}, the IPv4 header and the first 8 bytes of a packet the error's
     * destination sent: related to that packet's connection when it is in the table. The quoted packet is looked up
     * turned round (as netfilter inverts it): the way the error travels, so that a translated connection's quoted
     * packet, which carries the translated tuple, is found by its reply key.
     */
    private int icmpError(final MemorySegment s, final long inner, final int innerLength, final long nowMillis)
    {
        if (innerLength < Ipv4Header.MIN_LENGTH + 8 || 0x40 != (s.get(JAVA_BYTE, inner) & 0xF0))
        {
            counters.add(ConnCounter.INVALID_NEW, 1);
            return INVALID;
        }
        final int headerLength = (s.get(JAVA_BYTE, inner) & 0x0F) * 4;
        final int protocol = s.get(JAVA_BYTE, inner + 9) & 0xFF;
        if (headerLength < Ipv4Header.MIN_LENGTH || innerLength < headerLength + 8 ||
            (IpProtocol.TCP != protocol && IpProtocol.UDP != protocol && IpProtocol.ICMP != protocol))
        {
            counters.add(ConnCounter.INVALID_NEW, 1);
            return INVALID;
        }
        final long l4 = inner + headerLength;
        final long k0 = key0(s.get(JAVA_INT_UNALIGNED, inner + Ipv4Header.DESTINATION_OFFSET),
            s.get(JAVA_INT_UNALIGNED, inner + Ipv4Header.SOURCE_OFFSET));
        final long k1;
        // The quoted packet's ports (an echo's: its identifier): its source port names the lcore that holds its
        // connection when the error travels as a reply would, its destination port when it travels the other way.
        final int quotedSource;
        final int quotedDestination;
        if (IpProtocol.ICMP == protocol)
        {
            final int id = s.get(RAW_SHORT, l4 + 4) & 0xFFFF;
            k1 = ICMP_ECHO_REQUEST == (s.get(JAVA_BYTE, l4) & 0xFF) ? key1(0, id, protocol) : key1(id, 0, protocol);
            quotedSource = id;
            quotedDestination = id;
        }
        else
        {
            quotedSource = s.get(RAW_SHORT, l4) & 0xFFFF;
            quotedDestination = s.get(RAW_SHORT, l4 + 2) & 0xFFFF;
            k1 = key1(quotedDestination, quotedSource, protocol);
        }
        pendingLookups++;
        final int reference = table.lookup(k0, k1, nowMillis);
        noteExpired();
        if (reference < 0 && handedOff(quotedDestination, quotedSource))
        {
            return HANDOFF;
        }
        if (reference < 0)
        {
            counters.add(ConnCounter.INVALID_NEW, 1);
            return INVALID;
        }
        counters.add(ConnCounter.RELATED, 1);
        lastReference = reference;
        lastInner = inner;
        lastInnerLength = innerLength;
        return RELATED;
    }

    /** A UDP datagram or ICMP echo of a known connection: a reply makes it established and lengthens its life. */
    private int udpDatagram(final int reference, final long nowMillis, final boolean icmp)
    {
        final int entry = reference >>> 1;
        final int old = table.state(entry);
        final int word = old | ((reference & 1) == 1 ? REPLIED : 0);
        if (word != old)
        {
            table.state(entry, word);
        }
        final boolean replied = 0 != (word & REPLIED);
        table.touch(entry, nowMillis + (icmp ? icmpMillis : replied ? udpRepliedMillis : udpUnrepliedMillis));
        return replied ? ESTABLISHED : NEW;
    }

    /**
     * Notes the first fragment's datagram, for its later fragments: as {@code reference}'s (a connection here), or a
     * {@link #handoffNote} (where the first fragment was handed).
     */
    private boolean noteFragments(final PacketView view, final int reference, final long nowMillis)
    {
        final MemorySegment s = view.segment();
        final long l3 = view.base() + view.l3Offset();
        return fragments.note(s.get(JAVA_INT_UNALIGNED, l3 + Ipv4Header.SOURCE_OFFSET),
            s.get(JAVA_INT_UNALIGNED, l3 + Ipv4Header.DESTINATION_OFFSET), view.protocol(),
            s.get(RAW_SHORT, l3 + Ipv4Header.IDENTIFICATION_OFFSET), reference, nowMillis);
    }

    /** A fragment note that says where the first fragment was handed ({@link #HANDOFF}): below {@code MISS}. */
    private int handoffNote()
    {
        return FragmentTable.MISS - 1 - (handoffOwner << 2 | handoffHop);
    }

    /**
     * A fragment after the first: the connection its first fragment was noted under, if that connection still holds
     * the same addresses in the same direction (its entry may have been freed and taken again since); with no first
     * noted, held in {@code mbuf} ({@link #HELD}) when fragments are held and an mbuf is given.
     */
    private int laterFragment(final PacketView view, final long nowMillis, final long mbuf)
    {
        final MemorySegment s = view.segment();
        final long l3 = view.base() + view.l3Offset();
        final int source = s.get(JAVA_INT_UNALIGNED, l3 + Ipv4Header.SOURCE_OFFSET);
        final int destination = s.get(JAVA_INT_UNALIGNED, l3 + Ipv4Header.DESTINATION_OFFSET);
        final int reference = fragments.find(source, destination, view.protocol(),
            s.get(RAW_SHORT, l3 + Ipv4Header.IDENTIFICATION_OFFSET), nowMillis);
        if (reference < FragmentTable.MISS)
        {
            final int handed = FragmentTable.MISS - 1 - reference;
            handoffOwner = handed >>> 2;
            handoffHop = handed & 3;
            pendingHandoffs++;
            return HANDOFF;
        }
        if (FragmentTable.MISS == reference && holdsFragments && 0 != mbuf && hold.hold(source, destination,
            view.protocol(), s.get(RAW_SHORT, l3 + Ipv4Header.IDENTIFICATION_OFFSET), mbuf, nowMillis))
        {
            // Before its first: held for it (the first may be late, or on its way).
            counters.add(ConnCounter.FRAGMENTS_HELD, 1);
            return HELD;
        }
        if (reference < 0 || table.key(reference >>> 1, 1 == (reference & 1), 0) != key0(source, destination) ||
            table.expiresAt(reference >>> 1) <= nowMillis)
        {
            counters.add(ConnCounter.FRAGMENT_ORPHANS, 1);
            return UNTRACKED;
        }
        lastReference = reference;
        return 0 != (table.state(reference >>> 1) & REPLIED) || 1 == (reference & 1) ? ESTABLISHED : NEW;
    }

    /**
     * Checks a segment (its TCP header at {@code l4} in {@code s}, {@code payload} bytes after the header) against the
     * connection's windows and moves them on ({@link TcpWindow}).
     */
    private int window(final int entry, final boolean reply, final MemorySegment s, final long l4,
        final int headerLength, final int payload, final int state)
    {
        final int flags = TcpHeader.flags(s, l4);
        final long base = (long)entry * ConnTable.ENTRY_BYTES + WINDOWS;
        final long original = base;
        final long replied = base + TcpWindow.BYTES;
        lastWindowVerdict = TcpWindow.check(entries, reply ? replied : original, reply ? original : replied, reply,
            flags, s.get(RAW_INT, l4 + TcpHeader.SEQUENCE_OFFSET), s.get(RAW_INT, l4 + TcpHeader.ACKNOWLEDGMENT_OFFSET),
            s.get(RAW_SHORT, l4 + TcpHeader.WINDOW_OFFSET) & 0xFFFF, payload,
            0 != (flags & TcpHeader.SYN) ? windowScaleOption(s, l4, headerLength) : -1, state, liberal);
        return lastWindowVerdict;
    }

    /** The window scale a SYN's options offer, or -1 (none, or options that do not parse). */
    static int windowScaleOption(final MemorySegment s, final long l4, final int headerLength)
    {
        int at = TcpHeader.MIN_LENGTH;
        while (at < headerLength)
        {
            final int kind = s.get(JAVA_BYTE, l4 + at) & 0xFF;
            if (0 == kind)
            {
                return -1;
            }
            if (1 == kind)
            {
                at++;
                continue;
            }
            if (at + 1 >= headerLength)
            {
                return -1;
            }
            final int length = s.get(JAVA_BYTE, l4 + at + 1) & 0xFF;
            if (length < 2 || at + length > headerLength)
            {
                return -1;
            }
            if (WINDOW_SCALE_KIND == kind && 3 == length)
            {
                return s.get(JAVA_BYTE, l4 + at + 2) & 0xFF;
            }
            at += length;
        }
        return -1;
    }

    /** Why the last TCP segment tracked was out of window ({@link TcpWindow}'s codes), or {@link TcpWindow#OK}. */
    public int lastWindowVerdict()
    {
        return lastWindowVerdict;
    }

    /**
     * {@link #sweep} with a budget paced by the clock: the table's capacity once every {@value #SWEEP_ROUND_MILLIS}
     * ms, granted as the milliseconds pass and spent at most {@value #SWEEP_MOST_A_CALL} slots a call (so that no
     * burst waits on a long sweep). A fixed budget a burst walked the whole table hundreds of times a second at
     * full rate, each slot read a cache line of its own (the entry's expiry) that the packets then lost: a tenth of
     * the one-flow path's time. The lookup expires what it meets, so a lap a second leaves nothing alive past its
     * timeout that a packet could see; the sweep only reclaims and counts. Call once per burst, and on idle polls.
     */
    public void sweepPaced(final long nowMillis)
    {
        if (NEVER == sweptToMillis)
        {
            sweptToMillis = nowMillis;
        }
        if (nowMillis != sweptToMillis)
        {
            // A clock stepped back grants nothing; one far ahead, a lap at most.
            final long elapsed = Math.max(0, Math.min(nowMillis - sweptToMillis, SWEEP_ROUND_MILLIS));
            final long capacity = table.capacity();
            sweepCredit = Math.min(capacity, sweepCredit + (capacity * elapsed + SWEEP_ROUND_MILLIS - 1) /
                SWEEP_ROUND_MILLIS);
            sweptToMillis = nowMillis;
        }
        final int budget = (int)Math.min(sweepCredit, SWEEP_MOST_A_CALL);
        sweepCredit -= budget;
        sweep(nowMillis, budget);
    }

    /**
     * Removes expired connections from up to {@code budget} slots, and from two more for each connection created since
     * the last call (so that reclaiming keeps pace with a flood of new connections: the sweep goes round the table at
     * least twice as fast as connections come), and publishes the connections in use and the lookups and hits since
     * the last call: call once per burst.
     */
    public void sweep(final long nowMillis, final int budget)
    {
        confirmPending();
        if ((int)FLUSH_DONE.getOpaque(this) != (int)FLUSH_ASKED.getAcquire(this))
        {
            counters.add(ConnCounter.FLUSHED, table.removeAll());
            FLUSH_DONE.setRelease(this, (int)FLUSH_ASKED.getOpaque(this));
        }
        table.sweep(nowMillis, budget + 2 * createdSinceSweep);
        createdSinceSweep = 0;
        if (0 != hold.held())
        {
            counters.add(ConnCounter.FRAGMENT_TIMEOUTS, hold.expire(nowMillis));
        }
        noteExpired();
        final int used = table.used();
        counters.add(ConnCounter.IN_USE, used - publishedInUse);
        publishedInUse = used;
        publish();
    }

    /**
     * Publishes the counts every packet may move, gathered in plain fields: lookups, hits, packets handed to another
     * lcore. Done by {@link #sweep} and at the end of each burst (the processor's {@code endBurst}).
     */
    public void publish()
    {
        if (0 != pendingLookups)
        {
            counters.add(ConnCounter.LOOKUPS, pendingLookups);
            counters.add(ConnCounter.HITS, pendingHits);
            pendingLookups = 0;
            pendingHits = 0;
        }
        if (0 != pendingHandoffs)
        {
            counters.add(ConnCounter.HANDED_OFF, pendingHandoffs);
            pendingHandoffs = 0;
        }
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

    /**
     * The connection and direction of the last tracked packet, as {@link ConnTable#lookup} gives them (entry
     * {@code << 1}, bit 0 the reply direction), or -1 when it has none.
     */
    public int lastReference()
    {
        return lastReference;
    }

    /**
     * What its owner keeps for the last tracked packet's direction of its connection (a rule's verdict, say), 0 until
     * it is set; the last packet must have a connection ({@link #lastReference} >= 0).
     */
    public long directionWord()
    {
        return ALL.get(JAVA_LONG, NativeMemory.address(entriesAt + directionWordAt(lastReference)));
    }

    /** Sets {@link #directionWord}. */
    public void directionWord(final long word)
    {
        ALL.set(JAVA_LONG, NativeMemory.address(entriesAt + directionWordAt(lastReference)), word);
    }

    private static long directionWordAt(final int reference)
    {
        return (long)(reference >>> 1) * ConnTable.ENTRY_BYTES + DIRECTION_WORDS + 8L * (reference & 1);
    }

    /** Whether the last tracked packet created its connection. */
    public boolean lastCreated()
    {
        return lastCreated;
    }

    /**
     * Gives the connection the last packet created a translation (source NAT, destination NAT or both, as netfilter
     * binds one to a connection by its first packet): its original-direction packets are to leave with these
     * addresses and ports (network order values; an ICMP echo keeps its identifier), so its replies will carry the
     * same turned round, and are keyed so. {@link #translate} then rewrites each packet of the connection.
     *
     * @return false when the translated tuple belongs to another live connection, or finds no room in the index: the
     * new connection is forgotten (counted as a NAT clash) and its packet is to be dropped.
     */
    public boolean bind(final int source, final int destination, final int sourcePort, final int destinationPort,
        final long nowMillis)
    {
        return bind(source, destination, sourcePort, destinationPort, nowMillis, 0, 0, 0);
    }

    /**
     * {@link #bind(int, int, int, int, long)}, and when that tuple is another live connection's, the source ports (an
     * ICMP echo: the identifiers) of
     * {@code [portLow, portHigh]} from {@code portStart} on, in turn, at most {@value #MAX_PORT_PROBES} of them, until
     * one makes a tuple no live connection holds (a port is taken only towards the same remote address and port, as
     * an endpoint-dependent NAT like VPP's NAT44-ED or Linux's keeps it). {@code portLow} 0: no search. When lcores
     * share connections ({@link #route}), only this lcore's ports are taken, so that the replies come to it.
     */
    public boolean bind(final int source, final int destination, final int sourcePort, final int destinationPort,
        final long nowMillis, final int portLow, final int portHigh, final int portStart)
    {
        final int entry = lastReference >>> 1;
        final long original1 = table.key(entry, false, 1);
        final int protocol = (int)(original1 & 0xFF);
        // An echo keeps its identifier unless that is taken (then one of the range, as a port would be).
        final boolean icmp = IpProtocol.ICMP == protocol;
        int status = rekey(entry, protocol, source, destination, icmp ? (int)(original1 >>> 48) : sourcePort,
            destinationPort, nowMillis);
        if (IN_USE == status && 0 != portLow)
        {
            final int range = portHigh - portLow + 1;
            final int probes = Math.min(range, MAX_PORT_PROBES);
            for (int i = 0; i < probes && IN_USE == status; i++)
            {
                final int port = portLow + (portStart - portLow + i) % range;
                status = rekey(entry, protocol, source, destination, port, destinationPort, nowMillis);
            }
        }
        if (BOUND != status)
        {
            forget();
            counters.add(ConnCounter.NAT_CLASHES, 1);
            return false;
        }
        return true;
    }

    private int rekey(final int entry, final int protocol, final int source, final int destination,
        final int sourcePort, final int destinationPort, final long nowMillis)
    {
        if (null != owners && owners.of(sourcePort) != self)
        {
            // Another lcore's port: the replies would go there (ConnOwners).
            return IN_USE;
        }
        final long r0 = key0(raw(destination), raw(source));
        // An echo's reply is keyed with the identifier in the destination port's place (sourcePort: the identifier).
        final long r1 = IpProtocol.ICMP == protocol ? key1(0, sourcePort, protocol) :
            key1(destinationPort, sourcePort, protocol);
        if (r0 == table.key(entry, true, 0) && r1 == table.key(entry, true, 1))
        {
            return BOUND;
        }
        if ((r0 == table.key(entry, false, 0) && r1 == table.key(entry, false, 1)) ||
            table.lookup(r0, r1, nowMillis) >= 0)
        {
            return IN_USE;
        }
        if (!table.rekeyReply(entry, r0, r1))
        {
            return NO_ROOM;
        }
        table.state(entry, table.state(entry) | TRANSLATED);
        precomputeTranslation(entry);
        counters.add(ConnCounter.TRANSLATED, 1);
        return BOUND;
    }

    /**
     * Puts the connection the last packet created into the table for good (its reply key into the index, as bound:
     * {@link #bind}), once its packet is through the rules (nf_conntrack's confirm). Done by the next {@link #track},
     * {@link #trackPlain} or {@link #sweep} if not before; nothing when the last packet created nothing.
     *
     * @return false when the connection's reply tuple is another live connection's, or finds no room in the index:
     * the connection is forgotten and counted (a NAT clash, or table full), and its packet is to be dropped.
     */
    public boolean confirm()
    {
        if (unconfirmed < 0)
        {
            return true;
        }
        final int entry = unconfirmed;
        unconfirmed = -1;
        final int status = table.confirm(entry);
        if (ConnTable.CONFIRMED == status)
        {
            return true;
        }
        table.remove(entry);
        if (lastReference >>> 1 == entry)
        {
            lastReference = -1;
            lastCreated = false;
        }
        counters.add(ConnTable.KEY_LIVE == status ? ConnCounter.NAT_CLASHES : ConnCounter.TABLE_FULL, 1);
        return false;
    }

    private void confirmPending()
    {
        if (unconfirmed >= 0)
        {
            confirm();
        }
    }

    /** Removes the connection the last packet created, which is not to be kept (its packet was dropped). */
    public void forget()
    {
        if (unconfirmed == lastReference >>> 1)
        {
            unconfirmed = -1;
        }
        table.remove(lastReference >>> 1);
        lastReference = -1;
        lastCreated = false;
        counters.add(ConnCounter.FORGOTTEN, 1);
    }

    /**
     * Translates the last tracked packet as its connection's translation says ({@link #bind}): a packet of the
     * original direction leaves with the reply key's tuple turned round, a reply with the original key's. Nothing for
     * a packet of an untranslated connection, or of none, or an ICMP error about one.
     *
     * @return whether the packet's connection is translated (and the packet rewritten where it differed).
     */
    public boolean translate(final PacketView view)
    {
        if (lastReference < 0)
        {
            return false;
        }
        final int entry = lastReference >>> 1;
        if (0 == (table.state(entry) & TRANSLATED))
        {
            return false;
        }
        if (RELATED == lastState)
        {
            translateError(view, entry);
            return true;
        }
        final MemorySegment s = view.segment();
        if (!s.isNative())
        {
            throw new IllegalArgumentException("a translated packet must lie in native memory (an mbuf's)");
        }
        final long base = s.address() + view.base();
        final int protocol = view.protocol();
        // An echo (the only ICMP a connection has, errors aside) has its identifier translated in its header.
        final long l4 = view.hasL4() ? base + view.l4Offset() :
            IpProtocol.ICMP == protocol ? base + view.l3Offset() + view.l3HeaderLength() : -1;
        applyTranslation(base + view.l3Offset(), l4, protocol);
        return true;
    }

    /**
     * {@link #translate} of the plain frame at {@code frameAddress} ({@link PlainFrame}) that {@link #trackPlain} just
     * tracked.
     */
    public boolean translatePlain(final long frameAddress)
    {
        if (lastReference < 0 || 0 == (table.state(lastReference >>> 1) & TRANSLATED))
        {
            return false;
        }
        final long frame = NativeMemory.address(frameAddress);
        applyTranslation(frame + PlainFrame.L3, frame + PlainFrame.L4,
            ALL.get(JAVA_BYTE, frame + PlainFrame.L3 + Ipv4Header.PROTOCOL_OFFSET) & 0xFF);
        return true;
    }

    /**
     * Gives the last tracked packet (its IPv4 header at address {@code l3}, its UDP or TCP header at {@code l4}, -1
     * without one) its direction's translation: the packet carries its direction's key, and gets the constants
     * computed for that direction at bind. Through {@link NativeMemory#ALL} only, so that it compiles small and
     * inlines into the fast path.
     */
    private void applyTranslation(final long l3Address, final long l4Address, final int protocol)
    {
        // Every word is read and written in memory order: ones' complement sums do not care (RFC 1071), and the
        // constants were stored so.
        final long at = NativeMemory.address(entriesAt + translationAt(lastReference));
        final int deltas = ALL.get(JAVA_INT, at + 12);
        final long l3 = NativeMemory.address(l3Address);
        ALL.set(JAVA_LONG_UNALIGNED, l3 + Ipv4Header.SOURCE_OFFSET, ALL.get(JAVA_LONG, at));
        final int ipChecksum = ALL.get(JAVA_SHORT_UNALIGNED, l3 + Ipv4Header.CHECKSUM_OFFSET) & 0xFFFF;
        ALL.set(JAVA_SHORT_UNALIGNED, l3 + Ipv4Header.CHECKSUM_OFFSET,
            (short)InternetChecksum.applyFoldedDelta(ipChecksum, deltas >>> 16));
        if (l4Address < 0)
        {
            return;
        }
        final long l4 = NativeMemory.address(l4Address);
        if (IpProtocol.ICMP == protocol)
        {
            // The identifier, and the ICMP checksum (no pseudo-header: the addresses do not enter it).
            ALL.set(JAVA_SHORT_UNALIGNED, l4 + ICMP_ID_OFFSET, (short)ALL.get(JAVA_INT, at + 8));
            final int icmpChecksum = ALL.get(JAVA_SHORT_UNALIGNED, l4 + ICMP_CHECKSUM_OFFSET) & 0xFFFF;
            ALL.set(JAVA_SHORT_UNALIGNED, l4 + ICMP_CHECKSUM_OFFSET,
                (short)InternetChecksum.applyFoldedDelta(icmpChecksum, deltas & 0xFFFF));
            return;
        }
        ALL.set(JAVA_INT_UNALIGNED, l4, ALL.get(JAVA_INT, at + 8));
        final boolean tcp = IpProtocol.TCP == protocol;
        final long checksumAt = l4 + (tcp ? TcpHeader.CHECKSUM_OFFSET : UdpHeader.CHECKSUM_OFFSET);
        final int checksum = ALL.get(JAVA_SHORT_UNALIGNED, checksumAt) & 0xFFFF;
        if (tcp || 0 != checksum)
        {
            final int updated = InternetChecksum.applyFoldedDelta(checksum, deltas & 0xFFFF);
            // A UDP checksum that comes out 0 goes as 0xFFFF (0 means none); either reads the same swapped.
            ALL.set(JAVA_SHORT_UNALIGNED, checksumAt, (short)(!tcp && 0 == updated ? 0xFFFF : updated));
        }
    }

    /**
     * Where the translation constants of a direction of a connection lie ({@code reference} as {@link #lastReference}),
     * each as the header holds it, read in memory order: the new source and destination (a long), the new ports (an
     * int; an ICMP echo's: its new identifier, 16 bits), and the folded deltas (RFC 1624) they make to the IPv4 header
     * checksum (high 16 bits) and the UDP/TCP (or ICMP) checksum (low), each a 16-bit word in memory order.
     */
    private static long translationAt(final int reference)
    {
        return (long)(reference >>> 1) * ConnTable.ENTRY_BYTES + TRANSLATIONS + (long)TRANSLATION_BYTES *
            (reference & 1);
    }

    /**
     * Computes both directions' translation constants of a translated connection: a packet of a direction carries
     * that direction's key and leaves with the other's turned round.
     */
    private void precomputeTranslation(final int entry)
    {
        for (int direction = 0; direction < 2; direction++)
        {
            final boolean reply = 1 == direction;
            final long from0 = table.key(entry, reply, 0);
            final long from1 = table.key(entry, reply, 1);
            final long to0 = table.key(entry, !reply, 0);
            final long to1 = table.key(entry, !reply, 1);
            // The other direction's tuple turned round: source = its destination, and so on.
            final int source = network((int)to0);
            final int destination = network((int)(to0 >>> 32));
            final int sourcePort = (int)(to1 >>> 32) & 0xFFFF;
            final int destinationPort = (int)(to1 >>> 48);
            final long addressDelta = InternetChecksum.delta32(network((int)(from0 >>> 32)), source) +
                InternetChecksum.delta32(network((int)from0), destination);
            final int ports;
            final long l4Delta;
            if (IpProtocol.ICMP == (int)(from1 & 0xFF))
            {
                // An echo: its identifier sits in one port's place of each key, 0 in the other's; the ICMP checksum
                // has no pseudo-header, so only the identifier enters it.
                final int oldId = echoId(from1);
                final int newId = echoId(to1);
                ports = raw16(newId);
                l4Delta = InternetChecksum.delta16(oldId, newId);
            }
            else
            {
                ports = raw(sourcePort << 16 | destinationPort);
                l4Delta = addressDelta + InternetChecksum.delta16((int)(from1 >>> 48), sourcePort) +
                    InternetChecksum.delta16((int)(from1 >>> 32) & 0xFFFF, destinationPort);
            }
            final long at = translationAt(entry << 1 | direction);
            entries.set(JAVA_LONG, at, BIG_ENDIAN ? key0(source, destination) : key0(raw(destination), raw(source)));
            entries.set(JAVA_INT, at + 8, ports);
            entries.set(JAVA_INT, at + 12, raw16(InternetChecksum.fold(addressDelta)) << 16 |
                raw16(InternetChecksum.fold(l4Delta)));
        }
    }

    /**
     * An ICMP error about a translated connection (RELATED): the packet it quotes travelled the other way, translated,
     * and is given back that direction's tuple as its sender knew it (addresses, ports or echo id kept, the quoted
     * IPv4 header's checksum and a quoted UDP or TCP checksum updated); the error's own addresses are translated as a
     * packet of its direction would be (as Linux's {@code nf_nat_icmp_reply_translation} does), and the ICMP checksum
     * computed afresh over the message.
     */
    private void translateError(final PacketView view, final int entry)
    {
        final MemorySegment s = view.segment();
        final boolean reply = 1 == (lastReference & 1);
        final long q0 = table.key(entry, !reply, 0);
        final long q1 = table.key(entry, !reply, 1);
        final long inner = lastInner;
        final int protocol = s.get(JAVA_BYTE, inner + 9) & 0xFF;
        final long l4 = inner + (s.get(JAVA_BYTE, inner) & 0x0F) * 4L;
        final int l4Quoted = lastInnerLength - (int)(l4 - inner);
        // The L4 checksum the quote holds, if it holds one: UDP's within its 8 bytes, TCP's at 16 if quoted.
        final long l4Checksum = IpProtocol.UDP == protocol ? l4 + UdpHeader.CHECKSUM_OFFSET :
            IpProtocol.TCP == protocol && l4Quoted >= TcpHeader.CHECKSUM_OFFSET + 2 ?
                l4 + TcpHeader.CHECKSUM_OFFSET : -1;
        int l4Sum = l4Checksum < 0 ? 0 : NetworkOrder.u16(s, l4Checksum);
        final boolean l4Sums = l4Checksum >= 0 && (IpProtocol.TCP == protocol || 0 != l4Sum);
        int ipSum = NetworkOrder.u16(s, inner + Ipv4Header.CHECKSUM_OFFSET);
        for (int field = 0; field < 2; field++)
        {
            final long at = inner + (0 == field ? Ipv4Header.SOURCE_OFFSET : Ipv4Header.DESTINATION_OFFSET);
            final int old = NetworkOrder.u32(s, at);
            final int address = network(0 == field ? (int)(q0 >>> 32) : (int)q0);
            NetworkOrder.u32(s, at, address);
            ipSum = InternetChecksum.update32(ipSum, old, address);
            l4Sum = InternetChecksum.update32(l4Sum, old, address);
        }
        NetworkOrder.u16(s, inner + Ipv4Header.CHECKSUM_OFFSET, ipSum);
        if (IpProtocol.TCP == protocol || IpProtocol.UDP == protocol)
        {
            for (int field = 0; field < 2; field++)
            {
                final int old = NetworkOrder.u16(s, l4 + 2L * field);
                final int port = 0 == field ? (int)(q1 >>> 48) : (int)(q1 >>> 32) & 0xFFFF;
                NetworkOrder.u16(s, l4 + 2L * field, port);
                l4Sum = InternetChecksum.update16(l4Sum, old, port);
            }
        }
        else
        {
            // A quoted echo: its identifier as its sender knew it, and its own checksum with it.
            final int old = NetworkOrder.u16(s, l4 + ICMP_ID_OFFSET);
            final int id = echoId(q1);
            NetworkOrder.u16(s, l4 + ICMP_ID_OFFSET, id);
            NetworkOrder.u16(s, l4 + ICMP_CHECKSUM_OFFSET,
                InternetChecksum.update16(NetworkOrder.u16(s, l4 + ICMP_CHECKSUM_OFFSET), old, id));
        }
        if (l4Sums)
        {
            HeaderRewrite.storeL4(s, l4Checksum, protocol, l4Sum);
        }
        // The error itself, as a packet of its direction; then its checksum over the whole message.
        final long l3 = view.base() + view.l3Offset();
        final int source = network((int)q0);
        final int destination = network((int)(q0 >>> 32));
        if (Ipv4Header.source(s, l3) != source)
        {
            HeaderRewrite.setAddress(view, true, source);
        }
        if (Ipv4Header.destination(s, l3) != destination)
        {
            HeaderRewrite.setAddress(view, false, destination);
        }
        final long icmp = l3 + view.l3HeaderLength();
        final int icmpLength = view.ipEnd() - view.l3Offset() - view.l3HeaderLength();
        NetworkOrder.u16(s, icmp + 2, 0);
        NetworkOrder.u16(s, icmp + 2, InternetChecksum.checksum(s, icmp, icmpLength));
    }

    /** The TCP state a connection's state word ({@link ConnTable#state}) holds. */
    static TcpState tcpStateOf(final int word)
    {
        return TcpState.of(word & TCP_STATE_MASK);
    }

    /** Whether a connection's state word says a reply was seen. */
    static boolean replied(final int word)
    {
        return 0 != (word & REPLIED);
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

    /**
     * Asks the owner to remove every connection at its next burst or idle poll (any thread).
     *
     * @return the ticket {@link #flushDone(int)} waits for.
     */
    public int requestFlush()
    {
        return (int)FLUSH_ASKED.getAndAdd(this, 1) + 1;
    }

    /** Whether the flush of {@code ticket} is done (any thread). */
    public boolean flushDone(final int ticket)
    {
        return (int)FLUSH_DONE.getAcquire(this) - ticket >= 0;
    }

    /** Frees its table's memory. */
    @Override
    public void close()
    {
        freeHeld();
        table.close();
    }

    private void noteExpired()
    {
        final long expired = table.expired();
        if (expired != expiredSeen)
        {
            counters.add(ConnCounter.EXPIRED, expired - expiredSeen);
            expiredSeen = expired;
            publishExpired(ConnCounter.EXPIRED_TCP, IpProtocol.TCP);
            publishExpired(ConnCounter.EXPIRED_UDP, IpProtocol.UDP);
            publishExpired(ConnCounter.EXPIRED_ICMP, IpProtocol.ICMP);
        }
    }

    private void publishExpired(final ConnCounter counter, final int protocol)
    {
        counters.add(counter, table.expired(protocol) - counters.get(counter));
    }

    /** An address read as it lies in the header (the keys' form) from its network-order value, and back. */
    private static int raw(final int address)
    {
        return BIG_ENDIAN ? address : Integer.reverseBytes(address);
    }

    /** A 16-bit network-order value as it reads from memory in the machine's order. */
    private static int raw16(final int value)
    {
        return BIG_ENDIAN ? value : Short.reverseBytes((short)value) & 0xFFFF;
    }

    /** An ICMP echo's identifier from its key's second word: in one port's place, 0 in the other's. */
    private static int echoId(final long key1)
    {
        return (int)(key1 >>> 48) | (int)(key1 >>> 32) & 0xFFFF;
    }

    private static int network(final int raw)
    {
        return BIG_ENDIAN ? raw : Integer.reverseBytes(raw);
    }

    /**
     * {@link #key0} of the IPv4 header at address {@code l3}: both addresses in one load, the source (bytes 12-15)
     * high, the destination low, as they lie.
     */
    private static long plainKey0(final long l3)
    {
        final long addresses = ALL.get(JAVA_LONG_UNALIGNED, l3 + Ipv4Header.SOURCE_OFFSET);
        return BIG_ENDIAN ? addresses : Long.rotateLeft(addresses, 32);
    }

    /** {@link #key1} of the UDP or TCP header at address {@code l4}: both ports in one load. */
    private static long plainKey1(final long l4, final int protocol)
    {
        return (ALL.get(RAW_INT, l4) & 0xFFFFFFFFL) << 32 | protocol;
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
