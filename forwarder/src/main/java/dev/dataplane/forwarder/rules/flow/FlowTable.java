package dev.dataplane.forwarder.rules.flow;

import java.util.Arrays;

import dev.dataplane.net.HashSeed;

/**
 * The flow table: entries of three key words ({@link FlowKeys}) and {@value #PAYLOAD} payload words, plus
 * {@value #SIDE} ints beside each, on the heap; one per rule stream (one thread), allocation-free after construction.
 * <p>
 * Sets of two ways, and two sets a key may take (its own and a partner, from two parts of its hash, as a cuckoo hash's
 * two buckets): a key is looked for in its own set, then in the partner. A new key takes a free way of either; when
 * all four are taken, one of their keys that has a free way in its own other set moves there (one cuckoo step), and
 * only when none can is a key evicted, from the four in turn. (One set of two ways alone kept the flows that three or
 * more shared it out in turn: a quarter of 16,384 random flows in 32,768 entries, which a replay of them in a cycle
 * then missed every time.)
 * <p>
 * Each generation has its own tag in every key0 (bits 40-61): {@link #newGeneration} retires every entry at once
 * without touching the table, and an entry of an earlier generation neither matches nor counts as taken; the table is
 * emptied only when the 22-bit tag comes round.
 */
final class FlowTable
{
    static final int KEY0 = 0;
    static final int KEY1 = 1;
    static final int KEY2 = 2;
    /** The first payload word of an entry. */
    static final int PAYLOAD_AT = 3;
    static final int PAYLOAD = 5;
    /** Longs per entry. */
    static final int STRIDE = PAYLOAD_AT + PAYLOAD;
    /** Ints beside each entry. */
    static final int SIDE = 2;
    /** Longs per set: two entries. */
    private static final int SET = 2 * STRIDE;
    /** The hash bits that pick a key's set start here (19 bits for the most sets, half of the most entries). */
    private static final int SET_SHIFT = 45;
    /** The hash bits that pick its partner set's distance start here. */
    private static final int PARTNER_SHIFT = 20;
    /** A new key looks for a way to free by a cuckoo move while one entry in this many is free. */
    private static final int CUCKOO_FREE_SHARE = 16;
    private static final int GENERATION_SHIFT = 40;
    private static final long GENERATION_MASK = ((1L << 22) - 1) << GENERATION_SHIFT;

    /** The hash's secret: an odd multiplier drawn from the seed ({@link HashSeed}). */
    private final long secretMultiplier;
    private final long[] entries;
    private final int[] side;
    /** Sets - 1 (sets are a power of two). */
    private final int setMask;
    private long pendingKey0;
    private long pendingKey1;
    private long pendingKey2;
    /** The two sets of the last missed key, for {@link #claim}. */
    private int pendingSet;
    private int pendingPartner;
    /** Evictions so far: which of the four ways the next one takes. */
    private int evictions;
    /** Entries of this generation. */
    private int used;
    /** This generation's tag ({@link #GENERATION_MASK}); 0 before the first {@link #newGeneration}. */
    private long generationTag;

    /**
     * @param entries a power of two, at least 2.
     * @param seed    what the hash is keyed with.
     */
    FlowTable(final int entries, final long seed)
    {
        this.entries = new long[entries * STRIDE];
        this.side = new int[entries * SIDE];
        this.setMask = entries / 2 - 1;
        this.secretMultiplier = HashSeed.multiplier(seed, 0);
    }

    /** The entries' words: entry {@code slot}'s key at {@code slot + KEY0..2}, payload from {@code PAYLOAD_AT}. */
    long[] entries()
    {
        return entries;
    }

    /** The ints beside the entries: entry {@code slot}'s from {@code slot / STRIDE * SIDE}. */
    int[] side()
    {
        return side;
    }

    /** The current generation's tag, to add to every key0. */
    long tag()
    {
        return generationTag;
    }

    /** Retires every entry: the next generation's keys carry a new tag. Touches no entry but once in 2^22 calls. */
    void newGeneration()
    {
        generationTag = (generationTag + (1L << GENERATION_SHIFT)) & GENERATION_MASK;
        if (0 == generationTag)
        {
            Arrays.fill(entries, 0L);
            generationTag = 1L << GENERATION_SHIFT;
        }
        used = 0;
    }

