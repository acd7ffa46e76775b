package dev.dataplane.runtime;

/**
 * What a counter counts: its name (snake case, as the JSON statistics and Prometheus print it), its unit, and a line
 * saying what it means. A kind of counters is an enum implementing this, its order the counters' order.
 */
public interface CounterDescriptor
{
    String counterName();

    /** {@code packets}, {@code bytes}... */
    String unit();

    /** One line for help texts and docs. */
    String help();

    /** A descriptor that is no enum constant (one per rule, one per malformed verdict...). */
    static CounterDescriptor of(final String name, final String unit, final String help)
    {
        return new Named(name, unit, help);
    }

    /** {@link #of}'s descriptor. */
    record Named(String counterName, String unit, String help) implements CounterDescriptor
    {
    }
}
