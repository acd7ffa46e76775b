package dev.dataplane.pktgen.cli;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dataplane.pktgen.traffic.FrameSizes;
import dev.dataplane.pktgen.traffic.Traffic;
import dev.dataplane.testing.DpdkTestSupport.ProcessResult;
import dev.dataplane.testing.DpdkTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bin/pktgen's command line in child JVMs: one clear error line for bad input, a clean run's JSON lines. */
class PktgenCliTest
{
    private static final String MAIN = PktgenMain.class.getName();

    @TempDir
    Path dir;

    private ProcessResult run(final List<String> eal, final String... options) throws Exception
    {
        return DpdkTestSupport.runProgram(MAIN, eal, dir, options);
    }

    private void assertCleanRejection(final ProcessResult result, final String expected) throws Exception
    {
        DpdkTestSupport.assertCleanRejection(result, "pktgen", expected, dir);
    }

    @Test
    void rejectsBadAndContradictoryOptionsWithOneLine() throws Exception
    {
        final List<String> eal = ealArgs("net_ring0");
        assertCleanRejection(run(eal, "--rate", "fast"), "--rate wants packets per second");
        assertCleanRejection(run(eal, "--rate", "150%"), "--rate in percent must be in (0, 100]");
        assertCleanRejection(run(eal, "--size", "10"), "--size must be in 64..9618: 10");
        assertCleanRejection(run(eal, "--size", "64,9619"), "--size must be in 64..9618: 9619");
        assertCleanRejection(run(eal, "--flows", "0"), "--flows must be in 1..65536: 0");
        assertCleanRejection(run(eal, "--no-rx", "--rx-port", "0"), "--no-rx and --rx-port contradict");
        assertCleanRejection(run(eal, "--frobnicate"), "Unknown option");
        assertCleanRejection(run(eal, "--tx-port", "3", "--count", "1"), "port 3 does not exist");
        Files.writeString(dir.resolve("not.pcap"), "definitely not a capture");
        assertCleanRejection(run(eal, "--pcap", dir.resolve("not.pcap").toString()), "not a pcap file");
        assertCleanRejection(run(eal, "--pcap", "x.pcap", "--flows", "4"), "a --pcap brings its own");
        assertCleanRejection(run(eal, "--pcap", "x.pcap", "--pcap-timing", "--rate", "1M"),
            "--pcap-timing and --rate contradict");
        assertCleanRejection(run(eal, "--loops", "3"), "--loops and --pcap-timing apply to --pcap");
        assertCleanRejection(run(eal, "--size", "64,big"), "--size takes a size in bytes (64), a list");
        assertCleanRejection(run(eal, "--tx-queues", "0"), "--tx-queues must be in 1..16: 0");
        assertCleanRejection(run(eal, "--tx-queues", "3", "--flows", "2"), "--tx-queues 3 needs at least as many");
        assertCleanRejection(run(eal, "--tx-queues", "2", "--flows", "2", "--count", "1"),
            "--count 1 is less than one packet per TX queue");
        assertCleanRejection(run(eal, "--pcap", "x.pcap", "--tx-queues", "2"), "--tx-queues applies to generated");
        assertCleanRejection(run(eal, "--flow-field", "ttl"), "--flow-field takes src-ip, dst-ip, src-port");
        assertCleanRejection(run(eal, "--flow-order", "shuffled"), "--flow-order must be seq or random");
        assertCleanRejection(run(eal, "--flow-field", "dst-port", "--dport", "65000", "--flows", "1000"),
            "1000 flows over --flow-field dst-port run past port 65535");
    }

    @Test
    void receivesTcpOverIpv6InAVlanAndCountsItExactly() throws Exception
    {
        final ProcessResult result = run(ealArgs("net_ring0"), "--count", "100000", "--flows", "3", "--proto",
            "tcp", "--tcp-flags", "psh,ack", "--ipv6", "--vlan", "7", "--size", "128", "--stats-format", "json");
        assertEquals(0, result.exitCode(), result.toString());
        final List<String> lines = result.stdoutLines().stream().filter(l -> l.startsWith("{")).toList();
        final String summary = lines.get(lines.size() - 1);
        assertTrue(summary.contains("\"rx_stamped\":100000,\"rx_unstamped\":0,\"lost\":0,\"duplicates\":0"),
            summary);
        assertCleanRejection(run(ealArgs("net_ring0"), "--proto", "sctp"), "--proto must be udp or tcp");
        assertCleanRejection(run(ealArgs("net_ring0"), "--proto", "tcp", "--ipv6"),
            "--size 64 is too small for these headers");
        assertCleanRejection(run(ealArgs("net_ring0"), "--proto", "tcp", "--tcp-flags", "nope", "--size", "100"),
            "--tcp-flags takes");
    }

