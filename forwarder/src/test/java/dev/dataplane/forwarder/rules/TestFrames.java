package dev.dataplane.forwarder.rules;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.net.UdpHeader;

/**
 * Frames for the rules tests: random IPv4 UDP and TCP frames over the addresses and ports the tests' rule sets name,
 * and variants of them that a fast path must notice are not the plain case: IPv4 options, first and later fragments,
 * another protocol, a total length past the frame, a frame cut short, and damage a router must not forward: a wrong
 * header checksum, an option running past the header, a UDP length that disagrees, TTL 0, a bad TCP data offset.
 */
public final class TestFrames
{
    private static final int OPTION_LENGTH = 4;
    private static final byte NOP = 1;
    /** RFC 2113's router alert (copied, class 0, number 20), whose length is 4. */
    private static final int ROUTER_ALERT = 0x94;
    private static final int GRE = 47;

    private TestFrames()
    {
    }

    /**
     * A random IPv4 frame: random MACs and source, a destination and ports from those the rule sets name (or random),
     * TTL 1 to 3 (so that dec-ttl expires some), a VLAN tag on one in six, UDP or TCP (SYN or ACK), up to 119 bytes of
     * payload, and one UDP frame in eight with no checksum.
     */
    public static byte[] randomIpv4(final Random random)
    {
        final FrameBuilder builder = new FrameBuilder().ttl(1 + random.nextInt(3)).dscp(random.nextInt(64))
            .macs(random.nextLong() & 0xFEFFFFFFFFFFL, random.nextLong() & 0xFEFFFFFFFFFFL);
        if (random.nextInt(6) == 0)
        {
            builder.vlans(random.nextBoolean() ? 100 : 1 + random.nextInt(4000));
        }
        final int[] destinations = {0x0A000811, 0x0A000805, 0x0A000905, 0x0A000703, random.nextInt()};
        builder.ipv4(random.nextInt(), destinations[random.nextInt(destinations.length)]);
        final int[] ports = {8080, 53, 80, 22, random.nextInt(65536)};
        if (random.nextBoolean())
        {
            builder.tcp(ports[random.nextInt(ports.length)], ports[random.nextInt(ports.length)],
                random.nextBoolean() ? TcpHeader.SYN : TcpHeader.ACK);
        }
        else
        {
            builder.udp(ports[random.nextInt(ports.length)], ports[random.nextInt(ports.length)]);
        }
        final byte[] frame = builder.length(builder.headersLength() + random.nextInt(120)).build();
        if (random.nextInt(8) == 0)
        {
            final MemorySegment s = MemorySegment.ofArray(frame);
            final PacketView view = new PacketView();
            view.parse(s, 0, frame.length);
            if (view.hasL4() && IpProtocol.UDP == view.protocol())
            {
                UdpHeader.checksum(s, view.l4Offset(), 0); // "no checksum"
            }
        }
        return frame;
    }

    /** {@code frame} itself (about half the time) or one of its odd variants; checksums stay valid where they can. */
    public static byte[] vary(final byte[] frame, final Random random)
    {
        final PacketView view = new PacketView();
        view.parse(MemorySegment.ofArray(frame), 0, frame.length);
        if (PacketView.OK != view.verdict() || 4 != view.ipVersion() || random.nextBoolean())
        {
            return frame;
        }
        final int l3 = view.l3Offset();
        return switch (random.nextInt(11))
        {
            case 0 -> withOption(frame, l3, NOP, NOP);
            case 6 -> withIpv4(frame, l3, Ipv4Header.CHECKSUM_OFFSET, Ipv4Header.checksum(MemorySegment.ofArray(frame),
                l3) ^ (1 + random.nextInt(0xFFFE)), false);
            case 7 -> withOption(frame, l3, ROUTER_ALERT, 40);
            case 8 -> withL4(frame, view, random);
            // TTL 0, the protocol beside it kept.
            case 9 -> withIpv4(frame, l3, Ipv4Header.TTL_OFFSET, 0x00FF & NetworkOrder.u16(
                MemorySegment.ofArray(frame), l3 + Ipv4Header.TTL_OFFSET), true);
            case 1 -> withIpv4(frame, l3, Ipv4Header.FRAGMENT_OFFSET, Ipv4Header.FLAG_MORE_FRAGMENTS, true);
            case 2 -> withIpv4(frame, l3, Ipv4Header.FRAGMENT_OFFSET, 1 + random.nextInt(100), true);
            case 3 -> withProtocol(frame, l3, random.nextBoolean() ? IpProtocol.ICMP : GRE);
            case 4 -> withIpv4(frame, l3, Ipv4Header.TOTAL_LENGTH_OFFSET, frame.length - l3 + 1 + random.nextInt(9),
                true);
            default -> Arrays.copyOf(frame,
                EthernetHeader.LENGTH + random.nextInt(frame.length - EthernetHeader.LENGTH));
        };
    }

