package dev.dataplane.net;

import java.lang.foreign.MemorySegment;

/**
 * Rewrites of a parsed frame's IPv4 addresses and UDP/TCP ports in place, keeping its checksums valid incrementally
 * (RFC 1624): the IPv4 header checksum for an address, the UDP/TCP checksum for either (an address through the
 * pseudo-header). A UDP checksum of 0 over IPv4 ("none", RFC 768) stays 0, and a computed 0 is sent as 0xFFFF. A
 * frame without a UDP or TCP header (a later fragment, ICMP) has its addresses rewritten and nothing else. For
 * stateless rules and NAT alike.
 */
public final class HeaderRewrite
{
    private HeaderRewrite()
    {
    }

    /** Sets the IPv4 source ({@code source}) or destination address of the frame {@code view} parsed. */
    public static void setAddress(final PacketView view, final boolean source, final int address)
    {
        final MemorySegment s = view.segment();
        final long l3 = view.base() + view.l3Offset();
        final int old = source ? Ipv4Header.source(s, l3) : Ipv4Header.destination(s, l3);
        if (source)
        {
            Ipv4Header.setSource(s, l3, address);
        }
        else
        {
            Ipv4Header.setDestination(s, l3, address);
        }
        if (view.hasL4())
        {
            final int protocol = view.protocol();
            final long at = view.base() + view.l4Offset() + checksumOffset(protocol);
            final int checksum = NetworkOrder.u16(s, at);
            if (IpProtocol.TCP == protocol || 0 != checksum)
            {
                storeL4(s, at, protocol, InternetChecksum.update32(checksum, old, address));
            }
        }
    }

    /** Sets the UDP/TCP source ({@code source}) or destination port; nothing without such a header. */
    public static void setPort(final PacketView view, final boolean source, final int port)
    {
        if (!view.hasL4())
        {
            return;
        }
        final MemorySegment s = view.segment();
        final long l4 = view.base() + view.l4Offset();
        final int protocol = view.protocol();
        final long field = l4 + (source ? UdpHeader.SOURCE_PORT_OFFSET : UdpHeader.DESTINATION_PORT_OFFSET);
        final int old = NetworkOrder.u16(s, field);
        NetworkOrder.u16(s, field, port);
        final long at = l4 + checksumOffset(protocol);
        final int checksum = NetworkOrder.u16(s, at);
        if (IpProtocol.TCP == protocol || 0 != checksum)
        {
            storeL4(s, at, protocol, InternetChecksum.update16(checksum, old, port));
        }
    }

    /**
     * Gives an IPv4 frame these addresses and (where it has them) ports, changing only what differs: a NAT's
     * translation of a connection's packet.
     */
    public static void setTuple(final PacketView view, final int source, final int destination, final int sourcePort,
        final int destinationPort)
    {
        final MemorySegment s = view.segment();
        final long l3 = view.base() + view.l3Offset();
        if (Ipv4Header.source(s, l3) != source)
        {
            setAddress(view, true, source);
        }
        if (Ipv4Header.destination(s, l3) != destination)
        {
            setAddress(view, false, destination);
        }
        if (view.hasL4())
        {
            if (view.sourcePort() != sourcePort)
            {
                setPort(view, true, sourcePort);
            }
            if (view.destinationPort() != destinationPort)
            {
                setPort(view, false, destinationPort);
            }
        }
    }

    /** Stores a UDP/TCP checksum at {@code at}: a UDP one that comes out 0 as 0xFFFF (0 means "none"). */
    public static void storeL4(final MemorySegment s, final long at, final int protocol, final int checksum)
    {
        NetworkOrder.u16(s, at, IpProtocol.UDP == protocol && 0 == checksum ? 0xFFFF : checksum);
    }

    /** Where a UDP or TCP header keeps its checksum. */
    public static int checksumOffset(final int protocol)
    {
        return IpProtocol.TCP == protocol ? TcpHeader.CHECKSUM_OFFSET : UdpHeader.CHECKSUM_OFFSET;
    }
}
