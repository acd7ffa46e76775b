package dev.dataplane.forwarder.rules;

import java.lang.foreign.MemorySegment;

import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;

/**
 * Incremental (RFC 1624) and from-scratch checksums may differ in which of the two encodings of zero they write;
 * tests comparing frames make them agree first.
 */
public final class ChecksumEncodings
{
    private ChecksumEncodings()
    {
    }

    /**
     * Writes 0xFFFF for an IPv4 header or TCP checksum of 0, where both encodings of zero are valid (a UDP checksum
     * of 0 means "none" and is left alone). Parses the frame into {@code view}.
     */
    public static void normalise(final PacketView view, final MemorySegment s, final long base, final int length)
    {
        view.parse(s, base, length);
        if (PacketView.OK != view.verdict() || 4 != view.ipVersion())
        {
            return;
        }
        final long l3 = view.base() + view.l3Offset();
        if (0 == Ipv4Header.checksum(s, l3))
        {
            Ipv4Header.checksum(s, l3, 0xFFFF);
        }
        final long l4 = view.base() + view.l4Offset();
        if (view.hasL4() && IpProtocol.TCP == view.protocol() && 0 == TcpHeader.checksum(s, l4))
        {
            TcpHeader.checksum(s, l4, 0xFFFF);
        }
    }
}
