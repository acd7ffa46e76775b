package dev.dataplane.forwarder.conntrack;

import dev.dataplane.dpdk.Mbuf;

/**
 * Later fragments of IPv4 datagrams whose first fragment (the one with the ports) has not come yet: held, in their
 * mbufs, until it comes ({@link #release}: then they go on as its connection's, in the order they came) or until they
 * run out ({@link #expire}: freed), as VPP's virtual reassembly holds them. Bounded: {@code capacity} fragments in all,
 * a fragment that finds no room is not held (the caller counts it). Plain arrays, allocation-free; per lcore.
 */
public final class FragmentHold
{
    private final long[] addresses;
    /** Per slot: bit 63 | protocol << 16 | id; 0: empty. */
    private final long[] tags;
    private final long[] mbufs;
    private final long[] expiries;
    /** Per slot: when it was held, in the order fragments came. */
    private final long[] arrivals;
    private final long lifetimeMillis;
    private int held;
    private long arrived;

    /**
     * @param capacity       fragments held at most.
     * @param lifetimeMillis how long a fragment waits for its first.
     */
    public FragmentHold(final int capacity, final long lifetimeMillis)
    {
        this.addresses = new long[capacity];
        this.tags = new long[capacity];
        this.mbufs = new long[capacity];
        this.expiries = new long[capacity];
        this.arrivals = new long[capacity];
        this.lifetimeMillis = lifetimeMillis;
    }

    /** Fragments held now. */
    public int held()
    {
        return held;
    }

    /**
     * Holds {@code mbuf}, a later fragment of the datagram (source, destination, protocol, IP id), until
     * {@code nowMillis} plus the lifetime.
     *
     * @return false when every slot is taken (nothing held).
     */
    public boolean hold(final int source, final int destination, final int protocol, final int id, final long mbuf,
        final long nowMillis)
    {
        if (held == tags.length)
        {
            return false;
        }
        int slot = 0;
        while (0 != tags[slot])
        {
            slot++;
        }
        addresses[slot] = (long)source << 32 | (destination & 0xFFFFFFFFL);
        tags[slot] = tag(protocol, id);
        mbufs[slot] = mbuf;
        expiries[slot] = nowMillis + lifetimeMillis;
        arrivals[slot] = ++arrived;
        held++;
        return true;
    }

    /**
     * Takes the datagram's held fragments out, oldest first, into {@code into} from {@code at} on (room permitting:
     * what does not fit stays held).
     *
     * @return {@code at} plus how many were taken.
     */
    public int release(final int source, final int destination, final int protocol, final int id, final long[] into,
        final int at)
    {
        final long address = (long)source << 32 | (destination & 0xFFFFFFFFL);
        final long tag = tag(protocol, id);
        int taken = at;
        while (taken < into.length)
        {
            int oldest = -1;
            for (int slot = 0; slot < tags.length; slot++)
            {
                if (tags[slot] == tag && addresses[slot] == address &&
                    (oldest < 0 || arrivals[slot] < arrivals[oldest]))
                {
                    oldest = slot;
                }
            }
            if (oldest < 0)
            {
                break;
            }
            into[taken++] = mbufs[oldest];
            tags[oldest] = 0;
            held--;
        }
        return taken;
    }

    /**
     * Frees the fragments that waited out their lifetime by {@code nowMillis} (all of them when it is
     * {@link Long#MAX_VALUE}).
     *
     * @return how many were freed.
     */
    public int expire(final long nowMillis)
    {
        int freed = 0;
        for (int slot = 0; slot < tags.length && 0 != held; slot++)
        {
            if (0 != tags[slot] && expiries[slot] <= nowMillis)
            {
                Mbuf.free(mbufs[slot]);
                tags[slot] = 0;
                held--;
                freed++;
            }
        }
        return freed;
    }

    private static long tag(final int protocol, final int id)
    {
        return Long.MIN_VALUE | (long)(protocol & 0xFF) << 16 | (id & 0xFFFF);
    }
}
