package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.THREE_LCORES;
import static dev.dataplane.testing.DpdkTestSupport.ealArgsOnLcores;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
 * The pipeline allocates nothing either, on its RX lcore (claim, fill, publish) or on its stage lcore (Disruptor
 * pollers, rules stage, TX stage), over millions of packets, including while the ring is full and bursts are dropped.
 */
class PipelineHotPathAllocationTest
{
    @Test
    void pipelineLcoresAllocateNothingPerPacket(@TempDir final Path dir) throws Exception
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
        final Eal eal = Eal.init(ealArgsOnLcores(THREE_LCORES, "net_pcap0," + replay, "net_pcap1," + replay));
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder()
                .runMode(RunMode.PIPELINE)
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
