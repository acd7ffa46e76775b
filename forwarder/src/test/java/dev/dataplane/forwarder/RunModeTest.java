package dev.dataplane.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import org.junit.jupiter.api.Test;

class RunModeTest
{
    @Test
    void knowsItsCliNames()
    {
        assertEquals(RunMode.PIPELINE, RunMode.of("pipeline"));
        assertEquals(RunMode.RUN_TO_COMPLETION, RunMode.of("run-to-completion"));
        assertEquals(RunMode.RUN_TO_COMPLETION, RunMode.of("rtc"));
        assertNull(RunMode.of("pipe"));
    }

    @Test
    void pipelineTxGoesToTheRxLcoreOnHugepagesOnly()
    {
        assertEquals(PipelineTxLcore.RX, PipelineTxLcore.defaultFor(true));
        assertEquals(PipelineTxLcore.STAGE, PipelineTxLcore.defaultFor(false));
        assertEquals(PipelineTxLcore.RX, PipelineTxLcore.of("rx"));
        assertEquals(PipelineTxLcore.STAGE, PipelineTxLcore.of("stage"));
        assertNull(PipelineTxLcore.of("nic"));
    }
}
