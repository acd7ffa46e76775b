package dev.dataplane.net;

import java.lang.foreign.MemorySegment;

/**
 * An 802.1Q (or 802.1ad) tag: the 4 bytes after the MACs whose first two are the TPID 0x8100 (0x88A8).
 * Offsets here are from the start of the tag's TCI, which follows the TPID.
 * <pre>
 *  0       2
 *  +-------+-------+
 *  |PCP|DEI|VID(12)| inner EtherType |
 *  +-------+-------+
 * </pre>
 */
public final class VlanTag
{
    /** TCI plus the next EtherType. */
    public static final int LENGTH = 4;

    private VlanTag()
    {
    }

    public static int vlanId(final MemorySegment segment, final long tciOffset)
    {
        return NetworkOrder.u16(segment, tciOffset) & 0x0FFF;
    }

    public static int priority(final MemorySegment segment, final long tciOffset)
    {
        return NetworkOrder.u16(segment, tciOffset) >>> 13;
    }

    public static int innerEtherType(final MemorySegment segment, final long tciOffset)
    {
        return NetworkOrder.u16(segment, tciOffset + 2);
    }
}
