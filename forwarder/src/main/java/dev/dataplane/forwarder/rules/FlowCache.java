package dev.dataplane.forwarder.rules;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import dev.dataplane.dpdk.NativeMemory;
import dev.dataplane.forwarder.rules.classify.Classifier;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.HashSeed;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.net.UdpHeader;
import dev.dataplane.runtime.LcoreTransmitter;

/**
 * An exact-match flow cache in front of the classifier, as Open vSwitch's EMC sits in front of its megaflow
 * classifier: the rule a well-formed IPv4 flow matched, keyed by everything the rules can look at (in-port, outer
 * VLAN, protocol, addresses, ports, and the length and TCP flags when some rule matches on them), with the flow's
 * rewrite pre-computed. For one flow a flow-constant rewrite ({@link RewriteProgram#constantFields()}) always
 * writes the same values over the same old ones, so its checksum changes are two constants (RFC 1624 deltas): a
 * hit costs a hash, three compares and a few stores instead of a classification and a rewrite program.
 * <p>
 * The common frame (untagged IPv4 without options, not a fragment, UDP or TCP) has a fast path that needs no
 * {@link PacketView}: {@link #forwardPlain} validates and keys it straight from the frame, with the same key a full
 * parse gives, counts it and rewrites it at the fixed offsets. An entry remembers where its frames go, so a hit
 * needs nothing from the rules. Anything else, a miss, and a rewrite that is not flow-constant take the full parse.
 * <p>
 * Sets of two ways, and two sets a flow may take (its own and a partner, from two parts of its hash, as a cuckoo
 * hash's two buckets): a flow is looked for in its own set, then in the partner. A new flow takes a free way of
 * either; when all four ways are taken, one of their flows that has a free way in its own other set moves there
 * (one cuckoo step), and only when none can is a flow evicted, from the four in turn. (One set of two ways alone
 * kept the flows that three or more shared it out in turn: a quarter of 16,384 random flows in 32,768 entries,
 * which a replay of them in a cycle then missed every time.) One cache per rule stream (one thread). Each rule generation
 * has its own tag in every key, so that an entry never outlives the rules it came from: a reload retires every
 * entry at once, without touching the table (emptying 2 MiB, up to 64 MiB, per queue on the lcore would hold its
 * packets back), and an entry of an earlier generation neither matches nor counts as taken. An entry also holds the (up to
 * {@value #MAX_COUNTED}) {@code count} rules its flow matched before its terminal rule, so that a hit counts exactly
 * what the classifier would; a flow that matches more is not cached. Frames that are not well-formed IPv4 are never
 * cached. Allocation-free after construction.
 */
public final class FlowCache
{
    /**
     * Default entries: 72 bytes each, so 2.25 MiB per stream. Measured against 4096 (288 KiB, within a core's L2):
     * no slower with 256 flows, whose entries are the lines touched whatever the table's size, and 1.7x as fast
     * with 16,384, which 4096 entries cannot hold.
     */
    public static final int DEFAULT_ENTRIES = 32768;
    /** At most 2^20 entries (72 MiB). */
    public static final int MAX_ENTRIES = 1 << 20;
    /** What a size must be, for messages: see {@link #isValidSize}. */
    public static final String SIZE_RULE = "a power of two in 2.." + MAX_ENTRIES;
    /** {@link #lookup} of a frame the cache does not take (not well-formed IPv4, or the cache is off). */
    public static final int BYPASS = -1;
    /** {@link #lookup} of a cacheable frame not in the cache: classify it, then {@link #insert} the result. */
    public static final int MISS = -2;

    /** The {@code count} rules an entry can hold besides its terminal rule. */
    public static final int MAX_COUNTED = 2;
    /** The length of the array {@link #insert} takes the classifier's count rules in: one more than it can hold. */
    public static final int COUNTED_RULES = MAX_COUNTED + 1;

    /**
     * Header words as they lie in memory: keys and cached values are kept in this order, so a hit reads and writes
     * them without byte swaps (little-endian, the order of the machines DPDK runs on; correct, if slower, anywhere).
     */
    private static final ValueLayout.OfShort RAW16 = JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt RAW32 = JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong RAW64 = JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** The IPv4 EtherType (08 00) and the fragment bits (MF and the offset), read in memory order. */
    private static final short RAW_TYPE_IPV4 = Short.reverseBytes((short)EthernetHeader.TYPE_IPV4);
    private static final int RAW_FRAGMENT_BITS = (int)swap16(Ipv4Header.FLAG_MORE_FRAGMENTS |
        Ipv4Header.FRAGMENT_OFFSET_MASK);

    /** {@link #insert}'s output of a flow whose frames are dropped. */
    public static final int DROP = LcoreTransmitter.DROP;
    /** {@link #forwardPlain}: no rule matched, the policy accepts (to the paired port). */
    public static final int PLAIN_DEFAULT_ACCEPTED = -3;
    /** {@link #forwardPlain}: a rule dropped the frame. */
    public static final int PLAIN_RULE_DROPPED = -4;
    /** {@link #forwardPlain}: no rule matched, the policy drops. */
    public static final int PLAIN_DEFAULT_DROPPED = -5;
    /**
     * {@link #forwardPlain}: a plain frame whose flow is not cached. Its key is kept as after a {@link #MISS} of
     * {@link #lookup}, so that the caller, having classified the parsed frame, may {@link #insert} it at once.
     */
    public static final int PLAIN_MISS = -6;
    /** {@link #forwardPlain}: set beside the port when the rule rewrote the frame. */
    public static final int PLAIN_REWRITTEN = 1 << 16;
    public static final int PLAIN_PORT_MASK = PLAIN_REWRITTEN - 1;

