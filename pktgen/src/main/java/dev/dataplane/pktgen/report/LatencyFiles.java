package dev.dataplane.pktgen.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The latency distribution written to files: a CSV of the percentile distribution (HdrHistogram's, in
 * microseconds) and a self-contained HTML page plotting it the HdrHistogram way, latency against percentile on a
 * log scale of "nines" (90%, 99%, 99.9%...), so that the tail shows as well as the median; several distributions on
 * one plot (read back from such CSVs) for a comparison.
 */
public final class LatencyFiles
{
    private static final String[] COLOURS = {"#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a"};
    private static final int TICKS_PER_HALF_DISTANCE = 5;
    private static final int WIDTH = 800;
    private static final int HEIGHT = 400;
    private static final int MARGIN = 60;

    private LatencyFiles()
    {
    }

    /** {@code percentile,latency_us,count}, one row per step of the percentile iteration. */
    public static void writeCsv(final Histogram histogram, final Path file) throws IOException
    {
        writeCsv(points(histogram), file);
    }

    /** The points of a distribution (as {@link #readCsv} gives them) written back as such a CSV. */
    public static void writeCsv(final List<double[]> points, final Path file) throws IOException
    {
        final StringBuilder csv = new StringBuilder("percentile,latency_us,count_at_or_below\n");
        for (final double[] point : points)
        {
            csv.append(String.format(Locale.ROOT, "%.6f,%.3f,%d%n", point[0], point[1], (long)point[2]));
        }
        Files.writeString(file, csv);
    }

    /** One distribution of a plot: its name and its {@link #writeCsv} points (percentile 0..1, us, count). */
    public record Series(String name, List<double[]> points)
    {
    }

    /** An HTML page with an inline SVG plot of the distribution; no script, no external resource. */
    public static void writeHtml(final Histogram histogram, final Path file, final String title) throws IOException
    {
        writeHtml(List.of(new Series("latency", points(histogram))), file, title, String.format(Locale.ROOT,
            "%d packets; p50 %.2f us, p99 %.2f us, p99.9 %.2f us, max %.2f us", histogram.getTotalCount(),
            histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3));
    }

    /** The points of a CSV {@link #writeCsv} wrote. */
    public static List<double[]> readCsv(final Path file) throws IOException
    {
        final List<double[]> points = new ArrayList<>();
        for (final String line : Files.readAllLines(file))
        {
            if (line.isBlank() || line.startsWith("percentile"))
            {
                continue;
            }
            final String[] fields = line.split(",");
            points.add(new double[] {Double.parseDouble(fields[0]), Double.parseDouble(fields[1]),
                Double.parseDouble(fields[2])});
        }
        return points;
    }

    /**
     * An HTML page plotting several distributions together, each in a colour of its own with its name in a legend;
     * {@code caption} under the title.
     */
    public static void writeHtml(final List<Series> series, final Path file, final String title, final String caption)
        throws IOException
    {
        double maxNines = 1;
        double maxLatency = 1;
        for (final Series one : series)
        {
            for (final double[] point : one.points())
            {
                maxNines = Math.max(maxNines, nines(point[0]));
                maxLatency = Math.max(maxLatency, point[1]);
            }
        }
        maxNines = Math.ceil(maxNines);
        final StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" " +
            "font-family=\"sans-serif\" font-size=\"12\">%n", WIDTH, HEIGHT));
        final int plotWidth = WIDTH - 2 * MARGIN;
        final int plotHeight = HEIGHT - 2 * MARGIN;
        svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" " +
            "stroke=\"#888\"/>%n", MARGIN, MARGIN, plotWidth, plotHeight));
        for (int n = 0; n <= (int)maxNines; n++)
        {
            final double x = MARGIN + plotWidth * n / maxNines;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" " +
                "stroke=\"#ddd\"/><text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x, MARGIN, x,
                MARGIN + plotHeight, x, MARGIN + plotHeight + 18, percentileLabel(n)));
        }
        for (int i = 0; i <= 4; i++)
        {
            final double y = MARGIN + plotHeight - plotHeight * i / 4.0;
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f</text>%n",
                MARGIN - 6, y + 4, maxLatency * i / 4));
        }
        for (int s = 0; s < series.size(); s++)
        {
            final String colour = COLOURS[s % COLOURS.length];
            svg.append("<polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"");
            for (final double[] point : series.get(s).points())
            {
                svg.append(String.format(Locale.ROOT, "%.1f,%.1f ", MARGIN + plotWidth * nines(point[0]) / maxNines,
                    MARGIN + plotHeight - plotHeight * point[1] / maxLatency));
            }
            svg.append("\"/>\n");
            if (series.size() > 1)
            {
                svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"%s\">%s</text>%n",
                    MARGIN + 10, MARGIN + 18 + 16 * s, colour, escape(series.get(s).name())));
            }
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">percentile</text>" +
            "<text x=\"16\" y=\"%d\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">latency (us)</text>%n",
            MARGIN + plotWidth / 2, HEIGHT - 12, MARGIN + plotHeight / 2, MARGIN + plotHeight / 2));
        svg.append("</svg>\n");
        final String html = String.format(Locale.ROOT, "<!DOCTYPE html>%n<html><head><meta charset=\"utf-8\">" +
            "<title>%s</title></head><body><h1>%s</h1><p>%s</p>%n%s</body></html>%n", escape(title), escape(title),
            escape(caption), svg);
        Files.writeString(file, html);
    }

    /** {percentile (0..1), latency in us, count at or below} for each step of HdrHistogram's percentile iteration. */
    private static List<double[]> points(final Histogram histogram)
    {
        final List<double[]> points = new ArrayList<>();
        if (0 == histogram.getTotalCount())
        {
            return points;
        }
        for (final HistogramIterationValue value : histogram.percentiles(TICKS_PER_HALF_DISTANCE))
        {
            final double percentile = value.getPercentileLevelIteratedTo() / 100.0;
            points.add(new double[] {percentile, histogram.highestEquivalentValue(value.getValueIteratedTo()) / 1e3,
                value.getTotalCountToThisValue()});
            if (percentile >= 1.0)
            {
                break;
            }
        }
        return points;
    }

    /** log10(1 / (1 - p)): 1 at 90%, 2 at 99%...; capped (at 7: 99.99999%) for p = 1. */
    public static double nines(final double percentile)
    {
        return Math.log10(1 / Math.max(1e-7, 1 - percentile));
    }

    /** The percentile {@code nines} nines stand for: 0%, 90%, 99%, 99.9%... */
    public static String percentileLabel(final int nines)
    {
        return switch (nines)
        {
            case 0 -> "0%";
            case 1 -> "90%";
            case 2 -> "99%";
            default -> "99." + "9".repeat(nines - 2) + "%";
        };
    }

    private static String escape(final String text)
    {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
