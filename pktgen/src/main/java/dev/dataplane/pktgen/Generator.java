package dev.dataplane.pktgen;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.lang.foreign.MemorySegment;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.NetworkOrder;

/**
 * Sends the traffic on one TX queue: per cycle, as many packets as the {@link RateLimiter} says are due (up to a
 * burst), each its flow's frame with the flow's next sequence number and its scheduled send time (the TSC at which
 * it was due: see {@link RateLimiter#scheduled}) written into its stamp, and the UDP checksum moved by exactly those words (RFC 1624). The pool is the generator's own and every
 * mbuf in it was filled with a frame at start ({@link #prefill}), as MoonGen does: frames of all flows differ only in
 * the source address, the IPv4 checksum (IPv6 has none) and the stamp's stream, so a packet costs a few stores, not a copy. Flows take turns packet by packet. What the TX queue refuses is freed and counted, not retried; the
 * sequence numbers of refused packets are spent, so the receiver sees them as lost, as it should.
 */
public final class Generator extends Sender
{
    private final int length;
    private final int flows;
    private final int[] sequences;
    /** Per flow: source address, IPv4 header checksum, UDP checksum with sequence and time stamp 0. */
    private final int[] sources;
    private final int[] ipChecksums;
    private final int[] udpChecksums;
    private final int flowFieldOffset;
    private final int ipChecksumOffset;
    private final int stampOffset;
    private final int l4ChecksumOffset;
    private final boolean udp;
    private final RateLimiter limiter;
    private final long limit;
    private int flow;

    /**
     * @param limit packets to send in all, or 0 for no limit.
     */
    public Generator(final int port, final int queue, final int burst, final Mempool pool, final Traffic traffic,
        final MemorySegment templates, final RateLimiter limiter, final long limit)
    {
        super(port, queue, burst, pool);
        this.length = traffic.dataLength();
        this.flows = traffic.flows();
        this.sequences = new int[flows];
        this.sources = new int[flows];
        this.ipChecksums = new int[flows];
        this.udpChecksums = new int[flows];
        this.flowFieldOffset = traffic.flowFieldOffset();
        this.ipChecksumOffset = traffic.ipChecksumOffset();
        this.stampOffset = traffic.stampOffset();
        this.l4ChecksumOffset = traffic.l4ChecksumOffset();
        this.udp = !traffic.tcp();
        for (int f = 0; f < flows; f++)
        {
            final long frame = (long)traffic.stride() * f;
            sources[f] = NetworkOrder.u32(templates, frame + flowFieldOffset);
            ipChecksums[f] = ipChecksumOffset < 0 ? 0 : NetworkOrder.u16(templates, frame + ipChecksumOffset);
            udpChecksums[f] = NetworkOrder.u16(templates, frame + l4ChecksumOffset);
        }
        this.limiter = limiter;
        this.limit = limit;
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
        if (!allocate(n))
        {
            return 0;
        }
        final MbufArray mbufs = this.mbufs;
        for (int i = 0; i < n; i++)
        {
            final long mbuf = mbufs.get(i);
            final int f = flow;
            flow = f + 1 == flows ? 0 : f + 1;
            final long data = Mbuf.dataAddress(mbuf);
            Mbuf.setLength(mbuf, length);
            NetworkOrder.u32(ALL, data + flowFieldOffset, sources[f]);
            if (ipChecksumOffset >= 0)
            {
                NetworkOrder.u16(ALL, data + ipChecksumOffset, ipChecksums[f]);
            }
            NetworkOrder.u16(ALL, data + stampOffset + Stamp.STREAM_OFFSET, f);
            stamp(data, sequences[f]++, limiter.scheduled(i), udpChecksums[f]);
        }
        return transmit(n);
    }

    /**
     * Fills every mbuf of {@code pool} with flow 0's frame (the generator writes the rest per packet): call once,
     * before sending, with nothing else using the pool.
     */
    public static void prefill(final Mempool pool, final Traffic traffic, final MemorySegment templates)
    {
        final MbufArray all = new MbufArray(pool.size());
        if (!pool.allocBulk(all, pool.size()))
        {
            throw new IllegalStateException("the generator's pool is not whole: " + pool.inUseCount() + " in use");
        }
        for (int i = 0; i < pool.size(); i++)
        {
            MemorySegment.copy(templates, 0, ALL, Mbuf.dataAddress(all.get(i)), traffic.dataLength());
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

    /** True once a packet limit was given and every packet of it went out or was refused (any thread). */
    @Override
    public boolean done()
    {
        return 0 != limit && sent() + txRefused() >= limit;
    }
}
