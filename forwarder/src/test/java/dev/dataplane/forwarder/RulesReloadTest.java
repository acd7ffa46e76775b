package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.THREE_LCORES;
import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgsOnLcores;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.NativeMemory;
import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import dev.dataplane.forwarder.rules.RulesState;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.forwarder.stats.ForwarderStats;
import dev.dataplane.forwarder.stats.PortCounter;
import dev.dataplane.forwarder.stats.PortTotals;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.testing.ForkedScenario;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rules swapped while 1000 packets bounce between two loopback net_ring ports: each generation counts from the
 * burst it takes over, no lcore stops, no packet is lost or made, and a set that does not fit is refused with the
 * old one left in force.
 */
class RulesReloadTest
{
    private static final int PACKETS = 1000;

    /** Run to completion, and the pipeline with its TX stages on either lcore: a JVM each (EAL starts once). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"run-to-completion", "stage", "rx"})
    void swapsRulesUnderTrafficWithoutLosingAPacket(final String layout, @TempDir final Path dir) throws Exception
    {
        ForkedScenario.run(dir, RulesReloadTest.class, "scenario", layout);
    }

    static void scenario(final String[] args) throws Exception
    {
        final PipelineTxLcore pipelineTx = PipelineTxLcore.of(args[0]);
        runReloads(null == pipelineTx ? "0,1" : THREE_LCORES,
            null == pipelineTx ? RunMode.RUN_TO_COMPLETION : RunMode.PIPELINE, pipelineTx);
    }

    /**
     * The reload scenario on EAL lcores {@code lcores}, the rules run in {@code runMode} (a pipeline's TX stages on
     * {@code pipelineTx}; null to run to completion).
     */
    static void runReloads(final String lcores, final RunMode runMode, final PipelineTxLcore pipelineTx)
        throws Exception
    {
        final Eal eal = Eal.init(ealArgsOnLcores(lcores, "net_ring0", "net_ring1"));
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder().runMode(runMode)
                .pipelineTx(pipelineTx)
                .rules(RulesParser.parse("first: ip4 => count\npolicy accept\n", "first.rules")).build());
            assertEquals(runMode, forwarder.runMode());
            assertEquals(pipelineTx, forwarder.pipelineTx());
            final ForwarderStats stats = new ForwarderStats(forwarder);
            final byte[] frame = new FrameBuilder().udp(1, 2).length(64).build();
            final MbufArray inject = new MbufArray(PACKETS);
            assertTrue(forwarder.pool().allocBulk(inject, PACKETS));
            for (int i = 0; i < PACKETS; i++)
            {
                MemorySegment.copy(MemorySegment.ofArray(frame), 0, NativeMemory.ALL, Mbuf.dataAddress(inject.get(i)),
                    frame.length);
                Mbuf.setLength(inject.get(i), frame.length);
            }
            assertEquals(PACKETS, EthDev.txBurst(0, 0, inject, 0, PACKETS));
            forwarder.start();

            assertTrue(await(() -> stats.rulesSnapshot().packets(0) >= 20L * PACKETS, 20_000), "first rules count");
            final RulesState second = forwarder.reload(RulesParser.parse(
                "second: proto udp dport 2 => count\nudp: proto udp => accept\npolicy drop\n", "second.rules"));
            assertEquals(2, second.generation());
            assertTrue(await(() -> stats.rulesSnapshot().packets(1) >= 20L * PACKETS, 20_000), "second rules count");

            final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () ->
                forwarder.reload(RulesParser.parse("away: ip4 => redirect 7\n", "bad.rules")));
            assertTrue(refused.getMessage().contains("bad.rules:1: redirect 7 names a port that is not forwarded"),
                refused.getMessage());
            assertSame(second, forwarder.rulesState(), "the old rules stay in force");

            forwarder.stop();
            final ForwarderStats.RulesSnapshot counts = stats.rulesSnapshot();
            assertEquals(counts.packets(0), counts.packets(1), "every packet matched both rules of the second set");
            final PortTotals all = ForwarderStats.sum(stats.snapshot());
            assertEquals(0, all.get(PortCounter.FILTERED), "policy drop never applied: every packet matched 'udp'");
            assertEquals(0, all.get(PortCounter.TX_DROPPED));
            assertEquals(0, all.ringFull());
            assertEquals(all.rxPackets(), all.txPackets() + forwarder.ringDrainedAtStop(),
                "no packet lost or made in flight");
            assertEquals(PACKETS, forwarder.drainedAtStop() + forwarder.ringDrainedAtStop(),
                "exactly the injected packets were still in flight");
            forwarder.close();
            assertEquals(0, forwarder.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
    }
}
