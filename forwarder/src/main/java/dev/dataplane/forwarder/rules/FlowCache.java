package dev.dataplane.forwarder.rules;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.net.UdpHeader;

/**
 * An exact-match flow cache in front of the classifier, as Open vSwitch's EMC sits in front of its megaflow
 * classifier: the rule a well-formed IPv4 flow matched, keyed by everything the rules can look at (in-port, outer
 * VLAN, protocol, addresses, ports, and the length and TCP flags when some rule matches on them), with the flow's
 * rewrite pre-computed. For one flow a flow-constant rewrite ({@link RewriteProgram#constantFields()}) always
 * writes the same values over the same old ones, so its checksum changes are two constants (RFC 1624 deltas): a
 * hit costs a hash, three compares and a few stores instead of a classification and a rewrite program.
 * <p>
 * Two-way set-associative (a new flow takes the first way of its set and moves the older one to the second), one
 * per rule stream (one thread), emptied with each rule generation so that an entry never
 * outlives the rules it came from. An entry also holds the (up to {@value #MAX_COUNTED}) {@code count} rules its
 * flow matched before its terminal rule, so that a hit counts exactly what the classifier would; a flow that
 * matches more is not cached. Frames that are not well-formed IPv4 are never cached. Allocation-free after
 * construction.
 */
public final class FlowCache
{
    /** Default entries: a power of two; 72 bytes each, so 288 KiB, an L2 cache's worth per stream. */
    public static final int DEFAULT_ENTRIES = 4096;
    /** {@link #lookup} of a frame the cache does not take (not well-formed IPv4, or the cache is off). */
    public static final int BYPASS = -1;
    /** {@link #lookup} of a cacheable frame not in the cache: classify it, then {@link #insert} the result. */
    public static final int MISS = -2;

    /** The {@code count} rules an entry can hold besides its terminal rule. */
    public static final int MAX_COUNTED = 2;

    private static final int STRIDE = 8;
    private static final int KEY0 = 0;
    private static final int KEY1 = 1;
    private static final int KEY2 = 2;
    /** rule (low 32 bits, NO_MATCH = -1) | constant fields (high 32 bits, NOT_FLOW_CONSTANT = -1). */
    private static final int ACTION = 3;
    /** new source address << 32 | new destination address. */
    private static final int ADDRESSES = 4;
    /** new source port << 48 | new destination port << 32 | IPv4 checksum delta << 16 | L4 checksum delta. */
    private static final int PORTS_AND_DELTAS = 5;
    private static final int SOURCE_MAC = 6;
    private static final int DESTINATION_MAC = 7;
    private static final long VALID = 1L << 63;
    private static final long HAS_L4 = 1L << 62;
    private static final int ADDRESS_FIELDS = RewriteProgram.SETS_SOURCE | RewriteProgram.SETS_DESTINATION;
    private static final int L4_FIELDS =
        ADDRESS_FIELDS | RewriteProgram.SETS_SOURCE_PORT | RewriteProgram.SETS_DESTINATION_PORT;

    private final long[] entries;
    /** Per entry, {@link #MAX_COUNTED} count rules it matched (-1: none). */
    private final int[] counted;
    private final int shift;
    private Rule[] countRules = new Rule[0];
    private boolean enabled;
    private boolean keyLength;
    private boolean keyTcpFlags;
    private long hits;
    private long misses;
    private long pendingKey0;
    private long pendingKey1;
    private long pendingKey2;
    private int pendingSlot;

    /**
     * @param entries a power of two, at least 2.
     */
    public FlowCache(final int entries)
    {
        if (entries < 2 || Integer.bitCount(entries) != 1)
        {
            throw new IllegalArgumentException("flow cache entries must be a power of two >= 2: " + entries);
        }
        this.entries = new long[entries * STRIDE];
        this.counted = new int[entries * MAX_COUNTED];
        this.shift = 64 - Integer.numberOfTrailingZeros(entries / 2);
    }

    /**
     * Empties the cache for a new rule generation and takes from it what to key on. Allocates nothing: a reload is
     * picked up on the lcore, between bursts.
     */
    public void reset(final CompiledRules rules)
    {
        Arrays.fill(entries, 0L);
        countRules = rules.countRules();
        keyLength = rules.matchesLength();
        keyTcpFlags = rules.matchesTcpFlags();
        enabled = true;
    }

    public boolean enabled()
    {
        return enabled;
    }

