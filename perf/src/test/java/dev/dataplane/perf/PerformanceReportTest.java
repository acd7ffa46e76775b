package dev.dataplane.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report written from canned benchmark output (src/test/resources/report-canned, in the benchmarks' own
 * formats): its tables carry the figures, ratios and commands of the files, its charts are PNGs with ours and
 * testpmd's series drawn in their colours, and bad input is refused by name.
 */
class PerformanceReportTest
{
    private static final LocalDate DATE = LocalDate.of(2026, 12, 7);

    @TempDir
    Path dir;

    @BeforeAll
    static void headless()
    {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void tablesCarryTheFiguresRatiosAndCommands() throws Exception
    {
        final Path page = dir.resolve("docs").resolve("report.md");
        PerformanceReport.write(canned(), page, DATE);
        final String md = Files.readString(page);

        assertTrue(md.startsWith("# Performance report\n\nMeasured on 2026-12-07"), md);
        assertTrue(md.contains("| CPU | Intel(R) Xeon(R) Canned CPU @ 2.00GHz, 2 CPUs |"), md);
        assertTrue(md.contains("| io | 21.00 | 25.00 | **0.840** | 0.750, 0.900 | " +
            "`bin/bench-io --runs 2 --seconds 8` |"), md);
        assertTrue(md.contains("| 20 rules, 256 flows (testpmd 5tswap) | 15.00 | 20.00 | **0.750** | 0.800, 0.700 | " +
            "`bin/bench-io --runs 2 --seconds 8 --rules 20 --testpmd-mode 5tswap` |"), md);
        // The NAT's row in its own section, not among the stateless ones.
        final int nat = md.indexOf("## Stateful NAT");
        final int natRow = md.indexOf("| 20 rules, 10,000 flows, 2 lcores (testpmd 5tswap) | 6.25 | 12.50 | " +
            "**0.500** |");
        assertTrue(nat > 0 && natRow > nat, md);
        // Frame sizes: line rate, forwarding and generating side by side; the sweep's 64 B is not the plain io row.
        assertTrue(md.contains("| 64 | 14.88 | 18.00 | 20.00 | **0.900** | 33.00 | 30.00 | **1.100** |"), md);
        assertTrue(md.contains("| 1518 | 0.81 | 4.40 | 4.00 | **1.100** | 20.00 | 25.00 | **0.800** |"), md);
        assertTrue(md.contains("Commands, for each size N: `bin/bench-io --runs 1 --seconds 8 --size N`, " +
            "`bin/bench-tx --runs 1 --seconds 8 --size N`."), md);
        assertTrue(md.contains("![Forwarding by frame size](report/frame-sizes-forward.png)"), md);
        // Latency: microseconds, loss, and the p99.9 against testpmd io's at the same rate.
        assertTrue(md.contains("| 1M | testpmd-io | 8,000,000 | 10 | 12.0 | 30.0 | 50.0 | 400.0 | 1.00 |"), md);
        assertTrue(md.contains("| 1M | forwarder-io | 8,000,000 | 0 | 11.0 | 35.0 | 100.0 | 900.0 | 2.00 |"), md);
        assertTrue(md.contains("Command: `bin/bench-latency --seconds 8 --warmup 3 --rates 1M --max-search 4`"), md);
        assertTrue(md.contains("testpmd-io 2.74 Mpps, forwarder-io 2.50 Mpps"), md);
        assertTrue(md.contains("![Latency at 1M pps](report/latency-1M.png)"), md);
        // The seed experiment: loss, goodput and the machine's CPU a GB received, split as /proc/stat splits it.
        assertTrue(md.contains("| nft | 1.00 Gb/s | 1000.0 | 1000.0 | 0.00% | 1.00 | 2.50 | 0.50 | 1.00 | 1.00 |"), md);
        assertTrue(md.contains("| nft | unpaced | 1000.0 | 990.0 | 1.00% | 3.96 | 4.00 | 1.00 | 2.00 | 1.00 |"), md);
        assertTrue(md.contains("| forwarder | 1.00 Gb/s | 1000.0 | 1000.0 | 0.00% | 1.00 | 12.00 | 9.00 | 2.00 | " +
            "1.00 |"), md);
        assertTrue(md.contains("`forwarder` busy-polls a CPU whatever the load: at the paced rate it cost 12.00 " +
            "CPU s per GB against nftables' 2.50 (4.8x); unpaced, 8.00 against 4.00, at 2.00 against 3.96 Gb/s of " +
            "goodput."), md);
        assertTrue(md.contains("halving, with transfers a quarter the size): nft 3.96 Gb/s, forwarder 1.50 Gb/s."),
            md);
        // JMH: the steps by tracking and flows, and the new connections a second from process less restore.
        assertTrue(md.contains("| process | 27.5 +- 4.4 | 48.7 +- 16.3 | 70.3 +- 2.5 | 91.6 +- 2.5 | 161.9 +- 38.7 | " +
            "410.0 +- 35.2 |"), md);
        assertTrue(md.contains("New connections on one lcore: 400 ns each (process less restore), **2.50 M a " +
            "second**. An established connection's packet: 48.7 ns stateful against 27.5 stateless. At 10,000 " +
            "connections: 73.2 ns less restore, against 40.6 at one."), md);
        assertTrue(md.contains("Command: `bin/bench-jmh RulesPath -p rules=20 -p step=restore,process"), md);
        // What failed and what was no result are said, not dropped.
        assertTrue(md.contains("## Did not complete\n\n- `bin/bench-io --runs 1 --seconds 8 --rules 1000 " +
            "--testpmd-mode 5tswap`"), md);
        assertTrue(md.contains("no benchmark's result, left out: `other.json`"), md);
        assertEquals(14_880_952, Math.round(PerformanceReport.lineRatePps(64)));
    }

    @Test
    void chartsArePngsWithEachSeriesDrawnInItsColour() throws Exception
    {
        final Path page = dir.resolve("report.md");
        final Path charts = Files.createDirectories(dir.resolve("report"));
        Files.writeString(charts.resolve("latency-5M.png"), "an earlier report's chart");
        PerformanceReport.write(canned(), page, DATE);
        assertFalse(Files.exists(charts.resolve("latency-5M.png")), "an earlier report's chart left");
        for (final String name : List.of("frame-sizes-forward.png", "frame-sizes-generate.png", "latency-1M.png"))
        {
            final BufferedImage image = ImageIO.read(charts.resolve(name).toFile());
            assertNotNull(image, name);
            assertEquals(ReportCharts.WIDTH, image.getWidth(), name);
            assertEquals(ReportCharts.HEIGHT, image.getHeight(), name);
            final int ours = pixels(image, ReportCharts.COLOURS[0].getRGB());
            final int testpmd = pixels(image, ReportCharts.COLOURS[1].getRGB());
            assertTrue(ours > 100 && testpmd > 100, name + ": ours " + ours + ", testpmd " + testpmd + " pixels");
            if (name.startsWith("frame-sizes"))
            {
                // Bars: the line rate's grey too, and ours (18 and 4.4 Mpps) and testpmd's (20 and 4) of like area.
                assertTrue(pixels(image, ReportCharts.COLOURS[2].getRGB()) > 100, name);
            }
        }
    }

    @Test
    void aFileThatIsNotJsonIsRefusedByName() throws Exception
    {
        final Path results = canned();
        Files.writeString(results.resolve("forward-broken.json"), "{\"benchmark\":\"forward\",\"ratio\":");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> PerformanceReport.write(results, dir.resolve("report.md"), DATE));
        assertTrue(ex.getMessage().contains("forward-broken.json is not JSON"), ex.getMessage());
        Files.writeString(results.resolve("forward-broken.json"), "[1, 2]");
        assertTrue(assertThrows(IllegalArgumentException.class,
            () -> PerformanceReport.write(results, dir.resolve("report.md"), DATE)).getMessage()
            .contains("forward-broken.json is not a JSON object"));
    }

