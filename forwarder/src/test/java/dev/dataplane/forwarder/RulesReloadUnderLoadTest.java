package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.rules.RulesState;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.forwarder.stats.ForwarderStats;
import dev.dataplane.forwarder.stats.PortCounter;
import dev.dataplane.forwarder.stats.PortTotals;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.pcap.PcapWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads while the lcore runs flat out: both ports replay a pcap of 256 DNAT'd flows without end (net_pcap's
 * infinite_rx, TX dropped by the device), so every burst is full and a stall would show as a rate that stops. Twenty
 * reloads alternate a DNAT set and a drop set; each generation takes over at once (its rule counts 200,000 packets),
 * the lcore never stops between them, and at the end every packet received is accounted for as sent, refused by TX
 * or dropped by rule, and every mbuf is back. ({@link RulesReloadTest} keeps 1,000 packets bouncing on net_ring,
 * where none can be lost; this one runs at the rate the device gives.)
 */
class RulesReloadUnderLoadTest
{
    private static final int RELOADS = 20;

    @TempDir
    Path dir;

    @Test
    void everyReloadTakesOverAtOnceWhileTheLcoreRunsFlatOut() throws Exception
    {
        final Path pcap = dir.resolve("flows.pcap");
        try (PcapWriter writer = PcapWriter.create(pcap))
        {
            for (int i = 0; i < 256; i++)
            {
                final byte[] frame = new FrameBuilder().ipv4(Ipv4Header.parseAddress("198.18.0.1") + i,
                    Ipv4Header.parseAddress("10.0.8.17")).udp(40000 + i, 8080).length(60).build();
                writer.write(i * 1000L, frame, 0, frame.length);
            }
        }
        final String spec = ",rx_pcap=" + pcap + ",infinite_rx=1";
        final Eal eal = Eal.init(ealArgs("net_pcap0" + spec, "net_pcap1" + spec));
        try
        {
            final RuleSet dnat = RulesParser.parse(
                "vip: proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083\n", "dnat.rules");
            final RuleSet drop = RulesParser.parse("gone: proto udp => drop\n", "drop.rules");
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder().rules(dnat).build());
            final ForwarderStats stats = new ForwarderStats(forwarder);
            forwarder.start();
            assertTrue(await(() -> stats.rulesSnapshot().packets(0) > 100_000, 20_000), "the first rules count");
            for (int reload = 0; reload < RELOADS; reload++)
            {
                final RulesState state = forwarder.reload(reload % 2 == 0 ? drop : dnat);
                assertEquals(reload + 2, state.generation());
                final long before = ForwarderStats.sum(stats.snapshot()).rxPackets();
                assertTrue(await(() -> stats.rulesSnapshot().packets(0) > 200_000, 10_000),
                    "generation " + state.generation() + " counts within seconds under load");
                assertTrue(ForwarderStats.sum(stats.snapshot()).rxPackets() > before, "the lcore goes on");
            }
            forwarder.stop();
            final PortTotals all = ForwarderStats.sum(stats.snapshot());
            assertTrue(all.get(PortCounter.FILTERED) > 0, "the drop generations dropped");
            assertEquals(0, all.get(PortCounter.MALFORMED));
            assertEquals(all.rxPackets(), all.txPackets() + all.get(PortCounter.TX_DROPPED) + all.get(PortCounter.FILTERED),
                "every packet received was sent, refused by TX, or dropped by rule");
            forwarder.close();
            assertEquals(0, forwarder.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
    }
}
