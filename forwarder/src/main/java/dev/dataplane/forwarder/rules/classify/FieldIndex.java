package dev.dataplane.forwarder.rules.classify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One packet field compiled for classification: the field's value space (up to 128 bits, as two unsigned longs)
 * cut into elementary intervals at every rule's range boundaries, each interval mapped to an equivalence class,
 * and each class to the bitset of rules that match a value in it. A frame without the field (an IPv4 address of
 * an IPv6 frame, the ports of a fragment) is in the "absent" class, which holds only the rules that do not
 * constrain the field.
 * <p>
 * Lookups: a dense table when the value space is small (ports, EtherTypes, VLANs), else a binary search over the
 * interval starts (addresses). Each class also has summary words, bit {@code w} set when its bitset's word
 * {@code w} is not zero, so the classifier can skip runs of rules no class admits.
 */
final class FieldIndex
{
    /** Fields of up to this many bits get a dense value-to-class table (64K chars at most); wider ones a search. */
    private static final int MAX_DENSE_BITS = 16;

    final boolean active;
    final int words;
    final int summaryWords;
    final int absentClass;
    final long[] bits;
    final long[] summary;
    private final long[] startHigh;
    private final long[] startLow;
    private final int[] intervalClass;
    private final char[] dense;
    /** For fields of up to 32 bits that are not dense: the interval starts as unsigned ints... */
    private final int[] start32;
    /** ...and, per value of the top {@link #bucketBits} bits, the first interval that can hold such a value. */
    private final int[] bucketFirst;
    private final int bucketBits;
    private final int classes;

    private FieldIndex(final boolean active, final int words, final long[] startHigh, final long[] startLow,
        final int[] intervalClass, final char[] dense, final List<long[]> classBits, final int absentClass)
    {
        this.active = active;
        this.words = words;
        this.summaryWords = (words + 63) >>> 6;
        this.startHigh = startHigh;
        this.startLow = startLow;
        this.intervalClass = intervalClass;
        this.dense = dense;
        this.absentClass = absentClass;
        if (null == dense && allZero(startHigh) && fitsIn32(startLow))
        {
            start32 = new int[startLow.length];
            for (int i = 0; i < startLow.length; i++)
            {
                start32[i] = (int)startLow[i];
            }
            // About four intervals per bucket, at most 4096 buckets (16 KiB, so it stays in L1/L2).
            int bits = 0;
            while (bits < 12 && (startLow.length >>> bits) > 4)
            {
                bits++;
            }
            bucketBits = bits;
            bucketFirst = new int[(1 << bits) + 1];
            for (int b = 0, i = 0; b <= (1 << bits); b++)
            {
                final long bucketStart = (long)b << (32 - bits);
                while (i + 1 < startLow.length && startLow[i + 1] <= bucketStart)
                {
                    i++;
                }
                bucketFirst[b] = i;
            }
        }
        else
        {
            start32 = null;
            bucketFirst = null;
            bucketBits = 0;
        }
        this.classes = classBits.size();
        this.bits = new long[classes * words];
        this.summary = new long[classes * summaryWords];
        for (int c = 0; c < classes; c++)
        {
            System.arraycopy(classBits.get(c), 0, bits, c * words, words);
            for (int w = 0; w < words; w++)
            {
                if (0 != bits[c * words + w])
                {
                    summary[c * summaryWords + (w >>> 6)] |= 1L << (w & 63);
                }
            }
        }
    }

    int classCount()
    {
        return classes;
    }

    /** The class of a value below 2^63 (ports, lengths, IPv4 addresses as unsigned). */
    int classOf(final long value)
    {
        if (null != dense)
        {
            return dense[(int)value];
        }
        if (null != start32)
        {
            return classOf32((int)value);
        }
        return classOf(0, value);
    }

