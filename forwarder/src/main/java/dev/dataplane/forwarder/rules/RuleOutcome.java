package dev.dataplane.forwarder.rules;

import static dev.dataplane.runtime.CounterDescriptor.packets;

import dev.dataplane.runtime.CounterDescriptor;

/** What became of the packets a rules processor received: its counters before the malformed ones by kind. */
public enum RuleOutcome implements CounterDescriptor.Enumerated
{
    RECEIVED(packets("received", "received from the RX queue (or the pipeline ring)")),
    DEFAULT_ACCEPTED(packets("default_accepted", "matched no rule; the accept policy sent them to the paired port")),
    DEFAULT_DROPPED(packets("default_dropped", "matched no rule; the drop policy freed them")),
    RULE_DROPPED(packets("rule_dropped", "freed by a drop rule")),
    TTL_EXPIRED(packets("ttl_expired", "TTL or hop limit would reach 0 on a routed rewrite: freed")),
    MALFORMED_DROPPED(packets("malformed_dropped", "failed the router's checks, no rule claimed them: freed")),
    MALFORMED_ACCEPTED(packets("malformed_accepted",
        "failed the router's checks, no rule claimed them: forwarded untouched (--malformed accept)")),
    FRAGMENTS(packets("fragments", "IPv4 or IPv6 fragments, first or later, whatever became of them")),
    CLASSIFIED(packets("classified", "not answered by the flow cache, so the classifier matched them")),
    CONN_REFUSED(packets("conn_refused",
        "would have opened a connection the connection table could not take (full, or its NAT's tuple in use), or " +
        "were to go to the lcore of their connection and its ring was full: freed")),
    HANDED_OFF(packets("handed_off",
        "handed to the lcore that holds their connection (or is to create it): their outcome is counted there")),
    HANDED_IN(packets("handed_in", "handed here by another lcore's processor (received there)"));

    private final CounterDescriptor descriptor;

    RuleOutcome(final CounterDescriptor descriptor)
    {
        this.descriptor = descriptor;
    }

    @Override
    public CounterDescriptor descriptor()
    {
        return descriptor;
    }
}
