package dev.dataplane.runtime;

import dev.dataplane.dpdk.Eal;
import org.agrona.concurrent.Agent;

/**
 * The busy-polling loop of one lcore: polls each of its pollers in turn (the forwarder's and the generator's), and
 * counts its time ({@link LcoreCounter}): one TSC read a round, the round's cycles busy when a poller found work,
 * published every {@value #PUBLISH_ROUNDS} rounds. A busy-polling lcore keeps its CPU at 100%; busy over all is its
 * load.
 */
public final class PollingLcore implements Agent
{
    /** Rounds between publications of the time counters. */
    private static final int PUBLISH_ROUNDS = 1024;

    private final String role;
    private final int lcore;
    private final Poller[] streams;
    private final Counters counters = Counters.of(LcoreCounter.class);
    private long lastTsc;
    private long cycles;
    private long busyCycles;
    private int rounds;

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
        final long now = Eal.rdtsc();
        final long round = 0 == lastTsc ? 0 : now - lastTsc;
        lastTsc = now;
        cycles += round;
        busyCycles += 0 == work ? 0 : round;
        if (++rounds == PUBLISH_ROUNDS)
        {
            counters.add(LcoreCounter.CYCLES, cycles);
            counters.add(LcoreCounter.BUSY_CYCLES, busyCycles);
            cycles = 0;
            busyCycles = 0;
            rounds = 0;
        }
        return work;
    }

    /** Its time, by {@link LcoreCounter} (any thread; as of its last publication). */
    public Counters counters()
    {
        return counters;
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