    /** The class of a 32-bit value (an IPv4 address): its bucket, then a short search within it. */
    int classOf32(final int value)
    {
        final int bucket = bucketBits == 0 ? 0 : value >>> (32 - bucketBits);
        int lo = bucketFirst[bucket];
        int hi = bucketBits == 0 ? start32.length - 1 : bucketFirst[bucket + 1];
        while (lo < hi)
        {
            final int mid = (lo + hi + 1) >>> 1;
            if (Integer.compareUnsigned(start32[mid], value) <= 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return intervalClass[lo];
    }

    private static boolean allZero(final long[] values)
    {
        for (final long v : values)
        {
            if (0 != v)
            {
                return false;
            }
        }
        return true;
    }

    private static boolean fitsIn32(final long[] values)
    {
        for (final long v : values)
        {
            if (v < 0 || v > 0xFFFFFFFFL)
            {
                return false;
            }
        }
        return true;
    }

    /** The class of a 128-bit value. */
    int classOf(final long high, final long low)
    {
        int lo = 0;
        int hi = startLow.length - 1;
        while (lo < hi)
        {
            final int mid = (lo + hi + 1) >>> 1;
            final int cmp = compare(startHigh[mid], startLow[mid], high, low);
            if (cmp <= 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return intervalClass[lo];
    }

    private static int compare(final long aHigh, final long aLow, final long bHigh, final long bLow)
    {
        final int c = Long.compareUnsigned(aHigh, bHigh);
        return 0 != c ? c : Long.compareUnsigned(aLow, bLow);
    }

    /** Collects each rule's ranges over a value space of {@code bits} bits, then builds the index. */
    static final class Builder
    {
        private final int valueBits;
        private final int ruleCount;
        private final boolean denseAllowed;
        private final List<long[][]> ranges = new ArrayList<>();
        private boolean anyConstraint;

        /**
         * @param denseAllowed whether a small field may get a dense table: it is the faster lookup while it stays in
         *                     the CPU's caches, which 128 KiB per 16-bit field in each of many groups do not.
         */
        Builder(final int valueBits, final int ruleCount, final boolean denseAllowed)
        {
            this.denseAllowed = denseAllowed;
            this.valueBits = valueBits;
            this.ruleCount = ruleCount;
        }

        /** The next rule does not constrain this field. */
        void any()
        {
            ranges.add(null);
        }

        /** The next rule matches no value of this field (it excludes the whole field, e.g. a malformed rule). */
        void none()
        {
            ranges.add(new long[0][]);
            anyConstraint = true;
        }

        /** The next rule matches values in [low, high] (inclusive), 128-bit values as {high, low} pairs. */
        void range(final long lowHigh, final long lowLow, final long highHigh, final long highLow)
        {
            ranges.add(new long[][] {{lowHigh, lowLow, highHigh, highLow}});
            anyConstraint = true;
        }

        /** The next rule matches exactly these single values. */
        void values(final long[] values)
        {
            final long[][] r = new long[values.length][];
            for (int i = 0; i < values.length; i++)
            {
                r[i] = new long[] {0, values[i], 0, values[i]};
            }
            ranges.add(r);
            anyConstraint = true;
        }

        FieldIndex build()
        {
            if (ranges.size() != ruleCount)
            {
                throw new IllegalStateException(ranges.size() + " rules given to a field of " + ruleCount);
            }
            final int words = Math.max(1, (ruleCount + 63) >>> 6);
            // A sweep over the value space: each range adds its rule at its low end and takes it away after its high
            // end (unless that wraps past the value space); between two such points the rules in force do not change,
            // so those points are the interval starts, and the bitset in force there is the interval's.
            final List<Edge> edges = new ArrayList<>();
            final long[] inForce = new long[words];
            for (int rule = 0; rule < ruleCount; rule++)
            {
                final long[][] ruleRanges = ranges.get(rule);
                if (null == ruleRanges)
                {
                    inForce[rule >>> 6] |= 1L << (rule & 63);
                    continue;
                }
                for (final long[] r : ruleRanges)
                {
                    edges.add(new Edge(r[0], r[1], rule, true));
                    final long nextLow = r[3] + 1;
                    final long nextHigh = r[2] + (0 == nextLow ? 1 : 0);
                    if (!(0 == nextHigh && 0 == nextLow) && fits(nextHigh, nextLow))
                    {
                        edges.add(new Edge(nextHigh, nextLow, rule, false));
                    }
                }
            }
            // At one point a rule's range may end and its next one start (a rule's ranges never overlap):
            // removals first.
            edges.sort((a, b) ->
            {
                final int c = compare(a.high(), a.low(), b.high(), b.low());
                return 0 != c ? c : Boolean.compare(a.adds(), b.adds());
            });

            final Map<BitsKey, Integer> classIds = new HashMap<>();
            final List<long[]> classBits = new ArrayList<>();
            final List<long[]> starts = new ArrayList<>();
            final List<Integer> classes = new ArrayList<>();
            int e = 0;
            long high = 0;
            long low = 0;
            while (true)
            {
                while (e < edges.size() && 0 == compare(edges.get(e).high(), edges.get(e).low(), high, low))
                {
                    final Edge edge = edges.get(e++);
                    if (edge.adds())
                    {
                        inForce[edge.rule() >>> 6] |= 1L << (edge.rule() & 63);
                    }
                    else
                    {
                        inForce[edge.rule() >>> 6] &= ~(1L << (edge.rule() & 63));
                    }
                }
                final long[] bitset = inForce.clone();
                starts.add(new long[] {high, low});
                classes.add(classIds.computeIfAbsent(new BitsKey(bitset), k ->
                {
                    classBits.add(bitset);
                    return classBits.size() - 1;
                }));
                if (e == edges.size())
                {
                    break;
                }
                high = edges.get(e).high();
                low = edges.get(e).low();
            }
            final long[] startHigh = new long[starts.size()];
            final long[] startLow = new long[starts.size()];
            final int[] intervalClass = new int[starts.size()];
            for (int i = 0; i < starts.size(); i++)
            {
                startHigh[i] = starts.get(i)[0];
                startLow[i] = starts.get(i)[1];
                intervalClass[i] = classes.get(i);
            }
            final long[] absent = new long[words];
            for (int rule = 0; rule < ruleCount; rule++)
            {
                if (null == ranges.get(rule))
                {
                    absent[rule >>> 6] |= 1L << (rule & 63);
                }
            }
            final int absentClass = classIds.computeIfAbsent(new BitsKey(absent), k ->
            {
                classBits.add(absent);
                return classBits.size() - 1;
            });

            char[] dense = null;
            if (denseAllowed && valueBits <= MAX_DENSE_BITS && classBits.size() <= Character.MAX_VALUE)
            {
                dense = new char[1 << valueBits];
                for (int i = 0; i < startLow.length; i++)
                {
                    final int end = i + 1 < startLow.length ? (int)startLow[i + 1] : dense.length;
                    Arrays.fill(dense, (int)startLow[i], end, (char)intervalClass[i]);
                }
            }
            return new FieldIndex(anyConstraint, words, startHigh, startLow, intervalClass, dense, classBits,
                absentClass);
        }

        private boolean fits(final long high, final long low)
        {
            if (valueBits >= 128)
            {
                return true;
            }
            if (valueBits > 64)
            {
                return Long.compareUnsigned(high, 1L << (valueBits - 64)) < 0;
            }
            return 0 == high && (valueBits == 64 || Long.compareUnsigned(low, 1L << valueBits) < 0);
        }
    }

    /** Where a rule's range starts ({@code adds}) or where it has ended, in a sweep over the value space. */
    private record Edge(long high, long low, int rule, boolean adds)
    {
    }

    /** A bitset as a map key, for sharing one class among intervals with the same rules. */
    private record BitsKey(long[] bits)
    {
        @Override
        public boolean equals(final Object other)
        {
            return other instanceof BitsKey key && Arrays.equals(bits, key.bits);
        }

        @Override
        public int hashCode()
        {
            return Arrays.hashCode(bits);
        }
    }
}
