package dev.dataplane.forwarder;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static dev.dataplane.testing.DpdkTestSupport.ealArgs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.forwarder.engine.ForwardMode;
import dev.dataplane.forwarder.rtc.ForwardingStream;
import dev.dataplane.forwarder.rtc.StreamCounter;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.pcap.PcapReader;
import dev.dataplane.pcap.PcapRecord;
import dev.dataplane.pcap.PcapWriter;
import dev.dataplane.runtime.Counters;

/**
 * pcap in -> forwarder -> pcap out, through two net_pcap ports: port 0 reads in0.pcap and writes out0.pcap, port 1
 * reads in1.pcap and writes out1.pcap; so in0's frames come out in out1 and in1's in out0.
 */
final class PcapForwardingScenario
{
    /** Frames of every kind and size the forwarder may meet, plus a 10-byte runt with no whole Ethernet header. */
    static List<byte[]> mixedFrames(final int seed)
    {
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 60; i++)
        {
            final int length = List.of(66, 64, 128, 256, 512, 1024, 1514).get(i % 7) + (i % 3);
            final FrameBuilder builder = new FrameBuilder().macs(0x0200_0000_1000L + i, 0x0200_0000_2000L + seed)
                .ipv4(Ipv4Header.parseAddress("10.0.0." + (1 + i % 200)), Ipv4Header.parseAddress("10.0.8.17"))
                .length(length);
            switch (i % 4)
            {
                case 0 -> builder.udp(1024 + i, 8080);
                case 1 -> builder.tcp(40000 + i, 80, TcpHeader.SYN);
                case 2 -> builder.vlans(100 + i).udp(53, 5353);
                default -> builder.ipv6(new long[] {0x2001_0db8L << 32, i}, new long[] {0x2001_0db8L << 32, 99})
                    .udp(5000, 6000);
            }
            frames.add(builder.build());
        }
        frames.add(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
        return frames;
    }

    /**
     * Writes 64 UDP flows, half of them to the DNAT service 10.0.8.17:8080, to {@code dir}/in.pcap and returns the
     * net_pcap arguments that replay it forever and throw away what is sent: endless real traffic for the rules.
     */
    static String endlessDnatReplay(final Path dir) throws IOException
    {
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 64; i++)
        {
            frames.add(new FrameBuilder().ipv4(Ipv4Header.parseAddress("192.168.1." + (i + 1)),
                Ipv4Header.parseAddress(i % 2 == 0 ? "10.0.8.17" : "10.0.9.1")).udp(40000 + i,
                    8080).length(64).build());
        }
        writePcap(dir.resolve("in.pcap"), frames);
        return "rx_pcap=" + dir.resolve("in.pcap") + ",infinite_rx=1,tx_pcap=/dev/null";
    }

    /** Two net_pcap ports (EAL {@code --vdev} specs) each replaying {@link #endlessDnatReplay}'s pcap forever. */
    static String[] endlessDnatPorts(final Path dir) throws IOException
    {
        final String replay = endlessDnatReplay(dir);
        return new String[] {"net_pcap0," + replay, "net_pcap1," + replay};
    }

    static void writePcap(final Path path, final List<byte[]> frames) throws IOException
    {
        try (PcapWriter writer = PcapWriter.create(path))
        {
            long time = 1_700_000_000_000_000_000L;
            for (final byte[] frame : frames)
            {
                writer.write(time += 1000, frame, 0, frame.length);
            }
        }
    }

    static List<byte[]> readPcap(final Path path) throws IOException
    {
        final List<byte[]> frames = new ArrayList<>();
        try (PcapReader reader = PcapReader.open(path))
        {
            for (PcapRecord record = reader.next(); null != record; record = reader.next())
            {
                frames.add(record.data());
            }
        }
        return frames;
    }

    /** The result of a run: what came out of each port, and each port's MAC. */
    record Outcome(List<byte[]> out0, List<byte[]> out1, long mac0, long mac1, long malformed)
    {
    }

    /** Runs the forwarder until {@code expectedTx} packets went out (or 20 s), then stops and closes it. */
    static Outcome run(final Path dir, final ForwardMode mode, final List<byte[]> in0, final List<byte[]> in1,
        final long expectedTx) throws IOException
    {
        writePcap(dir.resolve("in0.pcap"), in0);
        writePcap(dir.resolve("in1.pcap"), in1);
        final Eal eal = Eal.init(ealArgs(
            "net_pcap0,rx_pcap=" + dir.resolve("in0.pcap") + ",tx_pcap=" + dir.resolve("out0.pcap"),
            "net_pcap1,rx_pcap=" + dir.resolve("in1.pcap") + ",tx_pcap=" + dir.resolve("out1.pcap")));
        try
        {
            final Forwarder forwarder = Forwarder.create(eal, ForwarderContext.builder().forwardMode(mode).build());
            final long mac0 = EthDev.macAddress(0);
            final long mac1 = EthDev.macAddress(1);
            forwarder.start();
            final boolean done = await(() -> totalTx(forwarder) >= expectedTx, 20_000);
            forwarder.stop();
            long malformed = 0;
            for (final ForwardingStream stream : forwarder.streams())
            {
                final Counters c = stream.counters();
                assertEquals(c.get(StreamCounter.RX_PACKETS), c.get(StreamCounter.TX_PACKETS) + c.get(StreamCounter.TX_DROPPED) + c.get(StreamCounter.MALFORMED), "counters add up: " +
                    stream);
                malformed += c.get(StreamCounter.MALFORMED);
            }
            forwarder.close();
            assertTrue(done, "forwarded " + totalTx(forwarder) + " of " + expectedTx);
            assertEquals(expectedTx, totalTx(forwarder));
            assertEquals(0, forwarder.mbufsInUseAtClose(), "every mbuf back in the pool");
            return new Outcome(readPcap(dir.resolve("out0.pcap")), readPcap(dir.resolve("out1.pcap")), mac0, mac1,
                malformed);
        }
        finally
        {
            eal.close();
        }
    }

    private static long totalTx(final Forwarder forwarder)
    {
        long tx = 0;
        for (final ForwardingStream stream : forwarder.streams())
        {
            tx += stream.counters().get(StreamCounter.TX_PACKETS);
        }
        return tx;
    }

    private PcapForwardingScenario()
    {
    }
}
