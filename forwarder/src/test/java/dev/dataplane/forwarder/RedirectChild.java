package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.javaProcess;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.dataplane.forwarder.cli.ForwarderMain;

/**
 * The forwarder in a child JVM with {@code examples/redirect.rules}, for tests of what an operator attaches to a
 * running one (Prometheus, telemetry, live capture): its output in {@code out.txt} and {@code err.txt} of the test's
 * directory, stopped by SIGTERM and checked to have exited 0 with every mbuf back.
 */
final class RedirectChild implements AutoCloseable
{
    private final Path dir;
    private final Process process;

    /** Starts it with {@code eal}, then {@code --}, the rules, 30 s, no periodic statistics, and {@code options}. */
    RedirectChild(final Path dir, final List<String> eal, final String... options) throws IOException
    {
        this.dir = dir;
        final List<String> args = new ArrayList<>(eal);
        args.addAll(List.of("--", "--rules", Path.of("..", "examples", "redirect.rules").toAbsolutePath().toString(),
            "--duration", "30", "--stats-period", "0"));
        args.addAll(List.of(options));
        this.process = javaProcess(ForwarderMain.class.getName(), args, dir)
            .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
    }

    Process process()
    {
        return process;
    }

    /** Waits until it forwards (its banner's last line), 60 s at most. */
    RedirectChild awaitForwarding() throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(dir.resolve("out.txt")).contains("Forwarding for"))
        {
            assertTrue(process.isAlive() && System.nanoTime() < deadline, Files.readString(dir.resolve("err.txt")));
            Thread.sleep(50);
        }
        return this;
    }

    /** Stops it with SIGTERM and checks it stopped cleanly: exit 0, no mbuf in use. */
    @Override
    public void close() throws IOException, InterruptedException
    {
        new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), Files.readString(dir.resolve("err.txt")));
        assertTrue(Files.readString(dir.resolve("out.txt")).contains("mbufs in use at exit: 0 of"));
    }
}
