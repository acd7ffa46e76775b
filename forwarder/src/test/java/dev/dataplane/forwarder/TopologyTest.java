package dev.dataplane.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.dataplane.dpdk.EthDevInfo;
import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import dev.dataplane.forwarder.rules.lang.RulesException;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import org.junit.jupiter.api.Test;

/** The forwarder's plan from the context and the ports' and lcores' facts alone: no EAL. */
class TopologyTest
{
    private static final long GIB = 1L << 30;
    /** As net_null reports itself: 1024 queues, any descriptors, no offloads, no RSS. */
    private static final EthDevInfo NULL = new EthDevInfo("net_null", 1024, 1024, 0, 65535, 0, 1, 65535, 0, 1,
        0, 0, 0, 0);
    /** A NIC with RSS and checksum offloads, 8 queues, descriptors 64..4096 in steps of 32. */
    private static final EthDevInfo NIC = new EthDevInfo("net_nic", 8, 8, 9728, 4096, 64, 32, 4096, 64, 32,
        EthDevInfo.RX_OFFLOAD_IPV4_CKSUM | EthDevInfo.RX_OFFLOAD_UDP_CKSUM,
        EthDevInfo.TX_OFFLOAD_IPV4_CKSUM | EthDevInfo.TX_OFFLOAD_TCP_CKSUM, 0x3AFBCL, 0);

    @Test
    void rulesRunToCompletionOnEveryWorkerUpToOnePerRxQueue() throws RulesException
    {
        final Topology one = Topology.plan(rules().build(), ports(NULL, NULL), 1, false, GIB);
        assertEquals(RunMode.RUN_TO_COMPLETION, one.runMode());
        assertNull(one.pipelineTx());
        assertEquals(1, one.rxLcores());
        assertEquals(0, one.stageLcores());
        assertEquals(1, one.txQueues(), "one transmitting lcore: a TX queue of its own on each port");
        final Topology many = Topology.plan(rules().build(), ports(NULL, NULL), 6, false, GIB);
        assertEquals(RunMode.RUN_TO_COMPLETION, many.runMode(), "the default, however many lcores");
        assertEquals(2, many.rxLcores(), "two RX queues in all: two lcores");
        assertEquals(2, many.txQueues());
    }

    @Test
    void thePipelineSplitsTheLcoresAndPutsTxWhereThePagesSay() throws RulesException
    {
        final ForwarderContext context = rules().runMode(RunMode.PIPELINE).build();
        final Topology small = Topology.plan(context, ports(NULL, NULL), 3, false, GIB);
        assertEquals(1, small.rxLcores());
        assertEquals(2, small.stageLcores());
        assertEquals(PipelineTxLcore.STAGE, small.pipelineTx(), "4 KiB pages: TX on the stage lcores");
        assertEquals(2, small.txQueues());
        assertEquals(1, small.firstTxLcore());
        final Topology huge = Topology.plan(context, ports(NULL, NULL), 3, true, GIB);
        assertEquals(PipelineTxLcore.RX, huge.pipelineTx());
        assertEquals(1, huge.txQueues());
        assertEquals(0, huge.firstTxLcore());
    }

    @Test
    void aForwardModeSendsOnTheQueueNumberedAsItsRxQueue()
    {
        final Topology topology = Topology.plan(ForwarderContext.builder().rxQueues(2).build(), ports(NIC, NIC), 8,
            false, GIB);
        assertEquals(4, topology.rxLcores(), "two ports, two queues each");
        assertEquals(2, topology.txQueues());
        assertEquals(0, topology.txChecksumOffloads()[0], "a forward mode touches no checksum");
        assertTrue(topology.warnings().isEmpty(), topology.warnings().toString());
    }

    @Test
    void rulesUseTheChecksumOffloadsEachPortOffers() throws RulesException
    {
        final Topology topology = Topology.plan(rules().build(), ports(NIC, NULL), 1, false, GIB);
        assertEquals(EthDevInfo.TX_OFFLOAD_IPV4_CKSUM | EthDevInfo.TX_OFFLOAD_TCP_CKSUM,
            topology.txChecksumOffloads()[0]);
        assertEquals(EthDevInfo.RX_OFFLOAD_IPV4_CKSUM | EthDevInfo.RX_OFFLOAD_UDP_CKSUM,
            topology.rxChecksumOffloads()[0]);
        assertEquals(0, topology.txChecksumOffloads()[1]);
        assertEquals(0, Topology.plan(rules().txChecksumOffload(false).build(), ports(NIC, NULL), 1, false, GIB)
            .txChecksumOffloads()[0], "--no-tx-checksum-offload");
    }

    @Test
    void warnsOfQueuesWithoutRssAndOfASmallPool()
    {
        final List<String> warnings = Topology.plan(ForwarderContext.builder().rxQueues(2).mbufs(1023).build(),
            ports(NULL, NULL), 4, false, GIB).warnings();
        assertTrue(warnings.stream().anyMatch(w -> w.contains("offers no RSS")), warnings.toString());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("--mbufs 1023 is fewer than")), warnings.toString());
    }

    @Test
    void refusesWhatThePortsOrLcoresCannotTake() throws RulesException
    {
        refuses("needs an even number", ForwarderContext.builder().build(), ports(NULL), 1);
        refuses("needs a worker lcore", ForwarderContext.builder().build(), ports(NULL, NULL), 0);
        refuses("--nb-cores 3 exceeds", ForwarderContext.builder().forwardingCores(3).build(), ports(NULL, NULL), 2);
        refuses("needs two worker lcores", rules().runMode(RunMode.PIPELINE).build(), ports(NULL, NULL), 1);
        refuses("--pipeline-tx applies to the pipeline", rules().pipelineTx(PipelineTxLcore.RX).build(),
            ports(NULL, NULL), 2);
        refuses("port 0 (net_nic)", ForwarderContext.builder().rxDescriptors(32).build(), ports(NIC, NIC), 1);
        refuses("has at most 8 RX", ForwarderContext.builder().rxQueues(16).build(), ports(NIC, NIC), 1);
        refuses("redirect 5 names a port that is not forwarded", ForwarderContext.builder()
            .rules(RulesParser.parse("proto udp => redirect 5\n", "r.rules")).build(), ports(NULL, NULL), 1);
        final IllegalArgumentException heap = assertThrows(IllegalArgumentException.class, () -> Topology.plan(
            rules().flowCacheEntries(1 << 20).build(), ports(NULL, NULL), 1, false, 64L << 20));
        assertTrue(heap.getMessage().contains("more than half the JVM's heap"), heap.getMessage());
    }

    private static void refuses(final String expected, final ForwarderContext context,
        final Map<Integer, EthDevInfo> ports, final int workers)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> Topology.plan(context, ports, workers, false, GIB));
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }

    private static ForwarderContext.Builder rules() throws RulesException
    {
        return ForwarderContext.builder().rules(RulesParser.parse("proto udp => accept\n", "t.rules"));
    }

    private static Map<Integer, EthDevInfo> ports(final EthDevInfo... infos)
    {
        final Map<Integer, EthDevInfo> ports = new LinkedHashMap<>();
        for (int port = 0; port < infos.length; port++)
        {
            ports.put(port, infos[port]);
        }
        return ports;
    }
}
