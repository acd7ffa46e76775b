package dev.dataplane.pktgen.traffic;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.dataplane.net.FrameBuilder;

/**
 * The frames to send: Ethernet, an optional 802.1Q tag, IPv4 or IPv6, UDP or TCP, of one size or several
 * ({@link FrameSizes}), one flow per stream, flow {@code i} with {@code i} added to one field (the source address
 * unless {@link #flowField} says otherwise), so RSS and flow tables see a spread. IPv6 addresses are 2001:db8:: with
 * the IPv4 values as their last 32 bits.
 * Each flow's frame is built once per size, with its stamp's magic and stream in place and every checksum right, into
 * 64-byte-aligned native memory. Sizes change lengths and checksums only: every field's offset is the same in all.
 *
 * @param sizes       Ethernet frame sizes on the wire, FCS included (64..9618), as Pktgen-DPDK and TRex count them.
 * @param flows       streams, 1..{@link Stamp#MAX_STREAMS}.
 * @param vlan        802.1Q VLAN id, or 0 for none.
 * @param tcpFlags    TCP flags for TCP segments (e.g. SYN, or ACK for data), or -1 for UDP.
 * @param flowField   the field that tells flows apart: flow {@code i} has its base value plus {@code i} there.
 * @param randomOrder flows take turns in a random order (each packet's flow drawn at random) instead of in turn.
 */
public record Traffic(FrameSizes sizes, int flows, long sourceMac, long destinationMac, int source, int destination,
    int sourcePort, int destinationPort, int vlan, boolean ipv6, int tcpFlags, FlowField flowField,
    boolean randomOrder)
{
    /** What flow {@code i} adds {@code i} to (a range over that field, as Pktgen-DPDK's and TRex's flow variables). */
    public enum FlowField
    {
        SRC_IP("src-ip"), DST_IP("dst-ip"), SRC_PORT("src-port"), DST_PORT("dst-port"), SRC_MAC("src-mac"),
        DST_MAC("dst-mac");

        private final String option;

        FlowField(final String option)
        {
            this.option = option;
        }

        /** {@code src-ip}, {@code dst-port}, ...: as {@code --flow-field} takes it. */
        public static FlowField parse(final String text)
        {
            for (final FlowField field : values())
            {
                if (field.option.equals(text))
                {
                    return field;
                }
            }
            throw new IllegalArgumentException("--flow-field takes src-ip, dst-ip, src-port, dst-port, src-mac or " +
                "dst-mac: " + text);
        }

        @Override
        public String toString()
        {
            return option;
        }
    }

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
        if (null == flowField)
        {
            throw new IllegalArgumentException("no flow field");
        }
        final long last = switch (flowField)
        {
            case SRC_PORT -> sourcePort + flows - 1L;
            case DST_PORT -> destinationPort + flows - 1L;
            default -> 0;
        };
        if (last > 0xFFFF)
        {
            throw new IllegalArgumentException(flows + " flows over --flow-field " + flowField + " run past port " +
                "65535");
        }
        final long mac = flowField == FlowField.SRC_MAC ? sourceMac : flowField == FlowField.DST_MAC ?
            destinationMac : 0;
        if ((mac & 0xFFFF_FFFFL) + flows - 1 > 0xFFFF_FFFFL)
        {
            throw new IllegalArgumentException(flows + " flows over --flow-field " + flowField + " would carry into " +
                "the MAC's first two bytes");
        }
    }

    /** Flows over the source address, in turn. */
    public Traffic(final FrameSizes sizes, final int flows, final long sourceMac, final long destinationMac,
        final int source, final int destination, final int sourcePort, final int destinationPort, final int vlan,
        final boolean ipv6, final int tcpFlags)
    {
        this(sizes, flows, sourceMac, destinationMac, source, destination, sourcePort, destinationPort, vlan, ipv6,
            tcpFlags, FlowField.SRC_IP, false);
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
        final FlowField f = flowField;
        final FrameBuilder builder = new FrameBuilder().macs(destinationMac + (f == FlowField.DST_MAC ? flow : 0),
            sourceMac + (f == FlowField.SRC_MAC ? flow : 0));
        if (0 != vlan)
        {
            builder.vlans(vlan);
        }
        final int from = source + (f == FlowField.SRC_IP ? flow : 0);
        final int to = destination + (f == FlowField.DST_IP ? flow : 0);
        if (ipv6)
        {
            builder.ipv6(new long[] {DOCUMENTATION_PREFIX, from & 0xFFFFFFFFL},
                new long[] {DOCUMENTATION_PREFIX, to & 0xFFFFFFFFL});
        }
        else
        {
            builder.ipv4(from, to);
        }
        final int sport = sourcePort + (f == FlowField.SRC_PORT ? flow : 0);
        final int dport = destinationPort + (f == FlowField.DST_PORT ? flow : 0);
        if (tcp())
        {
            builder.tcp(sport, dport, tcpFlags);
        }
        else
        {
            builder.udp(sport, dport);
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

    /**
     * The 32 bits that tell flows apart, where {@link #flowField} lies: an IPv4 address or the last word of an IPv6
     * one, both ports (one word), or a MAC's last four bytes.
     */
    public int flowFieldOffset()
    {
        return switch (flowField)
        {
            case SRC_IP -> l3Offset() + (ipv6 ? 8 + 12 : 12);
            case DST_IP -> l3Offset() + (ipv6 ? 24 + 12 : 16);
            case SRC_PORT, DST_PORT -> l4Offset();
            case SRC_MAC -> 6 + 2;
            case DST_MAC -> 2;
        };
    }

    /** Where the IPv4 header checksum sits, or -1 for IPv6 (which has none). */
    public int ipChecksumOffset()
    {
        return ipv6 ? -1 : l3Offset() + 10;
    }
}