    /**
     * Looks the parsed frame's flow up.
     *
     * @return the entry of a hit (>= 0; see {@link #rule}, {@link #rewrite}), {@link #MISS} (the key is kept for
     * {@link #insert}) or {@link #BYPASS}.
     */
    public int lookup(final PacketView view, final int inPort)
    {
        if (!enabled || PacketView.OK != view.verdict() || 4 != view.ipVersion())
        {
            return BYPASS;
        }
        final MemorySegment s = view.segment();
        final long l3 = view.base() + view.l3Offset();
        final boolean l4 = view.hasL4();
        final int protocol = view.protocol();
        final long key0 = VALID | (l4 ? HAS_L4 : 0) | (long)(inPort & 0xFF) << 32 |
            (long)(0 == view.vlanCount() ? 0 : view.outerVlanId() + 1) << 8 | protocol;
        final long key1 = (long)Ipv4Header.source(s, l3) << 32 | (Ipv4Header.destination(s, l3) & 0xFFFFFFFFL);
        long key2 = l4 ? (long)view.sourcePort() << 48 | (long)view.destinationPort() << 32 : 0;
        if (keyLength)
        {
            key2 |= (long)Math.min(view.length(), 0x10000) << 9;
        }
        if (keyTcpFlags && l4 && IpProtocol.TCP == protocol)
        {
            key2 |= 0x100 | view.tcpFlags();
        }
        final int slot = setOf(key0, key1, key2);
        final long[] entries = this.entries;
        if (entries[slot + KEY0] == key0 && entries[slot + KEY1] == key1 && entries[slot + KEY2] == key2)
        {
            hits++;
            return slot;
        }
        final int second = slot + STRIDE;
        if (entries[second + KEY0] == key0 && entries[second + KEY1] == key1 && entries[second + KEY2] == key2)
        {
            hits++;
            return second;
        }
        misses++;
        pendingKey0 = key0;
        pendingKey1 = key1;
        pendingKey2 = key2;
        pendingSlot = slot;
        return MISS;
    }

    /** The first entry of the key's set. */
    private int setOf(final long key0, final long key1, final long key2)
    {
        final long hash = (key1 * 0x9E3779B97F4A7C15L) ^ (key2 * 0xC2B2AE3D27D4EB4FL) ^ (key0 * 0x165667B19E3779F9L);
        return (int)(hash >>> shift) * 2 * STRIDE;
    }

    /**
     * Records what the classifier decided for the flow of the last {@link #MISS} (the frame in {@code view}),
     * replacing whatever shared its slot; a flow that matched more than {@link #MAX_COUNTED} count rules is left out.
     *
     * @param rule    the matched terminal rule, or {@link Classifier#NO_MATCH}.
     * @param program the rule's rewrites when they will be applied (accept, tx, redirect), else null.
     */
    public void insert(final int rule, final RewriteProgram program, final PacketView view, final int inPort)
    {
        final int slot = pendingSlot;
        final long[] entries = this.entries;
        final int[] counted = this.counted;
        final int countedAt = slot / STRIDE * MAX_COUNTED;
        if (0 != entries[slot + KEY0])
        {
            // The set's first way is taken: its flow moves to the second way, evicting that one.
            System.arraycopy(entries, slot, entries, slot + STRIDE, STRIDE);
            System.arraycopy(counted, countedAt, counted, countedAt + MAX_COUNTED, MAX_COUNTED);
        }
        int countedRules = 0;
        for (final Rule countRule : countRules)
        {
            if (Classifier.NO_MATCH != rule && countRule.index() > rule)
            {
                break;
            }
            if (LinearClassifier.matches(countRule, view, inPort))
            {
                if (MAX_COUNTED == countedRules)
                {
                    entries[slot + KEY0] = 0; // too many to replay: leave the flow to the classifier
                    return;
                }
                counted[countedAt + countedRules++] = countRule.index();
            }
        }
        for (int i = countedRules; i < MAX_COUNTED; i++)
        {
            counted[countedAt + i] = -1;
        }
        final int fields = null == program ? 0 : program.constantFields();
        final long key1 = pendingKey1;
        final long key2 = pendingKey2;
        final int oldSource = (int)(key1 >>> 32);
        final int oldDestination = (int)key1;
        final int oldSourcePort = (int)(key2 >>> 48) & 0xFFFF;
        final int oldDestinationPort = (int)(key2 >>> 32) & 0xFFFF;
        final boolean constant = null != program && RewriteProgram.NOT_FLOW_CONSTANT != fields;
        final int source = constant && 0 != (fields & RewriteProgram.SETS_SOURCE) ? program.source() : oldSource;
        final int destination = constant && 0 != (fields & RewriteProgram.SETS_DESTINATION) ?
            program.destination() : oldDestination;
        final int sourcePort = constant && 0 != (fields & RewriteProgram.SETS_SOURCE_PORT) ?
            program.sourcePort() : oldSourcePort;
        final int destinationPort = constant && 0 != (fields & RewriteProgram.SETS_DESTINATION_PORT) ?
            program.destinationPort() : oldDestinationPort;
        final long addressDelta = InternetChecksum.delta32(oldSource, source) +
            InternetChecksum.delta32(oldDestination, destination);
        final long l4Delta = addressDelta + InternetChecksum.delta16(oldSourcePort, sourcePort) +
            InternetChecksum.delta16(oldDestinationPort, destinationPort);
        entries[slot + KEY0] = pendingKey0;
        entries[slot + KEY1] = key1;
        entries[slot + KEY2] = key2;
        entries[slot + ACTION] = (long)fields << 32 | (rule & 0xFFFFFFFFL);
        entries[slot + ADDRESSES] = (long)source << 32 | (destination & 0xFFFFFFFFL);
        entries[slot + PORTS_AND_DELTAS] = (long)sourcePort << 48 | (long)destinationPort << 32 |
            (long)InternetChecksum.fold(addressDelta) << 16 | InternetChecksum.fold(l4Delta);
        entries[slot + SOURCE_MAC] = constant ? program.sourceMac() : 0;
        entries[slot + DESTINATION_MAC] = constant ? program.destinationMac() : 0;
    }

