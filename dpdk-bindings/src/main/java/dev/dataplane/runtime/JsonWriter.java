package dev.dataplane.runtime;

import java.util.Locale;

/**
 * Writes one JSON value (an object per statistics line) into a string, as RFC 8259 has it: strings escaped, numbers
 * that are not finite written as null, commas placed by the writer. The one JSON writer of both programs.
 * <pre>
 *   new JsonWriter().beginObject().field("type", "stats").field("elapsed_s", 1.5, 3)
 *       .name("ports").beginArray().beginObject().field("port", 0).endObject().endArray().endObject().toString()
 * </pre>
 */
public final class JsonWriter
{
    private static final int MAX_DEPTH = 64;

    private final StringBuilder out = new StringBuilder(256);
    /** Per open object or array: whether a member has been written (a comma goes before the next). */
    private final boolean[] hasMember = new boolean[MAX_DEPTH];
    private int depth;
    /** A name was just written: its value follows without a comma. */
    private boolean afterName;

    public JsonWriter beginObject()
    {
        return open('{');
    }

    public JsonWriter endObject()
    {
        return close('}');
    }

    public JsonWriter beginArray()
    {
        return open('[');
    }

    public JsonWriter endArray()
    {
        return close(']');
    }

    /** A member's name, in an object: its value comes next. */
    public JsonWriter name(final String name)
    {
        separate();
        quote(name);
        out.append(':');
        afterName = true;
        return this;
    }

    /** A string, or null. */
    public JsonWriter value(final String value)
    {
        separate();
        if (null == value)
        {
            out.append("null");
        }
        else
        {
            quote(value);
        }
        return this;
    }

    public JsonWriter value(final long value)
    {
        separate();
        out.append(value);
        return this;
    }

    public JsonWriter value(final boolean value)
    {
        separate();
        out.append(value);
        return this;
    }

    /** A number with {@code decimals} digits after the point; null when not finite. */
    public JsonWriter value(final double value, final int decimals)
    {
        separate();
        if (Double.isFinite(value))
        {
            out.append(String.format(Locale.ROOT, "%." + decimals + "f", value));
        }
        else
        {
            out.append("null");
        }
        return this;
    }

    /** A complete value another writer wrote (a part built apart, as a table's rows are printed). */
    public JsonWriter value(final JsonWriter complete)
    {
        if (0 != complete.depth || complete.afterName || complete.out.isEmpty())
        {
            throw new IllegalStateException("not a complete JSON value: " + complete.out);
        }
        separate();
        out.append(complete.out);
        return this;
    }

    public JsonWriter nullValue()
    {
        separate();
        out.append("null");
        return this;
    }

    public JsonWriter field(final String name, final String value)
    {
        return name(name).value(value);
    }

    public JsonWriter field(final String name, final long value)
    {
        return name(name).value(value);
    }

    public JsonWriter field(final String name, final boolean value)
    {
        return name(name).value(value);
    }

    public JsonWriter field(final String name, final double value, final int decimals)
    {
        return name(name).value(value, decimals);
    }

    /** The JSON written so far. */
    @Override
    public String toString()
    {
        return out.toString();
    }

    private JsonWriter open(final char bracket)
    {
        separate();
        if (depth == MAX_DEPTH)
        {
            throw new IllegalStateException("JSON nested deeper than " + MAX_DEPTH);
        }
        out.append(bracket);
        hasMember[depth++] = false;
        return this;
    }

    private JsonWriter close(final char bracket)
    {
        if (0 == depth || afterName)
        {
            throw new IllegalStateException("'" + bracket + "' closes nothing open, or follows a name: " + out);
        }
        depth--;
        out.append(bracket);
        return this;
    }

    private void separate()
    {
        if (afterName)
        {
            afterName = false;
            return;
        }
        if (depth > 0)
        {
            if (hasMember[depth - 1])
            {
                out.append(',');
            }
            hasMember[depth - 1] = true;
        }
    }

    private void quote(final String text)
    {
        out.append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
