package dev.dataplane.forwarder;

import static dev.dataplane.testing.NetworkNamespaces.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dataplane.testing.DpdkTestSupport;
import dev.dataplane.testing.NetworkNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection tracking on two lcores: the forwarder in the wire ({@link WiredForwarder}) with two RX queues per net_tap
 * port, run to completion on two lcores, each holding the connections {@code ConnOwners} give it. The client's
 * packets land on either queue (the TUN device hashes them), so some arrive at the lcore that does not hold their
 * connection and are handed to the one that does. Through destination NAT (the service address) and masquerade
 * (source NAT with a port each lcore picks among its own, so the replies come to it): every UDP echo reaches its
 * connected socket, every TCP connection carries its bytes intact both ways, each flow is one connection (were a
 * flow's directions tracked apart, its replies would open connections of their own, and the NAT would not turn them
 * back), both lcores hold connections, and packets were handed between them; no mbuf is left in use.
 */
class NamespaceHandoffTest
{
    private static final int UDP_FLOWS = 24;
    private static final int DATAGRAMS = 20;
    private static final int TCP_FLOWS = 6;
    private static final int TCP_BYTES = 256 << 10;
    private static final String MASQUERADE = "10.0.8.100";

    /** Runs argv[3] connected UDP sockets to argv[1]:argv[2], argv[4] datagrams each; prints the echoes they got. */
    private static final String UDP_CLIENTS = """
        import socket, sys
        host, port, flows, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        socks = []
        for f in range(flows):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.connect((host, port))
            s.settimeout(2)
            socks.append(s)
        echoed = 0
        for i in range(n):
            for f, s in enumerate(socks):
                s.send(b"%d-%d" % (f, i))
            for f, s in enumerate(socks):
                try:
                    echoed += s.recv(2048) == b"%d-%d" % (f, i)
                except socket.timeout:
                    pass
        print("echoed", echoed)
        """;

    @TempDir
    Path dir;

    @Test
    void eachConnectionIsHeldByOneLcoreAndThePacketsThatLandElsewhereAreHandedToIt() throws Exception
    {
        NetworkNamespaces.requireRoot("NamespaceHandoffTest");
        final Path rules = dir.resolve("handoff.rules");
        Files.writeString(rules, """
            vip: proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083
            vip-tcp: proto tcp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083
            masq: in-port 0 proto udp dst 10.0.1.2 dport 9000 => accept masquerade %s ports 20000-29999
            policy accept
            """.formatted(MASQUERADE));
        try (WiredForwarder wire = new WiredForwarder(dir, DpdkTestSupport.THREE_LCORES, List.of("--rules",
            rules.toString(), "--rxq", "2", "--nb-cores", "2", "--run-mode", "rtc", "--duration", "120",
            "--stats-period", "0")))
        {
            // The server reaches the masquerade address on its wire, through the forwarder.
            final NetworkNamespaces.Hosts hosts = wire.hosts();
            run("ip", "-n", hosts.nsB(), "neigh", "add", MASQUERADE, "lladdr",
                NetworkNamespaces.macOf(hosts.nsA(), hosts.tapA()), "dev", hosts.tapB());
            final Process server = wire.python(false, NamespaceRedirectTest.SERVER);
            assertEquals("ready", server.inputReader(StandardCharsets.UTF_8).readLine());
            try
            {
                assertEquals(List.of("echoed " + UDP_FLOWS * DATAGRAMS), wire.runPython(true, UDP_CLIENTS,
                    WiredForwarder.SERVICE, "8080", Integer.toString(UDP_FLOWS), Integer.toString(DATAGRAMS)));
                assertEquals(List.of("echoed " + UDP_FLOWS * DATAGRAMS), wire.runPython(true, UDP_CLIENTS,
                    WiredForwarder.SERVER, "9000", Integer.toString(UDP_FLOWS), Integer.toString(DATAGRAMS)));
                for (int flow = 0; flow < TCP_FLOWS; flow++)
                {
                    assertEquals(List.of("up True", "down True"), wire.runPython(true,
                        NamespaceRedirectTest.TCP_CLIENT, WiredForwarder.SERVICE, "8080",
                        Integer.toString(TCP_BYTES)), "connection " + flow);
                }
                // One connection a flow: the DNAT'd flows keyed by the service, the masqueraded by their new source.
                assertEquals(UDP_FLOWS + " connections", last(wire.command("conntrack list proto udp dport 8080")));
                final String masqueraded = wire.command("conntrack list proto udp dport 9000");
                assertEquals(UDP_FLOWS + " connections", last(masqueraded));
                assertEquals(UDP_FLOWS, masqueraded.lines().filter(l -> l.contains(" dst=" + MASQUERADE + " "))
                    .count(), masqueraded);
                assertEquals(TCP_FLOWS + " connections", last(wire.command("conntrack list proto tcp dport 8080")));
                wire.assertNoChecksumErrors();
            }
            finally
            {
                server.destroy();
                server.waitFor(10, TimeUnit.SECONDS);
            }
            final String out = wire.stop();
            assertTrue(counted(out, "handoff") > 0, "packets handed between the lcores: " + out);
            assertEquals(0, counted(out, "handoff full"), out);
            assertEquals(0, counted(out, "invalid new"), "no reply was taken for a stray: " + out);
            final Matcher perLcore = Pattern.compile("connections by lcore: (\\d+), (\\d+)").matcher(out);
            assertTrue(perLcore.find(), out);
            assertTrue(Long.parseLong(perLcore.group(1)) > 0 && Long.parseLong(perLcore.group(2)) > 0,
                "both lcores hold connections: " + out);
        }
    }

    private static String last(final String answer)
    {
        final List<String> lines = answer.lines().toList();
        return lines.get(lines.size() - 1);
    }

    /** A connection counter from the summary's {@code connections:} line ({@code name N}), 0 when not there. */
    private static long counted(final String out, final String name)
    {
        final Matcher matcher = Pattern.compile("[:,] " + name + " (\\d+)").matcher(
            out.lines().filter(l -> l.startsWith("connections:")).findFirst().orElse(""));
        return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
    }
}
