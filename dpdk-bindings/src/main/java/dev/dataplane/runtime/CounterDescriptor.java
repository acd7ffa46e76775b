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

    /** A counter of packets. */
    static CounterDescriptor packets(final String name, final String help)
    {
        return of(name, "packets", help);
    }

    /** A counter of bytes. */
    static CounterDescriptor bytes(final String name, final String help)
    {
        return of(name, "bytes", help);
    }

    /** A descriptor that is no enum constant (one per rule, one per malformed verdict...). */
    static CounterDescriptor of(final String name, final String unit, final String help)
    {
        return new Named(name, unit, help);
    }

    /**
     * What an enum of counters implements: each constant carries its descriptor
     * ({@code RX_PACKETS(packets("rx_packets", "received"))}), and the enum's order is the counters' order.
     */
    interface Enumerated extends CounterDescriptor
    {
        CounterDescriptor descriptor();

        @Override
        default String counterName()
        {
            return descriptor().counterName();
        }

        @Override
        default String unit()
        {
            return descriptor().unit();
        }

        @Override
        default String help()
        {
            return descriptor().help();
        }
    }

    /** {@link #of}'s descriptor. */
    record Named(String counterName, String unit, String help) implements CounterDescriptor
    {
    }
}
