package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.THREE_LCORES;

import java.nio.file.Path;

import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipeline mode gives what run-to-completion gives: the same scenario, frames, counts and tshark checks as
 * {@link RulesForwardingPcapTest}, with an RX lcore publishing into a Disruptor ring and a stage lcore running the
 * rules and TX stages (in a JVM of its own: EAL starts once per process).
 * {@link PipelineTxOnRxForwardingPcapTest} runs it with TX on the RX lcore.
 */
class PipelineForwardingPcapTest
{
    @Test
    void pipelineRedirectsDropsReflectsAndCountsAsRunToCompletionDoes(@TempDir final Path dir) throws Exception
    {
        RulesForwardingPcapTest.runScenario(dir, THREE_LCORES, RunMode.PIPELINE, PipelineTxLcore.STAGE);
    }
}
