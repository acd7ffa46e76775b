package dev.dataplane.forwarder.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control socket cannot be used against the forwarder: owner-only, peers checked, no client can hold up the
 * others, every command answered, and the path it is given is never taken from anything but a stale socket. The
 * forwarder's main thread is played by a thread that answers each command.
 */
class ControlSocketTest
{
    @TempDir
    Path dir;
    private Path path;
    private ControlSocket socket;
    private Thread answerer;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException
    {
        path = dir.resolve("fwd.sock");
        socket = new ControlSocket(path, new PrintStream(log, true, StandardCharsets.UTF_8));
        answerer = Thread.ofPlatform().daemon().start(() ->
        {
            while (!Thread.currentThread().isInterrupted())
            {
                final ControlSocket.Request request = socket.poll();
                if (null == request)
                {
                    Thread.onSpinWait();
                    continue;
                }
                request.reply().complete("done " + request.command());
            }
        });
    }

    @AfterEach
    void stop() throws IOException
    {
        answerer.interrupt();
        socket.close();
    }

    @Test
    void isOwnerOnlyWhateverTheUmask() throws IOException
    {
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
    }

    @Test
    void anIdleClientHoldsUpNoOtherAndIsToldWhyItIsClosed() throws Exception
    {
        try (SocketChannel idle = connect(); SocketChannel unfinished = connect())
        {
            write(unfinished, "relo");
            final long start = System.nanoTime();
            assertEquals("done reload", ask("reload\n"), "answered while two clients say nothing more");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(2));
            assertEquals("error: no command within " + ControlSocket.IDLE_SECONDS + " s", readLine(idle));
            assertEquals("error: the command was not finished with a newline within " + ControlSocket.IDLE_SECONDS +
                " s", readLine(unfinished));
        }
    }

    @Test
    void answersEveryCommandInOrderAndOneWithoutANewline() throws Exception
    {
        try (SocketChannel client = connect())
        {
            write(client, "reload\nstatus\n");
            assertEquals("done reload", readLine(client));
            assertEquals("done status", readLine(client));
            write(client, "reload");
            client.shutdownOutput();
            assertEquals("done reload", readLine(client), "the last command, ended by the end of input");
        }
        assertEquals("error: a command is at most " + ControlSocket.MAX_COMMAND_BYTES + " bytes, ended by a newline",
            ask("x".repeat(ControlSocket.MAX_COMMAND_BYTES + 10)));
    }

    @Test
    void refusesAPathHoldingAnythingButAStaleSocket() throws Exception
    {
        final Path file = dir.resolve("a-file");
        Files.writeString(file, "precious");
        final IOException notSocket = assertThrows(IOException.class, () -> new ControlSocket(file, System.err));
        assertTrue(notSocket.getMessage().contains("is not a socket"), notSocket.getMessage());
        assertEquals("precious", Files.readString(file));

        final IOException live = assertThrows(IOException.class, () -> new ControlSocket(path, System.err));
        assertTrue(live.getMessage().contains("another process listens"), live.getMessage());
        assertEquals("done reload", ask("reload\n"), "the first forwarder keeps its socket");

        final Path stale = dir.resolve("stale.sock");
        try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX))
        {
            dead.bind(UnixDomainSocketAddress.of(stale));
        }
        assertTrue(Files.exists(stale));
        new ControlSocket(stale, System.err).close();
        assertFalse(Files.exists(stale), "a stale socket is taken over, and removed at exit");
    }

    @Test
    void removesOnlyItsOwnSocketAtExit() throws Exception
    {
        Files.delete(path);
        Files.writeString(path, "someone else's");
        socket.close();
        assertEquals("someone else's", Files.readString(path));
    }

    @Test
    void refusesAPeerThatIsNeitherRootNorItsOwnUser() throws Exception
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to connect as nobody");
        // Let nobody reach and connect to it: only then does the peer check stand alone.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw-rw-"));
        final Process client = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
            // The server may answer and close before the command is sent: a broken pipe then, and the answer waits.
            "/usr/bin/python3", "-c", "import socket,sys\ns=socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\n" +
            "try:\n  s.sendall(b'reload\\n')\nexcept OSError:\n  pass\nprint(s.makefile().readline().strip())",
            path.toString())
            .redirectErrorStream(true).start();
        assertTrue(client.waitFor(10, TimeUnit.SECONDS));
        final String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(answer.startsWith("error: permission denied"), answer);
        assertTrue(log.toString(StandardCharsets.UTF_8).contains("refused a client of uid"), log.toString());
        assertEquals("done reload", ask("reload\n"), "root still may");
    }

    private SocketChannel connect() throws IOException
    {
        return SocketChannel.open(UnixDomainSocketAddress.of(path));
    }

    private String ask(final String command) throws IOException
    {
        try (SocketChannel client = connect())
        {
            write(client, command);
            return readLine(client);
        }
    }

    private static void write(final SocketChannel client, final String text) throws IOException
    {
        client.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** One line of the answer (blocking; the socket closes idle clients, so this ends). */
    private static String readLine(final SocketChannel client) throws IOException
    {
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        final ByteBuffer one = ByteBuffer.allocate(1);
        while (client.read(one.clear()) > 0 && one.get(0) != '\n')
        {
            line.write(one.get(0));
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
