package dev.dataplane.forwarder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.stats.PortCounter;
import dev.dataplane.runtime.CounterDescriptor;
import dev.dataplane.testing.Manuals;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The manuals cannot drift from the program: each option and each counter they name is the program's, and back. */
class ForwarderDocsTest
{
    @Test
    void theOptionsTableListsExactlyTheOptionsOfHelp() throws IOException
    {
        assertEquals(Manuals.helpOptions(new CommandLine(new ForwarderOptions())),
            Manuals.tableOptions(Manuals.DOCS.resolve("forwarder.md")));
    }

    @Test
    void theStatisticsFieldsAreTheCountersDescriptors() throws IOException
    {
        final String doc = Files.readString(Manuals.DOCS.resolve("forwarder.md"));
        for (final PortCounter counter : PortCounter.values())
        {
            assertTrue(doc.contains("| `" + counter.counterName() + "` |"), counter.counterName());
        }
        for (final CounterDescriptor outcome : RulesProcessor.OUTCOMES)
        {
            final String name = outcome.counterName();
            assertTrue(doc.contains("| `" + name + "` |") || name.startsWith("malformed_") &&
                doc.contains("`malformed_<reason>`"), name);
        }
    }

    @Test
    void theReadmeIsShortAndItsLinksResolve() throws IOException
    {
        final Path readme = Path.of("..", "README.md");
        assertTrue(Files.size(readme) < 8 * 1024, "README.md is " + Files.size(readme) + " bytes");
        final Matcher link = Pattern.compile("\\]\\((docs/[a-z-]+\\.md)\\)").matcher(Files.readString(readme));
        int links = 0;
        while (link.find())
        {
            assertTrue(Files.isRegularFile(Path.of("..").resolve(link.group(1))), link.group(1));
            links++;
        }
        assertTrue(links >= 7, "links to the manuals: " + links);
    }
}