    /**
     * The rule of a hit, counted in {@code counters} as the classifier would have ({@code [2 * rule]} packets,
     * {@code [2 * rule + 1]} bytes).
     */
    public int rule(final int slot, final long[] counters, final int length)
    {
        final int rule = (int)entries[slot + ACTION];
        if (Classifier.NO_MATCH != rule)
        {
            counters[2 * rule]++;
            counters[2 * rule + 1] += length;
        }
        final int countedAt = slot / STRIDE * MAX_COUNTED;
        for (int i = 0; i < MAX_COUNTED; i++)
        {
            final int countRule = counted[countedAt + i];
            if (countRule < 0)
            {
                break;
            }
            counters[2 * countRule]++;
            counters[2 * countRule + 1] += length;
        }
        return rule;
    }

    /**
     * Applies the hit's rewrite to the frame: the cached constants, or {@code program} itself when it is not
     * flow-constant.
     *
     * @return false when the frame must be dropped (see {@link RewriteProgram#apply}).
     */
    public boolean rewrite(final int slot, final PacketView view, final RewriteProgram program)
    {
        final long[] entries = this.entries;
        final int fields = (int)(entries[slot + ACTION] >>> 32);
        if (RewriteProgram.NOT_FLOW_CONSTANT == fields)
        {
            return program.apply(view);
        }
        if (0 == fields)
        {
            return true;
        }
        final MemorySegment s = view.segment();
        final long frame = view.base();
        final long portsAndDeltas = entries[slot + PORTS_AND_DELTAS];
        if (0 != (fields & ADDRESS_FIELDS))
        {
            final long l3 = frame + view.l3Offset();
            final long addresses = entries[slot + ADDRESSES];
            NetworkOrder.u32(s, l3 + Ipv4Header.SOURCE_OFFSET, (int)(addresses >>> 32));
            NetworkOrder.u32(s, l3 + Ipv4Header.DESTINATION_OFFSET, (int)addresses);
            Ipv4Header.checksum(s, l3,
                InternetChecksum.applyDelta(Ipv4Header.checksum(s, l3), (portsAndDeltas >>> 16) & 0xFFFF));
        }
        if (view.hasL4() && 0 != (fields & L4_FIELDS))
        {
            final long l4 = frame + view.l4Offset();
            final int protocol = view.protocol();
            if (0 != (fields & RewriteProgram.SETS_SOURCE_PORT))
            {
                NetworkOrder.u16(s, l4 + UdpHeader.SOURCE_PORT_OFFSET, (int)(portsAndDeltas >>> 48) & 0xFFFF);
            }
            if (0 != (fields & RewriteProgram.SETS_DESTINATION_PORT))
            {
                NetworkOrder.u16(s, l4 + UdpHeader.DESTINATION_PORT_OFFSET, (int)(portsAndDeltas >>> 32) & 0xFFFF);
            }
            final long at = l4 + (IpProtocol.TCP == protocol ? TcpHeader.CHECKSUM_OFFSET : UdpHeader.CHECKSUM_OFFSET);
            final int checksum = NetworkOrder.u16(s, at);
            // A UDP checksum of 0 means none and stays 0; a computed 0 goes out as 0xFFFF (RFC 768).
            if (IpProtocol.TCP == protocol || 0 != checksum)
            {
                final int updated = InternetChecksum.applyDelta(checksum, portsAndDeltas & 0xFFFF);
                NetworkOrder.u16(s, at, IpProtocol.UDP == protocol && 0 == updated ? 0xFFFF : updated);
            }
        }
        if (0 != (fields & RewriteProgram.SETS_SOURCE_MAC))
        {
            EthernetHeader.source(s, frame, entries[slot + SOURCE_MAC]);
        }
        if (0 != (fields & RewriteProgram.SETS_DESTINATION_MAC))
        {
            EthernetHeader.destination(s, frame, entries[slot + DESTINATION_MAC]);
        }
        return true;
    }

    /** Lookups that hit (the owning thread's view; for diagnostics and tests). */
    public long hits()
    {
        return hits;
    }

    public long misses()
    {
        return misses;
    }
}
