package dev.dataplane.net;

import java.lang.foreign.MemorySegment;

/**
 * A reusable, allocation-free parse of one frame: Ethernet, up to two VLAN tags, IPv4 (options and fragments)
 * or IPv6 (extension headers), and the UDP or TCP header. {@link #parse} reads nothing past {@code length}
 * bytes, and returns a {@code verdict}: {@link #OK}, or the first reason the frame is not what it claims.
 * <p>
 * After OK, every offset points at a header that is wholly inside the frame and inside the IP packet's own
 * length. Non-IP EtherTypes parse OK with {@link #ipVersion()} 0; non-first fragments and protocols other
 * than UDP and TCP parse OK with {@link #hasL4()} false.
 */
public final class PacketView
{
    public static final int OK = 0;
    /** Fewer than 14 bytes. */
    public static final int TRUNCATED_ETHERNET = 1;
    /** A VLAN tag cut off by the end of the frame. */
    public static final int TRUNCATED_VLAN = 2;
    /** More than two VLAN tags. */
    public static final int TOO_MANY_VLAN_TAGS = 3;
    /** Fewer than 20 bytes of IPv4 header, or a version other than 4. */
    public static final int TRUNCATED_IPV4 = 4;
    /** IHL below 5, or the header (options included) past the frame. */
    public static final int BAD_IPV4_HEADER_LENGTH = 5;
    /** Total length shorter than the header or longer than the frame. */
    public static final int BAD_IPV4_TOTAL_LENGTH = 6;
    /** Fewer than 40 bytes of IPv6 header, or a version other than 6. */
    public static final int TRUNCATED_IPV6 = 7;
    /** Payload length past the frame. */
    public static final int BAD_IPV6_PAYLOAD_LENGTH = 8;
    /** An extension header cut off, or more than {@link #MAX_IPV6_EXTENSIONS} of them. */
    public static final int BAD_IPV6_EXTENSION = 9;
    /** A UDP or TCP header cut off by the IP packet's end, or a TCP data offset below 5 or past it. */
    public static final int TRUNCATED_L4 = 10;
    public static final int VERDICT_COUNT = 11;

    public static final int MAX_IPV6_EXTENSIONS = 8;
    private static final String[] VERDICT_NAMES = {
        "ok", "truncated-ethernet", "truncated-vlan", "too-many-vlan-tags", "truncated-ipv4", "bad-ipv4-header-length",
        "bad-ipv4-total-length", "truncated-ipv6", "bad-ipv6-payload-length", "bad-ipv6-extension", "truncated-l4"};

    private MemorySegment segment;
    private long base;
    private int length;
    private int verdict;
    private int vlanCount;
    private int outerVlanId;
    private int innerVlanId;
    private int etherType;
    private int l3Offset;
    private int l3HeaderLength;
    private int ipVersion;
    private int ipEnd;
    private int protocol;
    private boolean fragment;
    private boolean laterFragment;
    private int l4Offset;
    private int sourcePort;
    private int destinationPort;
    private int tcpFlags;

    public static String verdictName(final int verdict)
    {
        return verdict >= 0 && verdict < VERDICT_COUNT ? VERDICT_NAMES[verdict] : "unknown-" + verdict;
    }

    /**
     * Parses the frame of {@code length} bytes at {@code base} in {@code segment}.
     *
     * @return the verdict, also kept in {@link #verdict()}.
     */
    public int parse(final MemorySegment segment, final long base, final int length)
    {
        this.segment = segment;
        this.base = base;
        this.length = length;
        vlanCount = 0;
        outerVlanId = -1;
        innerVlanId = -1;
        etherType = -1;
        l3Offset = -1;
        l3HeaderLength = 0;
        ipVersion = 0;
        ipEnd = length;
        protocol = -1;
        fragment = false;
        laterFragment = false;
        l4Offset = -1;
        sourcePort = -1;
        destinationPort = -1;
        tcpFlags = 0;
        return verdict = parseEthernet();
    }

