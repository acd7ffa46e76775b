package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.rtc.ForwardingStream;
import dev.dataplane.forwarder.stats.ForwarderStats;
import dev.dataplane.forwarder.stats.PortCounter;
import dev.dataplane.forwarder.stats.PortTotals;
import org.junit.jupiter.api.Test;

/** net_null ports: millions of packets forwarded, the forwarder's counters agree with the ports', nothing leaks. */
class NullCountersTest
{
    private static final long PACKETS = 3_000_000;

    @Test
    void countersAddUpAndEveryMbufReturns()
    {
        final Eal eal = Eal.init(ealArgs("net_null0", "net_null1"));
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder().build());
            final ForwarderStats stats = new ForwarderStats(forwarder);
            forwarder.start();
            assertTrue(await(() -> ForwarderStats.sum(stats.snapshot()).txPackets() >= PACKETS, 30_000));
            forwarder.stop();
            final PortTotals[] ports = stats.snapshot();

            for (final PortTotals port : ports)
            {
                // Every packet the device handed over was either forwarded or drained at stop.
                assertEquals(port.deviceRxPackets(), port.rxPackets() + drainedFrom(forwarder, port.port()),
                    "port " + port.port() + " rx");
                assertEquals(port.deviceTxPackets(), port.txPackets(), "port " + port.port() + " tx");
                assertEquals(0, port.get(PortCounter.TX_DROPPED));
                assertEquals(0, port.get(PortCounter.RX_NOMBUF));
            }
            assertEquals(ports[0].rxPackets(), ports[1].txPackets(), "0 -> 1");
            assertEquals(ports[1].rxPackets(), ports[0].txPackets(), "1 -> 0");
            forwarder.close();
            assertEquals(0, forwarder.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
    }

    private static long drainedFrom(final Forwarder forwarder, final int port)
    {
        long drained = 0;
        for (final ForwardingStream stream : forwarder.streams())
        {
            if (stream.rxPort() == port)
            {
                drained += stream.drained();
            }
        }
        return drained;
    }
}
