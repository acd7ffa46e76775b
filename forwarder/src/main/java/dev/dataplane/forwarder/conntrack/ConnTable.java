package dev.dataplane.forwarder.conntrack;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemorySegment;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.LargeMemory;
import dev.dataplane.dpdk.NativeMemory;
import dev.dataplane.dpdk.Prefetch;
import dev.dataplane.net.HashSeed;

/**
 * One lcore's connection table, off the Java heap: a fixed number of connection entries, each found from either
 * direction's key (the original tuple and the reply tuple, two index entries pointing at one connection, as VPP and
 * DPVS insert them), with no Java object per connection and nothing allocated after construction.
 * <pre>
 *   index: buckets of one cache line, 8 slots:  int signature[8] (0: empty) | int reference[8] (entry << 1 | reply;
 *          reference[0]'s top 5 bits: the keys of this home bucket that went to their alternate bucket)
 *   entry (128 B): 0 original key (2 longs) | 16 reply key (2 longs) | 32 expires (long) | 40 state (int)
 *                  | 44 free-list link / user int | 48-127 the connection's own fields (the tracker's)
 * </pre>
 * A key hashes, with a multiplier drawn from the process's seed (so crafted tuples cannot pile into one bucket:
 * hash flooding), to a home bucket and an alternate one: it goes home while home has room to spare, else to the
 * emptier of the two, and a home bucket counts the keys it sent away, so that a lookup reads the alternate only when
 * some key went there (one cache line for nearly every lookup, hit or miss, as {@code rte_hash}'s primary and
 * secondary buckets); a full pair of buckets refuses the insert (counted): a search never costs more than 16 slots.
 * Index slots are four per connection, so the index is at most half full when every connection is taken: for a
 * power-of-two capacity 32 bytes of index and {@value #ENTRY_BYTES} of entry, {@value #BYTES_PER_FLOW} bytes a
 * connection in all (up to twice the index for other capacities).
 * <p>
 * Each entry expires at a time its owner sets ({@link #touch}); a lookup that finds an expired entry removes it and
 * misses (lazy expiry), and {@link #sweep} removes expired entries a bounded number of slots at a time, so expiry
 * costs O(1) per packet and no scan of the table. When every entry is taken a new connection is refused and counted
 * (nf_conntrack's "table full"). Times are in whatever unit the owner counts (the tracker: milliseconds).
 */
public final class ConnTable implements AutoCloseable
{
    /** Bytes of an entry: two cache lines. */
    public static final int ENTRY_BYTES = 128;
    /** Bytes of index per connection: two keys, half the slots free. */
    public static final int INDEX_BYTES_PER_FLOW = 32;
    public static final int BYTES_PER_FLOW = ENTRY_BYTES + INDEX_BYTES_PER_FLOW;
    /** {@link #lookup}: no live connection has the key. */
    public static final int MISS = -1;
    /** {@link #insert}: every entry is taken. */
    public static final int FULL = -2;
    /** {@link #insert}: both buckets of one of the keys are full (a bounded search refuses rather than probes on). */
    public static final int BUCKETS_FULL = -3;
    /** {@link #confirm}: the reply key is in the index. */
    public static final int CONFIRMED = 0;
    /** {@link #confirm}: another live connection holds the reply key. */
    public static final int KEY_LIVE = -4;
    /** Connections a table may hold at most (10.5 GiB). */
    public static final int MAX_CAPACITY = 1 << 26;
    /** The first byte of an entry free for its owner's fields. */
    public static final int USER_OFFSET = 48;

