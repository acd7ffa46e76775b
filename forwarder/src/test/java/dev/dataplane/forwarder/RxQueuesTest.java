package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.forwarder.stats.ForwarderStats;
import dev.dataplane.forwarder.stats.PortTotals;
import org.junit.jupiter.api.Test;

/**
 * Several RX queues per port ({@code --rxq}): every queue gets its own stream and rules processor, all are polled,
 * and the counts agree with the devices'. net_null accepts an RSS configuration but generates on each queue
 * independently, so this checks the queue plumbing, not the hash.
 */
class RxQueuesTest
{
    private static final long PACKETS = 2_000_000;

    @Test
    void pollsEveryQueueOfEveryPortAndCountsAgree() throws Exception
    {
        final Eal eal = Eal.init(ealArgs("net_null0", "net_null1"));
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder().rxQueues(3)
                .rules(RulesParser.parse("proto tcp dport 23 => drop", "t.rules")).build());
            assertEquals(6, forwarder.processors().size(), "2 ports x 3 queues");
            final ForwarderStats stats = new ForwarderStats(forwarder);
            forwarder.start();
            assertTrue(await(() -> ForwarderStats.sum(stats.snapshot()).txPackets() >= PACKETS, 60_000));
            forwarder.stop();
            for (final RulesProcessor processor : forwarder.processors())
            {
                assertTrue(processor.outcome(RulesProcessor.RECEIVED) > 0, "a queue of port " + processor.rxPort());
            }
            final PortTotals[] ports = stats.snapshot();
            long drained = 0;
            for (final PortTotals port : ports)
            {
                assertEquals(port.deviceTxPackets(), port.txPackets(), "port " + port.port() + " tx");
                drained += port.deviceRxPackets() - port.rxPackets();
            }
            assertEquals(forwarder.drainedAtStop(), drained, "what the devices gave = received + drained at stop");
            forwarder.close();
            assertEquals(0, forwarder.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
    }
}
