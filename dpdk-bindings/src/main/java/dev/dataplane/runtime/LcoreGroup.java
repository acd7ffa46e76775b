package dev.dataplane.runtime;

import java.util.ArrayList;
import java.util.List;

import dev.dataplane.dpdk.LcoreTask;
import dev.dataplane.dpdk.Lcores;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.BusySpinIdleStrategy;

/**
 * A dataplane's busy-spinning agents on their worker lcores, started together once and stopped together once: the
 * lifecycle the forwarder and the generator share.
 */
public final class LcoreGroup
{
    private volatile List<LcoreTask> tasks = List.of();
    private boolean started;
    private boolean stopped;
    private RuntimeException joinFailure;

    /** Launches {@code agents.get(i)} on {@code lcores.get(i)}, busy-spinning. */
    public synchronized void start(final List<Integer> lcores, final List<? extends Agent> agents)
    {
        if (started || stopped)
        {
            throw new IllegalStateException("already started");
        }
        started = true;
        final List<LcoreTask> launched = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++)
        {
            launched.add(Lcores.launch(lcores.get(i), agents.get(i), new BusySpinIdleStrategy()));
        }
        tasks = List.copyOf(launched);
    }

    /** The first agent failure, or null while none failed (any thread). */
    public Throwable failure()
    {
        for (final LcoreTask task : tasks)
        {
            if (null != task.failure())
            {
                return task.failure();
            }
        }
        return null;
    }

    /**
     * Asks every agent to stop, then joins them all (stopping all first lets them wind down together).
     *
     * @return true the first time, when the caller should clean up after the lcores; false after.
     */
    public synchronized boolean stop()
    {
        if (stopped)
        {
            return false;
        }
        stopped = true;
        tasks.forEach(LcoreTask::stop);
        for (final LcoreTask task : tasks)
        {
            try
            {
                task.join();
            }
            catch (final RuntimeException ex)
            {
                joinFailure = null == joinFailure ? ex : joinFailure;
            }
        }
        return true;
    }

    /** Rethrows the first failure {@link #stop} met joining the agents, if any. */
    public synchronized void throwIfFailed()
    {
        if (null != joinFailure)
        {
            throw joinFailure;
        }
    }
}
