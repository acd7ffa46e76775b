package dev.dataplane.forwarder.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/**
 * Which lcore owns a port: every owner holds its share of the ports, each aligned run of {@code count} ports holds
 * each owner once (so every range of {@code 2 * count - 1} ports gives each owner a port, and even ports alone spread
 * too), and the table depends on the seed.
 */
class ConnOwnersTest
{
    @Test
    void eachAlignedRunOfPortsHoldsEveryOwnerOnce()
    {
        for (final int count : new int[] {2, 3, 4, 7})
        {
            final ConnOwners owners = new ConnOwners(count, 42);
            assertEquals(count, owners.count());
            final int[] ports = new int[count];
            final int[] evenPorts = new int[count];
            for (int port = 0; port < 1 << 16; port++)
            {
                ports[owners.of(port)]++;
                evenPorts[owners.of(port)] += 0 == (port & 1) ? 1 : 0;
            }
            for (int owner = 0; owner < count; owner++)
            {
                assertEquals(65_536.0 / count, ports[owner], 1.0, count + " owners: owner " + owner);
                assertEquals(32_768.0 / count, evenPorts[owner], 32_768.0 / count / 10, "even ports, owner " + owner);
            }
            for (int first = 0; first + count <= 1 << 16; first += count)
            {
                long seen = 0;
                for (int port = first; port < first + count; port++)
                {
                    seen |= 1L << owners.of(port);
                }
                assertEquals((1L << count) - 1, seen, "the run from " + first);
            }
        }
    }

    @Test
    void theTableComesFromTheSeed()
    {
        final ConnOwners one = new ConnOwners(2, 1);
        final ConnOwners same = new ConnOwners(2, 1);
        final ConnOwners other = new ConnOwners(2, 2);
        int differ = 0;
        for (int port = 0; port < 1 << 16; port++)
        {
            assertEquals(one.of(port), same.of(port));
            differ += one.of(port) != other.of(port) ? 1 : 0;
        }
        assertNotEquals(0, differ);
        assertThrows(IllegalArgumentException.class, () -> new ConnOwners(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new ConnOwners(ConnOwners.MAX + 1, 1));
    }
}
