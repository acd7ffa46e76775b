package dev.dataplane.net;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Locale;

/**
 * TCP header (RFC 9293); the caller makes sure {@link #MIN_LENGTH} bytes are there.
 * <pre>
 *  0               16              32
 *  +---------------+---------------+
 *  |  source port  |  dest port    |
 *  |        sequence number        |
 *  |     acknowledgment number     |
 *  |off|rsv| flags |    window     |
 *  |   checksum    | urgent ptr    |
 *  +---------------+---------------+
 * </pre>
 */
public final class TcpHeader
{
    public static final int MIN_LENGTH = 20;
    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int SEQUENCE_OFFSET = 4;
    public static final int ACKNOWLEDGMENT_OFFSET = 8;
    public static final int DATA_OFFSET_OFFSET = 12;
    public static final int FLAGS_OFFSET = 13;
    public static final int WINDOW_OFFSET = 14;
    public static final int CHECKSUM_OFFSET = 16;

    public static final int FIN = 0x01;
    public static final int SYN = 0x02;
    public static final int RST = 0x04;
    public static final int PSH = 0x08;
    public static final int ACK = 0x10;
    public static final int URG = 0x20;
    public static final int ECE = 0x40;
    public static final int CWR = 0x80;
    /** The flags' names, lower case, bit 0 (FIN) first, as tcpdump and nftables write them. */
    public static final List<String> FLAG_NAMES = List.of("fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr");

    private TcpHeader()
    {
    }

    /** The flag bit named {@code name} (any case; see {@link #FLAG_NAMES}), or 0 for no flag of that name. */
    public static int flag(final String name)
    {
        final int bit = FLAG_NAMES.indexOf(name.toLowerCase(Locale.ROOT));
        return bit < 0 ? 0 : 1 << bit;
    }

    public static int sourcePort(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u16(segment, offset + SOURCE_PORT_OFFSET);
    }

    public static int destinationPort(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u16(segment, offset + DESTINATION_PORT_OFFSET);
    }

    /** Header length in bytes, options included (data offset * 4). */
    public static int headerLength(final MemorySegment segment, final long offset)
    {
        return (NetworkOrder.u8(segment, offset + DATA_OFFSET_OFFSET) >>> 4) << 2;
    }

    public static int flags(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u8(segment, offset + FLAGS_OFFSET);
    }

    public static int checksum(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public static void checksum(final MemorySegment segment, final long offset, final int checksum)
    {
        NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET, checksum);
    }

    /** Computes the checksum over an IPv4 pseudo-header and the segment, and stores it. */
    public static void computeChecksumIpv4(final MemorySegment segment, final long ipOffset, final long offset,
        final int segmentLength)
    {
        checksum(segment, offset, 0);
        final long pseudo = InternetChecksum.ipv4PseudoHeaderSum(Ipv4Header.source(segment, ipOffset),
            Ipv4Header.destination(segment, ipOffset), IpProtocol.TCP, segmentLength);
        checksum(segment, offset, InternetChecksum.finish(InternetChecksum.sum(segment, offset, segmentLength,
            pseudo)));
    }
}