    private static final int STRIDE = 8;
    /** Longs per set: two entries. */
    private static final int SET = 2 * STRIDE;
    /** The hash bits that pick a flow's set start here (19 bits for the most sets, {@link #MAX_ENTRIES} / 2). */
    private static final int SET_SHIFT = 45;
    /** The hash bits that pick its partner set's distance start here. */
    private static final int PARTNER_SHIFT = 20;
    /** A new flow looks for a way to free by a cuckoo move while one entry in this many is free. */
    private static final int CUCKOO_FREE_SHARE = 16;
    /** Bytes of heap per entry: its words and its count rules. */
    public static final int ENTRY_BYTES = STRIDE * Long.BYTES + MAX_COUNTED * Integer.BYTES;
    private static final int KEY0 = 0;
    private static final int KEY1 = 1;
    private static final int KEY2 = 2;
    /**
     * rule (bits 0-31, NO_MATCH = -1) | constant fields (bits 32-39, {@link #NOT_CONSTANT}: not flow-constant) |
     * {@link #SWAP_MACS} | {@link #REWRITES} | {@link #COUNTS} | output port + 1 (bits 48-63, 0: dropped).
     */
    private static final int ACTION = 3;
    private static final int FIELDS_SHIFT = 32;
    private static final int NOT_CONSTANT = 0xFF;
    /** The verdict is tx: the MAC addresses are swapped before the rewrites. */
    private static final long SWAP_MACS = 1L << 40;
    /** The rule has rewrites (its frames leave with their checksums offloaded where the port offers it). */
    private static final long REWRITES = 1L << 41;
    /** The flow matched {@code count} rules before its terminal one (their indexes are in {@link #counted}). */
    private static final long COUNTS = 1L << 42;
    /**
     * The common rewrite, with nothing else to do: a rule sends the flow's frames on with constant addresses and/or
     * ports (DNAT, SNAT), no MACs set or swapped, no {@code count} rules to replay. {@link #forwardPlain} then writes
     * both groups whole (a group the rule leaves holds the flow's own values, and its checksum delta is 0) and
     * skips the rest of the action word.
     */
    private static final long ADDRESSES_AND_PORTS_ONLY = 1L << 43;
    private static final int OUTPUT_SHIFT = 48;
    /** The new source and destination addresses, as {@link #RAW64} writes them at the source address. */
    private static final int ADDRESSES = 4;
    /**
     * The new ports as {@link #RAW32} writes them at the L4 header (high 32 bits) | IPv4 checksum delta << 16 | L4
     * checksum delta, the deltas folded and in memory byte order.
     */
    private static final int PORTS_AND_DELTAS = 5;
    private static final int SOURCE_MAC = 6;
    private static final int DESTINATION_MAC = 7;
    private static final long VALID = 1L << 63;
    private static final long HAS_L4 = 1L << 62;
    /** The rule generation's tag, in bits 40-61 of a key's first word: 2^22 reloads before it comes round. */
    private static final int GENERATION_SHIFT = 40;
    private static final long GENERATION_MASK = ((1L << 22) - 1) << GENERATION_SHIFT;
    private static final int ADDRESS_FIELDS = RewriteProgram.SETS_SOURCE | RewriteProgram.SETS_DESTINATION;
    private static final int PORT_FIELDS = RewriteProgram.SETS_SOURCE_PORT | RewriteProgram.SETS_DESTINATION_PORT;
    /** What touches the L4 checksum: the ports, and the addresses through the pseudo-header. */
    private static final int L4_FIELDS = ADDRESS_FIELDS | PORT_FIELDS;
    private static final int MAC_FIELDS = RewriteProgram.SETS_SOURCE_MAC | RewriteProgram.SETS_DESTINATION_MAC;
    /** Where the plain frame's headers are: untagged Ethernet, IPv4 without options. */
    private static final int PLAIN_L3 = EthernetHeader.LENGTH;
    private static final int PLAIN_L4 = PLAIN_L3 + Ipv4Header.MIN_LENGTH;
    /** Version 4, IHL 5. */
    private static final int PLAIN_VERSION_IHL = 0x45;
    /**
     * {@link #udpKey}, {@link #tcpKey}: not a plain frame's L4 header. Bit 31, which no L4 key part has (ports from bit
     * 32, TCP flags to bit 8), nor the length's ({@link #lengthKey}: bits 9-25).
     */
    private static final long NOT_PLAIN_L4 = 1L << 31;

    /** The hash's secret: an odd multiplier drawn from the process's seed ({@link HashSeed}). */
    private final long secretMultiplier;
    private final long[] entries;
    /** Per entry, {@link #MAX_COUNTED} count rules it matched (-1: none). */
    private final int[] counted;
    /** Sets - 1 (sets are a power of two). */
    private final int setMask;
    private boolean enabled;
    private boolean keyLength;
    private boolean keyTcpFlags;
    private long pendingKey0;
    private long pendingKey1;
    private long pendingKey2;
    /** The two sets of the last missed key, for {@link #insert}. */
    private int pendingSet;
    private int pendingPartner;
    /** Evictions so far: which of the four ways the next one takes. */
    private int evictions;
    /** Entries of this generation. */
    private int used;
    /** This rule generation's tag ({@link #GENERATION_MASK}); 0 before the first {@link #reset}. */
    private long generationTag;

