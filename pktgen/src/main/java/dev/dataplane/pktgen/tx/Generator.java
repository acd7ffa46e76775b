package dev.dataplane.pktgen.tx;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.lang.foreign.MemorySegment;
import java.util.function.ObjIntConsumer;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.pktgen.traffic.FrameSizes;
import dev.dataplane.pktgen.traffic.Stamp;
import dev.dataplane.pktgen.traffic.Traffic;

/**
 * Sends its share of the traffic on one TX queue: per cycle, as many packets as the {@link RateLimiter} says are due
 * (up to a burst), each its flow's frame with the flow's next sequence number and its scheduled send time (the TSC at
 * which it was due: see {@link RateLimiter#scheduled}) written into its stamp, and the L4 checksum moved by exactly
 * those words (RFC 1624).
 * <p>
 * Each frame size has a pool of its own, every mbuf of which was filled with that size's frame at start
 * ({@link #prefill}), as MoonGen does, and is taken without a reset: frames of all flows of a size differ only in the
 * word that tells flows apart ({@link Traffic#flowFieldOffset}), the IPv4 checksum (IPv6 has none), the L4 checksum
 * and the stamp's stream, so a packet costs a few stores, not a copy.
 * Sizes follow the {@link FrameSizes#pattern()}; a burst of mixed sizes takes from each size's pool in one bulk
 * allocation. Flows take turns packet by packet. With several TX queues, generator {@code q} of {@code N} sends flows
 * {@code q, q + N, ...}, so a stream's sequence numbers come from one lcore. What the TX queue refuses is freed and
 * counted, not retried; the sequence numbers of refused packets are spent, so the receiver sees them as lost.
 */
public final class Generator extends Sender
{
    private final int flows;
    private final int[] streams;
    private final int firstFlow;
    private final int flowStep;
    /** Per flow, what the TX queue refused: written by the lcore, read once it has stopped. */
    private final long[] refusedByFlow;
    private final int[] sequences;
    /** Per flow: the 32 bits that tell flows apart ({@link Traffic#flowFieldOffset}). */
    private final int[] flowWords;
    /** Per size and flow ({@code k * flows + f}): IPv4 header checksum, L4 checksum with sequence and stamp 0. */
    private final int[] ipChecksums;
    private final int[] l4Checksums;
    /** Per size: bytes in the mbuf. */
    private final int[] dataLengths;
    private final int[] pattern;
    private final Mempool[] pools;
    /** Per size, for a burst of mixed sizes: the mbufs taken from its pool, and how many of them are placed. */
    private final MbufArray[] staged;
    private final int[] wanted;
    private final int[] placed;
    private final int flowFieldOffset;
    private final int ipChecksumOffset;
    private final int stampOffset;
    private final int l4ChecksumOffset;
    private final boolean udp;
    private final RateLimiter limiter;
    private final long limit;
    /** One flow and the only generator on its pools: every pooled frame is already that flow's. */
    private final boolean oneFlow;
    private final boolean randomOrder;
    private int flow;
    private long random;
    private int patternAt;

