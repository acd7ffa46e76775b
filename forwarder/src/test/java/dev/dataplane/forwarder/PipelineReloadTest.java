package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.THREE_LCORES;

import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import org.junit.jupiter.api.Test;

/**
 * Reloads in pipeline mode: the rules stage picks each generation up at its next batch, with the RX lcore publishing
 * all the while; the same checks as {@link RulesReloadTest} (in a JVM of its own: EAL starts once per process). TX
 * on the stage lcore; {@link PipelineTxOnRxReloadTest} covers the other placement.
 */
class PipelineReloadTest
{
    @Test
    void swapsRulesUnderTrafficInThePipelineWithoutLosingAPacket() throws Exception
    {
        RulesReloadTest.runReloads(THREE_LCORES, RunMode.PIPELINE, PipelineTxLcore.STAGE);
    }
}
