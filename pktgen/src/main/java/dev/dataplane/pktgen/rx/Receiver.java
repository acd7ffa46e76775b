package dev.dataplane.pktgen.rx;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.lang.foreign.ValueLayout;
import java.util.Arrays;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.pktgen.traffic.Stamp;
import dev.dataplane.runtime.Counters;
import dev.dataplane.runtime.Poller;
import org.HdrHistogram.Histogram;

/**
 * Receives on a port's RX queues and accounts for every frame: stamped frames by stream in the {@link SequenceTracker}
 * and their one-way latency (receive TSC minus the stamp's, both from this machine's counter) in a
 * {@link LatencyRecorder}, a burst at a time, which the reporting thread samples while this lcore records; anything
 * else counted as unstamped. Frames are freed in bulk. Allocation-free per frame.
 */
public final class Receiver implements Poller
{
    /**
     * Streams that get a latency histogram of their own: 1024 of 28 KiB each (2 significant digits up to 10 s); the
     * rest get least, mean and greatest only, which all streams have.
     */
    public static final int HISTOGRAM_STREAMS = 1024;
    private static final int STREAM_HISTOGRAM_DIGITS = 2;

    private final int port;
    private final int queues;
    private final int burst;
    private final MbufArray mbufs;
    private final PacketView view = new PacketView();
    private final SequenceTracker tracker;
    private final LatencyRecorder latency;
    private final double nanosPerTick;
    private final long highestLatencyNanos;
    private final Counters counters = Counters.of(ReceiverCounter.class);
    /** {@link SequenceTracker#lostTotal} as last published in {@link #counters}. */
    private long publishedLost;
    /** Per stream: least, greatest and summed latency, nanoseconds (read once this lcore has stopped). */
    private final long[] minNanos;
    private final long[] maxNanos;
    private final long[] sumNanos;
    /** Per stream, for the first {@link #HISTOGRAM_STREAMS}: the latency distribution (read once stopped). */
    private final Histogram[] streamLatency;

    /**
     * @param queues RX queues to poll, 0 to {@code queues - 1} (a stream arrives on one queue: see
     *               {@code Pktgen}).
     */
    public Receiver(final int port, final int queues, final int burst, final SequenceTracker tracker,
        final LatencyRecorder latency, final long highestLatencyNanos, final long tscHz)
    {
        this.port = port;
        this.queues = queues;
        this.burst = burst;
        this.mbufs = new MbufArray(burst);
        this.tracker = tracker;
        this.latency = latency;
        this.highestLatencyNanos = highestLatencyNanos;
        this.nanosPerTick = 1e9 / tscHz;
        this.minNanos = new long[tracker.streams()];
        this.maxNanos = new long[tracker.streams()];
        this.sumNanos = new long[tracker.streams()];
        Arrays.fill(minNanos, Long.MAX_VALUE);
        this.streamLatency = new Histogram[Math.min(tracker.streams(), HISTOGRAM_STREAMS)];
        for (int s = 0; s < streamLatency.length; s++)
        {
            streamLatency[s] = new Histogram(highestLatencyNanos, STREAM_HISTOGRAM_DIGITS);
        }
    }

    @Override
    public int poll()
    {
        int work = 0;
        for (int q = 0; q < queues; q++)
        {
            work += poll(q);
        }
        return work;
    }

    private int poll(final int queue)
    {
        final MbufArray mbufs = this.mbufs;
        final int n = EthDev.rxBurst(port, queue, mbufs, burst);
        if (0 == n)
        {
            return 0;
        }
        final long now = Eal.rdtsc();
        final long elements = MbufArray.checkedElements(mbufs, n);
        int unstamped = 0;
        long bytes = 0;
        final long token = latency.beginBurst();
        try
        {
            final Histogram recording = latency.recording();
            for (int i = 0; i < n; i++)
            {
                final long mbuf = MbufArray.element(elements, i);
                bytes += Mbuf.packetLength(mbuf);
                if (!account(mbuf, now, recording))
                {
                    unstamped++;
                }
            }
        }
        finally
        {
            latency.endBurst(token);
        }
        Mbuf.freeBulk(mbufs, 0, n);
        counters.add(ReceiverCounter.RECEIVED, n);
        counters.add(ReceiverCounter.BYTES, bytes);
        if (0 != unstamped)
        {
            counters.add(ReceiverCounter.UNSTAMPED, unstamped);
        }
        final long lost = tracker.lostTotal();
        if (lost != publishedLost)
        {
            counters.add(ReceiverCounter.LOST, lost - publishedLost);
            publishedLost = lost;
        }
        return n;
    }

    /** Accounts for the first {@code n} of {@code frames} as if received, without freeing them (see Generator). */
    public void warmUp(final MbufArray frames, final int n)
    {
        final long now = Eal.rdtsc();
        final long token = latency.beginBurst();
        try
        {
            for (int i = 0; i < n; i++)
            {
                account(frames.get(i), now, latency.recording());
            }
        }
        finally
        {
            latency.endBurst(token);
        }
    }

    private boolean account(final long mbuf, final long now, final Histogram recording)
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
        final long nanos = Math.max(0, Math.min((long)((now - Stamp.tsc(ALL, at)) * nanosPerTick),
            highestLatencyNanos));
        recording.recordValue(nanos);
        sumNanos[stream] += nanos;
        if (stream < streamLatency.length)
        {
            streamLatency[stream].recordValue(nanos);
        }
        if (nanos < minNanos[stream])
        {
            minNanos[stream] = nanos;
        }
        if (nanos > maxNanos[stream])
        {
            maxNanos[stream] = nanos;
        }
        return true;
    }

    /**
     * Stream {@code stream}'s latency distribution in nanoseconds, or null beyond the first {@link #HISTOGRAM_STREAMS};
     * read after the lcore stopped.
     */
    public Histogram streamLatency(final int stream)
    {
        return stream < streamLatency.length ? streamLatency[stream] : null;
    }

    /** Stream {@code stream}'s least latency in nanoseconds, 0 if none arrived; read after the lcore stopped. */
    public long minLatencyNanos(final int stream)
    {
        return Long.MAX_VALUE == minNanos[stream] ? 0 : minNanos[stream];
    }

    /** Stream {@code stream}'s greatest latency in nanoseconds; read after the lcore stopped. */
    public long maxLatencyNanos(final int stream)
    {
        return maxNanos[stream];
    }

    /** Stream {@code stream}'s mean latency in nanoseconds, 0 if none arrived; read after the lcore stopped. */
    public double meanLatencyNanos(final int stream)
    {
        final long n = tracker.received(stream);
        return 0 == n ? 0 : (double)sumNanos[stream] / n;
    }

    /** By {@link ReceiverCounter} (any thread). */
    public Counters counters()
    {
        return counters;
    }

    /** Frames received (any thread). */
    public long received()
    {
        return counters.get(ReceiverCounter.RECEIVED);
    }

    /** Bytes of the frames received, as in the mbufs: no FCS (any thread). */
    public long receivedBytes()
    {
        return counters.get(ReceiverCounter.BYTES);
    }

    /** Frames without a stamp of ours (any thread). */
    public long unstamped()
    {
        return counters.get(ReceiverCounter.UNSTAMPED);
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
