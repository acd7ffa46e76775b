package dev.dataplane.forwarder;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The control command: a Unix domain socket that takes one command per connection ({@code reload}) and answers
 * one line. Commands are queued for the main thread, which owns the forwarder; this thread only relays.
 * Try it with {@code echo reload | socat - UNIX-CONNECT:PATH} (or {@code nc -U PATH}).
 */
final class ControlSocket implements AutoCloseable
{
    /** A command waiting for the main thread, and where its answer goes. */
    record Request(String command, CompletableFuture<String> reply)
    {
    }

    private static final int MAX_COMMAND_BYTES = 256;

    private final Path path;
    private final ServerSocketChannel server;
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final Thread thread;

    /** Listens at {@code path}; the path appears only once the socket listens, so a client never finds it deaf. */
    ControlSocket(final Path path) throws IOException
    {
        this.path = path;
        final Path binding = path.resolveSibling(path.getFileName() + ".binding-" + ProcessHandle.current().pid());
        Files.deleteIfExists(binding);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try
        {
            server.bind(UnixDomainSocketAddress.of(binding)); // bind and listen: only then does the name move
            Files.move(binding, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        catch (final IOException ex)
        {
            server.close();
            Files.deleteIfExists(binding);
            throw ex;
        }
        this.thread = Thread.ofPlatform().daemon().name("forwarder-control").start(this::serve);
    }

    /** The next command, if one is waiting. */
    Request poll()
    {
        return requests.poll();
    }

    private void serve()
    {
        while (server.isOpen())
        {
            try (SocketChannel client = server.accept())
            {
                final ByteBuffer in = ByteBuffer.allocate(MAX_COMMAND_BYTES);
                while (in.hasRemaining() && client.read(in) > 0 && !containsNewline(in))
                {
                    // read one line at most
                }
                final String command = new String(in.array(), 0, in.position(), StandardCharsets.UTF_8).trim();
                final Request request = new Request(command, new CompletableFuture<>());
                requests.add(request);
                String answer;
                try
                {
                    answer = request.reply().get(30, TimeUnit.SECONDS);
                }
                catch (final Exception ex)
                {
                    answer = "error: no answer from the forwarder";
                }
                client.write(ByteBuffer.wrap((answer + "\n").getBytes(StandardCharsets.UTF_8)));
            }
            catch (final IOException ex)
            {
                if (!server.isOpen())
                {
                    return;
                }
            }
        }
    }

    private static boolean containsNewline(final ByteBuffer buffer)
    {
        for (int i = 0; i < buffer.position(); i++)
        {
            if (buffer.get(i) == '\n')
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException
    {
        server.close();
        thread.interrupt();
        Files.deleteIfExists(path);
    }
}
