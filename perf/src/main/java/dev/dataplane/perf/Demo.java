package dev.dataplane.perf;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import dev.dataplane.forwarder.cli.ForwarderMain;
import dev.dataplane.pktgen.cli.PktgenMain;
import dev.dataplane.runtime.MetricsEndpoint;
import dev.dataplane.runtime.PrometheusText;

/**
 * The whole system on one machine ({@code bin/demo}): pktgen and the forwarder as two processes joined by two DPDK
 * memif ports, pktgen -> memif -> forwarder ({@code examples/demo.rules}: the redirect and a drop rule) -> memif ->
 * pktgen, without hugepages. Four UDP flows to 10.0.8.17, ports 8080 to 8083: one redirected to 10.0.1.2:8083, one
 * dropped by the rule, two through. Each second a line from both tools' Prometheus endpoints (sent, forwarded,
 * redirected, dropped by the rule, received, lost, latency); at the end a summary that adds up: sent = received +
 * dropped by rule + lost, and the redirect rule's count against what pktgen sent to 10.0.8.17:8080. It ends by
 * itself, stops both tools cleanly, also on Ctrl-C, and leaves no process, socket or EAL runtime file behind.
 * <p>
 * The two busy-polling lcores get a CPU each (the forwarder's on CPU 1, pktgen's on CPU 0), the main lcores share.
 */
public final class Demo
{
    private static final String RULES = "examples/demo.rules";
    private static final int FLOWS = 4;
    /** Tries of the scrape the summary is made from. */
    private static final int FINAL_SCRAPES = 4;

    private final int seconds;
    private final String rate;
    private final MemifWire wire;
    private final Path dir;
    private final long pid = ProcessHandle.current().pid();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process forwarder;
    private Process pktgen;
    /** Set when the demo is being stopped (Ctrl-C): no summary then, the tools were cut short. */
    private volatile boolean stopping;

    private Demo(final int seconds, final String rate) throws IOException
    {
        this.seconds = seconds;
        this.rate = rate;
        this.wire = new MemifWire();
        this.dir = wire.dir();
    }

