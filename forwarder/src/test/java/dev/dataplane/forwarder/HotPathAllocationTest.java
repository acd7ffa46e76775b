package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.engine.ForwardMode;
import org.junit.jupiter.api.Test;

/** The forwarding loop allocates nothing: see {@link AllocationProbe}. macswap, so the engine touches every packet. */
class HotPathAllocationTest
{
    @Test
    void forwardingAllocatesNothingPerPacket()
    {
        final Eal eal = Eal.init(ealArgs("net_null0", "net_null1"));
        try
        {
            AllocationProbe.assertAllocatesNothing(Forwarder.create(eal, ForwarderContext.builder()
                .forwardMode(ForwardMode.MACSWAP).build()));
        }
        finally
        {
            eal.close();
        }
    }
}
