package dev.dataplane.pcap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import dev.dataplane.net.FrameBuilder;
import org.junit.jupiter.api.Test;

class PcapTest
{
    private static byte[] write(final List<PcapRecord> records) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PcapWriter writer = new PcapWriter(bytes, Pcap.DEFAULT_SNAPLEN))
        {
            for (final PcapRecord record : records)
            {
                writer.write(record);
            }
        }
        return bytes.toByteArray();
    }

    private static List<PcapRecord> read(final byte[] file) throws IOException
    {
        final List<PcapRecord> records = new ArrayList<>();
        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file), "test.pcap"))
        {
            for (PcapRecord r = reader.next(); null != r; r = reader.next())
            {
                records.add(r);
            }
        }
        return records;
    }

    @Test
    void roundTripsFramesAndNanosecondStamps() throws IOException
    {
        final List<PcapRecord> written = new ArrayList<>();
        for (int i = 0; i < 50; i++)
        {
            final byte[] frame = new FrameBuilder().udp(1000 + i, 2000).length(60 + i * 7).build();
            written.add(new PcapRecord(1_700_000_000_123_456_789L + i * 1000L, frame, frame.length));
        }
        final List<PcapRecord> read = read(write(written));
        assertEquals(written.size(), read.size());
        for (int i = 0; i < written.size(); i++)
        {
            assertArrayEquals(written.get(i).data(), read.get(i).data());
            assertEquals(written.get(i).timestampNanos(), read.get(i).timestampNanos());
            assertEquals(written.get(i).originalLength(), read.get(i).originalLength());
        }
    }

    @Test
    void readsBigEndianMicrosecondFiles() throws IOException
    {
        final ByteBuffer file = ByteBuffer.allocate(24 + 16 + 4).order(ByteOrder.BIG_ENDIAN);
        file.putInt(Pcap.MAGIC_MICROS).putShort((short)2).putShort((short)4).putInt(0).putInt(0).putInt(65535)
            .putInt(1);
        file.putInt(10).putInt(500_000).putInt(4).putInt(60).put(new byte[] {1, 2, 3, 4});
        final List<PcapRecord> records = read(file.array());
        assertEquals(1, records.size());
        assertEquals(10_500_000_000L, records.get(0).timestampNanos());
        assertEquals(60, records.get(0).originalLength());
        assertArrayEquals(new byte[] {1, 2, 3, 4}, records.get(0).data());
    }

    @Test
    void readsAnEmptyCapture() throws IOException
    {
        assertEquals(0, read(write(List.of())).size());
    }

    @Test
    void rejectsWhatIsNotAPcapFile()
    {
        assertMessage(new byte[0], "file header cut short");
        assertMessage(new byte[10], "file header cut short");
        final byte[] pcapng = new byte[24];
        ByteBuffer.wrap(pcapng).putInt(0x0A0D0D0A);
        assertMessage(pcapng, "pcapng is not supported");
    }

    @Test
    void rejectsTruncatedAndOversizedRecords() throws IOException
    {
        final byte[] good = write(List.of(new PcapRecord(0, new byte[100], 100)));
        assertMessage(Arrays.copyOf(good, 24 + 10), "record header cut short");
        assertMessage(Arrays.copyOf(good, good.length - 1), "record data cut short");
        final byte[] huge = good.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 8, 0x7FFF_FFFF);
        assertMessage(huge, "exceeds");
        final byte[] badFraction = good.clone();
        ByteBuffer.wrap(badFraction).order(ByteOrder.LITTLE_ENDIAN).putInt(24 + 4, 1_000_000_000);
        assertMessage(badFraction, "sub-second timestamp out of range");
    }

    @Test
    void readsOddButReadableFilesAsLibpcapDoes() throws IOException
    {
        final byte[] frame = new FrameBuilder().length(100).build();
        final byte[] file = write(List.of(new PcapRecord(0, frame, 100), new PcapRecord(1, new byte[0], 0)));
        final ByteBuffer fields = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        // A snap length of 0xFFFFFFFF (and 0) reads as the largest, 262,144.
        fields.putInt(16, 0xFFFF_FFFF);
        List<PcapRecord> records = read(file);
        assertEquals(2, records.size());
        assertArrayEquals(frame, records.get(0).data());
        assertEquals(0, records.get(1).data().length, "a zero-length record is a record of no bytes");
        fields.putInt(16, 0);
        assertEquals(2, read(file).size());
        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file), "t.pcap"))
        {
            assertEquals(Pcap.MAX_RECORD_LENGTH, reader.snapLength());
        }
        // A record longer than the snap length is cut to it, the rest skipped: the next record is read whole.
        fields.putInt(16, 60);
        records = read(file);
        assertEquals(2, records.size());
        assertArrayEquals(Arrays.copyOf(frame, 60), records.get(0).data());
        assertEquals(100, records.get(0).originalLength());
        assertEquals(1, records.get(1).timestampNanos());
    }

    @Test
    void survivesRandomCorruptionWithCleanErrors() throws IOException
    {
        final List<PcapRecord> records = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            records.add(new PcapRecord(i, new FrameBuilder().length(64 + i).build(), 64 + i));
        }
        final byte[] good = write(records);
        final Random random = new Random(7);
        int errors = 0;
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] file = Arrays.copyOf(good, random.nextInt(good.length + 1));
            for (int flips = 1 + random.nextInt(4); flips > 0 && file.length > 0; flips--)
            {
                file[random.nextInt(file.length)] = (byte)random.nextInt(256);
            }
            try
            {
                for (final PcapRecord record : read(file))
                {
                    assertTrue(record.data().length <= Pcap.MAX_RECORD_LENGTH);
                }
            }
            catch (final PcapFormatException expected)
            {
                errors++;
            }
        }
        assertTrue(errors > 0);
    }

    private static void assertMessage(final byte[] file, final String expected)
    {
        final PcapFormatException ex = assertThrows(PcapFormatException.class, () ->
        {
            try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file), "bad.pcap"))
            {
                while (null != reader.next())
                {
                    // read to the end or the error
                }
                assertNull(reader.next());
            }
        });
        assertTrue(ex.getMessage().contains(expected) && ex.getMessage().startsWith("bad.pcap"), ex.getMessage());
    }
}
