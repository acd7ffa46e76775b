package dev.dataplane.forwarder.rules.lang;

/** A word of a line with its 1-based column. */
record Token(String text, String source, int line, int column)
{
    RulesException error(final String reason)
    {
        return new RulesException(source, line, column, reason);
    }
}
