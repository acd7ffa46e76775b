package dev.dataplane.forwarder.rules.lang;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses a rules file: one rule per line, {@code [name:] match... => verdict [rewrite...]}, {@code #} comments,
 * and at most one {@code policy accept|drop} line. docs/rules.md has the reference. The lexer ({@link Tokens}) cuts
 * each line into words, {@link RuleBuilder} is the grammar of a rule, {@link FieldParsers} read its values and
 * {@link Suggestions} offer the word meant. Everything is validated here, before any packet sees the rules; the
 * first problem raises a {@link RulesException} with its line and column.
 */
public final class RulesParser
{
    /** Rules beyond this are refused: the classifier's tables grow with the rule count. */
    public static final int MAX_RULES = 65_536;
    /** Files beyond this are refused before they are read into memory. */
    public static final long MAX_FILE_BYTES = 16L << 20;
    /** A line past this many characters is refused (the longest useful rule, every field given, is under 400). */
    public static final int MAX_LINE_CHARS = 4096;
    /** A word past this many characters is refused (the longest useful, an IPv6 prefix or a flag list, is under 70). */
    public static final int MAX_WORD_CHARS = 128;

    private RulesParser()
    {
    }

    /**
     * Reads and parses a regular file (UTF-8, at most {@value #MAX_FILE_BYTES} bytes: no more is ever read, so a file
     * that grows while it is read, or a device at the path, cannot run the reader out of memory).
     */
    public static RuleSet parse(final Path path) throws RulesException, IOException
    {
        if (Files.exists(path) && !Files.isRegularFile(path))
        {
            throw new IOException(path + " is not a regular file");
        }
        final byte[] bytes;
        try (InputStream in = Files.newInputStream(path))
        {
            bytes = in.readNBytes((int)MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES)
        {
            throw new RulesException(path.toString(), 1, 1, "file of " + Files.size(path) + " bytes exceeds " +
                MAX_FILE_BYTES);
        }
        final String text;
        try
        {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes)).toString();
        }
        catch (final CharacterCodingException ex)
        {
            throw new RulesException(path.toString(), 1, 1, "not UTF-8 text");
        }
        return parse(text, path.toString());
    }

    public static RuleSet parse(final String text, final String source) throws RulesException
    {
        final List<Rule> rules = new ArrayList<>();
        Boolean defaultAccept = null;
        final String[] lines = text.split("\r?\n", -1);
        for (int l = 0; l < lines.length; l++)
        {
            final Tokens tokens = Tokens.of(lines[l], source, l + 1);
            if (tokens.isEmpty())
            {
                continue;
            }
            if (tokens.peek().text().equals("policy"))
            {
                final Token keyword = tokens.next();
                if (null != defaultAccept)
                {
                    throw keyword.error("policy given twice");
                }
                final Token value = tokens.expect("accept or drop");
                switch (value.text())
                {
                    case "accept" -> defaultAccept = true;
                    case "drop" -> defaultAccept = false;
                    default -> throw value.error("policy must be accept or drop, not '" + value.text() + "'");
                }
                tokens.expectEnd();
                continue;
            }
            if (rules.size() == MAX_RULES)
            {
                throw tokens.peek().error("more than " + MAX_RULES + " rules");
            }
            rules.add(new RuleBuilder(rules.size(), l + 1).parse(tokens));
        }
        return new RuleSet(source, rules, null == defaultAccept || defaultAccept);
    }
}
