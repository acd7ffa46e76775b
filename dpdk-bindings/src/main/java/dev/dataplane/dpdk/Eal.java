package dev.dataplane.dpdk;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * DPDK's Environment Abstraction Layer: initialised once per process with the usual EAL arguments, cleaned up
 * at the end. A process cannot initialise EAL again after cleanup.
 * <p>
 * rte_eal_init pins the calling thread to the main lcore's CPU, and every thread the JVM starts afterwards would
 * inherit that one-CPU mask, while the JVM's own threads (JIT compilers, GC, signal dispatcher) keep the whole
 * machine and preempt busy-polling lcores. So after init, every thread of the process but EAL's workers is confined
 * to the control CPUs: those of the original mask that no worker lcore uses, or the main lcore's CPU when the
 * workers use them all. That is what EAL does for its own control threads. The busy-polling loops run on the
 * worker lcores (see {@link Lcores}).
 */
public final class Eal implements AutoCloseable
{
    /** DPDK's RTE_MAX_LCORE in Debian's build; checked by the layout probe. */
    public static final int MAX_LCORE = 128;
    /** The value of rte_lcore_id() on a thread that is not an EAL lcore. */
    public static final int LCORE_ID_ANY = -1;

    private static final MethodHandle EAL_INIT = DpdkLibrary.downcall(
        "rte_eal_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle EAL_CLEANUP = DpdkLibrary.downcall(
        "rte_eal_cleanup", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle ERRNO = DpdkLibrary.downcall(
        "dp_errno", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle STRERROR = DpdkLibrary.downcall(
        "rte_strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
    private static final MethodHandle MAIN_LCORE = DpdkLibrary.downcall(
        "rte_get_main_lcore", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle LCORE_COUNT = DpdkLibrary.downcall(
        "rte_lcore_count", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle HAS_HUGEPAGES = DpdkLibrary.downcall(
        "rte_eal_has_hugepages", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle NEXT_LCORE = DpdkLibrary.downcall(
        "rte_get_next_lcore", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SOCKET_ID = DpdkLibrary.downcall(
        "rte_socket_id", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle TSC_HZ = DpdkLibrary.downcall(
        "rte_get_tsc_hz", FunctionDescriptor.of(JAVA_LONG));
    /** Critical: a few instructions, never calling back into Java, and read per burst on the fast path. */
    private static final MethodHandle RDTSC = DpdkLibrary.downcall(
        "dp_rdtsc", FunctionDescriptor.of(JAVA_LONG), Linker.Option.critical(false));
    private static final MethodHandle LCORE_ID = DpdkLibrary.downcall(
        "dp_lcore_id", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle SCHED_GETAFFINITY = DpdkLibrary.libc(
        "sched_getaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle SCHED_SETAFFINITY = DpdkLibrary.libc(
        "sched_setaffinity", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
    private static final MethodHandle LCORE_TO_CPU = DpdkLibrary.downcall(
        "rte_lcore_to_cpu_id", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final long CPU_SET_BYTES = 128;
    /** The name EAL gives its worker lcore threads (rte-worker-N in DPDK 22.11). */
    private static final String WORKER_THREAD_PREFIX = "rte-worker-";

    private static Eal instance;
    private static boolean everInitialised;

    private final List<String> arguments;
    private final int mainLcore;
    private final List<Integer> workerLcores;
    private final long tscHz;
    private boolean closed;

    private Eal(final List<String> arguments)
    {
        this.arguments = List.copyOf(arguments);
        this.mainLcore = invokeInt(MAIN_LCORE);
        final List<Integer> workers = new ArrayList<>();
        for (int lcore = next(-1); lcore < MAX_LCORE; lcore = next(lcore))
        {
            workers.add(lcore);
        }
        this.workerLcores = Collections.unmodifiableList(workers);
        try
        {
            this.tscHz = (long)TSC_HZ.invokeExact();
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /**
     * Initialises EAL with the given arguments, as they would follow the program name on a DPDK command line
     * (for example {@code -l 0,1 --no-huge --no-pci --vdev net_null0}).
     *
     * @throws DpdkException if EAL rejects the arguments or fails to start, with rte_errno's text, or when a
     *                       {@code --vdev} Ethernet device did not come up (EAL is then cleaned up).
     */
    public static synchronized Eal init(final List<String> arguments)
    {
        if (null != instance || everInitialised)
        {
            throw new DpdkException("EAL is already initialised in this process (it initialises once per process)");
        }
        final Arena arena = Arena.global(); // EAL may keep pointers into argv for the life of the process.
        final MemorySegment argv = arena.allocate(ADDRESS, arguments.size() + 2L);
        argv.setAtIndex(ADDRESS, 0, arena.allocateFrom("dataplane"));
        for (int i = 0; i < arguments.size(); i++)
        {
            argv.setAtIndex(ADDRESS, i + 1, arena.allocateFrom(arguments.get(i)));
        }
        argv.setAtIndex(ADDRESS, arguments.size() + 1, MemorySegment.NULL);

        try (Arena confined = Arena.ofConfined())
        {
            final MemorySegment affinity = confined.allocate(CPU_SET_BYTES);
            final int got = (int)SCHED_GETAFFINITY.invokeExact(0, CPU_SET_BYTES, affinity);
            everInitialised = true;
            final int ret = (int)EAL_INIT.invokeExact(arguments.size() + 1, argv);
            if (ret < 0)
            {
                throw DpdkException.ofRteErrno("rte_eal_init", ret, "EAL arguments " + String.join(" ", arguments));
            }
            if (0 == got)
            {
                confineToControlCpus(affinity);
            }
        }
        catch (final DpdkException ex)
        {
            throw ex;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
        instance = new Eal(arguments);
        final String missing = missingVdev(instance.requestedVdevs());
        if (null != missing)
        {
            instance.close();
            throw new DpdkException("device " + missing + " given with --vdev did not come up: its driver refused it" +
                " (see EAL's message above: a missing file, a bad argument...)");
        }
        return instance;
    }

    /**
     * The first Ethernet vdev the arguments asked for that is not a port: EAL only logs a warning when a driver
     * cannot attach one (a missing pcap file, a bad devarg), and carries on without it.
     */
    private static String missingVdev(final List<String> vdevs)
    {
        for (final String name : vdevs)
        {
            if (name.startsWith("net_") && EthDev.portByName(name) < 0)
            {
                return name;
            }
        }
        return null;
    }

    /**
     * Clears the worker lcores' CPUs from {@code mask} (the process's original affinity) and applies the result to
     * every thread that is not an EAL worker. Best effort: a thread that ends meanwhile is skipped.
     */
    private static void confineToControlCpus(final MemorySegment mask) throws Throwable
    {
        final int mainCpu = (int)LCORE_TO_CPU.invokeExact((int)MAIN_LCORE.invokeExact());
        for (int lcore = next(-1); lcore < MAX_LCORE; lcore = next(lcore))
        {
            final int cpu = (int)LCORE_TO_CPU.invokeExact(lcore);
            if (cpu >= 0 && cpu < CPU_SET_BYTES * 8)
            {
                final long word = cpu / 64 * 8;
                mask.set(JAVA_LONG, word, mask.get(JAVA_LONG, word) & ~(1L << (cpu % 64)));
            }
        }
        boolean empty = true;
        for (long word = 0; word < CPU_SET_BYTES; word += 8)
        {
            empty &= 0 == mask.get(JAVA_LONG, word);
        }
        if (empty && mainCpu >= 0 && mainCpu < CPU_SET_BYTES * 8)
        {
            mask.set(JAVA_LONG, mainCpu / 64 * 8, 1L << (mainCpu % 64));
        }
        try (var tasks = Files.list(Path.of("/proc/self/task")))
        {
            for (final Path task : tasks.toList())
            {
                final String name;
                try
                {
                    name = Files.readString(task.resolve("comm")).trim();
                }
                catch (final IOException ex)
                {
                    continue;
                }
                if (!name.startsWith(WORKER_THREAD_PREFIX))
                {
                    final int ignored = (int)SCHED_SETAFFINITY.invokeExact(
                        Integer.parseInt(task.getFileName().toString()), CPU_SET_BYTES, mask);
                }
            }
        }
    }

    public List<String> arguments()
    {
        return arguments;
    }

    /** The names of the virtual devices the arguments asked for ({@code --vdev NAME,args} or {@code --vdev=...}). */
    public List<String> requestedVdevs()
    {
        final List<String> names = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++)
        {
            String spec = null;
            if (arguments.get(i).equals("--vdev") && i + 1 < arguments.size())
            {
                spec = arguments.get(++i);
            }
            else if (arguments.get(i).startsWith("--vdev="))
            {
                spec = arguments.get(i).substring("--vdev=".length());
            }
            if (null != spec)
            {
                final int comma = spec.indexOf(',');
                names.add(comma < 0 ? spec : spec.substring(0, comma));
            }
        }
        return names;
    }

    public int mainLcore()
    {
        return mainLcore;
    }

    /** The lcores EAL started besides the main one, in id order: where busy-polling loops run. */
    public List<Integer> workerLcores()
    {
        return workerLcores;
    }

    public int lcoreCount()
    {
        return invokeInt(LCORE_COUNT);
    }

    /** Whether EAL's memory is on hugepages (false under {@code --no-huge}: 4 KiB pages). */
    public boolean hasHugepages()
    {
        return 0 != invokeInt(HAS_HUGEPAGES);
    }

    public int socketId()
    {
        return invokeInt(SOCKET_ID);
    }

    /** Ticks per second of {@link #rdtsc()}. */
    public long tscHz()
    {
        return tscHz;
    }

    /** The CPU's time-stamp counter (rte_rdtsc). */
    public static long rdtsc()
    {
        try
        {
            return (long)RDTSC.invokeExact();
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /** The calling thread's lcore id, or {@link #LCORE_ID_ANY} when it is not an EAL lcore. */
    public static int lcoreId()
    {
        return invokeInt(LCORE_ID);
    }

    /** rte_errno of the calling thread: read it right after the failed call, on the same thread. */
    public static int errno()
    {
        return invokeInt(ERRNO);
    }

    /** rte_strerror: DPDK's text for an errno value, its own codes included. */
    public static String strerror(final int errno)
    {
        try
        {
            final MemorySegment text = (MemorySegment)STRERROR.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        }
        catch (final Throwable t)
        {
            return "errno " + errno;
        }
    }

    /**
     * rte_eal_cleanup: releases EAL's resources. Ports and pools should be closed first; agents still running on
     * lcores are stopped and joined here, as rte_eal_cleanup would wait for them forever.
     */
    @Override
    public synchronized void close()
    {
        if (!closed)
        {
            closed = true;
            Lcores.stopAll();
            final int ret = invokeInt(EAL_CLEANUP);
            synchronized (Eal.class)
            {
                instance = null;
            }
            if (ret < 0)
            {
                throw DpdkException.ofReturn("rte_eal_cleanup", ret, "");
            }
        }
    }

    private static int next(final int lcore)
    {
        try
        {
            return (int)NEXT_LCORE.invokeExact(lcore, 1, 0);
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    private static int invokeInt(final MethodHandle handle)
    {
        try
        {
            return (int)handle.invokeExact();
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }
}
