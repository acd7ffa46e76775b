package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.THREE_LCORES;
import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgsOnLcores;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.pipeline.PipelineTx;
import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.forwarder.stats.ForwarderStats;
import dev.dataplane.forwarder.stats.PortCounter;
import dev.dataplane.forwarder.stats.PortTotals;
import dev.dataplane.runtime.Poller;
import dev.dataplane.testing.ForkedScenario;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The pipeline loses nothing it does not count: net_null offers packets faster than the stages take them, so the
 * rings fill and whole bursts are dropped at RX; every packet received is then forwarded, counted as ring-full, or
 * freed from a ring at stop, and every mbuf returns to the pool, with the TX stages on either lcore.
 */
class PipelineConservationTest
{
    private static final long PACKETS = 2_000_000;

    /** With the TX stages on the stage lcores and on the RX lcores: a JVM each (EAL starts once). */
    @ParameterizedTest(name = "TX on the {0} lcores")
    @ValueSource(strings = {"stage", "rx"})
    void everyPacketReceivedIsForwardedOrCountedAndEveryMbufReturns(final String pipelineTx, @TempDir final Path dir)
        throws Exception
    {
        ForkedScenario.run(dir, PipelineConservationTest.class, "scenario", pipelineTx);
    }

    static void scenario(final String[] args) throws Exception
    {
        check(PipelineTxLcore.of(args[0]));
    }

    /** The check with the pipeline's TX stages on {@code pipelineTx}. */
    static void check(final PipelineTxLcore pipelineTx) throws Exception
    {
        final Eal eal = Eal.init(ealArgsOnLcores(THREE_LCORES, "net_null0", "net_null1"));
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder().ringSize(256)
                .runMode(RunMode.PIPELINE).pipelineTx(pipelineTx)
                .rules(RulesParser.parse("proto tcp dport 23 => drop\npolicy accept", "t.rules")).build());
            assertEquals(pipelineTx, forwarder.pipelineTx());
            final List<Poller> onRxLcore = List.of(forwarder.lcores().get(0).pollers());
            assertEquals(PipelineTxLcore.RX == pipelineTx, onRxLcore.stream().anyMatch(p -> p instanceof PipelineTx),
                "the TX stage runs on the RX lcore exactly when asked to: " + onRxLcore);
            final ForwarderStats stats = new ForwarderStats(forwarder);
            forwarder.start();
            assertTrue(await(() -> ForwarderStats.sum(stats.snapshot()).txPackets() >= PACKETS, 60_000));
            forwarder.stop();
            final PortTotals[] ports = stats.snapshot();
            final PortTotals all = ForwarderStats.sum(ports);
            assertTrue(all.ringFull() > 0, "net_null outruns the stages, so the rings filled");
            assertEquals(all.rxPackets(), all.txPackets() + all.get(PortCounter.TX_DROPPED) + all.get(PortCounter.FILTERED) + all.get(PortCounter.MALFORMED) +
                all.ringFull() + forwarder.ringDrainedAtStop(), "received = forwarded + counted + drained");
            for (final PortTotals port : ports)
            {
                assertEquals(port.deviceTxPackets(), port.txPackets(), "port " + port.port() + " tx");
            }
            forwarder.close();
            assertEquals(0, forwarder.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
    }
}
