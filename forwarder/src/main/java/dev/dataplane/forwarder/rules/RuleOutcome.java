package dev.dataplane.forwarder.rules;

import dev.dataplane.runtime.CounterDescriptor;

/** What became of the packets a rules processor received: its counters before the malformed ones by kind. */
public enum RuleOutcome implements CounterDescriptor
{
    RECEIVED("received", "received from the RX queue (or the pipeline ring)"),
    DEFAULT_ACCEPTED("default_accepted", "matched no rule; the accept policy sent them to the paired port"),
    DEFAULT_DROPPED("default_dropped", "matched no rule; the drop policy freed them"),
    RULE_DROPPED("rule_dropped", "freed by a drop rule"),
    TTL_EXPIRED("ttl_expired", "TTL or hop limit would reach 0 on a routed rewrite: freed"),
    MALFORMED_DROPPED("malformed_dropped", "failed the router's checks, no rule claimed them: freed"),
    MALFORMED_ACCEPTED("malformed_accepted",
        "failed the router's checks, no rule claimed them: forwarded untouched (--malformed accept)"),
    FRAGMENTS("fragments", "IPv4 or IPv6 fragments, first or later, whatever became of them"),
    CLASSIFIED("classified", "not answered by the flow cache, so the classifier matched them");

    private final String counterName;
    private final String help;

    RuleOutcome(final String counterName, final String help)
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
