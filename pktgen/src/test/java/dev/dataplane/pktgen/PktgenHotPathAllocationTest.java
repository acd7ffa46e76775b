package dev.dataplane.pktgen;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.pktgen.traffic.FrameSizes;
import dev.dataplane.pktgen.traffic.Traffic;
import dev.dataplane.runtime.PollingLcore;
import dev.dataplane.testing.AllocationProbe;
import org.junit.jupiter.api.Test;

/**
 * Generating and receiving allocate nothing: on a net_ring loopback the lcore that paces, stamps, sends, receives,
 * tracks sequences and records latencies allocates 0 bytes over millions of packets after warm-up: 64-byte frames from
 * one TX queue, and IMIX (a pool per size) from two.
 */
class PktgenHotPathAllocationTest
{
    @Test
    void generatorAndReceiverAllocateNothingPerPacket()
    {
        final Eal eal = Eal.init(ealArgs("net_ring0", "net_ring1"));
        try
        {
            assertAllocatesNothing(eal, 0, Traffic.defaults(64, 16), 1);
            assertAllocatesNothing(eal, 1, new Traffic(FrameSizes.parse("imix"), 16, 0x02_00_00_00_00_01L,
                0x02_00_00_00_00_02L, 0x0A_00_00_01, 0x0A_00_08_11, 40000, 8080, 0, false, -1), 2);
        }
        finally
        {
            eal.close();
        }
    }

    private static void assertAllocatesNothing(final Eal eal, final int port, final Traffic traffic,
        final int txQueues)
    {
        final Pktgen pktgen = Pktgen.create(eal, new PktgenContext(port, port, 32, traffic, "0", 0, 0, null, 1, false,
            txQueues));
        try
        {
            AllocationProbe.assertAllocatesNothing(pktgen.lcores().stream().map(PollingLcore::lcore).toList(),
                pktgen.lcores());
        }
        finally
        {
            pktgen.close();
        }
        assertEquals(0, pktgen.mbufsInUseAtClose());
    }
}
