package dev.dataplane.pcap;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a classic pcap file record by record, either byte order, micro- or nanosecond stamps. Every length is
 * checked before it is trusted; a bad file raises {@link PcapFormatException} naming the byte where it broke.
 * <p>
 * Where a file is odd but readable, it does what libpcap does (the library DPDK's net_pcap replays files with, so
 * either way a file gives the same frames):
 * <ul>
 * <li>a snap length of 0 or above {@value Pcap#MAX_RECORD_LENGTH} (0xFFFFFFFF, say) is taken as
 * {@value Pcap#MAX_RECORD_LENGTH} (libpcap's {@code pcap_adjust_snapshot});</li>
 * <li>a record whose captured length exceeds the file's snap length is cut to the snap length, the rest skipped
 * (libpcap's answer to a Solaris 2.3 bug; tshark keeps such records whole, and so reads them longer);</li>
 * <li>a captured length above {@value Pcap#MAX_RECORD_LENGTH} is an error, as in libpcap and tshark;</li>
 * <li>a record of zero captured bytes is a record of no bytes, as libpcap and tshark give it (what to do with it
 * is the caller's: pktgen's replay skips records shorter than an Ethernet header, and says so).</li>
 * </ul>
 */
public final class PcapReader implements AutoCloseable
{
    private final InputStream in;
    private final String source;
    private final ByteOrder order;
    private final boolean nanos;
    private final int snapLength;
    private final int linkType;
    private final byte[] recordHeader = new byte[Pcap.RECORD_HEADER_LENGTH];
    private long offset;

    public PcapReader(final InputStream in, final String source) throws IOException
    {
        this.in = in;
        this.source = source;
        final byte[] header = new byte[Pcap.FILE_HEADER_LENGTH];
        final int got = readFully(header);
        if (got < Pcap.FILE_HEADER_LENGTH)
        {
            throw new PcapFormatException(source, got, "file header cut short (" + got + " of 24 bytes)");
        }
        final int magicLittle = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).getInt(0);
        final int magicBig = ByteBuffer.wrap(header).order(ByteOrder.BIG_ENDIAN).getInt(0);
        if (magicLittle == Pcap.MAGIC_MICROS || magicLittle == Pcap.MAGIC_NANOS)
        {
            order = ByteOrder.LITTLE_ENDIAN;
            nanos = magicLittle == Pcap.MAGIC_NANOS;
        }
        else if (magicBig == Pcap.MAGIC_MICROS || magicBig == Pcap.MAGIC_NANOS)
        {
            order = ByteOrder.BIG_ENDIAN;
            nanos = magicBig == Pcap.MAGIC_NANOS;
        }
        else
        {
            throw new PcapFormatException(source, 0, String.format(
                "not a pcap file (magic 0x%08x; pcapng is not supported, convert with editcap -F pcap)", magicBig));
        }
        final ByteBuffer fields = ByteBuffer.wrap(header).order(order);
        final int major = fields.getShort(4) & 0xFFFF;
        if (major != 2)
        {
            throw new PcapFormatException(source, 4, "unsupported pcap version " + major + "." +
                (fields.getShort(6) & 0xFFFF));
        }
        final long snap = fields.getInt(16) & 0xFFFFFFFFL;
        snapLength = 0 == snap || snap > Pcap.MAX_RECORD_LENGTH ? Pcap.MAX_RECORD_LENGTH : (int)snap;
        linkType = fields.getInt(20) & 0x0FFFFFFF;
        offset = Pcap.FILE_HEADER_LENGTH;
    }

    public static PcapReader open(final Path path) throws IOException
    {
        final InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16);
        try
        {
            return new PcapReader(in, path.toString());
        }
        catch (final IOException ex)
        {
            in.close();
            throw ex;
        }
    }

    /** Reads a whole file into memory, checking that it carries Ethernet frames. */
    public static List<PcapRecord> readAll(final Path path) throws IOException
    {
        try (PcapReader reader = open(path))
        {
            if (reader.linkType() != Pcap.LINKTYPE_ETHERNET)
            {
                throw new PcapFormatException(path.toString(), 20,
                    "link type " + reader.linkType() + " is not Ethernet (1)");
            }
            final List<PcapRecord> records = new ArrayList<>();
            for (PcapRecord record = reader.next(); null != record; record = reader.next())
            {
                records.add(record);
            }
            return records;
        }
    }

    public int linkType()
    {
        return linkType;
    }

    /** The file's snap length, as libpcap adjusts it: 0 and lengths past the maximum read as the maximum. */
    public int snapLength()
    {
        return snapLength;
    }

    public boolean isNanosecond()
    {
        return nanos;
    }

    /** The next record, or null at a clean end of file. */
    public PcapRecord next() throws IOException
    {
        final long recordOffset = offset;
        final int got = readFully(recordHeader);
        if (0 == got)
        {
            return null;
        }
        if (got < Pcap.RECORD_HEADER_LENGTH)
        {
            throw new PcapFormatException(source, recordOffset, "record header cut short (" + got + " of 16 bytes)");
        }
        final ByteBuffer fields = ByteBuffer.wrap(recordHeader).order(order);
        final long seconds = fields.getInt(0) & 0xFFFFFFFFL;
        final long fraction = fields.getInt(4) & 0xFFFFFFFFL;
        final long capturedLength = fields.getInt(8) & 0xFFFFFFFFL;
        final long originalLength = fields.getInt(12) & 0xFFFFFFFFL;
        if (fraction >= (nanos ? 1_000_000_000L : 1_000_000L))
        {
            throw new PcapFormatException(source, recordOffset + 4, "sub-second timestamp out of range: " + fraction);
        }
        if (capturedLength > Pcap.MAX_RECORD_LENGTH)
        {
            throw new PcapFormatException(source, recordOffset + 8,
                "record length " + capturedLength + " exceeds " + Pcap.MAX_RECORD_LENGTH);
        }
        final byte[] data = new byte[(int)Math.min(capturedLength, snapLength)];
        final int gotData = readFully(data);
        if (gotData < data.length || !skip(capturedLength - data.length)) // past the snap length: cut off
        {
            throw new PcapFormatException(source, recordOffset + Pcap.RECORD_HEADER_LENGTH,
                "record data cut short (fewer than " + capturedLength + " bytes)");
        }
        final long stamp = seconds * 1_000_000_000L + (nanos ? fraction : fraction * 1_000L);
        return new PcapRecord(stamp, data, (int)Math.min(Integer.MAX_VALUE, Math.max(originalLength, capturedLength)));
    }

    @Override
    public void close() throws IOException
    {
        in.close();
    }

    /** Skips {@code count} bytes of the record; false when the file ends first. */
    private boolean skip(final long count) throws IOException
    {
        try
        {
            in.skipNBytes(count);
        }
        catch (final EOFException ex)
        {
            return false;
        }
        offset += count;
        return true;
    }

    private int readFully(final byte[] buffer) throws IOException
    {
        int total = 0;
        while (total < buffer.length)
        {
            final int n = in.read(buffer, total, buffer.length - total);
            if (n < 0)
            {
                break;
            }
            total += n;
        }
        offset += total;
        return total;
    }
}
