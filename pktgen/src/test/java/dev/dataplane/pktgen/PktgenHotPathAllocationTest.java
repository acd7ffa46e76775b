package dev.dataplane.pktgen;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.net.Ipv4Header;
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
            final Traffic traffic = new Traffic(64, 16, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L,
                Ipv4Header.parseAddress("10.0.0.1"), Ipv4Header.parseAddress("10.0.8.17"), 40000, 8080);
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
