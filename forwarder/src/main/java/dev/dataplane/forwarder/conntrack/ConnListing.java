package dev.dataplane.forwarder.conntrack;

import java.nio.ByteOrder;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;

/**
 * The control socket's view of connection tables, in {@code conntrack -L}'s shape: one line a connection, its
 * protocol, seconds left, TCP state, the original tuple, the reply tuple (translated, for a NAT's connection) and
 * {@code [UNREPLIED]} until it was answered, e.g.
 * <pre>
 *   udp      17 117 src=10.0.8.18 dst=10.0.8.17 sport=5000 dport=8080 src=10.0.1.2 dst=10.0.8.18 sport=8083 dport=5000
 * </pre>
 * filtered, as {@code conntrack -L -p -s -d --sport --dport} filters, on the original tuple. It reads tables their
 * owners are writing: each line is as of some moment during the listing, a connection that comes or goes meanwhile
 * may be missed, never a line made of two connections' halves that fails the filter's checks (a line is read twice
 * and kept only when both reads agree).
 *
 * @param protocol    the protocol to list, or -1.
 * @param source      the original source address (as {@code Ipv4Header} reads it), or null for any.
 * @param destination the original destination, or null.
 * @param sourcePort  the original source port, or -1.
 * @param destinationPort the original destination port, or -1.
 */
public record ConnListing(int protocol, Integer source, Integer destination, int sourcePort, int destinationPort)
{
    private static final boolean BIG_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN;
    public static final ConnListing ALL = new ConnListing(-1, null, null, -1, -1);

    /**
     * Parses a filter: words {@code proto tcp|udp|icmp}, {@code src A}, {@code dst A}, {@code sport N},
     * {@code dport N}, each at most once.
     *
     * @throws IllegalArgumentException naming the word it cannot use.
     */
    public static ConnListing parse(final List<String> words)
    {
        int protocol = -1;
        Integer source = null;
        Integer destination = null;
        int sourcePort = -1;
        int destinationPort = -1;
        for (int i = 0; i < words.size(); i += 2)
        {
            final String word = words.get(i);
            if (i + 1 == words.size())
            {
                throw new IllegalArgumentException(word + " needs a value");
            }
            final String value = words.get(i + 1);
            switch (word)
            {
                case "proto" -> protocol = switch (value)
                {
                    case "tcp" -> IpProtocol.TCP;
                    case "udp" -> IpProtocol.UDP;
                    case "icmp" -> IpProtocol.ICMP;
                    default -> throw new IllegalArgumentException("proto is tcp, udp or icmp: " + value);
                };
                case "src" -> source = address(value);
                case "dst" -> destination = address(value);
                case "sport" -> sourcePort = port(value);
                case "dport" -> destinationPort = port(value);
                default -> throw new IllegalArgumentException("unknown filter '" + word +
                    "' (proto, src, dst, sport, dport)");
            }
        }
        return new ConnListing(protocol, source, destination, sourcePort, destinationPort);
    }

    /**
     * Gives {@code out} a line for each connection of {@code tracker}'s table this filter takes.
     *
     * @return the connections listed.
     */
    public int list(final ConnTracker tracker, final long nowMillis, final Consumer<String> out)
    {
        final ConnTable table = tracker.table();
        int listed = 0;
        for (int entry = 0; entry < table.capacity(); entry++)
        {
            if (!table.isLive(entry))
            {
                continue;
            }
            final String line = line(table, entry, nowMillis);
            if (null != line && line.equals(line(table, entry, nowMillis)))
            {
                out.accept(line);
                listed++;
            }
        }
        return listed;
    }

    /** The line of {@code entry}, or null when it is not live or this filter does not take it. */
    private String line(final ConnTable table, final int entry, final long nowMillis)
    {
        final long expires = table.expiresAt(entry);
        final long o0 = table.key(entry, false, 0);
        final long o1 = table.key(entry, false, 1);
        final long r0 = table.key(entry, true, 0);
        final long r1 = table.key(entry, true, 1);
        final int word = table.state(entry);
        final int proto = (int)(o1 & 0xFF);
        if (!table.isLive(entry) || expires <= nowMillis || (protocol >= 0 && protocol != proto) ||
            (null != source && source != address(o0, true)) ||
            (null != destination && destination != address(o0, false)) ||
            (IpProtocol.ICMP != proto && sourcePort >= 0 && sourcePort != (int)(o1 >>> 48)) ||
            (IpProtocol.ICMP != proto && destinationPort >= 0 && destinationPort != ((int)(o1 >>> 32) & 0xFFFF)))
        {
            return null;
        }
        final StringBuilder sb = new StringBuilder(160);
        final String name = IpProtocol.TCP == proto ? "tcp" : IpProtocol.UDP == proto ? "udp" : "icmp";
        sb.append(String.format(Locale.ROOT, "%-8s %d %d ", name, proto, (expires - nowMillis + 999) / 1000));
        if (IpProtocol.TCP == proto)
        {
            sb.append(ConnTracker.tcpStateOf(word).name()).append(' ');
        }
        tuple(sb, proto, o0, o1);
        sb.append(' ');
        tuple(sb, proto, r0, r1);
        if (!ConnTracker.replied(word))
        {
            sb.append(" [UNREPLIED]");
        }
        return sb.toString();
    }

    private static void tuple(final StringBuilder sb, final int proto, final long k0, final long k1)
    {
        sb.append("src=").append(Ipv4Header.toString(address(k0, true))).append(" dst=")
            .append(Ipv4Header.toString(address(k0, false)));
        if (IpProtocol.ICMP == proto)
        {
            sb.append(" id=").append(Math.max((int)(k1 >>> 48), (int)(k1 >>> 32) & 0xFFFF));
        }
        else
        {
            sb.append(" sport=").append((int)(k1 >>> 48)).append(" dport=").append((int)(k1 >>> 32) & 0xFFFF);
        }
    }

    /** A key's source ({@code source}) or destination address, as {@code Ipv4Header} reads it. */
    private static int address(final long k0, final boolean source)
    {
        final int raw = source ? (int)(k0 >>> 32) : (int)k0;
        return BIG_ENDIAN ? raw : Integer.reverseBytes(raw);
    }

    private static int address(final String text)
    {
        return Ipv4Header.parseAddress(text);
    }

    private static int port(final String text)
    {
        final int port;
        try
        {
            port = Integer.parseInt(text);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("a port is a number in 0..65535: " + text);
        }
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("a port is a number in 0..65535: " + text);
        }
        return port;
    }
}