    /**
     * @param pools     per frame size of {@code traffic}, its prefilled pool.
     * @param firstFlow this generator's first flow; it sends every {@code flowStep}-th from there.
     * @param limit     packets to send in all, or 0 for no limit.
     */
    public Generator(final int port, final int queue, final int burst, final Mempool[] pools, final Traffic traffic,
        final MemorySegment templates, final int firstFlow, final int flowStep, final RateLimiter limiter,
        final long limit)
    {
        super(port, queue, burst, pools[0]);
        if (pools.length != traffic.sizes().count() || firstFlow < 0 || firstFlow >= traffic.flows() || flowStep < 1)
        {
            throw new IllegalArgumentException("a pool per size, and a first flow among the traffic's flows");
        }
        final int sizes = traffic.sizes().count();
        this.flows = (traffic.flows() - firstFlow + flowStep - 1) / flowStep;
        this.firstFlow = firstFlow;
        this.flowStep = flowStep;
        this.refusedByFlow = new long[flows];
        this.streams = new int[flows];
        this.sequences = new int[flows];
        this.flowWords = new int[flows];
        this.ipChecksums = new int[sizes * flows];
        this.l4Checksums = new int[sizes * flows];
        this.dataLengths = new int[sizes];
        this.pattern = traffic.sizes().pattern();
        this.pools = pools.clone();
        this.staged = new MbufArray[sizes];
        this.wanted = new int[sizes];
        this.placed = new int[sizes];
        this.flowFieldOffset = traffic.flowFieldOffset();
        this.ipChecksumOffset = traffic.ipChecksumOffset();
        this.stampOffset = traffic.stampOffset();
        this.l4ChecksumOffset = traffic.l4ChecksumOffset();
        this.udp = !traffic.tcp();
        for (int k = 0; k < sizes; k++)
        {
            dataLengths[k] = traffic.dataLength(k);
            staged[k] = sizes > 1 ? new MbufArray(burst) : null;
            for (int f = 0; f < flows; f++)
            {
                final int stream = firstFlow + f * flowStep;
                final long frame = traffic.templateOffset(k, stream);
                streams[f] = stream;
                flowWords[f] = NetworkOrder.u32(templates, frame + flowFieldOffset);
                ipChecksums[k * flows + f] = ipChecksumOffset < 0 ? 0 :
                    NetworkOrder.u16(templates, frame + ipChecksumOffset);
                l4Checksums[k * flows + f] = NetworkOrder.u16(templates, frame + l4ChecksumOffset);
            }
        }
        this.limiter = limiter;
        this.limit = limit;
        this.oneFlow = 1 == flows && 0 == firstFlow && 1 == flowStep;
        this.randomOrder = traffic.randomOrder();
        this.random = 0x9E37_79B9_7F4A_7C15L ^ queue;
    }

    @Override
    public int poll()
    {
        int want = burst;
        if (0 != limit)
        {
            final long left = limit - handedOut();
            if (left <= 0)
            {
                return 0;
            }
            want = (int)Math.min(want, left);
        }
        final long tsc = Eal.rdtsc();
        final int n = limiter.due(tsc, want);
        if (0 == n)
        {
            return 0;
        }
        if (!allocateAndBuild(n))
        {
            return 0;
        }
        return transmit(n, 1 == pools.length ? dataLengths[0] : -1);
    }

    /** Takes the next {@code n} packets' mbufs and writes them; false, and counted, when a pool has too few. */
    private boolean allocateAndBuild(final int n)
    {
        if (1 == pools.length)
        {
            if (!pools[0].allocBulkRaw(mbufs, n))
            {
                countAllocFailure(n);
                return false;
            }
            buildOneSize(n);
            return true;
        }
        if (!allocateMixed(n))
        {
            return false;
        }
        buildMixed(n);
        return true;
    }

    /*
     * buildOneSize and buildMixed repeat each other on purpose: one size, the common case and the benchmark's, pays no
     * size lookup, index arithmetic or length bookkeeping per packet (with one loop for both, the TX-only benchmark
     * fell behind).
     */

    /**
     * Writes the next {@code n} packets, all of the one size, into the first {@code n} of {@link #mbufs}. A lone
     * generator of one flow writes only the stamp: its pool's frames are all that flow's already.
     */
    private void buildOneSize(final int n)
    {
        final long elements = MbufArray.checkedElements(mbufs, n);
        final boolean oneFlow = this.oneFlow;
        for (int i = 0; i < n; i++)
        {
            final long data = Mbuf.dataAddress(MbufArray.element(elements, i));
            final int f = nextFlow();
            if (!oneFlow)
            {
                NetworkOrder.u32(ALL, data + flowFieldOffset, flowWords[f]);
                if (ipChecksumOffset >= 0)
                {
                    NetworkOrder.u16(ALL, data + ipChecksumOffset, ipChecksums[f]);
                }
                NetworkOrder.u16(ALL, data + stampOffset + Stamp.STREAM_OFFSET, streams[f]);
            }
            stamp(data, sequences[f]++, limiter.scheduled(i), l4Checksums[f]);
        }
    }

