package dev.dataplane.pktgen.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The latency files: a distribution written as CSV reads back the same, and several distributions plot together,
 * each its own line and colour with its name, escaped.
 */
class LatencyFilesTest
{
    @TempDir
    Path dir;

    @Test
    void aDistributionReadsBackAndSeveralPlotTogether() throws Exception
    {
        final Histogram fast = new Histogram(10_000_000_000L, 3);
        final Histogram slow = new Histogram(10_000_000_000L, 3);
        for (int i = 1; i <= 10_000; i++)
        {
            fast.recordValue(1_000 + i);
            slow.recordValue(5_000 + 3L * i);
        }
        final Path csv = dir.resolve("fast.csv");
        LatencyFiles.writeCsv(fast, csv);
        final List<double[]> points = LatencyFiles.readCsv(csv);
        assertTrue(points.size() > 10, points.size() + " points");
        assertEquals(1.0, points.get(points.size() - 1)[0], 1e-9, "the last at 100%");
        assertEquals(10_000, points.get(points.size() - 1)[2], "every value counted");
        for (int i = 1; i < points.size(); i++)
        {
            assertTrue(points.get(i)[1] >= points.get(i - 1)[1], "latency rises with the percentile");
        }
        LatencyFiles.writeCsv(slow, dir.resolve("slow.csv"));
        final Path html = dir.resolve("both.html");
        LatencyFiles.writeHtml(List.of(new LatencyFiles.Series("fast <box>", points),
            new LatencyFiles.Series("slow", LatencyFiles.readCsv(dir.resolve("slow.csv")))), html, "two", "caption");
        final String page = Files.readString(html);
        assertEquals(2, page.split("<polyline", -1).length - 1, page);
        assertTrue(page.contains(">fast &lt;box&gt;</text>") && page.contains(">slow</text>"), page);
        assertTrue(page.contains("<p>caption</p>"), page);
        final double[] first = points.get(0);
        assertArrayEquals(first, LatencyFiles.readCsv(csv).get(0), 1e-9);
    }
}
