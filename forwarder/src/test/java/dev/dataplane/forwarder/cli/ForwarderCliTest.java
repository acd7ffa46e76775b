package dev.dataplane.forwarder.cli;

import static dev.dataplane.testing.DpdkTestSupport.crashFiles;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static dev.dataplane.testing.DpdkTestSupport.javaProcess;
import static dev.dataplane.testing.DpdkTestSupport.runJava;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dataplane.forwarder.control.ControlClient;
import dev.dataplane.testing.DpdkTestSupport.ProcessResult;
import dev.dataplane.testing.DpdkTestSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The forwarder as a user runs it, in child JVMs: bad input, JSON output, and stopping by signal. */
class ForwarderCliTest
{
    private static final String MAIN = ForwarderMain.class.getName();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private ProcessResult run(final List<String> eal, final String... options) throws Exception
    {
        return DpdkTestSupport.runProgram(MAIN, eal, dir, options);
    }

    private void assertCleanRejection(final ProcessResult result, final String expected) throws Exception
    {
        DpdkTestSupport.assertCleanRejection(result, "forwarder", expected, dir);
    }

    @Test
    void rejectsBadEalArguments() throws Exception
    {
        final List<String> eal = new ArrayList<>(ealArgs("net_null0", "net_null1"));
        eal.add("--not-an-eal-option");
        assertCleanRejection(run(eal, "--duration", "1"), "rte_eal_init failed");
    }

    @Test
    void rejectsAMissingPcapFile() throws Exception
    {
        assertCleanRejection(run(ealArgs("net_pcap0,rx_pcap=" + dir.resolve("missing.pcap"), "net_null0"),
            "--duration", "1"), "device net_pcap0 given with --vdev did not come up");
    }

    @Test
    void rejectsAnUnknownPort() throws Exception
    {
        assertCleanRejection(run(ealArgs("net_null0", "net_null1"), "--portmask", "0x5", "--duration", "1"),
            "selects port 2, which does not exist");
    }

    @Test
    void rejectsAnOddNumberOfPorts() throws Exception
    {
        assertCleanRejection(run(ealArgs("net_null0"), "--duration", "1"), "even number");
    }

    @Test
    void rejectsZeroAndHugeBursts() throws Exception
    {
        assertCleanRejection(run(ealArgs("net_null0", "net_null1"), "--burst", "0"), "--burst must be in 1..512: 0");
        assertCleanRejection(run(ealArgs("net_null0", "net_null1"), "--burst", "100000"),
            "--burst must be in 1..512: 100000");
    }

    @Test
    void rejectsUnknownOptionsAndModes() throws Exception
    {
        assertCleanRejection(run(ealArgs("net_null0", "net_null1"), "--frobnicate"), "Unknown option");
        assertCleanRejection(run(ealArgs("net_null0", "net_null1"), "--forward-mode", "teleport"),
            "unknown forward mode 'teleport'");
        assertCleanRejection(run(ealArgs("net_null0", "net_null1"), "--rxd", "1000"), "--rxd must be a power of two");
        assertCleanRejection(run(ealArgs("net_null0", "net_null1"), "--portmask", "zz"), "--portmask wants a hex mask");
    }

    @Test
    void rejectsABadRulesFileWithItsPosition() throws Exception
    {
        final Path rules = dir.resolve("bad.rules");
        java.nio.file.Files.writeString(rules, "# comment\nproto udp dprot 53 => drop\n");
        assertCleanRejection(run(ealArgs("net_null0", "net_null1"), "--rules", rules.toString()),
            rules + ":2:11: unknown match 'dprot' (did you mean dport?)");
        assertCleanRejection(run(ealArgs("net_null0", "net_null1"), "--rules", dir.resolve("none.rules").toString()),
            "cannot read rules file");
    }

    @Test
    void rejectsBadPipelineAndQueueSettings() throws Exception
    {
        final Path rules = dir.resolve("ok.rules");
        java.nio.file.Files.writeString(rules, "proto udp dport 53 => drop\n");
        final List<String> eal = ealArgs("net_null0", "net_null1");
        assertCleanRejection(run(eal, "--rules", rules.toString(), "--run-mode", "pipe"),
            "--run-mode must be run-to-completion (or rtc) or pipeline: pipe");
        assertCleanRejection(run(eal, "--run-mode", "pipeline"), "--run-mode applies to --rules");
        assertCleanRejection(run(eal, "--rules", rules.toString(), "--ring-size", "1000"),
            "--ring-size must be a power of two");
        assertCleanRejection(run(eal, "--rules", rules.toString(), "--run-mode", "pipeline", "--duration", "1"),
            "--run-mode pipeline needs two worker lcores or more");
        assertCleanRejection(run(eal, "--rxq", "0"), "--rxq must be in 1..16: 0");
        assertCleanRejection(run(eal, "--rules", rules.toString(), "--pipeline-tx", "nic"),
            "--pipeline-tx must be rx or stage: nic");
        assertCleanRejection(run(eal, "--pipeline-tx", "rx"), "--pipeline-tx applies to --rules");
        assertCleanRejection(run(eal, "--rules", rules.toString(), "--run-mode", "rtc", "--pipeline-tx", "rx",
            "--duration", "1"), "--pipeline-tx applies to the pipeline run mode");
        assertCleanRejection(run(eal, "--rules", rules.toString(), "--flow-cache", "5000"),
            "--flow-cache must be a power of two in 2..1048576: 5000");
        assertCleanRejection(run(eal, "--flow-cache", "8192"), "--flow-cache applies to --rules");
        assertCleanRejection(run(eal, "--rules", rules.toString(), "--rxq", "4", "--flow-cache", "1048576",
            "--duration", "1"), "--flow-cache 1048576 on 8 RX queue(s) needs 576 MiB, more than half the JVM's heap");
        // Connections shared by lcores are run to completion (the handoff); the pipeline's stages do not share them.
        assertCleanRejection(run(DpdkTestSupport.ealArgsOnLcores("0@0,1@1,2@0,3@1,4@0", "net_null0", "net_null1"),
            "--rules", rules.toString(), "--conntrack", "on", "--run-mode", "pipeline", "--rxq", "2", "--duration",
            "1"), "connection tracking over 2 RX queues on 2 stage lcores: a connection's packets are handed to the " +
            "lcore that holds it only when run to completion; use --run-mode rtc, or --rxq 1");
    }

