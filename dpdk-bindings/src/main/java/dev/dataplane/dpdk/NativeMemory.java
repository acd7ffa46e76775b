package dev.dataplane.dpdk;

import java.lang.foreign.MemorySegment;

/**
 * The whole address space as one segment, for reading and writing DPDK structures (mbufs, packet data) at raw
 * addresses without allocating a segment per access. It checks nothing: callers bound every access by what
 * DPDK says is there (an mbuf's data_len, a struct's size).
 */
public final class NativeMemory
{
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private NativeMemory()
    {
    }
}
