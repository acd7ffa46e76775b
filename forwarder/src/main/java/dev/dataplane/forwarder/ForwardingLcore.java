package dev.dataplane.forwarder;

import org.agrona.concurrent.Agent;

/** The busy-polling loop of one lcore: polls each of its streams in turn. */
public final class ForwardingLcore implements Agent
{
    private final int lcore;
    private final Poller[] streams;

    public ForwardingLcore(final int lcore, final Poller[] streams)
    {
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

    public Poller[] streams()
    {
        return streams.clone();
    }

    @Override
    public String roleName()
    {
        return "forwarder-lcore-" + lcore;
    }
}
