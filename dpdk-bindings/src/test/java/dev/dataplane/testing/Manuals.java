package dev.dataplane.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine;

/** What the manuals in docs/ say, read for tests that hold them to the programs. */
public final class Manuals
{
    /** The manuals, seen from a module's directory (where Maven runs its tests). */
    public static final Path DOCS = Path.of("..", "docs");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--?[a-z][a-z0-9-]*)");

    private Manuals()
    {
    }

    /** Every name of every option the command line takes, as {@code --help} lists them. */
    public static Set<String> helpOptions(final CommandLine commandLine)
    {
        final Set<String> names = new TreeSet<>();
        for (final CommandLine.Model.OptionSpec option : commandLine.getCommandSpec().options())
        {
            names.addAll(Set.of(option.names()));
        }
        return names;
    }

    /** Every option named in the first column of a manual's options table (the rows that start with an option). */
    public static Set<String> tableOptions(final Path manual) throws IOException
    {
        final Set<String> names = new TreeSet<>();
        for (final String line : Files.readAllLines(manual))
        {
            if (line.startsWith("| `-"))
            {
                final Matcher option = OPTION.matcher(line.substring(1, line.indexOf(" |", 1)));
                while (option.find())
                {
                    names.add(option.group(1));
                }
            }
        }
        return names;
    }
}
