package dev.dataplane.forwarder.rules;

import dev.dataplane.forwarder.rules.classify.Classifier;

/**
 * One generation of rules as the rule streams see it: the compiled rules, and for each stream the per-rule counters
 * it will write, allocated here by the reloading thread so the lcores never allocate. Published by one volatile
 * store; each stream picks it up at its next burst. Per-rule counters start from zero with each generation.
 */
public final class RulesState
{
    private final CompiledRules rules;
    private final long generation;
    private final long[][] counters;

    public RulesState(final CompiledRules rules, final long generation, final int streams)
    {
        this.rules = rules;
        this.generation = generation;
        this.counters = new long[streams][];
        for (int stream = 0; stream < streams; stream++)
        {
            counters[stream] = Classifier.newCounters(rules.size());
        }
    }

    public CompiledRules rules()
    {
        return rules;
    }

    public long generation()
    {
        return generation;
    }

    long[] counters(final int stream)
    {
        return counters[stream];
    }
}
