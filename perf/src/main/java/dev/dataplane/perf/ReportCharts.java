package dev.dataplane.perf;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.dataplane.pktgen.report.LatencyFiles;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The report's PNG charts, drawn with JFreeChart off screen: Mpps by frame size (ours, testpmd and the line rate as
 * bars side by side) and latency percentile distributions plotted the HdrHistogram way (latency on a log scale against
 * the "nines" of the percentile: 90%, 99%, 99.9%...). Colours are fixed, so that a chart reads the same in every
 * report: ours blue, testpmd red, the third series grey.
 */
public final class ReportCharts
{
    /** Ours, testpmd's, then the rest. */
    static final Color[] COLOURS = {new Color(0x1565c0), new Color(0xc62828), new Color(0x9e9e9e),
        new Color(0x2e7d32), new Color(0xef6c00)};
    /** Lines of ours: blue, then green and orange (grey is for the line rate's bars). */
    private static final Color[] OUR_LINES = {COLOURS[0], COLOURS[3], COLOURS[4]};
    static final int WIDTH = 900;
    static final int HEIGHT = 500;

    private ReportCharts()
    {
    }

    /**
     * Bars of Mpps by frame size: for each size, one bar for each of {@code names} (the values in the same order).
     */
    public static void frameSizes(final Map<Integer, double[]> mppsBySize, final List<String> names,
        final String title, final Path file) throws IOException
    {
        final DefaultCategoryDataset dataset = new DefaultCategoryDataset();
        for (final Map.Entry<Integer, double[]> size : mppsBySize.entrySet())
        {
            for (int s = 0; s < names.size(); s++)
            {
                dataset.addValue(size.getValue()[s], names.get(s), size.getKey());
            }
        }
        final JFreeChart chart = ChartFactory.createBarChart(title, "frame size, bytes (FCS included)",
            "Mpps", dataset, PlotOrientation.VERTICAL, true, false, false);
        final CategoryPlot plot = chart.getCategoryPlot();
        final BarRenderer renderer = (BarRenderer)plot.getRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        for (int s = 0; s < names.size(); s++)
        {
            renderer.setSeriesPaint(s, COLOURS[s % COLOURS.length]);
        }
        style(chart);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /**
     * The distributions on one plot with a legend: {@code reference} (testpmd's) red, the others blue, green and
     * orange in their order.
     */
    public static void latency(final List<LatencyFiles.Series> series, final String reference, final String title,
        final Path file) throws IOException
    {
        final XYSeriesCollection dataset = new XYSeriesCollection();
        double highest = 1;
        for (final LatencyFiles.Series s : series)
        {
            final XYSeries xy = new XYSeries(s.name(), false, true);
            for (final double[] point : s.points())
            {
                final double nines = LatencyFiles.nines(point[0]);
                if (point[1] > 0)
                {
                    xy.add(nines, point[1]);
                    highest = Math.max(highest, nines);
                }
            }
            dataset.addSeries(xy);
        }
        final JFreeChart chart = ChartFactory.createXYLineChart(title, "percentile", "latency (us)", dataset,
            PlotOrientation.VERTICAL, true, false, false);
        final XYPlot plot = chart.getXYPlot();
        final NumberAxis percentile = new NumberAxis("percentile");
        // A quarter of a nine spare on the right, so that the last label shows whole.
        percentile.setRange(0, Math.ceil(highest) + 0.25);
        percentile.setTickUnit(new NumberTickUnit(1, new NinesFormat()));
        plot.setDomainAxis(percentile);
        final LogAxis latency = new LogAxis("latency (us, log scale)");
        latency.setBase(10);
        latency.setSmallestValue(0.01);
        // Ticks at the powers of ten, labelled as plain numbers (1, 10, 100...), not as 10 to a power.
        latency.setTickUnit(new NumberTickUnit(1));
        latency.setNumberFormatOverride(new DecimalFormat("#,##0.##", DecimalFormatSymbols.getInstance(Locale.ROOT)));
        plot.setRangeAxis(latency);
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        int ours = 0;
        for (int s = 0; s < series.size(); s++)
        {
            renderer.setSeriesPaint(s, series.get(s).name().equals(reference) ? COLOURS[1] :
                OUR_LINES[ours++ % OUR_LINES.length]);
            renderer.setSeriesStroke(s, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        style(chart);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    private static void style(final JFreeChart chart)
    {
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
    }

    /** A tick at n nines labelled as the percentile it stands for: 0%, 90%, 99%, 99.9%... */
    private static final class NinesFormat extends NumberFormat
    {
        @Override
        public StringBuffer format(final double number, final StringBuffer to, final FieldPosition position)
        {
            return format(Math.round(number), to, position);
        }

        @Override
        public StringBuffer format(final long nines, final StringBuffer to, final FieldPosition position)
        {
            return to.append(LatencyFiles.percentileLabel((int)Math.max(0, nines)));
        }

        @Override
        public Number parse(final String source, final ParsePosition position)
        {
            throw new UnsupportedOperationException("labels only");
        }
    }
}
