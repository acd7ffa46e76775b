package dev.dataplane.runtime;

/** Burst sizes, shared by every poller: what a burst array must hold, whichever program runs it. */
public final class Burst
{
    /** testpmd's and l2fwd's burst: enough to amortise a driver call, small enough to stay in L1. */
    public static final int DEFAULT = 32;
    /** testpmd's MAX_PKT_BURST: the largest burst an option may ask for, and what per-burst scratch arrays hold. */
    public static final int MAX = 512;

    private Burst()
    {
    }

    /** Null when {@code burst} is a valid burst size, else why not (for a usage error). */
    public static String check(final int burst)
    {
        return burst >= 1 && burst <= MAX ? null : "--burst must be in 1.." + MAX + ": " + burst;
    }
}