    private static final int SLOTS = 8;
    private static final int BUCKET_BYTES = 64;
    private static final int REFERENCES = 32;
    /** A slot's reference word: the reference in the low 27 bits (entries < 2^26); slot 0's top 5 the overflow. */
    private static final int REFERENCE_MASK = (1 << 27) - 1;
    private static final int OVERFLOW_SHIFT = 27;
    /** An overflow count that reached it stays (the bucket's misses read the alternate for good). */
    private static final int OVERFLOW_MAX = 31;
    /** Expired connections a sweep gathers before it removes them. */
    private static final int SWEEP_BATCH = 64;
    /** Buckets a sweep asks for at a time while it gathers (two an expired connection). */
    private static final int SWEEP_PREFETCH = 16;
    /** Free slots a home bucket keeps before its keys may go to their alternate. */
    private static final int ROOMY = 3;
    private static final long ORIGINAL = 0;
    private static final long REPLY = 16;
    private static final long EXPIRES = 32;
    private static final long STATE = 40;
    private static final long LINK = 44;
    /** The expiry time of a free entry. */
    private static final long FREE = Long.MIN_VALUE;
    /** The link word of a live entry whose reply key is not in the index yet ({@link #insertUnconfirmed}). */
    private static final int UNCONFIRMED = -2;

    private final LargeMemory indexMemory;
    private final LargeMemory entriesMemory;
    private final MemorySegment index;
    private final MemorySegment entries;
    /** The index's and the entries' addresses: the per-packet accesses go through {@link NativeMemory#ALL}. */
    private final long indexAt;
    private final long entriesAt;
    private final int capacity;
    private final int bucketMask;
    /** 64 - log2(buckets): a key's first bucket is its hash's top bits, the best mixed of a product. */
    private final int bucketShift;
    private final long multiplier;
    private int freeHead;
    private int used;
    private int sweepCursor;
    private long expired;
    private final long[] expiredByClass = new long[256];
    private long full;
    private long bucketsFull;
    private final int[] sweepBatch = new int[SWEEP_BATCH];
    /** The gathered connections' buckets, asked for {@value #SWEEP_PREFETCH} at a time (a full list issues itself). */
    private final Prefetch sweepLines = new Prefetch(SWEEP_PREFETCH);

    /**
     * A table in anonymous memory ({@link LargeMemory}: transparent huge pages where the kernel gives them).
     *
     * @param capacity connections at most (1..{@link #MAX_CAPACITY}).
     * @param seed     what the hash is keyed with ({@link HashSeed#PROCESS}; a fixed one for tests).
     */
    public ConnTable(final int capacity, final long seed)
    {
        this(capacity, seed, null);
    }

    /**
     * A table in EAL's hugepage memory when {@code eal} runs on hugepages and has room, else as
     * {@link #ConnTable(int, long)}.
     */
    public ConnTable(final int capacity, final long seed, final Eal eal)
    {
        if (capacity < 1 || capacity > MAX_CAPACITY)
        {
            throw new IllegalArgumentException("connections must be in 1.." + MAX_CAPACITY + ": " + capacity);
        }
        this.capacity = capacity;
        final int buckets = Integer.highestOneBit(Math.max(2, capacity / 2 - 1) << 1);
        this.bucketMask = buckets - 1;
        this.bucketShift = 64 - Integer.numberOfTrailingZeros(buckets);
        this.indexMemory = LargeMemory.allocate((long)buckets * BUCKET_BYTES, BUCKET_BYTES, eal);
        // Aligned to the pair of lines an entry is, which the core's adjacent-line prefetcher fetches together.
        this.entriesMemory = LargeMemory.allocate((long)capacity * ENTRY_BYTES, ENTRY_BYTES, eal);
        this.index = indexMemory.segment();
        this.entries = entriesMemory.segment();
        this.indexAt = index.address();
        this.entriesAt = entries.address();
        this.multiplier = HashSeed.multiplier(seed, 1);
        for (int e = 0; e < capacity; e++)
        {
            entries.set(JAVA_LONG, (long)e * ENTRY_BYTES + EXPIRES, FREE);
            entries.set(JAVA_INT, (long)e * ENTRY_BYTES + LINK, e + 1 < capacity ? e + 1 : -1);
        }
        this.freeHead = 0;
    }

    /** Bytes of native memory the table takes: its index and its entries. */
    public long bytes()
    {
        return index.byteSize() + entries.byteSize();
    }

