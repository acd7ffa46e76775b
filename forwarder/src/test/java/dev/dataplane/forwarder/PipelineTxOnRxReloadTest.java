package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.THREE_LCORES;

import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import org.junit.jupiter.api.Test;

/**
 * {@link PipelineReloadTest} with the pipeline's TX stage on the RX lcore: reloads under traffic lose nothing.
 */
class PipelineTxOnRxReloadTest
{
    @Test
    void swapsRulesUnderTrafficWithTxOnTheRxLcore() throws Exception
    {
        RulesReloadTest.runReloads(THREE_LCORES, RunMode.PIPELINE, PipelineTxLcore.RX);
    }
}
