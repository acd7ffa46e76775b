package dev.dataplane.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import dev.dataplane.dpdk.JvmFlags;
import org.junit.jupiter.api.Test;

/**
 * {@code bin/demo}, the README's first command: pktgen and the forwarder as two processes joined by memif, for a few
 * seconds. It prints a line a second and a summary that adds up (sent = received + dropped by rule + lost, the loss
 * at most a thousandth; the redirect rule's count equal to what pktgen sent to 10.0.8.17:8080), exits 0, and leaves
 * no process of its own, socket directory or EAL runtime directory behind.
 */
class DemoTest
{
    private static final Pattern SUMMARY = Pattern.compile(
        "sent ([\\d,]+) = received ([\\d,]+) \\+ dropped by rule \"blocked\" ([\\d,]+) \\+ lost ([\\d,]+)");

    @Test
    void twoProcessesThroughMemifAddUpAndLeaveNothingBehind() throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command()
            .orElse("java")));
        command.addAll(JvmFlags.production());
        command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path",
            System.getProperty("java.class.path")), Demo.class.getName(), "--seconds", "5"));
        final Process demo = new ProcessBuilder(command).directory(new File("..")).redirectErrorStream(true).start();
        final String out = new String(demo.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(demo.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, demo.exitValue(), out);
        assertTrue(out.lines().filter(l -> l.matches("\\s+\\d+\\.\\d .*")).count() >= 2, "a line a second: " + out);
        final Matcher summary = SUMMARY.matcher(out);
        assertTrue(summary.find(), out);
        final long sent = number(summary.group(1));
        assertTrue(sent > 100_000, out);
        final long lost = number(summary.group(4));
        assertEquals(sent, number(summary.group(2)) + number(summary.group(3)) + lost);
        // A full memif ring on this shared 2-CPU machine may lose a few; never more than a thousandth.
        assertTrue(lost <= sent / 1000, out);
        assertTrue(out.contains("(equal)"), "the redirect rule's count, what pktgen sent to the service: " + out);
        final Matcher sockets = Pattern.compile("sockets in (\\S+)").matcher(out);
        assertTrue(sockets.find(), out);
        assertTrue(!Files.exists(Path.of(sockets.group(1))), "the socket directory is gone");
        final String prefix = "dp-demo-fwd-" + demo.pid();
        try (Stream<Path> runtime = Files.list(Path.of("/var/run/dpdk")))
        {
            assertTrue(runtime.noneMatch(p -> p.getFileName().toString().endsWith("-" + demo.pid())),
                "no EAL runtime directory of the demo's (" + prefix + ")");
        }
        assertTrue(ProcessHandle.allProcesses().noneMatch(p -> p.info().commandLine().orElse("")
            .contains("dp-demo-fwd-" + demo.pid())), "no forwarder left");
    }

    private static long number(final String text)
    {
        return Long.parseLong(text.replace(",", ""));
    }
}