    /** What backs its entries (and its index, which comes first): EAL hugepages, transparent huge pages, pages. */
    public LargeMemory.Backing backing()
    {
        return entriesMemory.backing();
    }

    public int capacity()
    {
        return capacity;
    }

    /** Connections in the table (expired ones not yet removed included). */
    public int used()
    {
        return used;
    }

    /**
     * The live connection with key {@code (k0, k1)} in either direction, removing it first if it expired by
     * {@code now}.
     *
     * @return {@code entry << 1 | 1} for its reply direction, {@code entry << 1} for the original, or {@link #MISS}.
     */
    public int lookup(final long k0, final long k1, final long now)
    {
        final int found = findKey(hash(k0, k1), k0, k1);
        if (found < 0)
        {
            return MISS;
        }
        final int entry = found >>> 1;
        if (expiresAt(entry) <= now)
        {
            expire(entry);
            return MISS;
        }
        return found;
    }

    /**
     * The first step of a burst's lookups made before any packet is tracked (as {@code rte_hash_lookup_bulk} and
     * VPP's nodes make them): the key's hash, its home bucket's line added to {@code lines}, so that once the burst's
     * are issued they come from memory together.
     *
     * @return the hash, for {@link #candidate}.
     */
    public long prefetchBucket(final long k0, final long k1, final Prefetch lines)
    {
        final long hash = hash(k0, k1);
        lines.add(indexAt + bucketOf(hash));
        return hash;
    }

    /**
     * The second step, once the buckets are issued: the connection whose signature the key's home bucket holds (its
     * first such slot), both its lines added to {@code lines}.
     *
     * @return its reference as {@link #lookup}'s, for {@link #holds} to confirm when the packet is tracked; or -1
     * (no such slot: the key is in its alternate bucket, or in none).
     */
    public int candidate(final long hash, final Prefetch lines)
    {
        final long bucket = bucketOf(hash);
        final int signature = signature(hash);
        for (int s = 0; s < SLOTS; s++)
        {
            if (indexInt(bucket + 4L * s) == signature)
            {
                final int reference = reference(bucket, s);
                final long at = entriesAt + (long)(reference >>> 1) * ENTRY_BYTES;
                lines.add(at);
                lines.add(at + ENTRY_BYTES / 2);
                return reference;
            }
        }
        return -1;
    }

    /**
     * Whether {@code reference} (a {@link #candidate}, found before the packets ahead of this one changed the table)
     * is still the live connection with key {@code (k0, k1)} at {@code now}: what {@link #lookup} would return, without
     * its hash and bucket. A connection removed since (its entry free, or taken by another), expired, or whose reply
     * key is not yet indexed ({@link #insertUnconfirmed}) does not hold: look it up.
     */
    public boolean holds(final int reference, final long k0, final long k1, final long now)
    {
        final long at = (long)(reference >>> 1) * ENTRY_BYTES;
        final long key = keyAt(reference);
        return entryLong(key) == k0 && entryLong(key + 8) == k1 && entryLong(at + EXPIRES) > now &&
            ((reference & 1) == 0 || UNCONFIRMED != entryInt(at + LINK));
    }

    /**
     * A new connection whose original direction has key {@code (o0, o1)} and whose replies have {@code (r0, r1)},
     * alive until {@code expires}, found from either at once ({@link #insertUnconfirmed} then {@link #confirm}). The
     * original key must not be live ({@link #lookup} first).
     *
     * @return the entry; {@link #FULL}, {@link #BUCKETS_FULL} (counted) or {@link #KEY_LIVE} (the reply key is
     * another live connection's, or the original key): nothing changed.
     */
    public int insert(final long o0, final long o1, final long r0, final long r1, final long expires)
    {
        final int entry = insertUnconfirmed(o0, o1, r0, r1, expires);
        if (entry < 0)
        {
            return entry;
        }
        final int confirmed = confirm(entry);
        if (CONFIRMED != confirmed)
        {
            remove(entry);
            return confirmed;
        }
        return entry;
    }