    /**
     * A cache whose hash is keyed by the process's seed ({@link HashSeed#PROCESS}).
     *
     * @param entries a power of two, at least 2.
     */
    public FlowCache(final int entries)
    {
        this(entries, HashSeed.PROCESS);
    }

    /**
     * @param entries a power of two, at least 2.
     * @param seed    what the hash is keyed with (the process's seed; a fixed one for tests).
     */
    public FlowCache(final int entries, final long seed)
    {
        if (!isValidSize(entries))
        {
            throw new IllegalArgumentException("flow cache entries must be " + SIZE_RULE + ": " + entries);
        }
        this.entries = new long[entries * STRIDE];
        this.counted = new int[entries * MAX_COUNTED];
        this.setMask = entries / 2 - 1;
        this.secretMultiplier = HashSeed.multiplier(seed, 0);
    }

    /** Whether a cache may have {@code entries} entries: {@value #SIZE_RULE}. */
    public static boolean isValidSize(final int entries)
    {
        return entries >= 2 && entries <= MAX_ENTRIES && 1 == Integer.bitCount(entries);
    }

    /**
     * Starts a new rule generation, whose keys carry a new tag, and takes from it what to key on. Touches no entry
     * and allocates nothing (a reload is picked up on the lcore, between bursts), except once in 2^22 reloads, when
     * the tag comes round and the table is emptied.
     */
    public void reset(final CompiledRules rules)
    {
        generationTag = (generationTag + (1L << GENERATION_SHIFT)) & GENERATION_MASK;
        if (0 == generationTag)
        {
            Arrays.fill(entries, 0L);
            generationTag = 1L << GENERATION_SHIFT;
        }
        used = 0;
        keyLength = rules.matchesLength();
        keyTcpFlags = rules.matchesTcpFlags();
        enabled = true;
    }

    public boolean enabled()
    {
        return enabled;
    }

    /**
     * {@link #lookup(PacketView, int)} of a frame that {@link #forwardPlain} may just have answered
     * {@link #PLAIN_MISS} for ({@code afterPlainMiss}): its key is kept already, so it is a {@link #MISS} without a
     * second key and search, unless the parse found it is not well-formed IPv4 (such a frame is never cached; the
     * fast path's checks are the parse's for a plain frame, so this does not happen, but the cache does not rely on
     * it).
     */
    public int lookup(final PacketView view, final int inPort, final boolean afterPlainMiss)
    {
        return afterPlainMiss && cacheable(view) ? MISS : lookup(view, inPort);
    }

    /**
     * Whether the cache takes the parsed frame at all: it is on, and the frame well-formed IPv4 and no fragment (a
     * first fragment has the ports of its flow but is classified without them, see {@link PacketView#hasPorts}).
     */
    private boolean cacheable(final PacketView view)
    {
        return enabled && PacketView.OK == view.verdict() && 4 == view.ipVersion() && !view.isFragment();
    }

    /**
     * Looks the parsed frame's flow up.
     *
     * @return the entry of a hit (>= 0; see {@link #rule}, {@link #rewrite}), {@link #MISS} (the key is kept for
     * {@link #insert}) or {@link #BYPASS}.
     */
    public int lookup(final PacketView view, final int inPort)
    {
        if (!cacheable(view))
        {
            return BYPASS;
        }
        final MemorySegment s = view.segment();
        final long l3 = view.base() + view.l3Offset();
        final boolean l4 = view.hasL4();
        final int protocol = view.protocol();
        final long key0 = key0(l4, inPort, 0 == view.vlanCount() ? 0 : view.outerVlanId() + 1, protocol) |
            generationTag;
        final long key1 = addressKey(s, l3);
        final long key2 = (l4 ? portsKey(s, view.base() + view.l4Offset()) : 0) | lengthKey(view.length()) |
            (keyTcpFlags && l4 && IpProtocol.TCP == protocol ? 0x100 | view.tcpFlags() : 0);
        final long hash = hash(key0, key1, key2);
        final int set = setOf(hash);
        final int found = find(set, key0, key1, key2);
        return found >= 0 ? found : findInPartner(set, hash, key0, key1, key2, MISS);
    }

    /**
     * The key's multiplicative hash. A product's top bits depend on all of its factor's bits, but a factor's top bits
     * reach no lower bit, and the bytes that vary most between flows (the last octets of addresses, the low bytes of
     * ports) lie in the key words' top bytes, as read from memory: so the addresses word is folded down and the ports
     * word turned half round before each is multiplied. (Without, such bytes reached only the top bits and
     * cancelled: 16,384 flows to consecutive destinations kept 54% of their entries in a cache of twice as many.)
     * Kept short: the entry's load waits on it.
     * <p>
     * Then the secret: the product of that with an odd multiplier drawn per process (multiply-shift, universal
     * hashing: for two keys whose first hashes differ, the chance that their sets match is about one in the number of
     * sets, whatever the keys), so which flows share a set cannot be known from outside, and flows crafted to pile
     * into one set, pushing every packet to the slow path (hash flooding), cannot be picked. Only keys whose whole
     * 64-bit first hash matches still share a set in every process; with the addresses and ports an attacker
     * controls, finding one such pair takes a search of about 2^32 keys. Random multipliers alone, in place of the
     * fixed ones, spread structured flows worse for a tenth of the seeds tried (up to 2.6% of 16,384 consecutive
     * source ports left uncached); after the fixed ones, 40 seeds left at most 14 of 16,384 flows uncached in each of
     * {@code FlowCacheTest}'s four structured patterns, as random keys do.
     */
    private long hash(final long key0, final long key1, final long key2)
    {
        return (((key1 ^ key1 >>> 29) * 0x9E3779B97F4A7C15L) ^ (Long.rotateLeft(key2 ^ key0, 32) * 0xC2B2AE3D27D4EB4FL))
            * secretMultiplier;
    }

