package dev.dataplane.net;

import java.lang.foreign.MemorySegment;

/**
 * A reusable, allocation-free parse of one frame: Ethernet, up to two VLAN tags, IPv4 (options and fragments)
 * or IPv6 (extension headers), and the UDP or TCP header. {@link #parse} reads nothing past {@code length}
 * bytes, and returns a {@code verdict}: {@link #OK}, or the first reason the frame is not what it claims.
 * <p>
 * Besides the structure it makes the checks a router makes before it forwards (RFC 1812 5.2.2, Linux's
 * {@code ip_rcv} and {@code udp_rcv}, nf_conntrack's length checks): the IPv4 header checksum, well-formed IPv4
 * options, a TTL or hop limit above 0, a UDP length of at least 8 and within the IP payload, a TCP data offset of
 * at least 5 and within the segment; the UDP/TCP checksum only when asked ({@link #CHECK_L4_CHECKSUM}). What the
 * NIC already checked is taken from its word ({@link #IPV4_CHECKSUM_GOOD}, {@link #IPV4_CHECKSUM_BAD}, L4 alike).
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
    /** A UDP or TCP header cut off by the IP packet's end. */
    public static final int TRUNCATED_L4 = 10;
    /** An IPv4 option whose length is below 2 or runs past the header (RFC 791; Linux's ip_options_compile). */
    public static final int BAD_IPV4_OPTIONS = 11;
    /** The IPv4 header checksum is wrong (RFC 1812 5.2.2: a router must verify it). */
    public static final int BAD_IPV4_CHECKSUM = 12;
    /** The packet arrived with a TTL (IPv4) or hop limit (IPv6) of 0: it must not be forwarded (RFC 1812 5.3.1). */
    public static final int TTL_ZERO = 13;
    /**
     * A UDP length below 8 or past the IP payload (a first fragment's: below 8). A length short of the payload is
     * allowed, as Linux's udp_rcv (which trims) and nf_conntrack allow it: the bytes after the datagram are IP
     * payload, not UDP data (RFC 9868's UDP options live there).
     */
    public static final int BAD_UDP_LENGTH = 14;
    /** A TCP data offset below 5 words, or past the segment. */
    public static final int BAD_TCP_DATA_OFFSET = 15;
    /** The UDP or TCP checksum is wrong: only with {@link #CHECK_L4_CHECKSUM} or the NIC's word. */
    public static final int BAD_L4_CHECKSUM = 16;
    public static final int VERDICT_COUNT = 17;

    /** {@link #parse} checks: the IPv4 header checksum in software (unless the NIC said good or bad). */
    public static final int CHECK_IPV4_CHECKSUM = 1;
    /** {@link #parse} checks: the UDP/TCP checksum in software (unless the NIC said), for all but fragments. */
    public static final int CHECK_L4_CHECKSUM = 2;
    /** {@link #parse}: the NIC verified the IPv4 header checksum and found it good. */
    public static final int IPV4_CHECKSUM_GOOD = 4;
    /** {@link #parse}: the NIC verified the IPv4 header checksum and found it bad. */
    public static final int IPV4_CHECKSUM_BAD = 8;
    /** {@link #parse}: the NIC verified the UDP/TCP checksum and found it good. */
    public static final int L4_CHECKSUM_GOOD = 16;
    /** {@link #parse}: the NIC verified the UDP/TCP checksum and found it bad. */
    public static final int L4_CHECKSUM_BAD = 32;
    /** What {@link #parse(MemorySegment, long, int)} checks: all a router must, not the L4 checksum. */
    public static final int ROUTER_CHECKS = CHECK_IPV4_CHECKSUM;

    public static final int MAX_IPV6_EXTENSIONS = 8;
    private static final int IPV4_OPTION_END = 0;
    private static final int IPV4_OPTION_NOP = 1;
    private static final String[] VERDICT_NAMES = {
        "ok", "truncated-ethernet", "truncated-vlan", "too-many-vlan-tags", "truncated-ipv4", "bad-ipv4-header-length",
        "bad-ipv4-total-length", "truncated-ipv6", "bad-ipv6-payload-length", "bad-ipv6-extension", "truncated-l4",
        "bad-ipv4-options", "bad-ipv4-checksum", "ttl-zero", "bad-udp-length", "bad-tcp-data-offset",
        "bad-l4-checksum"};

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
    private boolean firstFragmentPorts;
    private int l4Offset;
    private int sourcePort;
    private int destinationPort;
    private int tcpFlags;
    private int checks;
    private int connState;

    public static String verdictName(final int verdict)
    {
        return verdict >= 0 && verdict < VERDICT_COUNT ? VERDICT_NAMES[verdict] : "unknown-" + verdict;
    }

    /**
     * Parses the frame of {@code length} bytes at {@code base} in {@code segment}, with the {@link #ROUTER_CHECKS}.
     *
     * @return the verdict, also kept in {@link #verdict()}.
     */
    public int parse(final MemorySegment segment, final long base, final int length)
    {
        return parse(segment, base, length, ROUTER_CHECKS);
    }

    /**
     * Parses the frame with the checks named by {@code checks} ({@link #CHECK_IPV4_CHECKSUM},
     * {@link #CHECK_L4_CHECKSUM}) and what the NIC found ({@link #IPV4_CHECKSUM_GOOD} ...), which takes precedence.
     *
     * @return the verdict, also kept in {@link #verdict()}.
     */
    public int parse(final MemorySegment segment, final long base, final int length, final int checks)
    {
        this.checks = checks;
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
        firstFragmentPorts = false;
        laterFragment = false;
        l4Offset = -1;
        sourcePort = -1;
        destinationPort = -1;
        tcpFlags = 0;
        connState = 0;
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
        if (0 != (checks & IPV4_CHECKSUM_BAD) || 0 != (checks & CHECK_IPV4_CHECKSUM) &&
            0 == (checks & IPV4_CHECKSUM_GOOD) && !Ipv4Header.isChecksumValid(segment, at))
        {
            return BAD_IPV4_CHECKSUM;
        }
        if (headerLength > Ipv4Header.MIN_LENGTH && !ipv4OptionsWellFormed(at, headerLength))
        {
            return BAD_IPV4_OPTIONS;
        }
        if (0 == Ipv4Header.ttl(segment, at))
        {
            return TTL_ZERO;
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

    /**
     * Whether the options of the IPv4 header at {@code at} are well formed: end-of-list and no-operation are one
     * byte, every other option has a length byte of at least 2 that keeps it inside the header.
     */
    private boolean ipv4OptionsWellFormed(final long at, final int headerLength)
    {
        int position = Ipv4Header.MIN_LENGTH;
        while (position < headerLength)
        {
            final int type = NetworkOrder.u8(segment, at + position);
            if (IPV4_OPTION_END == type)
            {
                return true;
            }
            if (IPV4_OPTION_NOP == type)
            {
                position++;
                continue;
            }
            if (position + 2 > headerLength)
            {
                return false;
            }
            final int optionLength = NetworkOrder.u8(segment, at + position + 1);
            if (optionLength < 2 || position + optionLength > headerLength)
            {
                return false;
            }
            position += optionLength;
        }
        return true;
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
        if (0 == Ipv6Header.hopLimit(segment, at))
        {
            return TTL_ZERO;
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
        final int segmentLength = ipEnd - offset;
        if (protocol == IpProtocol.UDP)
        {
            if (UdpHeader.LENGTH > segmentLength)
            {
                return TRUNCATED_L4;
            }
            final int udpLength = UdpHeader.length(segment, at);
            // A first fragment's UDP length counts the whole datagram's.
            if (udpLength < UdpHeader.LENGTH || udpLength > segmentLength && !fragment)
            {
                return BAD_UDP_LENGTH;
            }
            sourcePort = UdpHeader.sourcePort(segment, at);
            destinationPort = UdpHeader.destinationPort(segment, at);
            l4Offset = offset;
            return l4ChecksumWrong(at, udpLength, true) ? BAD_L4_CHECKSUM : OK;
        }
        if (protocol == IpProtocol.TCP)
        {
            if (TcpHeader.MIN_LENGTH > segmentLength)
            {
                return TRUNCATED_L4;
            }
            final int headerLength = TcpHeader.headerLength(segment, at);
            if (headerLength < TcpHeader.MIN_LENGTH || headerLength > segmentLength)
            {
                return BAD_TCP_DATA_OFFSET;
            }
            sourcePort = TcpHeader.sourcePort(segment, at);
            destinationPort = TcpHeader.destinationPort(segment, at);
            tcpFlags = TcpHeader.flags(segment, at);
            l4Offset = offset;
            return l4ChecksumWrong(at, segmentLength, false) ? BAD_L4_CHECKSUM : OK;
        }
        return OK;
    }

    /**
     * Whether the UDP or TCP checksum of the {@code l4Length} bytes at {@code at} is known wrong: the NIC said so,
     * or it was asked for and computed (a first fragment's covers the whole datagram, so it is not). A UDP checksum
     * of 0 over IPv4 means none (RFC 768); over IPv6 it is not allowed (RFC 8200 8.1).
     */
    private boolean l4ChecksumWrong(final long at, final int l4Length, final boolean udp)
    {
        if (0 != (checks & L4_CHECKSUM_BAD))
        {
            return true;
        }
        if (0 == (checks & CHECK_L4_CHECKSUM) || 0 != (checks & L4_CHECKSUM_GOOD) || fragment)
        {
            return false;
        }
        final long l3 = base + l3Offset;
        if (udp && 0 == UdpHeader.checksum(segment, at))
        {
            return 6 == ipVersion;
        }
        final long pseudo = 4 == ipVersion ?
            InternetChecksum.ipv4PseudoHeaderSum(Ipv4Header.source(segment, l3), Ipv4Header.destination(segment, l3),
                protocol, l4Length) :
            InternetChecksum.ipv6PseudoHeaderSum(segment, l3, protocol, l4Length);
        return !InternetChecksum.verify(segment, at, l4Length, pseudo);
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

    /**
     * What a connection tracker found of the packet (its own codes; 0, untracked, until one says), carried with the
     * parse for the stages after it, as Linux carries conntrack's word with the skb. Each parse clears it.
     */
    public int connState()
    {
        return connState;
    }

    public void connState(final int connState)
    {
        this.connState = connState;
    }

    /** True when a UDP or TCP header was found. */
    public boolean hasL4()
    {
        return l4Offset >= 0;
    }

    /**
     * True when the UDP or TCP header's ports and flags are for rules to match: a header was found and the packet
     * is no fragment. A first fragment has them, but its datagram's later fragments do not, and all of a datagram's
     * fragments must meet the same rule (Linux without conntrack does not match ports on later fragments either);
     * unless a connection tracker made its datagram's fragments follow it ({@link #matchFirstFragmentPorts}).
     */
    public boolean hasPorts()
    {
        return l4Offset >= 0 && (!fragment || firstFragmentPorts);
    }

    /**
     * Lets rules match this first fragment's ports: a connection tracker says its datagram's later fragments follow
     * it (its connection's translation and kept verdict), as Linux's and VPP's reassembly before NAT gives the whole
     * datagram its first fragment's rule. Until the next parse.
     */
    public void matchFirstFragmentPorts()
    {
        firstFragmentPorts = fragment && !laterFragment;
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