    /** Removes the connection at {@code entry}: both its keys, and the entry returns to the free list. */
    public void remove(final int entry)
    {
        final long at = (long)entry * ENTRY_BYTES;
        clearKey(entryLong(at + ORIGINAL), entryLong(at + ORIGINAL + 8), entry << 1);
        if (!isUnconfirmed(entry))
        {
            clearKey(entryLong(at + REPLY), entryLong(at + REPLY + 8), entry << 1 | 1);
        }
        setEntryLong(at + EXPIRES, FREE);
        setEntryInt(at + LINK, freeHead);
        freeHead = entry;
        used--;
    }

    /**
     * A new connection found only by its original key until {@link #confirm}: its reply key ({@code (r0, r1)}) is
     * kept in the entry and goes into the index when its first packet is through the rules (nf_conntrack's
     * unconfirmed connection), so that a NAT that picks another reply key ({@link #rekeyReply}) does not index one
     * first and move it after. The original key must not be live ({@link #lookup} first).
     *
     * @return the entry, {@link #FULL} or {@link #BUCKETS_FULL} (counted; nothing changed).
     */
    public int insertUnconfirmed(final long o0, final long o1, final long r0, final long r1, final long expires)
    {
        if (freeHead < 0)
        {
            full++;
            return FULL;
        }
        final long originalHash = hash(o0, o1);
        final long originalSlot = freeSlot(originalHash);
        if (originalSlot < 0)
        {
            bucketsFull++;
            return BUCKETS_FULL;
        }
        final int entry = freeHead;
        placeKey(originalHash, originalSlot, entry << 1);
        freeHead = entryInt((long)entry * ENTRY_BYTES + LINK);
        final long at = (long)entry * ENTRY_BYTES;
        for (int word = 0; word < ENTRY_BYTES; word += Long.BYTES)
        {
            setEntryLong(at + word, 0);
        }
        setEntryLong(at + ORIGINAL, o0);
        setEntryLong(at + ORIGINAL + 8, o1);
        setEntryLong(at + REPLY, r0);
        setEntryLong(at + REPLY + 8, r1);
        setEntryLong(at + EXPIRES, expires);
        setEntryInt(at + LINK, UNCONFIRMED);
        used++;
        return entry;
    }

    /** Whether the connection at {@code entry} waits for {@link #confirm}. */
    public boolean isUnconfirmed(final int entry)
    {
        return UNCONFIRMED == entryInt((long)entry * ENTRY_BYTES + LINK);
    }

    /**
     * Puts the reply key of the unconfirmed connection at {@code entry} into the index, so that its replies find it.
     *
     * @return {@link #CONFIRMED}; {@link #KEY_LIVE} when another live connection holds that key (a NAT clash); or
     * {@link #BUCKETS_FULL} (counted): the connection stays unconfirmed either way, for its owner to remove.
     */
    public int confirm(final int entry)
    {
        final long at = (long)entry * ENTRY_BYTES;
        final long r0 = entryLong(at + REPLY);
        final long r1 = entryLong(at + REPLY + 8);
        final long hash = hash(r0, r1);
        if (findKey(hash, r0, r1) >= 0 || (r0 == entryLong(at + ORIGINAL) && r1 == entryLong(at + ORIGINAL + 8)))
        {
            return KEY_LIVE;
        }
        final long slot = freeSlot(hash);
        if (slot < 0)
        {
            bucketsFull++;
            return BUCKETS_FULL;
        }
        placeKey(hash, slot, entry << 1 | 1);
        setEntryInt(at + LINK, 0);
        return CONFIRMED;
    }

