package dev.dataplane.forwarder;

import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import org.junit.jupiter.api.Test;

/**
 * {@link PipelineConservationTest} with the pipeline's TX stage on the RX lcore: with the rings overflowing, every
 * packet received is forwarded, counted or drained at stop, and every mbuf returns.
 */
class PipelineTxOnRxConservationTest
{
    @Test
    void everyPacketIsAccountedForWithTxOnTheRxLcore() throws Exception
    {
        PipelineConservationTest.check(PipelineTxLcore.RX);
    }
}
