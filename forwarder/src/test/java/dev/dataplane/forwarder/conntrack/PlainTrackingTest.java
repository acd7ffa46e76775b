package dev.dataplane.forwarder.conntrack;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.SplittableRandom;

import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
import org.junit.jupiter.api.Test;

/**
 * The stateful fast path ({@link ConnTracker#trackPlain}, {@link ConnTracker#translatePlain}) against the parse path
 * ({@link ConnTracker#track}, {@link ConnTracker#translate}): two trackers, one taking the fast path wherever it
 * answers, fed the same random mix of TCP segments and UDP datagrams of a few connections, both directions, with
 * DNAT bound to each new one and frames damaged in the ways the router's checks catch, must agree on every packet's
 * state, connection and translated bytes, and on every counter.
 */
class PlainTrackingTest
{
    private static final int CLIENT = Ipv4Header.parseAddress("10.0.8.18");
    private static final int VIP = Ipv4Header.parseAddress("10.0.8.17");
    private static final int SERVER = Ipv4Header.parseAddress("10.0.1.2");
    private static final int VIP_PORT = 8080;
    private static final int SERVER_PORT = 8083;
    private static final int PACKETS = 200_000;
    private static final int FLOWS = 12;
    private static final int[] TCP_FLAGS = {TcpHeader.SYN, TcpHeader.SYN | TcpHeader.ACK, TcpHeader.ACK,
        TcpHeader.ACK | TcpHeader.PSH, TcpHeader.FIN | TcpHeader.ACK, TcpHeader.RST, TcpHeader.RST | TcpHeader.ACK};

    @Test
    void theFastPathAgreesWithTheParsePathOnEveryPacket()
    {
        final SplittableRandom random = new SplittableRandom(0x5EED);
        try (Arena arena = Arena.ofConfined();
            ConnTracker fast = new ConnTracker(new ConnTable(FLOWS / 2, 0xC0FFEE));
            ConnTracker parsed = new ConnTracker(new ConnTable(FLOWS / 2, 0xC0FFEE)))
        {
            final MemorySegment fastFrame = arena.allocate(2048, 64);
            final MemorySegment parsedFrame = arena.allocate(2048, 64);
            final PacketView fastView = new PacketView();
            final PacketView parsedView = new PacketView();
            // Each flow's next sequence number in each direction, so that many segments fall inside the windows.
            final int[][] next = new int[FLOWS][2];
            long now = 0;
            int plainHits = 0;
            for (int p = 0; p < PACKETS; p++)
            {
                now += random.nextInt(4) == 0 ? random.nextInt(40_000) : random.nextInt(50);
                final int flow = random.nextInt(FLOWS);
                final boolean reply = random.nextInt(3) == 0;
                final byte[] frame = frame(random, flow, reply, next);
                final int length = damage(random, frame);
                MemorySegment.copy(MemorySegment.ofArray(frame), 0, fastFrame, 0, frame.length);
                MemorySegment.copy(MemorySegment.ofArray(frame), 0, parsedFrame, 0, frame.length);

                int fastState = fast.trackPlain(fastFrame.address(), length, now);
                final boolean tookFastPath = fastState >= 0;
                if (!tookFastPath)
                {
                    fastView.parse(ALL, fastFrame.address(), length, PacketView.ROUTER_CHECKS);
                    fastState = fast.track(fastView, now);
                }
                parsedView.parse(ALL, parsedFrame.address(), length, PacketView.ROUTER_CHECKS);
                final int parsedState = parsed.track(parsedView, now);
                assertEquals(parsedState, fastState, "packet " + p);
                assertEquals(parsed.lastReference(), fast.lastReference(), "packet " + p);
                assertEquals(parsed.lastCreated(), fast.lastCreated(), "packet " + p);
                if (parsed.lastCreated() && VIP == Ipv4Header.destination(parsedFrame, 14 + 0L))
                {
                    final int sourcePort = sourcePort(parsedFrame);
                    assertEquals(parsed.bind(CLIENT, SERVER, sourcePort, SERVER_PORT, now),
                        fast.bind(CLIENT, SERVER, sourcePort, SERVER_PORT, now), "packet " + p);
                }
                final boolean parsedTranslated = parsed.translate(parsedView);
                final boolean fastTranslated = tookFastPath ? fast.translatePlain(fastFrame.address()) :
                    fast.translate(fastView);
                assertEquals(parsedTranslated, fastTranslated, "packet " + p);
                assertArrayEquals(parsedFrame.asSlice(0, frame.length).toArray(ValueLayout.JAVA_BYTE),
                    fastFrame.asSlice(0, frame.length).toArray(ValueLayout.JAVA_BYTE), "packet " + p);
                plainHits += tookFastPath ? 1 : 0;
                if (p % 32 == 31)
                {
                    fast.sweep(now, 4);
                    parsed.sweep(now, 4);
                }
            }
            fast.sweep(now, 0);
            parsed.sweep(now, 0);
            for (final ConnCounter counter : ConnCounter.values())
            {
                assertEquals(parsed.counters().get(counter), fast.counters().get(counter), counter.name());
            }
            assertTrue(plainHits > PACKETS / 10, "the fast path took " + plainHits + " packets");
            assertTrue(fast.counters().get(ConnCounter.EXPIRED) > 0 && fast.counters().get(ConnCounter.TRANSLATED) > 0,
                "connections were translated and expired");
        }
    }

