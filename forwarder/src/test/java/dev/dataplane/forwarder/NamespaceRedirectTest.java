package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static dev.dataplane.testing.DpdkTestSupport.javaProcess;
import static dev.dataplane.testing.NetworkNamespaces.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.dataplane.forwarder.cli.ForwarderMain;
import dev.dataplane.testing.NetworkNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scenario this project began from, end to end with the Linux stack as the peer on both sides: two net_tap ports,
 * each moved into a network namespace the test creates, and the forwarder with the shipped
 * {@code examples/redirect.rules} between them. Datagrams a socket in namespace A sends to 10.0.8.17:8080 arrive at a
 * socket bound to 10.0.1.2:8083 in namespace B, and ones sent to 10.0.1.2:9000 arrive unchanged. The receiving kernel
 * checks the IPv4 and UDP checksums and counts what fails (UdpInCsumErrors, InHdrErrors), and those stay 0. Only the
 * namespaces' own addresses are used; nothing touches the machine's interfaces. Needs root (CI runs as root).
 */
class NamespaceRedirectTest
{
    private static final int DATAGRAMS = 20;

    @TempDir
    Path dir;

    @Test
    void redirectsRealSocketsTrafficWithChecksumsTheKernelAccepts() throws Exception
    {
        NetworkNamespaces.requireRoot("NamespaceRedirectTest");
        final NetworkNamespaces.Hosts hosts = NetworkNamespaces.hosts();
        final Path rules = Path.of("..", "examples", "redirect.rules").toAbsolutePath().normalize();
        final List<String> args = new ArrayList<>(ealArgs("net_tap0,iface=" + hosts.tapA(),
            "net_tap1,iface=" + hosts.tapB()));
        args.addAll(List.of("--", "--rules", rules.toString(), "--duration", "60", "--stats-period", "0"));
        final Process forwarder = javaProcess(ForwarderMain.class.getName(), args, dir)
            .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile()).start();
        try
        {
            awaitStarted(forwarder, dir.resolve("out.txt"), hosts.tapA(), hosts.tapB());
            NetworkNamespaces.moveInto(hosts.nsA(), hosts.tapA());
            NetworkNamespaces.moveInto(hosts.nsB(), hosts.tapB());
            run("ip", "-n", hosts.nsA(), "addr", "add", "10.9.0.1/24", "dev", hosts.tapA());
            run("ip", "-n", hosts.nsB(), "addr", "add", "10.0.1.2/24", "dev", hosts.tapB());
            run("ip", "-n", hosts.nsB(), "route", "add", "10.9.0.0/24", "dev", hosts.tapB());
            // A reaches the service address and the server through the forwarder: on the wire to B's MAC.
            final String macB = NetworkNamespaces.macOf(hosts.nsB(), hosts.tapB());
            for (final String address : List.of("10.0.8.17", "10.0.1.2"))
            {
                run("ip", "-n", hosts.nsA(), "route", "add", address + "/32", "dev", hosts.tapA());
                run("ip", "-n", hosts.nsA(), "neigh", "add", address, "lladdr", macB, "dev", hosts.tapA());
            }

            final Process server = new ProcessBuilder("ip", "netns", "exec", hosts.nsB(), "python3", "-c", """
                import select, socket, sys
                socks = []
                for port in (8083, 9000):
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    s.bind(("10.0.1.2", port))
                    socks.append(s)
                print("ready", flush=True)
                got = 0
                while got < int(sys.argv[1]):
                    ready, _, _ = select.select(socks, [], [], 20)
                    if not ready:
                        break
                    for s in ready:
                        data, peer = s.recvfrom(2048)
                        print(s.getsockname()[1], peer[0], data.decode(), flush=True)
                        got += 1
                """, Integer.toString(2 * DATAGRAMS)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            final var lines = server.inputReader(StandardCharsets.UTF_8);
            assertEquals("ready", lines.readLine());
            run("ip", "netns", "exec", hosts.nsA(), "python3", "-c", """
                import socket, sys, time
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                for i in range(int(sys.argv[1])):
                    s.sendto(b"vip-%d" % i, ("10.0.8.17", 8080))
                    s.sendto(b"direct-%d" % i, ("10.0.1.2", 9000))
                    time.sleep(0.01)
                """, Integer.toString(DATAGRAMS));
            final List<String> received = new ArrayList<>();
            for (String line = lines.readLine(); null != line; line = lines.readLine())
            {
                received.add(line);
            }
            assertTrue(server.waitFor(30, TimeUnit.SECONDS));
            final List<String> expected = new ArrayList<>();
            for (int i = 0; i < DATAGRAMS; i++)
            {
                expected.add("8083 10.9.0.1 vip-" + i);
                expected.add("9000 10.9.0.1 direct-" + i);
            }
            assertEquals(expected.stream().sorted().toList(), received.stream().sorted().toList());

            final String snmp = run("ip", "netns", "exec", hosts.nsB(), "cat", "/proc/net/snmp");
            assertEquals(0, counter(snmp, "Udp:", "InCsumErrors"), snmp);
            assertEquals(0, counter(snmp, "Ip:", "InHdrErrors"), snmp);

            forwarder.destroy(); // SIGTERM: a clean stop
            assertTrue(forwarder.waitFor(30, TimeUnit.SECONDS), "forwarder stopped");
            final String out = Files.readString(dir.resolve("out.txt"));
            assertEquals(0, forwarder.exitValue(), out + Files.readString(dir.resolve("err.txt")));
            assertTrue(out.contains("mbufs in use at exit: 0 "), out);
            assertTrue(out.lines().anyMatch(l -> l.contains("vip") && l.contains(" " + DATAGRAMS + " ")), out);
        }
        finally
        {
            forwarder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            NetworkNamespaces.delete(hosts.nsA(), hosts.nsB());
        }
    }

    /**
     * Waits for the TAP interfaces and for the forwarder's banner, which it prints once its ports have started: the
     * PMD sets its interfaces up by name in this namespace, so they move only after that.
     */
    private static void awaitStarted(final Process forwarder, final Path out, final String... names) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!Files.readString(out).contains("  port " + (names.length - 1) + ": ") ||
            !Arrays.stream(names).allMatch(name -> Files.exists(Path.of("/sys/class/net", name))))
        {
            assertTrue(forwarder.isAlive(), "the forwarder exited before its ports came up");
            assertTrue(System.nanoTime() < deadline, "the forwarder's ports did not come up");
            Thread.sleep(50);
        }
    }

    /** A counter from /proc/net/snmp's pair of lines for {@code prefix}: names, then values. */
    private static long counter(final String snmp, final String prefix, final String name)
    {
        final List<String[]> rows = snmp.lines().filter(l -> l.startsWith(prefix)).map(l -> l.split("\\s+"))
            .toList();
        final int column = Arrays.asList(rows.get(0)).indexOf(name);
        assertTrue(column > 0, name + " in " + snmp);
        return Long.parseLong(rows.get(1)[column]);
    }

}