    @Test
    void needsAWorkerLcore() throws Exception
    {
        final List<String> eal = new ArrayList<>(ealArgs("net_null0", "net_null1"));
        eal.set(eal.indexOf("0,1"), "0");
        assertCleanRejection(run(eal, "--duration", "1"), "worker lcore");
    }

    @Test
    void printsOneJsonObjectPerLineEndingWithTheSummary() throws Exception
    {
        final ProcessResult result = run(ealArgs("net_null0", "net_null1"), "--stats-format", "json", "--duration",
            "2.5", "--forward-mode", "macswap");
        assertEquals(0, result.exitCode(), result.toString());
        final List<JsonNode> lines = new ArrayList<>();
        for (final String line : result.stdoutLines())
        {
            lines.add(JSON.readTree(line));
        }
        assertEquals("start", lines.get(0).get("type").asText());
        assertEquals("net_null0", lines.get(0).get("ports").get(0).get("name").asText());
        final JsonNode summary = lines.get(lines.size() - 1);
        assertEquals("summary", summary.get("type").asText());
        assertTrue(lines.stream().filter(l -> "stats".equals(l.get("type").asText())).count() >= 2, result.stdout());
        assertEquals(0, summary.get("mbufs_in_use_at_exit").asInt());
        assertEquals("macswap", summary.get("forward_mode").asText());
        final JsonNode all = summary.get("all");
        assertTrue(all.get("tx_packets").asLong() > 1_000_000, summary.toString());
        assertEquals(all.get("rx_packets").asLong(), all.get("tx_packets").asLong() + all.get("tx_dropped").asLong() +
            all.get("malformed").asLong());
        assertTrue(all.get("rx_bytes").isNull(), "net_null counts no bytes, so none are claimed");
    }

    @Test
    void theStartLineSaysWhatHoldsTheConnectionTables() throws Exception
    {
        final ProcessResult result = run(ealArgs("net_null0", "net_null1"), "--stats-format", "json", "--duration",
            "1", "--rules", Path.of("..", "examples", "redirect.rules").toAbsolutePath().toString());
        assertEquals(0, result.exitCode(), result.toString());
        final JsonNode conntrack = JSON.readTree(result.stdoutLines().get(0)).get("conntrack");
        assertEquals(1, conntrack.get("tables").asInt(), result.stdout());
        assertEquals(262_144, conntrack.get("connections_per_table").asInt());
        assertEquals(262_144L * 160, conntrack.get("bytes_per_table").asLong(), "160 bytes a connection");
        assertTrue(List.of("EAL hugepages", "transparent huge pages (madvise)", "4 KiB pages")
            .contains(conntrack.get("memory").asText()), conntrack.toString());
        final JsonNode summary = JSON.readTree(result.stdoutLines().get(result.stdoutLines().size() - 1));
        assertTrue(summary.get("connections").has("ct_reopened"), summary.toString());
    }

    @Test
    void stopsCleanlyOnSigterm() throws Exception
    {
        final List<String> args = new ArrayList<>(ealArgs("net_null0", "net_null1"));
        args.add("--");
        final Process process = javaProcess(MAIN, args, dir).redirectError(dir.resolve("err.txt").toFile()).start();
        final List<String> out = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String line;
            boolean signalled = false;
            while (null != (line = reader.readLine()))
            {
                out.add(line);
                if (!signalled && line.trim().matches("^2\\.0\\s+1\\s.*"))
                {
                    // SIGTERM, after two seconds of statistics (Process.destroy would also close our pipes).
                    new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
                    signalled = true;
                }
                if (System.nanoTime() > deadline)
                {
                    process.destroyForcibly();
                    break;
                }
            }
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        final String stdout = String.join("\n", out);
        assertEquals(0, process.exitValue(), stdout + "\n" + Files.readString(dir.resolve("err.txt")));
        assertTrue(stdout.contains("Summary:"), stdout);
        assertTrue(stdout.contains("mbufs in use at exit: 0 of"), stdout);
        assertEquals(List.of(), crashFiles(dir));
    }