    /**
     * The set (0 to entries / 2 - 1) where a frame's flow, not in the cache, is looked for first; -1 for a frame the
     * cache does not take or a flow it holds. For diagnostics and tests of the hash.
     */
    public int homeSet(final PacketView view, final int inPort)
    {
        return MISS == lookup(view, inPort) ? pendingSet / SET : -1;
    }

    /** The first entry of the set a hash names first: from its top bits ({@value #SET_SHIFT} and up). */
    private int setOf(final long hash)
    {
        return ((int)(hash >>> SET_SHIFT) & setMask) * SET;
    }

    /**
     * The other set of a flow whose hash is {@code hash}, from either of its two: the set's index XOR an odd number
     * drawn from the hash's middle bits (from {@value #PARTNER_SHIFT}, apart from the top bits that pick the first
     * set), so that a flow's partner's partner is its own set and an entry's other set is found from its key alone.
     * A cache of one set has no other: the set itself.
     */
    private int partnerOf(final int set, final long hash)
    {
        return set ^ (((int)(hash >>> PARTNER_SHIFT) | 1) & setMask) * SET;
    }

    /**
     * The key's entry in its partner set, or {@code missed} with the key and both sets kept for {@link #insert}:
     * the rest of a lookup that did not find the key in its own set.
     */
    private int findInPartner(final int set, final long hash, final long key0, final long key1, final long key2,
        final int missed)
    {
        final int partner = partnerOf(set, hash);
        final int found = find(partner, key0, key1, key2);
        if (found >= 0)
        {
            return found;
        }
        pendingKey0 = key0;
        pendingKey1 = key1;
        pendingKey2 = key2;
        pendingSet = set;
        pendingPartner = partner;
        return missed;
    }

    /** The entry of the key in the set at {@code set}, either way, or -1. */
    private int find(final int set, final long key0, final long key1, final long key2)
    {
        final long[] entries = this.entries;
        if (entries[set + KEY0] == key0 && entries[set + KEY1] == key1 && entries[set + KEY2] == key2)
        {
            return set;
        }
        final int second = set + STRIDE;
        if (entries[second + KEY0] == key0 && entries[second + KEY1] == key1 && entries[second + KEY2] == key2)
        {
            return second;
        }
        return -1;
    }

    /**
     * The key word of the frame's kind: in-port, outer VLAN (id + 1, 0 untagged), IP protocol, an L4 header; the
     * caller adds the generation's tag.
     */
    private static long key0(final boolean l4, final int inPort, final int vlan, final int protocol)
    {
        return VALID | (l4 ? HAS_L4 : 0) | (long)(inPort & 0xFF) << 32 | (long)vlan << 8 | protocol;
    }

    /** The key word of the two addresses of the IPv4 header at {@code l3}, each as it lies in memory. */
    private static long addressKey(final MemorySegment s, final long l3)
    {
        return (s.get(RAW32, l3 + Ipv4Header.SOURCE_OFFSET) & 0xFFFFFFFFL) << 32 |
            (s.get(RAW32, l3 + Ipv4Header.DESTINATION_OFFSET) & 0xFFFFFFFFL);
    }

    /** The ports of the L4 header at {@code l4} as they lie in memory, in the high half of the third key word. */
    private static long portsKey(final MemorySegment s, final long l4)
    {
        return (s.get(RAW32, l4) & 0xFFFFFFFFL) << 32;
    }

    /** The frame length's part of the third key word, when some rule matches on it. */
    private long lengthKey(final int length)
    {
        return keyLength ? (long)Math.min(length, 0x10000) << 9 : 0;
    }

    /** A 16-bit checksum delta in memory order: ones' complement sums are byte-order independent (RFC 1071). */
    private static long swap16(final int value)
    {
        return (value & 0xFF) << 8 | (value >>> 8) & 0xFF;
    }

