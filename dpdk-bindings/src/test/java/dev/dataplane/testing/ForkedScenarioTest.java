package dev.dataplane.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

class ForkedScenarioTest
{
    @Test
    void aScenarioRunsInAJvmOfItsOwnWithItsArguments(@TempDir final Path dir) throws Exception
    {
        ForkedScenario.run(dir, ForkedScenarioTest.class, "writes", dir.resolve("pid").toString(), "hello");
        final String[] written = Files.readString(dir.resolve("pid")).split(" ");
        assertEquals("hello", written[1]);
        assertTrue(Long.parseLong(written[0]) != ProcessHandle.current().pid(), "another process");
    }

    @Test
    void aScenarioThatThrowsFailsTheTestWithItsOutput(@TempDir final Path dir)
    {
        final AssertionFailedError failure = assertThrows(AssertionFailedError.class,
            () -> ForkedScenario.run(dir, ForkedScenarioTest.class, "fails"));
        assertTrue(failure.getMessage().contains("planted failure"), failure.getMessage());
    }

    static void writes(final String[] args) throws Exception
    {
        Files.writeString(Path.of(args[0]), ProcessHandle.current().pid() + " " + args[1]);
    }

    static void fails(final String[] args)
    {
        throw new IllegalStateException("planted failure");
    }
}
