package dev.dataplane.pktgen.tx;

/**
 * Paces packets by the time-stamp counter: packet {@code n} is due at {@code start + n * ticksPerPacket} (kept in
 * fractions of a tick, so rates that do not divide the clock stay exact over a run). A sender that falls behind
 * sends what is due in bursts up to its burst size, so a stall of the lcore (preempted by the OS, say) costs nothing
 * over a second; one that falls further behind than {@link #MAX_LAG_SECONDS} (or a burst, at low rates) forgets the
 * backlog rather than catch up in a flood, and counts the packets it did not send ({@link #skipped}).
 * <p>
 * {@link #scheduled} gives each packet of the last burst its due time, which the generator stamps instead of the
 * time it actually sent: latency is then measured from when the packet should have left, so a generator stall
 * shows in the latency instead of hiding (coordinated omission, corrected the open-loop way).
 */
public final class RateLimiter
{
    /** Backlog, in time, beyond which the schedule restarts from now: 10 ms. */
    public static final double MAX_LAG_SECONDS = 0.01;
    /** The least backlog caught up, whatever the rate: a burst's worth. */
    public static final int MIN_LAG_PACKETS = 32;
    /** Fixed point: a 256th of a tick, and (in 64 bits, from the start of the run) 139 days at 3 GHz. */
    private static final int FRACTION_BITS = 8;

    private final long ticksPerPacketFixed;
    private final boolean unlimited;
    private final long maxLagPackets;
    private long nextDueFixed;
    private long burstDueFixed;
    private long burstNow;
    private long startTsc;
    private boolean started;
    private long skipped;

    /**
     * @param packetsPerSecond the rate, or 0 for as fast as the port takes them.
     * @param tscHz            time-stamp counter ticks per second.
     */
    public RateLimiter(final double packetsPerSecond, final long tscHz)
    {
        this.unlimited = 0 == packetsPerSecond;
        this.ticksPerPacketFixed = unlimited ? 0 :
            Math.max(1, Math.round(tscHz / packetsPerSecond * (1 << FRACTION_BITS)));
        this.maxLagPackets = Math.max(MIN_LAG_PACKETS, Math.round(packetsPerSecond * MAX_LAG_SECONDS));
    }

    /** How many packets, at most {@code max}, are due at {@code now}; they count as sent once this returns. */
    public int due(final long now, final int max)
    {
        burstNow = now;
        if (unlimited)
        {
            return max;
        }
        if (!started)
        {
            started = true;
            startTsc = now;
        }
        final long nowFixed = (now - startTsc) << FRACTION_BITS;
        if (nowFixed < nextDueFixed)
        {
            return 0;
        }
        long backlog = (nowFixed - nextDueFixed) / ticksPerPacketFixed + 1;
        if (backlog > maxLagPackets)
        {
            skipped += backlog - 1;
            nextDueFixed = nowFixed;
            backlog = 1;
        }
        final int n = (int)Math.min(backlog, max);
        burstDueFixed = nextDueFixed;
        nextDueFixed += n * ticksPerPacketFixed;
        return n;
    }

    /** The time-stamp counter at which packet {@code i} of the last {@link #due} burst was due (unlimited: now). */
    public long scheduled(final int i)
    {
        return unlimited ? burstNow : startTsc + ((burstDueFixed + i * ticksPerPacketFixed) >> FRACTION_BITS);
    }

    /**
     * Packets due from the schedule's start to {@code now}: the first at the start, then one every 1/rate. Every one
     * of them is released or {@link #skipped}, but for those of a burst still to go and, per restart of the schedule
     * after a stall, less than one.
     */
    public long dueBy(final long now)
    {
        return unlimited || !started ? 0 : ((now - startTsc) << FRACTION_BITS) / ticksPerPacketFixed + 1;
    }

    /** The time-stamp counter of the first {@link #due}: read once the sender has stopped. */
    public long startTsc()
    {
        return startTsc;
    }

    /** The time-stamp counter of the last {@link #due}: read once the sender has stopped. */
    public long lastTsc()
    {
        return burstNow;
    }

    /** Packets the schedule dropped because the sender fell too far behind: read once the sender has stopped. */
    public long skipped()
    {
        return skipped;
    }
}
