package dev.dataplane.forwarder.pipeline;

import dev.dataplane.runtime.CliNamed;

/**
 * Which lcores run the pipeline's TX stage ({@link PipelineTx}): the ones that receive into the rings (RX and TX on
 * one lcore, as the I/O lcores of DPDK's load_balancer example) or the stage lcores, after the rules.
 * <p>
 * On the RX lcore, every mbuf is allocated, sent and freed on one core: its header's cache lines and the mempool's
 * per-lcore cache never cross to the stage core, which reads and rewrites only the packet. That lcore then does
 * more per packet, which pays when it has room: with hugepages it forwarded more this way than with TX on the
 * stage lcore, and on 4 KiB pages, where the RX lcore is much slower alone, less (docs/rules.md, Run modes, has the
 * figures). Hence the default: on the RX lcore when EAL runs on hugepages.
 */
public enum PipelineTxLcore implements CliNamed
{
    RX("rx"),
    STAGE("stage");

    private final String cliName;

    PipelineTxLcore(final String cliName)
    {
        this.cliName = cliName;
    }

    @Override
    public String cliName()
    {
        return cliName;
    }

    /** By CLI name, or null. */
    public static PipelineTxLcore of(final String name)
    {
        return CliNamed.byCliName(values(), name);
    }

    /** The default for EAL's memory: {@link #RX} on hugepages, {@link #STAGE} on 4 KiB pages. */
    public static PipelineTxLcore defaultFor(final boolean hugepages)
    {
        return hugepages ? RX : STAGE;
    }
}