    @Test
    void noResultsIsAnErrorNotAnEmptyPage() throws Exception
    {
        final Path empty = Files.createDirectories(dir.resolve("empty"));
        final Path page = dir.resolve("report.md");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PerformanceReport.write(empty, page, DATE))
            .getMessage().contains("no benchmark results"));
        assertThrows(IllegalArgumentException.class, () -> PerformanceReport.write(dir.resolve("missing"), page, DATE));
        assertFalse(Files.exists(page));
    }

    @Test
    void commandsAreQuotedAsAShellWouldReadThemAndShownWithoutTheReportsOut() throws Exception
    {
        final JsonNode json = new ObjectMapper().readTree("{\"command\":" +
            ResultFiles.command("bin/bench-io", new String[] {"--runs", "2", "--out", "my results", "--size", "64"}) +
            "}");
        assertEquals("bin/bench-io --runs 2 --size 64", PerformanceReport.command(json));
        assertEquals("(not recorded)", PerformanceReport.command(new ObjectMapper().readTree("{}")));
        assertEquals("\"bin/bench-io --runs 2 --out 'my results'\"",
            ResultFiles.command("bin/bench-io", new String[] {"--runs", "2", "--out", "my results"}));
        assertEquals("\"bin/bench-tx ''\"", ResultFiles.command("bin/bench-tx", new String[] {""}));
    }

    /** A copy of the canned results, which a test may add to. */
    private Path canned() throws IOException, URISyntaxException
    {
        final Path source = Path.of(PerformanceReportTest.class.getResource("/report-canned/latency.json").toURI())
            .getParent();
        final Path copy = Files.createDirectories(dir.resolve("results"));
        try (Stream<Path> files = Files.list(source))
        {
            for (final Path file : files.toList())
            {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }

    private static int pixels(final BufferedImage image, final int rgb)
    {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++)
        {
            for (int x = 0; x < image.getWidth(); x++)
            {
                if ((image.getRGB(x, y) & 0xffffff) == (rgb & 0xffffff))
                {
                    count++;
                }
            }
        }
        return count;
    }
}
