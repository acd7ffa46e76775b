package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.THREE_LCORES;
import static dev.dataplane.testing.DpdkTestSupport.ealArgsOnLcores;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.testing.ForkedScenario;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pipeline allocates nothing either, on its RX lcore (claim, fill, publish) or on its stage lcore (Disruptor
 * pollers, rules stage, TX stage), over millions of packets, including while the ring is full and bursts are dropped,
 * with the TX stages on either lcore.
 */
class PipelineHotPathAllocationTest
{
    /** With the TX stages on the stage lcores and on the RX lcores: a JVM each (EAL starts once). */
    @ParameterizedTest(name = "TX on the {0} lcores")
    @ValueSource(strings = {"stage", "rx"})
    void pipelineLcoresAllocateNothingPerPacket(final String pipelineTx, @TempDir final Path dir) throws Exception
    {
        ForkedScenario.run(dir, PipelineHotPathAllocationTest.class, "scenario", dir.toString(), pipelineTx);
    }

    static void scenario(final String[] args) throws Exception
    {
        check(Path.of(args[0]), PipelineTxLcore.of(args[1]));
    }

    /** The check with the pipeline's TX stages on {@code pipelineTx}. */
    static void check(final Path dir, final PipelineTxLcore pipelineTx) throws Exception
    {
        final Eal eal = Eal.init(ealArgsOnLcores(THREE_LCORES, PcapForwardingScenario.endlessDnatPorts(dir)));
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
