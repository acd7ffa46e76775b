package dev.dataplane.pcap;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a classic little-endian pcap file of Ethernet frames with nanosecond timestamps. */
public final class PcapWriter implements AutoCloseable
{
    private final OutputStream out;
    private final int snapLength;
    private final ByteBuffer recordHeader =
        ByteBuffer.allocate(Pcap.RECORD_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);

    public PcapWriter(final OutputStream out, final int snapLength) throws IOException
    {
        if (snapLength <= 0 || snapLength > Pcap.MAX_RECORD_LENGTH)
        {
            throw new IllegalArgumentException("snap length must be in 1.." + Pcap.MAX_RECORD_LENGTH + ": " +
                snapLength);
        }
        this.out = out;
        this.snapLength = snapLength;
        final ByteBuffer header = ByteBuffer.allocate(Pcap.FILE_HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(Pcap.MAGIC_NANOS).putShort((short)2).putShort((short)4).putInt(0).putInt(0)
            .putInt(snapLength).putInt(Pcap.LINKTYPE_ETHERNET);
        out.write(header.array());
    }

    public static PcapWriter create(final Path path) throws IOException
    {
        return new PcapWriter(new BufferedOutputStream(Files.newOutputStream(path), 1 << 16), Pcap.DEFAULT_SNAPLEN);
    }

    /** Writes one frame, cut to the snap length, with its full length as the original length. */
    public void write(final long timestampNanos, final byte[] frame, final int offset, final int length)
        throws IOException
    {
        final int captured = Math.min(length, snapLength);
        recordHeader.clear();
        recordHeader.putInt((int)(timestampNanos / 1_000_000_000L)).putInt((int)(timestampNanos % 1_000_000_000L))
            .putInt(captured).putInt(length);
        out.write(recordHeader.array());
        out.write(frame, offset, captured);
    }

    public void write(final PcapRecord record) throws IOException
    {
        write(record.timestampNanos(), record.data(), 0, record.data().length);
    }

    @Override
    public void close() throws IOException
    {
        out.close();
    }
}
