package dev.dataplane.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.Random;

import org.junit.jupiter.api.Test;

class InternetChecksumTest
{
    private static MemorySegment bytes(final String hex)
    {
        return MemorySegment.ofArray(HexFormat.of().parseHex(hex.replace(" ", "")));
    }

    @Test
    void sumsTheRfc1071Example()
    {
        // RFC 1071 section 3: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (after folding).
        final MemorySegment data = bytes("0001f203f4f5f6f7");
        assertEquals(0xDDF2, InternetChecksum.fold(InternetChecksum.sum(data, 0, 8, 0)));
        assertEquals(0x220D, InternetChecksum.checksum(data, 0, 8));
    }

    @Test
    void padsAnOddLastByteWithZero()
    {
        assertEquals(InternetChecksum.checksum(bytes("0001f203f4"), 0, 5),
            InternetChecksum.checksum(bytes("0001f203f400"), 0, 6));
    }

    @Test
    void checksumsARealIpv4Header()
    {
        // A captured header whose checksum field holds b861.
        final MemorySegment header = bytes("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7");
        assertTrue(Ipv4Header.isChecksumValid(header, 0));
        Ipv4Header.checksum(header, 0, 0);
        assertEquals(0xB861, InternetChecksum.checksum(header, 0, 20));
    }

    @Test
    void updatesIncrementallyAsRfc1624Section4()
    {
        // RFC 1624 section 4: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285 gives HC' = 0x0000 (eqn. 3, not eqn. 2's 0xFFFF).
        assertEquals(0x0000, InternetChecksum.update16(0xDD2F, 0x5555, 0x3285));
    }

    @Test
    void incrementalUpdatesMatchRecomputationOnRandomHeaders()
    {
        final Random random = new Random(1624);
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] frame = new FrameBuilder()
                .ipv4(random.nextInt(), random.nextInt()).udp(random.nextInt(65536), random.nextInt(65536))
                .ttl(1 + random.nextInt(255)).length(64 + random.nextInt(200)).build();
            final MemorySegment s = MemorySegment.ofArray(frame);
            final int l3 = EthernetHeader.LENGTH;
            final int newAddress = random.nextInt();
            if (random.nextBoolean())
            {
                Ipv4Header.setDestination(s, l3, newAddress);
            }
            else
            {
                Ipv4Header.setSource(s, l3, newAddress);
            }
            Ipv4Header.setTtl(s, l3, random.nextInt(256));
            final int incremental = Ipv4Header.checksum(s, l3);
            assertTrue(Ipv4Header.isChecksumValid(s, l3), "incremental checksum must verify");
            Ipv4Header.computeChecksum(s, l3);
            assertEquals(Ipv4Header.checksum(s, l3), incremental, "incremental == recomputed");
        }
    }

    @Test
    void aPreFoldedDeltaGivesWhatTheUnfoldedOneGives()
    {
        final Random random = new Random(1624);
        for (int i = 0; i < 1_000_000; i++)
        {
            final int checksum = i < 65_536 ? i : random.nextInt(65_536);
            long delta = 0;
            for (int words = random.nextInt(7); words > 0; words--)
            {
                delta += InternetChecksum.delta32(random.nextInt(), random.nextInt());
            }
            assertEquals(InternetChecksum.applyDelta(checksum, delta),
                InternetChecksum.applyFoldedDelta(checksum, InternetChecksum.fold(delta)), "checksum " + checksum);
        }
    }

    @Test
    void foldsLargeSumsWithoutLosingCarries()
    {
        final byte[] ones = new byte[9000];
        java.util.Arrays.fill(ones, (byte)0xFF);
        assertEquals(0xFFFF, InternetChecksum.fold(InternetChecksum.sum(MemorySegment.ofArray(ones), 0, 9000, 0)));
        assertEquals(0, InternetChecksum.checksum(MemorySegment.ofArray(ones), 0, 9000));
    }

    @Test
    void verifiesUdpAndTcpChecksumsOfBuiltFrames()
    {
        final byte[] udp = new FrameBuilder().udp(5000, 8080).length(300).build();
        final MemorySegment u = MemorySegment.ofArray(udp);
        final int l4 = EthernetHeader.LENGTH + Ipv4Header.MIN_LENGTH;
        final long pseudo = InternetChecksum.ipv4PseudoHeaderSum(Ipv4Header.source(u, 14),
            Ipv4Header.destination(u, 14),
            IpProtocol.UDP, udp.length - l4);
        assertTrue(InternetChecksum.verify(u, l4, udp.length - l4, pseudo));

        final byte[] tcp = new FrameBuilder().tcp(5000, 80, TcpHeader.SYN).length(60 + 7).build();
        final MemorySegment t = MemorySegment.ofArray(tcp);
        final long tcpPseudo = InternetChecksum.ipv4PseudoHeaderSum(Ipv4Header.source(t, 14),
            Ipv4Header.destination(t, 14), IpProtocol.TCP, tcp.length - l4);
        assertTrue(InternetChecksum.verify(t, l4, tcp.length - l4, tcpPseudo));

        final byte[] udp6 = new FrameBuilder().ipv6(new long[] {1, 2}, new long[] {3, 4}).udp(1, 2).length(100).build();
        final MemorySegment v6 = MemorySegment.ofArray(udp6);
        final int l4v6 = EthernetHeader.LENGTH + Ipv6Header.LENGTH;
        assertTrue(InternetChecksum.verify(v6, l4v6, udp6.length - l4v6,
            InternetChecksum.ipv6PseudoHeaderSum(v6, 14, IpProtocol.UDP, udp6.length - l4v6)));
    }
}
