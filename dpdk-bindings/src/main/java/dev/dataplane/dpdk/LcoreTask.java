package dev.dataplane.dpdk;

import org.agrona.concurrent.Agent;
import org.agrona.concurrent.IdleStrategy;

/** One agent running on one EAL worker lcore; see {@link Lcores#launch}. */
public final class LcoreTask implements AutoCloseable
{
    private final int lcore;
    private final Agent agent;
    private final IdleStrategy idle;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private boolean joined;

    LcoreTask(final int lcore, final Agent agent, final IdleStrategy idle)
    {
        this.lcore = lcore;
        this.agent = agent;
        this.idle = idle;
    }

    public int lcore()
    {
        return lcore;
    }

    String agentName()
    {
        return agent.roleName();
    }

    /** Asks the loop to end after its current cycle. */
    public void stop()
    {
        running = false;
    }

    /** Waits for the loop to end; rethrows what ended it, if it failed. */
    public void join()
    {
        if (!joined)
        {
            joined = true;
            Lcores.waitLcore(lcore);
        }
        final Throwable t = failure;
        if (null != t)
        {
            throw new IllegalStateException("agent " + agent.roleName() + " on lcore " + lcore + " failed: " + t, t);
        }
    }

    /** The failure that ended the loop, if any, without waiting. */
    public Throwable failure()
    {
        return failure;
    }

    public boolean isRunning()
    {
        return running && null == failure;
    }

    /** Stops and joins. */
    @Override
    public void close()
    {
        stop();
        join();
    }

    int run()
    {
        final Agent agent = this.agent;
        final IdleStrategy idle = this.idle;
        try
        {
            agent.onStart();
            while (running)
            {
                idle.idle(agent.doWork());
            }
        }
        catch (final Throwable t)
        {
            failure = t;
        }
        finally
        {
            try
            {
                agent.onClose();
            }
            catch (final Throwable t)
            {
                if (null == failure)
                {
                    failure = t;
                }
            }
        }
        return null == failure ? 0 : -1;
    }
}
