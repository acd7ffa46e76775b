package dev.dataplane.forwarder.engine;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import dev.dataplane.net.EthernetHeader;

/** l2fwd's rewrite (testpmd's mac mode): source = the TX port's MAC, destination = the TX port's peer. */
public final class MacEngine extends EthernetRewrite
{
    private final long source;
    private final long destination;

    public MacEngine(final long txPortMac, final long peerMac)
    {
        this.source = txPortMac;
        this.destination = peerMac;
    }

    @Override
    void rewrite(final long frame)
    {
        EthernetHeader.destination(ALL, frame, destination);
        EthernetHeader.source(ALL, frame, source);
    }
}
