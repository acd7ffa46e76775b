package dev.dataplane.net;

import java.lang.foreign.MemorySegment;

/**
 * The Internet checksum: the ones' complement of the ones' complement sum of 16-bit words (RFC 1071), and its
 * incremental update when a field changes (RFC 1624, equation 3: HC' = ~(~HC + ~m + m')).
 * <p>
 * Sums are carried in a long and folded at the end, so a sum over a whole jumbo frame cannot overflow.
 */
public final class InternetChecksum
{
    private InternetChecksum()
    {
    }

    /**
     * The unfolded sum of {@code length} bytes from {@code offset} as big-endian 16-bit words, an odd last byte
     * padded with zero, added to {@code initial}.
     */
    public static long sum(final MemorySegment segment, final long offset, final int length, final long initial)
    {
        long sum = initial;
        long position = offset;
        final long end = offset + length;
        for (; position + 8 <= end; position += 8)
        {
            final long word = segment.get(NetworkOrder.U64, position);
            sum += (word >>> 32) + (word & 0xFFFFFFFFL);
        }
        for (; position + 2 <= end; position += 2)
        {
            sum += NetworkOrder.u16(segment, position);
        }
        if (position < end)
        {
            sum += NetworkOrder.u8(segment, position) << 8;
        }
        return sum;
    }

    /** Folds a sum to 16 bits with end-around carry. */
    public static int fold(final long sum)
    {
        long folded = (sum & 0xFFFFFFFFL) + (sum >>> 32);
        folded = (folded & 0xFFFF) + (folded >>> 16);
        folded = (folded & 0xFFFF) + (folded >>> 16);
        folded = (folded & 0xFFFF) + (folded >>> 16);
        return (int)folded;
    }

    /** The checksum of a byte range: the complement of its folded sum. */
    public static int checksum(final MemorySegment segment, final long offset, final int length)
    {
        return ~fold(sum(segment, offset, length, 0)) & 0xFFFF;
    }

    /** The checksum to store given a sum that already covers everything but the checksum field (zeroed). */
    public static int finish(final long sum)
    {
        return ~fold(sum) & 0xFFFF;
    }

    /** True when a range that includes its own checksum field sums to 0xFFFF (or 0, its ones' complement twin). */
    public static boolean verify(final MemorySegment segment, final long offset, final int length, final long initial)
    {
        final int folded = fold(sum(segment, offset, length, initial));
        return folded == 0xFFFF;
    }

    /** RFC 1624 update of {@code checksum} when one 16-bit word changes from {@code oldWord} to {@code newWord}. */
    public static int update16(final int checksum, final int oldWord, final int newWord)
    {
        return applyDelta(checksum, delta16(oldWord, newWord));
    }

    /** RFC 1624 update when a 32-bit field (an IPv4 address) changes: two 16-bit words at once. */
    public static int update32(final int checksum, final int oldValue, final int newValue)
    {
        return applyDelta(checksum, delta32(oldValue, newValue));
    }

    /**
     * The change one 16-bit word makes to a sum, {@code ~m + m'} (RFC 1624 eqn. 3); deltas of several words add up
     * (unfolded), so a flow's whole rewrite can be applied to a checksum by one {@link #applyDelta}.
     */
    public static long delta16(final int oldWord, final int newWord)
    {
        return (~oldWord & 0xFFFF) + (newWord & 0xFFFF);
    }

    /** {@link #delta16} for a 32-bit field (an IPv4 address): its two 16-bit words. */
    public static long delta32(final int oldValue, final int newValue)
    {
        return (~(oldValue >>> 16) & 0xFFFF) + (~oldValue & 0xFFFF) + ((newValue >>> 16) & 0xFFFF) +
            (newValue & 0xFFFF);
    }

    /** The checksum once words changed by {@code delta} (a sum of {@link #delta16}s): ~(~HC + delta). */
    public static int applyDelta(final int checksum, final long delta)
    {
        return ~fold((~checksum & 0xFFFF) + delta) & 0xFFFF;
    }

    /**
     * {@link #applyDelta} for a delta already folded to 16 bits ({@code fold} of a sum of {@link #delta16}s): one
     * end-around carry is all it can need, so this is the cheap form for deltas computed ahead of time.
     */
    public static int applyFoldedDelta(final int checksum, final int foldedDelta)
    {
        final int sum = (~checksum & 0xFFFF) + foldedDelta;
        return ~((sum & 0xFFFF) + (sum >>> 16)) & 0xFFFF;
    }

    /** RFC 1624 update when a 128-bit field (an IPv6 address in a pseudo-header) changes. */
    public static int update128(final int checksum, final long oldHigh, final long oldLow, final long newHigh,
        final long newLow)
    {
        long sum = ~checksum & 0xFFFF;
        sum += complementWords(oldHigh) + complementWords(oldLow) + words(newHigh) + words(newLow);
        return ~fold(sum) & 0xFFFF;
    }

    private static long words(final long value)
    {
        return (value >>> 48) + ((value >>> 32) & 0xFFFF) + ((value >>> 16) & 0xFFFF) + (value & 0xFFFF);
    }

    private static long complementWords(final long value)
    {
        return words(~value);
    }

    /** The IPv4 pseudo-header sum for a UDP or TCP checksum (RFC 768, RFC 793). */
    public static long ipv4PseudoHeaderSum(final int source, final int destination, final int protocol,
        final int l4Length)
    {
        return ((source >>> 16) & 0xFFFF) + (source & 0xFFFF) + ((destination >>> 16) & 0xFFFF) +
            (destination & 0xFFFF) + protocol + l4Length;
    }

    /** The IPv6 pseudo-header sum (RFC 8200 8.1): addresses read from the header at {@code ipv6Offset}. */
    public static long ipv6PseudoHeaderSum(final MemorySegment segment, final long ipv6Offset, final int nextHeader,
        final long l4Length)
    {
        final long addresses = sum(segment, ipv6Offset + Ipv6Header.SOURCE_OFFSET, 32, 0);
        return addresses + (l4Length >>> 16) + (l4Length & 0xFFFF) + nextHeader;
    }
}
