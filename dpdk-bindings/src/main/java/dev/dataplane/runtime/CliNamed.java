package dev.dataplane.runtime;

/** A value named on the command line ({@code --forward-mode io}, {@code --run-mode pipeline}...). */
public interface CliNamed
{
    String cliName();

    /** The one of {@code values} named {@code name}, or null. */
    static <T extends CliNamed> T byCliName(final T[] values, final String name)
    {
        for (final T value : values)
        {
            if (value.cliName().equals(name))
            {
                return value;
            }
        }
        return null;
    }
}