    /**
     * Writes the next {@code n} packets into the first {@code n} of {@link #mbufs}, which {@link #allocateMixed} took
     * in pattern order, and their lengths into {@link #lengths}.
     */
    private void buildMixed(final int n)
    {
        final long elements = MbufArray.checkedElements(mbufs, n);
        final int[] pattern = this.pattern;
        int at = patternAt;
        for (int i = 0; i < n; i++)
        {
            final long mbuf = MbufArray.element(elements, i);
            final int k = pattern[at];
            at = at + 1 == pattern.length ? 0 : at + 1;
            final int f = nextFlow();
            final int perSize = k * flows + f;
            final long data = Mbuf.dataAddress(mbuf);
            lengths[i] = dataLengths[k];
            NetworkOrder.u32(ALL, data + flowFieldOffset, flowWords[f]);
            if (ipChecksumOffset >= 0)
            {
                NetworkOrder.u16(ALL, data + ipChecksumOffset, ipChecksums[perSize]);
            }
            NetworkOrder.u16(ALL, data + stampOffset + Stamp.STREAM_OFFSET, streams[f]);
            stamp(data, sequences[f]++, limiter.scheduled(i), l4Checksums[perSize]);
        }
        patternAt = at;
    }

    /**
     * Compiles the lcore's code before the run: builds {@code bursts} bursts as {@link #poll} would, hands each frame
     * to {@code receiver} (a receiver's per-frame accounting, unless null), and frees them instead of sending. Call
     * it on a throwaway generator and receiver (their sequence numbers and counts move), before the real ones start:
     * the JIT's compiled code is per class, so theirs is ready when the run's first packet is due, and a paced run
     * does not start a second behind its schedule.
     */
    public void warmUp(final int bursts, final ObjIntConsumer<MbufArray> receiver)
    {
        for (int b = 0; b < bursts; b++)
        {
            final int n = limiter.due(Eal.rdtsc(), burst);
            if (0 == n || !allocateAndBuild(n))
            {
                continue;
            }
            if (null != receiver)
            {
                receiver.accept(mbufs, n);
            }
            Mbuf.freeBulk(mbufs, 0, n);
        }
    }

    /** The next packet's flow: the one after the last, or one drawn at random (xorshift64). */
    private int nextFlow()
    {
        if (randomOrder)
        {
            long x = random;
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            random = x;
            return (int)(((x >>> 32) * flows) >>> 32);
        }
        final int f = flow;
        flow = f + 1 == flows ? 0 : f + 1;
        return f;
    }

    /**
     * Puts into {@link #mbufs} the next {@code n} packets' mbufs, each from its size's pool, in pattern order: one bulk
     * allocation per size; all or nothing.
     */
    private boolean allocateMixed(final int n)
    {
        final int[] pattern = this.pattern;
        final int sizes = pools.length;
        for (int k = 0; k < sizes; k++)
        {
            wanted[k] = 0;
            placed[k] = 0;
        }
        int at = patternAt;
        for (int i = 0; i < n; i++)
        {
            wanted[pattern[at]]++;
            at = at + 1 == pattern.length ? 0 : at + 1;
        }
        for (int k = 0; k < sizes; k++)
        {
            if (0 != wanted[k] && !pools[k].allocBulkRaw(staged[k], wanted[k]))
            {
                for (int j = 0; j < k; j++)
                {
                    if (0 != wanted[j])
                    {
                        Mbuf.freeBulk(staged[j], 0, wanted[j]);
                    }
                }
                countAllocFailure(n);
                return false;
            }
        }
        at = patternAt;
        for (int i = 0; i < n; i++)
        {
            final int k = pattern[at];
            at = at + 1 == pattern.length ? 0 : at + 1;
            mbufs.set(i, staged[k].get(placed[k]++));
        }
        return true;
    }

