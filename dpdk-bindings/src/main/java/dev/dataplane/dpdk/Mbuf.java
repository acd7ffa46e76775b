package dev.dataplane.dpdk;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static dev.dataplane.dpdk.NativeMemory.address;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;

/**
 * Field access to a {@code struct rte_mbuf} at a raw address. Static methods, so a burst of mbufs is a
 * {@link MbufArray} of longs and nothing is allocated per packet.
 * <pre>
 *  0       8       16      18      20      22      24              32      36      40      42
 *  +-------+-------+-------+-------+-------+-------+---------------+-------+-------+-------+----
 *  |buf_addr buf_iova|data_off|refcnt|nb_segs| port | ol_flags     |pkt_type|pkt_len|data_len|vlan_tci
 *  ... 54: buf_len  56: pool  | 64: next  72: tx_offload (l2_len:7 l3_len:9 l4_len:8 ...)
 * </pre>
 * Offsets are those of Debian's DPDK 22.11 and are checked against the installed headers by LayoutProbeTest.
 */
public final class Mbuf
{
    public static final long BUF_ADDR_OFFSET = 0;
    public static final long DATA_OFF_OFFSET = 16;
    public static final long REFCNT_OFFSET = 18;
    public static final long NB_SEGS_OFFSET = 20;
    public static final long PORT_OFFSET = 22;
    public static final long OL_FLAGS_OFFSET = 24;
    public static final long PACKET_TYPE_OFFSET = 32;
    public static final long PKT_LEN_OFFSET = 36;
    public static final long DATA_LEN_OFFSET = 40;
    public static final long VLAN_TCI_OFFSET = 42;
    public static final long BUF_LEN_OFFSET = 54;
    public static final long POOL_OFFSET = 56;
    public static final long NEXT_OFFSET = 64;
    public static final long TX_OFFLOAD_OFFSET = 72;
    /** Bit positions of the {@code l2_len} (7 bits) and {@code l3_len} (9 bits) bitfields in {@code tx_offload}. */
    public static final int TX_OFFLOAD_L2_LEN_SHIFT = 0;
    public static final int TX_OFFLOAD_L3_LEN_SHIFT = 7;
    private static final long TX_OFFLOAD_L2_L3_MASK = 0xFFFFL;
    public static final long SIZE = 128;
    /** RTE_PKTMBUF_HEADROOM in Debian's build. */
    public static final int HEADROOM = 128;

    /**
     * What the NIC found of the checksums it checked on receive (rte_mbuf_core.h): two bits each, 0 unknown, BAD,
     * GOOD, or both (NONE: the NIC checked nothing, or the packet has no such checksum).
     */
    public static final long RX_IP_CKSUM_BAD = 1L << 4;
    public static final long RX_IP_CKSUM_GOOD = 1L << 7;
    public static final long RX_IP_CKSUM_MASK = RX_IP_CKSUM_BAD | RX_IP_CKSUM_GOOD;
    public static final long RX_L4_CKSUM_BAD = 1L << 3;
    public static final long RX_L4_CKSUM_GOOD = 1L << 8;
    public static final long RX_L4_CKSUM_MASK = RX_L4_CKSUM_BAD | RX_L4_CKSUM_GOOD;

    /** RTE_MBUF_F_TX_IPV4 and friends, for checksum offload (rte_mbuf_core.h). */
    public static final long TX_IP_CKSUM = 1L << 54;
    public static final long TX_IPV4 = 1L << 55;
    public static final long TX_IPV6 = 1L << 56;
    public static final long TX_TCP_CKSUM = 1L << 52;
    public static final long TX_UDP_CKSUM = 3L << 52;

    private static final MethodHandle FREE = DpdkLibrary.downcall(
        "dp_pktmbuf_free", FunctionDescriptor.ofVoid(JAVA_LONG), Linker.Option.critical(false));
    private static final MethodHandle FREE_BULK = DpdkLibrary.downcall(
        "rte_pktmbuf_free_bulk", FunctionDescriptor.ofVoid(JAVA_LONG, JAVA_INT),
        Linker.Option.critical(false));

    private Mbuf()
    {
    }

    /** Address of the first data byte: buf_addr + data_off. */
    public static long dataAddress(final long mbuf)
    {
        return address(ALL.get(JAVA_LONG_UNALIGNED, address(mbuf) + BUF_ADDR_OFFSET) + dataOffset(mbuf));
    }

    public static int dataOffset(final long mbuf)
    {
        return ALL.get(JAVA_SHORT_UNALIGNED, address(mbuf) + DATA_OFF_OFFSET) & 0xFFFF;
    }

    /** Bytes of data in this segment. */
    public static int dataLength(final long mbuf)
    {
        return ALL.get(JAVA_SHORT_UNALIGNED, address(mbuf) + DATA_LEN_OFFSET) & 0xFFFF;
    }

