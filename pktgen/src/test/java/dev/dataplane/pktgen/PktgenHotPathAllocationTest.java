package dev.dataplane.pktgen;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.testing.AllocationProbe;
import org.junit.jupiter.api.Test;

/**
 * Generating and receiving allocate nothing: on a net_ring loopback the lcore that paces, stamps, sends, receives,
 * tracks sequences and records latencies allocates 0 bytes over millions of packets after warm-up.
 */
class PktgenHotPathAllocationTest
{
    @Test
    void generatorAndReceiverAllocateNothingPerPacket()
    {
        final Eal eal = Eal.init(ealArgs("net_ring0"));
        try
        {
            final Traffic traffic = Traffic.defaults(64, 16);
            final Pktgen pktgen = Pktgen.create(eal, new PktgenContext(0, 0, 32, traffic, "0", 0, 0));
            try
            {
                AllocationProbe.assertAllocatesNothing(pktgen.lcores().stream().map(PktgenLcore::lcore).toList(),
                    pktgen.lcores());
            }
            finally
            {
                pktgen.close();
            }
            assertEquals(0, pktgen.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
    }
}
