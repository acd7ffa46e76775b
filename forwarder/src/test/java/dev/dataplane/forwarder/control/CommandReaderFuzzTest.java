package dev.dataplane.forwarder.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The control socket's command reader, fed a client's bytes in reads of any size as a socket delivers them, cuts
 * out exactly the commands that splitting the whole stream at its newlines gives, until a line too long; never
 * more, never an exception. {@code bin/fuzz control SECONDS} fuzzes.
 */
class CommandReaderFuzzTest
{
    @FuzzTest(maxDuration = "10s")
    void cutsAnyStreamIntoItsLinesInReadsOfAnySize(final FuzzedDataProvider data)
    {
        final List<Integer> reads = new ArrayList<>();
        for (int i = data.consumeInt(0, 8); i > 0; i--)
        {
            reads.add(data.consumeInt(1, 400));
        }
        final byte[] stream = data.consumeRemainingAsBytes();

        final CommandReader reader = new CommandReader();
        final List<String> commands = new ArrayList<>();
        boolean overflowed = false;
        int at = 0;
        int read = 0;
        while (at < stream.length && !overflowed)
        {
            final ByteBuffer buffer = reader.buffer();
            final int size = Math.min(reads.isEmpty() ? 64 : reads.get(read++ % reads.size()), buffer.remaining());
            buffer.put(stream, at, Math.min(size, stream.length - at));
            at += Math.min(size, stream.length - at);
            for (String command = reader.next(); null != command; command = reader.next())
            {
                commands.add(command);
            }
            overflowed = reader.overflowed();
        }
        if (!overflowed)
        {
            final String last = reader.rest();
            if (null != last)
            {
                commands.add(last);
            }
        }

        final List<String> expected = new ArrayList<>();
        boolean tooLong = false;
        final ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int i = 0; i <= stream.length && !tooLong; i++)
        {
            if (i == stream.length || stream[i] == '\n')
            {
                if (i < stream.length || line.size() > 0)
                {
                    expected.add(line.toString(StandardCharsets.UTF_8).trim());
                }
                line.reset();
            }
            else
            {
                line.write(stream[i]);
                tooLong = line.size() >= CommandReader.MAX_COMMAND_BYTES;
            }
        }
        assertEquals(tooLong, overflowed, "a line of 256 bytes or more, and only that, is too long");
        assertEquals(expected, commands);
        assertTrue(commands.stream().allMatch(c -> c.getBytes(StandardCharsets.UTF_8).length <
            CommandReader.MAX_COMMAND_BYTES * 3));
    }
}
