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
import dev.dataplane.pktgen.traffic.FrameSizes;
import dev.dataplane.pktgen.traffic.Traffic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the generator writes, decoded by tshark (an independent decoder): every frame is a well-formed frame of the
 * asked size with valid checksums although each carries its own sequence number and time stamp, and the flows are
 * spread evenly over their source addresses; Ethernet/IPv4/UDP, and TCP SYNs over IPv6 in a VLAN. IMIX from two TX
 * queues (net_pcap writes each queue to a file of its own): each file holds exactly 7:4:1 of 64, 576 and 1500-byte
 * frames, and the flows of its queue only.
 */
class GeneratedPcapTest
{
    private static final int COUNT = 4000;
    private static final int FLOWS = 8;
    /** A whole number of IMIX patterns (12 frames) per TX queue. */
    private static final int IMIX_COUNT = 2400;

    @Test
    void writesFramesTsharkFindsWellFormedWithGoodChecksums(@TempDir final Path dir) throws Exception
    {
        final Path out = dir.resolve("out.pcap");
        final Path tcp = dir.resolve("tcp6.pcap");
        final Path[] imix = {dir.resolve("imix-q0.pcap"), dir.resolve("imix-q1.pcap")};
        final Path single = dir.resolve("one-flow.pcap");
        final Path ports = dir.resolve("dst-ports.pcap");
        final Path jumbo = dir.resolve("jumbo.pcap");
        final Eal eal = Eal.init(ealArgs("net_pcap0,tx_pcap=" + out, "net_pcap1,tx_pcap=" + tcp,
            "net_pcap2,tx_pcap=" + imix[0] + ",tx_pcap=" + imix[1], "net_pcap3,tx_pcap=" + single,
            "net_pcap4,tx_pcap=" + ports, "net_pcap5,tx_pcap=" + jumbo));
        try
        {
            generate(eal, 0, Traffic.defaults(128, FLOWS), 1, COUNT);
            generate(eal, 1, new Traffic(FrameSizes.of(128), FLOWS, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L,
                0x0A_00_00_01, 0x0A_00_08_11, 40000, 80, 100, true, TcpHeader.SYN), 1, COUNT);
            generate(eal, 2, new Traffic(FrameSizes.parse("imix"), FLOWS, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L,
                0x0A_00_00_01, 0x0A_00_08_11, 40000, 8080, 0, false, -1), 2, IMIX_COUNT);
            generate(eal, 3, Traffic.defaults(64, 1), 1, COUNT);
            generate(eal, 4, new Traffic(FrameSizes.of(64), FLOWS, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L,
                0x0A_00_00_01, 0x0A_00_08_11, 40000, 8080, 0, false, -1, Traffic.FlowField.DST_PORT, true), 1, COUNT);
            generate(eal, 5, new Traffic(FrameSizes.parse("9018,1518"), 2, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L,
                0x0A_00_00_01, 0x0A_00_08_11, 40000, 8080, 0, false, -1), 1, 400);
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

        // IMIX, per TX queue: valid checksums, sizes 7:4:1 exactly, and queue q sends flows q, q + 2, ...
        for (int q = 0; q < 2; q++)
        {
            final String file = imix[q].toString();
            assertEquals("", tshark(dir, "-r", file, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
                "-Y", "ip.checksum.status != 1 || udp.checksum.status != 1 || _ws.malformed || !udp").trim(),
                "IMIX frames tshark flags in " + file);
            final Map<String, Integer> perLength = count(tshark(dir, "-r", file, "-T", "fields", "-e", "frame.len"));
            final int patterns = IMIX_COUNT / 2 / 12;
            assertEquals(Map.of("60", 7 * patterns, "572", 4 * patterns, "1496", patterns), perLength, file);
            final Map<String, Integer> perFlow = count(tshark(dir, "-r", file, "-T", "fields", "-e", "ip.src"));
            final Map<String, Integer> expected = new TreeMap<>();
            for (int flow = q; flow < FLOWS; flow += 2)
            {
                expected.put("10.0.0." + (1 + flow), IMIX_COUNT / FLOWS);
            }
            assertEquals(expected, perFlow, file);
        }

        // One flow, whose generator writes only the stamp into its pool's frames (taken without a reset): every
        // frame valid, 60 bytes, and the sequence numbers (the stamp's bytes 4..7) 0, 1, 2, ... in order.
        final String file = single.toString();
        assertEquals("", tshark(dir, "-r", file, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-Y", "ip.checksum.status != 1 || udp.checksum.status != 1 || _ws.malformed || !udp || frame.len != 60 " +
                "|| ip.src != 10.0.0.1").trim(), "one-flow frames tshark flags");
        final List<String> payloads = tshark(dir, "-r", file, "-T", "fields", "-e", "udp.payload").lines()
            .filter(l -> !l.isBlank()).toList();
        assertEquals(COUNT, payloads.size());
        for (int i = 0; i < COUNT; i++)
        {
            assertEquals(i, Long.parseLong(payloads.get(i).replace(":", "").substring(8, 16), 16), "frame " + i);
        }

        // Flows over the destination port in random order: valid frames from one source, 8 ports from 8080, each
        // port's frames numbered 0, 1, 2, ... in order, and an order that is not round robin (uneven counts).
        final String random = ports.toString();
        assertEquals("", tshark(dir, "-r", random, "-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-Y", "ip.checksum.status != 1 || udp.checksum.status != 1 || _ws.malformed || !udp || " +
                "ip.src != 10.0.0.1 || udp.dstport < 8080 || udp.dstport > 8087").trim(), "random-flow frames flagged");
        final Map<String, Integer> perPort = new TreeMap<>();
        for (final String line : tshark(dir, "-r", random, "-T", "fields", "-e", "udp.dstport", "-e",
            "udp.payload").lines().filter(l -> !l.isBlank()).toList())
        {
            final String[] fields = line.split("\t");
            final int seen = perPort.getOrDefault(fields[0], 0);
            assertEquals(seen, Long.parseLong(fields[1].replace(":", "").substring(8, 16), 16), line);
            perPort.put(fields[0], seen + 1);
        }
        assertEquals(FLOWS, perPort.size(), perPort.toString());
        assertEquals(COUNT, perPort.values().stream().mapToInt(Integer::intValue).sum());
        assertTrue(perPort.values().stream().distinct().count() > 1, "random order, uneven counts: " + perPort);

        // Jumbo frames (9018 bytes with the FCS) in turn with full-size ones: whole, valid, half of each.
        assertEquals("", tshark(dir, "-r", jumbo.toString(), "-o", "ip.check_checksum:TRUE", "-o",
            "udp.check_checksum:TRUE", "-Y", "ip.checksum.status != 1 || udp.checksum.status != 1 || _ws.malformed " +
                "|| !udp").trim(), "jumbo frames flagged");
        assertEquals(Map.of("9014", 200, "1514", 200), count(tshark(dir, "-r", jumbo.toString(), "-T", "fields", "-e",
            "frame.len")));
    }

    private static Map<String, Integer> count(final String lines)
    {
        final Map<String, Integer> counts = new TreeMap<>();
        Arrays.stream(lines.split("\n")).filter(l -> !l.isBlank()).forEach(l -> counts.merge(l.trim(), 1,
            Integer::sum));
        return counts;
    }

    private static void generate(final Eal eal, final int port, final Traffic traffic, final int txQueues,
        final int count)
    {
        final Pktgen pktgen = Pktgen.create(eal, new PktgenContext(port, PktgenContext.NO_RX, 32, traffic, "0",
            count, 0, null, 1, false, txQueues));
        pktgen.start();
        assertTrue(await(() -> pktgen.senders().done(), 30_000));
        pktgen.close();
        assertEquals(count, pktgen.senders().sent());
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
