package dev.dataplane.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import org.junit.jupiter.api.Test;

/**
 * The Prometheus endpoint: its address checked before anything starts (a literal address only, a port in range),
 * 127.0.0.1 when none is given, a scrape answered in the text format from the collector as it is at that moment,
 * and nothing listening once closed.
 */
class MetricsEndpointTest
{
    @Test
    void refusesWhatIsNotAnAddressAndAPort()
    {
        for (final String bad : new String[] {"nope", "70000", "-1", "127.0.0.1:", "example.com:9100", ":9100",
            "127.0.0.1:http"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> MetricsEndpoint.check(bad), bad);
            assertTrue(ex.getMessage().startsWith("--prometheus wants [ADDR:]PORT with ") &&
                ex.getMessage().endsWith(": " + bad), ex.getMessage());
        }
        MetricsEndpoint.check("9100");
        MetricsEndpoint.check("0.0.0.0:9100");
        MetricsEndpoint.check("[::1]:9100");
    }

    @Test
    void servesTheCollectorAsItIsAtEachScrapeOnLoopbackByDefault() throws Exception
    {
        final AtomicLong packets = new AtomicLong(7);
        final String url;
        try (MetricsEndpoint endpoint = MetricsEndpoint.start("0", () -> MetricSnapshots.of(CounterSnapshot.builder()
            .name("tool_rx_packets").help("packets received")
            .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(packets.get())
                .labels(Labels.of("port", "0")).build()).build())))
        {
            url = endpoint.url();
            assertTrue(url.startsWith("http://127.0.0.1:") && url.endsWith("/metrics") && endpoint.port() > 0, url);
            final String first = get(url);
            assertTrue(first.contains("# TYPE tool_rx_packets_total counter"), first);
            assertTrue(first.contains("tool_rx_packets_total{port=\"0\"} 7.0"), first);
            packets.set(12);
            assertTrue(get(url).contains("tool_rx_packets_total{port=\"0\"} 12.0"));
        }
        assertThrows(ConnectException.class, () -> get(url), "nothing listens once closed");
    }

    private static String get(final String url) throws Exception
    {
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build())
        {
            final HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            return response.body();
        }
    }
}
