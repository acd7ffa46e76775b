package dev.dataplane.pktgen;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import dev.dataplane.dpdk.Eal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the generator writes, decoded by tshark (an independent decoder): every frame is a well-formed
 * Ethernet/IPv4/UDP frame of the asked size, with valid IPv4 and UDP checksums although each carries its own
 * sequence number and time stamp, and the flows are spread evenly over their source addresses.
 */
class GeneratedPcapTest
{
    private static final int COUNT = 4000;
    private static final int FLOWS = 8;

    @Test
    void writesFramesTsharkFindsWellFormedWithGoodChecksums(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("out.pcap");
        final Eal eal = Eal.init(ealArgs("net_pcap0,tx_pcap=" + out));
        try
        {
            final Traffic traffic = Traffic.defaults(128, FLOWS);
            final Pktgen pktgen = Pktgen.create(eal, new PktgenContext(0, PktgenContext.NO_RX, 32, traffic, "0",
                COUNT, 0));
            pktgen.start();
            assertTrue(await(() -> pktgen.generator().done(), 30_000));
            pktgen.close();
            assertEquals(COUNT, pktgen.generator().sent());
            assertEquals(0, pktgen.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }
        final String problems = tshark(dir, "-r", out.toString(), "-o", "ip.check_checksum:TRUE", "-o",
            "udp.check_checksum:TRUE", "-Y", "ip.checksum.status != 1 || udp.checksum.status != 1 || _ws.malformed " +
                "|| !udp || frame.len != 124");
        assertEquals("", problems.trim(), "frames tshark flags");
        final String sources = tshark(dir, "-r", out.toString(), "-T", "fields", "-e", "ip.src");
        final Map<String, Integer> perSource = new TreeMap<>();
        Arrays.stream(sources.split("\n")).filter(l -> !l.isBlank()).forEach(l -> perSource.merge(l.trim(), 1,
            Integer::sum));
        assertEquals(FLOWS, perSource.size(), perSource.toString());
        perSource.values().forEach(n -> assertEquals(COUNT / FLOWS, n));
    }

    private static String tshark(final Path dir, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("tshark"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "tshark timed out");
        assertEquals(0, process.exitValue(), "tshark failed: " + text);
        return text;
    }
}
