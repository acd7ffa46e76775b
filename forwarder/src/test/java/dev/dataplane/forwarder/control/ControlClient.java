package dev.dataplane.forwarder.control;

import java.io.ByteArrayOutputStream;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A control socket's client for tests: one command, its whole answer. */
public final class ControlClient
{
    private ControlClient()
    {
    }

    /** Sends {@code command} and ends its side, as {@code echo CMD | socat} does; the answer, trimmed. */
    public static String command(final Path socket, final String command) throws Exception
    {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket)))
        {
            channel.write(ByteBuffer.wrap((command + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.shutdownOutput(); // the socket answers and closes
            final ByteArrayOutputStream answer = new ByteArrayOutputStream();
            final ByteBuffer in = ByteBuffer.allocate(4096);
            while (channel.read(in) > 0 || in.position() > 0)
            {
                answer.write(in.array(), 0, in.position());
                in.clear();
            }
            return answer.toString(StandardCharsets.UTF_8).trim();
        }
    }
}
