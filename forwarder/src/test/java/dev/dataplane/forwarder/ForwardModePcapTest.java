package dev.dataplane.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import dev.dataplane.forwarder.engine.ForwardMode;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.testing.ForkedScenario;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each forward mode through net_pcap (pcap in, pcap out; {@link PcapForwardingScenario}): io forwards every frame byte
 * for byte, mac rewrites only the MACs, macswap swaps them; both drop the runt as malformed. A JVM each (EAL starts
 * once per process).
 */
class ForwardModePcapTest
{
    @ParameterizedTest
    @EnumSource(ForwardMode.class)
    void forwardsThePcapAsTheModeSays(final ForwardMode mode, @TempDir final Path dir) throws Exception
    {
        ForkedScenario.run(dir, ForwardModePcapTest.class, "scenario", dir.toString(), mode.name());
    }

    static void scenario(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        switch (ForwardMode.valueOf(args[1]))
        {
            case IO -> io(dir);
            case MAC -> mac(dir);
            case MACSWAP -> macSwap(dir);
        }
    }

    private static void io(final Path dir) throws Exception
    {
        final List<byte[]> in0 = PcapForwardingScenario.mixedFrames(0);
        final List<byte[]> in1 = PcapForwardingScenario.mixedFrames(1).subList(0, 7);
        final PcapForwardingScenario.Outcome outcome =
            PcapForwardingScenario.run(dir, ForwardMode.IO, in0, in1, in0.size() + in1.size());

        assertEquals(in0.size(), outcome.out1().size());
        for (int i = 0; i < in0.size(); i++)
        {
            assertArrayEquals(in0.get(i), outcome.out1().get(i), "frame " + i + " of port 0 -> 1");
        }
        assertEquals(in1.size(), outcome.out0().size());
        for (int i = 0; i < in1.size(); i++)
        {
            assertArrayEquals(in1.get(i), outcome.out0().get(i), "frame " + i + " of port 1 -> 0");
        }
        assertEquals(0, outcome.malformed(), "io mode forwards even a runt untouched");
    }

    private static void mac(final Path dir) throws Exception
    {
        final List<byte[]> in0 = PcapForwardingScenario.mixedFrames(0);
        final List<byte[]> in1 = PcapForwardingScenario.mixedFrames(1).subList(0, 7);
        final int runts = 1;
        final PcapForwardingScenario.Outcome outcome =
            PcapForwardingScenario.run(dir, ForwardMode.MAC, in0, in1, in0.size() - runts + in1.size());

        assertEquals(runts, outcome.malformed());
        assertEquals(in0.size() - runts, outcome.out1().size());
        for (int i = 0; i < outcome.out1().size(); i++)
        {
            // Sent on port 1: source is port 1's MAC, destination port 1's default peer 02:00:00:00:00:01.
            assertRewritten(in0.get(i), outcome.out1().get(i), outcome.mac1(), 0x0200_0000_0001L);
        }
        assertEquals(in1.size(), outcome.out0().size());
        for (int i = 0; i < in1.size(); i++)
        {
            assertRewritten(in1.get(i), outcome.out0().get(i), outcome.mac0(), 0x0200_0000_0000L);
        }
    }

    private static void assertRewritten(final byte[] in, final byte[] out, final long source, final long destination)
    {
        assertEquals(in.length, out.length);
        final MemorySegment s = MemorySegment.ofArray(out);
        assertEquals(destination, EthernetHeader.destination(s, 0));
        assertEquals(source, EthernetHeader.source(s, 0));
        assertArrayEquals(Arrays.copyOfRange(in, 12, in.length), Arrays.copyOfRange(out, 12, out.length),
            "everything after the MACs is untouched");
    }

    private static void macSwap(final Path dir) throws Exception
    {
        final List<byte[]> in0 = PcapForwardingScenario.mixedFrames(0);
        final List<byte[]> in1 = PcapForwardingScenario.mixedFrames(1).subList(0, 9);
        final PcapForwardingScenario.Outcome outcome =
            PcapForwardingScenario.run(dir, ForwardMode.MACSWAP, in0, in1, in0.size() - 1 + in1.size());

        assertEquals(1, outcome.malformed(), "the runt has no MACs to swap");
        assertEquals(in0.size() - 1, outcome.out1().size());
        for (int i = 0; i < outcome.out1().size(); i++)
        {
            assertArrayEquals(swapped(in0.get(i)), outcome.out1().get(i), "frame " + i);
        }
        for (int i = 0; i < in1.size(); i++)
        {
            assertArrayEquals(swapped(in1.get(i)), outcome.out0().get(i), "frame " + i + " of port 1");
        }
    }

    private static byte[] swapped(final byte[] frame)
    {
        final byte[] out = frame.clone();
        System.arraycopy(frame, 6, out, 0, 6);
        System.arraycopy(frame, 0, out, 6, 6);
        assertEquals(Arrays.toString(Arrays.copyOfRange(frame, 12, frame.length)),
            Arrays.toString(Arrays.copyOfRange(out, 12, out.length)));
        return out;
    }
}
