package dev.dataplane.runtime;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * A tool's Prometheus endpoint ({@code --prometheus [ADDR:]PORT}): an HTTP server on one thread of its own, answering
 * {@code /metrics} in Prometheus's text format from a collector that reads what the lcores already publish (their
 * counters, once a burst), so a scrape never touches the fast path. Bound to 127.0.0.1 unless an address is given.
 */
public final class MetricsEndpoint implements AutoCloseable
{
    /** Where the endpoint listens when {@code --prometheus} gives a port alone. */
    public static final String DEFAULT_ADDRESS = "127.0.0.1";
    /** What {@link #serve} logs before the URL; and how a reader of the log finds the URL (group 1). */
    public static final String SERVING = "prometheus: serving ";
    public static final Pattern SERVING_URL = Pattern.compile(SERVING + "(http://\\S+)");
    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3}\\.){3}\\d{1,3}");

    private final HTTPServer server;
    private final ExecutorService executor;
    private final InetAddress address;

    private MetricsEndpoint(final HTTPServer server, final ExecutorService executor, final InetAddress address)
    {
        this.server = server;
        this.executor = executor;
        this.address = address;
    }

    /**
     * Starts serving {@code collector}'s metrics at {@code where}.
     *
     * @param where {@code PORT} or {@code ADDR:PORT} (an IPv6 address in brackets); port 0 picks a free one.
     * @throws IllegalArgumentException when {@code where} does not parse.
     * @throws IOException              when the port cannot be bound.
     */
    public static MetricsEndpoint start(final String where, final MultiCollector collector) throws IOException
    {
        final InetAddress address = address(where);
        final int port = port(where, where.substring(where.lastIndexOf(':') + 1));
        final PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(collector);
        final ExecutorService executor = Executors.newSingleThreadExecutor(task ->
        {
            final Thread thread = new Thread(task, "prometheus");
            thread.setDaemon(true);
            return thread;
        });
        try
        {
            return new MetricsEndpoint(HTTPServer.builder().inetAddress(address).port(port).registry(registry)
                .executorService(executor).buildAndStart(), executor, address);
        }
        catch (final IOException | RuntimeException ex)
        {
            executor.shutdownNow();
            throw new IOException("--prometheus: cannot listen on " + where + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * What a tool's {@code --prometheus} asks for: {@link #start} at {@code where} with the collector made then, its
     * URL logged ("prometheus: serving URL"); null, nothing served, when {@code where} is null.
     */
    public static MetricsEndpoint serve(final String where, final Supplier<MultiCollector> collector,
        final Consumer<String> log) throws IOException
    {
        if (null == where)
        {
            return null;
        }
        final MetricsEndpoint endpoint = start(where, collector.get());
        log.accept(SERVING + endpoint.url());
        return endpoint;
    }

    /**
     * Checks an {@code --prometheus} value before anything starts.
     *
     * @throws IllegalArgumentException saying what is wrong with it.
     */
    public static void check(final String where)
    {
        address(where);
        port(where, where.substring(where.lastIndexOf(':') + 1));
    }

    private static InetAddress address(final String where)
    {
        final int colon = where.lastIndexOf(':');
        final String host = colon < 0 ? DEFAULT_ADDRESS : where.substring(0, colon).replace("[", "").replace("]", "");
        // An address literal only: a name would be looked up, and this machine may have no resolver to ask.
        if (!IPV4.matcher(host).matches() && !host.contains(":"))
        {
            throw new IllegalArgumentException("--prometheus wants [ADDR:]PORT with an IP address: " + where);
        }
        try
        {
            return InetAddress.getByName(host);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("--prometheus wants [ADDR:]PORT with an IP address: " + where, ex);
        }
    }

    private static int port(final String where, final String text)
    {
        try
        {
            final int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65_535)
            {
                return port;
            }
        }
        catch (final NumberFormatException ex)
        {
            // Refused below.
        }
        throw new IllegalArgumentException("--prometheus wants [ADDR:]PORT with a port in 0..65535: " + where);
    }

    /** The port it listens on (the one picked, when asked for 0). */
    public int port()
    {
        return server.getPort();
    }

    /** Where a scraper finds it. */
    public String url()
    {
        final String host = address.getHostAddress();
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port() + "/metrics";
    }

    @Override
    public void close()
    {
        server.close();
        executor.shutdownNow();
    }
}
