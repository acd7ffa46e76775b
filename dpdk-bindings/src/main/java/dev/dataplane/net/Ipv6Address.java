package dev.dataplane.net;

/**
 * IPv6 addresses as two longs (high and low 64 bits). Parsing is strict and local: {@code java.net.InetAddress}
 * would try a DNS lookup for anything that is not a literal.
 */
public final class Ipv6Address
{
    private Ipv6Address()
    {
    }

    /** Parses RFC 4291 text ({@code 2001:db8::1}, {@code ::ffff:10.0.0.1}) into {high, low}. */
    public static long[] parse(final String text)
    {
        final String s = text.trim();
        if (s.isEmpty() || s.length() > 45)
        {
            throw new IllegalArgumentException("not an IPv6 address: " + text);
        }
        final int[] groups = new int[8];
        final int doubleColon = s.indexOf("::");
        if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0)
        {
            throw new IllegalArgumentException("not an IPv6 address (two '::'): " + text);
        }
        final String head = doubleColon >= 0 ? s.substring(0, doubleColon) : s;
        final String tail = doubleColon >= 0 ? s.substring(doubleColon + 2) : "";
        // An embedded IPv4 address can only end the address (RFC 4291 2.2, form 3): not before a '::'.
        final int[] headGroups = groups(head, text, doubleColon < 0);
        final int[] tailGroups = groups(tail, text, true);
        final int total = headGroups.length + tailGroups.length;
        if ((doubleColon < 0 && total != 8) || (doubleColon >= 0 && total > 7))
        {
            throw new IllegalArgumentException("not an IPv6 address (wrong number of groups): " + text);
        }
        System.arraycopy(headGroups, 0, groups, 0, headGroups.length);
        System.arraycopy(tailGroups, 0, groups, 8 - tailGroups.length, tailGroups.length);
        long high = 0;
        long low = 0;
        for (int i = 0; i < 4; i++)
        {
            high = (high << 16) | groups[i];
            low = (low << 16) | groups[i + 4];
        }
        return new long[] {high, low};
    }

    private static int[] groups(final String part, final String text, final boolean allowIpv4Tail)
    {
        if (part.isEmpty())
        {
            return new int[0];
        }
        final String[] pieces = part.split(":", -1);
        final boolean ipv4Tail = allowIpv4Tail && pieces[pieces.length - 1].contains(".");
        final int[] out = new int[pieces.length + (ipv4Tail ? 1 : 0)];
        for (int i = 0; i < pieces.length; i++)
        {
            final String piece = pieces[i];
            if (ipv4Tail && i == pieces.length - 1)
            {
                final int v4 = Ipv4Header.parseAddress(piece);
                out[i] = v4 >>> 16;
                out[i + 1] = v4 & 0xFFFF;
                break;
            }
            out[i] = AsciiNumbers.hex(piece, 4);
            if (out[i] < 0)
            {
                throw new IllegalArgumentException("not an IPv6 address (bad group '" + piece + "'): " + text);
            }
        }
        return out;
    }

    /** Compressed RFC 5952 text. */
    public static String toString(final long high, final long low)
    {
        final int[] g = new int[8];
        for (int i = 0; i < 4; i++)
        {
            g[i] = (int)(high >>> (48 - 16 * i)) & 0xFFFF;
            g[i + 4] = (int)(low >>> (48 - 16 * i)) & 0xFFFF;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; i++)
        {
            int j = i;
            while (j < 8 && g[j] == 0)
            {
                j++;
            }
            if (j - i > bestLength)
            {
                bestStart = i;
                bestLength = j - i;
            }
        }
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            if (i == bestStart)
            {
                sb.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != ':')
            {
                sb.append(':');
            }
            sb.append(Integer.toHexString(g[i]));
        }
        return sb.toString();
    }
}
