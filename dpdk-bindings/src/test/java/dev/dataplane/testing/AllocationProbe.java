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
 * packets once the loop is warm (JIT compiled, classes loaded).
 * <p>
 * The counter is sampled every {@value #SAMPLE_EVERY} packets from the very start, so that reading it is itself
 * warm code: a first-time branch would deoptimise the loop, and deoptimisation re-creates scalar-replaced objects
 * on the heap, which the counter would charge to the loop. The measured window starts {@value #WARMUP_NANOS} ns
 * after the loop does: the loop's one-time move from C1 to C2 code (on-stack replacement) was seen to cost 72 bytes
 * once, about 200 ms in.
 */
public final class AllocationProbe
{
    private static final long SAMPLE_EVERY = 500_000;
    private static final int SAMPLES = 400;
    private static final long WARMUP_NANOS = 2_000_000_000L;
    /** The measured window: at least this many samples after warm-up, i.e. 8 million packets. */
    private static final int MEASURED_SAMPLES = 16;

    private AllocationProbe()
    {
    }

    /**
     * Runs {@code agents}, each on its EAL lcore ({@code lcores}, same order), under the probe until each has done
     * millions of units of work (its {@code doWork} results: packets) past a warm-up, stops them, and asserts that no
     * agent's thread allocated a byte over its measured window.
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
            final int first = agent.firstMeasured();
            final int last = agent.sampleCount - 1;
            final long packets = agent.atPackets[last] - agent.atPackets[first];
            final long bytes = agent.allocated[last] - agent.allocated[first];
            assertTrue(packets >= MEASURED_SAMPLES * SAMPLE_EVERY, "measured over " + packets + " packets");
            assertEquals(0, bytes, agent.roleName() + ": " + bytes + " bytes allocated over " + packets +
                " packets; samples: " + Arrays.toString(Arrays.copyOf(agent.allocated, agent.sampleCount)));
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
        private int sampleCount;
        private volatile boolean done;

        MeasuringAgent(final Agent inner)
        {
            this.inner = inner;
        }

        @Override
        public int doWork() throws Exception
        {
            final int work = inner.doWork();
            packets += work;
            if (packets >= nextSample && !done)
            {
                allocated[sampleCount] = threads.getCurrentThreadAllocatedBytes();
                atPackets[sampleCount] = packets;
                atNanos[sampleCount] = System.nanoTime();
                nextSample += SAMPLE_EVERY;
                sampleCount++;
                done = sampleCount == SAMPLES || (atNanos[sampleCount - 1] - atNanos[0] > WARMUP_NANOS &&
                    // One interval more than needed: a sample lands up to a burst past its mark, so the measured
                    // packets between two samples can fall a few short of whole intervals.
                    sampleCount - firstMeasured() > MEASURED_SAMPLES + 1);
            }
            return work;
        }

        /** The first sample taken after warm-up, or the sample count when none is yet. */
        int firstMeasured()
        {
            for (int i = 0; i < sampleCount; i++)
            {
                if (atNanos[i] - atNanos[0] >= WARMUP_NANOS)
                {
                    return i;
                }
            }
            return sampleCount;
        }

        @Override
        public String roleName()
        {
            return "measuring-" + inner.roleName();
        }
    }

}