    public static void main(final String[] args) throws Exception
    {
        int seconds = 20;
        String rate = "500k";
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--rate" -> rate = args[i + 1];
                default ->
                {
                    System.err.println("demo: usage: bin/demo [--seconds S (default 20)] [--rate PPS (default 500k)]");
                    System.exit(2);
                }
            }
        }
        if (0 != args.length % 2 || seconds < 3 || seconds > 50)
        {
            System.err.println("demo: usage: bin/demo [--seconds S, 3..50] [--rate PPS]");
            System.exit(2);
        }
        final Demo demo = new Demo(seconds, rate);
        final Thread cleanup = new Thread(demo::stopAndClean, "demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        System.exit(demo.run());
    }

    private int run() throws Exception
    {
        System.out.printf(Locale.ROOT, "demo: pktgen -> memif -> forwarder (%s) -> memif -> pktgen: %d UDP flows to " +
            "10.0.8.17:8080-%d, %s pps for %d s; sockets in %s%n", RULES, FLOWS, 8080 + FLOWS - 1, rate, seconds, dir);
        forwarder = wire.java("forwarder", ForwarderMain.class.getName(), wire.eal(MemifWire.MIDDLE_LCORES,
            "dp-demo-fwd-" + pid, "server"), List.of("--rules", RULES, "--prometheus", "127.0.0.1:0",
            "--stats-period", "0"));
        final String forwarderUrl = awaitUrl(forwarder, "forwarder");
        pktgen = wire.java("pktgen", PktgenMain.class.getName(), wire.eal(MemifWire.PKTGEN_LCORES,
            "dp-demo-gen-" + pid, "client"), List.of("--tx-port", "0", "--rx-port", "1", "--dst-ip", "10.0.8.17",
            "--dport", "8080", "--flows", Integer.toString(FLOWS), "--flow-field", "dst-port", "--rate", rate,
            "--duration", Integer.toString(seconds), "--latency-warmup", Integer.toString(warmup()), "--stats-period",
            "0", "--prometheus", "127.0.0.1:0", "--summary-json", dir.resolve("pktgen.json").toString()));
        final String pktgenUrl = awaitUrl(pktgen, "pktgen");
        System.out.printf(Locale.ROOT, "%6s %10s %10s %10s %10s %10s %10s %9s %9s %9s%n", "time-s", "sent/s",
            "fwd/s", "redirect/s", "dropped/s", "recv/s", "lost", "p50-us", "p99-us", "p99.9-us");
        Map<String, Double> lastGen = Map.of();
        Map<String, Double> lastFwd = Map.of();
        Map<String, Double> fwd = Map.of();
        final long start = System.nanoTime();
        while (!pktgen.waitFor(1, TimeUnit.SECONDS))
        {
            final Map<String, Double> gen = scrape(pktgenUrl);
            fwd = scrape(forwarderUrl);
            if (gen.isEmpty() || fwd.isEmpty())
            {
                continue;
            }
            System.out.printf(Locale.ROOT, "%6.1f %10.0f %10.0f %10.0f %10.0f %10.0f %10.0f %9.1f %9.1f %9.1f%n",
                (System.nanoTime() - start) / 1e9, delta(gen, lastGen, "pktgen_tx_packets_total{port=0}"),
                delta(fwd, lastFwd, "forwarder_tx_packets_total{port=1}"),
                delta(fwd, lastFwd, "forwarder_rule_packets_total{line=4,rule=vip}"),
                delta(fwd, lastFwd, "forwarder_rule_packets_total{line=6,rule=blocked}"),
                delta(gen, lastGen, "pktgen_rx_packets_total{port=1}"), lost(gen, fwd), micros(gen, "0.5"),
                micros(gen, "0.99"), micros(gen, "0.999"));
            lastGen = gen;
            lastFwd = fwd;
        }
        final Map<String, Double> last = finalScrape(forwarderUrl);
        if (stopping)
        {
            System.out.println("demo: interrupted: both tools stopped; no summary of a cut-short run");
            return 130;
        }
        if (last.isEmpty())
        {
            System.err.println(forwarder.isAlive() ? "demo: the forwarder's metrics endpoint did not answer" :
                "demo: the forwarder exited (" + forwarder.exitValue() + "):\n" +
                Files.readString(dir.resolve("forwarder.err")));
            return 1;
        }
        fwd = last;
        if (0 != pktgen.exitValue())
        {
            System.err.println("demo: pktgen failed:\n" + Files.readString(dir.resolve("pktgen.err")));
            return 1;
        }
        return summary(Files.readString(dir.resolve("pktgen.json")), fwd, lastGen);
    }

    /**
     * The final reckoning, from pktgen's summary, the forwarder's last scrape and pktgen's last (its RX port's own
     * drops): 0 when the redirect rule counted exactly what pktgen sent to the service.
     */
    private int summary(final String json, final Map<String, Double> fwd, final Map<String, Double> gen)
    {
        final PktgenSummary pktgen = PktgenSummary.parse(json);
        final long sent = pktgen.sent();
        final long received = pktgen.received();
        final long dropped = fwd.getOrDefault("forwarder_rule_packets_total{line=6,rule=blocked}", 0.0).longValue();
        final long redirected = fwd.getOrDefault("forwarder_rule_packets_total{line=4,rule=vip}", 0.0).longValue();
        // Stream 0 is the flow to 10.0.8.17:8080: what pktgen handed its TX queue, less what the queue refused.
        final long toService = pktgen.stream0Sent() - pktgen.stream0Refused();
        final long lost = sent - received - dropped;
        System.out.printf(Locale.ROOT, "%nSummary:%n  sent %,d = received %,d + dropped by rule \"blocked\" %,d + " +
            "lost %,d%n", sent, received, dropped, lost);
        if (0 != lost)
        {
            // Where packets are lost on this path: a full ring at either end of either memif.
            System.out.printf(Locale.ROOT, "  lost where: the forwarder's TX ring to pktgen full %,.0f, its RX ring " +
                "full %,.0f; pktgen's RX ring full %,.0f (each as its port counts it)%n",
                fwd.getOrDefault("forwarder_tx_dropped_total{port=1}", 0.0),
                fwd.getOrDefault("forwarder_rx_missed_total{port=0}", 0.0) +
                fwd.getOrDefault("forwarder_rx_nombuf_total{port=0}", 0.0),
                gen.getOrDefault("pktgen_rx_missed_total{port=1}", 0.0) +
                gen.getOrDefault("pktgen_rx_nombuf_total{port=1}", 0.0));
        }
        System.out.printf(Locale.ROOT, "  redirect rule \"vip\" matched %,d; pktgen sent %,d to 10.0.8.17:8080%s%n",
            redirected, toService, redirected == toService ? " (equal)" : " (NOT equal)");
        System.out.printf(Locale.ROOT, "  latency through the forwarder (us), from second %d on: p50 %.1f p99 %.1f " +
            "p99.9 %.1f max %.1f over %,d packets%n", warmup(), pktgen.p50() / 1e3, pktgen.p99() / 1e3,
            pktgen.p999() / 1e3, pktgen.max() / 1e3, pktgen.latencyCount());
        System.out.printf(Locale.ROOT, "  refused by pktgen's TX ring (not sent, not counted as sent): %,d%n",
            pktgen.refused());
        return redirected == toService ? 0 : 1;
    }

    /**
     * Seconds of the run whose latencies are left out (pktgen's {@code --latency-warmup}): the forwarder's first
     * moments, its code being compiled while packets queue in the memif rings.
     */
    private int warmup()
    {
        return seconds >= 10 ? 3 : 1;
    }

    /** Waits for a tool's log line naming its Prometheus endpoint: the URL. */
    private String awaitUrl(final Process process, final String name) throws Exception
    {
        wire.await(process, name, ".err", MetricsEndpoint.SERVING);
        final Matcher matcher = MetricsEndpoint.SERVING_URL.matcher(Files.readString(dir.resolve(name + ".err")));
        if (!matcher.find())
        {
            throw new IOException(name + "'s log names no URL");
        }
        return matcher.group(1);
    }

    /**
     * The scrape the summary is made from, tried up to {@value #FINAL_SCRAPES} times while the forwarder lives: on
     * this shared machine its endpoint's thread may not answer within one scrape's timeout the moment pktgen ends.
     */
    private Map<String, Double> finalScrape(final String url) throws InterruptedException
    {
        Map<String, Double> samples = scrape(url);
        for (int attempt = 1; samples.isEmpty() && attempt < FINAL_SCRAPES && forwarder.isAlive() && !stopping;
            attempt++)
        {
            Thread.sleep(500);
            samples = scrape(url);
        }
        return samples;
    }

    /** One scrape, each sample by name and sorted labels without quotes; empty when the endpoint is gone. */
    private Map<String, Double> scrape(final String url)
    {
        try
        {
            return PrometheusText.parse(http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2))
                .build(), HttpResponse.BodyHandlers.ofString()).body()).samples();
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return Map.of();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    private static double delta(final Map<String, Double> now, final Map<String, Double> before, final String key)
    {
        return now.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
    }

    /**
     * Sent, less received and dropped by the rule, so far: what is in flight counts for a moment, and the forwarder,
     * scraped a moment after pktgen, may have dropped a few more than pktgen had counted sent (never below 0).
     */
    private static double lost(final Map<String, Double> gen, final Map<String, Double> fwd)
    {
        return Math.max(0, gen.getOrDefault("pktgen_tx_packets_total{port=0}", 0.0) -
            gen.getOrDefault("pktgen_rx_packets_total{port=1}", 0.0) -
            fwd.getOrDefault("forwarder_rule_packets_total{line=6,rule=blocked}", 0.0));
    }

    private static double micros(final Map<String, Double> gen, final String quantile)
    {
        return gen.getOrDefault("pktgen_latency_seconds{port=1,quantile=" + quantile + "}", Double.NaN) * 1e6;
    }

    /** Stops both tools (SIGTERM: each stops cleanly) and removes the sockets and EAL's runtime files. */
    private void stopAndClean()
    {
        stopping = true;
        wire.close();
    }
}
