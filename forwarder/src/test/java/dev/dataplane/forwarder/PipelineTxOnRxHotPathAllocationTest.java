package dev.dataplane.forwarder;

import java.nio.file.Path;

import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PipelineHotPathAllocationTest} with the pipeline's TX stage on the RX lcore: neither lcore allocates.
 */
class PipelineTxOnRxHotPathAllocationTest
{
    @Test
    void pipelineLcoresAllocateNothingWithTxOnTheRxLcore(@TempDir final Path dir) throws Exception
    {
        PipelineHotPathAllocationTest.check(dir, PipelineTxLcore.RX);
    }
}
