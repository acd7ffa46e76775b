package dev.dataplane.forwarder;

import org.agrona.concurrent.Agent;

/** The busy-polling loop of one lcore: polls each of its streams in turn. */
public final class ForwardingLcore implements Agent
{
    private final int lcore;
    private final ForwardingStream[] streams;

    public ForwardingLcore(final int lcore, final ForwardingStream[] streams)
    {
        this.lcore = lcore;
        this.streams = streams.clone();
    }

    @Override
    public int doWork()
    {
        final ForwardingStream[] streams = this.streams;
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

    public ForwardingStream[] streams()
    {
        return streams.clone();
    }

    @Override
    public String roleName()
    {
        return "forwarder-lcore-" + lcore;
    }
}
