package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.rules.RulesParser;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.Ipv4Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules path allocates nothing either: real UDP frames (a pcap replayed forever by net_pcap) parsed, classified
 * against a rule list, and rewritten by the DNAT rule at its end.
 */
class RulesHotPathAllocationTest
{
    @Test
    void rulesAllocateNothingPerPacket(@TempDir final Path dir) throws Exception
    {
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 64; i++)
        {
            frames.add(new FrameBuilder().ipv4(Ipv4Header.parseAddress("192.168.1." + (i + 1)),
                Ipv4Header.parseAddress(i % 2 == 0 ? "10.0.8.17" : "10.0.9.1")).udp(40000 + i,
                    8080).length(64).build());
        }
        PcapForwardingScenario.writePcap(dir.resolve("in.pcap"), frames);
        final String replay = "rx_pcap=" + dir.resolve("in.pcap") + ",infinite_rx=1,tx_pcap=/dev/null";
        final Eal eal = Eal.init(ealArgs("net_pcap0," + replay, "net_pcap1," + replay));
        try
        {
            AllocationProbe.assertAllocatesNothing(Forwarder.create(eal, ForwarderContext.builder()
                .rules(RulesParser.parse("""
                    bogons: src 0.0.0.0/8 => drop
                    telnet: proto tcp dport 23 => drop
                    dns:    proto udp dport 53 => count
                    vip:    proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083 dec-ttl
                    """, "alloc.rules")).build()));
        }
        finally
        {
            eal.close();
        }
    }
}
