package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.forwarder.stats.ForwarderStats;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.Ipv4Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** redirect across four net_pcap ports: port 0's 10.9/16 traffic leaves by port 3, the rest by its pair, port 1. */
class RedirectForwardingPcapTest
{
    @Test
    void sendsRedirectedFramesOutOfTheNamedPort(@TempDir final Path dir) throws Exception
    {
        final List<byte[]> in0 = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            in0.add(new FrameBuilder().ipv4(Ipv4Header.parseAddress("192.168.0.1"),
                Ipv4Header.parseAddress(i % 3 == 0 ? "10.9.1." + i : "10.8.1." + i)).udp(1000 + i, 2000).length(64)
                .build());
        }
        final List<String> vdevs = new ArrayList<>();
        for (int port = 0; port < 4; port++)
        {
            PcapForwardingScenario.writePcap(dir.resolve("in" + port + ".pcap"), port == 0 ? in0 : List.of());
            vdevs.add("net_pcap" + port + ",rx_pcap=" + dir.resolve("in" + port + ".pcap") + ",tx_pcap=" +
                dir.resolve("out" + port + ".pcap"));
        }
        final Eal eal = Eal.init(ealArgs(vdevs.toArray(new String[0])));
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder().rules(RulesParser.parse(
                "away: in-port 0 dst 10.9.0.0/16 => redirect 3\n", "redirect.rules")).build());
            final ForwarderStats stats = new ForwarderStats(forwarder);
            forwarder.start();
            assertTrue(await(() -> ForwarderStats.sum(stats.snapshot()).txPackets() >= in0.size(), 20_000));
            forwarder.stop();
            forwarder.close();
            assertEquals(0, forwarder.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
        final List<byte[]> out3 = PcapForwardingScenario.readPcap(dir.resolve("out3.pcap"));
        final List<byte[]> out1 = PcapForwardingScenario.readPcap(dir.resolve("out1.pcap"));
        assertEquals(4, out3.size());
        assertEquals(8, out1.size());
        for (int i = 0, r = 0, a = 0; i < in0.size(); i++)
        {
            final byte[] expected = in0.get(i);
            final byte[] actual = i % 3 == 0 ? out3.get(r++) : out1.get(a++);
            assertEquals(Arrays.toString(expected), Arrays.toString(actual), "frame " + i + " unchanged");
        }
        assertEquals(0, PcapForwardingScenario.readPcap(dir.resolve("out0.pcap")).size());
        assertEquals(0, PcapForwardingScenario.readPcap(dir.resolve("out2.pcap")).size());
    }
}