    /**
     * Records what the classifier decided for the flow of the last {@link #MISS}, in the way {@link #wayForNewFlow}
     * picks; a flow that matched more than {@link #MAX_COUNTED} count rules is left out (and nothing evicted).
     *
     * @param rule         the matched terminal rule, or {@link Classifier#NO_MATCH}.
     * @param countedRules the count rules the classifier counted for the frame, as
     *                     {@link Classifier#classify(PacketView, int, long[], int[])} notes them in an array of
     *                     {@link #COUNTED_RULES} (full: too many to replay).
     * @param program      the rule's rewrites when they will be applied (accept, tx, redirect), else null.
     * @param output       the port the flow's frames leave by, or {@link #DROP}.
     * @param swapMacs     the verdict swaps the MAC addresses (tx).
     * @return the entry written (a hit's, for {@link #rewrite}), or -1 when the flow was left out.
     */
    public int insert(final int rule, final int[] countedRules, final RewriteProgram program, final int output,
        final boolean swapMacs)
    {
        int countedCount = 0;
        while (countedCount < COUNTED_RULES && countedRules[countedCount] >= 0)
        {
            countedCount++;
        }
        if (countedCount > MAX_COUNTED)
        {
            return -1; // too many to replay: left to the classifier
        }
        final long[] entries = this.entries;
        final int[] counted = this.counted;
        final int slot = wayForNewFlow();
        final int countedAt = slot / STRIDE * MAX_COUNTED;
        System.arraycopy(countedRules, 0, counted, countedAt, countedCount);
        for (int i = countedCount; i < MAX_COUNTED; i++)
        {
            counted[countedAt + i] = -1;
        }
        final int fields = null == program ? 0 : program.constantFields();
        final long key1 = pendingKey1;
        final long key2 = pendingKey2;
        final int oldSource = Integer.reverseBytes((int)(key1 >>> 32));
        final int oldDestination = Integer.reverseBytes((int)key1);
        final int oldPorts = Integer.reverseBytes((int)(key2 >>> 32));
        final int oldSourcePort = oldPorts >>> 16;
        final int oldDestinationPort = oldPorts & 0xFFFF;
        final boolean constant = null != program && RewriteProgram.NOT_FLOW_CONSTANT != fields;
        final int source = constant && 0 != (fields & RewriteProgram.SETS_SOURCE) ? program.source() : oldSource;
        final int destination = constant && 0 != (fields & RewriteProgram.SETS_DESTINATION) ?
            program.destination() : oldDestination;
        final int sourcePort = constant && 0 != (fields & RewriteProgram.SETS_SOURCE_PORT) ?
            program.sourcePort() : oldSourcePort;
        final int destinationPort = constant && 0 != (fields & RewriteProgram.SETS_DESTINATION_PORT) ?
            program.destinationPort() : oldDestinationPort;
        // Exactly 0 when the addresses stay (an unchanged word's delta16 sums to 0xFFFF, which is not a no-op on a
        // checksum of 0xFFFF), so that the fast path may apply it regardless.
        final long addressDelta = 0 == (fields & ADDRESS_FIELDS) ? 0 : InternetChecksum.delta32(oldSource, source) +
            InternetChecksum.delta32(oldDestination, destination);
        final long l4Delta = addressDelta + InternetChecksum.delta16(oldSourcePort, sourcePort) +
            InternetChecksum.delta16(oldDestinationPort, destinationPort);
        entries[slot + KEY0] = pendingKey0;
        entries[slot + KEY1] = key1;
        entries[slot + KEY2] = key2;
        final boolean addressesAndPortsOnly = constant && Classifier.NO_MATCH != rule && DROP != output &&
            !swapMacs && 0 == countedCount && 0 != (fields & L4_FIELDS) && 0 == (fields & ~L4_FIELDS);
        entries[slot + ACTION] = (long)(fields & NOT_CONSTANT) << FIELDS_SHIFT | (rule & 0xFFFFFFFFL) |
            (swapMacs ? SWAP_MACS : 0) | (null == program || program.isEmpty() ? 0 : REWRITES) |
            (0 == countedCount ? 0 : COUNTS) | (addressesAndPortsOnly ? ADDRESSES_AND_PORTS_ONLY : 0) |
            (long)(output + 1) << OUTPUT_SHIFT;
        // Stored as they are written ({@link #RAW64}, {@link #RAW32}, {@link #RAW16}): no byte swaps on a hit.
        entries[slot + ADDRESSES] = Long.reverseBytes((long)source << 32 | (destination & 0xFFFFFFFFL));
        final long ports = Integer.reverseBytes(sourcePort << 16 | destinationPort) & 0xFFFFFFFFL;
        entries[slot + PORTS_AND_DELTAS] = ports << 32 | swap16(InternetChecksum.fold(addressDelta)) << 16 |
            swap16(InternetChecksum.fold(l4Delta));
        entries[slot + SOURCE_MAC] = constant ? program.sourceMac() : 0;
        entries[slot + DESTINATION_MAC] = constant ? program.destinationMac() : 0;
        return slot;
    }

    /**
     * The way the flow of the last miss takes: a free one in its set, else in its partner set; else one whose flow
     * can move to a free way of its own other set (moved there); else one of the four, evicted, each in turn. The
     * search for a move reads four more sets, each likely a cache miss, so it is made only while one entry in
     * {@value #CUCKOO_FREE_SHARE} or more is free: in a fuller cache it seldom finds a free way (65,536 flows through
     * 32,768 entries fill all but a few dozen, which none of them can reach), and searching anyway made the insert a
     * fifth of the forwarding lcore's time.
     */
    private int wayForNewFlow()
    {
        final long[] entries = this.entries;
        final int set = pendingSet;
        final int partner = pendingPartner;
        for (int i = 0; i < 4; i++)
        {
            final int way = candidateWay(set, partner, i);
            if (isFree(entries[way + KEY0]))
            {
                used++;
                return way;
            }
        }
        final int capacity = entries.length / STRIDE;
        for (int i = 0; i < 4 && used < capacity - capacity / CUCKOO_FREE_SHARE; i++)
        {
            final int way = candidateWay(set, partner, i);
            final int wayOwnSet = way & -SET;
            final int away = partnerOf(wayOwnSet, hash(entries[way + KEY0], entries[way + KEY1], entries[way + KEY2]));
            for (int j = 0; j < 2 && away != wayOwnSet; j++)
            {
                final int free = away + j * STRIDE;
                if (isFree(entries[free + KEY0]))
                {
                    System.arraycopy(entries, way, entries, free, STRIDE);
                    System.arraycopy(counted, way / STRIDE * MAX_COUNTED, counted, free / STRIDE * MAX_COUNTED,
                        MAX_COUNTED);
                    used++;
                    return way;
                }
            }
        }
        return candidateWay(set, partner, evictions++ & 3);
    }

