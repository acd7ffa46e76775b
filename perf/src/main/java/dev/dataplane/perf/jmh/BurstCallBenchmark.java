package dev.dataplane.perf.jmh;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;

import dev.dataplane.dpdk.DpdkLibrary;
import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One rte_eth_rx_burst of 32 from net_null0 plus one rte_eth_tx_burst of them to net_null1, by the four ways
 * Java can reach DPDK's inline burst functions: through the shim or through the rte_eth_fp_ops table, each as a
 * critical downcall or an ordinary one. The drivers' own work (allocating and freeing 32 mbufs) is in every figure.
 * One JVM (fork) per way and burst, as EAL initialises once per process.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BurstCallBenchmark
{
    private static final FunctionDescriptor SHIM = FunctionDescriptor.of(JAVA_SHORT, JAVA_SHORT, JAVA_SHORT, JAVA_LONG,
        JAVA_SHORT);
    private static final FunctionDescriptor DRIVER = FunctionDescriptor.of(JAVA_SHORT, JAVA_LONG, JAVA_LONG,
        JAVA_SHORT);

    @Param({"shim-critical", "shim", "fpops-critical", "fpops"})
    public String way;

    @Param({"32"})
    public int burst;

    private Eal eal;
    private Mempool pool;
    private MbufArray pkts;
    private MethodHandle rx;
    private MethodHandle tx;
    private long rxQueue;
    private long txQueue;
    private boolean viaShim;

    @Setup(Level.Trial)
    public void setUp()
    {
        eal = JmhEal.init("net_null0", "net_null1");
        pool = Mempool.createPktmbufPool("jmh_pool", 8191, 256, Mempool.DEFAULT_DATA_ROOM_SIZE, eal.socketId());
        for (int port = 0; port < 2; port++)
        {
            EthDev.configureAndStart(port, 1024, 1024, pool);
        }
        pkts = new MbufArray(burst);
        final boolean critical = way.endsWith("-critical");
        final Linker.Option[] options = critical ? new Linker.Option[] {Linker.Option.critical(false)} :
            new Linker.Option[0];
        viaShim = way.startsWith("shim");
        if (viaShim)
        {
            rx = DpdkLibrary.downcall("dp_rx_burst", SHIM, options);
            tx = DpdkLibrary.downcall("dp_tx_burst", SHIM, options);
        }
        else
        {
            rx = Linker.nativeLinker().downcallHandle(EthFpOps.rxFunction(0), DRIVER, options);
            tx = Linker.nativeLinker().downcallHandle(EthFpOps.txFunction(1), DRIVER, options);
            rxQueue = EthFpOps.rxQueue(0, 0);
            txQueue = EthFpOps.txQueue(1, 0);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown()
    {
        for (int port = 0; port < 2; port++)
        {
            EthDev.stop(port);
            EthDev.close(port);
        }
        if (0 != pool.inUseCount())
        {
            throw new IllegalStateException(pool.inUseCount() + " mbufs leaked");
        }
        pool.close();
        eal.close();
    }

    @Benchmark
    public int rxTxBurst() throws Throwable
    {
        final long address = pkts.address();
        final int received;
        final int sent;
        if (viaShim)
        {
            received = (short)rx.invokeExact((short)0, (short)0, address, (short)burst) & 0xFFFF;
            sent = (short)tx.invokeExact((short)1, (short)0, address, (short)received) & 0xFFFF;
        }
        else
        {
            received = (short)rx.invokeExact(rxQueue, address, (short)burst) & 0xFFFF;
            sent = (short)tx.invokeExact(txQueue, address, (short)received) & 0xFFFF;
        }
        return sent;
    }
}
