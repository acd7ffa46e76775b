package dev.dataplane.forwarder.pipeline;

import dev.dataplane.runtime.CliNamed;

/**
 * Which lcores run the pipeline's TX stage ({@link PipelineTx}): the ones that receive into the rings (RX and TX on
 * one lcore, as the I/O lcores of DPDK's load_balancer example) or the stage lcores, after the rules.
 * <p>
 * On the RX lcore, every mbuf is allocated, sent and freed on one core: its header's cache lines and the mempool's
 * per-lcore cache never cross to the stage core, which reads and rewrites only the packet. That lcore then does
 * more per packet, which pays when it has room: measured on this project's 2-CPU machine, with hugepages the RX
 * lcore receives 26-32 Mpps alone and the pipeline forwarded 13.8-16.0 Mpps this way against 10.2-11.3 with TX on
 * the stage lcore (4 of 4 pairs); on 4 KiB pages the RX lcore, much slower there (TLB misses, we think), became
 * the bottleneck (10.3-11.5 against 12.2-16.5, 4 of 4). Hence the default: on the RX lcore when EAL runs on
 * hugepages.
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
