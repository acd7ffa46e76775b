package dev.dataplane.perf.jmh;

import java.util.ArrayList;
import java.util.List;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EalFiles;

/** EAL for a JMH fork: one lcore, no hugepages, no PCI, a file prefix of the fork's own, quiet logs. */
final class JmhEal
{
    private JmhEal()
    {
    }

    static Eal init(final String... vdevs)
    {
        final String prefix = "jmh-" + ProcessHandle.current().pid();
        // The fork's EAL runtime directory goes with the fork.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> EalFiles.removeRuntimeDirectory(prefix)));
        final List<String> args = new ArrayList<>(List.of("-l", "0", "--no-huge", "--no-pci", "-m", "256",
            "--file-prefix", prefix, "--log-level", "lib.eal:warning", "--no-telemetry"));
        for (final String vdev : vdevs)
        {
            args.add("--vdev");
            args.add(vdev);
        }
        return Eal.init(args);
    }
}
