package dev.dataplane.forwarder.rules.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import dev.dataplane.dpdk.NativeMemory;
import dev.dataplane.forwarder.rules.TestFrames;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.PlainFrame;
import org.junit.jupiter.api.Test;

/**
 * The fast path's key extractor against the parser: a frame the plain path takes is one {@link PacketView} finds
 * well-formed and plain, and the other way round, and both make the same key of it.
 */
class FlowKeysTest
{
    @Test
    void thePlainPathTakesExactlyThePlainFramesAndKeysThemAsTheParseDoes()
    {
        final Random random = new Random(20261207);
        final PacketView view = new PacketView();
        int plain = 0;
        int other = 0;
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment buffer = arena.allocate(2048, 64);
            for (int i = 0; i < 50_000; i++)
            {
                final byte[] frame = TestFrames.vary(TestFrames.randomIpv4(random), random);
                MemorySegment.copy(MemorySegment.ofArray(frame), 0, buffer, 0, frame.length);
                final long address = NativeMemory.address(buffer.address());
                final boolean keyLength = random.nextBoolean();
                final boolean keyTcpFlags = random.nextBoolean();
                final int inPort = random.nextInt(4);
                view.parse(buffer, 0, frame.length);
                final boolean parsedPlain = PacketView.OK == view.verdict() && 4 == view.ipVersion() &&
                    0 == view.vlanCount() && !view.isFragment() && view.hasL4() &&
                    PlainFrame.L4 == view.l4Offset() &&
                    (IpProtocol.UDP == view.protocol() || IpProtocol.TCP == view.protocol());
                final int totalLength = PlainFrame.ipv4Length(address, frame.length);
                long l4Key = FlowKeys.NOT_PLAIN_L4;
                int protocol = -1;
                if (totalLength >= 0)
                {
                    protocol = frame[PlainFrame.L3 + 9] & 0xFF;
                    final long l4 = address + PlainFrame.L4;
                    final int l4Length = totalLength - 20;
                    l4Key = IpProtocol.UDP == protocol ? FlowKeys.udpKey(l4, l4Length) :
                        IpProtocol.TCP == protocol ? FlowKeys.tcpKey(l4, l4Length, keyTcpFlags) :
                        FlowKeys.NOT_PLAIN_L4;
                }
                final boolean fastPlain = FlowKeys.NOT_PLAIN_L4 != l4Key;
                assertEquals(parsedPlain, fastPlain, "frame " + i + ": verdict " + view.verdict());
                if (fastPlain)
                {
                    plain++;
                    assertEquals(FlowKeys.key0(view, inPort), FlowKeys.key0(true, inPort, 0, protocol));
                    assertEquals(FlowKeys.key1(view),
                        FlowKeys.addressKey(NativeMemory.ALL, address + PlainFrame.L3));
                    assertEquals(FlowKeys.key2(view, keyLength, keyTcpFlags),
                        l4Key | FlowKeys.lengthKey(frame.length, keyLength));
                }
                else
                {
                    other++;
                }
            }
        }
        assertTrue(plain > 5_000 && other > 5_000, "both kinds met: " + plain + " plain, " + other + " other");
    }
}