    private int parseEthernet()
    {
        if (length < EthernetHeader.LENGTH)
        {
            return TRUNCATED_ETHERNET;
        }
        int type = EthernetHeader.etherType(segment, base);
        int offset = EthernetHeader.LENGTH;
        while (type == EthernetHeader.TYPE_VLAN || type == EthernetHeader.TYPE_QINQ)
        {
            if (vlanCount == 2)
            {
                return TOO_MANY_VLAN_TAGS;
            }
            if (offset + VlanTag.LENGTH > length)
            {
                return TRUNCATED_VLAN;
            }
            final int vlanId = VlanTag.vlanId(segment, base + offset);
            if (0 == vlanCount)
            {
                outerVlanId = vlanId;
            }
            innerVlanId = vlanId;
            vlanCount++;
            type = VlanTag.innerEtherType(segment, base + offset);
            offset += VlanTag.LENGTH;
        }
        etherType = type;
        l3Offset = offset;
        if (type == EthernetHeader.TYPE_IPV4)
        {
            return parseIpv4(offset);
        }
        if (type == EthernetHeader.TYPE_IPV6)
        {
            return parseIpv6(offset);
        }
        return OK;
    }

    private int parseIpv4(final int offset)
    {
        final long at = base + offset;
        if (offset + Ipv4Header.MIN_LENGTH > length || Ipv4Header.version(segment, at) != 4)
        {
            return TRUNCATED_IPV4;
        }
        final int headerLength = Ipv4Header.headerLength(segment, at);
        if (headerLength < Ipv4Header.MIN_LENGTH || offset + headerLength > length)
        {
            return BAD_IPV4_HEADER_LENGTH;
        }
        final int totalLength = Ipv4Header.totalLength(segment, at);
        if (totalLength < headerLength || offset + totalLength > length)
        {
            return BAD_IPV4_TOTAL_LENGTH;
        }
        ipVersion = 4;
        l3HeaderLength = headerLength;
        ipEnd = offset + totalLength;
        protocol = Ipv4Header.protocol(segment, at);
        final int fragmentField = Ipv4Header.fragmentField(segment, at);
        fragment = 0 != (fragmentField & (Ipv4Header.FLAG_MORE_FRAGMENTS | Ipv4Header.FRAGMENT_OFFSET_MASK));
        laterFragment = 0 != (fragmentField & Ipv4Header.FRAGMENT_OFFSET_MASK);
        return laterFragment ? OK : parseL4(offset + headerLength);
    }

    private int parseIpv6(final int offset)
    {
        final long at = base + offset;
        if (offset + Ipv6Header.LENGTH > length || Ipv6Header.version(segment, at) != 6)
        {
            return TRUNCATED_IPV6;
        }
        final int payloadLength = Ipv6Header.payloadLength(segment, at);
        if (offset + Ipv6Header.LENGTH + payloadLength > length)
        {
            return BAD_IPV6_PAYLOAD_LENGTH;
        }
        ipVersion = 6;
        ipEnd = offset + Ipv6Header.LENGTH + payloadLength;
        int next = Ipv6Header.nextHeader(segment, at);
        int position = offset + Ipv6Header.LENGTH;
        for (int extensions = 0; isExtension(next); extensions++)
        {
            if (extensions == MAX_IPV6_EXTENSIONS || position + 8 > ipEnd)
            {
                return BAD_IPV6_EXTENSION;
            }
            final int extensionNext = NetworkOrder.u8(segment, base + position);
            final int extensionLength;
            if (next == Ipv6Header.EXT_FRAGMENT)
            {
                final int fragmentField = NetworkOrder.u16(segment, base + position + 2);
                fragment = true;
                laterFragment = 0 != (fragmentField & 0xFFF8);
                extensionLength = 8;
            }
            else if (next == Ipv6Header.EXT_AUTHENTICATION)
            {
                extensionLength = (NetworkOrder.u8(segment, base + position + 1) + 2) << 2;
            }
            else
            {
                extensionLength = (NetworkOrder.u8(segment, base + position + 1) + 1) << 3;
            }
            if (position + extensionLength > ipEnd)
            {
                return BAD_IPV6_EXTENSION;
            }
            position += extensionLength;
            next = extensionNext;
        }
        l3HeaderLength = position - offset;
        protocol = next;
        return laterFragment ? OK : parseL4(position);
    }

