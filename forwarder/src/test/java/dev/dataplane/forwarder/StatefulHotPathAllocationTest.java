package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;

import java.nio.file.Path;
import java.util.Map;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.conntrack.ConnTrackConfig;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stateful rules path allocates nothing: real UDP frames of 64 flows (a pcap replayed forever by net_pcap on
 * both ports) tracked, classified with their connection state, the service's bound to a DNAT by their first packet
 * and translated from the connection thereafter, with the sweep going round the table every burst.
 */
class StatefulHotPathAllocationTest
{
    @Test
    void trackingAndTranslatingAllocateNothingPerPacket(@TempDir final Path dir) throws Exception
    {
        final String replay = PcapForwardingScenario.endlessDnatReplay(dir);
        final Eal eal = Eal.init(ealArgs("net_pcap0," + replay, "net_pcap1," + replay));
        try
        {
            AllocationProbe.assertAllocatesNothing(Forwarder.create(eal, ForwarderContext.builder()
                .rules(RulesParser.parse("""
                    invalid: ct-state invalid => drop
                    vip:     proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083 dec-ttl
                    known:   ct-state established,related => accept
                    """, "alloc.rules"))
                .connTrack(new ConnTrackConfig(ConnTrackConfig.Mode.ON, 4096, false, Map.of())).build()));
        }
        finally
        {
            eal.close();
        }
    }
}
