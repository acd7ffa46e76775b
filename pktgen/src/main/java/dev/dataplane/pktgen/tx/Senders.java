package dev.dataplane.pktgen.tx;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Every {@link Sender} of a run (a generator per TX queue, or the one pcap replay), counted as one: the reporting
 * thread's view of what went out.
 */
public final class Senders
{
    private final Sender[] senders;

    public Senders(final List<? extends Sender> senders)
    {
        if (senders.isEmpty())
        {
            throw new IllegalArgumentException("no senders");
        }
        this.senders = senders.toArray(new Sender[0]);
    }

    public List<Sender> list()
    {
        return List.of(senders);
    }

    /** Packets the port took. */
    public long sent()
    {
        return sum(Sender::sent);
    }

    /** Bytes of the packets the port took, FCS not counted. */
    public long sentBytes()
    {
        return sum(Sender::sentBytes);
    }

    /** Packets the TX queues refused. */
    public long txRefused()
    {
        return sum(Sender::txRefused);
    }

    /** Packets not built for want of mbufs. */
    public long allocFailed()
    {
        return sum(Sender::allocFailed);
    }

    /** Packets the pacing gave up, behind schedule: read once the senders have stopped. */
    public long skipped()
    {
        return sum(Sender::skipped);
    }

    /**
     * Packets of stream {@code stream} handed to the TX queues (sent or refused), or -1 for a pcap replay (whose
     * frames carry no streams): read after the lcores stopped. Generator {@code q} of {@code N} sends the streams
     * {@code q, q + N, ...}.
     */
    public long handedOut(final int stream)
    {
        final int n = senders.length;
        return senders[stream % n] instanceof Generator generator ? generator.handedOut(stream / n) : -1;
    }

    /** Packets of {@code stream} the TX queue refused (once the lcores have stopped), or 0 for a pcap replay. */
    public long refused(final int stream)
    {
        final int n = senders.length;
        return senders[stream % n] instanceof Generator generator ? generator.refused(stream / n) : 0;
    }

    private long sum(final ToLongFunction<Sender> counter)
    {
        long sum = 0;
        for (final Sender sender : senders)
        {
            sum += counter.applyAsLong(sender);
        }
        return sum;
    }

    /** True once every sender has handed out its finite share. */
    public boolean done()
    {
        for (final Sender sender : senders)
        {
            if (!sender.done())
            {
                return false;
            }
        }
        return true;
    }
}