    /**
     * A segment or datagram of flow {@code flow} (even: TCP, odd: UDP), from the client to the VIP or, as a reply,
     * from the server to the client; TCP flags and numbers mostly plausible, now and then anything.
     */
    private static byte[] frame(final SplittableRandom random, final int flow, final boolean reply, final int[][] next)
    {
        final int clientPort = 40000 + flow;
        final FrameBuilder builder = new FrameBuilder().ipv4(reply ? SERVER : CLIENT, reply ? CLIENT : VIP)
            .length(64 + random.nextInt(3) * 100);
        if (flow % 2 == 1)
        {
            return (reply ? builder.udp(SERVER_PORT, clientPort) : builder.udp(clientPort, VIP_PORT)).build();
        }
        final int flags = TCP_FLAGS[random.nextInt(TCP_FLAGS.length)];
        final byte[] frame = (reply ? builder.tcp(SERVER_PORT, clientPort, flags) : builder.tcp(clientPort, VIP_PORT,
            flags)).build();
        final MemorySegment s = MemorySegment.ofArray(frame);
        final int direction = reply ? 1 : 0;
        final int seq = random.nextInt(8) == 0 ? random.nextInt() : next[flow][direction];
        s.set(NetworkOrder.U32, 34 + TcpHeader.SEQUENCE_OFFSET, seq);
        s.set(NetworkOrder.U32, 34 + TcpHeader.ACKNOWLEDGMENT_OFFSET, next[flow][1 - direction]);
        s.set(NetworkOrder.U16, 34 + TcpHeader.WINDOW_OFFSET, (short)(random.nextInt(4) == 0 ? 0 : 65535));
        next[flow][direction] = seq + (frame.length - 54) + ((flags & (TcpHeader.SYN | TcpHeader.FIN)) != 0 ? 1 : 0);
        return frame;
    }

    /**
     * Now and then damages the frame as the router's checks catch it (header checksum, TTL 0, IP options, a UDP
     * length past the packet, a cut frame).
     *
     * @return the length to pass.
     */
    private static int damage(final SplittableRandom random, final byte[] frame)
    {
        final MemorySegment s = MemorySegment.ofArray(frame);
        switch (random.nextInt(40))
        {
            case 0 -> frame[14 + 10] ^= 0x10;
            case 1 ->
            {
                frame[14 + 8] = 0;
                Ipv4Header.computeChecksum(s, 14);
            }
            case 2 ->
            {
                frame[14] = 0x46;
                Ipv4Header.computeChecksum(s, 14);
            }
            case 3 ->
            {
                if (17 == frame[14 + 9])
                {
                    s.set(NetworkOrder.U16, 34 + 4, (short)1000);
                }
            }
            case 4 ->
            {
                return 14 + 20 + 4;
            }
            default ->
            {
            }
        }
        return frame.length;
    }

    private static int sourcePort(final MemorySegment frame)
    {
        return frame.get(NetworkOrder.U16, 34) & 0xFFFF;
    }
}
