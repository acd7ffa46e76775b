package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgsOnLcores;
import static dev.dataplane.testing.DpdkTestSupport.javaProcess;
import static dev.dataplane.testing.NetworkNamespaces.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.dataplane.forwarder.cli.ForwarderMain;
import dev.dataplane.forwarder.control.ControlClient;
import dev.dataplane.testing.NetworkNamespaces;

/**
 * The forwarder in the wire between two hosts, for end-to-end tests with the Linux stack as the peer on both sides:
 * two net_tap ports, each moved into a network namespace the test creates. The client 10.0.8.18/24 is on port 0's
 * side, the server 10.0.1.2/24 on port 1's; the client reaches the service address 10.0.8.17 and the server through
 * the server side's MAC, the server reaches 10.0.8.0/24 through the forwarder. Only these namespaces' addresses are
 * used; nothing touches the machine's interfaces. Needs root (CI runs as root).
 */
final class WiredForwarder implements AutoCloseable
{
    static final String CLIENT = "10.0.8.18";
    static final String SERVICE = "10.0.8.17";
    static final String SERVER = "10.0.1.2";

    private final NetworkNamespaces.Hosts hosts = NetworkNamespaces.hosts();
    private final Path dir;
    private final Process forwarder;

    /**
     * Starts the forwarder with {@code options} after {@code --} and its control socket in {@code dir}, and wires
     * the hosts to it.
     */
    WiredForwarder(final Path dir, final List<String> options) throws Exception
    {
        this(dir, "0,1", options);
    }

    /** {@link #WiredForwarder(Path, List)} on the EAL lcores {@code lcores} ({@code --lcores}). */
    WiredForwarder(final Path dir, final String lcores, final List<String> options) throws Exception
    {
        this.dir = dir;
        final List<String> args = new ArrayList<>(ealArgsOnLcores(lcores, "net_tap0,iface=" + hosts.tapA(),
            "net_tap1,iface=" + hosts.tapB()));
        args.add("--");
        args.addAll(options);
        args.addAll(List.of("--control", control().toString()));
        forwarder = javaProcess(ForwarderMain.class.getName(), args, dir)
            .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
        awaitStarted();
        NetworkNamespaces.moveInto(hosts.nsA(), hosts.tapA());
        NetworkNamespaces.moveInto(hosts.nsB(), hosts.tapB());
        run("ip", "-n", hosts.nsA(), "addr", "add", CLIENT + "/24", "dev", hosts.tapA());
        run("ip", "-n", hosts.nsB(), "addr", "add", SERVER + "/24", "dev", hosts.tapB());
        run("ip", "-n", hosts.nsB(), "route", "add", "10.0.8.0/24", "dev", hosts.tapB());
        final String macB = NetworkNamespaces.macOf(hosts.nsB(), hosts.tapB());
        run("ip", "-n", hosts.nsA(), "route", "add", SERVER + "/32", "dev", hosts.tapA());
        for (final String address : List.of(SERVICE, SERVER))
        {
            run("ip", "-n", hosts.nsA(), "neigh", "add", address, "lladdr", macB, "dev", hosts.tapA());
        }
    }

    /** Sends a control command ({@code conntrack list}...); its answer. */
    String command(final String command) throws Exception
    {
        return ControlClient.command(control(), command);
    }

    private Path control()
    {
        return dir.resolve("control.sock");
    }

    NetworkNamespaces.Hosts hosts()
    {
        return hosts;
    }

    /** Starts {@code python3 -c script args...} in the client's ({@code client}) or the server's namespace. */
    Process python(final boolean client, final String script, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec",
            client ? hosts.nsA() : hosts.nsB(), "timeout", "60", "python3", "-c", script));
        command.addAll(Arrays.asList(args));
        return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** Runs {@link #python} to its end; its output's lines. */
    List<String> runPython(final boolean client, final String script, final String... args) throws Exception
    {
        final Process process = python(client, script, args);
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(70, TimeUnit.SECONDS), "python timed out: " + out);
        return out.lines().toList();
    }

    /**
     * A kernel counter from {@code /proc/net/snmp} in the client's ({@code client}) or the server's namespace, from
     * the pair of lines for {@code prefix} ({@code "Udp:"}, {@code "Tcp:"}, {@code "Ip:"}): names, then values.
     */
    private long snmp(final boolean client, final String prefix, final String name) throws Exception
    {
        final String snmp = run("ip", "netns", "exec", client ? hosts.nsA() : hosts.nsB(), "cat", "/proc/net/snmp");
        final List<String[]> rows = snmp.lines().filter(l -> l.startsWith(prefix)).map(l -> l.split("\\s+"))
            .toList();
        final int column = Arrays.asList(rows.get(0)).indexOf(name);
        assertTrue(column > 0, name + " in " + snmp);
        return Long.parseLong(rows.get(1)[column]);
    }

    /** Asserts that neither host's kernel counted a bad UDP or TCP checksum or a bad IPv4 header. */
    void assertNoChecksumErrors() throws Exception
    {
        for (final boolean client : new boolean[] {true, false})
        {
            assertEquals(0, snmp(client, "Udp:", "InCsumErrors"));
            assertEquals(0, snmp(client, "Tcp:", "InCsumErrors"));
            assertEquals(0, snmp(client, "Ip:", "InHdrErrors"));
        }
    }

    /** Stops the forwarder with SIGTERM (a clean stop), checks it exited 0 with no mbuf in use; its summary. */
    String stop() throws Exception
    {
        forwarder.destroy();
        assertTrue(forwarder.waitFor(30, TimeUnit.SECONDS), "forwarder stopped");
        final String out = Files.readString(dir.resolve("out.txt"));
        assertEquals(0, forwarder.exitValue(), out + Files.readString(dir.resolve("err.txt")));
        assertTrue(out.contains("mbufs in use at exit: 0 "), out);
        return out;
    }

    @Override
    public void close() throws Exception
    {
        forwarder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        NetworkNamespaces.delete(hosts.nsA(), hosts.nsB());
    }

    /**
     * Waits for the TAP interfaces and for the forwarder's banner, which it prints once its ports have started: the
     * PMD sets its interfaces up by name in this namespace, so they move only after that.
     */
    private void awaitStarted() throws Exception
    {
        final Path out = dir.resolve("out.txt");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(out).contains("  port 1: ") ||
            !Files.exists(Path.of("/sys/class/net", hosts.tapA())) ||
            !Files.exists(Path.of("/sys/class/net", hosts.tapB())))
        {
            assertTrue(forwarder.isAlive(), "the forwarder exited before its ports came up: " +
                Files.readString(dir.resolve("err.txt")));
            assertTrue(System.nanoTime() < deadline, "the forwarder's ports did not come up");
            Thread.sleep(50);
        }
    }
}
