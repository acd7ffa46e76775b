package dev.dataplane.forwarder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;

import dev.dataplane.forwarder.engine.ForwardMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IoForwardingPcapTest
{
    @Test
    void forwardsEveryFrameOfThePcapByteForByte(@TempDir final Path dir) throws Exception
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
}
