package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static dev.dataplane.testing.NetworkNamespaces.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.dataplane.testing.NetworkNamespaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live capture the DPDK way: the forwarder (which calls {@code rte_pdump_init}) runs on hugepages this test reserves
 * and mounts on a hugetlbfs of its own, replaying 64 UDP flows through {@code examples/redirect.rules}; DPDK's
 * {@code dpdk-dumpcap}, a secondary process with the same file prefix, captures port 0's packets into a pcapng file
 * while it forwards, and tshark reads them: the replayed flows as they arrived, and as they left translated to the
 * backend. The forwarder goes on, stops cleanly with every mbuf back, and the hugepages are given back.
 */
class LiveCaptureTest
{
    private static final int HUGEPAGES = 256;
    private static final String NR_HUGEPAGES = "/proc/sys/vm/nr_hugepages";

    @TempDir
    Path dir;

    @Test
    void dpdkDumpcapCapturesARunningForwardersPort() throws Exception
    {
        NetworkNamespaces.requireRoot("LiveCaptureTest (hugepages)");
        final String before = Files.readString(Path.of(NR_HUGEPAGES)).trim();
        final Path huge = Files.createDirectories(dir.resolve("huge"));
        Files.writeString(Path.of(NR_HUGEPAGES), Integer.toString(Integer.parseInt(before) + HUGEPAGES));
        run("mount", "-t", "hugetlbfs", "nodev", huge.toString());
        Path pcap = null;
        try
        {
            // net_pcap keeps 63 bytes of its arguments for a secondary process to probe the port with: the pcap
            // under a short name, and no tx_pcap (TX dropped all the same).
            PcapForwardingScenario.endlessDnatReplay(dir);
            pcap = Files.createTempFile(Path.of("/tmp"), "cap", ".pcap");
            Files.copy(dir.resolve("in.pcap"), pcap, StandardCopyOption.REPLACE_EXISTING);
            final String replay = "rx_pcap=" + pcap + ",infinite_rx=1";
            final List<String> args = new ArrayList<>(ealArgs("net_pcap0," + replay, "net_pcap1," + replay));
            assertTrue(args.remove("--no-huge"), "the test EAL arguments use no hugepages: this test needs them");
            args.addAll(List.of("--huge-dir", huge.toString()));
            final String prefix = args.get(args.indexOf("--file-prefix") + 1);
            try (RedirectChild forwarder = new RedirectChild(dir, args).awaitForwarding())
            {
                final Path capture = dir.resolve("port0.pcapng");
                final Process dumpcap = new ProcessBuilder("timeout", "60", "dpdk-dumpcap", "--file-prefix=" + prefix,
                    "-i", "net_pcap0", "-c", "200", "-w", capture.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("dumpcap.txt").toFile()).start();
                assertTrue(dumpcap.waitFor(70, TimeUnit.SECONDS));
                assertEquals(0, dumpcap.exitValue(), Files.readString(dir.resolve("dumpcap.txt")));
                final List<String> frames = run("tshark", "-r", capture.toString(), "-T", "fields", "-e", "ip.dst",
                    "-e", "udp.dstport").lines().filter(l -> l.contains("\t")).toList(); // not tshark's warnings
                assertTrue(frames.size() >= 200, frames.size() + " frames");
                final String replayedOrTranslated = "10\\.0\\.(8\\.17\\t8080|9\\.1\\t8080|1\\.2\\t8083)";
                assertTrue(frames.stream().allMatch(l -> l.matches(replayedOrTranslated)),
                    "the replayed flows, and the service's translated: " + frames);
                assertTrue(frames.contains("10.0.8.17\t8080"), "as they arrived");
                assertTrue(frames.contains("10.0.1.2\t8083"), "as they left, translated");
                assertTrue(forwarder.process().isAlive(), "forwarding goes on");
            }
        }
        finally
        {
            run("umount", huge.toString());
            Files.writeString(Path.of(NR_HUGEPAGES), before);
            if (null != pcap)
            {
                Files.delete(pcap);
            }
        }
    }
}
