package dev.dataplane.runtime;

/** What an lcore's transmitter sent on one port, by {@link Counters} index. */
public enum TxCounter implements CounterDescriptor
{
    TX_PACKETS("tx_packets", "sent"),
    TX_DROPPED("tx_dropped", "refused by the TX ring, freed and never retried");

    private final String counterName;
    private final String help;

    TxCounter(final String counterName, final String help)
    {
        this.counterName = counterName;
        this.help = help;
    }

    @Override
    public String counterName()
    {
        return counterName;
    }

    @Override
    public String unit()
    {
        return "packets";
    }

    @Override
    public String help()
    {
        return help;
    }
}