    /** Whether an entry whose key starts {@code key0} is free: never taken, or taken in an earlier generation. */
    private boolean isFree(final long key0)
    {
        return (key0 & (VALID | GENERATION_MASK)) != (VALID | generationTag);
    }

    /** The {@code i}th (0-3) way a new flow may take: its set's two, then its partner's. */
    private static int candidateWay(final int set, final int partner, final int i)
    {
        return (i < 2 ? set : partner) + (i & 1) * STRIDE;
    }

    /**
     * The rule of a hit, counted in {@code counters} as the classifier would have
     * ({@link Classifier#count}).
     */
    public int rule(final int slot, final long[] counters, final int length)
    {
        return countHit(slot, entries[slot + ACTION], counters, length);
    }

    /** Counts a hit on {@code slot} (whose action word is {@code action}); returns its rule. */
    private int countHit(final int slot, final long action, final long[] counters, final int length)
    {
        final int rule = (int)action;
        if (Classifier.NO_MATCH != rule)
        {
            Classifier.count(counters, rule, length);
        }
        if (0 != (action & COUNTS))
        {
            countCounted(slot, counters, length);
        }
        return rule;
    }

    /**
     * Applies the hit's rewrite to the frame: the cached constants, or {@code program} itself when it is not
     * flow-constant. The MACs of a tx verdict are the caller's to swap, before this.
     *
     * @return false when the frame must be dropped (see {@link RewriteProgram#apply}).
     */
    public boolean rewrite(final int slot, final PacketView view, final RewriteProgram program)
    {
        final int fields = fields(entries[slot + ACTION]);
        if (NOT_CONSTANT == fields)
        {
            return program.apply(view);
        }
        final long frame = view.base();
        final boolean udp = IpProtocol.UDP == view.protocol();
        final long l4 = view.hasL4() ? frame + view.l4Offset() : -1;
        applyConstant(slot, fields, view.segment(), frame, frame + view.l3Offset(), l4,
            l4 < 0 ? -1 : l4ChecksumAt(l4, udp), udp);
        return true;
    }

    /**
     * The whole of a plain frame's journey when its flow is cached with a flow-constant rewrite: validated and keyed
     * straight from its bytes (untagged IPv4 without options, not a fragment, UDP or TCP with its header inside the
     * packet, and every check {@link PacketView} makes of such a frame: header checksum, TTL, UDP length;
     * keyed exactly as {@link #lookup} keys it after a full parse), counted as {@link #rule} counts, MACs
     * swapped for tx, and rewritten with the cached constants and checksum deltas. Reads native memory at
     * {@code frameAddress} ({@code length} bytes, nothing past them).
     *
     * @return a port (with {@link #PLAIN_REWRITTEN} set when the rule rewrote the frame; the port is
     * {@code result & PLAIN_PORT_MASK}), {@link #PLAIN_DEFAULT_ACCEPTED}, {@link #PLAIN_RULE_DROPPED},
     * {@link #PLAIN_DEFAULT_DROPPED}, {@link #PLAIN_MISS} (a plain frame, not cached), or {@link #BYPASS}: not a
     * plain frame, or a rewrite that needs its program. The frame is untouched unless a port is returned: parse it
     * in full.
     */
    public int forwardPlain(final long frameAddress, final int length, final int inPort, final long[] counters)
    {
        final long frame = NativeMemory.address(frameAddress);
        // No check of enabled: before reset every entry is zero, and no key is (keys have VALID set).
        final int totalLength = plainIpv4Length(frame, length);
        if (totalLength < 0)
        {
            return BYPASS;
        }
        final long l3 = frame + PLAIN_L3;
        final int protocol = NetworkOrder.u8(ALL, l3 + Ipv4Header.PROTOCOL_OFFSET);
        final long l4 = frame + PLAIN_L4;
        final int l4Length = totalLength - Ipv4Header.MIN_LENGTH;
        final long l4Key = IpProtocol.UDP == protocol ? udpKey(l4, l4Length) :
            IpProtocol.TCP == protocol ? tcpKey(l4, l4Length) : NOT_PLAIN_L4;
        if (NOT_PLAIN_L4 == l4Key)
        {
            return BYPASS;
        }
        final long key2 = l4Key | lengthKey(length);
        final long key0 = key0(true, inPort, 0, protocol) | generationTag;
        final long key1 = addressKey(ALL, l3);
        final long hash = hash(key0, key1, key2);
        final int set = setOf(hash);
        final int slot = find(set, key0, key1, key2);
        if (slot < 0)
        {
            return forwardPlainInPartner(set, key0, key1, key2, frame, length, counters);
        }
        final long action = entries[slot + ACTION];
        final boolean udp = IpProtocol.UDP == protocol;
        if (0 != (action & ADDRESSES_AND_PORTS_ONLY))
        {
            Classifier.count(counters, (int)action, length);
            writeAddressesAndPorts(slot, frame, udp);
            return (int)(action >>> OUTPUT_SHIFT) - 1 | PLAIN_REWRITTEN;
        }
        return forwardPlainHit(slot, action, frame, length, counters, udp);
    }