    @Test
    void aLatencyWarmupLeavesTheFirstSecondsOutOfTheLatencyFigures() throws Exception
    {
        final ProcessResult result = run(ealArgs("net_ring0"), "--rate", "100k", "--duration", "3",
            "--latency-warmup", "1", "--stats-format", "json");
        assertEquals(0, result.exitCode(), result.toString());
        final List<String> lines = result.stdoutLines().stream().filter(l -> l.startsWith("{")).toList();
        final String summary = lines.get(lines.size() - 1);
        final Matcher stamped = Pattern.compile("\"rx_stamped\":(\\d+)").matcher(summary);
        final Matcher counted = Pattern.compile("\"latency_ns\":\\{\"count\":(\\d+)").matcher(summary);
        assertTrue(stamped.find() && counted.find(), summary);
        final long all = Long.parseLong(stamped.group(1));
        final long timed = Long.parseLong(counted.group(1));
        // About two of the three seconds' packets are timed, none of the first second's.
        assertTrue(timed > all / 2 && timed < all * 4 / 5, timed + " of " + all + ": " + summary);
        assertCleanRejection(run(ealArgs("net_ring0"), "--duration", "3", "--latency-warmup", "3"),
            "--latency-warmup must be at least 0 and shorter than --duration");
    }

    @Test
    void runsToTheCountAndEndsWithAJsonSummary() throws Exception
    {
        final ProcessResult result = run(ealArgs("net_ring0"), "--count", "200000", "--flows", "4",
            "--size", "imix", "--tx-queues", "2", "--stats-period", "0.03",
            "--stats-format", "json", "--rate", "2M", "--latency-csv", dir.resolve("lat.csv").toString(),
            "--latency-html", dir.resolve("lat.html").toString(), "--summary-json", dir.resolve("sum.json").toString());
        assertEquals(0, result.exitCode(), result.toString());
        final List<String> lines = result.stdoutLines().stream().filter(l -> l.startsWith("{")).toList();
        assertTrue(lines.get(0).startsWith("{\"type\":\"start\""), lines.get(0));
        final String summary = lines.get(lines.size() - 1);
        assertTrue(summary.startsWith("{\"type\":\"summary\""), summary);
        assertTrue(summary.contains("\"tx_packets\":200000,"), summary);
        assertTrue(summary.contains("\"rx_stamped\":200000,"), summary);
        assertTrue(summary.contains("\"lost\":0,\"duplicates\":0,\"out_of_order\":0"), summary);
        assertTrue(summary.contains("\"mbufs_in_use_at_exit\":0}"), summary);
        assertEquals(summary, Files.readString(dir.resolve("sum.json")).trim(), "--summary-json holds the summary");
        // Per stream: streams 0 and 2 from TX queue 0, 1 and 3 from queue 1, all 50000 each, none lost.
        for (int stream = 0; stream < 4; stream++)
        {
            assertTrue(summary.contains("{\"stream\":" + stream + ",\"sent\":50000,\"tx_refused\":0," +
                "\"received\":50000,\"lost\":0,"), summary);
        }
        assertTrue(summary.matches(".*\\{\"stream\":3,[^}]*\"latency_ns\":\\{\"min\":[0-9]+,\"mean\":[0-9]+," +
            "\"p50\":[0-9]+,\"p90\":[0-9]+,\"p99\":[0-9]+,\"p99_9\":[0-9]+,\"max\":[0-9]+}}.*"), summary);
        // IMIX bytes, counted exactly on both sides: each queue sends 100000 frames in the pattern's order.
        final FrameSizes imix = FrameSizes.parse("imix");
        long bytes = 0;
        for (int i = 0; i < 100000; i++)
        {
            bytes += 2 * (imix.size(imix.pattern()[i % 12]) - Traffic.FCS);
        }
        assertTrue(summary.contains("\"tx_bytes\":" + bytes + ",\"rx_bytes\":" + bytes + ","), summary);
        // A stats line per period, with a line per port in it.
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("{\"type\":\"stats\"") &&
            l.contains("\"ports\":[{\"port\":0,\"tx_pps\":")), String.join("\n", lines));

        // The distribution files: percentiles and latencies never decrease, the last row counts every packet.
        final List<String> csv = Files.readAllLines(dir.resolve("lat.csv"));
        assertEquals("percentile,latency_us,count_at_or_below", csv.get(0));
        double percentile = -1;
        double latency = -1;
        for (final String row : csv.subList(1, csv.size()))
        {
            final String[] fields = row.split(",");
            assertTrue(Double.parseDouble(fields[0]) >= percentile && Double.parseDouble(fields[1]) >= latency, row);
            percentile = Double.parseDouble(fields[0]);
            latency = Double.parseDouble(fields[1]);
        }
        assertTrue(csv.get(csv.size() - 1).endsWith(",200000"), csv.get(csv.size() - 1));
        final String html = Files.readString(dir.resolve("lat.html"));
        assertTrue(html.startsWith("<!DOCTYPE html>") && html.contains("<polyline") && html.contains("200000 packets"),
            html);
    }
}
