package dev.dataplane.forwarder.rules.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;

import dev.dataplane.forwarder.rules.lang.RulesException;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.Ipv6Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.net.UdpHeader;
import org.junit.jupiter.api.Test;

/** Every rewrite leaves checksums that verify from scratch, and the fields it promised. */
class RewriteProgramTest
{
    private final PacketView view = new PacketView();

    private RewriteProgram program(final String rule) throws RulesException
    {
        return RewriteProgram.of(RulesParser.parse(rule, "t.rules").rule(0));
    }

    private MemorySegment parsed(final byte[] frame)
    {
        final MemorySegment s = MemorySegment.ofArray(frame);
        assertEquals(PacketView.OK, view.parse(s, 0, frame.length));
        return s;
    }

    @Test
    void redirectsTheServiceAddressToTheRealServer() throws RulesException
    {
        final byte[] frame = new FrameBuilder().ipv4(Ipv4Header.parseAddress("192.168.1.7"),
            Ipv4Header.parseAddress("10.0.8.17")).udp(40000, 8080).length(120).build();
        final MemorySegment s = parsed(frame);
        assertTrue(program("proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083").apply(view));
        assertEquals("10.0.1.2", Ipv4Header.toString(Ipv4Header.destination(s, 14)));
        assertEquals(8083, UdpHeader.destinationPort(s, 34));
        assertChecksumsValid(s);
    }

    @Test
    void leavesAZeroUdpChecksumZero() throws RulesException
    {
        final byte[] frame = new FrameBuilder().udp(1, 8080).length(64).build();
        final MemorySegment s = parsed(frame);
        UdpHeader.checksum(s, 34, 0);
        assertTrue(program("ip4 proto udp => accept set-dst 10.0.1.2 set-sport 9").apply(view));
        assertEquals(0, UdpHeader.checksum(s, 34), "0 means no checksum, and stays so");
        assertTrue(Ipv4Header.isChecksumValid(s, 14));
    }

    @Test
    void dropsWhenTtlOrHopLimitRunsOut() throws RulesException
    {
        final RewriteProgram decrement = program("ip4 => accept dec-ttl");
        final MemorySegment s = parsed(new FrameBuilder().ttl(64).udp(1, 2).length(64).build());
        assertTrue(decrement.apply(view));
        assertEquals(63, Ipv4Header.ttl(s, 14));
        assertChecksumsValid(s);
        parsed(new FrameBuilder().ttl(1).udp(1, 2).length(64).build());
        assertFalse(decrement.apply(view));

        final RewriteProgram hop = program("ip6 => accept dec-ttl");
        final MemorySegment v6 = parsed(new FrameBuilder().ipv6(new long[] {1, 2}, new long[] {3, 4}).ttl(2)
            .udp(1, 2).length(80).build());
        assertTrue(hop.apply(view));
        assertEquals(1, Ipv6Header.hopLimit(v6, 14));
        assertFalse(hop.apply(view));
    }

    @Test
    void passesLaterFragmentsByForPortsButRewritesTheirAddresses() throws RulesException
    {
        final byte[] frame = new FrameBuilder().udp(5, 6).length(64).build();
        NetworkOrder.u16(MemorySegment.ofArray(frame), 14 + Ipv4Header.FRAGMENT_OFFSET, 0x0020);
        Ipv4Header.computeChecksum(MemorySegment.ofArray(frame), 14);
        final MemorySegment s = parsed(frame);
        assertTrue(view.isLaterFragment());
        final byte[] payloadBefore = java.util.Arrays.copyOfRange(frame, 34, 64);
        assertTrue(program("ip4 proto udp => accept set-dst 10.9.9.9 set-dport 99").apply(view));
        assertEquals("10.9.9.9", Ipv4Header.toString(Ipv4Header.destination(s, 14)));
        assertTrue(Ipv4Header.isChecksumValid(s, 14));
        assertEquals(java.util.Arrays.toString(payloadBefore),
            java.util.Arrays.toString(java.util.Arrays.copyOfRange(frame, 34, 64)), "no ports to rewrite");
    }

