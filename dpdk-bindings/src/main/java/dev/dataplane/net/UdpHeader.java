package dev.dataplane.net;

import java.lang.foreign.MemorySegment;

/**
 * UDP header (RFC 768); the caller makes sure {@link #LENGTH} bytes are there.
 * <pre>
 *  0               16              32
 *  +---------------+---------------+
 *  |  source port  |  dest port    |
 *  |    length     |   checksum    |
 *  +---------------+---------------+
 * </pre>
 * Over IPv4 a checksum of 0 means "none" and stays 0 through rewrites; a computed 0 is sent as 0xFFFF.
 */
public final class UdpHeader
{
    public static final int LENGTH = 8;
    public static final int SOURCE_PORT_OFFSET = 0;
    public static final int DESTINATION_PORT_OFFSET = 2;
    public static final int LENGTH_OFFSET = 4;
    public static final int CHECKSUM_OFFSET = 6;

    private UdpHeader()
    {
    }

    public static int sourcePort(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u16(segment, offset + SOURCE_PORT_OFFSET);
    }

    public static int destinationPort(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u16(segment, offset + DESTINATION_PORT_OFFSET);
    }

    public static int length(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u16(segment, offset + LENGTH_OFFSET);
    }

    public static int checksum(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public static void checksum(final MemorySegment segment, final long offset, final int checksum)
    {
        NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET, checksum);
    }

    /** Computes the checksum over an IPv4 pseudo-header and the datagram, and stores it. */
    public static void computeChecksumIpv4(final MemorySegment segment, final long ipOffset, final long offset,
        final int datagramLength)
    {
        checksum(segment, offset, 0);
        final long pseudo = InternetChecksum.ipv4PseudoHeaderSum(Ipv4Header.source(segment, ipOffset),
            Ipv4Header.destination(segment, ipOffset), IpProtocol.UDP, datagramLength);
        final int sum = InternetChecksum.finish(InternetChecksum.sum(segment, offset, datagramLength, pseudo));
        checksum(segment, offset, 0 == sum ? 0xFFFF : sum);
    }

    /** Computes the checksum over an IPv6 pseudo-header and the datagram, and stores it. */
    public static void computeChecksumIpv6(final MemorySegment segment, final long ipOffset, final long offset,
        final int datagramLength)
    {
        checksum(segment, offset, 0);
        final long pseudo = InternetChecksum.ipv6PseudoHeaderSum(segment, ipOffset, IpProtocol.UDP, datagramLength);
        final int sum = InternetChecksum.finish(InternetChecksum.sum(segment, offset, datagramLength, pseudo));
        checksum(segment, offset, 0 == sum ? 0xFFFF : sum);
    }
}
