package dev.dataplane.testing;

import static dev.dataplane.testing.DpdkTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.dataplane.dpdk.LcoreTask;
import dev.dataplane.dpdk.Lcores;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.BusySpinIdleStrategy;

/**
 * Proves a busy loop allocates nothing: the lcore thread's allocated-bytes counter does not move over millions of
 * packets once the loop is warm (JIT compiled, classes loaded, call sites linked).
 * <p>
 * The counter is sampled every {@value #SAMPLE_EVERY} packets from the very start, so that reading it is itself
 * warm code. During the first part of the {@value #WARMUP_NANOS} ns warm-up every loop also idles now and then for
 * {@value #IDLE_NANOS} ns, returning no work: its own idle branch and a downstream lcore's empty ring are then taken
 * while the code is still being compiled, not first in the measured window.
 * <p>
 * The JVM still does some one-time work on the loop's thread later, which the counter charges to the loop: after a
 * deoptimisation (a first-time branch; another thread's trap in a compiled loop both share) the interpreter links
 * any call site it runs for the first time; linking a VarHandle call site in the Disruptor's {@code RingBuffer.get}
 * was seen (with JFR) to create 152 bytes of descriptor strings some seconds in, and moving the loop from C1 to C2
 * code cost 72 bytes once. So after warm-up the counter may move at most {@value #MAX_ONE_TIME_MOVES} times, by at
 * most {@value #MAX_ONE_TIME_BYTES} bytes in all, and must then stay still for {@value #MEASURED_SAMPLES} samples
 * (8 million packets) in a row: anything that allocates per packet, or every few million packets, fails.
 */
public final class AllocationProbe
{
    private static final long SAMPLE_EVERY = 500_000;
    private static final int SAMPLES = 400;
    private static final long WARMUP_NANOS = 2_000_000_000L;
    /** The quiet window: this many samples in a row with the counter still, i.e. 8 million packets. */
    private static final int MEASURED_SAMPLES = 16;
    /** Moves of the counter allowed after warm-up, for the JVM's one-time work. */
    private static final int MAX_ONE_TIME_MOVES = 2;
    /** Bytes those moves may add up to. */
    private static final long MAX_ONE_TIME_BYTES = 1024;
    /** During warm-up, every this many samples the loop idles ... */
    private static final int IDLE_EVERY_SAMPLES = 4;
    /** ... for this long: long enough for a downstream lcore to drain a full ring. */
    private static final long IDLE_NANOS = 20_000_000L;

    private AllocationProbe()
    {
    }

    /**
     * Runs {@code agents}, each on its EAL lcore ({@code lcores}, same order), under the probe until each has done
     * millions of units of work (its {@code doWork} results: packets) past a warm-up without allocating, stops them,
     * and asserts that every agent got there.
     */
    public static void assertAllocatesNothing(final List<Integer> lcores, final List<? extends Agent> agents)
    {
        final List<MeasuringAgent> measuring = new ArrayList<>();
        final List<LcoreTask> tasks = new ArrayList<>();
        for (int i = 0; i < agents.size(); i++)
        {
            final MeasuringAgent agent = new MeasuringAgent(agents.get(i));
            measuring.add(agent);
            tasks.add(Lcores.launch(lcores.get(i), agent, new BusySpinIdleStrategy()));
        }
        final boolean reached = await(() -> measuring.stream().allMatch(agent -> agent.done), 120_000);
        tasks.forEach(LcoreTask::close);
        assertTrue(reached, "did not reach the packet count in time on every lcore");
        for (final MeasuringAgent agent : measuring)
        {
            final int last = agent.sampleCount - 1;
            final String samples = agent.roleName() + "; samples: " +
                Arrays.toString(Arrays.copyOf(agent.allocated, agent.sampleCount));
            assertTrue(agent.warmSamples > 0, "no sample after warm-up on " + samples);
            final long oneTimeBytes = agent.allocated[last] - agent.allocated[agent.warmFrom()];
            assertTrue(agent.moves <= MAX_ONE_TIME_MOVES && oneTimeBytes <= MAX_ONE_TIME_BYTES,
                oneTimeBytes + " bytes allocated in " + agent.moves + " moves after warm-up on " + samples);
            final int quietFrom = agent.quietFrom();
            assertEquals(0, agent.allocated[last] - agent.allocated[quietFrom], samples);
            final long quietPackets = agent.atPackets[last] - agent.atPackets[quietFrom];
            assertTrue(quietPackets >= MEASURED_SAMPLES * SAMPLE_EVERY,
                "only " + quietPackets + " packets without allocating on " + samples);
        }
    }

    /** Wraps the forwarding lcore and records its own thread's allocation counter at fixed packet counts. */
    static final class MeasuringAgent implements Agent
    {
        private final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        private final Agent inner;
        private final long[] allocated = new long[SAMPLES];
        private final long[] atPackets = new long[SAMPLES];
        private final long[] atNanos = new long[SAMPLES];
        private long packets;
        private long nextSample = SAMPLE_EVERY;
        private long idleUntil;
        private int sampleCount;
        private long previousBytes;
        /** Samples taken after warm-up. */
        private int warmSamples;
        /** The last sample at which the counter moved. */
        private int quietFrom;
        /** How often the counter moved after warm-up. */
        private int moves;
        private volatile boolean done;

        MeasuringAgent(final Agent inner)
        {
            this.inner = inner;
        }

        @Override
        public int doWork() throws Exception
        {
            if (0 != idleUntil)
            {
                if (System.nanoTime() - idleUntil < 0)
                {
                    return 0;
                }
                idleUntil = 0;
            }
            final int work = inner.doWork();
            packets += work;
            if (packets >= nextSample && !done)
            {
                sample();
            }
            return work;
        }

        /**
         * Records a sample. Branch-free past warm-up on purpose: the first move of the counter after warm-up must not
         * be a first-time branch, which would deoptimise the loop that inlines this and make the JVM do more one-time
         * work in it.
         */
        private void sample()
        {
            final long now = System.nanoTime();
            final int i = sampleCount++;
            final long bytes = threads.getCurrentThreadAllocatedBytes();
            allocated[i] = bytes;
            atPackets[i] = packets;
            atNanos[i] = now;
            nextSample += SAMPLE_EVERY;
            if (0 == i)
            {
                previousBytes = bytes;
            }
            final int moved = (int)(((bytes - previousBytes) | (previousBytes - bytes)) >>> 63);
            previousBytes = bytes;
            final int warm = (int)((WARMUP_NANOS - 1 - (now - atNanos[0])) >>> 63);
            moves += moved & (-warmSamples >>> 31);
            warmSamples += warm;
            quietFrom = Math.max(quietFrom, i * moved);
            if (0 == i % IDLE_EVERY_SAMPLES && now - atNanos[0] < WARMUP_NANOS - WARMUP_NANOS / 4)
            {
                idleUntil = now + IDLE_NANOS;
            }
            done = sampleCount == SAMPLES | moves > MAX_ONE_TIME_MOVES |
                // One interval more than needed: a sample lands up to a burst past its mark, so the measured
                // packets between two samples can fall a few short of whole intervals.
                (warmSamples > 0 & i - quietFrom() > MEASURED_SAMPLES);
        }

        /** The first sample taken after warm-up; the sample count when there is none yet. */
        int warmFrom()
        {
            return sampleCount - warmSamples;
        }

        /** The sample since which the counter has not moved, and not before warm-up ended. */
        int quietFrom()
        {
            return Math.max(quietFrom, warmFrom());
        }

        @Override
        public String roleName()
        {
            return "measuring-" + inner.roleName();
        }
    }
}
