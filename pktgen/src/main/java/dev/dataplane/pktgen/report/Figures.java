package dev.dataplane.pktgen.report;

import java.util.List;

import org.HdrHistogram.Histogram;

/** What the report prints, gathered from the generator and the receiver: the sinks format these and nothing else. */
public final class Figures
{
    private Figures()
    {
    }

    /**
     * The set-up, printed at start.
     *
     * @param rxName the RX port's name, or null in a send-only run.
     * @param sizes  the frame sizes as options name them ({@code 64}, {@code imix}, {@code pcap}).
     * @param frames the frame sizes described for people ({@code 64 B}, {@code IMIX 64/576/1500}).
     * @param rate   packets per second, 0 for as fast as the port takes them.
     */
    public record Start(int txPort, String txName, int rxPort, String rxName, String sizes, String frames,
        boolean tcp, int flows, int txQueues, double rate, long count, int lcores)
    {
    }

    /** One port over one period: what it sent and received, what it dropped on receive, the loss seen so far. */
    public record PortPeriod(int port, Rates tx, Rates rx, long rxDropped, long lostSoFar)
    {
    }

    /** One period: the rates over it, the totals and loss so far, and each port in use. */
    public record Period(double elapsedSeconds, Rates tx, Rates rx, long txTotal, long rxTotal, long lostSoFar,
        List<PortPeriod> ports)
    {
    }

    /**
     * One stream (flow) over the run.
     *
     * @param latency its latency distribution in nanoseconds, or null (beyond the receiver's per-stream histograms).
     */
    public record Stream(int stream, long sent, long txRefused, long received, long lost, long duplicates,
        long outOfOrder,
        long late, long minNanos, double meanNanos, Histogram latency, long maxNanos)
    {
    }

    /**
     * The run.
     *
     * @param latency every latency recorded, in nanoseconds.
     * @param streams each stream, when the traffic was stamped and received; else empty.
     */
    public record Summary(double seconds, long sent, long txRefused, long allocFailed, long behindSchedule,
        long received, long stamped, long unstamped, long lost, long duplicates, long outOfOrder, long late,
        Rates tx, Rates rx, long txBytes, long rxBytes, Histogram latency, List<Stream> streams, int mbufsInUse)
    {
    }
}
