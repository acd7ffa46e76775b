package dev.dataplane.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The pool holds what every ring can hold: with {@code --rxq 4} the ports get four TX queues, one per lcore, each of
 * which can keep {@code --txd} mbufs (the pool was sized for one TX ring per port, so net_tap's four rings of 1,024
 * could take more than it had left).
 */
class MbufPoolSizeTest
{
    @Test
    void holdsEveryRxAndTxRingEveryCacheAndBurst()
    {
        final ForwarderContext context = ForwarderContext.builder().rxQueues(4).build();
        final int ports = 2;
        final int txRings = 4;
        final int lcores = 4;
        final long rings = ports * (4L * 1024 + txRings * 1024L);
        final long needed = context.mbufsNeeded(ports, txRings, lcores, 0);
        assertEquals(rings + lcores * (256 + 2L * 32 * ports), needed);
        final int size = context.poolSize(ports, txRings, lcores, 0);
        assertTrue(size >= needed, size + " mbufs for " + needed);
        assertEquals(0, (size + 1) & size, "a power of two less one, as mempools like it");
        assertEquals(2000, ForwarderContext.builder().mbufs(2000).build().poolSize(ports, txRings, lcores, 0),
            "--mbufs stands (a warning names the shortfall)");
    }
}
