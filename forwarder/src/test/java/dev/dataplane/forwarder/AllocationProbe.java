package dev.dataplane.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import dev.dataplane.runtime.PollingLcore;

/** The shared allocation probe ({@link dev.dataplane.testing.AllocationProbe}) over a forwarder's lcores. */
final class AllocationProbe
{
    private AllocationProbe()
    {
    }

    /**
     * Runs every lcore of the forwarder under the probe, closes the forwarder, and asserts 0 bytes allocated on each
     * over millions of packets, and 0 mbufs in use.
     */
    static void assertAllocatesNothing(final Forwarder forwarder)
    {
        final List<PollingLcore> lcores = forwarder.lcores();
        try
        {
            dev.dataplane.testing.AllocationProbe.assertAllocatesNothing(
                lcores.stream().map(PollingLcore::lcore).toList(), lcores);
        }
        finally
        {
            forwarder.close();
        }
        assertEquals(0, forwarder.mbufsInUseAtClose());
    }
}
