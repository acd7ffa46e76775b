package dev.dataplane.forwarder;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;
import dev.dataplane.dpdk.Mempool;
import dev.dataplane.forwarder.rules.RulesProcessor;

/** Single frames through a {@link RulesProcessor} in real mbufs of {@code pool}, for tests: a burst of one each. */
final class OneFrame
{
    private final Mempool pool;
    private final MbufArray mbufs = new MbufArray(1);

    OneFrame(final Mempool pool)
    {
        this.pool = pool;
    }

    /**
     * Runs {@code frame} through {@code processor} in an mbuf, copies what it became back into it, and frees the mbuf.
     *
     * @return the port it leaves by, or {@link RulesProcessor#DROP}.
     */
    int send(final RulesProcessor processor, final byte[] frame)
    {
        return send(processor, frame, 0);
    }

    /** {@link #send(RulesProcessor, byte[])} of a frame the RX port marked with {@code olFlags} (its checksum word). */
    int send(final RulesProcessor processor, final byte[] frame, final long olFlags)
    {
        assertTrue(pool.allocBulk(mbufs, 1));
        final long mbuf = mbufs.get(0);
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, ALL, Mbuf.dataAddress(mbuf), frame.length);
        Mbuf.setLength(mbuf, frame.length);
        Mbuf.setOffloadFlags(mbuf, olFlags);
        processor.beginBurst();
        final int port = processor.process(mbuf);
        processor.endBurst();
        MemorySegment.copy(ALL, ValueLayout.JAVA_BYTE, Mbuf.dataAddress(mbuf), frame, 0, frame.length);
        Mbuf.free(mbuf);
        return port;
    }
}
