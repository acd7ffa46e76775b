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
 * The scenario this project began from, end to end with the Linux stack as the peer on both sides
 * ({@link WiredForwarder}), with the shipped {@code examples/redirect.rules}, which the forwarder runs stateful: a
 * connected UDP socket on the client sends to the service 10.0.8.17:8080, the server on 10.0.1.2:8083 echoes, and
 * every echo reaches the socket (it would not, were it not from 10.0.8.17:8080); datagrams to 10.0.1.2:9000 pass
 * untranslated both ways; the port unreachable the server's kernel sends before anything listens reaches the
 * connected socket as ECONNREFUSED (the ICMP error and the datagram it quotes translated); a kernel TCP
 * connection to 10.0.8.17:8080 carries 4 MiB each way intact (SHA-256 on both sides), then closes with FIN; the
 * control socket lists a connection ESTABLISHED while it is open, in TIME_WAIT once closed, and no longer once
 * TIME_WAIT (2 s here) has run out, counts the rest and flushes them.
 * Neither kernel counts a checksum error, and the forwarder ends with no mbuf in use.
 */
class NamespaceRedirectTest
{
    private static final int DATAGRAMS = 50;
    private static final int TCP_BYTES = 4 << 20;

    /** The server: UDP echo on 8083 and 9000, and on TCP 8083 the SHA-256 of what it reads, then its own bytes. */
    static final String SERVER = """
        import hashlib, socket, sys, threading
        def udp(port):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind(("10.0.1.2", port))
            while True:
                data, peer = s.recvfrom(2048)
                s.sendto(data, peer)
        def recv_exactly(c, n):
            data = b""
            while len(data) < n:
                part = c.recv(n - len(data))
                if not part:
                    raise EOFError()
                data += part
            return data
        def serve(c):
            n = int.from_bytes(recv_exactly(c, 8), "big")
            digest = hashlib.sha256()
            got = 0
            while got < n:
                part = c.recv(min(65536, n - got))
                if not part:
                    break
                digest.update(part)
                got += len(part)
            c.sendall(digest.digest())
            c.sendall(bytes(range(256)) * (n // 256))
            c.shutdown(socket.SHUT_WR)
            while c.recv(65536):
                pass
            c.close()
        def tcp(port):
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind(("10.0.1.2", port))
            listener.listen(8)
            while True:
                c, _ = listener.accept()
                threading.Thread(target=serve, args=(c,), daemon=True).start()
        for target, port in ((udp, 8083), (udp, 9000), (tcp, 8083)):
            threading.Thread(target=target, args=(port,), daemon=True).start()
        print("ready", flush=True)
        sys.stdin.read()
        """;

    /** The client: a TCP connection to argv[1]:argv[2] sending argv[3] bytes; prints what came back intact. */
    static final String TCP_CLIENT = """
        import hashlib, os, socket, sys
        n = int(sys.argv[3])
        blob = os.urandom(n)
        c = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
        c.sendall(n.to_bytes(8, "big") + blob)
        data = b""
        while True:
            part = c.recv(65536)
            if not part:
                break
            data += part
        c.close()
        print("up", data[:32] == hashlib.sha256(blob).digest())
        print("down", data[32:] == bytes(range(256)) * (n // 256))
        """;

    @TempDir
    Path dir;

