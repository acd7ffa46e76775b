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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;

import dev.dataplane.runtime.MetricsEndpoint;
import dev.dataplane.runtime.PrometheusText;

/** Scrapes a tool's Prometheus endpoint for tests, and reads the text format as a scraper would. */
public final class PrometheusScrape
{

    private PrometheusScrape()
    {
    }

    /** Waits for a tool's log line naming its endpoint in {@code log}, while {@code process} lives: the URL. */
    public static String awaitUrl(final Process process, final Path log) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            final Matcher matcher = MetricsEndpoint.SERVING_URL.matcher(Files.readString(log));
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
        final PrometheusText.Scrape scrape = PrometheusText.parse(text);
        assertEquals(List.of(), scrape.untyped(), "samples with no TYPE line before them");
        return scrape.samples();
    }
}
