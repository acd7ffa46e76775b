package dev.dataplane.net;

import java.lang.foreign.MemorySegment;

/**
 * IPv4 header (RFC 791), read and written in place. The caller makes sure {@link #MIN_LENGTH} bytes (and
 * {@link #headerLength} bytes before touching options) are there; {@link PacketView} does that.
 * <pre>
 *  0       4       8              16      19              32
 *  +-------+-------+--------------+-------------------------+
 *  |version|  IHL  |  DSCP | ECN  |      total length       |
 *  |        identification        |flags|  fragment offset  |
 *  |   TTL         |  protocol    |     header checksum     |
 *  |                     source address                     |
 *  |                  destination address                   |
 *  +--------------------------------------------------------+
 * </pre>
 */
public final class Ipv4Header
{
    public static final int MIN_LENGTH = 20;
    public static final int VERSION_IHL_OFFSET = 0;
    public static final int TOS_OFFSET = 1;
    public static final int TOTAL_LENGTH_OFFSET = 2;
    public static final int IDENTIFICATION_OFFSET = 4;
    public static final int FRAGMENT_OFFSET = 6;
    public static final int TTL_OFFSET = 8;
    public static final int PROTOCOL_OFFSET = 9;
    public static final int CHECKSUM_OFFSET = 10;
    public static final int SOURCE_OFFSET = 12;
    public static final int DESTINATION_OFFSET = 16;

    public static final int FLAG_MORE_FRAGMENTS = 0x2000;
    public static final int FLAG_DONT_FRAGMENT = 0x4000;
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    private Ipv4Header()
    {
    }

    public static int version(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u8(segment, offset + VERSION_IHL_OFFSET) >>> 4;
    }

    /** IHL in bytes (IHL * 4). */
    public static int headerLength(final MemorySegment segment, final long offset)
    {
        return (NetworkOrder.u8(segment, offset + VERSION_IHL_OFFSET) & 0x0F) << 2;
    }

    public static int dscp(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u8(segment, offset + TOS_OFFSET) >>> 2;
    }

    public static int totalLength(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u16(segment, offset + TOTAL_LENGTH_OFFSET);
    }

    public static int fragmentField(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u16(segment, offset + FRAGMENT_OFFSET);
    }

    /** True for any fragment: more-fragments set or a non-zero offset. */
    public static boolean isFragment(final MemorySegment segment, final long offset)
    {
        return 0 != (fragmentField(segment, offset) & (FLAG_MORE_FRAGMENTS | FRAGMENT_OFFSET_MASK));
    }

    public static int ttl(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u8(segment, offset + TTL_OFFSET);
    }

    public static int protocol(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u8(segment, offset + PROTOCOL_OFFSET);
    }

    public static int checksum(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET);
    }

    public static void checksum(final MemorySegment segment, final long offset, final int checksum)
    {
        NetworkOrder.u16(segment, offset + CHECKSUM_OFFSET, checksum);
    }

    public static int source(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u32(segment, offset + SOURCE_OFFSET);
    }

    public static int destination(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u32(segment, offset + DESTINATION_OFFSET);
    }

    /** Sets the source address and updates the header checksum incrementally. */
    public static void setSource(final MemorySegment segment, final long offset, final int address)
    {
        final int old = source(segment, offset);
        NetworkOrder.u32(segment, offset + SOURCE_OFFSET, address);
        checksum(segment, offset, InternetChecksum.update32(checksum(segment, offset), old, address));
    }

    /** Sets the destination address and updates the header checksum incrementally. */
    public static void setDestination(final MemorySegment segment, final long offset, final int address)
    {
        final int old = destination(segment, offset);
        NetworkOrder.u32(segment, offset + DESTINATION_OFFSET, address);
        checksum(segment, offset, InternetChecksum.update32(checksum(segment, offset), old, address));
    }

    /** Sets the TTL and updates the header checksum incrementally (TTL shares a word with the protocol). */
    public static void setTtl(final MemorySegment segment, final long offset, final int ttl)
    {
        final int oldWord = NetworkOrder.u16(segment, offset + TTL_OFFSET);
        final int newWord = (ttl << 8) | (oldWord & 0xFF);
        NetworkOrder.u16(segment, offset + TTL_OFFSET, newWord);
        checksum(segment, offset, InternetChecksum.update16(checksum(segment, offset), oldWord, newWord));
    }

    /** Computes the header checksum from scratch and stores it. */
    public static void computeChecksum(final MemorySegment segment, final long offset)
    {
        checksum(segment, offset, 0);
        checksum(segment, offset, InternetChecksum.checksum(segment, offset, headerLength(segment, offset)));
    }

    /** True when the header (options included) checksums correctly. */
    public static boolean isChecksumValid(final MemorySegment segment, final long offset)
    {
        return InternetChecksum.verify(segment, offset, headerLength(segment, offset), 0);
    }

    /** Dotted-quad text of an address. */
    public static String toString(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." +
            (address & 0xFF);
    }

    /**
     * Parses a dotted-quad address: four decimal octets of ASCII digits, without sign or leading zeros (which
     * inet_pton refuses too, since some read them as octal).
     */
    public static int parseAddress(final String text)
    {
        final String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int address = 0;
        for (final String part : parts)
        {
            final int octet = part.length() > 1 && part.charAt(0) == '0' ? -1 : AsciiNumbers.decimal(part, 3);
            if (octet < 0 || octet > 255)
            {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            address = (address << 8) | octet;
        }
        return address;
    }
}