    @Test
    void theServersRepliesReachConnectedSocketsThroughTheNat() throws Exception
    {
        NetworkNamespaces.requireRoot("NamespaceRedirectTest");
        final Path rules = Path.of("..", "examples", "redirect.rules").toAbsolutePath().normalize();
        try (WiredForwarder wire = new WiredForwarder(dir, List.of("--rules", rules.toString(), "--duration", "120",
            "--stats-period", "0", "--ct-timeout", "tcp-time-wait=2")))
        {
            // Nothing listens yet: the server's kernel answers port unreachable, quoting the translated datagram; the
            // forwarder translates the error, quote included, so the client's connected socket takes it as its own.
            assertEquals(List.of("refused"), wire.runPython(true, """
                import socket
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.connect(("10.0.8.17", 8080))
                s.settimeout(3)
                s.send(b"anyone?")
                try:
                    s.recv(64)
                    print("answered")
                except ConnectionRefusedError:
                    print("refused")
                except socket.timeout:
                    print("timed out")
                """));
            final Process server = wire.python(false, SERVER);
            assertEquals("ready", server.inputReader(StandardCharsets.UTF_8).readLine());
            try
            {
                final List<String> udp = wire.runPython(true, """
                    import socket, sys
                    n = int(sys.argv[1])
                    vip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    vip.connect(("10.0.8.17", 8080))
                    vip.settimeout(2)
                    direct = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    direct.settimeout(2)
                    echoed = 0
                    direct_echoed = 0
                    for i in range(n):
                        vip.send(b"vip-%d" % i)
                        direct.sendto(b"direct-%d" % i, ("10.0.1.2", 9000))
                        try:
                            echoed += vip.recv(2048) == b"vip-%d" % i
                            data, peer = direct.recvfrom(2048)
                            direct_echoed += data == b"direct-%d" % i and peer == ("10.0.1.2", 9000)
                        except socket.timeout:
                            pass
                    print("vip", echoed)
                    print("direct", direct_echoed)
                    """, Integer.toString(DATAGRAMS));
                assertEquals(List.of("vip " + DATAGRAMS, "direct " + DATAGRAMS), udp);

                final List<String> tcp = wire.runPython(true, TCP_CLIENT, WiredForwarder.SERVICE, "8080",
                    Integer.toString(TCP_BYTES));
                assertEquals(List.of("up True", "down True"), tcp);

                // The control socket shows a connection through its states: established while it is open...
                final Process open = wire.python(true, """
                    import socket, time
                    c = socket.create_connection(("10.0.8.17", 8080), timeout=20)
                    c.sendall((16).to_bytes(8, "big"))
                    print("open", flush=True)
                    time.sleep(2)
                    c.sendall(bytes(16))
                    while c.recv(65536):
                        pass
                    c.close()
                    print("closed", flush=True)
                    """);
                final var openLines = open.inputReader(StandardCharsets.UTF_8);
                assertEquals("open", openLines.readLine());
                final String established = wire.command("conntrack list proto tcp dport 8080");
                assertTrue(established.lines().anyMatch(l -> l.matches("tcp +6 \\d+ ESTABLISHED src=10\\.0\\.8\\.18 " +
                    "dst=10\\.0\\.8\\.17 sport=\\d+ dport=8080 src=10\\.0\\.1\\.2 dst=10\\.0\\.8\\.18 sport=8083 " +
                    "dport=\\d+")), established);
                // ...closed with FIN into TIME_WAIT, then gone when TIME_WAIT (2 s here) runs out.
                assertEquals("closed", openLines.readLine());
                assertTrue(open.waitFor(10, TimeUnit.SECONDS));
                assertTrue(wire.command("conntrack list proto tcp").contains(" TIME_WAIT src=10.0.8.18 "));
                Thread.sleep(3_000);
                assertEquals("0 connections", wire.command("conntrack list proto tcp"));
                assertTrue(wire.command("conntrack count").matches("[1-9]\\d* connections"), "the UDP flows");
                assertTrue(wire.command("conntrack flush").matches("flushed [1-9]\\d* connections"));
                assertEquals("0 connections", wire.command("conntrack list"));
                assertTrue(wire.command("conntrack list proto sctp").startsWith("error: proto is tcp, udp or icmp"));
                wire.assertNoChecksumErrors();
            }
            finally
            {
                server.destroy();
                server.waitFor(10, TimeUnit.SECONDS);
            }
            final String out = wire.stop();
            assertTrue(out.lines().anyMatch(l -> l.contains(" vip ") && l.contains(" " + (DATAGRAMS + 1) + " ")), out);
            assertTrue(out.contains("connections: "), out);
            assertTrue(out.contains(", related 1,"), "the port unreachable: " + out);
            assertTrue(out.contains(", nat 4,"), "two UDP flows and two TCP connections translated: " + out);
        }
    }
}
