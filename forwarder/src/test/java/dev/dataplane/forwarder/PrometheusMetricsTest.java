package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static dev.dataplane.testing.DpdkTestSupport.javaProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dataplane.forwarder.cli.ForwarderMain;
import dev.dataplane.testing.DpdkTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --prometheus}: the forwarder, replaying 64 UDP flows (half to the service of
 * {@code examples/redirect.rules}) on two net_pcap ports, answers scrapes in Prometheus's text format while it
 * forwards: every port counter by port, growing between scrapes and each port's rx_packets summing to what its
 * lcores received; each rule's packets; the outcomes; the connection counters, the connections in use as a gauge.
 * A bad address is refused before anything starts.
 */
class PrometheusMetricsTest
{
    private static final Pattern SAMPLE = Pattern.compile("^(\\w+)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern SERVING = Pattern.compile("prometheus: serving (http://\\S+)");

    @TempDir
    Path dir;

    @Test
    void answersScrapesWhileItForwards() throws Exception
    {
        final String replay = PcapForwardingScenario.endlessDnatReplay(dir);
        final List<String> args = new ArrayList<>(ealArgs("net_pcap0," + replay, "net_pcap1," + replay));
        args.addAll(List.of("--", "--rules", Path.of("..", "examples", "redirect.rules").toAbsolutePath().toString(),
            "--prometheus", "127.0.0.1:0", "--duration", "30", "--stats-period", "0"));
        final Process process = javaProcess(ForwarderMain.class.getName(), args, dir)
            .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
        try
        {
            final String url = awaitUrl(process);
            final Map<String, Double> first = scrape(url);
            Thread.sleep(1_000);
            final Map<String, Double> second = scrape(url);
            for (final String port : new String[] {"0", "1"})
            {
                final String rx = "forwarder_rx_packets_total{port=" + port + "}";
                assertTrue(first.get(rx) > 0 && second.get(rx) > first.get(rx), rx + ": " + first + second);
                for (final String counter : List.of("tx_packets", "rx_bytes", "tx_bytes", "rx_missed", "rx_nombuf",
                    "rx_errors", "tx_errors", "malformed", "filtered"))
                {
                    assertTrue(second.containsKey("forwarder_" + counter + "_total{port=" + port + "}"), counter);
                }
            }
            assertTrue(second.get("forwarder_rule_packets_total{line=5,rule=vip}") > 0, second.toString());
            assertEquals(0, second.get("forwarder_rule_packets_total{line=6,rule=vip-tcp}"));
            assertTrue(second.get("forwarder_rule_outcome_packets_total{outcome=received}") > 0);
            assertTrue(second.containsKey("forwarder_rule_outcome_packets_total{outcome=malformed_bad_ipv4_checksum}"));
            assertEquals(64, second.get("forwarder_ct_in_use{lcore=0}"), "the 64 flows, each a connection");
            assertEquals(32, second.get("forwarder_ct_nat_total{lcore=0}"), "the 32 to the service, translated");
            assertTrue(second.get("forwarder_ct_hits_total{lcore=0}") > first.get("forwarder_ct_hits_total{lcore=0}"));
        }
        finally
        {
            new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        }
        assertEquals(0, process.exitValue(), Files.readString(dir.resolve("err.txt")));
        assertTrue(Files.readString(dir.resolve("out.txt")).contains("mbufs in use at exit: 0 of"));
    }

    @Test
    void refusesABadAddressBeforeStarting() throws Exception
    {
        DpdkTestSupport.assertCleanRejection(DpdkTestSupport.runProgram(ForwarderMain.class.getName(),
            ealArgs("net_null0", "net_null1"), dir, "--prometheus", "localhost:9100"), "forwarder",
            "--prometheus wants [ADDR:]PORT with an IP address: localhost:9100", dir);
        DpdkTestSupport.assertCleanRejection(DpdkTestSupport.runProgram(ForwarderMain.class.getName(),
            ealArgs("net_null0", "net_null1"), dir, "--prometheus", "99999"), "forwarder",
            "--prometheus wants [ADDR:]PORT with a port in 0..65535: 99999", dir);
    }

    private String awaitUrl(final Process process) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            final Matcher matcher = SERVING.matcher(Files.readString(dir.resolve("err.txt")));
            if (matcher.find())
            {
                return matcher.group(1);
            }
            assertTrue(process.isAlive(), "the forwarder exited: " + Files.readString(dir.resolve("err.txt")));
            Thread.sleep(50);
        }
        throw new AssertionError("no prometheus line: " + Files.readString(dir.resolve("err.txt")));
    }

    /**
     * One scrape, parsed: each sample by its name and labels ({@code name{a=x,b=y}}, labels sorted, quotes dropped),
     * and every sample's family declared with a TYPE line.
     */
    private static Map<String, Double> scrape(final String url) throws Exception
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
            assertTrue(types.containsKey(matcher.group(1)), "a TYPE line before " + line);
            final Map<String, String> labels = new TreeMap<>();
            if (null != matcher.group(2))
            {
                for (final String label : matcher.group(2).split(","))
                {
                    final String[] pair = label.split("=", 2);
                    labels.put(pair[0], pair[1].replace("\"", ""));
                }
            }
            final String key = matcher.group(1) + (labels.isEmpty() ? "" : labels.toString().replace(", ", ","));
            samples.put(key, Double.parseDouble(matcher.group(3)));
        }
        return samples;
    }
}
