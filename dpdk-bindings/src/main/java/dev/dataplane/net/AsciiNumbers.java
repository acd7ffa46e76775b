package dev.dataplane.net;

/**
 * Strict parsing of the numbers in addresses, ports and rule files: ASCII digits only, no sign, no spaces, a bounded
 * number of digits. ({@code Integer.parseInt} takes a leading {@code +} or {@code -} and any Unicode digit, so
 * {@code ٣} read as 3 and {@code -1::} as ffff::.)
 */
public final class AsciiNumbers
{
    private AsciiNumbers()
    {
    }

    /**
     * The decimal number {@code text} spells with 1 to {@code maxDigits} ASCII digits (at most 9), or -1 for any
     * other text.
     */
    public static int decimal(final String text, final int maxDigits)
    {
        return parse(text, 10, Math.min(maxDigits, 9));
    }

    /** The hexadecimal number {@code text} spells with 1 to {@code maxDigits} ASCII hex digits (at most 7), or -1. */
    public static int hex(final String text, final int maxDigits)
    {
        return parse(text, 16, Math.min(maxDigits, 7));
    }

    private static int parse(final String text, final int radix, final int maxDigits)
    {
        final int length = text.length();
        if (0 == length || length > maxDigits)
        {
            return -1;
        }
        int value = 0;
        for (int i = 0; i < length; i++)
        {
            final int digit = digit(text.charAt(i), radix);
            if (digit < 0)
            {
                return -1;
            }
            value = value * radix + digit;
        }
        return value;
    }

    private static int digit(final char c, final int radix)
    {
        if (c >= '0' && c <= '9')
        {
            return c - '0';
        }
        if (16 == radix && c >= 'a' && c <= 'f')
        {
            return c - 'a' + 10;
        }
        if (16 == radix && c >= 'A' && c <= 'F')
        {
            return c - 'A' + 10;
        }
        return -1;
    }
}
