package dev.dataplane.forwarder;

import dev.dataplane.forwarder.pipeline.PipelineTxLcore;
import dev.dataplane.runtime.CliNamed;

/**
 * How the rules' stages are laid out on lcores. Run-to-completion (the testpmd way): each lcore receives a burst and
 * takes every packet through the rules to TX itself; one worker lcore is enough. Pipeline: RX lcores only receive
 * and publish into Disruptor rings; stage lcores run the rules stage; the TX stage runs on the RX or the stage lcores
 * ({@link PipelineTxLcore}); it needs two worker lcores or more, and pays off only when each gets a core of its own.
 */
public enum RunMode implements CliNamed
{
    RUN_TO_COMPLETION("run-to-completion"),
    PIPELINE("pipeline");

    private final String cliName;

    RunMode(final String cliName)
    {
        this.cliName = cliName;
    }

    @Override
    public String cliName()
    {
        return cliName;
    }

    /** By CLI name (or {@code rtc}), or null. */
    public static RunMode of(final String name)
    {
        return "rtc".equals(name) ? RUN_TO_COMPLETION : CliNamed.byCliName(values(), name);
    }

    /**
     * The default: a pipeline only when there are more worker lcores than RX queues to poll, since run-to-completion
     * would leave the extra lcores idle; otherwise run-to-completion, which needs no hand-off between cores.
     */
    public static RunMode defaultFor(final int workerLcores, final int rxQueues)
    {
        return workerLcores > rxQueues && workerLcores >= 2 ? PIPELINE : RUN_TO_COMPLETION;
    }
}
