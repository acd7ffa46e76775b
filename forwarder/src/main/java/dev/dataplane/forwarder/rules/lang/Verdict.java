package dev.dataplane.forwarder.rules.lang;

/** What a rule does with the packets it matches, after XDP's actions. */
public enum Verdict
{
    /** Forward to the in-port's paired port (XDP_PASS for a forwarder). */
    ACCEPT("accept"),
    /** Free the packet (XDP_DROP). */
    DROP("drop"),
    /** Send it back out of the port it came in on, MACs swapped (XDP_TX). */
    TX("tx"),
    /** Send it out of a named port (XDP_REDIRECT). */
    REDIRECT("redirect"),
    /** Count it and go on to the next rule: the only verdict that does not end the search. */
    COUNT("count");

    private final String keyword;

    Verdict(final String keyword)
    {
        this.keyword = keyword;
    }

    public String keyword()
    {
        return keyword;
    }

    public boolean isTerminal()
    {
        return this != COUNT;
    }
}
