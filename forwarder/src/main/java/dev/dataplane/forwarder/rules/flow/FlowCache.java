package dev.dataplane.forwarder.rules.flow;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static dev.dataplane.forwarder.rules.flow.FlowKeys.NOT_PLAIN_L4;

import dev.dataplane.dpdk.NativeMemory;
import dev.dataplane.forwarder.rules.classify.Classifier;
import dev.dataplane.forwarder.rules.rewrite.RewriteProgram;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.HashSeed;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.PlainFrame;
import dev.dataplane.runtime.LcoreTransmitter;

/**
 * An exact-match flow cache in front of the classifier, as Open vSwitch's EMC sits in front of its megaflow
 * classifier: the rule a well-formed IPv4 flow matched, keyed by everything the rules can look at
 * ({@link FlowKeys}), with the flow's rewrite pre-computed ({@link FlowAction}), in a {@link FlowTable}. A hit costs a
 * hash, three compares and a few stores instead of a classification and a rewrite program.
 * <p>
 * The common frame (untagged IPv4 without options, not a fragment, UDP or TCP) has a fast path that needs no
 * {@link PacketView}: {@link #forwardPlain} validates and keys it straight from the frame, with the same key a full
 * parse gives, counts it and rewrites it at the fixed offsets. An entry remembers where its frames go, so a hit
 * needs nothing from the rules. Anything else, a miss, and a rewrite that is not flow-constant take the full parse.
 * <p>
 * One cache per rule stream (one thread). Each rule generation has its own tag in every key, so that an entry never
 * outlives the rules it came from: a reload retires every entry at once, without touching the table (emptying
 * 2 MiB, up to 64 MiB, per queue on the lcore would hold its packets back). An entry also holds the (up to
 * {@value #MAX_COUNTED}) {@code count} rules its flow matched before its terminal rule, so that a hit counts exactly
 * what the classifier would; a flow that matches more is not cached. Frames that are not well-formed IPv4 are never
 * cached. Allocation-free after construction.
 */
public final class FlowCache
{
    /**
     * Default entries: 72 bytes each, so 2.25 MiB per stream. A cache that fits a core's L2 is no faster with few
     * flows (their entries are the lines touched whatever the table's size) and much slower with many, which it cannot
     * hold (docs/performance.md).
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
    public static final int MAX_COUNTED = FlowAction.MAX_COUNTED;
    /** The length of the array {@link #insert} takes the classifier's count rules in: one more than it can hold. */
    public static final int COUNTED_RULES = MAX_COUNTED + 1;
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
    /** Bytes of heap per entry: its words and its count rules. */
    public static final int ENTRY_BYTES = FlowTable.STRIDE * Long.BYTES + FlowTable.SIDE * Integer.BYTES;

