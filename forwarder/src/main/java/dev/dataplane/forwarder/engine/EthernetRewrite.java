package dev.dataplane.forwarder.engine;

import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.net.EthernetHeader;

/**
 * Shared by the MAC-rewriting engines: applies a rewrite to every packet with a whole Ethernet header, and frees
 * (and compacts away) the runts that have none.
 */
abstract class EthernetRewrite implements ForwardingEngine
{
    @Override
    public final int process(final MbufArray pkts, final int count)
    {
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            final long mbuf = pkts.get(i);
            if (Mbuf.dataLength(mbuf) < EthernetHeader.LENGTH)
            {
                Mbuf.free(mbuf);
                continue;
            }
            rewrite(Mbuf.dataAddress(mbuf));
            if (kept != i)
            {
                pkts.set(kept, mbuf);
            }
            kept++;
        }
        return kept;
    }

    /** Rewrites the Ethernet header at native address {@code frame}; 14 bytes are there. */
    abstract void rewrite(long frame);
}
