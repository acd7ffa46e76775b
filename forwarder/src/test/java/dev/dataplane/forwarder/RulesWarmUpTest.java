package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import org.junit.jupiter.api.Test;

/**
 * The rules path's warm-up runs before the ports start and leaves nothing behind: the forwarder's own processors
 * count nothing, its connection tables hold nothing, its pool lends nothing, and the warm-up's own pool is gone (a
 * second warm-up creates it again under the same name).
 */
class RulesWarmUpTest
{
    @Test
    void runsBeforeTheForwarderStartsAndLeavesNothingBehind() throws Exception
    {
        final String rules = Files.readString(Path.of("..", "examples", "redirect.rules"));
        final Eal eal = Eal.init(ealArgs("net_null0", "net_null1"));
        try
        {
            final ForwarderContext context = ForwarderContext.builder()
                .rules(RulesParser.parse(rules, "redirect.rules")).build();
            final Forwarder forwarder = Forwarder.create(eal, context);
            try
            {
                assertTrue(forwarder.warmUpBursts() > 1000, "bursts run: " + forwarder.warmUpBursts());
                assertTrue(forwarder.warnings().stream().noneMatch(w -> w.contains("warm-up")),
                    forwarder.warnings().toString());
                for (final RulesProcessor processor : forwarder.processors())
                {
                    for (int outcome = 0; outcome < RulesProcessor.OUTCOME_COUNT; outcome++)
                    {
                        assertEquals(0, processor.outcome(outcome), "outcome " + outcome);
                    }
                    for (int rule = 0; rule < forwarder.rulesState().rules().size(); rule++)
                    {
                        assertEquals(0, processor.rulePackets(forwarder.rulesState(), rule), "rule " + rule);
                    }
                }
                assertTrue(!forwarder.trackers().isEmpty(), "redirect.rules tracks connections");
                for (final ConnTracker tracker : forwarder.trackers())
                {
                    assertEquals(0, tracker.table().used());
                }
                assertEquals(0, forwarder.pool().inUseCount());
                // Its pool was freed: a second warm-up makes it again, and runs as many bursts or near.
                assertTrue(RulesWarmUp.run(eal, context, forwarder.topology(),
                    new CompiledRules(context.rules())) > 1000);
            }
            finally
            {
                forwarder.close();
            }
            assertEquals(0, forwarder.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
    }
}