    @Test
    void keepsEveryChecksumValidOnRandomFramesAndRewrites() throws RulesException
    {
        final Random random = new Random(1624);
        final String[] v4Rules = {
            "ip4 proto udp => accept set-src 10.1.2.3 set-dst 172.16.5.4 set-sport 1 set-dport 65535",
            "ip4 proto tcp => redirect 1 set-dst 10.0.1.2 set-dport 8083 dec-ttl set-dscp 46",
            "ip4 => tx set-src 0.0.0.0 set-dscp 0 set-src-mac 02:00:00:00:00:09 set-dst-mac ff:ff:ff:ff:ff:ff",
            "ip4 proto udp => accept set-dport 0 set-dst 255.255.255.255"};
        final String[] v6Rules = {
            "ip6 proto udp => accept set-src 2001:db8::1 set-dst 2001:db8:ffff::9 set-dport 53",
            "ip6 proto tcp => accept set-dst fe80::1 set-sport 443 dec-ttl set-dscp 10"};
        for (int i = 0; i < 20_000; i++)
        {
            final boolean v6 = random.nextInt(3) == 0;
            final boolean tcp = random.nextBoolean();
            final FrameBuilder builder = new FrameBuilder().ttl(2 + random.nextInt(254)).dscp(random.nextInt(64));
            if (random.nextInt(4) == 0)
            {
                builder.vlans(1 + random.nextInt(4000));
            }
            if (v6)
            {
                builder.ipv6(new long[] {random.nextLong(), random.nextLong()},
                    new long[] {random.nextLong(), random.nextLong()});
            }
            else
            {
                builder.ipv4(random.nextInt(), random.nextInt());
            }
            if (tcp)
            {
                builder.tcp(random.nextInt(65536), random.nextInt(65536), TcpHeader.ACK);
            }
            else
            {
                builder.udp(random.nextInt(65536), random.nextInt(65536));
            }
            final byte[] frame = builder.length(builder.headersLength() + random.nextInt(300)).build();
            final MemorySegment s = parsed(frame);
            final String[] candidates = v6 ? v6Rules : v4Rules;
            String rule;
            do
            {
                rule = candidates[random.nextInt(candidates.length)];
            }
            while (rule.contains(tcp ? "proto udp" : "proto tcp"));
            assertTrue(program(rule).apply(view), rule);
            assertChecksumsValid(s);
        }
    }

    /** Recomputes every checksum of the parsed frame from scratch. */
    private void assertChecksumsValid(final MemorySegment s)
    {
        final long l3 = view.base() + view.l3Offset();
        final long l4 = view.base() + view.l4Offset();
        final int l4Length = view.ipEnd() - view.l4Offset();
        if (view.ipVersion() == 4)
        {
            assertTrue(Ipv4Header.isChecksumValid(s, l3), "IPv4 header checksum");
            final long pseudo = InternetChecksum.ipv4PseudoHeaderSum(Ipv4Header.source(s, l3),
                Ipv4Header.destination(s, l3), view.protocol(), l4Length);
            assertTrue(InternetChecksum.verify(s, l4, l4Length, pseudo), "IPv4 L4 checksum");
        }
        else
        {
            final long pseudo = InternetChecksum.ipv6PseudoHeaderSum(s, l3, view.protocol(), l4Length);
            assertTrue(InternetChecksum.verify(s, l4, l4Length, pseudo), "IPv6 L4 checksum");
        }
        if (view.protocol() == IpProtocol.UDP)
        {
            assertTrue(UdpHeader.checksum(s, l4) != 0, "a computed UDP checksum is never sent as 0");
        }
        assertTrue(EthernetHeader.etherType(s, view.base()) != 0);
    }
}
