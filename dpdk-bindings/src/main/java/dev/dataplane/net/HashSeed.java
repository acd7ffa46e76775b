package dev.dataplane.net;

import java.security.SecureRandom;

/**
 * The process's secret for every table that hashes packet fields: drawn once at start, so that flows crafted to
 * collide in one process (and push every packet to a slow path) collide in no other (hash flooding). A table derives
 * what it needs from it with {@link #multiplier}.
 */
public final class HashSeed
{
    /** This process's seed, from the system's strong random source. */
    public static final long PROCESS = new SecureRandom().nextLong();

    private HashSeed()
    {
    }

    /**
     * The {@code index}th multiplier drawn from {@code seed} for multiplicative hashing: odd, with its top bit set and
     * between 28 and 36 of its 64 bits set, so that every key bit reaches the top bits (a product's set index) through
     * many paths. Drawn from SplitMix64's sequence over the seed, skipping draws that miss those marks.
     */
    public static long multiplier(final long seed, final int index)
    {
        long state = seed + (long)index * 0x632BE59BD9B4E019L;
        while (true)
        {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = (z ^ (z >>> 31)) | 1L | Long.MIN_VALUE;
            final int bits = Long.bitCount(z);
            if (bits >= 28 && bits <= 36)
            {
                return z;
            }
        }
    }
}
