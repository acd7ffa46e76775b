package dev.dataplane.pktgen;

/** One generator or receiver's work on an lcore. */
public interface PktgenPart
{
    /**
     * One cycle.
     *
     * @return packets sent or received.
     */
    int poll();
}
