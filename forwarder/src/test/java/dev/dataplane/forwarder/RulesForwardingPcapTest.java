package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.THREE_LCORES;
import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgsOnLcores;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.forwarder.stats.ForwarderStats;
import dev.dataplane.forwarder.stats.PortCounter;
import dev.dataplane.forwarder.stats.PortTotals;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.net.UdpHeader;
import dev.dataplane.testing.ForkedScenario;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Rules through net_pcap, one case per verdict and the scenario the project began from: UDP to 10.0.8.17:8080 goes
 * to 10.0.1.2:8083, everything else unchanged. tshark, an independent decoder, checks every frame written.
 */
class RulesForwardingPcapTest
{
    private static final String RULES = """
        vip:     proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083
        telnet:  proto tcp dport 23 => drop
        reflect: ether-type 0x88b5 => tx
        policy accept
        """;

    /** Run to completion, and the pipeline with its TX stages on either lcore: a JVM each (EAL starts once). */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"run-to-completion", "stage", "rx"})
    void redirectsTheServiceDropsReflectsAndCountsEachVerdict(final String layout, @TempDir final Path dir)
        throws Exception
    {
        ForkedScenario.run(dir, RulesForwardingPcapTest.class, "scenario", dir.toString(), layout);
    }

    static void scenario(final String[] args) throws Exception
    {
        final PipelineTxLcore pipelineTx = PipelineTxLcore.of(args[1]);
        runScenario(Path.of(args[0]), null == pipelineTx ? "0,1" : THREE_LCORES,
            null == pipelineTx ? RunMode.RUN_TO_COMPLETION : RunMode.PIPELINE, pipelineTx);
    }

    /**
     * The scenario on EAL lcores {@code lcores}, with the rules run in {@code runMode} (a pipeline's TX stages on
     * {@code pipelineTx}; null to run to completion).
     */
    static void runScenario(final Path dir, final String lcores, final RunMode runMode,
        final PipelineTxLcore pipelineTx) throws Exception
    {
        final List<byte[]> in0 = new ArrayList<>();
        final List<byte[]> expectedOut1 = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            final FrameBuilder vip = new FrameBuilder().ipv4(Ipv4Header.parseAddress("192.168.1." + (1 + i)),
                Ipv4Header.parseAddress("10.0.8.17")).udp(40000 + i, 8080).length(64 + 13 * i);
            in0.add(vip.build());
            expectedOut1.add(vip.ipv4(Ipv4Header.parseAddress("192.168.1." + (1 + i)),
                Ipv4Header.parseAddress("10.0.1.2")).udp(40000 + i, 8083).build());
        }
        for (int i = 0; i < 10; i++)
        {
            final byte[] other = new FrameBuilder().ipv4(Ipv4Header.parseAddress("192.168.1.50"),
                Ipv4Header.parseAddress("10.0.8.17")).udp(5000 + i, 9999).length(100).build();
            in0.add(other);
            expectedOut1.add(other);
        }
        for (int i = 0; i < 5; i++)
        {
            in0.add(new FrameBuilder().tcp(33000 + i, 23, TcpHeader.SYN).length(64).build());
        }
        final List<byte[]> expectedOut0 = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final byte[] probe = new byte[60];
            final MemorySegment s = MemorySegment.ofArray(probe);
            EthernetHeader.destination(s, 0, 0x0200_0000_0001L);
            EthernetHeader.source(s, 0, 0x0200_0000_0100L + i);
            EthernetHeader.etherType(s, 0, 0x88B5);
            probe[20] = (byte)i;
            in0.add(probe);
            final byte[] reflected = probe.clone();
            EthernetHeader.swapAddresses(MemorySegment.ofArray(reflected), 0);
            expectedOut0.add(reflected);
        }
        final byte[] truncated = Arrays.copyOf(new FrameBuilder().udp(1, 2).length(64).build(), 30);
        in0.add(truncated);
        in0.add(truncated.clone());
        for (int i = 0; i < 4; i++)
        {
            // UDP without a checksum: after the rewrite it must still say "none".
            final byte[] noChecksum = new FrameBuilder().ipv4(Ipv4Header.parseAddress("192.168.2.1"),
                Ipv4Header.parseAddress("10.0.8.17")).udp(7000 + i, 8080).length(80).build();
            UdpHeader.checksum(MemorySegment.ofArray(noChecksum), 34, 0);
            in0.add(noChecksum);
            final byte[] rewritten = new FrameBuilder().ipv4(Ipv4Header.parseAddress("192.168.2.1"),
                Ipv4Header.parseAddress("10.0.1.2")).udp(7000 + i, 8083).length(80).build();
            UdpHeader.checksum(MemorySegment.ofArray(rewritten), 34, 0);
            expectedOut1.add(rewritten);
        }
        final List<byte[]> in1 = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final byte[] back = new FrameBuilder().udp(50053, 51000 + i).length(70).build();
            in1.add(back);
            expectedOut0.add(back);
        }

        PcapForwardingScenario.writePcap(dir.resolve("in0.pcap"), in0);
        PcapForwardingScenario.writePcap(dir.resolve("in1.pcap"), in1);
        final Eal eal = Eal.init(ealArgsOnLcores(lcores,
            "net_pcap0,rx_pcap=" + dir.resolve("in0.pcap") + ",tx_pcap=" + dir.resolve("out0.pcap"),
            "net_pcap1,rx_pcap=" + dir.resolve("in1.pcap") + ",tx_pcap=" + dir.resolve("out1.pcap")));
        final ForwarderStats.RulesSnapshot counts;
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder()
                .rules(RulesParser.parse(RULES, "test.rules")).runMode(runMode).pipelineTx(pipelineTx).build());
            assertEquals(runMode, forwarder.runMode());
            assertEquals(pipelineTx, forwarder.pipelineTx());
            final ForwarderStats stats = new ForwarderStats(forwarder);
            final long expectedTx = expectedOut0.size() + expectedOut1.size();
            forwarder.start();
            final boolean done = await(() -> ForwarderStats.sum(stats.snapshot()).txPackets() >= expectedTx &&
                ForwarderStats.sum(stats.snapshot()).rxPackets() >= in0.size() + in1.size(), 20_000);
            forwarder.stop();
            counts = stats.rulesSnapshot();
            final PortTotals all = ForwarderStats.sum(stats.snapshot());
            forwarder.close();
            assertTrue(done, "forwarded " + all.txPackets() + " of " + expectedTx);
            assertEquals(expectedTx, all.txPackets());
            assertEquals(2, all.get(PortCounter.MALFORMED));
            assertEquals(5, all.get(PortCounter.FILTERED));
            assertEquals(0, forwarder.mbufsInUseAtClose());
        }
        finally
        {
            eal.close();
        }

        assertEquals(24, counts.packets(0), "vip");
        assertEquals(5, counts.packets(1), "telnet");
        assertEquals(3, counts.packets(2), "reflect");
        assertEquals(13, counts.outcomes()[RulesProcessor.DEFAULT_ACCEPTED]);
        assertEquals(2, counts.outcomes()[RulesProcessor.MALFORMED_DROPPED]);
        assertEquals(2, counts.outcomes()[RulesProcessor.malformedIndex(PacketView.TRUNCATED_IPV4)]);

        final List<byte[]> out1 = PcapForwardingScenario.readPcap(dir.resolve("out1.pcap"));
        assertEquals(expectedOut1.size(), out1.size());
        for (int i = 0; i < out1.size(); i++)
        {
            assertEquals(Arrays.toString(expectedOut1.get(i)), Arrays.toString(out1.get(i)), "out1 frame " + i);
        }
        final List<String> out0 = PcapForwardingScenario.readPcap(dir.resolve("out0.pcap")).stream()
            .map(Arrays::toString).sorted().toList();
        assertEquals(expectedOut0.stream().map(Arrays::toString).sorted().toList(), out0);

        // The independent decoder: every written frame decodes, and no checksum is bad.
        for (final String file : List.of("out0.pcap", "out1.pcap"))
        {
            final String problems = tshark(dir, "-r", dir.resolve(file).toString(), "-o", "ip.check_checksum:TRUE",
                "-o", "udp.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-Y",
                "ip.checksum.status == 0 || udp.checksum.status == 0 || tcp.checksum.status == 0 || _ws.malformed");
            assertEquals("", problems.trim(), file + " has frames tshark flags");
        }
        final String redirected = tshark(dir, "-r", dir.resolve("out1.pcap").toString(), "-o",
            "udp.check_checksum:TRUE", "-Y", "ip.dst == 10.0.1.2 && udp.dstport == 8083", "-T", "fields", "-e",
            "udp.checksum.status");
        final List<String> statuses = Arrays.stream(redirected.split("\n")).filter(l -> !l.isBlank()).toList();
        assertEquals(24, statuses.size(), redirected);
        assertEquals(20, statuses.stream().filter(s -> s.trim().equals("1")).count(), "20 good UDP checksums");
    }

    private static String tshark(final Path dir, final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>(List.of("tshark"));
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).directory(dir.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "tshark timed out");
        assertEquals(0, process.exitValue(), "tshark failed: " + out);
        return out;
    }
}