    /** The frame with a 16-bit field of its IPv4 header set, and the header checksum made valid again if asked. */
    private static byte[] withIpv4(final byte[] frame, final int l3, final int offset, final int value,
        final boolean fixChecksum)
    {
        final byte[] copy = frame.clone();
        final MemorySegment s = MemorySegment.ofArray(copy);
        NetworkOrder.u16(s, l3 + offset, value);
        if (fixChecksum)
        {
            Ipv4Header.computeChecksum(s, l3);
        }
        return copy;
    }

    /** UDP: a length of 3, or past the payload (200, or one more than the payload); TCP: a data offset of 4 or 15. */
    private static byte[] withL4(final byte[] frame, final PacketView view, final Random random)
    {
        final byte[] copy = frame.clone();
        final MemorySegment s = MemorySegment.ofArray(copy);
        final int l4 = view.l4Offset();
        if (IpProtocol.UDP == view.protocol())
        {
            final int[] lengths = {3, 200, view.ipEnd() - l4 + 1};
            NetworkOrder.u16(s, l4 + UdpHeader.LENGTH_OFFSET, lengths[random.nextInt(lengths.length)]);
        }
        else
        {
            NetworkOrder.u8(s, l4 + TcpHeader.DATA_OFFSET_OFFSET, random.nextBoolean() ? 0x40 : 0xF0);
        }
        return copy;
    }

    private static byte[] withProtocol(final byte[] frame, final int l3, final int protocol)
    {
        final byte[] copy = frame.clone();
        final MemorySegment s = MemorySegment.ofArray(copy);
        NetworkOrder.u8(s, l3 + Ipv4Header.PROTOCOL_OFFSET, protocol);
        Ipv4Header.computeChecksum(s, l3);
        return copy;
    }

    /**
     * Four bytes of options after the 20-byte header, the first two {@code type} and {@code length} and the rest NOP:
     * IHL 6, total length 4 more, the L4 header moved along.
     */
    private static byte[] withOption(final byte[] frame, final int l3, final int type, final int length)
    {
        final byte[] copy = new byte[frame.length + OPTION_LENGTH];
        final int optionsAt = l3 + Ipv4Header.MIN_LENGTH;
        System.arraycopy(frame, 0, copy, 0, optionsAt);
        Arrays.fill(copy, optionsAt, optionsAt + OPTION_LENGTH, NOP);
        copy[optionsAt] = (byte)type;
        copy[optionsAt + 1] = (byte)length;
        System.arraycopy(frame, optionsAt, copy, optionsAt + OPTION_LENGTH, frame.length - optionsAt);
        final MemorySegment s = MemorySegment.ofArray(copy);
        NetworkOrder.u8(s, l3, 0x46);
        NetworkOrder.u16(s, l3 + Ipv4Header.TOTAL_LENGTH_OFFSET, Ipv4Header.totalLength(s, l3) + OPTION_LENGTH);
        Ipv4Header.computeChecksum(s, l3);
        return copy;
    }
}
