package dev.dataplane.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces a test creates as hosts on the far side of net_tap ports (the Linux stack as an independent
 * peer): the TAP interface DPDK made is moved into a namespace of the test's own, so test traffic never touches the
 * machine's interfaces. Commands come from iproute2; every one must succeed.
 */
public final class NetworkNamespaces
{
    private NetworkNamespaces()
    {
    }

    /**
     * Names for two hosts A and B, unique to this JVM (each test class runs in one of its own): a namespace and the
     * TAP interface DPDK creates for it ({@code net_tap0,iface=}{@link Hosts#tapA()}), within Linux's 15 characters.
     */
    public record Hosts(String nsA, String nsB, String tapA, String tapB)
    {
    }

    public static Hosts hosts()
    {
        final long id = ProcessHandle.current().pid() % 100_000;
        return new Hosts("dptest-a-" + id, "dptest-b-" + id, "dpa" + id, "dpb" + id);
    }

    /** Namespaces and moving interfaces need root (CI runs as root). */
    public static boolean isRoot() throws IOException, InterruptedException
    {
        return "0".equals(run("id", "-u").trim());
    }

    /**
     * Goes on as root; under CI (which is root) anything else fails the test, since these end-to-end tests must run
     * there; elsewhere the test is skipped, and says why on the console, where the suite's summary counts it.
     */
    public static void requireRoot(final String test) throws IOException, InterruptedException
    {
        if (isRoot())
        {
            return;
        }
        final String why = test + " needs root for network namespaces and net_tap (CI runs as root)";
        if (null != System.getenv("CI"))
        {
            org.junit.jupiter.api.Assertions.fail(why + ": it must run in CI, and this CI is not root");
        }
        System.out.println("SKIPPED: " + why);
        org.junit.jupiter.api.Assumptions.abort(why);
    }

    /** Creates namespace {@code ns} and moves {@code device} into it, set up. */
    public static void moveInto(final String ns, final String device) throws IOException, InterruptedException
    {
        run("ip", "netns", "add", ns);
        run("ip", "link", "set", device, "netns", ns);
        run("ip", "-n", ns, "link", "set", device, "up");
    }

    /** The MAC address of {@code device} in {@code ns}. */
    public static String macOf(final String ns, final String device) throws IOException, InterruptedException
    {
        return run("ip", "-n", ns, "-br", "link", "show", device).trim().split("\\s+")[2];
    }

    /** Deletes the namespaces (and with them what is left in them), ignoring ones that do not exist. */
    public static void delete(final String... namespaces) throws IOException, InterruptedException
    {
        for (final String ns : namespaces)
        {
            new ProcessBuilder("ip", "netns", "del", ns).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Runs a command to its end and returns its output; fails the test, with the output, unless it exits 0. */
    public static String run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), String.join(" ", command) + " timed out");
        assertEquals(0, process.exitValue(), String.join(" ", command) + ": " + output);
        return output;
    }
}