    private static boolean isExtension(final int next)
    {
        return next == Ipv6Header.EXT_HOP_BY_HOP || next == Ipv6Header.EXT_ROUTING ||
            next == Ipv6Header.EXT_FRAGMENT || next == Ipv6Header.EXT_DESTINATION_OPTIONS ||
            next == Ipv6Header.EXT_AUTHENTICATION;
    }

    private int parseL4(final int offset)
    {
        final long at = base + offset;
        if (protocol == IpProtocol.UDP)
        {
            if (offset + UdpHeader.LENGTH > ipEnd)
            {
                return TRUNCATED_L4;
            }
            sourcePort = UdpHeader.sourcePort(segment, at);
            destinationPort = UdpHeader.destinationPort(segment, at);
            l4Offset = offset;
        }
        else if (protocol == IpProtocol.TCP)
        {
            if (offset + TcpHeader.MIN_LENGTH > ipEnd)
            {
                return TRUNCATED_L4;
            }
            final int headerLength = TcpHeader.headerLength(segment, at);
            if (headerLength < TcpHeader.MIN_LENGTH || offset + headerLength > ipEnd)
            {
                return TRUNCATED_L4;
            }
            sourcePort = TcpHeader.sourcePort(segment, at);
            destinationPort = TcpHeader.destinationPort(segment, at);
            tcpFlags = TcpHeader.flags(segment, at);
            l4Offset = offset;
        }
        return OK;
    }

    public int verdict()
    {
        return verdict;
    }

    public MemorySegment segment()
    {
        return segment;
    }

    /** Where the frame starts in {@link #segment()}; header offsets below are relative to it. */
    public long base()
    {
        return base;
    }

    public int length()
    {
        return length;
    }

    public int vlanCount()
    {
        return vlanCount;
    }

    /** The outer VLAN id, or -1 when untagged. */
    public int outerVlanId()
    {
        return outerVlanId;
    }

    /** The innermost VLAN id, or -1 when untagged. */
    public int innerVlanId()
    {
        return innerVlanId;
    }

    /** The EtherType after any VLAN tags, or -1 when the frame is too short to have one. */
    public int etherType()
    {
        return etherType;
    }

    /** Offset of the L3 header (after Ethernet and VLAN tags). */
    public int l3Offset()
    {
        return l3Offset;
    }

    /** IPv4 header length with options, or IPv6 header length with extension headers. */
    public int l3HeaderLength()
    {
        return l3HeaderLength;
    }

    /** 4, 6, or 0 when not IP. */
    public int ipVersion()
    {
        return ipVersion;
    }

    /** Offset just past the IP packet (its total length), which may be before the frame's end (padding). */
    public int ipEnd()
    {
        return ipEnd;
    }

    /** IP protocol (IPv6: the last next-header), or -1 when not IP. */
    public int protocol()
    {
        return protocol;
    }

    public boolean isFragment()
    {
        return fragment;
    }

    /** A fragment other than the first: it carries no L4 header. */
    public boolean isLaterFragment()
    {
        return laterFragment;
    }

    /** True when a UDP or TCP header was found. */
    public boolean hasL4()
    {
        return l4Offset >= 0;
    }

    public int l4Offset()
    {
        return l4Offset;
    }

    /** L4 source port, or -1 when there is no UDP/TCP header. */
    public int sourcePort()
    {
        return sourcePort;
    }

    public int destinationPort()
    {
        return destinationPort;
    }

    public int tcpFlags()
    {
        return tcpFlags;
    }
}
