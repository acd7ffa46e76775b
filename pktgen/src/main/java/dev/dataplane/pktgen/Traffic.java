package dev.dataplane.pktgen;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.dataplane.net.FrameBuilder;

/**
 * The frames to send: Ethernet/IPv4/UDP of one size, one flow per stream, flow {@code i} from source address
 * {@code source + i} (so RSS and flow tables see a spread) to one destination. Each flow's frame is built once, with
 * its stamp's magic and stream in place and every checksum right, into 64-byte-aligned native memory; the generator
 * copies it into each mbuf and fills in the sequence number and time stamp.
 *
 * @param frameSize   Ethernet frame size on the wire, FCS included (64..1518), as Pktgen-DPDK and TRex count it.
 * @param flows       streams, 1..{@link Stamp#MAX_STREAMS}.
 */
public record Traffic(int frameSize, int flows, long sourceMac, long destinationMac, int source, int destination,
    int sourcePort, int destinationPort)
{
    /** The FCS the port appends: not part of the mbuf's data. */
    public static final int FCS = 4;
    public static final int MIN_FRAME = 64;
    public static final int MAX_FRAME = 1518;

    public Traffic
    {
        if (frameSize < MIN_FRAME || frameSize > MAX_FRAME)
        {
            throw new IllegalArgumentException("--size must be in " + MIN_FRAME + ".." + MAX_FRAME + ": " + frameSize);
        }
        if (flows < 1 || flows > Stamp.MAX_STREAMS)
        {
            throw new IllegalArgumentException("--flows must be in 1.." + Stamp.MAX_STREAMS + ": " + flows);
        }
    }

    /** {@code flows} flows of {@code frameSize}-byte frames with the CLI's default addresses and ports. */
    public static Traffic defaults(final int frameSize, final int flows)
    {
        return new Traffic(frameSize, flows, 0x02_00_00_00_00_01L, 0x02_00_00_00_00_02L, 0x0A_00_00_01, 0x0A_00_08_11,
            40000, 8080);
    }

    /** Bytes of each frame in the mbuf (no FCS). */
    public int dataLength()
    {
        return frameSize - FCS;
    }

    /** Built frames, flow after flow, each {@link #stride()} bytes apart. */
    public MemorySegment buildTemplates(final Arena arena)
    {
        final MemorySegment templates = arena.allocate((long)stride() * flows, 64);
        for (int flow = 0; flow < flows; flow++)
        {
            final byte[] frame = new FrameBuilder().macs(destinationMac, sourceMac).ipv4(source + flow, destination)
                .udp(sourcePort, destinationPort).payload(Stamp.template(flow)).length(dataLength()).build();
            MemorySegment.copy(MemorySegment.ofArray(frame), 0, templates, (long)stride() * flow, frame.length);
        }
        return templates;
    }

    /** Template spacing: the frame rounded up to whole cache lines. */
    public int stride()
    {
        return (dataLength() + 63) & ~63;
    }

    /** Where the IPv4 header starts in each frame. */
    public static final int IPV4_OFFSET = 14;

    /** Where the stamp sits in each frame: after Ethernet, IPv4 and UDP headers. */
    public static int stampOffset()
    {
        return 14 + 20 + 8;
    }

    /** Where the UDP checksum sits in each frame. */
    public static int udpChecksumOffset()
    {
        return 14 + 20 + 6;
    }
}