    /**
     * The key's multiplicative hash. A product's top bits depend on all of its factor's bits, but a factor's top bits
     * reach no lower bit, and the bytes that vary most between flows (the last octets of addresses, the low bytes of
     * ports) lie in the key words' top bytes, as read from memory: so the addresses word is folded down and the ports
     * word turned half round before each is multiplied (without, such bytes reached only the top bits and cancelled,
     * and structured flows crowded into a few sets). Kept short: the entry's load waits on it.
     * <p>
     * Then the secret: the product of that with an odd multiplier drawn per process (multiply-shift, universal
     * hashing: for two keys whose first hashes differ, the chance that their sets match is about one in the number of
     * sets, whatever the keys), so which flows share a set cannot be known from outside, and flows crafted to pile
     * into one set, pushing every packet to the slow path (hash flooding), cannot be picked. Only keys whose whole
     * 64-bit first hash matches still share a set in every process; with the addresses and ports an attacker
     * controls, finding one such pair takes a search of about 2^32 keys. The fixed multipliers come first because a
     * random one alone spread structured flows worse for some seeds ({@code FlowCacheTest}'s structured patterns
     * hold the spread to what random keys get; docs/performance.md has the figures).
     */
    long hash(final long key0, final long key1, final long key2)
    {
        return (((key1 ^ key1 >>> 29) * 0x9E3779B97F4A7C15L) ^ (Long.rotateLeft(key2 ^ key0, 32) * 0xC2B2AE3D27D4EB4FL))
            * secretMultiplier;
    }

    /** The first entry of the set a hash names first: from its top bits ({@value #SET_SHIFT} and up). */
    int setOf(final long hash)
    {
        return ((int)(hash >>> SET_SHIFT) & setMask) * SET;
    }

    /** The index of the set at {@code set} (0 to entries / 2 - 1). */
    static int setIndex(final int set)
    {
        return set / SET;
    }

    /** The set of the last missed key, as {@link #setIndex}. */
    int pendingSetIndex()
    {
        return setIndex(pendingSet);
    }

    /**
     * The other set of a key whose hash is {@code hash}, from either of its two: the set's index XOR an odd number
     * drawn from the hash's middle bits (from {@value #PARTNER_SHIFT}, apart from the top bits that pick the first
     * set), so that a key's partner's partner is its own set and an entry's other set is found from its key alone.
     * A table of one set has no other: the set itself.
     */
    private int partnerOf(final int set, final long hash)
    {
        return set ^ (((int)(hash >>> PARTNER_SHIFT) | 1) & setMask) * SET;
    }

    /** The entry of the key in the set at {@code set}, either way, or -1. */
    int find(final int set, final long key0, final long key1, final long key2)
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
     * The key's entry in its partner set, or {@code missed} with the key and both sets kept for {@link #claim}: the
     * rest of a lookup that did not find the key in its own set.
     */
    int findInPartner(final int set, final long hash, final long key0, final long key1, final long key2,
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

    /** The second key word of the last miss. */
    long pendingKey1()
    {
        return pendingKey1;
    }

    /** The third key word of the last miss. */
    long pendingKey2()
    {
        return pendingKey2;
    }

    /**
     * An entry for the key of the last miss, its key written: a free way in its set, else in its partner set; else one
     * whose key can move to a free way of its own other set (moved there); else one of the four, evicted, each in
     * turn. The search for a move reads four more sets, each likely a cache miss, so it is made only while one entry
     * in {@value #CUCKOO_FREE_SHARE} or more is free: in a fuller table it seldom finds a free way, and searching
     * anyway made the insert the forwarding lcore's largest cost when flows outnumber the entries.
     */
    int claim()
    {
        final int slot = wayForNewKey();
        entries[slot + KEY0] = pendingKey0;
        entries[slot + KEY1] = pendingKey1;
        entries[slot + KEY2] = pendingKey2;
        return slot;
    }

    private int wayForNewKey()
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
                    System.arraycopy(side, way / STRIDE * SIDE, side, free / STRIDE * SIDE, SIDE);
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
        return (key0 & (FlowKeys.VALID | GENERATION_MASK)) != (FlowKeys.VALID | generationTag);
    }

    /** The {@code i}th (0-3) way a new key may take: its set's two, then its partner's. */
    private static int candidateWay(final int set, final int partner, final int i)
    {
        return (i < 2 ? set : partner) + (i & 1) * STRIDE;
    }
}