    @Test
    void reloadsRulesByControlCommandAndSighupAndKeepsThemOnABadFile() throws Exception
    {
        final Path rules = dir.resolve("live.rules");
        Files.writeString(rules, "first: ip4 => count\n");
        final Path control = dir.resolve("control.sock");
        final List<String> args = new ArrayList<>(ealArgs("net_null0", "net_null1"));
        args.addAll(List.of("--", "--rules", rules.toString(), "--control", control.toString(), "--stats-period", "0"));
        final Process process = javaProcess(MAIN, args, dir).redirectOutput(dir.resolve("out.txt").toFile())
            .redirectError(dir.resolve("err.txt").toFile()).start();
        try
        {
            assertTrue(dev.dataplane.testing.DpdkTestSupport.await(() -> Files.exists(control), 30_000),
                "control socket never appeared");
            Files.writeString(rules, "second: ip6 => drop\nthird: ip4 => count\n");
            assertTrue(ControlClient.command(control, "reload").startsWith("rules reloaded from " + rules +
                ": 2 rules, generation 2"));
            Files.writeString(rules, "broken: proto udp dprot 53 => drop\n");
            final String refused = ControlClient.command(control, "reload");
            assertTrue(refused.startsWith("error: rules reload rejected, the old rules stay in force: " + rules +
                ":1:19: unknown match 'dprot'"), refused);
            assertTrue(ControlClient.command(control, "frobnicate").startsWith("error: unknown command 'frobnicate'"));
            // One 16 MB word ran the parser's did-you-mean out of heap and the forwarder exited: now refused by the
            // length of its line.
            Files.writeString(rules, "x".repeat(16_000_000) + "\n");
            new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
            assertTrue(dev.dataplane.testing.DpdkTestSupport.await(() -> read(dir.resolve("err.txt"))
                .contains("reload (SIGHUP): error: rules reload rejected, the old rules stay in force: " + rules +
                    ":1:4097: line of 16000000 characters"), 30_000), read(dir.resolve("err.txt")));
            assertTrue(process.isAlive());
            Files.writeString(rules, "fourth: ether-type arp => drop\n");
            new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
            assertTrue(dev.dataplane.testing.DpdkTestSupport.await(() -> read(dir.resolve("err.txt"))
                .contains("reload (SIGHUP): rules reloaded from " + rules + ": 1 rules, generation 3"), 30_000),
                read(dir.resolve("err.txt")));
            assertTrue(read(dir.resolve("err.txt")).contains("reload (control socket, uid " +
                System.getProperty("user.name") + "): rules reloaded from " + rules + ": 2 rules, generation 2"),
                "every reload is logged with its source");
        }
        finally
        {
            new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        }
        assertEquals(0, process.exitValue(), read(dir.resolve("err.txt")));
        final String out = read(dir.resolve("out.txt"));
        assertTrue(out.contains("fourth") && out.contains("mbufs in use at exit: 0 of"), out);
        assertFalse(Files.exists(control), "the control socket is removed at exit");
    }

    private static String read(final Path file)
    {
        try
        {
            return Files.exists(file) ? Files.readString(file) : "";
        }
        catch (final java.io.IOException ex)
        {
            return ex.toString();
        }
    }

    @Test
    void aSighupWhileStartingNeitherKillsNorStopsIt() throws Exception
    {
        final List<String> args = new ArrayList<>(ealArgs("net_null0", "net_null1"));
        args.set(args.indexOf("lib.eal:warning"), "lib.eal:info"); // to see when EAL starts
        args.addAll(List.of("--", "--duration", "3", "--stats-period", "0"));
        final Process process = javaProcess(MAIN, args, dir).redirectOutput(dir.resolve("out.txt").toFile())
            .redirectError(dir.resolve("err.txt").toFile()).start();
        // EAL's first words: the JVM is in main, EAL starts, the forwarder's loop is not running yet.
        assertTrue(dev.dataplane.testing.DpdkTestSupport.await(() -> read(dir.resolve("err.txt")).contains("EAL:"),
            30_000), "EAL never started");
        for (int i = 0; i < 5; i++)
        {
            new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
            Thread.sleep(50);
        }
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), "not 129, the JVM's death by SIGHUP: " + read(dir.resolve("err.txt")));
        assertTrue(read(dir.resolve("out.txt")).contains("mbufs in use at exit: 0 of"));
        assertTrue(read(dir.resolve("err.txt")).contains("reload (SIGHUP): error: nothing to reload"),
            read(dir.resolve("err.txt")));
    }

    @Test
    void printsUsageForHelp() throws Exception
    {
        final ProcessResult result = runJava(MAIN, List.of("--help"), dir, 60);
        assertEquals(0, result.exitCode(), result.toString());
        assertTrue(result.stdout().contains("--forward-mode") && result.stdout().contains("--stats-format"));
    }
}