    /**
     * The rest of {@link #forwardPlain} for a frame whose flow is not in its own set: a hit in the partner set, or
     * {@link #PLAIN_MISS}. Apart, as {@link #forwardPlainHit} is, and a tail call that takes no more than the hit
     * needs (the hash is computed again), so that the common hit keeps its registers (passing the hash and the
     * protocol too cost about 5% of the rate).
     */
    private int forwardPlainInPartner(final int set, final long key0, final long key1, final long key2,
        final long frame, final int length, final long[] counters)
    {
        final int slot = findInPartner(set, hash(key0, key1, key2), key0, key1, key2, PLAIN_MISS);
        return slot < 0 ? PLAIN_MISS : forwardPlainHit(slot, entries[slot + ACTION], frame, length, counters,
            IpProtocol.UDP == (int)(key0 & 0xFF));
    }

    /**
     * The IPv4 total length of a plain frame (untagged IPv4 without options, not a fragment, the packet inside the
     * frame's {@code length} bytes), or -1 for any other frame, or one that fails the router's checks
     * ({@link PacketView}'s, for the fast path): a header checksum that does not sum to 0xFFFF, or TTL 0. The header
     * is read as three words in memory order (byte k at bits 8k), and every field checked comes from them: bytes 0-7
     * (version and IHL, total length, fragment field), 8-15 (TTL, protocol, checksum, source), 16-19 (destination).
     * A ones' complement sum does not care about byte order, and 0xFFFF reads the same swapped (RFC 1071).
     * (Kept apart from {@link #forwardPlain}, and with no load more than the checks need, so that both still inline
     * into the burst loop: a separate checksum pass over the header cost a sixth of the rate.)
     */
    private static int plainIpv4Length(final long frame, final int length)
    {
        if (length < PLAIN_L4 || RAW_TYPE_IPV4 != ALL.get(RAW16, frame + EthernetHeader.ETHER_TYPE_OFFSET))
        {
            return -1;
        }
        final long l3 = frame + PLAIN_L3;
        final long head = ALL.get(RAW64, l3);
        final long middle = ALL.get(RAW64, l3 + 8);
        // Five 32-bit words sum to at most 35 bits; two folds bring that to at most 0x10001, which is 0xFFFF exactly
        // when its last fold would be.
        long sum = (head >>> 32) + (head & 0xFFFFFFFFL) + (middle >>> 32) + (middle & 0xFFFFFFFFL) +
            (ALL.get(RAW32, l3 + Ipv4Header.DESTINATION_OFFSET) & 0xFFFFFFFFL);
        sum = (sum & 0xFFFF) + (sum >>> 16 & 0xFFFF) + (sum >>> 32);
        sum = (sum & 0xFFFF) + (sum >>> 16);
        final int totalLength = (int)(head >>> 8) & 0xFF00 | (int)(head >>> 24) & 0xFF;
        if (PLAIN_VERSION_IHL != (head & 0xFF) || PLAIN_L3 + totalLength > length ||
            0 != ((head >>> 48) & RAW_FRAGMENT_BITS) || 0 == (middle & 0xFF) || 0xFFFF != sum)
        {
            return -1;
        }
        return totalLength;
    }

    /**
     * The UDP part of a plain frame's key (its ports, as {@link #portsKey} has them), or {@link #NOT_PLAIN_L4} when the
     * header is not wholly inside the packet's {@code l4Length} bytes or its length is below 8 or past them (the
     * router's check, {@link PacketView}'s). One load for both: ports and length are the header's first 6 bytes.
     */
    private static long udpKey(final long l4, final int l4Length)
    {
        if (l4Length < UdpHeader.LENGTH)
        {
            return NOT_PLAIN_L4;
        }
        final long header = ALL.get(RAW64, l4);
        final int udpLength = (int)(header >>> 24) & 0xFF00 | (int)(header >>> 40) & 0xFF;
        return udpLength < UdpHeader.LENGTH || udpLength > l4Length ? NOT_PLAIN_L4 : header << 32;
    }

    /**
     * The TCP part of a plain frame's key (its ports, and its flags when some rule matches on them), or
     * {@link #NOT_PLAIN_L4} when its header is not wholly inside the packet's {@code l4Length} bytes.
     */
    private long tcpKey(final long l4, final int l4Length)
    {
        if (l4Length < TcpHeader.MIN_LENGTH)
        {
            return NOT_PLAIN_L4;
        }
        final int headerLength = TcpHeader.headerLength(ALL, l4);
        if (headerLength < TcpHeader.MIN_LENGTH || headerLength > l4Length)
        {
            return NOT_PLAIN_L4;
        }
        return portsKey(ALL, l4) | (keyTcpFlags ? 0x100 | TcpHeader.flags(ALL, l4) : 0);
    }

