package dev.dataplane.forwarder;

import java.util.function.Supplier;

/** The one place the rules in force are published: a volatile reference, written by reloads, read per burst. */
final class RulesSource implements Supplier<RulesState>
{
    private volatile RulesState state;

    RulesSource(final RulesState initial)
    {
        this.state = initial;
    }

    @Override
    public RulesState get()
    {
        return state;
    }

    void publish(final RulesState next)
    {
        state = next;
    }
}
