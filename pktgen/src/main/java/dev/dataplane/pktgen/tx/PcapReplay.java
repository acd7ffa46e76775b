package dev.dataplane.pktgen.tx;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.pcap.Pcap;
import dev.dataplane.pcap.PcapReader;
import dev.dataplane.pcap.PcapRecord;

/**
 * Replays a pcap file's frames in order, {@code loops} times (0: until stopped), either paced by a
 * {@link RateLimiter} or at the file's own timing: frame {@code i} of loop {@code k} is due at
 * {@code start + k * loopTicks + (t_i - t_0)}, where a loop lasts the file's span plus its mean gap. The frames are
 * loaded once into native memory; each send copies one into a fresh mbuf. What the TX queue refuses is freed and
 * counted, not retried.
 */
public final class PcapReplay extends Sender
{
    private final MemorySegment frames;
    private final long[] offsets;
    private final int[] frameLengths;
    /** Per frame: ticks after the loop's start at which it is due (file timing). */
    private final long[] dueTicks;
    private final long loopTicks;
    private final long loops;
    private final RateLimiter limiter;
    private int next;
    private long loop;
    /** File timing: when the first packet actually left, which the file's times count from; -1 before. */
    private long startTsc = -1;

    /**
     * @param limiter the pacing, or null to replay at the file's own timing.
     * @param loops   times through the file, 0 for no limit.
     */
    private PcapReplay(final int port, final int queue, final int burst, final Mempool pool, final MemorySegment frames,
        final long[] offsets, final int[] lengths, final long[] dueTicks, final long loopTicks, final long loops,
        final RateLimiter limiter)
    {
        super(port, queue, burst, pool);
        this.frames = frames;
        this.offsets = offsets;
        this.frameLengths = lengths;
        this.dueTicks = dueTicks;
        this.loopTicks = loopTicks;
        this.loops = loops;
        this.limiter = limiter;
    }

    /**
     * A pcap file read and checked, before any port is touched: its Ethernet frames in order with their times, and
     * how many records it held that are no frame (shorter than an Ethernet header, a zero-length record among them:
     * libpcap and tshark read those as records, but there is nothing to send).
     */
    public record Capture(Path file, List<PcapRecord> records, int skipped, PcapRecord firstSkipped)
    {
    }

