package dev.dataplane.pktgen;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * Receives on one RX queue and accounts for every frame: stamped frames by stream in the {@link SequenceTracker}
 * and their one-way latency (receive TSC minus the stamp's, both from this machine's counter) in an HdrHistogram
 * {@link SingleWriterRecorder} (this lcore is its one writer: no atomic read-modify-write per value), which the
 * reporting thread samples while this lcore records; anything else counted as
 * unstamped. Frames are freed in bulk. Allocation-free per frame.
 */
public final class Receiver implements PktgenPart
{
    private static final VarHandle COUNTER = MethodHandles.arrayElementVarHandle(long[].class);
    private static final int RECEIVED = 0;
    private static final int UNSTAMPED = 1;

    private final int port;
    private final int queue;
    private final int burst;
    private final MbufArray mbufs;
    private final PacketView view = new PacketView();
    private final SequenceTracker tracker;
    private final SingleWriterRecorder latency;
    private final double nanosPerTick;
    private final long highestLatencyNanos;
    private final long[] counters = new long[2];

    public Receiver(final int port, final int queue, final int burst, final SequenceTracker tracker,
        final SingleWriterRecorder latency, final long highestLatencyNanos, final long tscHz)
    {
        this.port = port;
        this.queue = queue;
        this.burst = burst;
        this.mbufs = new MbufArray(burst);
        this.tracker = tracker;
        this.latency = latency;
        this.highestLatencyNanos = highestLatencyNanos;
        this.nanosPerTick = 1e9 / tscHz;
    }

    @Override
    public int poll()
    {
        final MbufArray mbufs = this.mbufs;
        final int n = EthDev.rxBurst(port, queue, mbufs, burst);
        if (0 == n)
        {
            return 0;
        }
        final long now = Eal.rdtsc();
        int unstamped = 0;
        for (int i = 0; i < n; i++)
        {
            final long mbuf = mbufs.get(i);
            if (!account(mbuf, now))
            {
                unstamped++;
            }
        }
        Mbuf.freeBulk(mbufs, 0, n);
        COUNTER.setOpaque(counters, RECEIVED, counters[RECEIVED] + n);
        if (0 != unstamped)
        {
            COUNTER.setOpaque(counters, UNSTAMPED, counters[UNSTAMPED] + unstamped);
        }
        return n;
    }

    private boolean account(final long mbuf, final long now)
    {
        final PacketView view = this.view;
        if (PacketView.OK != view.parse(ALL, Mbuf.dataAddress(mbuf), Mbuf.dataLength(mbuf)) || !view.hasL4())
        {
            return false;
        }
        final long l4 = view.base() + view.l4Offset();
        // The stamp starts the payload: after 8 bytes of UDP header, or the TCP header's own length.
        final int l4Header = IpProtocol.UDP == view.protocol() ? 8 :
            4 * ((ALL.get(ValueLayout.JAVA_BYTE, l4 + TcpHeader.DATA_OFFSET_OFFSET) >> 4) & 0xF);
        if (view.ipEnd() - view.l4Offset() - l4Header < Stamp.LENGTH || !Stamp.isStamp(ALL, l4 + l4Header))
        {
            return false;
        }
        final long at = l4 + l4Header;
        final int stream = Stamp.stream(ALL, at);
        if (stream >= tracker.streams())
        {
            return false;
        }
        tracker.record(stream, Stamp.sequence(ALL, at));
        final long nanos = (long)((now - Stamp.tsc(ALL, at)) * nanosPerTick);
        latency.recordValue(Math.max(0, Math.min(nanos, highestLatencyNanos)));
        return true;
    }

    /** Frames received (any thread). */
    public long received()
    {
        return (long)COUNTER.getOpaque(counters, RECEIVED);
    }

    /** Frames without a stamp of ours (any thread). */
    public long unstamped()
    {
        return (long)COUNTER.getOpaque(counters, UNSTAMPED);
    }

    public SequenceTracker tracker()
    {
        return tracker;
    }

    public int port()
    {
        return port;
    }
}
