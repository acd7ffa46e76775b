package dev.dataplane.runtime;

import org.agrona.concurrent.Agent;

/** The busy-polling loop of one lcore: polls each of its pollers in turn (the forwarder's and the generator's). */
public final class PollingLcore implements Agent
{
    private final String role;
    private final int lcore;
    private final Poller[] streams;

    /** @param role names the agent with the lcore ({@code "forwarder"}: forwarder-lcore-3). */
    public PollingLcore(final String role, final int lcore, final Poller[] streams)
    {
        this.role = role + "-lcore-" + lcore;
        this.lcore = lcore;
        this.streams = streams.clone();
    }

    @Override
    public int doWork()
    {
        final Poller[] streams = this.streams;
        int work = 0;
        for (int i = 0; i < streams.length; i++)
        {
            work += streams[i].poll();
        }
        return work;
    }

    public int lcore()
    {
        return lcore;
    }

    public Poller[] pollers()
    {
        return streams.clone();
    }

    @Override
    public String roleName()
    {
        return role;
    }
}