    /**
     * Reads and checks {@code file}: classic pcap of Ethernet frames, each within {@code maxFrame} bytes. A file
     * larger than half the heap that is free is refused by its size before a byte is read: it is held twice, on the
     * heap as read and then in native memory.
     *
     * @throws IllegalArgumentException for a file that cannot be replayed, saying why.
     */
    public static Capture read(final Path file, final int maxFrame)
    {
        final List<PcapRecord> records = new ArrayList<>();
        int skipped = 0;
        PcapRecord firstSkipped = null;
        try
        {
            final long size = Files.size(file);
            final Runtime runtime = Runtime.getRuntime();
            final long room = (runtime.maxMemory() - (runtime.totalMemory() - runtime.freeMemory())) / 2;
            if (size > room)
            {
                throw new IllegalArgumentException(file + " has " + size + " bytes; replay holds a file in memory, " +
                    "and " + room + " bytes are to be had (raise the heap with DP_JAVA_OPTS=-Xmx..., or cut the " +
                    "file with editcap)");
            }
            try (PcapReader reader = PcapReader.open(file))
            {
                if (Pcap.LINKTYPE_ETHERNET != reader.linkType())
                {
                    throw new IllegalArgumentException(file + ": link type " + reader.linkType() +
                        ", not Ethernet (1)");
                }
                for (PcapRecord record = reader.next(); null != record; record = reader.next())
                {
                    final int length = record.data().length;
                    if (length < EthernetHeader.LENGTH)
                    {
                        skipped++;
                        firstSkipped = null == firstSkipped ? record : firstSkipped;
                        continue;
                    }
                    if (length > maxFrame)
                    {
                        throw new IllegalArgumentException(file + ": packet " + (records.size() + skipped + 1) +
                            " has " + length + " bytes captured; replay takes " + EthernetHeader.LENGTH + ".." +
                            maxFrame);
                    }
                    records.add(record);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalArgumentException("cannot replay " + file + ": " + ex.getMessage(), ex);
        }
        if (records.isEmpty())
        {
            throw new IllegalArgumentException(file + " holds no packets" + (skipped > 0 ? " (" + skipped +
                " records shorter than an Ethernet header)" : ""));
        }
        return new Capture(file, records, skipped, firstSkipped);
    }

    /** Copies a {@link #read} capture's frames into {@code arena}, for replay on {@code port}. */
    public static PcapReplay load(final Capture capture, final int port, final int burst, final Mempool pool,
        final long loops, final RateLimiter limiter, final long tscHz, final Arena arena)
    {
        final List<PcapRecord> records = capture.records();
        long total = 0;
        final long[] offsets = new long[records.size()];
        final int[] lengths = new int[records.size()];
        for (int i = 0; i < records.size(); i++)
        {
            offsets[i] = total;
            lengths[i] = records.get(i).data().length;
            total += lengths[i];
        }
        final MemorySegment frames = arena.allocate(total, 64);
        final long first = records.get(0).timestampNanos();
        final long[] dueTicks = new long[records.size()];
        long previous = first;
        for (int i = 0; i < records.size(); i++)
        {
            final PcapRecord record = records.get(i);
            MemorySegment.copy(MemorySegment.ofArray(record.data()), 0, frames, offsets[i], lengths[i]);
            // Timestamps that go backwards are taken as no gap, so order always wins.
            final long at = Math.max(previous, record.timestampNanos());
            dueTicks[i] = (long)((at - first) * (tscHz / 1e9));
            previous = at;
        }
        final long span = dueTicks[records.size() - 1];
        final long meanGap = records.size() > 1 ? span / (records.size() - 1) : tscHz / 1_000_000;
        return new PcapReplay(port, 0, burst, pool, frames, offsets, lengths, dueTicks, span + Math.max(1, meanGap),
            loops, limiter);
    }

    @Override
    public int poll()
    {
        if (done())
        {
            return 0;
        }
        final long now = Eal.rdtsc();
        final int n;
        if (null != limiter)
        {
            n = limiter.due(now, burst);
        }
        else
        {
            final long start = startTsc < 0 ? now : startTsc;
            int due = 0;
            int frame = next;
            long round = loop;
            while (due < burst && start + round * loopTicks + dueTicks[frame] <= now &&
                (0 == loops || round < loops))
            {
                due++;
                if (++frame == offsets.length)
                {
                    frame = 0;
                    round++;
                }
            }
            n = due;
        }
        if (0 == n)
        {
            return 0;
        }
        if (!allocate(n))
        {
            return 0;
        }
        final MbufArray mbufs = this.mbufs;
        int built = 0;
        for (int i = 0; i < n && (0 == loops || loop < loops); i++)
        {
            final long mbuf = mbufs.get(i);
            MemorySegment.copy(frames, offsets[next], ALL, Mbuf.dataAddress(mbuf), frameLengths[next]);
            Mbuf.setLength(mbuf, frameLengths[next]);
            this.lengths[i] = frameLengths[next];
            built++;
            if (++next == offsets.length)
            {
                next = 0;
                loop++;
            }
        }
        if (built < n)
        {
            Mbuf.freeBulk(mbufs, built, n - built);
        }
        final int sent = transmit(built, -1);
        if (null == limiter && startTsc < 0)
        {
            // The file's timing counts from when its first packet has actually gone: the first send is a cold path.
            startTsc = Eal.rdtsc();
        }
        return sent;
    }

    @Override
    public long skipped()
    {
        return null == limiter ? 0 : limiter.skipped();
    }

    @Override
    public boolean done()
    {
        return 0 != loops && sent() + txRefused() >= loops * offsets.length;
    }

    /** Packets in the file. */
    public int packets()
    {
        return offsets.length;
    }
}