    /**
     * Gives the connection at {@code entry} a new reply key (a NAT chose the translated tuple its replies will carry).
     * The new key must not be live already ({@link #lookup} first).
     *
     * @return false when both its buckets were full (counted); the old key then stands.
     */
    public boolean rekeyReply(final int entry, final long r0, final long r1)
    {
        final long at = (long)entry * ENTRY_BYTES;
        if (isUnconfirmed(entry))
        {
            // Not in the index yet: confirm puts the new one there.
            setEntryLong(at + REPLY, r0);
            setEntryLong(at + REPLY + 8, r1);
            return true;
        }
        final long replyHash = hash(r0, r1);
        final long slot = freeSlot(replyHash);
        if (slot < 0)
        {
            bucketsFull++;
            return false;
        }
        clearKey(entryLong(at + REPLY), entryLong(at + REPLY + 8), entry << 1 | 1);
        placeKey(replyHash, slot, entry << 1 | 1);
        setEntryLong(at + REPLY, r0);
        setEntryLong(at + REPLY + 8, r1);
        return true;
    }

    /** Sets when the connection at {@code entry} expires (each packet of it pushes the time on). */
    public void touch(final int entry, final long expires)
    {
        setEntryLong((long)entry * ENTRY_BYTES + EXPIRES, expires);
    }

    public long expiresAt(final int entry)
    {
        return entryLong((long)entry * ENTRY_BYTES + EXPIRES);
    }

    /** The owner's state word of the connection at {@code entry} (0 when inserted). */
    public int state(final int entry)
    {
        return entryInt((long)entry * ENTRY_BYTES + STATE);
    }

    public void state(final int entry, final int state)
    {
        setEntryInt((long)entry * ENTRY_BYTES + STATE, state);
    }

    /** The first or second word of the key of {@code entry}'s original ({@code reply} false) or reply direction. */
    public long key(final int entry, final boolean reply, final int word)
    {
        return entryLong((long)entry * ENTRY_BYTES + (reply ? REPLY : ORIGINAL) + 8L * word);
    }

    /** The entries' memory, for the owner's fields from {@code entry * ENTRY_BYTES + USER_OFFSET}. */
    public MemorySegment entries()
    {
        return entries;
    }

    /**
     * Looks at up to {@code budget} entries from where the last sweep stopped and removes those expired by
     * {@code now}: called a little at a time (once per burst, say), it goes round the table without ever scanning it.
     * The expired ones are gathered first, up to {@value #SWEEP_BATCH} at a time, their keys' buckets prefetched as
     * they are found ({@link Prefetch}, a few at a time), so that the buckets' cache misses overlap before any is
     * emptied.
     *
     * @return the connections removed.
     */
    public int sweep(final long now, final int budget)
    {
        int removed = 0;
        int cursor = sweepCursor;
        int gathered = 0;
        // Each entry once at most: one gathered twice would be removed twice.
        final int slots = Math.min(budget, capacity);
        for (int i = 0; i < slots; i++)
        {
            final long expires = expiresAt(cursor);
            if (FREE != expires && expires <= now)
            {
                final long at = (long)cursor * ENTRY_BYTES;
                sweepLines.add(indexAt + bucketOf(hash(entryLong(at + ORIGINAL), entryLong(at + ORIGINAL + 8))));
                sweepLines.add(indexAt + bucketOf(hash(entryLong(at + REPLY), entryLong(at + REPLY + 8))));
                sweepBatch[gathered++] = cursor;
                if (SWEEP_BATCH == gathered)
                {
                    sweepLines.issue();
                    removed += expireGathered(gathered);
                    gathered = 0;
                }
            }
            cursor = cursor + 1 == capacity ? 0 : cursor + 1;
        }
        sweepCursor = cursor;
        sweepLines.issue();
        return removed + expireGathered(gathered);
    }

    private int expireGathered(final int count)
    {
        for (int i = 0; i < count; i++)
        {
            expire(sweepBatch[i]);
        }
        return count;
    }

    /** Removes an expired connection, counted by its class: the low byte of its original key's second word. */
    private void expire(final int entry)
    {
        expiredByClass[(int)(entryLong((long)entry * ENTRY_BYTES + ORIGINAL + 8) & 0xFF)]++;
        remove(entry);
        expired++;
    }

