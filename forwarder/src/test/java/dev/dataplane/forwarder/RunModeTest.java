package dev.dataplane.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import org.junit.jupiter.api.Test;

class RunModeTest
{
    @Test
    void runsToCompletionUnlessWorkersOutnumberTheRxQueues()
    {
        assertEquals(RunMode.RUN_TO_COMPLETION, RunMode.defaultFor(1, 2), "one worker: nothing to pipeline onto");
        assertEquals(RunMode.RUN_TO_COMPLETION, RunMode.defaultFor(2, 2), "a worker per queue: run to completion");
        assertEquals(RunMode.RUN_TO_COMPLETION, RunMode.defaultFor(1, 1));
        assertEquals(RunMode.PIPELINE, RunMode.defaultFor(2, 1), "an idle worker otherwise: it takes the stages");
        assertEquals(RunMode.PIPELINE, RunMode.defaultFor(6, 2));
    }

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
