package dev.dataplane.forwarder;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthStats;

/** Reads the streams' counters and the ports' device counters into per-port totals, on the stats thread. */
public final class ForwarderStats
{
    private final Forwarder forwarder;
    private final int[] ports;
    private final EthStats ethStats = new EthStats();
    private final MemorySegment statsBuffer = EthDev.allocateStatsBuffer(Arena.ofAuto());

    public ForwarderStats(final Forwarder forwarder)
    {
        this.forwarder = forwarder;
        this.ports = forwarder.ports();
    }

    /** A snapshot, one entry per forwarded port in pair order. Ports must still be open. */
    public PortTotals[] snapshot()
    {
        final PortTotals[] totals = new PortTotals[ports.length];
        for (int i = 0; i < ports.length; i++)
        {
            final PortTotals port = new PortTotals(ports[i]);
            for (final ForwardingStream stream : forwarder.streams())
            {
                final StreamCounters counters = stream.counters();
                if (stream.rxPort() == port.port)
                {
                    port.rxPackets += counters.rxPackets();
                    port.malformed += counters.malformed();
                }
                if (stream.txPort() == port.port)
                {
                    port.txPackets += counters.txPackets();
                    port.txDropped += counters.txDropped();
                }
            }
            EthDev.stats(port.port, ethStats, statsBuffer);
            port.rxBytes = ethStats.rxBytes;
            port.txBytes = ethStats.txBytes;
            port.deviceRxPackets = ethStats.rxPackets;
            port.deviceTxPackets = ethStats.txPackets;
            port.rxNoMbuf = ethStats.rxNoMbuf;
            port.rxMissed = ethStats.rxMissed;
            port.rxErrors = ethStats.rxErrors;
            port.txErrors = ethStats.txErrors;
            totals[i] = port;
        }
        return totals;
    }

    /** The sum over ports, as port -1. */
    public static PortTotals sum(final PortTotals[] ports)
    {
        final PortTotals all = new PortTotals(-1);
        for (final PortTotals port : ports)
        {
            all.add(port);
        }
        return all;
    }
}
