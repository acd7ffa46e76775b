package dev.dataplane.pktgen.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;

import dev.dataplane.testing.Manuals;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** pktgen's manual cannot drift from its options. */
class PktgenDocsTest
{
    @Test
    void theOptionsTableListsExactlyTheOptionsOfHelp() throws IOException
    {
        assertEquals(Manuals.helpOptions(new CommandLine(new PktgenOptions())),
            Manuals.tableOptions(Manuals.DOCS.resolve("pktgen.md")));
    }
}
