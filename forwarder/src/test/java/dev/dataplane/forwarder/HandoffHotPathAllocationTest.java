package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgsOnLcores;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.conntrack.ConnTrackConfig;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.testing.DpdkTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Handing packets between lcores allocates nothing: two lcores share the connections of 64 UDP flows that every RX
 * queue of both ports replays (two queues a port, net_pcap), so each flow arrives at both lcores and the one that does
 * not hold it hands every packet of it to the one that does, which runs it through its rules and sends it.
 */
class HandoffHotPathAllocationTest
{
    @Test
    void handingPacketsToTheirConnectionsLcoreAllocatesNothing(@TempDir final Path dir) throws Exception
    {
        PcapForwardingScenario.endlessDnatReplay(dir);
        // Two RX queues replaying the pcap (infinite_rx given once: net_pcap ignores it given twice), two TX queues.
        final String pcap = dir.resolve("in.pcap").toString();
        final String queues = String.join(",", "rx_pcap=" + pcap, "rx_pcap=" + pcap, "infinite_rx=1",
            "tx_pcap=/dev/null", "tx_pcap=/dev/null");
        final Eal eal = Eal.init(ealArgsOnLcores(DpdkTestSupport.THREE_LCORES, "net_pcap0," + queues,
            "net_pcap1," + queues));
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder().rxQueues(2)
                .rules(RulesParser.parse("vip: proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 " +
                    "set-dport 8083\n", "alloc.rules"))
                .connTrack(new ConnTrackConfig(ConnTrackConfig.Mode.ON, 4096, false, Map.of())).build());
            assertTrue(forwarder.lcores().size() == 2, "two lcores");
            AllocationProbe.assertAllocatesNothing(forwarder);
            long handedOff = 0;
            long handedIn = 0;
            long received = 0;
            for (final RulesProcessor processor : forwarder.processors())
            {
                handedOff += processor.outcome(RulesProcessor.HANDED_OFF);
                handedIn += processor.outcome(RulesProcessor.HANDED_IN);
                received += processor.outcome(RulesProcessor.RECEIVED);
            }
            assertTrue(handedOff > received / 10 && handedIn > 0, received + " received, " + handedOff +
                " handed off, " + handedIn + " handed in");
        }
        finally
        {
            eal.close();
        }
    }
}
