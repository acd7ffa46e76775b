package dev.dataplane.forwarder.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dataplane.forwarder.ForwarderContext;
import dev.dataplane.forwarder.conntrack.ConnCounter;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.lang.RuleSet;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.net.PacketView;
import org.junit.jupiter.api.Test;

/** The statistics' formats, on canned figures: what scripts parse and people read. */
class StatsSinkTest
{
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void aJsonPeriodGivesRatesAndEveryCountersChangeByItsDescriptorsName() throws Exception
    {
        new JsonStats(out).period(3.0, new PortTotals[] {port(0, 0, 0), port(1, 0, 0)},
            new PortTotals[] {port(0, 2_000_000, 128_000_000), port(1, 1_000_000, 0)}, 2.0);
        final JsonNode line = new ObjectMapper().readTree(text());
        assertEquals("stats", line.get("type").asText());
        assertEquals(3.0, line.get("elapsed_s").asDouble());
        final JsonNode port0 = line.get("ports").get(0);
        assertEquals(1_000_000.0, port0.get("rx_pps").asDouble());
        assertEquals(512.0, port0.get("rx_mbps").asDouble(), "128 MB in 2 s, 8 bits a byte");
        assertEquals(512.0 + 2_000_000 * 20 * 8 / 2.0 / 1e6, port0.get("rx_wire_mbps").asDouble());
        for (final PortCounter counter : PortCounter.values())
        {
            assertTrue(port0.has(counter.counterName()), counter.counterName());
        }
        assertTrue(line.get("ports").get(1).get("rx_mbps").isNull(), "port 1's device counts no bytes");
        assertTrue(line.get("ports").get(1).get("rx_bytes").isNull());
        assertEquals(-1, line.get("all").get("port").asInt());
        assertEquals(3_000_000, line.get("all").get("rx_packets").asLong());
        assertTrue(text().startsWith("{\"type\":\"stats\",\"elapsed_s\":3.000,\"ports\":[{\"port\":0,\"rx_pps\":"),
            "the order bin/bench-io reads");
    }

    @Test
    void aJsonSummaryNamesEachOutcomeAndRule() throws Exception
    {
        final RuleSet ruleSet = RulesParser.parse("dnat: ip4 proto udp dport 8080 => accept set-dst 10.0.1.2\n", "t.rules");
        final long[] outcomes = new long[RulesProcessor.OUTCOME_COUNT];
        outcomes[RulesProcessor.RECEIVED] = 10;
        outcomes[RulesProcessor.malformedIndex(PacketView.BAD_IPV4_CHECKSUM)] = 3;
        final long[] connections = new long[ConnCounter.values().length];
        connections[ConnCounter.TRANSLATED.ordinal()] = 2;
        new JsonStats(out).summary(ForwarderContext.builder().rules(ruleSet).build(), 1, 2.0,
            new PortTotals[] {port(0, 10, 640)}, new ForwarderStats.RulesSnapshot(ruleSet, new long[] {7, 448},
                outcomes, connections, new long[] {1}, new long[] {1}), 0, 4095);
        final JsonNode summary = new ObjectMapper().readTree(text());
        assertEquals("summary", summary.get("type").asText());
        assertEquals("rules", summary.get("forward_mode").asText());
        assertEquals(10, summary.get("ports").get(0).get("rx_packets").asLong());
        assertEquals(5.0, summary.get("all").get("avg_rx_pps").asDouble());
        final JsonNode rule = summary.get("rules").get(0);
        assertEquals("dnat", rule.get("name").asText());
        assertEquals(7, rule.get("packets").asLong());
        assertEquals(448, rule.get("bytes").asLong());
        assertEquals(10, summary.get("outcomes").get("received").asLong());
        assertEquals(3, summary.get("outcomes").get("malformed_bad_ipv4_checksum").asLong());
        assertEquals(2, summary.get("connections").get("ct_nat").asLong());
        assertEquals(RulesProcessor.OUTCOME_COUNT, summary.get("outcomes").size());
        assertEquals(0, summary.get("mbufs_in_use_at_exit").asInt());
    }

    @Test
    void textTablesHaveAHeaderAndAPortPerRow()
    {
        final TextStats text = new TextStats(out);
        text.period(1.0, new PortTotals[] {port(0, 0, 0)}, new PortTotals[] {port(0, 5_000_000, 0)}, 1.0);
        text.period(2.0, new PortTotals[] {port(0, 5_000_000, 0)}, new PortTotals[] {port(0, 8_000_000, 0)}, 1.0);
        final List<String> lines = text().lines().toList();
        assertTrue(lines.get(0).trim().startsWith("time-s"), lines.get(0));
        assertTrue(lines.get(1).contains("counts no bytes"), lines.get(1));
        assertEquals(List.of("1.0", "0", "5.000", "0.000", "-"), List.of(lines.get(2).trim().split(" +")).subList(0, 5));
        assertEquals("3.000", lines.get(3).trim().split(" +")[2]);
        assertEquals(4, lines.size(), "one header");
    }

    @Test
    void aTextSummaryWarnsOfALeak()
    {
        new TextStats(out).summary(ForwarderContext.builder().build(), 1, 1.0, new PortTotals[] {port(0, 1, 64)},
            null, 3, 4095);
        assertTrue(text().contains("mbufs in use at exit: 3 of 4095  <-- LEAK"), text());
    }

    /** Port {@code id} having received {@code packets} (as the device also counts them) and {@code rxBytes}. */
    private static PortTotals port(final int id, final long packets, final long rxBytes)
    {
        final PortTotals port = new PortTotals(id);
        port.add(PortCounter.RX_PACKETS, packets);
        port.add(PortCounter.DEVICE_RX_PACKETS, packets);
        port.add(PortCounter.RX_BYTES, rxBytes);
        return port;
    }

    private String text()
    {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
