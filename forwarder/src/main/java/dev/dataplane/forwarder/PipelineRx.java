package dev.dataplane.forwarder;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import dev.dataplane.dpdk.Mbuf;
import dev.dataplane.dpdk.MbufArray;

/**
 * The RX side of the pipeline: busy-polls one RX queue and publishes each burst into its ring with one claim and
 * one publish. What the ring has no room for is freed and counted ({@link #ringFull}): the RX lcore never waits for
 * the stages, so a slow stage costs packets, not latency, as a full NIC ring would.
 */
public final class PipelineRx extends RxStream
{
    private static final VarHandle RING_FULL;
    private static final VarHandle RECEIVED;

    static
    {
        try
        {
            RING_FULL = MethodHandles.lookup().findVarHandle(PipelineRx.class, "ringFull", long.class);
            RECEIVED = MethodHandles.lookup().findVarHandle(PipelineRx.class, "received", long.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final RingBuffer<PacketEvent> ring;
    @SuppressWarnings("unused") // through RING_FULL
    private long ringFull;
    @SuppressWarnings("unused") // through RECEIVED
    private long received;

    PipelineRx(final int rxPort, final int rxQueue, final int burst, final RingBuffer<PacketEvent> ring)
    {
        super(rxPort, rxQueue, burst);
        this.ring = ring;
    }

    @Override
    public int poll()
    {
        final MbufArray pkts = this.pkts;
        final int received = receive();
        if (0 == received)
        {
            return 0;
        }
        RECEIVED.setOpaque(this, (long)RECEIVED.getOpaque(this) + received);
        final RingBuffer<PacketEvent> ring = this.ring;
        // A burst goes into the ring whole or not at all: trickling single slots into a full ring makes the RX
        // lcore bounce the ring's cache lines with the stage lcore for nothing.
        final int room = ring.remainingCapacity() >= received ? received : 0;
        if (room > 0)
        {
            try
            {
                final long high = ring.tryNext(room);
                final long low = high - room + 1;
                for (int i = 0; i < room; i++)
                {
                    ring.get(low + i).mbuf = pkts.get(i);
                }
                ring.publish(low, high);
            }
            catch (final InsufficientCapacityException ex)
            {
                // Cannot happen with one producer that just saw the room; counted as a full ring all the same.
                dropTail(pkts, 0, received);
                return received;
            }
        }
        if (room < received)
        {
            dropTail(pkts, room, received);
        }
        return received;
    }

    private void dropTail(final MbufArray pkts, final int from, final int received)
    {
        Mbuf.freeBulk(pkts, from, received - from);
        RING_FULL.setOpaque(this, (long)RING_FULL.getOpaque(this) + received - from);
    }

    /** Packets received from the RX queue (any thread). */
    public long received()
    {
        return (long)RECEIVED.getOpaque(this);
    }

    /** Packets received but freed because the ring was full (any thread). */
    public long ringFull()
    {
        return (long)RING_FULL.getOpaque(this);
    }

    @Override
    public String toString()
    {
        return "port " + rxPort + " queue " + rxQueue + " -> ring";
    }
}
