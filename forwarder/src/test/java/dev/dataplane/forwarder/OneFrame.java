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

    /**
     * An mbuf of {@code pool} holding {@code frame}, as RX port {@code port} would have given it, with
     * {@code olFlags} (its checksum word): the caller's to free.
     */
    static long load(final Mempool pool, final byte[] frame, final long olFlags, final int port)
    {
        final MbufArray one = new MbufArray(1);
        assertTrue(pool.allocBulk(one, 1));
        final long mbuf = one.get(0);
        MemorySegment.copy(MemorySegment.ofArray(frame), 0, ALL, Mbuf.dataAddress(mbuf), frame.length);
        Mbuf.setLength(mbuf, frame.length);
        Mbuf.setOffloadFlags(mbuf, olFlags);
        ALL.set(ValueLayout.JAVA_SHORT_UNALIGNED, mbuf + Mbuf.PORT_OFFSET, (short)port);
        return mbuf;
    }

    /** {@link #send(RulesProcessor, byte[])} of a frame the RX port marked with {@code olFlags} (its checksum word). */
    int send(final RulesProcessor processor, final byte[] frame, final long olFlags)
    {
        final long mbuf = load(pool, frame, olFlags, 0);
        processor.beginBurst();
        final int port = processor.process(mbuf);
        processor.endBurst();
        MemorySegment.copy(ALL, ValueLayout.JAVA_BYTE, Mbuf.dataAddress(mbuf), frame, 0, frame.length);
        Mbuf.free(mbuf);
        return port;
    }
}
