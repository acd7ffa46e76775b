package dev.dataplane.pktgen.cli;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static dev.dataplane.testing.DpdkTestSupport.javaProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.dataplane.testing.DpdkTestSupport;
import dev.dataplane.testing.PrometheusScrape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * pktgen's {@code --prometheus}: looped back by a net_ring port at 200 kpps, it answers scrapes while it runs: what
 * it sent and received growing between scrapes, no loss, and the latency so far as a summary in seconds (a count
 * for every stamped packet received, its quantiles in order, under its maximum). A bad address is refused before
 * anything starts.
 */
class PktgenMetricsTest
{
    @TempDir
    Path dir;

    @Test
    void answersScrapesWhileItSendsAndReceives() throws Exception
    {
        final List<String> args = new ArrayList<>(ealArgs("net_ring0"));
        args.addAll(List.of("--", "--rate", "200k", "--duration", "20", "--stats-period", "0", "--prometheus",
            "127.0.0.1:0"));
        final Process process = javaProcess(PktgenMain.class.getName(), args, dir)
            .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
        try
        {
            final String url = PrometheusScrape.awaitUrl(process, dir.resolve("err.txt"));
            Thread.sleep(1_000);
            final Map<String, Double> first = PrometheusScrape.scrape(url);
            Thread.sleep(1_000);
            final Map<String, Double> second = PrometheusScrape.scrape(url);
            for (final String counter : List.of("pktgen_tx_packets_total{port=0}", "pktgen_rx_packets_total{port=0}",
                "pktgen_tx_bytes_total{port=0}", "pktgen_rx_bytes_total{port=0}"))
            {
                assertTrue(first.get(counter) > 0 && second.get(counter) > first.get(counter), counter + ": " + second);
            }
            assertEquals(0, second.get("pktgen_lost_packets{port=0}"));
            assertEquals(0, second.get("pktgen_tx_refused_total{port=0}"));
            final double busy = second.get("pktgen_lcore_busy_ratio{lcore=1}");
            assertTrue(busy > 0 && busy <= 1.0, "busy ratio " + busy);
            final double count = second.get("pktgen_latency_seconds_count{port=0}");
            // Every stamped packet received has a latency (read a moment after the counters, so a few more).
            assertTrue(count >= first.get("pktgen_rx_packets_total{port=0}"), second.toString());
            double previous = 0;
            for (final String quantile : List.of("0.5", "0.9", "0.99", "0.999", "0.9999"))
            {
                final double value = second.get("pktgen_latency_seconds{port=0,quantile=" + quantile + "}");
                assertTrue(value > 0 && value >= previous, quantile + ": " + second);
                previous = value;
            }
            assertTrue(previous <= second.get("pktgen_latency_max_seconds{port=0}") * 1.001, second.toString());
        }
        finally
        {
            new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        }
        assertEquals(0, process.exitValue(), Files.readString(dir.resolve("err.txt")));
    }

    @Test
    void refusesABadAddressBeforeStarting() throws Exception
    {
        DpdkTestSupport.assertCleanRejection(DpdkTestSupport.runProgram(PktgenMain.class.getName(),
            ealArgs("net_ring0"), dir, "--prometheus", "127.0.0.1:port"), "pktgen",
            "--prometheus wants [ADDR:]PORT with a port in 0..65535: 127.0.0.1:port", dir);
    }
}
