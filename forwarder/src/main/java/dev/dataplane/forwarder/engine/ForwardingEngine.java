package dev.dataplane.forwarder.engine;

import dev.dataplane.dpdk.MbufArray;

/**
 * What a forwarding mode does to a received burst before it is sent, in the testpmd manner (io, mac,
 * macswap...). One instance per stream, called only by that stream's lcore; it must not allocate.
 */
public interface ForwardingEngine
{
    /**
     * Processes {@code pkts[0..count)} in place. Packets the engine refuses it frees itself, compacting the
     * rest to the front of the array; the stream counts {@code count} minus the result as malformed.
     *
     * @return how many packets, at the front of {@code pkts}, are to be sent.
     */
    int process(MbufArray pkts, int count);
}
