package dev.dataplane.dpdk;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;

/**
 * Runs Java loops on EAL worker lcores, through rte_eal_remote_launch: the loop then runs on a thread EAL
 * pinned to the lcore's CPU and has an lcore id, which mempool caches need.
 * <p>
 * The launched function is an upcall stub made once; it finds its task by the lcore id passed as its argument.
 */
public final class Lcores
{
    private static final MethodHandle REMOTE_LAUNCH = DpdkLibrary.downcall(
        "rte_eal_remote_launch", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle WAIT_LCORE = DpdkLibrary.downcall(
        "rte_eal_wait_lcore", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private static final AtomicReferenceArray<LcoreTask> TASKS = new AtomicReferenceArray<>(Eal.MAX_LCORE);
    private static final MemorySegment ENTRY = entryStub();

    private Lcores()
    {
    }

    /**
     * Starts {@code agent} on the worker {@code lcore}: onStart, then doWork in a loop paced by {@code idle}
     * until {@link LcoreTask#stop()}, then onClose.
     */
    public static LcoreTask launch(final int lcore, final Agent agent, final IdleStrategy idle)
    {
        if (lcore < 0 || lcore >= Eal.MAX_LCORE)
        {
            throw new IllegalArgumentException("lcore id out of range: " + lcore);
        }
        final LcoreTask task = new LcoreTask(lcore, agent, idle);
        if (!TASKS.compareAndSet(lcore, null, task))
        {
            throw new IllegalStateException("lcore " + lcore + " is already running " + TASKS.get(lcore).agentName());
        }
        final int ret;
        try
        {
            ret = (int)REMOTE_LAUNCH.invokeExact(ENTRY, MemorySegment.ofAddress(lcore), lcore);
        }
        catch (final Throwable t)
        {
            TASKS.set(lcore, null);
            throw new IllegalStateException(t);
        }
        if (ret < 0)
        {
            TASKS.set(lcore, null);
            throw DpdkException.ofReturn("rte_eal_remote_launch", ret,
                "lcore " + lcore + " (is it a worker lcore given to EAL with -l, and idle?)");
        }
        return task;
    }

    /**
     * Stops and joins every agent still running on an lcore, so EAL can clean up (rte_eal_cleanup waits for
     * busy lcores forever). Failures of the agents are not rethrown here: their owners report them.
     *
     * @return how many were still running.
     */
    static int stopAll()
    {
        int stopped = 0;
        for (int lcore = 0; lcore < Eal.MAX_LCORE; lcore++)
        {
            final LcoreTask task = TASKS.get(lcore);
            if (null != task)
            {
                task.stop();
                try
                {
                    task.join();
                }
                catch (final RuntimeException ignored)
                {
                    // reported by whoever owns the task
                }
                stopped++;
            }
        }
        return stopped;
    }

    /** rte_eal_wait_lcore: blocks until the lcore's function returned. */
    static int waitLcore(final int lcore)
    {
        try
        {
            final int ret = (int)WAIT_LCORE.invokeExact(lcore);
            TASKS.set(lcore, null);
            return ret;
        }
        catch (final Throwable t)
        {
            throw new IllegalStateException(t);
        }
    }

    /** The upcall target. It must never throw: an exception escaping an upcall ends the JVM. */
    private static int entry(final MemorySegment arg)
    {
        final LcoreTask task = TASKS.get((int)arg.address());
        return null == task ? -1 : task.run();
    }

    private static MemorySegment entryStub()
    {
        try
        {
            final MethodHandle target = MethodHandles.lookup().findStatic(
                Lcores.class, "entry", MethodType.methodType(int.class, MemorySegment.class));
            return DpdkLibrary.LINKER.upcallStub(target, FunctionDescriptor.of(JAVA_INT, ADDRESS), Arena.global());
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
