package dev.dataplane.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import dev.dataplane.forwarder.engine.ForwardMode;
import dev.dataplane.net.EthernetHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MacForwardingPcapTest
{
    @Test
    void rewritesOnlyTheMacsAndDropsRuntsAsMalformed(@TempDir final Path dir) throws Exception
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
}