    /**
     * Fills every mbuf of {@code pool} with flow 0's frame of size {@code sizeIndex}, and its length (the generator
     * writes the rest per packet): call once, before sending, with nothing else using the pool. The generator then
     * takes its mbufs without a reset ({@link Mempool#allocBulkRaw}), so frame and lengths stay as set here: no driver
     * changes an mbuf it transmits.
     */
    public static void prefill(final Mempool pool, final Traffic traffic, final MemorySegment templates,
        final int sizeIndex)
    {
        final MbufArray all = new MbufArray(pool.size());
        if (!pool.allocBulk(all, pool.size()))
        {
            throw new IllegalStateException("the generator's pool is not whole: " + pool.inUseCount() + " in use");
        }
        final long template = traffic.templateOffset(sizeIndex, 0);
        final int length = traffic.dataLength(sizeIndex);
        for (int i = 0; i < pool.size(); i++)
        {
            MemorySegment.copy(templates, template, ALL, Mbuf.dataAddress(all.get(i)), length);
            Mbuf.setLength(all.get(i), length);
        }
        Mbuf.freeBulk(all, 0, pool.size());
    }

    /** Writes the sequence number and time stamp and the L4 checksum moved from its value with both 0. */
    private void stamp(final long data, final int sequence, final long tsc, final int baseChecksum)
    {
        final long at = data + stampOffset;
        NetworkOrder.u32(ALL, at + Stamp.SEQUENCE_OFFSET, sequence);
        ALL.set(NetworkOrder.U64, at + Stamp.TSC_OFFSET, tsc);
        final long delta = InternetChecksum.delta32(0, sequence) + InternetChecksum.delta32(0, (int)(tsc >>> 32)) +
            InternetChecksum.delta32(0, (int)tsc);
        final long checksumAt = data + l4ChecksumOffset;
        final int checksum = InternetChecksum.applyDelta(baseChecksum, delta);
        // A UDP checksum that comes out 0 goes as 0xFFFF: 0 would mean "none" (RFC 768).
        NetworkOrder.u16(ALL, checksumAt, udp && 0 == checksum ? 0xFFFF : checksum);
    }

    /** Counts each refused packet against its flow, by the stream its stamp names. */
    @Override
    protected void refused(final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final int stream = NetworkOrder.u16(ALL, Mbuf.dataAddress(mbufs.get(i)) + stampOffset +
                Stamp.STREAM_OFFSET);
            final int f = (stream - firstFlow) / flowStep;
            if (f >= 0 && f < flows)
            {
                refusedByFlow[f]++;
            }
        }
    }

    /** Packets of this generator's {@code f}-th flow the TX queue refused (read once the lcore has stopped). */
    public long refused(final int f)
    {
        return refusedByFlow[f];
    }

    /**
     * Packets of this generator's {@code f}-th flow handed to the TX queue (sent or refused). In turn, flows take one
     * packet each from the first, so it follows from the total; in random order it is the flow's sequence number (so
     * modulo 2^32 packets).
     */
    public long handedOut(final int f)
    {
        if (randomOrder)
        {
            return Integer.toUnsignedLong(sequences[f]);
        }
        final long total = sent() + txRefused();
        return total / flows + (f < total % flows ? 1 : 0);
    }

    @Override
    public long skipped()
    {
        return limiter.skipped();
    }

    /** True once a packet limit was given and every packet of it went out or was refused (any thread). */
    @Override
    public boolean done()
    {
        return 0 != limit && sent() + txRefused() >= limit;
    }

    /** The pacing (for tests and diagnostics): read once the generator has stopped. */
    public RateLimiter limiter()
    {
        return limiter;
    }
}
