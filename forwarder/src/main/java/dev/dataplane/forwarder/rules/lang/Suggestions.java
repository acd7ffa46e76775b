package dev.dataplane.forwarder.rules.lang;

import java.util.List;

/** "Did you mean" for an unknown word: the known word nearest by edit distance, when near enough. */
final class Suggestions
{
    private Suggestions()
    {
    }

    static String unknown(final String what, final String word, final List<String> known, final String hint)
    {
        String best = null;
        int bestDistance = 3;
        for (final String candidate : known)
        {
            if (Math.abs(word.length() - candidate.length()) >= bestDistance)
            {
                continue; // too far apart to suggest, and the distance would cost their lengths' product
            }
            final int distance = distance(word, candidate);
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }
        return "unknown " + what + " '" + word + "'" + (null != best ? " (did you mean " + best + "?)" :
            " (one of: " + String.join(", ", known) + (null != hint ? "; or " + hint : "") + ")");
    }

    /** Edit distance counting a swap of two neighbours as one edit (optimal string alignment), for suggestions. */
    static int distance(final String a, final String b)
    {
        final int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++)
        {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++)
        {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++)
        {
            for (int j = 1; j <= b.length(); j++)
            {
                final int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1))
                {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
