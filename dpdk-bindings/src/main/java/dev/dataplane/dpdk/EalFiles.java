package dev.dataplane.dpdk;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files a DPDK process leaves behind: EAL keeps its runtime directory ({@code /var/run/dpdk/PREFIX}: config,
 * memory maps, the multi-process socket) after the process ends, so whatever runs processes of its own file prefix
 * (the benchmarks, the tests) removes their directories once they have stopped.
 */
public final class EalFiles
{
    private static final Path RUNTIME = Path.of("/var/run/dpdk");

    private EalFiles()
    {
    }

    /** Removes the runtime directory of the EAL command line {@code command} ({@code --file-prefix}), if any. */
    public static void removeRuntimeDirectory(final List<String> command)
    {
        final int at = command.indexOf("--file-prefix");
        if (at >= 0 && at + 1 < command.size())
        {
            removeRuntimeDirectory(command.get(at + 1));
        }
    }

    /** Removes {@code /var/run/dpdk/PREFIX}; a prefix with a path in it is refused. */
    public static void removeRuntimeDirectory(final String prefix)
    {
        if (prefix.isEmpty() || prefix.contains("/") || prefix.startsWith("."))
        {
            throw new IllegalArgumentException("not a file prefix: " + prefix);
        }
        delete(RUNTIME.resolve(prefix));
    }

    /** Removes {@code path} and all below it, saying so on stderr when it cannot. */
    public static void delete(final Path path)
    {
        if (!Files.exists(path))
        {
            return;
        }
        try (Stream<Path> files = Files.walk(path))
        {
            for (final Path file : files.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(file);
            }
        }
        catch (final IOException ex)
        {
            System.err.println("could not remove " + path + ": " + ex.getMessage());
        }
    }
}
