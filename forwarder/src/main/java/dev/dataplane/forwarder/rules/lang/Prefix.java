package dev.dataplane.forwarder.rules.lang;

import dev.dataplane.net.AsciiNumbers;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.Ipv6Address;

/**
 * An IPv4 or IPv6 prefix. IPv4 keeps its address in the low 32 bits of {@code low}; IPv6 uses both halves.
 */
public record Prefix(int version, long high, long low, int length)
{
    public Prefix
    {
        if (version != 4 && version != 6)
        {
            throw new IllegalArgumentException("IP version must be 4 or 6: " + version);
        }
        if (length < 0 || length > (version == 4 ? 32 : 128))
        {
            throw new IllegalArgumentException("prefix length out of range for IPv" + version + ": " + length);
        }
    }

    /** Parses {@code 10.0.0.0/8}, {@code 10.0.8.17} (a host), {@code 2001:db8::/32}. */
    public static Prefix parse(final String text)
    {
        final int slash = text.indexOf('/');
        final String address = slash < 0 ? text : text.substring(0, slash);
        final boolean v6 = address.contains(":");
        int length = v6 ? 128 : 32;
        if (slash >= 0)
        {
            length = AsciiNumbers.decimal(text.substring(slash + 1), 3);
            if (length < 0)
            {
                throw new IllegalArgumentException("bad prefix length in " + text);
            }
        }
        if (v6)
        {
            final long[] a = Ipv6Address.parse(address);
            final Prefix p = new Prefix(6, a[0], a[1], length);
            if (p.high != p.maskedHigh() || p.low != p.maskedLow())
            {
                throw new IllegalArgumentException("host bits set in " + text + " (did you mean " + p.network() + "?)");
            }
            return p;
        }
        final Prefix p = new Prefix(4, 0, Ipv4Header.parseAddress(address) & 0xFFFFFFFFL, length);
        if (p.low != p.maskedLow())
        {
            throw new IllegalArgumentException("host bits set in " + text + " (did you mean " + p.network() + "?)");
        }
        return p;
    }

    /** The first address (IPv4: as an unsigned value in a long). */
    long maskedHigh()
    {
        return version == 4 ? 0 : high & mask64(length);
    }

    long maskedLow()
    {
        return version == 4 ? low & (mask64(length + 32) & 0xFFFFFFFFL) : low & mask64(length - 64);
    }

    /** The prefix with host bits cleared, as text. */
    public Prefix network()
    {
        return new Prefix(version, maskedHigh(), maskedLow(), length);
    }

    public boolean containsIpv4(final int address)
    {
        return version == 4 && ((address & 0xFFFFFFFFL) & (mask64(length + 32) & 0xFFFFFFFFL)) == low;
    }

    public boolean containsIpv6(final long addressHigh, final long addressLow)
    {
        return version == 6 && (addressHigh & mask64(length)) == high && (addressLow & mask64(length - 64)) == low;
    }

    /** The last address of an IPv4 prefix, as an unsigned value. */
    public long lastIpv4()
    {
        return low | (~mask64(length + 32) & 0xFFFFFFFFL);
    }

    /** A mask of the top {@code bits} bits of a long (0 for bits <= 0, all for bits >= 64). */
    public static long mask64(final int bits)
    {
        return bits <= 0 ? 0 : bits >= 64 ? -1L : -1L << (64 - bits);
    }

    @Override
    public String toString()
    {
        return (version == 4 ? Ipv4Header.toString((int)low) : Ipv6Address.toString(high, low)) + "/" + length;
    }
}