    /**
     * Removes every connection (a flush): a scan of the whole table, for a control command, not the per-packet path.
     *
     * @return the connections removed.
     */
    public int removeAll()
    {
        int removed = 0;
        for (int e = 0; e < capacity; e++)
        {
            if (FREE != expiresAt(e))
            {
                remove(e);
                removed++;
            }
        }
        return removed;
    }

    /** Whether {@code entry} holds a connection (for readers on other threads: as of some recent moment). */
    public boolean isLive(final int entry)
    {
        return FREE != expiresAt(entry);
    }

    /** Connections removed because they expired, by {@link #lookup} or {@link #sweep}. */
    public long expired()
    {
        return expired;
    }

    /**
     * Connections expired whose original key's second word has {@code keyClass} in its low byte (the tracker keeps
     * the IP protocol there).
     */
    public long expired(final int keyClass)
    {
        return expiredByClass[keyClass & 0xFF];
    }

    /** New connections refused because every entry was taken. */
    public long full()
    {
        return full;
    }

    /** New connections refused because both buckets of a key were full. */
    public long bucketsFull()
    {
        return bucketsFull;
    }

    /** The bucket (0 to buckets - 1) a key is looked for in first: for tests of the hash's spread. */
    public int homeBucket(final long k0, final long k1)
    {
        return (int)(bucketOf(hash(k0, k1)) / BUCKET_BYTES);
    }

    @Override
    public void close()
    {
        entriesMemory.close();
        indexMemory.close();
    }

    private long hash(final long k0, final long k1)
    {
        return ((k0 ^ k0 >>> 29) * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(k1, 32) * 0xC2B2AE3D27D4EB4FL) * multiplier;
    }

    /** The hash's low half, never 0 (an empty slot's). */
    private static int signature(final long hash)
    {
        return (int)hash | 1;
    }

    /** The byte offset of a key's first bucket: from the hash's top bits. */
    private long bucketOf(final long hash)
    {
        return (hash >>> bucketShift) * BUCKET_BYTES;
    }

    /** Its second: the first XOR an odd distance drawn from the middle bits, so each bucket's partner is symmetric. */
    private long alternateOf(final long hash)
    {
        return (((hash >>> bucketShift) ^ ((hash >>> 20) | 1)) & bucketMask) * BUCKET_BYTES;
    }

    /** The reference of the key in the bucket at {@code bucket}, or -1. */
    private int find(final long bucket, final int signature, final long k0, final long k1)
    {
        for (int s = 0; s < SLOTS; s++)
        {
            if (indexInt(bucket + 4L * s) == signature)
            {
                final int reference = reference(bucket, s);
                final long at = keyAt(reference);
                if (entryLong(at) == k0 && entryLong(at + 8) == k1)
                {
                    return reference;
                }
            }
        }
        return -1;
    }

    /** Where in the entries the key of {@code reference} lies: its entry's original or reply key. */
    private static long keyAt(final int reference)
    {
        return (long)(reference >>> 1) * ENTRY_BYTES + ((reference & 1) == 0 ? ORIGINAL : REPLY);
    }

    /**
     * The reference of the live key {@code (k0, k1)} of hash {@code hash}, or -1: its home bucket, and its alternate
     * only when the home bucket sent some key there.
     */
    private int findKey(final long hash, final long k0, final long k1)
    {
        final long home = bucketOf(hash);
        final int signature = signature(hash);
        final int found = find(home, signature, k0, k1);
        return found >= 0 || 0 == overflow(home) ? found : find(alternateOf(hash), signature, k0, k1);
    }

    /**
     * The byte offset of a free slot for a key of hash {@code hash}, or -1: in its home bucket while that has room to
     * spare ({@value #ROOMY} free slots), else in the emptier of home and alternate (the power of two choices, which
     * keeps crowded buckets from filling: with half the index free, both full is vanishingly rare).
     */
    private long freeSlot(final long hash)
    {
        final long home = bucketOf(hash);
        final int homeFree = freeSlots(home);
        if (homeFree >= ROOMY)
        {
            return firstFree(home);
        }
        final long alternate = alternateOf(hash);
        final int alternateFree = freeSlots(alternate);
        if (0 == homeFree && 0 == alternateFree)
        {
            return -1;
        }
        return firstFree(homeFree >= alternateFree ? home : alternate);
    }

