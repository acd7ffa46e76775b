package dev.dataplane.forwarder.rules.lang;

import java.util.List;

/**
 * One rule: what it matches, its verdict, and its rewrites. A field that is not constrained holds {@link #ANY}
 * (or null, for prefixes). Ranges are inclusive.
 *
 * @param index      position in the rule set: first match wins.
 * @param line       where the rule stands in its file, for messages and statistics.
 * @param vlanLow    outer VLAN id range; {@link #UNTAGGED} in both bounds matches untagged frames only.
 * @param ipVersion  4, 6, or {@link #ANY}; implied by a prefix or an address rewrite.
 * @param tcpFlagsMask which TCP flags to test (0: none); matches when {@code flags & mask == tcpFlags}.
 * @param malformed  matches only the frames {@code PacketView} rejects (other fields but in-port must be ANY).
 * @param destinationNat its {@code dnat}, or null.
 * @param sourceNat  its {@code snat} or {@code masquerade}, or null.
 * @param fragment   matches only IPv4/IPv6 fragments, the first included (no port or TCP flag match with it).
 * @param connStates the connection states it matches ({@code ct-state}): bit {@code 1 << s} for each of the
 *                   tracker's codes {@code s} ({@code ConnTracker.NEW}...); 0 matches any.
 */
public record Rule(
    int index,
    String name,
    int line,
    int inPort,
    int etherType,
    int vlanLow,
    int vlanHigh,
    int ipVersion,
    Prefix source,
    Prefix destination,
    int protocol,
    int sourcePortLow,
    int sourcePortHigh,
    int destinationPortLow,
    int destinationPortHigh,
    int tcpFlags,
    int tcpFlagsMask,
    int lengthLow,
    int lengthHigh,
    boolean malformed,
    boolean fragment,
    int connStates,
    Verdict verdict,
    int redirectPort,
    List<Rewrite> rewrites,
    Nat destinationNat,
    Nat sourceNat)
{
    public static final int ANY = -1;
    public static final int UNTAGGED = -2;

    public Rule
    {
        rewrites = List.copyOf(rewrites);
    }

    /** A short description for statistics: the name, or the line number. */
    public String label()
    {
        return null != name ? name : "line " + line;
    }
}
