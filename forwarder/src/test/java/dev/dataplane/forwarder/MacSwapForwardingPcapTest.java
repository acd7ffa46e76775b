package dev.dataplane.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import dev.dataplane.forwarder.engine.ForwardMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MacSwapForwardingPcapTest
{
    @Test
    void swapsSourceAndDestinationAndTouchesNothingElse(@TempDir final Path dir) throws Exception
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
