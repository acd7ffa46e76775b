package dev.dataplane.runtime;

import picocli.CommandLine.Option;

/**
 * The options both programs take, with one meaning and one check: a picocli mixin
 * ({@code @Mixin RunOptions run = new RunOptions()}).
 */
public final class RunOptions
{
    /** A line a second, as testpmd's and Pktgen-DPDK's displays refresh. */
    public static final double DEFAULT_STATS_PERIOD_SECONDS = 1;
    /** The longest statistics period, an hour: a longer one is a typo. */
    public static final double MAX_STATS_PERIOD_SECONDS = 3600;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Option(names = "--burst", paramLabel = "N", description = "Packets per RX/TX burst, 1..512 (default: 32).")
    int burst = Burst.DEFAULT;

    @Option(names = "--duration", paramLabel = "SECONDS",
        description = "Stop by itself after this long; 0: no time limit (default: 0).")
    double duration;

    @Option(names = "--stats-period", paramLabel = "SECONDS",
        description = "Seconds between statistics lines; 0 for the summary only (default: 1).")
    double statsPeriod = DEFAULT_STATS_PERIOD_SECONDS;

    @Option(names = "--stats-format", paramLabel = "FORMAT",
        description = "text, or json: one JSON object per line, the last with \"type\":\"summary\" (default: text).")
    String statsFormat = "text";

    @Option(names = "--prometheus", paramLabel = "[ADDR:]PORT",
        description = "Serve Prometheus metrics at http://ADDR:PORT/metrics (ADDR default 127.0.0.1; port 0: any " +
            "free one, logged). Off by default.")
    String prometheus;

    /**
     * Where to serve Prometheus metrics ({@link MetricsEndpoint}), or null for nowhere.
     *
     * @throws IllegalArgumentException when the value is not {@code [ADDR:]PORT}.
     */
    public String prometheus()
    {
        if (null != prometheus)
        {
            MetricsEndpoint.check(prometheus);
        }
        return prometheus;
    }

    /** @throws IllegalArgumentException naming the option whose value is out of range. */
    public int burst()
    {
        return checkBurst(burst);
    }

    /** Seconds; 0: no limit. */
    public double duration()
    {
        return checkDuration(duration);
    }

    /** Seconds; 0: summary only. */
    public double statsPeriod()
    {
        return checkStatsPeriod(statsPeriod);
    }

    public StatsFormat statsFormat()
    {
        return switch (statsFormat)
        {
            case "text" -> StatsFormat.TEXT;
            case "json" -> StatsFormat.JSON;
            default -> throw new IllegalArgumentException("--stats-format must be text or json: " + statsFormat);
        };
    }

    /** {@code burst}, when 1..{@value Burst#MAX}. @throws IllegalArgumentException otherwise. */
    public static int checkBurst(final int burst)
    {
        if (null != Burst.check(burst))
        {
            throw new IllegalArgumentException(Burst.check(burst));
        }
        return burst;
    }

    /** {@code seconds}, when a finite number >= 0. @throws IllegalArgumentException otherwise. */
    public static double checkDuration(final double seconds)
    {
        if (!(seconds >= 0) || Double.isInfinite(seconds))
        {
            throw new IllegalArgumentException("--duration must be a number of seconds >= 0: " + seconds);
        }
        return seconds;
    }

    /** {@code seconds}, when in 0..{@value #MAX_STATS_PERIOD_SECONDS}. @throws IllegalArgumentException otherwise. */
    public static double checkStatsPeriod(final double seconds)
    {
        if (!(seconds >= 0 && seconds <= MAX_STATS_PERIOD_SECONDS))
        {
            throw new IllegalArgumentException("--stats-period must be in 0.." + (int)MAX_STATS_PERIOD_SECONDS +
                " seconds: " + seconds);
        }
        return seconds;
    }
}