    private int freeSlots(final long bucket)
    {
        int free = 0;
        for (int s = 0; s < SLOTS; s++)
        {
            free += 0 == indexInt(bucket + 4L * s) ? 1 : 0;
        }
        return free;
    }

    private long firstFree(final long bucket)
    {
        for (int s = 0; s < SLOTS; s++)
        {
            if (0 == indexInt(bucket + 4L * s))
            {
                return bucket + 4L * s;
            }
        }
        throw new IllegalStateException("a free slot vanished");
    }

    /** Puts a key of hash {@code hash} at {@code slot} ({@link #freeSlot}'s), counted by its home when away from it. */
    private void placeKey(final long hash, final long slot, final int reference)
    {
        setSlot(slot, signature(hash), reference);
        final long home = bucketOf(hash);
        if ((slot & -BUCKET_BYTES) != home)
        {
            addOverflow(home, 1);
        }
    }

    /** The reference in slot {@code slot} of the bucket at {@code bucket} (without slot 0's overflow count). */
    private int reference(final long bucket, final int slot)
    {
        return indexInt(bucket + REFERENCES + 4L * slot) & REFERENCE_MASK;
    }

    /** How many keys of the home bucket at {@code bucket} went to their alternate (saturating). */
    private int overflow(final long bucket)
    {
        return indexInt(bucket + REFERENCES) >>> OVERFLOW_SHIFT;
    }

    private void addOverflow(final long bucket, final int delta)
    {
        final int word = indexInt(bucket + REFERENCES);
        final int count = word >>> OVERFLOW_SHIFT;
        if (OVERFLOW_MAX != count && count + delta >= 0)
        {
            setIndexInt(bucket + REFERENCES, word & REFERENCE_MASK | (count + delta) << OVERFLOW_SHIFT);
        }
    }

    /** Fills a slot, keeping the overflow count its reference word may carry. */
    private void setSlot(final long slot, final int signature, final int reference)
    {
        setIndexInt(slot, signature);
        final long bucket = slot & -BUCKET_BYTES;
        final long at = bucket + REFERENCES + (slot - bucket);
        setIndexInt(at, indexInt(at) & ~REFERENCE_MASK | reference);
    }

    /** Empties the slot that holds {@code reference} under key {@code (k0, k1)}. */
    private void clearKey(final long k0, final long k1, final int reference)
    {
        final long hash = hash(k0, k1);
        final long home = bucketOf(hash);
        if (!clearIn(home, reference) && clearIn(alternateOf(hash), reference))
        {
            addOverflow(home, -1);
        }
    }

    private boolean clearIn(final long bucket, final int reference)
    {
        for (int s = 0; s < SLOTS; s++)
        {
            if (0 != indexInt(bucket + 4L * s) &&
                reference(bucket, s) == reference)
            {
                setIndexInt(bucket + 4L * s, 0);
                return true;
            }
        }
        return false;
    }

    private int indexInt(final long offset)
    {
        return ALL.get(JAVA_INT, NativeMemory.address(indexAt) + offset);
    }

    private void setIndexInt(final long offset, final int value)
    {
        ALL.set(JAVA_INT, NativeMemory.address(indexAt) + offset, value);
    }

    private long entryLong(final long offset)
    {
        return ALL.get(JAVA_LONG, NativeMemory.address(entriesAt) + offset);
    }

    private void setEntryLong(final long offset, final long value)
    {
        ALL.set(JAVA_LONG, NativeMemory.address(entriesAt) + offset, value);
    }

    private int entryInt(final long offset)
    {
        return ALL.get(JAVA_INT, NativeMemory.address(entriesAt) + offset);
    }

    private void setEntryInt(final long offset, final int value)
    {
        ALL.set(JAVA_INT, NativeMemory.address(entriesAt) + offset, value);
    }
}
