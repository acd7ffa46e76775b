package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.THREE_LCORES;

import java.nio.file.Path;

import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link PipelineForwardingPcapTest}'s scenario, frames, counts and tshark checks with the pipeline's TX stage on
 * the RX lcore ({@link PipelineTxLcore#RX}): the stage lcore only runs the rules.
 */
class PipelineTxOnRxForwardingPcapTest
{
    @Test
    void pipelineWithTxOnTheRxLcoreForwardsAsRunToCompletionDoes(@TempDir final Path dir) throws Exception
    {
        RulesForwardingPcapTest.runScenario(dir, THREE_LCORES, RunMode.PIPELINE, PipelineTxLcore.RX);
    }
}
