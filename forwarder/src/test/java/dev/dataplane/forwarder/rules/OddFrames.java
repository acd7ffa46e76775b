package dev.dataplane.forwarder.rules;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;

import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;

/**
 * Variants of a well-formed IPv4 frame that a fast path must notice are not the plain case: IPv4 options, first and
 * later fragments, another protocol, a total length past the frame, a frame cut short.
 */
public final class OddFrames
{
    private static final int OPTION_LENGTH = 4;
    private static final byte NOP = 1;
    private static final int GRE = 47;

    private OddFrames()
    {
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
        return switch (random.nextInt(6))
        {
            case 0 -> withOption(frame, l3);
            case 1 -> withIpv4(frame, l3, Ipv4Header.FRAGMENT_OFFSET, Ipv4Header.FLAG_MORE_FRAGMENTS);
            case 2 -> withIpv4(frame, l3, Ipv4Header.FRAGMENT_OFFSET, 1 + random.nextInt(100));
            case 3 -> withProtocol(frame, l3, random.nextBoolean() ? IpProtocol.ICMP : GRE);
            case 4 -> withIpv4(frame, l3, Ipv4Header.TOTAL_LENGTH_OFFSET, frame.length - l3 + 1 + random.nextInt(9));
            default -> Arrays.copyOf(frame,
                EthernetHeader.LENGTH + random.nextInt(frame.length - EthernetHeader.LENGTH));
        };
    }

    /** The frame with a 16-bit field of its IPv4 header set, and the header checksum made valid again. */
    private static byte[] withIpv4(final byte[] frame, final int l3, final int offset, final int value)
    {
        final byte[] copy = frame.clone();
        final MemorySegment s = MemorySegment.ofArray(copy);
        NetworkOrder.u16(s, l3 + offset, value);
        Ipv4Header.computeChecksum(s, l3);
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

    /** Four bytes of NOP options after the 20-byte header: IHL 6, total length 4 more, the L4 header moved along. */
    private static byte[] withOption(final byte[] frame, final int l3)
    {
        final byte[] copy = new byte[frame.length + OPTION_LENGTH];
        final int optionsAt = l3 + Ipv4Header.MIN_LENGTH;
        System.arraycopy(frame, 0, copy, 0, optionsAt);
        Arrays.fill(copy, optionsAt, optionsAt + OPTION_LENGTH, NOP);
        System.arraycopy(frame, optionsAt, copy, optionsAt + OPTION_LENGTH, frame.length - optionsAt);
        final MemorySegment s = MemorySegment.ofArray(copy);
        NetworkOrder.u8(s, l3, 0x46);
        NetworkOrder.u16(s, l3 + Ipv4Header.TOTAL_LENGTH_OFFSET, Ipv4Header.totalLength(s, l3) + OPTION_LENGTH);
        Ipv4Header.computeChecksum(s, l3);
        return copy;
    }
}
