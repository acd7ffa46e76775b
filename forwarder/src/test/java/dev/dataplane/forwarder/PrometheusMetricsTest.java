package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.dataplane.forwarder.cli.ForwarderMain;
import dev.dataplane.testing.DpdkTestSupport;
import dev.dataplane.testing.PrometheusScrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --prometheus}: the forwarder, replaying 64 UDP flows (half to the service of
 * {@code examples/redirect.rules}) on two net_pcap ports, answers scrapes in Prometheus's text format while it
 * forwards: every port counter by port, growing between scrapes and each port's rx_packets summing to what its
 * lcores received; each rule's packets; the outcomes; the connection counters, the connections in use as a gauge.
 * A bad address is refused before anything starts.
 */
class PrometheusMetricsTest
{
    @TempDir
    Path dir;

    @Test
    void answersScrapesWhileItForwards() throws Exception
    {
        final List<String> args = new ArrayList<>(ealArgs(PcapForwardingScenario.endlessDnatPorts(dir)));
        try (RedirectChild forwarder = new RedirectChild(dir, args, "--prometheus", "127.0.0.1:0"))
        {
            final String url = PrometheusScrape.awaitUrl(forwarder.process(), dir.resolve("err.txt"));
            final Map<String, Double> first = PrometheusScrape.scrape(url);
            Thread.sleep(1_000);
            final Map<String, Double> second = PrometheusScrape.scrape(url);
            for (final String port : new String[] {"0", "1"})
            {
                final String rx = "forwarder_rx_packets_total{port=" + port + "}";
                assertTrue(first.get(rx) > 0 && second.get(rx) > first.get(rx), rx + ": " + first + second);
                for (final String counter : List.of("tx_packets", "rx_bytes", "tx_bytes", "rx_missed", "rx_nombuf",
                    "rx_errors", "tx_errors", "malformed", "filtered"))
                {
                    assertTrue(second.containsKey("forwarder_" + counter + "_total{port=" + port + "}"), counter);
                }
            }
            assertTrue(second.get("forwarder_rule_packets_total{line=5,rule=vip}") > 0, second.toString());
            assertEquals(0, second.get("forwarder_rule_packets_total{line=6,rule=vip-tcp}"));
            assertTrue(second.get("forwarder_rule_outcome_packets_total{outcome=received}") > 0);
            assertTrue(second.containsKey("forwarder_rule_outcome_packets_total{outcome=malformed_bad_ipv4_checksum}"));
            assertEquals(64, second.get("forwarder_ct_in_use{lcore=0}"), "the 64 flows, each a connection");
            assertEquals(32, second.get("forwarder_ct_nat_total{lcore=0}"), "the 32 to the service, translated");
            assertTrue(second.get("forwarder_ct_hits_total{lcore=0}") > first.get("forwarder_ct_hits_total{lcore=0}"));
            // The forwarding lcore (EAL lcore 1): its cycles grow, and it is busy, replaying without end.
            assertTrue(second.get("forwarder_lcore_cycles_total{lcore=1}") >
                first.get("forwarder_lcore_cycles_total{lcore=1}"), second.toString());
            final double busy = second.get("forwarder_lcore_busy_ratio{lcore=1}");
            assertTrue(busy > 0.1 && busy <= 1.0, "busy ratio " + busy);
        }
    }

    @Test
    void refusesABadAddressBeforeStarting() throws Exception
    {
        DpdkTestSupport.assertCleanRejection(DpdkTestSupport.runProgram(ForwarderMain.class.getName(),
            ealArgs("net_null0", "net_null1"), dir, "--prometheus", "localhost:9100"), "forwarder",
            "--prometheus wants [ADDR:]PORT with an IP address: localhost:9100", dir);
        DpdkTestSupport.assertCleanRejection(DpdkTestSupport.runProgram(ForwarderMain.class.getName(),
            ealArgs("net_null0", "net_null1"), dir, "--prometheus", "99999"), "forwarder",
            "--prometheus wants [ADDR:]PORT with a port in 0..65535: 99999", dir);
    }
}
