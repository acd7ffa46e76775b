package dev.dataplane.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs a test scenario in a JVM of its own, so that one parameterized test can run scenarios that each initialise
 * EAL (which initialises once per process) with other lcores or devices. The scenario is a static method of the
 * test class taking {@code String[]}; it passes by returning and fails by throwing, as in-process.
 */
public final class ForkedScenario
{
    /** Longest a scenario may run. */
    private static final long TIMEOUT_SECONDS = 300;

    private ForkedScenario()
    {
    }

    /**
     * Runs {@code type.method(args)} in a child JVM working in {@code dir}; fails the calling test with the child's
     * output unless it passed.
     */
    public static void run(final Path dir, final Class<?> type, final String method, final String... args)
        throws Exception
    {
        final List<String> command = new ArrayList<>(List.of(type.getName(), method));
        command.addAll(List.of(args));
        final DpdkTestSupport.ProcessResult result = DpdkTestSupport.runJava(ForkedScenario.class.getName(),
            command, dir, TIMEOUT_SECONDS);
        assertEquals(0, result.exitCode(), type.getSimpleName() + "." + method + Arrays.toString(args) + ": " +
            result);
    }

    /** The child: {@code <class> <method> [args...]}. Exit 0 when the scenario returned, 1 when it threw. */
    public static void main(final String[] args) throws ReflectiveOperationException
    {
        final Method scenario = Class.forName(args[0]).getDeclaredMethod(args[1], String[].class);
        scenario.setAccessible(true);
        try
        {
            scenario.invoke(null, (Object)Arrays.copyOfRange(args, 2, args.length));
        }
        catch (final InvocationTargetException ex)
        {
            ex.getCause().printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }
}
