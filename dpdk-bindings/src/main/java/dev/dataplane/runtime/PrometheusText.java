package dev.dataplane.runtime;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prometheus's text format read back, as a scraper reads what {@link MetricsEndpoint} serves: each sample by a key of
 * its name and labels ({@code name{a=x,b=y}}: labels sorted by name, quotes dropped), and each family's TYPE.
 */
public final class PrometheusText
{
    private static final Pattern SAMPLE = Pattern.compile("^(\\w+)(?:\\{(.*)})? (\\S+)$");
    private static final String TYPE = "# TYPE ";

    private PrometheusText()
    {
    }

    /**
     * A scrape: its samples by key, its families' types by family name, and the lines of samples that came before
     * any TYPE line of their family (a summary's {@code _count} and {@code _sum} go by the summary's).
     */
    public record Scrape(Map<String, Double> samples, Map<String, String> types, List<String> untyped)
    {
    }

    /**
     * Reads {@code text}.
     *
     * @throws IllegalArgumentException naming the first line that is neither a comment nor a sample.
     */
    public static Scrape parse(final String text)
    {
        final Map<String, Double> samples = new HashMap<>();
        final Map<String, String> types = new HashMap<>();
        final List<String> untyped = new ArrayList<>();
        for (final String line : text.lines().toList())
        {
            if (line.startsWith(TYPE))
            {
                final String[] words = line.split(" ");
                types.put(words[2], words[3]);
                continue;
            }
            if (line.startsWith("#") || line.isBlank())
            {
                continue;
            }
            final Matcher matcher = SAMPLE.matcher(line);
            if (!matcher.matches())
            {
                throw new IllegalArgumentException("not a Prometheus sample: " + line);
            }
            final String name = matcher.group(1);
            if (!types.containsKey(name) && !types.containsKey(name.replaceAll("_(count|sum)$", "")))
            {
                untyped.add(line);
            }
            final Map<String, String> labels = new TreeMap<>();
            if (null != matcher.group(2))
            {
                for (final String label : matcher.group(2).split(","))
                {
                    final String[] pair = label.split("=", 2);
                    labels.put(pair[0], pair[1].replace("\"", ""));
                }
            }
            samples.put(name + (labels.isEmpty() ? "" : labels.toString().replace(", ", ",")),
                Double.parseDouble(matcher.group(3)));
        }
        return new Scrape(samples, types, untyped);
    }
}
