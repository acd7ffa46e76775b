package dev.dataplane.pktgen;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.dataplane.net.FrameBuilder;

/**
 * The frames to send: Ethernet, an optional 802.1Q tag, IPv4 or IPv6, UDP or TCP, of one size, one flow per stream,
 * flow {@code i} from source address {@code source + i} (so RSS and flow tables see a spread) to one destination.
 * IPv6 addresses are 2001:db8:: with the IPv4 values as their last 32 bits. Each flow's frame is built once, with its
 * stamp's magic and stream in place and every checksum right, into 64-byte-aligned native memory.
 *
 * @param frameSize   Ethernet frame size on the wire, FCS included (64..1518), as Pktgen-DPDK and TRex count it.
 * @param flows       streams, 1..{@link Stamp#MAX_STREAMS}.
 * @param vlan        802.1Q VLAN id, or 0 for none.
 * @param tcpFlags    TCP flags for TCP segments (e.g. SYN, or ACK for data), or -1 for UDP.
 */
public record Traffic(int frameSize, int flows, long sourceMac, long destinationMac, int source, int destination,
    int sourcePort, int destinationPort, int vlan, boolean ipv6, int tcpFlags)
{
    /** 2001:db8::/32, the documentation prefix, as the high half of the IPv6 addresses. */
    private static final long DOCUMENTATION_PREFIX = 0x2001_0DB8_0000_0000L;
    /** The FCS the port appends: not part of the mbuf's data. */
    public static final int FCS = 4;
    public static final int MIN_FRAME = 64;
    public static final int MAX_FRAME = 1518;

    public Traffic
    {
        if (frameSize < MIN_FRAME || frameSize > MAX_FRAME)
        {
            throw new IllegalArgumentException("--size must be in " + MIN_FRAME + ".." + MAX_FRAME + ": " + frameSize);
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
        if (frameSize - FCS < headers + Stamp.LENGTH)
        {
            throw new IllegalArgumentException("--size " + frameSize + " is too small for these headers and the " +
                Stamp.LENGTH + "-byte stamp: at least " + (headers + Stamp.LENGTH + FCS));
        }
    }

    /** {@code flows} flows of {@code frameSize}-byte frames with the CLI's default addresses and ports. */
    public static Traffic defaults(final int frameSize, final int flows)
    {
        return new Traffic(frameSize, flows, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L, 0x0A_00_00_01, 0x0A_00_08_11,
            40000, 8080, 0, false, -1);
    }

    public boolean tcp()
    {
        return tcpFlags >= 0;
    }

    /** Bytes of each frame in the mbuf (no FCS). */
    public int dataLength()
    {
        return frameSize - FCS;
    }

    /** Built frames, flow after flow, each {@link #stride()} bytes apart. */
    public MemorySegment buildTemplates(final Arena arena)
    {
        final MemorySegment templates = arena.allocate((long)stride() * flows, 64);
        for (int flow = 0; flow < flows; flow++)
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
            final byte[] frame = builder.payload(Stamp.template(flow)).length(dataLength()).build();
            MemorySegment.copy(MemorySegment.ofArray(frame), 0, templates, (long)stride() * flow, frame.length);
        }
        return templates;
    }

    /** Template spacing: the frame rounded up to whole cache lines. */
    public int stride()
    {
        return (dataLength() + 63) & ~63;
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
