package dev.dataplane.dpdk;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Runs in a JVM of its own: a rejected EAL init must surface as an exception with DPDK's reason, not a crash. */
class EalInitFailureTest
{
    @Test
    void rejectsUnknownArgumentsWithRteErrnoText()
    {
        final DpdkException ex = assertThrows(DpdkException.class,
            () -> Eal.init(List.of("--no-huge", "--no-pci", "--definitely-not-an-eal-option")));
        assertTrue(ex.getMessage().startsWith("rte_eal_init failed"), ex.getMessage());
        assertTrue(ex.getMessage().contains("--definitely-not-an-eal-option"), ex.getMessage());
        assertTrue(ex.errno() > 0, "rte_errno should say why: " + ex.getMessage());

        final DpdkException again = assertThrows(DpdkException.class, () -> Eal.init(List.of("--no-huge")));
        assertTrue(again.getMessage().contains("once per process"), again.getMessage());
    }
}
