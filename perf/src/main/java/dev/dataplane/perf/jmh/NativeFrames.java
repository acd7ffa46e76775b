package dev.dataplane.perf.jmh;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Frames placed in native memory, cache-line aligned, as they sit in an mbuf. */
final class NativeFrames
{
    private NativeFrames()
    {
    }

    static MemorySegment copy(final byte[] frame)
    {
        final MemorySegment segment = Arena.ofAuto().allocate(frame.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, segment, 0, frame.length);
        return segment;
    }
}
