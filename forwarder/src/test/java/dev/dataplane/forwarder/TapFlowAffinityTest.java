package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static dev.dataplane.testing.NetworkNamespaces.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.RulesState;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.testing.NetworkNamespaces;
import org.junit.jupiter.api.Test;

/**
 * A flow stays on one RX queue, and so on one lcore, on a device that spreads flows by hash: net_tap with two RX
 * queues, whose kernel side (a multi-queue TUN device) picks the queue for each packet by a hash of its addresses and
 * ports. A socket in a network namespace of the test's own sends 16 UDP flows through it; a count rule per flow shows,
 * per RX queue, where each flow's packets went: every flow wholly on one queue, and both queues in use.
 */
class TapFlowAffinityTest
{
    private static final int FLOWS = 16;
    private static final int PACKETS_PER_FLOW = 50;
    private static final int FIRST_PORT = 5000;

    @Test
    void eachFlowArrivesOnOneQueueAndTheFlowsSpreadOverBoth() throws Exception
    {
        NetworkNamespaces.requireRoot("TapFlowAffinityTest");
        final NetworkNamespaces.Hosts hosts = NetworkNamespaces.hosts();
        final StringBuilder rules = new StringBuilder();
        for (int flow = 0; flow < FLOWS; flow++)
        {
            rules.append("f").append(flow).append(": proto udp sport ").append(FIRST_PORT + flow)
                .append(" => count\n");
        }
        rules.append("policy accept\n");
        final Eal eal = Eal.init(ealArgs("net_tap0,iface=" + hosts.tapA(), "net_tap1,iface=" + hosts.tapB()));
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder().rxQueues(2)
                .rules(RulesParser.parse(rules.toString(), "flows.rules")).build());
            forwarder.start();
            try
            {
                NetworkNamespaces.moveInto(hosts.nsA(), hosts.tapA());
                NetworkNamespaces.moveInto(hosts.nsB(), hosts.tapB());
                run("ip", "-n", hosts.nsA(), "addr", "add", "10.9.0.1/24", "dev", hosts.tapA());
                // B has no address: it drops what arrives, silently, so nothing comes back to move a flow.
                final String macB = NetworkNamespaces.macOf(hosts.nsB(), hosts.tapB());
                run("ip", "-n", hosts.nsA(), "neigh", "add", "10.9.0.2", "lladdr", macB, "dev", hosts.tapA());
                run("ip", "netns", "exec", hosts.nsA(), "python3", "-c", """
                    import socket, sys, time
                    first, flows, packets = (int(a) for a in sys.argv[1:4])
                    socks = []
                    for port in range(first, first + flows):
                        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                        s.bind(("10.9.0.1", port))
                        socks.append(s)
                    for i in range(packets):
                        for s in socks:
                            s.sendto(b"x" * 18, ("10.9.0.2", 9000))
                        time.sleep(0.002)
                    """, Integer.toString(FIRST_PORT), Integer.toString(FLOWS), Integer.toString(PACKETS_PER_FLOW));
                final RulesState state = forwarder.rulesState();
                final List<RulesProcessor> port0 = forwarder.processors().stream().filter(p -> 0 == p.rxPort())
                    .toList();
                assertEquals(2, port0.size(), "two RX queues on port 0");
                assertTrue(await(() -> counted(port0, state) >= (long)FLOWS * PACKETS_PER_FLOW, 10_000),
                    "every packet counted: " + counted(port0, state));
                final List<Integer> queueOfFlow = new ArrayList<>();
                for (int flow = 0; flow < FLOWS; flow++)
                {
                    final long q0 = port0.get(0).rulePackets(state, flow);
                    final long q1 = port0.get(1).rulePackets(state, flow);
                    assertEquals(PACKETS_PER_FLOW, q0 + q1, "flow " + flow);
                    assertTrue(0 == q0 || 0 == q1, "flow " + flow + " on both queues: " + q0 + " and " + q1);
                    queueOfFlow.add(0 == q1 ? 0 : 1);
                }
                assertTrue(queueOfFlow.contains(0) && queueOfFlow.contains(1), "flows by queue: " + queueOfFlow);
            }
            finally
            {
                forwarder.close();
                NetworkNamespaces.delete(hosts.nsA(), hosts.nsB());
            }
            assertEquals(0, forwarder.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
    }

    private static long counted(final List<RulesProcessor> processors, final RulesState state)
    {
        long sum = 0;
        for (final RulesProcessor processor : processors)
        {
            for (int flow = 0; flow < FLOWS; flow++)
            {
                sum += processor.rulePackets(state, flow);
            }
        }
        return sum;
    }

}
