package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DPDK's telemetry keeps working for the forwarder's process, and carries the forwarder's own commands: DPDK's
 * client, {@code dpdk-telemetry.py -f PREFIX}, lists the ports and reads their stats, and reads
 * {@code /dataplane/forwarder}, {@code /dataplane/lcores}, {@code /dataplane/rules}, {@code /dataplane/rule,N} and
 * {@code /dataplane/conntrack}, answered from Java on DPDK's telemetry thread, while the forwarder replays 64 UDP
 * flows (half to the service of {@code examples/redirect.rules}); a rule that does not exist gets an error (null).
 */
class TelemetryTest
{
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void dpdkTelemetryReadsThePortsAndTheForwardersOwnCommands() throws Exception
    {
        final List<String> args = new ArrayList<>(ealArgs(PcapForwardingScenario.endlessDnatPorts(dir)));
        assertTrue(args.remove("--no-telemetry"), "the test EAL arguments turn telemetry off: this test needs it");
        final String prefix = args.get(args.indexOf("--file-prefix") + 1);
        try (RedirectChild child = new RedirectChild(dir, args).awaitForwarding())
        {
            Thread.sleep(1_000);
            final Map<String, JsonNode> answers = telemetry(prefix, "/ethdev/list", "/ethdev/stats,0",
                "/dataplane/forwarder", "/dataplane/lcores", "/dataplane/rules", "/dataplane/rule,0",
                "/dataplane/rule,99", "/dataplane/conntrack");
            assertEquals("[0,1]", answers.get("/ethdev/list").toString());
            assertTrue(answers.get("/ethdev/stats").get("ipackets").asLong() > 0);
            final JsonNode forwarder = answers.get("/dataplane/forwarder");
            assertEquals("rules", forwarder.get("mode").asText());
            assertEquals(2, forwarder.get("ports").asInt());
            assertTrue(forwarder.get("port0_rx_packets").asLong() > 0, forwarder.toString());
            assertTrue(answers.get("/dataplane/lcores").get("lcore1").asText().contains("port 0 queue 0 -> rules"));
            final JsonNode rules = answers.get("/dataplane/rules");
            assertEquals(1, rules.get("generation").asInt());
            assertEquals(2, rules.get("rules").asInt());
            assertTrue(rules.get("received").asLong() > 0, rules.toString());
            final JsonNode rule = answers.get("/dataplane/rule");
            assertEquals("vip", rule.get("name").asText(), answers.toString());
            assertTrue(rule.get("packets").asLong() > 0, rule.toString());
            final JsonNode conntrack = answers.get("/dataplane/conntrack");
            assertEquals(64, conntrack.get("in_use_lcore0").asInt(), conntrack.toString());
            assertEquals(32, conntrack.get("ct_nat").asInt());
        }
    }

    /**
     * Runs {@code dpdk-telemetry.py -f prefix} with {@code commands} on its standard input; each answer by its
     * command (the name without parameters). The second {@code /dataplane/rule} (rule 99) is checked here: null.
     */
    private static Map<String, JsonNode> telemetry(final String prefix, final String... commands) throws Exception
    {
        final Process client = new ProcessBuilder("timeout", "30", "dpdk-telemetry.py", "-f", prefix)
            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        client.getOutputStream().write((String.join("\n", commands) + "\n").getBytes(StandardCharsets.UTF_8));
        client.getOutputStream().close();
        final String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(client.waitFor(40, TimeUnit.SECONDS));
        assertEquals(0, client.exitValue(), out);
        final Map<String, JsonNode> answers = new HashMap<>();
        final List<String> lines = out.lines().filter(l -> l.startsWith("{")).toList();
        assertEquals(commands.length, lines.size(), out);
        for (int i = 0; i < lines.size(); i++)
        {
            final JsonNode answer = JSON.readTree(lines.get(i));
            final String name = answer.fieldNames().next();
            if (commands[i].equals("/dataplane/rule,99"))
            {
                assertTrue(answer.get(name).isNull(), "an error for a rule that does not exist: " + answer);
                continue;
            }
            answers.put(name, answer.get(name));
        }
        return answers;
    }
}
