package dev.dataplane.forwarder.rules.lang;

import java.util.ArrayList;
import java.util.List;

/** The lexer: one line's words, each with its column ({@code #} starts a comment), and a cursor over them. */
final class Tokens
{
    private final List<Token> tokens;
    private final String source;
    private final int line;
    private final int endColumn;
    private int position;

    private Tokens(final List<Token> tokens, final String source, final int line, final int endColumn)
    {
        this.tokens = tokens;
        this.source = source;
        this.line = line;
        this.endColumn = endColumn;
    }

    static Tokens of(final String rawLine, final String source, final int line) throws RulesException
    {
        if (rawLine.length() > RulesParser.MAX_LINE_CHARS)
        {
            throw new RulesException(source, line, RulesParser.MAX_LINE_CHARS + 1, "line of " + rawLine.length() +
                " characters; a line is at most " + RulesParser.MAX_LINE_CHARS);
        }
        final int hash = rawLine.indexOf('#');
        final String text = hash < 0 ? rawLine : rawLine.substring(0, hash);
        final List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length())
        {
            while (i < text.length() && Character.isWhitespace(text.charAt(i)))
            {
                i++;
            }
            final int start = i;
            while (i < text.length() && !Character.isWhitespace(text.charAt(i)))
            {
                i++;
            }
            if (i - start > RulesParser.MAX_WORD_CHARS)
            {
                throw new RulesException(source, line, start + 1, "word of " + (i - start) +
                    " characters; a word is at most " + RulesParser.MAX_WORD_CHARS);
            }
            if (i > start)
            {
                tokens.add(new Token(text.substring(start, i), source, line, start + 1));
            }
        }
        return new Tokens(tokens, source, line, text.stripTrailing().length() + 1);
    }

    boolean isEmpty()
    {
        return tokens.isEmpty();
    }

    boolean hasNext()
    {
        return position < tokens.size();
    }

    Token peek()
    {
        return tokens.get(position);
    }

    Token next()
    {
        return tokens.get(position++);
    }

    Token expect(final String what) throws RulesException
    {
        if (!hasNext())
        {
            throw new RulesException(source, line, endColumn, "expected " + what + " at the end of the line");
        }
        return next();
    }

    void expectEnd() throws RulesException
    {
        if (hasNext())
        {
            throw peek().error("unexpected '" + peek().text() + "' at the end of the line");
        }
    }

    RulesException errorAtEnd(final String reason)
    {
        return new RulesException(source, line, endColumn, reason);
    }
}
