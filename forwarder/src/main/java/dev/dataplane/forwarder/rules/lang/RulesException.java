package dev.dataplane.forwarder.rules.lang;

/** A rules file that cannot be used, with the place and the reason: {@code file:line:column: reason}. */
public final class RulesException extends Exception
{
    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;
    private final String reason;

    public RulesException(final String source, final int line, final int column, final String reason)
    {
        super(source + ":" + line + ":" + column + ": " + reason);
        this.source = source;
        this.line = line;
        this.column = column;
        this.reason = reason;
    }

    public String source()
    {
        return source;
    }

    public int line()
    {
        return line;
    }

    public int column()
    {
        return column;
    }

    public String reason()
    {
        return reason;
    }
}
