package dev.dataplane.forwarder.conntrack;

/**
 * Which connection the fragments of an IPv4 datagram belong to, by (source, destination, protocol, IP id): only the
 * first fragment carries the ports, so it is tracked as any packet and noted here, and the later fragments are
 * looked up here, so each gets the first one's connection (VPP's virtual reassembly; Linux reassembles before
 * conntrack instead). Bounded: a fixed number of notes, each kept {@code lifetimeMillis}; a note that finds no room
 * among the slots it may take is refused, for the caller to count (its later fragments then belong to nothing). Open
 * addressing, at most {@value #PROBES} slots looked at; per lcore, allocation-free.
 */
public final class FragmentTable
{
    /** {@link #find}: no note for the datagram. */
    public static final int MISS = -1;

    private static final int PROBES = 8;
    private static final int WORDS = 4;

    /** Per slot: the addresses, bit 63 | protocol << 16 | id (0: never used), the reference, the expiry. */
    private final long[] slots;
    private final int mask;
    private final long lifetimeMillis;

    /**
     * @param capacity       notes at most (rounded up to a power of two).
     * @param lifetimeMillis how long a note lasts: a datagram's fragments arrive within it, or are not followed.
     */
    public FragmentTable(final int capacity, final long lifetimeMillis)
    {
        final int size = Math.max(PROBES, Integer.highestOneBit(Math.max(1, capacity - 1) << 1));
        this.slots = new long[size * WORDS];
        this.mask = size - 1;
        this.lifetimeMillis = lifetimeMillis;
    }

    /**
     * Notes that the datagram's fragments belong to the connection {@code reference} ({@link ConnTable#lookup}'s
     * value), until {@code nowMillis} plus the lifetime.
     *
     * @return false when none of the slots it may take was free.
     */
    public boolean note(final int source, final int destination, final int protocol, final int id,
        final int reference, final long nowMillis)
    {
        final long addresses = (long)source << 32 | (destination & 0xFFFFFFFFL);
        final long tag = Long.MIN_VALUE | (long)protocol << 16 | (id & 0xFFFF);
        int slot = slotOf(addresses, tag);
        for (int i = 0; i < PROBES; i++)
        {
            final int at = slot * WORDS;
            final boolean same = slots[at] == addresses && slots[at + 1] == tag;
            if (same || 0 == slots[at + 1] || expiry(at) <= nowMillis)
            {
                slots[at] = addresses;
                slots[at + 1] = tag;
                slots[at + 2] = reference;
                slots[at + 3] = nowMillis + lifetimeMillis;
                return true;
            }
            slot = (slot + 1) & mask;
        }
        return false;
    }

    /** The connection the datagram's fragments belong to, or {@link #MISS} (none noted, or the note ran out). */
    public int find(final int source, final int destination, final int protocol, final int id, final long nowMillis)
    {
        final long addresses = (long)source << 32 | (destination & 0xFFFFFFFFL);
        final long tag = Long.MIN_VALUE | (long)protocol << 16 | (id & 0xFFFF);
        int slot = slotOf(addresses, tag);
        for (int i = 0; i < PROBES; i++)
        {
            final int at = slot * WORDS;
            if (slots[at] == addresses && slots[at + 1] == tag)
            {
                return expiry(at) > nowMillis ? (int)slots[at + 2] : MISS;
            }
            if (0 == slots[at + 1])
            {
                return MISS;
            }
            slot = (slot + 1) & mask;
        }
        return MISS;
    }

    private long expiry(final int at)
    {
        return slots[at + 3];
    }

    private int slotOf(final long addresses, final long tag)
    {
        return (int)(((addresses ^ addresses >>> 31) * 0x9E3779B97F4A7C15L ^ tag * 0xC2B2AE3D27D4EB4FL) >>> 40) & mask;
    }
}
