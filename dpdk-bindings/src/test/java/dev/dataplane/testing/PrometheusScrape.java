package dev.dataplane.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Scrapes a tool's Prometheus endpoint for tests, and reads the text format as a scraper would. */
public final class PrometheusScrape
{
    private static final Pattern SAMPLE = Pattern.compile("^(\\w+)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern SERVING = Pattern.compile("prometheus: serving (http://\\S+)");

    private PrometheusScrape()
    {
    }

    /** Waits for a tool's log line naming its endpoint in {@code log}, while {@code process} lives: the URL. */
    public static String awaitUrl(final Process process, final Path log) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            final Matcher matcher = SERVING.matcher(Files.readString(log));
            if (matcher.find())
            {
                return matcher.group(1);
            }
            assertTrue(process.isAlive(), "the tool exited: " + Files.readString(log));
            Thread.sleep(50);
        }
        throw new AssertionError("no prometheus line: " + Files.readString(log));
    }

    /**
     * One scrape, parsed: each sample by its name and labels ({@code name{a=x,b=y}}, labels sorted, quotes dropped),
     * every sample's family declared by a TYPE line before it.
     */
    public static Map<String, Double> scrape(final String url) throws Exception
    {
        final String text;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build())
        {
            final HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            text = response.body();
        }
        final Map<String, Double> samples = new HashMap<>();
        final Map<String, String> types = new HashMap<>();
        for (final String line : text.lines().toList())
        {
            if (line.startsWith("# TYPE "))
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
            assertTrue(matcher.matches(), line);
            final String name = matcher.group(1);
            assertTrue(types.containsKey(name) || types.containsKey(name.replaceAll("_(count|sum)$", "")),
                "a TYPE line before " + line);
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
        return samples;
    }
}
