package dev.dataplane.dpdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The production JVM flags (native access, GC, heap, what Agrona needs), defined once in the parent POM and written
 * by the build to {@code jvm.options} beside this class: for launching child JVMs the way bin/ scripts do.
 */
public final class JvmFlags
{
    private static final String RESOURCE = "jvm.options";

    private JvmFlags()
    {
    }

    public static List<String> production()
    {
        try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE))
        {
            if (null == in)
            {
                throw new IllegalStateException(RESOURCE + " is not on the class path; build with bin/build");
            }
            final String flags = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return flags.isEmpty() ? List.of() : Arrays.asList(flags.split("\\s+"));
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
