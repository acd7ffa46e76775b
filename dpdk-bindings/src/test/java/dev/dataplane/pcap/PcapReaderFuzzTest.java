package dev.dataplane.pcap;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Whatever the bytes, the reader answers with records or a {@link PcapFormatException} naming where the file broke:
 * no other exception, no record longer than the snap length allows, no read past what the file holds. The seed
 * corpus ({@code PcapReaderFuzzTestInputs}) runs with the tests; {@code bin/fuzz pcap SECONDS} fuzzes.
 */
class PcapReaderFuzzTest
{
    @FuzzTest(maxDuration = "10s")
    void readsAnyBytesAsRecordsOrAFormatError(final byte[] file) throws IOException
    {
        try (PcapReader reader = new PcapReader(new ByteArrayInputStream(file), "fuzz.pcap"))
        {
            long bytes = 0;
            for (PcapRecord record = reader.next(); null != record; record = reader.next())
            {
                assertTrue(record.data().length <= reader.snapLength());
                assertTrue(record.originalLength() >= record.data().length);
                bytes += Pcap.RECORD_HEADER_LENGTH + record.data().length;
            }
            assertTrue(Pcap.FILE_HEADER_LENGTH + bytes <= file.length, "records from bytes the file does not hold");
        }
        catch (final PcapFormatException expected)
        {
            assertTrue(expected.getMessage().startsWith("fuzz.pcap: "), expected.getMessage());
        }
    }
}
