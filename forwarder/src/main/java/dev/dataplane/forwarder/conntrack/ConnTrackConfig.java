package dev.dataplane.forwarder.conntrack;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.net.HashSeed;

/**
 * How the forwarder tracks connections: whether at all ({@link Mode}), how many connections each lcore's table
 * holds, whether TCP windows are enforced, and the idle timeouts, named after nf_conntrack's sysctls
 * ({@code nf_conntrack_tcp_timeout_established} is {@code tcp-established} here; {@code udp} and
 * {@code udp-stream} as Linux names the unreplied and replied UDP timeouts; {@code icmp}).
 *
 * @param mode           on, off, or auto: on when the rules need it.
 * @param maxFlows       connections per lcore's table (each {@value ConnTable#BYTES_PER_FLOW} bytes).
 * @param liberal        accept TCP segments outside the windows ({@code nf_conntrack_tcp_be_liberal}).
 * @param timeoutSeconds timeouts by name, overriding the defaults ({@link #defaultTimeouts}).
 */
public record ConnTrackConfig(Mode mode, int maxFlows, boolean liberal, Map<String, Long> timeoutSeconds)
{
    /** 262,144 connections per lcore: 40 MiB of table. */
    public static final int DEFAULT_MAX_FLOWS = 1 << 18;
    public static final ConnTrackConfig DEFAULT = new ConnTrackConfig(Mode.AUTO, DEFAULT_MAX_FLOWS, false, Map.of());

    /** Whether connections are tracked. */
    public enum Mode
    {
        /** When the rules match {@code ct-state} or rewrite addresses or ports. */
        AUTO,
        ON,
        OFF;

        /** By CLI name ({@code auto}, {@code on}, {@code off}), or null. */
        public static Mode of(final String name)
        {
            for (final Mode mode : values())
            {
                if (mode.name().toLowerCase(Locale.ROOT).equals(name))
                {
                    return mode;
                }
            }
            return null;
        }
    }

    public ConnTrackConfig
    {
        if (maxFlows < 1 || maxFlows > ConnTable.MAX_CAPACITY)
        {
            throw new IllegalArgumentException("--max-flows must be in 1.." + ConnTable.MAX_CAPACITY + ": " + maxFlows);
        }
        final Map<String, Long> defaults = defaultTimeouts();
        for (final Map.Entry<String, Long> timeout : timeoutSeconds.entrySet())
        {
            if (!defaults.containsKey(timeout.getKey()))
            {
                throw new IllegalArgumentException("unknown timeout '" + timeout.getKey() + "' (one of: " +
                    String.join(", ", defaults.keySet()) + ")");
            }
            if (timeout.getValue() < 1 || timeout.getValue() > 30L * 24 * 3600)
            {
                throw new IllegalArgumentException("timeout " + timeout.getKey() + " must be 1 s to 30 days: " +
                    timeout.getValue());
            }
        }
        timeoutSeconds = Map.copyOf(timeoutSeconds);
    }

    /** The timeouts by name and their defaults in seconds (nf_conntrack's and VPP's; TCP from {@link TcpState}). */
    public static Map<String, Long> defaultTimeouts()
    {
        final Map<String, Long> timeouts = new LinkedHashMap<>();
        for (final TcpState state : TcpState.values())
        {
            if (TcpState.NONE != state)
            {
                timeouts.put(timeoutName(state), (long)state.defaultTimeoutSeconds());
            }
        }
        timeouts.put("udp", ConnTracker.UDP_UNREPLIED_MILLIS / 1000);
        timeouts.put("udp-stream", ConnTracker.UDP_REPLIED_MILLIS / 1000);
        timeouts.put("icmp", ConnTracker.ICMP_MILLIS / 1000);
        return timeouts;
    }

    /** {@code tcp-established} for {@link TcpState#ESTABLISHED}, and so on. */
    public static String timeoutName(final TcpState state)
    {
        return "tcp-" + state.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Parses {@code NAME=SECONDS} settings ({@code --ct-timeout}). */
    public static Map<String, Long> parseTimeouts(final List<String> settings)
    {
        final Map<String, Long> timeouts = new LinkedHashMap<>();
        for (final String setting : settings)
        {
            final int equals = setting.indexOf('=');
            try
            {
                if (equals <= 0)
                {
                    throw new NumberFormatException();
                }
                timeouts.put(setting.substring(0, equals).trim(), Long.parseLong(setting.substring(equals + 1).trim()));
            }
            catch (final NumberFormatException ex)
            {
                throw new IllegalArgumentException("--ct-timeout wants NAME=SECONDS (e.g. tcp-established=3600): " +
                    setting);
            }
        }
        return timeouts;
    }

    /** Whether connections are tracked for rules that do ({@code rulesNeedIt}) or do not need it. */
    public boolean enabledFor(final boolean rulesNeedIt)
    {
        return Mode.ON == mode || (Mode.AUTO == mode && rulesNeedIt);
    }

    /**
     * A tracker with its own table of {@link #maxFlows}, keyed with the process's seed, set up as configured.
     *
     * @param eal the process's EAL, whose hugepages hold the table when it has them; null: anonymous memory.
     */
    public ConnTracker newTracker(final Eal eal)
    {
        return newTracker(eal, maxFlows);
    }

    /** {@link #newTracker(Eal)} with a table of {@code capacity} connections in place of {@code --max-flows}. */
    public ConnTracker newTracker(final Eal eal, final int capacity)
    {
        final ConnTracker tracker = new ConnTracker(new ConnTable(capacity, HashSeed.PROCESS, eal));
        tracker.liberal(liberal);
        final Map<String, Long> timeouts = defaultTimeouts();
        timeouts.putAll(timeoutSeconds);
        for (final TcpState state : TcpState.values())
        {
            if (TcpState.NONE != state)
            {
                tracker.tcpTimeout(state, 1000 * timeouts.get(timeoutName(state)));
            }
        }
        tracker.udpTimeouts(1000 * timeouts.get("udp"), 1000 * timeouts.get("udp-stream"));
        tracker.icmpTimeout(1000 * timeouts.get("icmp"));
        return tracker;
    }

    /** The settings, for the banner. */
    public String describe()
    {
        final List<String> parts = new ArrayList<>();
        parts.add("max-flows=" + maxFlows);
        if (liberal)
        {
            parts.add("liberal");
        }
        timeoutSeconds.forEach((name, seconds) -> parts.add(name + "=" + seconds + "s"));
        return String.join(" ", parts);
    }
}
