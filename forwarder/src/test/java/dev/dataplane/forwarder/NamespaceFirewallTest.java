package dev.dataplane.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.dataplane.testing.NetworkNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code examples/firewall.rules} between two hosts ({@link WiredForwarder}): the client's connections
 * to the service work (TCP carrying 1 MiB each way intact, UDP echoes to a connected socket, ICMP echo), a
 * connection the server opens towards the client is refused (its SYN dropped, no connection kept), and neither
 * kernel counts a checksum error.
 */
class NamespaceFirewallTest
{
    private static final int TCP_BYTES = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void theClientsConnectionsPassAndTheServersAreRefused() throws Exception
    {
        NetworkNamespaces.requireRoot("NamespaceFirewallTest");
        final Path rules = Path.of("..", "examples", "firewall.rules").toAbsolutePath().normalize();
        try (WiredForwarder wire = new WiredForwarder(dir, List.of("--rules", rules.toString(), "--duration", "120",
            "--stats-period", "0")))
        {
            final Process server = wire.python(false, NamespaceRedirectTest.SERVER);
            assertEquals("ready", server.inputReader(StandardCharsets.UTF_8).readLine());
            try
            {
                assertEquals(List.of("up True", "down True"), wire.runPython(true, NamespaceRedirectTest.TCP_CLIENT,
                    WiredForwarder.SERVER, "8083", Integer.toString(TCP_BYTES)));
                assertEquals(List.of("echoed 10"), wire.runPython(true, """
                    import socket
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    s.connect(("10.0.1.2", 8083))
                    s.settimeout(2)
                    echoed = 0
                    for i in range(10):
                        s.send(b"%d" % i)
                        try:
                            echoed += s.recv(64) == b"%d" % i
                        except socket.timeout:
                            pass
                    print("echoed", echoed)
                    """));
                assertEquals(List.of("replies 2"), wire.runPython(true, """
                    import socket, struct
                    def checksum(data):
                        total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
                        total = (total & 0xFFFF) + (total >> 16)
                        return ~((total & 0xFFFF) + (total >> 16)) & 0xFFFF
                    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
                    s.settimeout(2)
                    replies = 0
                    for seq in range(2):
                        body = struct.pack("!HH", 0x4242, seq) + b"ping"
                        s.sendto(struct.pack("!BBH", 8, 0, checksum(struct.pack("!BBH", 8, 0, 0) + body)) + body,
                                 ("10.0.1.2", 0))
                        try:
                            while True:
                                icmp = s.recv(1024)[20:]
                                if icmp[0] == 0 and icmp[4:8] == struct.pack("!HH", 0x4242, seq):
                                    replies += 1
                                    break
                        except socket.timeout:
                            pass
                    print("replies", replies)
                    """));

                final Process listener = wire.python(true, """
                    import socket
                    listener = socket.socket()
                    listener.bind(("10.0.8.18", 7000))
                    listener.listen(1)
                    print("listening", flush=True)
                    listener.settimeout(8)
                    try:
                        listener.accept()
                        print("accepted")
                    except socket.timeout:
                        print("nothing")
                    """);
                assertEquals("listening", listener.inputReader(StandardCharsets.UTF_8).readLine());
                assertEquals(List.of("refused"), wire.runPython(false, """
                    import socket
                    try:
                        socket.create_connection(("10.0.8.18", 7000), timeout=3)
                        print("connected")
                    except OSError:
                        print("refused")
                    """));
                assertEquals("nothing", listener.inputReader(StandardCharsets.UTF_8).readLine());
                assertTrue(listener.waitFor(20, TimeUnit.SECONDS));
                wire.assertNoChecksumErrors();
            }
            finally
            {
                server.destroy();
                server.waitFor(10, TimeUnit.SECONDS);
            }
            final String out = wire.stop();
            assertTrue(out.matches("(?s).*default dropped [1-9].*"), out);
            assertTrue(out.matches("(?s).*forgotten [1-9].*"), "the server's SYNs opened no connection: " + out);
        }
    }
}
