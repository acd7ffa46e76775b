package dev.dataplane.perf.jmh;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.TcpHeader;
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

/** Parsing one frame, Ethernet to L4 ports, bounds checked, from native memory. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PacketParseBenchmark
{
    private final PacketView view = new PacketView();
    private MemorySegment udp4;
    private MemorySegment tcp4Vlan;
    private MemorySegment udp6;

    @Setup
    public void setUp()
    {
        udp4 = NativeFrames.copy(new FrameBuilder().udp(1234, 8080).length(64).build());
        tcp4Vlan = NativeFrames.copy(new FrameBuilder().vlans(100).tcp(1234, 80, TcpHeader.SYN).length(64).build());
        udp6 = NativeFrames.copy(new FrameBuilder().ipv6(new long[] {1, 2}, new long[] {3, 4}).udp(1,
            2).length(78).build());
    }

    @Benchmark
    public int udpIpv4()
    {
        view.parse(udp4, 0, 64);
        return view.destinationPort();
    }

    @Benchmark
    public int tcpIpv4Vlan()
    {
        view.parse(tcp4Vlan, 0, 64);
        return view.tcpFlags();
    }

    @Benchmark
    public int udpIpv6()
    {
        view.parse(udp6, 0, 78);
        return view.destinationPort();
    }
}
