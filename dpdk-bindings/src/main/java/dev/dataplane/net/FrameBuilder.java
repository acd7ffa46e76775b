package dev.dataplane.net;

import java.lang.foreign.MemorySegment;

/**
 * Builds well-formed Ethernet frames (optional VLAN tags; IPv4 or IPv6; UDP, TCP or ICMP) with correct checksums, for
 * traffic templates and tests. Not for the per-packet path: it allocates the frame it returns.
 */
public final class FrameBuilder
{
    /** ICMP's header: type, code, checksum and the 4 bytes of the rest of the header. */
    private static final int ICMP_HEADER = 8;

    private long destinationMac = 0x02_00_00_00_00_02L;
    private long sourceMac = 0x02_00_00_00_00_01L;
    private int[] vlanIds = new int[0];
    private int ipVersion = 4;
    private int sourceIpv4 = 0x0A_00_00_01;
    private int destinationIpv4 = 0x0A_00_00_02;
    private long[] sourceIpv6 = {0x2001_0db8_0000_0000L, 1};
    private long[] destinationIpv6 = {0x2001_0db8_0000_0000L, 2};
    private int protocol = IpProtocol.UDP;
    private int sourcePort = 1024;
    private int destinationPort = 1024;
    private int tcpFlags = TcpHeader.ACK;
    private int ttl = 64;
    private int dscp;
    private int frameLength = 64;
    private byte[] payload;
    /** ICMP: type, code, and the message after the checksum (the rest of the header, then the data). */
    private int icmpType;
    private int icmpCode;
    private byte[] icmpBody;

    public FrameBuilder macs(final long destination, final long source)
    {
        this.destinationMac = destination;
        this.sourceMac = source;
        return this;
    }

    /** VLAN tags, outermost first (the first is 802.1ad when there are two). */
    public FrameBuilder vlans(final int... ids)
    {
        for (final int id : ids)
        {
            if (id < 0 || id > 4095)
            {
                throw new IllegalArgumentException("VLAN id must be in 0..4095: " + id);
            }
        }
        this.vlanIds = ids.clone();
        return this;
    }

    public FrameBuilder ipv4(final int source, final int destination)
    {
        this.ipVersion = 4;
        this.sourceIpv4 = source;
        this.destinationIpv4 = destination;
        return this;
    }

    /** IPv6 addresses as {high, low} 64-bit halves. */
    public FrameBuilder ipv6(final long[] source, final long[] destination)
    {
        this.ipVersion = 6;
        this.sourceIpv6 = source.clone();
        this.destinationIpv6 = destination.clone();
        return this;
    }

    public FrameBuilder udp(final int source, final int destination)
    {
        this.protocol = IpProtocol.UDP;
        this.sourcePort = source;
        this.destinationPort = destination;
        return this;
    }

    public FrameBuilder tcp(final int source, final int destination, final int flags)
    {
        this.protocol = IpProtocol.TCP;
        this.sourcePort = source;
        this.destinationPort = destination;
        this.tcpFlags = flags;
        return this;
    }

    /**
     * An ICMP message (IPv4) of {@code type} and {@code code} whose bytes after the checksum are {@code body} (an
     * echo's identifier and sequence, an error's 4 unused bytes and the packet it quotes); the frame is as long as
     * the message.
     */
    public FrameBuilder icmp(final int type, final int code, final byte[] body)
    {
        this.protocol = IpProtocol.ICMP;
        this.icmpType = type;
        this.icmpCode = code;
        this.icmpBody = body.clone();
        return this;
    }

    public FrameBuilder ttl(final int ttl)
    {
        this.ttl = ttl;
        return this;
    }

    public FrameBuilder dscp(final int dscp)
    {
        this.dscp = dscp;
        return this;
    }

    /** Frame length without FCS; the payload is padded (with a counting pattern) or cut to fit. */
    public FrameBuilder length(final int frameLength)
    {
        this.frameLength = frameLength;
        return this;
    }

