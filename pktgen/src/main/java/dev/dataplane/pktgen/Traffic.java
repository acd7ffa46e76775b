package dev.dataplane.pktgen;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.dataplane.net.FrameBuilder;

/**
 * The frames to send: Ethernet, an optional 802.1Q tag, IPv4 or IPv6, UDP or TCP, of one size or several
 * ({@link FrameSizes}), one flow per stream, flow {@code i} from source address {@code source + i} (so RSS and flow
 * tables see a spread) to one destination. IPv6 addresses are 2001:db8:: with the IPv4 values as their last 32 bits.
 * Each flow's frame is built once per size, with its stamp's magic and stream in place and every checksum right, into
 * 64-byte-aligned native memory. Sizes change lengths and checksums only: every field's offset is the same in all.
 *
 * @param sizes       Ethernet frame sizes on the wire, FCS included (64..1518), as Pktgen-DPDK and TRex count them.
 * @param flows       streams, 1..{@link Stamp#MAX_STREAMS}.
 * @param vlan        802.1Q VLAN id, or 0 for none.
 * @param tcpFlags    TCP flags for TCP segments (e.g. SYN, or ACK for data), or -1 for UDP.
 */
public record Traffic(FrameSizes sizes, int flows, long sourceMac, long destinationMac, int source, int destination,
    int sourcePort, int destinationPort, int vlan, boolean ipv6, int tcpFlags)
{
    /** 2001:db8::/32, the documentation prefix, as the high half of the IPv6 addresses. */
    private static final long DOCUMENTATION_PREFIX = 0x2001_0DB8_0000_0000L;
    /** The FCS the port appends: not part of the mbuf's data. */
    public static final int FCS = 4;

    public Traffic
    {
        if (null == sizes)
        {
            throw new IllegalArgumentException("no frame sizes");
        }
        if (flows < 1 || flows > Stamp.MAX_STREAMS)
        {
            throw new IllegalArgumentException("--flows must be in 1.." + Stamp.MAX_STREAMS + ": " + flows);
        }
        if (vlan < 0 || vlan > 4094)
        {
            throw new IllegalArgumentException("--vlan must be in 1..4094 (0: untagged): " + vlan);
        }
        final int headers = 14 + (0 == vlan ? 0 : 4) + (ipv6 ? 40 : 20) + (tcpFlags < 0 ? 8 : 20);
        if (sizes.smallest() - FCS < headers + Stamp.LENGTH)
        {
            throw new IllegalArgumentException("--size " + sizes.smallest() + " is too small for these headers and " +
                "the " + Stamp.LENGTH + "-byte stamp: at least " + (headers + Stamp.LENGTH + FCS));
        }
    }

    /** {@code flows} flows of {@code frameSize}-byte frames with the CLI's default addresses and ports. */
    public static Traffic defaults(final int frameSize, final int flows)
    {
        return new Traffic(FrameSizes.of(frameSize), flows, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L,
            0x0A_00_00_01, 0x0A_00_08_11, 40000, 8080, 0, false, -1);
    }

    public boolean tcp()
    {
        return tcpFlags >= 0;
    }

    /** Bytes in the mbuf (no FCS) of a frame of size {@code sizeIndex} of {@link #sizes}. */
    public int dataLength(final int sizeIndex)
    {
        return sizes.size(sizeIndex) - FCS;
    }

    /**
     * Built frames, size after size and within a size flow after flow, each {@link #stride()} bytes apart: size
     * {@code k}'s frame of flow {@code f} is at {@link #templateOffset}{@code (k, f)}.
     */
    public MemorySegment buildTemplates(final Arena arena)
    {
        final MemorySegment templates = arena.allocate((long)stride() * flows * sizes.count(), 64);
        for (int k = 0; k < sizes.count(); k++)
        {
            for (int flow = 0; flow < flows; flow++)
            {
                buildTemplate(templates, k, flow);
            }
        }
        return templates;
    }

    public long templateOffset(final int sizeIndex, final int flow)
    {
        return (long)stride() * ((long)sizeIndex * flows + flow);
    }

    private void buildTemplate(final MemorySegment templates, final int sizeIndex, final int flow)
    {
        final FrameBuilder builder = new FrameBuilder().macs(destinationMac, sourceMac);
        if (0 != vlan)
        {
            builder.vlans(vlan);
        }
        if (ipv6)
        {
            builder.ipv6(new long[] {DOCUMENTATION_PREFIX, (source + flow) & 0xFFFFFFFFL},
                new long[] {DOCUMENTATION_PREFIX, destination & 0xFFFFFFFFL});
        }
        else
        {
            builder.ipv4(source + flow, destination);
        }
        if (tcp())
        {
            builder.tcp(sourcePort, destinationPort, tcpFlags);
        }
        else
        {
            builder.udp(sourcePort, destinationPort);
        }
        final byte[] frame = builder.payload(Stamp.template(flow)).length(dataLength(sizeIndex)).build();
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, templates, templateOffset(sizeIndex, flow),
            frame.length);
    }

    /** Template spacing: the largest frame rounded up to whole cache lines. */
    public int stride()
    {
        return (sizes.largest() - FCS + 63) & ~63;
    }

    /** Where the IP header starts in each frame. */
    public int l3Offset()
    {
        return 0 == vlan ? 14 : 18;
    }

    private int l4Offset()
    {
        return l3Offset() + (ipv6 ? 40 : 20);
    }

    /** Where the stamp sits in each frame: after the headers. */
    public int stampOffset()
    {
        return l4Offset() + (tcp() ? 20 : 8);
    }

    /** Where the UDP or TCP checksum sits in each frame. */
    public int l4ChecksumOffset()
    {
        return l4Offset() + (tcp() ? 16 : 6);
    }

    /** The 32 bits that tell flows apart: the IPv4 source address, or the last word of the IPv6 one. */
    public int flowFieldOffset()
    {
        return l3Offset() + (ipv6 ? 8 + 12 : 12);
    }

    /** Where the IPv4 header checksum sits, or -1 for IPv6 (which has none). */
    public int ipChecksumOffset()
    {
        return ipv6 ? -1 : l3Offset() + 10;
    }
}
