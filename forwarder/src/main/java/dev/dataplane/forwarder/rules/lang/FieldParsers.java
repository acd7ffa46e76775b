package dev.dataplane.forwarder.rules.lang;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.net.AsciiNumbers;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.TcpHeader;

/** The parsers of a rule's field values: numbers, ranges, EtherTypes, protocols, TCP flags. */
final class FieldParsers
{
    /** The connection states {@code ct-state} names, as the tracker codes them. */
    static final Map<String, Integer> CONN_STATES = connStateNames();

    private FieldParsers()
    {
    }

    static int integer(final Token token, final int min, final int max, final String what)
        throws RulesException
    {
        final int value = parseNumber(token, what);
        if (value < min || value > max)
        {
            throw token.error(what + " must be in " + min + ".." + max + ": " + token.text());
        }
        return value;
    }

    /** ASCII digits, decimal or 0x-hex, without sign; at most 9 decimal or 7 hex digits. */
    static int parseNumber(final Token token, final String what) throws RulesException
    {
        final String t = token.text();
        final int value = t.startsWith("0x") || t.startsWith("0X") ? AsciiNumbers.hex(t.substring(2), 7) :
            AsciiNumbers.decimal(t, 9);
        if (value < 0)
        {
            throw token.error(what + " wants a number of ASCII digits (decimal, or hex after 0x), not '" +
                token.text() + "'");
        }
        return value;
    }

    static int[] range(final Token token, final int min, final int max, final String what)
        throws RulesException
    {
        final int dash = token.text().indexOf('-', 1);
        if (dash < 0)
        {
            final int value = integer(token, min, max, what);
            return new int[] {value, value};
        }
        final Token lowToken = new Token(token.text().substring(0, dash), token.source(), token.line(), token.column());
        final Token highToken = new Token(token.text().substring(dash + 1), token.source(), token.line(),
            token.column() + dash + 1);
        final int low = integer(lowToken, min, max, what);
        final int high = integer(highToken, min, max, what);
        if (low > high)
        {
            throw token.error(what + " range is empty: " + token.text());
        }
        return new int[] {low, high};
    }

    static int etherType(final Token token) throws RulesException
    {
        return switch (token.text().toLowerCase(Locale.ROOT))
        {
            case "ipv4" -> EthernetHeader.TYPE_IPV4;
            case "ipv6" -> EthernetHeader.TYPE_IPV6;
            case "arp" -> EthernetHeader.TYPE_ARP;
            default ->
            {
                final int value = integer(token, 0, 0xFFFF, "ether-type");
                if (value == EthernetHeader.TYPE_VLAN || value == EthernetHeader.TYPE_QINQ)
                {
                    throw token.error("ether-type matches the type after VLAN tags; use vlan to match the tag");
                }
                yield value;
            }
        };
    }

    static int protocol(final Token token) throws RulesException
    {
        return switch (token.text().toLowerCase(Locale.ROOT))
        {
            case "tcp" -> IpProtocol.TCP;
            case "udp" -> IpProtocol.UDP;
            case "icmp" -> IpProtocol.ICMP;
            case "icmpv6" -> IpProtocol.ICMPV6;
            default -> integer(token, 0, 255, "proto");
        };
    }

    static int flags(final Token token, final String list) throws RulesException
    {
        int flags = 0;
        if (list.equals("none"))
        {
            return 0;
        }
        for (final String flag : list.split(",", -1))
        {
            final int bit = TcpHeader.flag(flag);
            if (0 == bit)
            {
                throw token.error("unknown TCP flag '" + flag + "' (" + String.join(", ", TcpHeader.FLAG_NAMES) +
                    ", or none)");
            }
            flags |= bit;
        }
        return flags;
    }

    private static Map<String, Integer> connStateNames()
    {
        final Map<String, Integer> names = new LinkedHashMap<>();
        names.put("new", ConnTracker.NEW);
        names.put("established", ConnTracker.ESTABLISHED);
        names.put("related", ConnTracker.RELATED);
        names.put("invalid", ConnTracker.INVALID);
        names.put("untracked", ConnTracker.UNTRACKED);
        return Collections.unmodifiableMap(names);
    }

    /**
     * A comma-separated list of connection states ({@link #CONN_STATES}'s names) as a {@link Rule#connStates} mask.
     */
    static int connStates(final Token token) throws RulesException
    {
        int mask = 0;
        for (final String name : token.text().split(",", -1))
        {
            final Integer state = CONN_STATES.get(name);
            if (null == state)
            {
                throw token.error(Suggestions.unknown("connection state", name, List.copyOf(CONN_STATES.keySet()),
                    null));
            }
            mask |= 1 << state;
        }
        return mask;
    }
}
