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
import dev.dataplane.net.TcpHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the generator writes, decoded by tshark (an independent decoder): every frame is a well-formed frame of the
 * asked size with valid checksums although each carries its own sequence number and time stamp, and the flows are
 * spread evenly over their source addresses; Ethernet/IPv4/UDP, and TCP SYNs over IPv6 in a VLAN.
 */
class GeneratedPcapTest
{
    private static final int COUNT = 4000;
    private static final int FLOWS = 8;

    @Test
    void writesFramesTsharkFindsWellFormedWithGoodChecksums(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("out.pcap");
        final Path tcp = dir.resolve("tcp6.pcap");
        final Eal eal = Eal.init(ealArgs("net_pcap0,tx_pcap=" + out, "net_pcap1,tx_pcap=" + tcp));
        try
        {
            generate(eal, 0, Traffic.defaults(128, FLOWS));
            generate(eal, 1, new Traffic(128, FLOWS, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L, 0x0A_00_00_01,
                0x0A_00_08_11, 40000, 80, 100, true, TcpHeader.SYN));
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

        // TCP SYNs over IPv6 in VLAN 100: every frame tagged, TCP checksums valid, flows spread over sources.
        final String bad = tshark(dir, "-r", tcp.toString(), "-o", "tcp.check_checksum:TRUE", "-Y",
            "tcp.checksum.status != 1 || _ws.malformed || vlan.id != 100 || !ipv6 || tcp.flags.syn != 1 || " +
                "tcp.flags.ack == 1 || frame.len != 124");
        assertEquals("", bad.trim(), "TCP/IPv6/VLAN frames tshark flags");
        final String v6 = tshark(dir, "-r", tcp.toString(), "-T", "fields", "-e", "ipv6.src");
        assertEquals(FLOWS, Arrays.stream(v6.split("\n")).filter(l -> !l.isBlank()).distinct().count(), v6);
    }

    private static void generate(final Eal eal, final int port, final Traffic traffic)
    {
        final Pktgen pktgen = Pktgen.create(eal, new PktgenContext(port, PktgenContext.NO_RX, 32, traffic, "0",
            COUNT, 0));
        pktgen.start();
        assertTrue(await(() -> pktgen.generator().done(), 30_000));
        pktgen.close();
        assertEquals(COUNT, pktgen.generator().sent());
        assertEquals(0, pktgen.mbufsInUseAtClose());
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
