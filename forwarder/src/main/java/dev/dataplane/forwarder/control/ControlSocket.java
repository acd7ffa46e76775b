package dev.dataplane.forwarder.control;

import java.io.IOException;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The control socket: a Unix domain socket that takes commands ({@code reload}), one a line, and answers each with
 * one line, in order. Commands are queued for the main thread, which owns the forwarder; this thread only relays.
 * Try it with {@code echo reload | socat - UNIX-CONNECT:PATH} (or {@code nc -U PATH}).
 * <p>
 * It cannot be used to hurt the forwarder: the socket is owner-only (0600) before its name is reachable, and a peer
 * that is neither root nor the forwarder's own user (its {@code SO_PEERCRED}) is refused with one line and logged.
 * One thread serves every client through a selector, so a client that is slow or says nothing holds up no other:
 * a command is at most {@value #MAX_COMMAND_BYTES} bytes, and a client that leaves a command unfinished (or sends
 * none) for {@value #IDLE_SECONDS} s is answered and closed; one whose commands were answered is closed when it ends
 * its side, or after that long quiet. At start it takes over only a stale socket (one nobody listens
 * on); anything else at the path is refused, and at exit it removes the path only while it is still its own.
 */
public final class ControlSocket implements AutoCloseable
{
    /** A command waiting for the main thread, where its answer goes, who sent it (for the log) and when. */
    public record Request(String command, String peer, long askedAt, CompletableFuture<String> reply)
    {
        Request(final String command, final String peer)
        {
            this(command, peer, System.nanoTime(), new CompletableFuture<>());
        }
    }

    static final int MAX_COMMAND_BYTES = CommandReader.MAX_COMMAND_BYTES;
    /** A client that has sent nothing new for this long, with a command unfinished or nothing sent, is closed. */
    static final int IDLE_SECONDS = 5;
    /** The main thread answers between statistics periods; one that does not answer in this long is not coming. */
    private static final long ANSWER_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final Path path;
    private final Object fileKey;
    private final ServerSocketChannel server;
    private final Selector selector;
    private final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();
    private final PrintStream log;
    private final UserPrincipal root;
    private final UserPrincipal self;
    private final Thread thread;

    /**
     * Listens at {@code path}: bound in a private directory, made owner-only, and only then moved to its name, so
     * no other user can connect in between and a client never finds it deaf.
     *
     * @param log where refused peers are logged.
     * @throws IOException with a clear message when the path holds anything but a stale socket.
     */
    public ControlSocket(final Path path, final PrintStream log) throws IOException
    {
        this.path = path.toAbsolutePath();
        this.log = log;
        final var lookup = FileSystems.getDefault().getUserPrincipalLookupService();
        this.root = lookup.lookupPrincipalByName("root");
        this.self = lookup.lookupPrincipalByName(System.getProperty("user.name"));
        refuseAnythingButAStaleSocket(this.path);
        final Path directory = Files.createTempDirectory(this.path.getParent(), ".control-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        final Path binding = directory.resolve("socket");
        final ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try
        {
            channel.bind(UnixDomainSocketAddress.of(binding)); // bind and listen: only then does the name move
            Files.setPosixFilePermissions(binding, PosixFilePermissions.fromString("rw-------"));
            refuseAnythingButAStaleSocket(this.path);
            Files.move(binding, this.path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            this.fileKey = Files.readAttributes(this.path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
                .fileKey();
            channel.configureBlocking(false);
            this.selector = Selector.open();
            channel.register(selector, SelectionKey.OP_ACCEPT);
        }
        catch (final IOException ex)
        {
            channel.close();
            Files.deleteIfExists(binding);
            throw ex;
        }
        finally
        {
            Files.deleteIfExists(directory);
        }
        this.server = channel;
        this.thread = Thread.ofPlatform().daemon().name("forwarder-control").start(this::serve);
    }

    /**
     * Refuses a path that holds anything but a stale socket: a file, a directory, a link, or a socket that another
     * process (a second forwarder, say) still listens on.
     */
    private static void refuseAnythingButAStaleSocket(final Path path) throws IOException
    {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS))
        {
            return;
        }
        final BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
            LinkOption.NOFOLLOW_LINKS);
        if (!attributes.isOther())
        {
            throw new IOException(path + " exists and is not a socket (" + (attributes.isDirectory() ? "a directory" :
                attributes.isSymbolicLink() ? "a symbolic link" : "a file") + "): refusing to replace it");
        }
        try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(path)))
        {
            throw new IOException(path + " is a socket that another process listens on (another forwarder?)");
        }
        catch (final java.net.ConnectException ex)
        {
            // Nobody listens: a stale socket, left by a process that did not exit cleanly. Ours to take over.
        }
    }

    /** The next command, if one is waiting. */
    public Request poll()
    {
        return requests.poll();
    }

    /** One client's state: what it sent so far, the answers it is owed (in order), and when it last sent. */
    private static final class Client
    {
        final CommandReader in = new CommandReader();
        /** Its commands not yet answered, in order: their answers go out as they come, in this order. */
        final ArrayDeque<Request> answers = new ArrayDeque<>();
        ByteBuffer out;
        final String peer;
        long lastHeard = System.nanoTime();
        boolean ended;
        boolean sentCommand;

        Client(final String peer)
        {
            this.peer = peer;
        }
    }

    private void serve()
    {
        while (server.isOpen())
        {
            try
            {
                selector.select(200);
                if (!selector.isOpen())
                {
                    return;
                }
                final Iterator<SelectionKey> selected = selector.selectedKeys().iterator();
                while (selected.hasNext())
                {
                    final SelectionKey key = selected.next();
                    selected.remove();
                    if (key.isValid() && key.isAcceptable())
                    {
                        accept();
                    }
                    else if (key.isValid() && key.isReadable())
                    {
                        read(key);
                    }
                }
                final long now = System.nanoTime();
                for (final SelectionKey key : selector.keys())
                {
                    if (key.isValid() && key.attachment() instanceof Client client)
                    {
                        service(key, client, now);
                    }
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                if (!server.isOpen())
                {
                    return;
                }
                log.println("forwarder: warning: control socket: " + ex);
            }
        }
    }

    private void accept() throws IOException
    {
        final SocketChannel channel = server.accept();
        if (null == channel)
        {
            return;
        }
        final UnixDomainPrincipal principal = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
        final String peer = "uid " + principal.user().getName();
        if (!root.equals(principal.user()) && !self.equals(principal.user()))
        {
            log.println("forwarder: control socket: refused a client of " + peer + " (neither root nor " +
                self.getName() + ")");
            try (channel)
            {
                channel.write(ByteBuffer.wrap(("error: permission denied: only root and " + self.getName() +
                    " may control this forwarder\n").getBytes(StandardCharsets.UTF_8)));
            }
            return;
        }
        channel.configureBlocking(false);
        channel.register(selector, SelectionKey.OP_READ, new Client(peer));
    }

    private void read(final SelectionKey key) throws IOException
    {
        final Client client = (Client)key.attachment();
        final SocketChannel channel = (SocketChannel)key.channel();
        final int read;
        try
        {
            read = channel.read(client.in.buffer());
        }
        catch (final IOException ex)
        {
            close(key);
            return;
        }
        client.lastHeard = System.nanoTime();
        if (read < 0)
        {
            client.ended = true;
            key.interestOps(0);
            final String last = client.in.rest(); // the last command, without a newline
            if (null != last)
            {
                submit(client, last);
            }
            return;
        }
        for (String command = client.in.next(); null != command; command = client.in.next())
        {
            submit(client, command);
        }
        if (client.in.overflowed())
        {
            answerAndEnd(key, client, "error: a command is at most " + MAX_COMMAND_BYTES +
                " bytes, ended by a newline");
        }
    }

    /** Answers what is owed, in order, and ends a client that finished or went quiet mid-command. */
    private void service(final SelectionKey key, final Client client, final long now)
    {
        while (null == client.out && !client.answers.isEmpty())
        {
            final Request request = client.answers.element();
            final String text;
            if (request.reply().isDone())
            {
                text = request.reply().getNow("error: no answer from the forwarder");
            }
            else if (now - request.askedAt() > ANSWER_TIMEOUT_NANOS)
            {
                text = "error: no answer from the forwarder";
            }
            else
            {
                break;
            }
            client.answers.remove();
            client.out = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
        }
        if (null != client.out && !write(key, client))
        {
            return;
        }
        if (!client.answers.isEmpty())
        {
            return;
        }
        if (client.ended)
        {
            close(key);
        }
        else if (now - client.lastHeard > TimeUnit.SECONDS.toNanos(IDLE_SECONDS))
        {
            if (client.in.hasPartial())
            {
                answerAndEnd(key, client, "error: the command was not finished with a newline within " +
                    IDLE_SECONDS + " s");
            }
            else if (!client.sentCommand)
            {
                answerAndEnd(key, client, "error: no command within " + IDLE_SECONDS + " s");
            }
            else
            {
                close(key); // answered, and quiet since: done
            }
        }
    }

    /** Writes what the client is owed; false while some of it is left (a client that does not read). */
    private boolean write(final SelectionKey key, final Client client)
    {
        try
        {
            ((SocketChannel)key.channel()).write(client.out);
        }
        catch (final IOException ex)
        {
            close(key);
            return false;
        }
        if (client.out.hasRemaining())
        {
            return false;
        }
        client.out = null;
        return true;
    }

    private void answerAndEnd(final SelectionKey key, final Client client, final String text)
    {
        final Request answer = new Request("", client.peer);
        answer.reply().complete(text);
        client.answers.add(answer);
        client.ended = true;
        client.in.clear();
        key.interestOps(0);
    }

    private void submit(final Client client, final String command)
    {
        client.sentCommand = true;
        final Request request = new Request(command, client.peer);
        client.answers.add(request);
        if (command.isEmpty())
        {
            request.reply().complete("error: empty command (reload, conntrack list|count|flush)");
            return;
        }
        request.reply().whenComplete((answer, failure) -> selector.wakeup());
        requests.add(request);
    }

    private static void close(final SelectionKey key)
    {
        key.cancel();
        try
        {
            key.channel().close();
        }
        catch (final IOException ex)
        {
            // Nothing more to tell the client.
        }
    }

    @Override
    public void close() throws IOException
    {
        server.close();
        selector.close();
        thread.interrupt();
        // Only while the path is still the socket this forwarder made: never another process's, nor a file put there.
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) && Objects.equals(fileKey,
            Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey()))
        {
            Files.deleteIfExists(path);
        }
    }
}
