package dev.dataplane.pktgen.tx;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.pcap.PcapReader;
import dev.dataplane.pcap.PcapRecord;
import dev.dataplane.pcap.PcapWriter;
import dev.dataplane.pktgen.Pktgen;
import dev.dataplane.pktgen.PktgenContext;
import dev.dataplane.pktgen.traffic.Traffic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pcap replay through net_pcap, which writes what it sends, with its send times, to a file: the frames come out
 * byte for byte and in order, at the file's own timing the gaps hold, and looping repeats the file.
 */
class PcapReplayTest
{
    private static final int PACKETS = 100;
    private static final long GAP_NANOS = 2_000_000;
    private static final int TIMED_ATTEMPTS = 3;

    @Test
    void replaysInOrderAtTheFilesTimingAndLoops(@TempDir final Path dir) throws Exception
    {
        final Path in = dir.resolve("in.pcap");
        final List<byte[]> frames = new ArrayList<>();
        try (PcapWriter writer = PcapWriter.create(in))
        {
            for (int i = 0; i < PACKETS; i++)
            {
                final byte[] frame = new FrameBuilder().udp(1000 + i, 53).length(60 + 7 * i).build();
                frames.add(frame);
                writer.write(1_700_000_000_000_000_000L + i * GAP_NANOS, frame, 0, frame.length);
            }
        }
        final Path looped = dir.resolve("looped.pcap");
        final List<String> vdevs = new ArrayList<>(List.of("net_pcap0,tx_pcap=" + looped));
        for (int attempt = 0; attempt < TIMED_ATTEMPTS; attempt++)
        {
            vdevs.add("net_pcap" + (1 + attempt) + ",tx_pcap=" + dir.resolve("timed" + attempt + ".pcap"));
        }
        final Eal eal = Eal.init(ealArgs(vdevs.toArray(String[]::new)));
        try
        {
            replay(eal, new PktgenContext(0, PktgenContext.NO_RX, 32, Traffic.defaults(64, 1), "50k", 0, 0, in, 3,
                false, 1));
            for (int attempt = 0; attempt < TIMED_ATTEMPTS; attempt++)
            {
                replay(eal, new PktgenContext(1 + attempt, PktgenContext.NO_RX, 32, Traffic.defaults(64, 1), "0", 0,
                    0, in, 1, true, 1));
            }
        }
        finally
        {
            eal.close();
        }
        // A shared 2-vCPU machine stalls a thread now and then, in some runs many times: the timed replay runs three
        // times (a fifth of a second each), every one must hold the frames in order, and one the file's timing.
        final List<String> misses = new ArrayList<>();
        for (int attempt = 0; attempt < TIMED_ATTEMPTS; attempt++)
        {
            final String miss = timingMiss(PcapReader.readAll(dir.resolve("timed" + attempt + ".pcap")), frames);
            if (null != miss)
            {
                misses.add(miss);
            }
        }
        assertTrue(misses.size() < TIMED_ATTEMPTS, "every timed replay missed the file's timing: " + misses);

        final List<PcapRecord> loops = PcapReader.readAll(looped);
        assertEquals(3 * PACKETS, loops.size());
        for (int i = 0; i < loops.size(); i++)
        {
            assertArrayEquals(frames.get(i % PACKETS), loops.get(i).data(), "looped frame " + i);
        }
    }

    /**
     * What is wrong with a timed replay's output: null when it holds every frame in order, byte for byte (asserted),
     * spans the file's time within 2%, has its typical (median) gap within 50 us of the file's, and 80% within 250 us.
     */
    private static String timingMiss(final List<PcapRecord> out, final List<byte[]> frames)
    {
        assertEquals(PACKETS, out.size());
        final List<Long> gaps = new ArrayList<>();
        for (int i = 0; i < PACKETS; i++)
        {
            assertArrayEquals(frames.get(i), out.get(i).data(), "frame " + i);
            if (i > 0)
            {
                gaps.add(out.get(i).timestampNanos() - out.get(i - 1).timestampNanos());
            }
        }
        final double span = out.get(PACKETS - 1).timestampNanos() - out.get(0).timestampNanos();
        final double wanted = (PACKETS - 1) * GAP_NANOS;
        final List<Long> errors = gaps.stream().map(g -> Math.abs(g - GAP_NANOS)).sorted().toList();
        final long within = errors.stream().filter(e -> e <= 250_000).count();
        if (Math.abs(span - wanted) > 0.02 * wanted || errors.get(errors.size() / 2) > 50_000 ||
            within < 0.8 * gaps.size())
        {
            return "span " + span + " ns (wanted " + wanted + "), median gap error " + errors.get(errors.size() / 2) +
                " ns, " + within + " of " + gaps.size() + " gaps within 250 us: " + gaps;
        }
        return null;
    }

    private static void replay(final Eal eal, final PktgenContext context)
    {
        final Pktgen pktgen = Pktgen.create(eal, context);
        pktgen.start();
        assertTrue(await(() -> pktgen.senders().done(), 30_000), "replayed");
        pktgen.close();
        assertEquals(0, pktgen.senders().txRefused());
        assertEquals(0, pktgen.mbufsInUseAtClose());
    }
}
