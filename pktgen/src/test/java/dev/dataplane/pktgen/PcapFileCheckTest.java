package dev.dataplane.pktgen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import dev.dataplane.net.FrameBuilder;
import dev.dataplane.pcap.PcapWriter;
import dev.dataplane.pktgen.tx.PcapReplay;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --pcap} is read and checked whole before any port is touched ({@link PcapReplay#read}): records that are no
 * frame are skipped and said, a file that cannot be replayed is one clear error, and one larger than memory allows
 * is refused by its size before a byte is read.
 */
class PcapFileCheckTest
{
    private static final int MAX_FRAME = 2048;

    @TempDir
    Path dir;

    @Test
    void skipsRecordsShorterThanAnEthernetHeaderAndSaysHowMany() throws Exception
    {
        final byte[] frame = new FrameBuilder().udp(1, 2).length(64).build();
        final Path file = write("odd.pcap", frame, new byte[0], Arrays.copyOf(frame, 10), frame);
        final PcapReplay.Capture capture = PcapReplay.read(file, MAX_FRAME);
        assertEquals(2, capture.records().size());
        assertEquals(2, capture.skipped());
        assertEquals(0, capture.firstSkipped().data().length);
    }

    @Test
    void refusesWhatCannotBeReplayedWithOneClearError() throws Exception
    {
        final byte[] frame = new FrameBuilder().udp(1, 2).length(64).build();
        final Path file = write("cut.pcap", frame, frame);
        final byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 5));
        assertMessage(file, "cannot replay " + file + ": " + file + ": record data cut short");

        final Path empty = write("runts.pcap", new byte[0]);
        assertMessage(empty, "holds no packets (1 records shorter than an Ethernet header)");

        final Path jumbo = write("jumbo.pcap", new byte[MAX_FRAME + 1]);
        assertMessage(jumbo, "packet 1 has " + (MAX_FRAME + 1) + " bytes captured; replay takes 14.." + MAX_FRAME);
    }

    @Test
    void refusesAFileLargerThanMemoryAllowsBySize() throws Exception
    {
        final Path file = dir.resolve("huge.pcap");
        try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw"))
        {
            sparse.setLength(Runtime.getRuntime().maxMemory() * 2); // sparse: no disk, no time
        }
        final long start = System.nanoTime();
        assertMessage(file, "replay holds a file in memory");
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "refused before reading");
    }

    /** A pcap file in the test's folder holding {@code frames}, one a nanosecond. */
    private Path write(final String name, final byte[]... frames) throws Exception
    {
        final Path file = dir.resolve(name);
        try (PcapWriter writer = PcapWriter.create(file))
        {
            for (int i = 0; i < frames.length; i++)
            {
                writer.write(i, frames[i], 0, frames[i].length);
            }
        }
        return file;
    }

    private void assertMessage(final Path file, final String expected)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> PcapReplay.read(file, MAX_FRAME));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }
}
