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

    /**
     * Run to completion, however many lcores: measured beside testpmd in the same runs, it forwarded more than the
     * pipeline on 4 KiB pages and on hugepages alike (docs/rules.md, Run modes), since every packet the pipeline
     * hands from core to core is a cache miss on the other side. The pipeline is there for rules costly enough per
     * packet to need more than one core per RX queue: ask for it.
     */
    public static final RunMode DEFAULT = RUN_TO_COMPLETION;

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
}