    /**
     * The rest of {@link #forwardPlain} for a hit on any entry (the one the fast path does not finish itself: not
     * {@link #ADDRESSES_AND_PORTS_ONLY}, or found in the partner set). Kept apart so that {@link #forwardPlain} stays
     * small enough for the JIT compiler to inline into the burst loop.
     */
    private int forwardPlainHit(final int slot, final long action, final long frame, final int length,
        final long[] counters, final boolean udp)
    {
        final int fields = fields(action);
        if (NOT_CONSTANT == fields)
        {
            return BYPASS;
        }
        final int rule = countHit(slot, action, counters, length);
        final int output = (int)(action >>> OUTPUT_SHIFT) - 1;
        if (DROP == output)
        {
            return Classifier.NO_MATCH == rule ? PLAIN_DEFAULT_DROPPED : PLAIN_RULE_DROPPED;
        }
        if (Classifier.NO_MATCH == rule)
        {
            return PLAIN_DEFAULT_ACCEPTED;
        }
        if (0 != (action & SWAP_MACS))
        {
            EthernetHeader.swapAddresses(ALL, frame);
        }
        if (0 != fields)
        {
            final long l4 = frame + PLAIN_L4;
            applyConstant(slot, fields, ALL, frame, frame + PLAIN_L3, l4, l4ChecksumAt(l4, udp), udp);
        }
        return 0 != (action & REWRITES) ? output | PLAIN_REWRITTEN : output;
    }

    private void countCounted(final int slot, final long[] counters, final int length)
    {
        final int countedAt = slot / STRIDE * MAX_COUNTED;
        for (int i = 0; i < MAX_COUNTED; i++)
        {
            final int countRule = counted[countedAt + i];
            if (countRule < 0)
            {
                break;
            }
            Classifier.count(counters, countRule, length);
        }
    }

    private void setMacs(final int slot, final int fields, final MemorySegment s, final long frame)
    {
        if (0 != (fields & RewriteProgram.SETS_SOURCE_MAC))
        {
            EthernetHeader.source(s, frame, entries[slot + SOURCE_MAC]);
        }
        if (0 != (fields & RewriteProgram.SETS_DESTINATION_MAC))
        {
            EthernetHeader.destination(s, frame, entries[slot + DESTINATION_MAC]);
        }
    }

    /**
     * Writes a flow-constant entry's fields and applies its checksum deltas, all in memory order. Addresses and
     * ports hold the flow's own values where the rule sets none, so each group is written whole. {@code l4} and
     * {@code l4Checksum} are -1 when the frame has no L4 header.
     */
    private void applyConstant(final int slot, final int fields, final MemorySegment s, final long frame,
        final long l3, final long l4, final long l4Checksum, final boolean udp)
    {
        final long portsAndDeltas = entries[slot + PORTS_AND_DELTAS];
        if (0 != (fields & ADDRESS_FIELDS))
        {
            writeAddresses(slot, s, l3, portsAndDeltas);
        }
        if (l4 >= 0 && 0 != (fields & L4_FIELDS))
        {
            if (0 != (fields & PORT_FIELDS))
            {
                s.set(RAW32, l4, (int)(portsAndDeltas >>> 32));
            }
            updateL4Checksum(s, l4Checksum, (int)portsAndDeltas & 0xFFFF, udp);
        }
        if (0 != (fields & MAC_FIELDS))
        {
            setMacs(slot, fields, s, frame);
        }
    }

    /**
     * Writes a flow-constant entry's addresses and ports whole and applies both checksum deltas: what
     * {@link #applyConstant} does for an entry with {@link #ADDRESSES_AND_PORTS_ONLY}, without asking which groups
     * the rule sets.
     */
    private void writeAddressesAndPorts(final int slot, final long frame, final boolean udp)
    {
        final long portsAndDeltas = entries[slot + PORTS_AND_DELTAS];
        writeAddresses(slot, ALL, frame + PLAIN_L3, portsAndDeltas);
        final long l4 = frame + PLAIN_L4;
        ALL.set(RAW32, l4, (int)(portsAndDeltas >>> 32));
        updateL4Checksum(ALL, l4ChecksumAt(l4, udp), (int)portsAndDeltas & 0xFFFF, udp);
    }

    /** Writes the entry's addresses at the IPv4 header at {@code l3} and applies their delta to its checksum. */
    private void writeAddresses(final int slot, final MemorySegment s, final long l3, final long portsAndDeltas)
    {
        s.set(RAW64, l3 + Ipv4Header.SOURCE_OFFSET, entries[slot + ADDRESSES]);
        final long at = l3 + Ipv4Header.CHECKSUM_OFFSET;
        s.set(RAW16, at, (short)InternetChecksum.applyFoldedDelta(s.get(RAW16, at) & 0xFFFF,
            (int)(portsAndDeltas >>> 16) & 0xFFFF));
    }

    /** Where the checksum of the UDP or TCP header at {@code l4} is. */
    private static long l4ChecksumAt(final long l4, final boolean udp)
    {
        return l4 + (udp ? UdpHeader.CHECKSUM_OFFSET : TcpHeader.CHECKSUM_OFFSET);
    }

    /** Applies a folded delta to the L4 checksum at {@code at}; UDP's "no checksum" (0) stays (RFC 768). */
    private static void updateL4Checksum(final MemorySegment s, final long at, final int foldedDelta,
        final boolean udp)
    {
        final int checksum = s.get(RAW16, at) & 0xFFFF;
        // A UDP checksum of 0 means none and stays 0; a computed 0 goes out as 0xFFFF (RFC 768). Both read the
        // same in either byte order.
        if (!udp || 0 != checksum)
        {
            final int updated = InternetChecksum.applyFoldedDelta(checksum, foldedDelta);
            s.set(RAW16, at, (short)(udp && 0 == updated ? 0xFFFF : updated));
        }
    }

    private static int fields(final long action)
    {
        return (int)(action >>> FIELDS_SHIFT) & NOT_CONSTANT;
    }
}
