package dev.dataplane.forwarder.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class PortAllocatorTest
{
    @Test
    void keepsAConnectionsOwnPortWhenFreeAndInTheRange()
    {
        final PortAllocator ports = new PortAllocator(1024, 65535);
        assertEquals(40000, ports.allocate(40000));
        final int other = ports.allocate(40000);
        assertNotEquals(40000, other, "taken: another");
        assertTrue(other >= 1024);
        assertTrue(ports.allocate(80) >= 1024, "outside the range: one from it");
    }

    @Test
    void neverHandsOutAPortInUse()
    {
        final Random random = new Random(11);
        final PortAllocator ports = new PortAllocator(20000, 20999);
        final Set<Integer> live = new HashSet<>();
        final List<Integer> order = new ArrayList<>();
        for (int op = 0; op < 200_000; op++)
        {
            if (!order.isEmpty() && (live.size() == 1000 || random.nextInt(3) == 0))
            {
                final int port = order.remove(random.nextInt(order.size()));
                ports.release(port);
                live.remove(port);
                continue;
            }
            final int own = random.nextInt(3) == 0 ? 20000 + random.nextInt(1000) : 1 + random.nextInt(65535);
            final int port = ports.allocate(own);
            assertTrue(port >= 20000 && port <= 20999, "in the range: " + port);
            assertTrue(live.add(port), "op " + op + ": port " + port + " was in use");
            order.add(port);
            assertEquals(live.size(), ports.used());
        }
    }

    @Test
    void aFullRangeIsExhaustedUntilAPortComesBack()
    {
        final PortAllocator ports = new PortAllocator(100, 164);
        for (int i = 0; i < 65; i++)
        {
            assertTrue(ports.allocate(0) >= 100);
        }
        assertEquals(PortAllocator.EXHAUSTED, ports.allocate(0));
        ports.release(130);
        assertEquals(130, ports.allocate(0));
        assertThrows(IllegalArgumentException.class, () -> ports.release(99));
    }

    @Test
    void aReleasedPortWaitsItsTurnBeforeItIsGivenAgain()
    {
        final PortAllocator ports = new PortAllocator(5000, 5009);
        final int first = ports.allocate(0);
        ports.allocate(0);
        ports.release(first);
        for (int i = 0; i < 8; i++)
        {
            assertNotEquals(first, ports.allocate(0), "the others come first");
        }
        assertEquals(first, ports.allocate(0));
        assertFalse(ports.inUse(4999));
    }
}
