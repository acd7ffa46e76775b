package dev.dataplane.net;

/** MAC addresses as the low 48 bits of a long, first octet most significant. */
public final class MacAddress
{
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;

    private MacAddress()
    {
    }

    /** Parses {@code aa:bb:cc:dd:ee:ff} (or with dashes). */
    public static long parse(final String text)
    {
        final String[] parts = text.trim().split("[:-]");
        if (parts.length != 6)
        {
            throw new IllegalArgumentException("not a MAC address (want six hex octets like 02:00:00:00:00:01): " +
                text);
        }
        long value = 0;
        for (final String part : parts)
        {
            final int octet = AsciiNumbers.hex(part, 2);
            if (octet < 0)
            {
                throw new IllegalArgumentException("not a MAC address (bad octet '" + part + "'): " + text);
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    public static String toString(final long mac)
    {
        final StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            final int octet = (int)(mac >>> shift) & 0xFF;
            sb.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
            if (shift > 0)
            {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    public static boolean isMulticast(final long mac)
    {
        return 0 != ((mac >>> 40) & 1);
    }
}
