package dev.dataplane.forwarder.rules.lang;

/**
 * One header rewrite a rule applies to the packets it accepts, transmits or redirects.
 *
 * @param kind  what to rewrite.
 * @param value the new value: a port, a DSCP, an IPv4 address (low 32 bits) or a MAC (low 48 bits); for IPv6
 *              addresses {@code value} is the high half and {@code value2} the low one.
 */
public record Rewrite(Kind kind, long value, long value2)
{
    /** Whether it rewrites an address or a port: under connection tracking, part of a connection's NAT. */
    public boolean translates()
    {
        return switch (kind)
        {
            case SET_SOURCE, SET_DESTINATION, SET_SOURCE_PORT, SET_DESTINATION_PORT -> true;
            default -> false;
        };
    }

    /** The rewrites, by keyword. */
    public enum Kind
    {
        SET_SOURCE("set-src"),
        SET_DESTINATION("set-dst"),
        SET_SOURCE_PORT("set-sport"),
        SET_DESTINATION_PORT("set-dport"),
        DECREMENT_TTL("dec-ttl"),
        SET_DSCP("set-dscp"),
        SET_SOURCE_MAC("set-src-mac"),
        SET_DESTINATION_MAC("set-dst-mac");

        private final String keyword;

        Kind(final String keyword)
        {
            this.keyword = keyword;
        }

        public String keyword()
        {
            return keyword;
        }
    }
}
