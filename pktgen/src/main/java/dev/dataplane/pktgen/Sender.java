package dev.dataplane.pktgen;

/** What sends: the stamped-traffic {@link Generator} or the {@link PcapReplay}. Counters readable from any thread. */
public interface Sender extends PktgenPart
{
    /** Packets the port took. */
    long sent();

    /** Packets the TX queue refused, freed. */
    long txRefused();

    /** Packets not built for want of mbufs. */
    long allocFailed();

    /** True once a finite run (a packet count, a number of loops) has sent everything. */
    boolean done();
}
