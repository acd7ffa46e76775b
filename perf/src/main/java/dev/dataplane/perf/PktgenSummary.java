package dev.dataplane.perf;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures of pktgen's summary line ({@code --summary-json}) that the perf tools use: what was sent, received and
 * refused, the latency percentiles in nanoseconds, and stream 0's sent and refused.
 */
record PktgenSummary(long sent, long received, long refused, long latencyCount, long p50, long p99, long p999,
    long max, long stream0Sent, long stream0Refused)
{
    private static final Pattern LATENCY = Pattern.compile("\"latency_ns\":\\{\"count\":(\\d+),\"min\":\\d+.*?" +
        "\"p50\":(\\d+),\"p90\":\\d+,\"p99\":(\\d+),\"p99_9\":(\\d+).*?\"max\":(\\d+)");
    private static final Pattern STREAM0 = Pattern.compile("\\{\"stream\":0,\"sent\":(\\d+),\"tx_refused\":(\\d+)");

    /** @throws IllegalArgumentException when the line carries no latency (pktgen received nothing stamped). */
    static PktgenSummary parse(final String json)
    {
        final Matcher latency = LATENCY.matcher(json);
        if (!latency.find())
        {
            throw new IllegalArgumentException("no latency in pktgen's summary: " + json);
        }
        final Matcher stream0 = STREAM0.matcher(json);
        final boolean streams = stream0.find();
        return new PktgenSummary(field(json, "tx_packets"), field(json, "rx_packets"), field(json, "tx_refused"),
            number(latency, 1), number(latency, 2), number(latency, 3), number(latency, 4), number(latency, 5),
            streams ? number(stream0, 1) : -1, streams ? number(stream0, 2) : -1);
    }

    private static long number(final Matcher matcher, final int group)
    {
        return Long.parseLong(matcher.group(group));
    }

    private static long field(final String json, final String name)
    {
        final Matcher matcher = Pattern.compile("\"" + name + "\":(\\d+)").matcher(json);
        return matcher.find() ? Long.parseLong(matcher.group(1)) : -1;
    }
}
