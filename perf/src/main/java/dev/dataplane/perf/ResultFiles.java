package dev.dataplane.perf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The benchmarks' result files: each end-to-end benchmark writes one JSON object a result into its {@code --out}
 * directory, with the command that produced it; {@link PerformanceReport} reads them back.
 */
public final class ResultFiles
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private ResultFiles()
    {
    }

    /** A result file's {@code "command"} value: the script and its arguments as typed, as a JSON string. */
    public static String command(final String script, final String[] args)
    {
        final StringBuilder command = new StringBuilder(script);
        for (final String arg : args)
        {
            command.append(' ').append(arg.isEmpty() || arg.matches(".*[\\s'\"$].*") ?
                "'" + arg.replace("'", "'\\''") + "'" : arg);
        }
        try
        {
            return JSON.writeValueAsString(command.toString());
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** One result file read back: its name and its object. */
    public record Result(String file, JsonNode json)
    {
    }

    /**
     * Every {@code *.json} file of {@code dir}, in name order.
     *
     * @throws IllegalArgumentException naming the file when one is not a JSON object.
     */
    public static List<Result> read(final Path dir) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            throw new IllegalArgumentException("no results directory " + dir);
        }
        final List<Path> files;
        try (Stream<Path> list = Files.list(dir))
        {
            files = list.filter(f -> f.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        final List<Result> results = new ArrayList<>();
        for (final Path file : files)
        {
            final JsonNode json;
            try
            {
                json = JSON.readTree(file.toFile());
            }
            catch (final JsonProcessingException ex)
            {
                throw new IllegalArgumentException(file + " is not JSON: " + ex.getOriginalMessage(), ex);
            }
            if (null == json || !json.isObject())
            {
                throw new IllegalArgumentException(file + " is not a JSON object");
            }
            results.add(new Result(file.getFileName().toString(), json));
        }
        return results;
    }
}
