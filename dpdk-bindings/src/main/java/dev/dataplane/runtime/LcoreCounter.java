package dev.dataplane.runtime;

import dev.dataplane.dpdk.Eal;

/** What a {@link PollingLcore} did with its time, in TSC cycles ({@link Eal#rdtsc}), by {@link Counters} index. */
public enum LcoreCounter implements CounterDescriptor.Enumerated
{
    CYCLES(CounterDescriptor.of("lcore_cycles", "cycles", "TSC cycles the lcore spent polling")),
    BUSY_CYCLES(CounterDescriptor.of("lcore_busy_cycles", "cycles",
        "TSC cycles of polls that found work (packets): busy / all is the lcore's load, which its CPU at 100% hides"));

    private final CounterDescriptor descriptor;

    LcoreCounter(final CounterDescriptor descriptor)
    {
        this.descriptor = descriptor;
    }

    @Override
    public CounterDescriptor descriptor()
    {
        return descriptor;
    }
}
