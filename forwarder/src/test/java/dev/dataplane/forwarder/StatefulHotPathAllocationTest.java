package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.conntrack.ConnTrackConfig;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stateful rules path allocates nothing: real UDP frames of 64 flows (a pcap replayed forever by net_pcap on
 * both ports) tracked, classified with their connection state, the service's bound to a DNAT by their first packet
 * and translated from the connection thereafter, with the sweep going round the table every burst: most by the
 * stateful fast path (their rule rewrites nothing but the translation, or no rule matches), the flows from
 * 192.168.1.0/27 parsed (their rule decrements the TTL too).
 */
class StatefulHotPathAllocationTest
{
    @Test
    void trackingAndTranslatingAllocateNothingPerPacket(@TempDir final Path dir) throws Exception
    {
        final Eal eal = Eal.init(ealArgs(PcapForwardingScenario.endlessDnatPorts(dir)));
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder()
                .rules(RulesParser.parse("""
                    invalid: ct-state invalid => drop
                    ttl: proto udp src 192.168.1.0/27 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083 dec-ttl
                    vip: proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083
                    known:   ct-state established,related => accept
                    """, "alloc.rules"))
                .connTrack(new ConnTrackConfig(ConnTrackConfig.Mode.ON, 4096, false, Map.of())).build());
            AllocationProbe.assertAllocatesNothing(forwarder);
            for (final RulesProcessor processor : forwarder.processors())
            {
                final long received = processor.outcome(RulesProcessor.RECEIVED);
                assertTrue(received > 1_000_000 && processor.outcome(RulesProcessor.CLASSIFIED) < received / 1000,
                    "each port's packets went by their connection's kept verdict: " + received + " received, " +
                    processor.outcome(RulesProcessor.CLASSIFIED) + " classified");
            }
        }
        finally
        {
            eal.close();
        }
    }
}
