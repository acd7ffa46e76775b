package dev.dataplane.forwarder.rules;

/** The one place the rules in force are published: a volatile reference, written by reloads, read per burst. */
public final class RulesSource
{
    private volatile RulesState state;

    public RulesSource(final RulesState initial)
    {
        this.state = initial;
    }

    public RulesState get()
    {
        return state;
    }

    public void publish(final RulesState next)
    {
        state = next;
    }
}
