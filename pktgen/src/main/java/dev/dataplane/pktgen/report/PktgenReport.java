package dev.dataplane.pktgen.report;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthStats;
import dev.dataplane.pktgen.Pktgen;
import dev.dataplane.pktgen.PktgenContext;
import dev.dataplane.pktgen.rx.Receiver;
import dev.dataplane.pktgen.rx.ReceiverCounter;
import dev.dataplane.pktgen.rx.SequenceTracker;
import dev.dataplane.pktgen.traffic.Traffic;
import dev.dataplane.pktgen.tx.Senders;
import org.HdrHistogram.Histogram;

/**
 * Gathers what the generator and receiver counted into {@link Figures} and hands them to a {@link ReportSink}: the
 * set-up, a period's rates (from the lcores' counters, read on the main thread; the latency recorder's intervals are
 * summed here), and the summary (totals, loss, duplicates, reordering, latency percentiles, every stream).
 */
public final class PktgenReport
{
    private final ReportSink sink;
    private final PktgenContext context;
    private final Histogram total = new Histogram(Pktgen.HIGHEST_LATENCY_NANOS, 3);
    private final EthStats stats = new EthStats();
    private final MemorySegment statsBuffer = EthDev.allocateStatsBuffer(Arena.ofAuto());
    private long lastSent;
    private long lastSentBytes;
    private long lastReceived;
    private long lastReceivedBytes;
    private double lastSeconds;
    private String summaryJson;

    public PktgenReport(final PrintStream out, final boolean json, final PktgenContext context)
    {
        this.sink = ReportSink.of(json, out);
        this.context = context;
    }

    public void start(final Pktgen pktgen)
    {
        final Traffic t = context.traffic();
        final boolean pcap = null != context.pcap();
        sink.start(new Figures.Start(context.txPort(), EthDev.name(context.txPort()), context.rxPort(),
            context.receives() ? EthDev.name(context.rxPort()) : null, pcap ? "pcap" : t.sizes().toString(),
            pcap ? "pcap" : t.sizes().describe(), t.tcp(), t.flows(), context.txQueues(), pktgen.packetsPerSecond(),
            context.count(), pktgen.lcores().size()));
    }

    /**
     * A line per port in use: what was sent on it and received on it since the last period (our counters, which are
     * what the TX queues took and what the RX queue gave), the port's own count of frames it dropped on receive
     * (missed, or no mbuf: rte_eth_stats), and the loss the receiver has seen so far on the RX port.
     */
    public void period(final Pktgen pktgen, final double seconds)
    {
        takeLatency(pktgen);
        final Senders senders = pktgen.senders();
        final Receiver receiver = pktgen.receiver();
        final long sent = senders.sent();
        final long sentBytes = senders.sentBytes();
        final long received = null == receiver ? 0 : receiver.received();
        final long receivedBytes = null == receiver ? 0 : receiver.receivedBytes();
        final long lost = null == receiver ? 0 : receiver.counters().get(ReceiverCounter.LOST);
        final double elapsed = seconds - lastSeconds;
        final Rates tx = Rates.of(sent - lastSent, sentBytes - lastSentBytes, elapsed);
        final Rates rx = Rates.of(received - lastReceived, receivedBytes - lastReceivedBytes, elapsed);
        lastSent = sent;
        lastSentBytes = sentBytes;
        lastReceived = received;
        lastReceivedBytes = receivedBytes;
        lastSeconds = seconds;
        final List<Figures.PortPeriod> ports = new ArrayList<>();
        for (final int port : pktgen.ports())
        {
            final boolean rxPort = context.receives() && port == context.rxPort();
            EthDev.stats(port, stats, statsBuffer);
            ports.add(new Figures.PortPeriod(port, port == context.txPort() ? tx : Rates.NONE,
                rxPort ? rx : Rates.NONE, stats.rxMissed + stats.rxNoMbuf, rxPort ? lost : 0));
        }
        sink.period(new Figures.Period(seconds, tx, rx, sent, received, lost, ports));
    }

    /** The summary as one JSON object (and a line end), once {@link #summary} has run; else null. */
    public String summaryJson()
    {
        return summaryJson;
    }

    /** Every latency recorded so far, in nanoseconds. */
    public Histogram latency()
    {
        return total;
    }

    public synchronized void accumulate(final Histogram interval)
    {
        total.add(interval);
    }

    /**
     * Every latency recorded so far, the recorder's latest interval added in first: for the period lines and for a
     * Prometheus scrape (another thread), one at a time.
     *
     * @return a copy, the caller's.
     */
    public synchronized Histogram latencySoFar(final Pktgen pktgen)
    {
        takeLatency(pktgen);
        return total.copy();
    }

    private synchronized void takeLatency(final Pktgen pktgen)
    {
        total.add(pktgen.latency().intervalHistogram());
    }

    /** Leaves every latency recorded so far out of the figures (a warm-up's: {@code --latency-warmup}). */
    public synchronized void forgetLatency(final Pktgen pktgen)
    {
        pktgen.latency().intervalHistogram();
        total.reset();
    }

    /** The summary, once the lcores have stopped. */
    public void summary(final Pktgen pktgen, final double seconds)
    {
        final Figures.Summary summary = summaryFigures(pktgen, seconds);
        summaryJson = JsonReport.summaryLine(summary) + System.lineSeparator();
        sink.summary(summary);
    }

    private Figures.Summary summaryFigures(final Pktgen pktgen, final double seconds)
    {
        final Senders g = pktgen.senders();
        final Receiver r = pktgen.receiver();
        final SequenceTracker t = null == r ? new SequenceTracker(0) : r.tracker();
        final long received = null == r ? 0 : r.received();
        // Frames never seen at the tail of a stream are lost too: compare with what was handed out per stream. A
        // replayed pcap carries no stamps: what was sent and did not arrive is lost.
        final boolean perStream = null != r && null == context.pcap();
        final List<Figures.Stream> streams = new ArrayList<>();
        long lost = null != r && !perStream ? Math.max(0, g.sent() - received) : 0;
        long duplicates = 0;
        long outOfOrder = 0;
        long late = 0;
        long stamped = 0;
        for (int s = 0; s < t.streams(); s++)
        {
            duplicates += t.duplicates(s);
            outOfOrder += t.outOfOrder(s);
            late += t.late(s);
            stamped += t.received(s);
            if (perStream)
            {
                final long streamLost = t.lost(s) +
                    Math.max(0, g.handedOut(s) - t.received(s) + t.duplicates(s) - t.lost(s));
                lost += streamLost;
                streams.add(new Figures.Stream(s, g.handedOut(s), g.refused(s), t.received(s), streamLost,
                    t.duplicates(s),
                    t.outOfOrder(s), t.late(s), r.minLatencyNanos(s), r.meanLatencyNanos(s), r.streamLatency(s),
                    r.maxLatencyNanos(s)));
            }
        }
        final long rxBytes = null == r ? 0 : r.receivedBytes();
        return new Figures.Summary(seconds, g.sent(), g.txRefused(), g.allocFailed(), g.skipped(), received, stamped,
            null == r ? 0 : r.unstamped(), lost, duplicates, outOfOrder, late, Rates.of(g.sent(), g.sentBytes(),
            seconds), Rates.of(received, rxBytes, seconds), g.sentBytes(), rxBytes, total, streams,
            pktgen.mbufsInUseAtClose());
    }
}
