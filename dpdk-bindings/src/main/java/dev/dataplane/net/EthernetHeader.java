package dev.dataplane.net;

import java.lang.foreign.MemorySegment;

/**
 * Ethernet II header, read and written in place. The caller makes sure {@link #LENGTH} bytes are there.
 * <pre>
 *  0                 6                 12      14
 *  +-----------------+-----------------+-------+
 *  | destination MAC | source MAC      | type  |
 *  +-----------------+-----------------+-------+
 * </pre>
 */
public final class EthernetHeader
{
    public static final int LENGTH = 14;
    /** Preamble (7), start-of-frame delimiter (1) and inter-frame gap (12): what each frame costs on the wire. */
    public static final int FRAMING_BYTES = 20;
    public static final int DESTINATION_OFFSET = 0;
    public static final int SOURCE_OFFSET = 6;
    public static final int ETHER_TYPE_OFFSET = 12;

    public static final int TYPE_IPV4 = 0x0800;
    public static final int TYPE_ARP = 0x0806;
    public static final int TYPE_VLAN = 0x8100;
    public static final int TYPE_QINQ = 0x88A8;
    public static final int TYPE_IPV6 = 0x86DD;

    private EthernetHeader()
    {
    }

    public static long destination(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u48(segment, offset + DESTINATION_OFFSET);
    }

    public static void destination(final MemorySegment segment, final long offset, final long mac)
    {
        NetworkOrder.u48(segment, offset + DESTINATION_OFFSET, mac);
    }

    public static long source(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u48(segment, offset + SOURCE_OFFSET);
    }

    public static void source(final MemorySegment segment, final long offset, final long mac)
    {
        NetworkOrder.u48(segment, offset + SOURCE_OFFSET, mac);
    }

    public static int etherType(final MemorySegment segment, final long offset)
    {
        return NetworkOrder.u16(segment, offset + ETHER_TYPE_OFFSET);
    }

    public static void etherType(final MemorySegment segment, final long offset, final int type)
    {
        NetworkOrder.u16(segment, offset + ETHER_TYPE_OFFSET, type);
    }

    /** Swaps source and destination, as testpmd's macswap does. */
    public static void swapAddresses(final MemorySegment segment, final long offset)
    {
        final long destination = destination(segment, offset);
        destination(segment, offset, source(segment, offset));
        source(segment, offset, destination);
    }
}