    /** Payload bytes placed after the L4 header, before any padding pattern. */
    public FrameBuilder payload(final byte[] payload)
    {
        this.payload = payload.clone();
        return this;
    }

    /** The L2 + L3 + L4 header length this builder writes. */
    public int headersLength()
    {
        return EthernetHeader.LENGTH + vlanIds.length * VlanTag.LENGTH +
            (ipVersion == 4 ? Ipv4Header.MIN_LENGTH : Ipv6Header.LENGTH) +
            (protocol == IpProtocol.UDP ? UdpHeader.LENGTH : protocol == IpProtocol.ICMP ? ICMP_HEADER :
                TcpHeader.MIN_LENGTH);
    }

    public byte[] build()
    {
        if (protocol == IpProtocol.ICMP)
        {
            if (ipVersion != 4)
            {
                throw new IllegalStateException("ICMP is built over IPv4 only");
            }
            frameLength = headersLength() - ICMP_HEADER + 4 + icmpBody.length;
        }
        final int headers = headersLength();
        if (frameLength < headers || frameLength > 65535)
        {
            throw new IllegalArgumentException("frame length must be in " + headers + "..65535 for these headers: " +
                frameLength);
        }
        final byte[] frame = new byte[frameLength];
        final MemorySegment s = MemorySegment.ofArray(frame);
        EthernetHeader.destination(s, 0, destinationMac);
        EthernetHeader.source(s, 0, sourceMac);
        int offset = 12;
        for (int i = 0; i < vlanIds.length; i++)
        {
            final boolean outerOfTwo = vlanIds.length > 1 && i == 0;
            NetworkOrder.u16(s, offset, outerOfTwo ? EthernetHeader.TYPE_QINQ : EthernetHeader.TYPE_VLAN);
            NetworkOrder.u16(s, offset + 2, vlanIds[i]);
            offset += 4;
        }
        NetworkOrder.u16(s, offset, ipVersion == 4 ? EthernetHeader.TYPE_IPV4 : EthernetHeader.TYPE_IPV6);
        final int l3 = offset + 2;
        final int l3Length = ipVersion == 4 ? Ipv4Header.MIN_LENGTH : Ipv6Header.LENGTH;
        final int l4 = l3 + l3Length;
        final int l4Length = frameLength - l4;

        for (int i = l4; i < frameLength; i++)
        {
            frame[i] = (byte)i;
        }
        final int l4HeaderLength = protocol == IpProtocol.UDP ? UdpHeader.LENGTH : protocol == IpProtocol.ICMP ?
            ICMP_HEADER : TcpHeader.MIN_LENGTH;
        if (null != payload)
        {
            System.arraycopy(payload, 0, frame, l4 + l4HeaderLength, Math.min(payload.length,
                l4Length - l4HeaderLength));
        }

        if (ipVersion == 4)
        {
            NetworkOrder.u8(s, l3, 0x45);
            NetworkOrder.u8(s, l3 + Ipv4Header.TOS_OFFSET, dscp << 2);
            NetworkOrder.u16(s, l3 + Ipv4Header.TOTAL_LENGTH_OFFSET, l3Length + l4Length);
            NetworkOrder.u16(s, l3 + Ipv4Header.IDENTIFICATION_OFFSET, 0);
            NetworkOrder.u16(s, l3 + Ipv4Header.FRAGMENT_OFFSET, Ipv4Header.FLAG_DONT_FRAGMENT);
            NetworkOrder.u8(s, l3 + Ipv4Header.TTL_OFFSET, ttl);
            NetworkOrder.u8(s, l3 + Ipv4Header.PROTOCOL_OFFSET, protocol);
            NetworkOrder.u32(s, l3 + Ipv4Header.SOURCE_OFFSET, sourceIpv4);
            NetworkOrder.u32(s, l3 + Ipv4Header.DESTINATION_OFFSET, destinationIpv4);
            Ipv4Header.computeChecksum(s, l3);
        }
        else
        {
            NetworkOrder.u32(s, l3, (6 << 28) | (dscp << 22));
            NetworkOrder.u16(s, l3 + Ipv6Header.PAYLOAD_LENGTH_OFFSET, l4Length);
            NetworkOrder.u8(s, l3 + Ipv6Header.NEXT_HEADER_OFFSET, protocol);
            NetworkOrder.u8(s, l3 + Ipv6Header.HOP_LIMIT_OFFSET, ttl);
            s.set(NetworkOrder.U64, l3 + Ipv6Header.SOURCE_OFFSET, sourceIpv6[0]);
            s.set(NetworkOrder.U64, l3 + Ipv6Header.SOURCE_OFFSET + 8, sourceIpv6[1]);
            s.set(NetworkOrder.U64, l3 + Ipv6Header.DESTINATION_OFFSET, destinationIpv6[0]);
            s.set(NetworkOrder.U64, l3 + Ipv6Header.DESTINATION_OFFSET + 8, destinationIpv6[1]);
        }

        if (protocol == IpProtocol.ICMP)
        {
            NetworkOrder.u8(s, l4, icmpType);
            NetworkOrder.u8(s, l4 + 1, icmpCode);
            System.arraycopy(icmpBody, 0, frame, l4 + 4, icmpBody.length);
            // The checksum field holds the payload pattern until now: summed as zero.
            NetworkOrder.u16(s, l4 + 2, 0);
            NetworkOrder.u16(s, l4 + 2, InternetChecksum.checksum(s, l4, l4Length));
        }
        else if (protocol == IpProtocol.UDP)
        {
            NetworkOrder.u16(s, l4 + UdpHeader.SOURCE_PORT_OFFSET, sourcePort);
            NetworkOrder.u16(s, l4 + UdpHeader.DESTINATION_PORT_OFFSET, destinationPort);
            NetworkOrder.u16(s, l4 + UdpHeader.LENGTH_OFFSET, l4Length);
            if (ipVersion == 4)
            {
                UdpHeader.computeChecksumIpv4(s, l3, l4, l4Length);
            }
            else
            {
                UdpHeader.computeChecksumIpv6(s, l3, l4, l4Length);
            }
        }
        else
        {
            NetworkOrder.u16(s, l4 + TcpHeader.SOURCE_PORT_OFFSET, sourcePort);
            NetworkOrder.u16(s, l4 + TcpHeader.DESTINATION_PORT_OFFSET, destinationPort);
            NetworkOrder.u32(s, l4 + TcpHeader.SEQUENCE_OFFSET, 1);
            NetworkOrder.u32(s, l4 + TcpHeader.ACKNOWLEDGMENT_OFFSET, 0 != (tcpFlags & TcpHeader.ACK) ? 1 : 0);
            NetworkOrder.u8(s, l4 + TcpHeader.DATA_OFFSET_OFFSET, (TcpHeader.MIN_LENGTH / 4) << 4);
            NetworkOrder.u8(s, l4 + TcpHeader.FLAGS_OFFSET, tcpFlags);
            NetworkOrder.u16(s, l4 + TcpHeader.WINDOW_OFFSET, 65535);
            NetworkOrder.u16(s, l4 + TcpHeader.CHECKSUM_OFFSET + 2, 0);
            if (ipVersion == 4)
            {
                TcpHeader.computeChecksumIpv4(s, l3, l4, l4Length);
            }
            else
            {
                TcpHeader.checksum(s, l4, 0);
                final long pseudo = InternetChecksum.ipv6PseudoHeaderSum(s, l3, IpProtocol.TCP, l4Length);
                TcpHeader.checksum(s, l4, InternetChecksum.finish(InternetChecksum.sum(s, l4, l4Length, pseudo)));
            }
        }
        return frame;
    }
}
