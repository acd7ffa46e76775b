package dev.dataplane.forwarder.control;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * What one control client sent, cut into commands: one a line, each at most {@link #MAX_COMMAND_BYTES} bytes with
 * its newline, UTF-8, trimmed. The client's bytes are read into {@link #buffer()}; complete commands come out of
 * {@link #next()}. A line that fills the buffer without a newline is too long ({@link #overflowed()}), and at the end
 * of input what is left is the last command ({@link #rest()}). Fuzzed by {@code CommandReaderFuzzTest}.
 */
final class CommandReader
{
    static final int MAX_COMMAND_BYTES = 256;

    private final ByteBuffer in = ByteBuffer.allocate(MAX_COMMAND_BYTES);

    /** Where the client's bytes go: read into what it has left. */
    ByteBuffer buffer()
    {
        return in;
    }

    /** The next complete command read so far (its newline removed), or null. */
    String next()
    {
        final int newline = newline();
        return newline < 0 ? null : take(newline, 1);
    }

    /** The buffer is full and holds no newline: the command is longer than {@value #MAX_COMMAND_BYTES} bytes. */
    boolean overflowed()
    {
        return !in.hasRemaining() && newline() < 0;
    }

    /** Part of a command has been read. */
    boolean hasPartial()
    {
        return in.position() > 0;
    }

    /** At the end of input: what is left, a last command without its newline, or null when nothing is. */
    String rest()
    {
        return in.position() > 0 ? take(in.position(), 0) : null;
    }

    /** Forgets what was read. */
    void clear()
    {
        in.clear();
    }

    private int newline()
    {
        for (int i = 0; i < in.position(); i++)
        {
            if (in.get(i) == '\n')
            {
                return i;
            }
        }
        return -1;
    }

    /** The first {@code length} bytes as trimmed text, removed with {@code skip} more (the newline). */
    private String take(final int length, final int skip)
    {
        final String text = new String(in.array(), 0, length, StandardCharsets.UTF_8).trim();
        in.flip();
        in.position(length + skip);
        in.compact();
        return text;
    }
}
