package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.THREE_LCORES;
import static dev.dataplane.testing.DpdkTestSupport.ealArgsOnLcores;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline allocates nothing either, on its RX lcore (claim, fill, publish) or on its stage lcore (Disruptor
 * pollers, rules stage, TX stage), over millions of packets, including while the ring is full and bursts are dropped.
 * TX on the stage lcore here; on the RX lcore in {@link PipelineTxOnRxHotPathAllocationTest}.
 */
class PipelineHotPathAllocationTest
{
    @Test
    void pipelineLcoresAllocateNothingPerPacket(@TempDir final Path dir) throws Exception
    {
        check(dir, PipelineTxLcore.STAGE);
    }

    /** The check with the pipeline's TX stages on {@code pipelineTx}. */
    static void check(final Path dir, final PipelineTxLcore pipelineTx) throws Exception
    {
        final String replay = PcapForwardingScenario.endlessDnatReplay(dir);
        final Eal eal = Eal.init(ealArgsOnLcores(THREE_LCORES, "net_pcap0," + replay, "net_pcap1," + replay));
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder()
                .runMode(RunMode.PIPELINE).pipelineTx(pipelineTx)
                .rules(RulesParser.parse("""
                    bogons: src 0.0.0.0/8 => drop
                    dns:    proto udp dport 53 => count
                    vip:    proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083
                    other:  proto udp dst 10.0.9.0/24 => accept dec-ttl
                    """, "alloc.rules")).build());
            assertEquals(2, forwarder.lcores().size(), "one RX lcore, one stage lcore");
            AllocationProbe.assertAllocatesNothing(forwarder);
        }
        finally
        {
            eal.close();
        }
    }
}
