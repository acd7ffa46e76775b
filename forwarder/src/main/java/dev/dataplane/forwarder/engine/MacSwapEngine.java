package dev.dataplane.forwarder.engine;

import static dev.dataplane.dpdk.NativeMemory.ALL;

import dev.dataplane.net.EthernetHeader;

/** testpmd's macswap mode: source and destination MAC change places. */
public final class MacSwapEngine extends EthernetRewrite
{
    @Override
    void rewrite(final long frame)
    {
        EthernetHeader.swapAddresses(ALL, frame);
    }
}
