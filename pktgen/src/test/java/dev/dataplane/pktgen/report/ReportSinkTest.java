package dev.dataplane.pktgen.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** pktgen's report formats, on canned figures: what scripts parse and people read. */
class ReportSinkTest
{
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    @Test
    void aJsonPeriodHasTheRatesTotalsAndEachPort() throws Exception
    {
        new JsonReport(out).period(period());
        final JsonNode line = new ObjectMapper().readTree(text());
        assertEquals("stats", line.get("type").asText());
        assertEquals(1_000_000.0, line.get("tx_pps").asDouble());
        assertEquals((60 + 4) * 8.0, line.get("tx_mbps").asDouble(), 1e-9, "60 B in the mbuf, 4 B of FCS, 1 Mpps");
        assertEquals((60 + 4 + 20) * 8.0, line.get("tx_wire_mbps").asDouble(), 1e-9);
        assertEquals(5, line.get("lost_so_far").asLong());
        assertEquals(2, line.get("ports").size());
        assertEquals(7, line.get("ports").get(1).get("rx_dropped").asLong());
        assertTrue(text().startsWith("{\"type\":\"stats\",\"elapsed_s\":2.000,\"tx_pps\":"), "what bin/bench-tx reads");
    }

    @Test
    void aJsonSummaryHasTheLossTheLatencyAndEveryStream() throws Exception
    {
        final JsonNode summary = new ObjectMapper().readTree(JsonReport.summaryLine(summary(40)));
        assertEquals("summary", summary.get("type").asText());
        assertEquals(1000, summary.get("tx_packets").asLong());
        assertEquals(3, summary.get("lost").asLong());
        assertEquals(100, summary.get("latency_ns").get("count").asLong());
        assertEquals(1000, summary.get("latency_ns").get("p50").asLong(), 1, "HdrHistogram's 3 digits");
        assertEquals(40, summary.get("streams").size());
        final JsonNode stream = summary.get("streams").get(1);
        assertEquals(1, stream.get("stream").asInt());
        assertTrue(stream.get("latency_ns").has("p99_9"));
        assertEquals(0, summary.get("mbufs_in_use_at_exit").asInt());
    }

    @Test
    void theTextSummaryListsTheFirstStreamsAndSaysHowManyMore()
    {
        new TextReport(out).summary(summary(40));
        final String text = text();
        assertTrue(text.contains("sent 1000 (TX refused 2, not built for want of mbufs 0, given up behind schedule 0)"),
            text);
        assertTrue(text.contains("lost 3, duplicated 1, out of order 4, late 0"), text);
        assertTrue(text.contains("(24 more streams: --stats-format json lists them all)"), text);
        assertTrue(text.contains("mbufs in use at exit: 0\n"), text);
    }

    @Test
    void theTextPeriodHasAHeaderOnceAndARowPerPort()
    {
        final TextReport report = new TextReport(out);
        report.period(period());
        report.period(period());
        final List<String> lines = text().lines().toList();
        assertEquals(5, lines.size(), text());
        assertTrue(lines.get(0).trim().startsWith("time-s"));
        assertEquals(List.of("2.0", "0", "1.000", "0.000"), List.of(lines.get(1).trim().split(" +")).subList(0, 4));
    }

    private static Figures.Period period()
    {
        final Rates tx = Rates.of(2_000_000, 120_000_000, 2.0);
        final Rates rx = Rates.of(1_999_990, 119_999_400, 2.0);
        return new Figures.Period(2.0, tx, rx, 2_000_000, 1_999_990, 5, List.of(
            new Figures.PortPeriod(0, tx, Rates.NONE, 0, 0), new Figures.PortPeriod(1, Rates.NONE, rx, 7, 5)));
    }

    private static Figures.Summary summary(final int streams)
    {
        final Histogram latency = new Histogram(10_000_000_000L, 3);
        for (int i = 0; i < 100; i++)
        {
            latency.recordValue(1000);
        }
        final List<Figures.Stream> list = new ArrayList<>();
        for (int s = 0; s < streams; s++)
        {
            list.add(new Figures.Stream(s, 25, 0, 25, 0, 0, 0, 0, 900, 1000.0, latency, 1100));
        }
        return new Figures.Summary(1.0, 1000, 2, 0, 0, 998, 998, 0, 3, 1, 4, 0, Rates.of(1000, 60_000, 1.0),
            Rates.of(998, 59_880, 1.0), 60_000, 59_880, latency, list, 0);
    }

    private String text()
    {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