    private final FlowTable table;
    /** The table's arrays, held here too so the fast path reads them with one load each. */
    private final long[] entries;
    private final int[] side;
    private boolean enabled;
    private boolean keyLength;
    private boolean keyTcpFlags;

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
        this.table = new FlowTable(entries, seed);
        this.entries = table.entries();
        this.side = table.side();
    }

    /** Whether a cache may have {@code entries} entries: {@value #SIZE_RULE}. */
    public static boolean isValidSize(final int entries)
    {
        return entries >= 2 && entries <= MAX_ENTRIES && 1 == Integer.bitCount(entries);
    }

    /**
     * Starts a new rule generation, whose keys carry a new tag, and takes from it what to key on: the frame's length
     * and TCP flags when some rule matches on them. Touches no entry
     * and allocates nothing (a reload is picked up on the lcore, between bursts), except once in 2^22 reloads, when
     * the tag comes round and the table is emptied.
     */
    public void reset(final boolean matchesLength, final boolean matchesTcpFlags)
    {
        table.newGeneration();
        keyLength = matchesLength;
        keyTcpFlags = matchesTcpFlags;
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
        final FlowTable table = this.table;
        final long key0 = FlowKeys.key0(view, inPort) | table.tag();
        final long key1 = FlowKeys.key1(view);
        final long key2 = FlowKeys.key2(view, keyLength, keyTcpFlags);
        final long hash = table.hash(key0, key1, key2);
        final int set = table.setOf(hash);
        final int found = table.find(set, key0, key1, key2);
        return found >= 0 ? found : table.findInPartner(set, hash, key0, key1, key2, MISS);
    }

    /**
     * The set (0 to entries / 2 - 1) where a frame's flow, not in the cache, is looked for first; -1 for a frame the
     * cache does not take or a flow it holds. For diagnostics and tests of the hash.
     */
    public int homeSet(final PacketView view, final int inPort)
    {
        return MISS == lookup(view, inPort) ? table.pendingSetIndex() : -1;
    }

    /**
     * Records what the classifier decided for the flow of the last {@link #MISS}, in the way the table
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
        final int slot = table.claim();
        FlowAction.write(entries, side, slot, table.pendingKey1(), table.pendingKey2(), rule, countedRules,
            countedCount, program, output, swapMacs);
        return slot;
    }

    /** The rule of a hit, counted in {@code counters} as the classifier would have ({@link Classifier#count}). */
    public int rule(final int slot, final long[] counters, final int length)
    {
        return FlowAction.countHit(entries, side, slot, FlowAction.action(entries, slot), counters, length);
    }

    /**
     * Applies the hit's rewrite to the frame: the cached constants, or {@code program} itself when it is not
     * flow-constant. The MACs of a tx verdict are the caller's to swap, before this.
     *
     * @return false when the frame must be dropped (see {@link RewriteProgram#apply}).
     */
    public boolean rewrite(final int slot, final PacketView view, final RewriteProgram program)
    {
        final int fields = FlowAction.fields(FlowAction.action(entries, slot));
        if (FlowAction.NOT_CONSTANT == fields)
        {
            return program.apply(view);
        }
        final long frame = view.base();
        final boolean udp = IpProtocol.UDP == view.protocol();
        final long l4 = view.hasL4() ? frame + view.l4Offset() : -1;
        FlowAction.applyConstant(entries, slot, fields, view.segment(), frame, frame + view.l3Offset(), l4,
            l4 < 0 ? -1 : FlowAction.l4ChecksumAt(l4, udp), udp);
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
        final int totalLength = PlainFrame.ipv4Length(frame, length);
        if (totalLength < 0)
        {
            return BYPASS;
        }
        final long l3 = frame + PlainFrame.L3;
        final int protocol = NetworkOrder.u8(ALL, l3 + Ipv4Header.PROTOCOL_OFFSET);
        final long l4 = frame + PlainFrame.L4;
        final int l4Length = totalLength - Ipv4Header.MIN_LENGTH;
        final long l4Key = IpProtocol.UDP == protocol ? FlowKeys.udpKey(l4, l4Length) :
            IpProtocol.TCP == protocol ? FlowKeys.tcpKey(l4, l4Length, keyTcpFlags) : NOT_PLAIN_L4;
        if (NOT_PLAIN_L4 == l4Key)
        {
            return BYPASS;
        }
        final FlowTable table = this.table;
        final long key2 = l4Key | FlowKeys.lengthKey(length, keyLength);
        final long key0 = FlowKeys.key0(true, inPort, 0, protocol) | table.tag();
        final long key1 = FlowKeys.addressKey(ALL, l3);
        final long hash = table.hash(key0, key1, key2);
        final int set = table.setOf(hash);
        final int slot = table.find(set, key0, key1, key2);
        if (slot < 0)
        {
            return forwardPlainInPartner(set, key0, key1, key2, frame, length, counters);
        }
        final long action = FlowAction.action(entries, slot);
        final boolean udp = IpProtocol.UDP == protocol;
        if (FlowAction.addressesAndPortsOnly(action))
        {
            Classifier.count(counters, FlowAction.rule(action), length);
            FlowAction.writeAddressesAndPorts(entries, slot, frame, udp);
            return FlowAction.output(action) | PLAIN_REWRITTEN;
        }
        return forwardPlainHit(slot, action, frame, length, counters, udp);
    }

    /**
     * The rest of {@link #forwardPlain} for a frame whose flow is not in its own set: a hit in the partner set, or
     * {@link #PLAIN_MISS}. Apart, as {@link #forwardPlainHit} is, and a tail call that takes no more than the hit
     * needs (the hash is computed again), so that the common hit keeps its registers (passing the hash and the
     * protocol too cost the common hit measurably).
     */
    private int forwardPlainInPartner(final int set, final long key0, final long key1, final long key2,
        final long frame, final int length, final long[] counters)
    {
        final int slot = table.findInPartner(set, table.hash(key0, key1, key2), key0, key1, key2, PLAIN_MISS);
        return slot < 0 ? PLAIN_MISS : forwardPlainHit(slot, FlowAction.action(entries, slot), frame, length,
            counters, IpProtocol.UDP == (int)(key0 & 0xFF));
    }

    /**
     * The rest of {@link #forwardPlain} for a hit on any entry (the one the fast path does not finish itself: not
     * addresses and ports only, or found in the partner set). Kept apart so that {@link #forwardPlain} stays small
     * enough for the JIT compiler to inline into the burst loop.
     */
    private int forwardPlainHit(final int slot, final long action, final long frame, final int length,
        final long[] counters, final boolean udp)
    {
        final int fields = FlowAction.fields(action);
        if (FlowAction.NOT_CONSTANT == fields)
        {
            return BYPASS;
        }
        final int rule = FlowAction.countHit(entries, side, slot, action, counters, length);
        final int output = FlowAction.output(action);
        if (DROP == output)
        {
            return Classifier.NO_MATCH == rule ? PLAIN_DEFAULT_DROPPED : PLAIN_RULE_DROPPED;
        }
        if (Classifier.NO_MATCH == rule)
        {
            return PLAIN_DEFAULT_ACCEPTED;
        }
        if (FlowAction.swapsMacs(action))
        {
            EthernetHeader.swapAddresses(ALL, frame);
        }
        if (0 != fields)
        {
            final long l4 = frame + PlainFrame.L4;
            FlowAction.applyConstant(entries, slot, fields, ALL, frame, frame + PlainFrame.L3, l4,
                FlowAction.l4ChecksumAt(l4, udp), udp);
        }
        return FlowAction.rewrites(action) ? output | PLAIN_REWRITTEN : output;
    }
}
