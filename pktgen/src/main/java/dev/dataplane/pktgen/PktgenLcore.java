package dev.dataplane.pktgen;

import org.agrona.concurrent.Agent;

/** An lcore's busy loop over its generators and receivers. */
public final class PktgenLcore implements Agent
{
    private final int lcore;
    private final PktgenPart[] parts;

    PktgenLcore(final int lcore, final PktgenPart[] parts)
    {
        this.lcore = lcore;
        this.parts = parts.clone();
    }

    @Override
    public int doWork()
    {
        final PktgenPart[] parts = this.parts;
        int work = 0;
        for (int i = 0; i < parts.length; i++)
        {
            work += parts[i].poll();
        }
        return work;
    }

    public int lcore()
    {
        return lcore;
    }

    @Override
    public String roleName()
    {
        return "pktgen-lcore-" + lcore;
    }
}
