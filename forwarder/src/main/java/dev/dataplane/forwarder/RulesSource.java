package dev.dataplane.forwarder;

/** The one place the rules in force are published: a volatile reference, written by reloads, read per burst. */
final class RulesSource
{
    private volatile RulesState state;

    RulesSource(final RulesState initial)
    {
        this.state = initial;
    }

    RulesState get()
    {
        return state;
    }

    void publish(final RulesState next)
    {
        state = next;
    }
}
