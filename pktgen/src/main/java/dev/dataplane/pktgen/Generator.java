package dev.dataplane.pktgen;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.NetworkOrder;

/**
 * Sends the traffic on one TX queue: per cycle, as many packets as the {@link RateLimiter} says are due (up to a
 * burst), each a copy of its flow's template with the flow's next sequence number and the time-stamp counter written
 * into its stamp, and the UDP checksum moved by exactly those words (RFC 1624), so a packet costs a copy and a few
 * stores. Flows take turns packet by packet. What the TX queue refuses is freed and counted, not retried; the
 * sequence numbers of refused packets are spent, so the receiver sees them as lost, as it should.
 */
public final class Generator implements PktgenPart
{
    private static final VarHandle COUNTER = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int SENT = 0;
    private static final int TX_REFUSED = 1;
    private static final int ALLOC_FAILED = 2;

    private final int port;
    private final int queue;
    private final int burst;
    private final Mempool pool;
    private final MemorySegment templates;
    private final int stride;
    private final int length;
    private final int flows;
    private final int[] sequences;
    private final RateLimiter limiter;
    private final long limit;
    private final MbufArray mbufs;
    private final long[] counters = new long[3];
    private int flow;
    private long attempted;

    /**
     * @param limit packets to send in all, or 0 for no limit.
     */
    public Generator(final int port, final int queue, final int burst, final Mempool pool, final Traffic traffic,
        final MemorySegment templates, final RateLimiter limiter, final long limit)
    {
        this.port = port;
        this.queue = queue;
        this.burst = burst;
        this.pool = pool;
        this.templates = templates;
        this.stride = traffic.stride();
        this.length = traffic.dataLength();
        this.flows = traffic.flows();
        this.sequences = new int[flows];
        this.limiter = limiter;
        this.limit = limit;
        this.mbufs = new MbufArray(burst);
    }

    @Override
    public int poll()
    {
        int want = burst;
        if (0 != limit)
        {
            final long left = limit - attempted;
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
        final MbufArray mbufs = this.mbufs;
        if (!pool.allocBulk(mbufs, n))
        {
            add(ALLOC_FAILED, n);
            return 0;
        }
        attempted += n;
        for (int i = 0; i < n; i++)
        {
            final long mbuf = mbufs.get(i);
            final int f = flow;
            flow = f + 1 == flows ? 0 : f + 1;
            final long data = Mbuf.dataAddress(mbuf);
            MemorySegment.copy(templates, (long)stride * f, ALL, data, length);
            Mbuf.setLength(mbuf, length);
            final int sequence = sequences[f]++;
            stamp(data, sequence, tsc);
        }
        final int sent = EthDev.txBurst(port, queue, mbufs, 0, n);
        if (sent < n)
        {
            Mbuf.freeBulk(mbufs, sent, n - sent);
            add(TX_REFUSED, n - sent);
        }
        add(SENT, sent);
        return sent;
    }

    /** Writes the sequence number and time stamp and moves the UDP checksum by them (they were 0 in the template). */
    private static void stamp(final long data, final int sequence, final long tsc)
    {
        final long at = data + Traffic.stampOffset();
        NetworkOrder.u32(ALL, at + Stamp.SEQUENCE_OFFSET, sequence);
        ALL.set(NetworkOrder.U64, at + Stamp.TSC_OFFSET, tsc);
        final long delta = InternetChecksum.delta32(0, sequence) + InternetChecksum.delta32(0, (int)(tsc >>> 32)) +
            InternetChecksum.delta32(0, (int)tsc);
        final long checksumAt = data + Traffic.udpChecksumOffset();
        final int checksum = InternetChecksum.applyDelta(NetworkOrder.u16(ALL, checksumAt), delta);
        NetworkOrder.u16(ALL, checksumAt, 0 == checksum ? 0xFFFF : checksum);
    }

    private void add(final int index, final long n)
    {
        COUNTER.setOpaque(counters, index, counters[index] + n);
    }

    /** Packets the port took (any thread). */
    public long sent()
    {
        return (long)COUNTER.getOpaque(counters, SENT);
    }

    /** Packets the TX queue refused, freed (any thread). */
    public long txRefused()
    {
        return (long)COUNTER.getOpaque(counters, TX_REFUSED);
    }

    /** Packets not built because the pool was empty (any thread). */
    public long allocFailed()
    {
        return (long)COUNTER.getOpaque(counters, ALLOC_FAILED);
    }

    /** True once a packet limit was given and every packet of it went out or was refused (any thread). */
    public boolean done()
    {
        return 0 != limit && sent() + txRefused() >= limit;
    }

    public int port()
    {
        return port;
    }
}