    /** Bytes of data in the whole chain of segments. */
    public static int packetLength(final long mbuf)
    {
        return ALL.get(JAVA_INT_UNALIGNED, address(mbuf) + PKT_LEN_OFFSET);
    }

    public static int segmentCount(final long mbuf)
    {
        return ALL.get(JAVA_SHORT_UNALIGNED, address(mbuf) + NB_SEGS_OFFSET) & 0xFFFF;
    }

    public static int port(final long mbuf)
    {
        return ALL.get(JAVA_SHORT_UNALIGNED, address(mbuf) + PORT_OFFSET) & 0xFFFF;
    }

    public static long offloadFlags(final long mbuf)
    {
        return ALL.get(JAVA_LONG_UNALIGNED, address(mbuf) + OL_FLAGS_OFFSET);
    }

    /**
     * Asks the port to compute checksums on transmit: ORs {@code flags} ({@code TX_IPV4 | TX_IP_CKSUM}, ...) into
     * {@code ol_flags} and sets the {@code l2_len} and {@code l3_len} bitfields of {@code tx_offload}, which
     * {@code LayoutProbeTest} checks against the installed headers. The caller zeroes the IPv4 header checksum and
     * writes the pseudo-header sum into the L4 one, as DPDK's offload contract wants.
     */
    public static void requestTxChecksums(final long mbuf, final long flags, final int l2Length, final int l3Length)
    {
        final long at = address(mbuf);
        ALL.set(JAVA_LONG_UNALIGNED, at + OL_FLAGS_OFFSET, ALL.get(JAVA_LONG_UNALIGNED, at + OL_FLAGS_OFFSET) | flags);
        final long txOffload = ALL.get(JAVA_LONG_UNALIGNED, at + TX_OFFLOAD_OFFSET);
        ALL.set(JAVA_LONG_UNALIGNED, at + TX_OFFLOAD_OFFSET, (txOffload & ~TX_OFFLOAD_L2_L3_MASK) |
            (long)(l2Length & 0x7F) << TX_OFFLOAD_L2_LEN_SHIFT | (long)(l3Length & 0x1FF) << TX_OFFLOAD_L3_LEN_SHIFT);
    }

    public static int packetType(final long mbuf)
    {
        return ALL.get(JAVA_INT_UNALIGNED, address(mbuf) + PACKET_TYPE_OFFSET);
    }

    public static int refcnt(final long mbuf)
    {
        return ALL.get(JAVA_SHORT_UNALIGNED, address(mbuf) + REFCNT_OFFSET) & 0xFFFF;
    }

    public static int bufferLength(final long mbuf)
    {
        return ALL.get(JAVA_SHORT_UNALIGNED, address(mbuf) + BUF_LEN_OFFSET) & 0xFFFF;
    }

    /** Room left after the data in this segment. */
    public static int tailroom(final long mbuf)
    {
        return bufferLength(mbuf) - dataOffset(mbuf) - dataLength(mbuf);
    }

    public static long pool(final long mbuf)
    {
        return ALL.get(JAVA_LONG_UNALIGNED, address(mbuf) + POOL_OFFSET);
    }

    /**
     * Sets the length of a single-segment mbuf (data_len and pkt_len), as rte_pktmbuf_append would.
     *
     * @throws IllegalArgumentException if the length does not fit in the buffer after data_off.
     */
    public static void setLength(final long mbuf, final int length)
    {
        if (length < 0 || length > bufferLength(mbuf) - dataOffset(mbuf))
        {
            throw new IllegalArgumentException("length " + length + " does not fit the mbuf's " +
                (bufferLength(mbuf) - dataOffset(mbuf)) + " B of room");
        }
        ALL.set(JAVA_SHORT_UNALIGNED, address(mbuf) + DATA_LEN_OFFSET, (short)length);
        ALL.set(JAVA_INT_UNALIGNED, address(mbuf) + PKT_LEN_OFFSET, length);
    }

    public static void setOffloadFlags(final long mbuf, final long flags)
    {
        ALL.set(JAVA_LONG_UNALIGNED, address(mbuf) + OL_FLAGS_OFFSET, flags);
    }

    /** rte_pktmbuf_free: returns the mbuf (every segment) to its pool. */
    public static void free(final long mbuf)
    {
        try
        {
            FREE.invokeExact(mbuf);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /** rte_pktmbuf_free_bulk over {@code mbufs[from..from+count)}. */
    public static void freeBulk(final MbufArray mbufs, final int from, final int count)
    {
        if (count <= 0)
        {
            return;
        }
        if (from < 0 || from + count > mbufs.capacity())
        {
            throw new IndexOutOfBoundsException("freeing [" + from + ", " + (from + count) + ") of " +
                mbufs.capacity());
        }
        try
        {
            FREE_BULK.invokeExact(mbufs.address() + ((long)from << 3), count);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }
}
