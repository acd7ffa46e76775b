package dev.dataplane.dpdk;

import java.lang.foreign.MemorySegment;

/**
 * The whole address space as one segment, for reading and writing DPDK structures (mbufs, packet data) at raw
 * addresses without allocating a segment per access. It checks nothing: callers bound every access by what
 * DPDK says is there (an mbuf's data_len, a struct's size).
 * <p>
 * Each access to {@code ALL} at {@code address + offset} still pays the segment's bounds check (a compare and a
 * branch, and a register for the computed address until then) unless the JIT compiler can prove the sum in range.
 * {@link #address} lets it: pass the base address through it once and the checks of every access at a constant
 * offset from it fold away.
 */
public final class NativeMemory
{
    public static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    /** Above every user-space address of the machines DPDK runs on (x86-64 and AArch64: 48 or 57 bits). */
    private static final long USER_SPACE_MASK = (1L << 62) - 1;

    /**
     * {@code address} unchanged, for any user-space address, but known to the JIT compiler to be below 2^62: an
     * access to {@link #ALL} at it plus a small constant offset then needs no bounds check (C2 proves it in range
     * from the mask), which the per-packet paths would otherwise pay on every access.
     */
    public static long address(final long address)
    {
        return address & USER_SPACE_MASK;
    }

    private NativeMemory()
    {
    }
}
