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
 * state, connection and translated bytes, and on every counter; and both translate any tuple alike.
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
    private static final int CONNECTIONS = 4096;
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
     * Any tuple under any translation (destination NAT, source NAT or both, to addresses and ports drawn at random;
     * UDP with and without a checksum, TCP), each connection's next packet in both directions (a TCP connection's: its
     * SYN again): the fast path writes the bytes the parse path writes, and checksums that verify from scratch (the
     * fixed addresses of the test above leave most of the ones' complement arithmetic's cases untried).
     */
    @Test
    void theFastPathTranslatesAnyTupleAsTheParsePathDoes()
    {
        final SplittableRandom random = new SplittableRandom(0x7A11);
        try (Arena arena = Arena.ofConfined();
            ConnTracker fast = new ConnTracker(new ConnTable(CONNECTIONS, 0xC0FFEE));
            ConnTracker parsed = new ConnTracker(new ConnTable(CONNECTIONS, 0xC0FFEE)))
        {
            final MemorySegment fastFrame = arena.allocate(2048, 64);
            final MemorySegment parsedFrame = arena.allocate(2048, 64);
            final PacketView view = new PacketView();
            int fastTranslated = 0;
            for (int c = 0; c < CONNECTIONS; c++)
            {
                final boolean tcp = random.nextBoolean();
                final int client = random.nextInt();
                final int vip = random.nextInt();
                final int clientPort = 1 + random.nextInt(65_535);
                final int vipPort = 1 + random.nextInt(65_535);
                final int kind = random.nextInt(3);
                final int source = 1 == kind ? client : random.nextInt();
                final int destination = 2 == kind ? vip : random.nextInt();
                final int sourcePort = 1 == kind ? clientPort : 1 + random.nextInt(65_535);
                final int destinationPort = 2 == kind ? vipPort : 1 + random.nextInt(65_535);
                final byte[] first = tuple(random, tcp, client, vip, clientPort, vipPort);
                MemorySegment.copy(MemorySegment.ofArray(first), 0, parsedFrame, 0, first.length);
                view.parse(ALL, parsedFrame.address(), first.length, PacketView.ROUTER_CHECKS);
                assertEquals(ConnTracker.NEW, fast.track(view, c));
                assertEquals(ConnTracker.NEW, parsed.track(view, c));
                final boolean bound = parsed.bind(source, destination, sourcePort, destinationPort, c);
                assertEquals(bound, fast.bind(source, destination, sourcePort, destinationPort, c), "connection " + c);
                if (!bound)
                {
                    continue;
                }
                for (int direction = 0; direction < (tcp ? 1 : 2); direction++)
                {
                    final byte[] frame = 0 == direction ? first :
                        tuple(random, false, destination, source, destinationPort, sourcePort);
                    MemorySegment.copy(MemorySegment.ofArray(frame), 0, fastFrame, 0, frame.length);
                    MemorySegment.copy(MemorySegment.ofArray(frame), 0, parsedFrame, 0, frame.length);
                    final int state = fast.trackPlain(fastFrame.address(), frame.length, c);
                    view.parse(ALL, parsedFrame.address(), frame.length, PacketView.ROUTER_CHECKS);
                    assertEquals(parsed.track(view, c), state, "connection " + c + " direction " + direction);
                    assertTrue(parsed.translate(view));
                    assertTrue(fast.translatePlain(fastFrame.address()));
                    assertArrayEquals(parsedFrame.asSlice(0, frame.length).toArray(ValueLayout.JAVA_BYTE),
                        fastFrame.asSlice(0, frame.length).toArray(ValueLayout.JAVA_BYTE),
                        "connection " + c + " direction " + direction);
                    view.parse(ALL, fastFrame.address(), frame.length,
                        PacketView.ROUTER_CHECKS | PacketView.CHECK_L4_CHECKSUM);
                    assertEquals(PacketView.OK, view.verdict(), "connection " + c + " direction " + direction);
                    fastTranslated++;
                }
            }
            assertTrue(fastTranslated > CONNECTIONS, "the fast path translated " + fastTranslated + " packets");
        }
    }

    /** A TCP SYN or a UDP datagram (one in eight without a checksum) of the tuple, of a random length. */
    private static byte[] tuple(final SplittableRandom random, final boolean tcp, final int source,
        final int destination, final int sourcePort, final int destinationPort)
    {
        final FrameBuilder builder = new FrameBuilder().ipv4(source, destination).length(64 + random.nextInt(200));
        if (tcp)
        {
            return builder.tcp(sourcePort, destinationPort, TcpHeader.SYN).build();
        }
        final byte[] frame = builder.udp(sourcePort, destinationPort).build();
        if (random.nextInt(8) == 0)
        {
            MemorySegment.ofArray(frame).set(NetworkOrder.U16, 34 + 6, (short)0);
        }
        return frame;
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
