package dev.dataplane.forwarder.rules.lang;

import java.util.List;

/**
 * A parsed, validated rule list and the policy for packets no terminal rule matches. Immutable: a reload builds a
 * new one and swaps it in whole.
 *
 * @param source        where it came from (a file name), for messages.
 * @param defaultAccept the policy: accept (forward to the paired port) or drop.
 */
public record RuleSet(String source, List<Rule> rules, boolean defaultAccept)
{
    public RuleSet
    {
        rules = List.copyOf(rules);
        for (int i = 0; i < rules.size(); i++)
        {
            if (rules.get(i).index() != i)
            {
                throw new IllegalArgumentException("rule " + i + " has index " + rules.get(i).index());
            }
        }
    }

    public int size()
    {
        return rules.size();
    }

    /** Whether some rule cannot work without connection tracking: it matches {@code ct-state} or has a NAT verb. */
    public boolean requiresConnTracking()
    {
        return rules.stream().anyMatch(r -> 0 != r.connStates() || null != r.destinationNat() ||
            null != r.sourceNat());
    }

    public Rule rule(final int index)
    {
        return rules.get(index);
    }

    /**
     * Whether the rules need connection tracking: some rule matches {@code ct-state}, has a NAT verb, or rewrites an
     * address or a port (which, tracked, becomes its connections' NAT, so that their replies are translated back).
     */
    public boolean needsConnTracking()
    {
        return rules.stream().anyMatch(r -> 0 != r.connStates() || null != r.destinationNat() ||
            null != r.sourceNat() || r.rewrites().stream().anyMatch(Rewrite::translates));
    }
}
