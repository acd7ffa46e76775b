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
 * The rules path allocates nothing either: real UDP frames (a pcap replayed forever by net_pcap) parsed, classified
 * against a rule list, and rewritten by the DNAT rule at its end, stateless (the flow cache's path; the stateful one
 * is {@link StatefulHotPathAllocationTest}'s).
 */
class RulesHotPathAllocationTest
{
    @Test
    void rulesAllocateNothingPerPacket(@TempDir final Path dir) throws Exception
    {
        final Eal eal = Eal.init(ealArgs(PcapForwardingScenario.endlessDnatPorts(dir)));
        try
        {
            AllocationProbe.assertAllocatesNothing(Forwarder.create(eal, ForwarderContext.builder()
                .rules(RulesParser.parse("""
                    bogons: src 0.0.0.0/8 => drop
                    telnet: proto tcp dport 23 => drop
                    dns:    proto udp dport 53 => count
                    vip:    proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083 dec-ttl
                    """, "alloc.rules"))
                .connTrack(new ConnTrackConfig(ConnTrackConfig.Mode.OFF, ConnTrackConfig.DEFAULT_MAX_FLOWS, false,
                    Map.of())).build()));
        }
        finally
        {
            eal.close();
        }
    }
}
