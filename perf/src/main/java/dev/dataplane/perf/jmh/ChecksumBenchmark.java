package dev.dataplane.perf.jmh;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.Ipv4Header;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/** The Internet checksum over native memory, as the forwarder meets it: full sums and RFC 1624 updates. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ChecksumBenchmark
{
    private MemorySegment frame64;
    private MemorySegment frame1500;
    private int address;

    @Setup
    public void setUp()
    {
        frame64 = NativeFrames.copy(new FrameBuilder().udp(1, 2).length(64).build());
        frame1500 = NativeFrames.copy(new FrameBuilder().udp(1, 2).length(1500).build());
    }

    /** The 20-byte IPv4 header checksum from scratch. */
    @Benchmark
    public int ipv4HeaderFull()
    {
        return InternetChecksum.checksum(frame64, 14, 20);
    }

    /** A whole 1500-byte frame summed (a UDP checksum of a full-size datagram costs this). */
    @Benchmark
    public long sum1500Bytes()
    {
        return InternetChecksum.sum(frame1500, 0, 1500, 0);
    }

    /** A destination address rewrite with the header checksum updated incrementally (stateless DNAT's IP part). */
    @Benchmark
    public int ipv4DestinationRewriteIncremental()
    {
        Ipv4Header.setDestination(frame64, 14, address++);
        return Ipv4Header.checksum(frame64, 14);
    }

    /** RFC 1624 update of one 16-bit word alone. */
    @Benchmark
    public int update16()
    {
        return InternetChecksum.update16(0xB861, address, ++address & 0xFFFF);
    }
}
