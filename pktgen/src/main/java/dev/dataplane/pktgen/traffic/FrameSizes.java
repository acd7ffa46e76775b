package dev.dataplane.pktgen.traffic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The frame sizes to send and in what order: one size (64 bytes up to jumbo frames of 9618), a list (each in turn),
 * or IMIX (64, 576 and 1500 bytes in the
 * ratio 7:4:1, the "simple IMIX" of Pktgen-DPDK and TRex). Sizes count the FCS, as on the wire. The order is a
 * repeating {@link #pattern()} of indices into {@link #sizes()}, spread evenly (a smooth weighted round robin: the
 * 1500-byte frames of IMIX do not come in a clump), so any 12 frames in a row of IMIX hold exactly 7, 4 and 1.
 */
public final class FrameSizes
{
    public static final int MIN = 64;
    /** The largest standard Ethernet frame; larger ones are jumbo frames, for which the ports' MTU is raised. */
    public static final int STANDARD_MAX = 1518;
    /** Jumbo frames up to an MTU of 9600 (frames of 9618 bytes). */
    public static final int MAX = 9618;
    /** Different sizes at most (each has a pool and templates of its own). */
    public static final int MAX_SIZES = 16;
    private static final int[] IMIX_SIZES = {64, 576, 1500};
    private static final int[] IMIX_WEIGHTS = {7, 4, 1};

    private final String text;
    private final int[] sizes;
    private final int[] pattern;

    private FrameSizes(final String text, final int[] sizes, final int[] weights)
    {
        if (sizes.length > MAX_SIZES)
        {
            throw new IllegalArgumentException("--size takes at most " + MAX_SIZES + " different sizes: " + text);
        }
        for (final int size : sizes)
        {
            if (size < MIN || size > MAX)
            {
                throw new IllegalArgumentException("--size must be in " + MIN + ".." + MAX + ": " + size);
            }
        }
        this.text = text;
        this.sizes = sizes;
        this.pattern = spread(weights);
    }

    /** One size. */
    public static FrameSizes of(final int size)
    {
        return new FrameSizes(Integer.toString(size), new int[] {size}, new int[] {1});
    }

    /** {@code 64}, {@code 64,128,1518} (each in turn; a size given twice is sent twice as often) or {@code imix}. */
    public static FrameSizes parse(final String text)
    {
        final String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("imix"))
        {
            return new FrameSizes("imix", IMIX_SIZES.clone(), IMIX_WEIGHTS.clone());
        }
        final List<Integer> distinct = new ArrayList<>();
        final List<Integer> weights = new ArrayList<>();
        for (final String part : t.split(",", -1))
        {
            final int size;
            try
            {
                size = Integer.parseInt(part.trim());
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("--size takes a size in bytes (64), a list (64,512,1518) or " +
                    "imix, not '" + text + "'", ex);
            }
            final int at = distinct.indexOf(size);
            if (at < 0)
            {
                distinct.add(size);
                weights.add(1);
            }
            else
            {
                weights.set(at, weights.get(at) + 1);
            }
        }
        return new FrameSizes(t, distinct.stream().mapToInt(Integer::intValue).toArray(),
            weights.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Smooth weighted round robin (as nginx balances upstreams): each weight's share, evenly spaced. */
    private static int[] spread(final int[] weights)
    {
        final int total = Arrays.stream(weights).sum();
        final int[] current = new int[weights.length];
        final int[] order = new int[total];
        for (int slot = 0; slot < total; slot++)
        {
            int best = 0;
            for (int i = 0; i < weights.length; i++)
            {
                current[i] += weights[i];
                if (current[i] > current[best])
                {
                    best = i;
                }
            }
            current[best] -= total;
            order[slot] = best;
        }
        return order;
    }

    /** Distinct sizes, in the order given. */
    public int[] sizes()
    {
        return sizes.clone();
    }

    public int count()
    {
        return sizes.length;
    }

    public int size(final int index)
    {
        return sizes[index];
    }

    /** Indices into {@link #sizes()}, the order frames take, repeated. */
    public int[] pattern()
    {
        return pattern.clone();
    }

    public int smallest()
    {
        return Arrays.stream(sizes).min().orElseThrow();
    }

    public int largest()
    {
        return Arrays.stream(sizes).max().orElseThrow();
    }

    /** Mean frame size over the pattern, FCS counted (what a rate in percent of the link divides by). */
    public double average()
    {
        double sum = 0;
        for (final int index : pattern)
        {
            sum += sizes[index];
        }
        return sum / pattern.length;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof FrameSizes that && Arrays.equals(sizes, that.sizes) &&
            Arrays.equals(pattern, that.pattern);
    }

    @Override
    public int hashCode()
    {
        return 31 * Arrays.hashCode(sizes) + Arrays.hashCode(pattern);
    }

    /** For people: {@code 64-byte}, {@code 64/1518-byte}, {@code IMIX (64/576/1500-byte, 7:4:1)}. */
    public String describe()
    {
        final StringBuilder list = new StringBuilder();
        for (final int size : sizes)
        {
            list.append(list.isEmpty() ? "" : "/").append(size);
        }
        return text.equals("imix") ? "IMIX (" + list + "-byte, 7:4:1)" : list + "-byte";
    }

    /** As given: {@code 64}, {@code 64,1518}, {@code imix}. */
    @Override
    public String toString()
    {
        return text;
    }
}
