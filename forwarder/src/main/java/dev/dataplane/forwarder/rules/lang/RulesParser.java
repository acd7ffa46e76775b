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
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.dataplane.net.AsciiNumbers;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.MacAddress;
import dev.dataplane.net.TcpHeader;

/**
 * Parses a rules file: one rule per line, {@code [name:] match... => verdict [rewrite...]}, {@code #} comments,
 * and at most one {@code policy accept|drop} line. The README has the reference. Everything is validated here,
 * before any packet sees the rules; the first problem raises a {@link RulesException} with its line and column.
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
    private static final int MAX_PORT_ID = 31;

    private static final List<String> MATCHES = List.of("in-port", "ether-type", "vlan", "untagged", "ip4", "ip6",
        "src", "dst", "proto", "sport", "dport", "tcp-flags", "length", "malformed",
        "fragment");
    private static final List<String> VERDICTS = List.of("accept", "drop", "tx", "redirect", "count");
    private static final List<String> REWRITES = List.of("set-src", "set-dst", "set-sport", "set-dport", "dec-ttl",
        "set-dscp", "set-src-mac", "set-dst-mac");

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
            if (tokens.peek().text.equals("policy"))
            {
                final Token keyword = tokens.next();
                if (null != defaultAccept)
                {
                    throw keyword.error("policy given twice");
                }
                final Token value = tokens.expect("accept or drop");
                switch (value.text)
                {
                    case "accept" -> defaultAccept = true;
                    case "drop" -> defaultAccept = false;
                    default -> throw value.error("policy must be accept or drop, not '" + value.text + "'");
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

    /** A word of a line with its 1-based column. */
    private record Token(String text, String source, int line, int column)
    {
        RulesException error(final String reason)
        {
            return new RulesException(source, line, column, reason);
        }
    }

    private static final class Tokens
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
            if (rawLine.length() > MAX_LINE_CHARS)
            {
                throw new RulesException(source, line, MAX_LINE_CHARS + 1, "line of " + rawLine.length() +
                    " characters; a line is at most " + MAX_LINE_CHARS);
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
                if (i - start > MAX_WORD_CHARS)
                {
                    throw new RulesException(source, line, start + 1, "word of " + (i - start) +
                        " characters; a word is at most " + MAX_WORD_CHARS);
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
                throw peek().error("unexpected '" + peek().text + "' at the end of the line");
            }
        }

        RulesException errorAtEnd(final String reason)
        {
            return new RulesException(source, line, endColumn, reason);
        }
    }

    /** Collects one line's fields, refusing repeats and contradictions. */
    private static final class RuleBuilder
    {
        private final int index;
        private final int line;
        private final Set<String> seen = new HashSet<>();
        private String name;
        private int inPort = Rule.ANY;
        private int etherType = Rule.ANY;
        private int vlanLow = Rule.ANY;
        private int vlanHigh = Rule.ANY;
        private int ipVersion = Rule.ANY;
        private Token ipVersionToken;
        private Prefix source;
        private Prefix destination;
        private int protocol = Rule.ANY;
        private int sportLow = Rule.ANY;
        private int sportHigh = Rule.ANY;
        private int dportLow = Rule.ANY;
        private int dportHigh = Rule.ANY;
        private Token portToken;
        private int tcpFlags;
        private int tcpFlagsMask;
        private Token tcpFlagsToken;
        private int lengthLow = Rule.ANY;
        private int lengthHigh = Rule.ANY;
        private boolean malformed;
        private Token malformedToken;
        private Token fragmentToken;
        private Verdict verdict;
        private Token verdictToken;
        private int redirectPort = Rule.ANY;
        private final List<Rewrite> rewrites = new ArrayList<>();
        private final EnumSet<Rewrite.Kind> rewriteKinds = EnumSet.noneOf(Rewrite.Kind.class);

        RuleBuilder(final int index, final int line)
        {
            this.index = index;
            this.line = line;
        }

        Rule parse(final Tokens tokens) throws RulesException
        {
            final Token first = tokens.peek();
            if (first.text.endsWith(":") && first.text.length() > 1)
            {
                tokens.next();
                name = first.text.substring(0, first.text.length() - 1);
                if (!name.matches("[A-Za-z0-9_.-]{1,64}"))
                {
                    throw first.error("a rule name is 1 to 64 letters, digits, '_', '.' or '-': '" + name + "'");
                }
            }
            while (tokens.hasNext() && !tokens.peek().text.equals("=>"))
            {
                match(tokens.next(), tokens);
            }
            if (!tokens.hasNext())
            {
                throw tokens.errorAtEnd("expected '=>' and a verdict (" + String.join(", ", VERDICTS) + ")");
            }
            tokens.next();
            verdictToken = tokens.expect("a verdict (" + String.join(", ", VERDICTS) + ")");
            verdict(verdictToken, tokens);
            while (tokens.hasNext())
            {
                rewrite(tokens.next(), tokens);
            }
            validate();
            return new Rule(index, name, line, inPort, etherType, vlanLow, vlanHigh, ipVersion, source, destination,
                protocol, sportLow, sportHigh, dportLow, dportHigh, tcpFlags, tcpFlagsMask, lengthLow, lengthHigh,
                malformed, null != fragmentToken, verdict, redirectPort, rewrites);
        }

        private void once(final Token keyword, final String field) throws RulesException
        {
            if (!seen.add(field))
            {
                throw keyword.error(field + " given twice in one rule");
            }
        }

        private void match(final Token keyword, final Tokens tokens) throws RulesException
        {
            switch (keyword.text)
            {
                case "in-port" ->
                {
                    once(keyword, "in-port");
                    inPort = integer(tokens.expect("a port id"), 0, MAX_PORT_ID, "in-port");
                }
                case "ether-type" ->
                {
                    once(keyword, "ether-type");
                    final Token value = tokens.expect("an EtherType (0x0800, ipv4, ipv6, arp...)");
                    etherType = etherType(value);
                    if (etherType == EthernetHeader.TYPE_IPV4 || etherType == EthernetHeader.TYPE_IPV6)
                    {
                        version(value, etherType == EthernetHeader.TYPE_IPV4 ? 4 : 6);
                    }
                }
                case "vlan" ->
                {
                    once(keyword, "vlan");
                    final int[] range = range(tokens.expect("a VLAN id or range"), 0, 4095, "vlan");
                    vlanLow = range[0];
                    vlanHigh = range[1];
                }
                case "untagged" ->
                {
                    once(keyword, "vlan");
                    vlanLow = Rule.UNTAGGED;
                    vlanHigh = Rule.UNTAGGED;
                }
                case "ip4", "ip6" ->
                {
                    once(keyword, "ip version");
                    version(keyword, keyword.text.equals("ip4") ? 4 : 6);
                }
                case "src", "dst" ->
                {
                    once(keyword, keyword.text);
                    final Token value = tokens.expect("an address or prefix");
                    final Prefix prefix;
                    try
                    {
                        prefix = Prefix.parse(value.text);
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        throw value.error(ex.getMessage());
                    }
                    version(value, prefix.version());
                    if (keyword.text.equals("src"))
                    {
                        source = prefix;
                    }
                    else
                    {
                        destination = prefix;
                    }
                }
                case "proto" ->
                {
                    once(keyword, "proto");
                    protocol = protocol(tokens.expect("a protocol (tcp, udp, icmp, icmpv6 or a number)"));
                }
                case "sport", "dport" ->
                {
                    once(keyword, keyword.text);
                    final int[] range = range(tokens.expect("a port or range"), 0, 65535, keyword.text);
                    portToken = keyword;
                    if (keyword.text.equals("sport"))
                    {
                        sportLow = range[0];
                        sportHigh = range[1];
                    }
                    else
                    {
                        dportLow = range[0];
                        dportHigh = range[1];
                    }
                }
                case "tcp-flags" ->
                {
                    once(keyword, "tcp-flags");
                    tcpFlagsToken = tokens.expect("TCP flags like syn or syn/syn,ack");
                    tcpFlags(tcpFlagsToken);
                }
                case "length" ->
                {
                    once(keyword, "length");
                    final int[] range = range(tokens.expect("a frame length or range"), 0, 65535, "length");
                    lengthLow = range[0];
                    lengthHigh = range[1];
                }
                case "malformed" ->
                {
                    once(keyword, "malformed");
                    malformed = true;
                    malformedToken = keyword;
                }
                case "fragment" ->
                {
                    once(keyword, "fragment");
                    fragmentToken = keyword;
                }
                default -> throw keyword.error(unknown("match", keyword.text, MATCHES, "'=>' before the verdict"));
            }
        }

        private void verdict(final Token keyword, final Tokens tokens) throws RulesException
        {
            switch (keyword.text)
            {
                case "accept" -> verdict = Verdict.ACCEPT;
                case "drop" -> verdict = Verdict.DROP;
                case "tx" -> verdict = Verdict.TX;
                case "count" -> verdict = Verdict.COUNT;
                case "redirect" ->
                {
                    verdict = Verdict.REDIRECT;
                    redirectPort = integer(tokens.expect("the port id to redirect to"), 0, MAX_PORT_ID, "redirect");
                }
                default -> throw keyword.error(unknown("verdict", keyword.text, VERDICTS, null));
            }
        }

        private void rewrite(final Token keyword, final Tokens tokens) throws RulesException
        {
            final Rewrite.Kind kind = switch (keyword.text)
            {
                case "set-src" -> Rewrite.Kind.SET_SOURCE;
                case "set-dst" -> Rewrite.Kind.SET_DESTINATION;
                case "set-sport" -> Rewrite.Kind.SET_SOURCE_PORT;
                case "set-dport" -> Rewrite.Kind.SET_DESTINATION_PORT;
                case "dec-ttl" -> Rewrite.Kind.DECREMENT_TTL;
                case "set-dscp" -> Rewrite.Kind.SET_DSCP;
                case "set-src-mac" -> Rewrite.Kind.SET_SOURCE_MAC;
                case "set-dst-mac" -> Rewrite.Kind.SET_DESTINATION_MAC;
                default -> throw keyword.error(unknown("rewrite", keyword.text, REWRITES, null));
            };
            if (!rewriteKinds.add(kind))
            {
                throw keyword.error(keyword.text + " given twice in one rule");
            }
            if (verdict == Verdict.DROP || verdict == Verdict.COUNT)
            {
                throw keyword.error("a " + verdict.keyword() + " rule rewrites nothing: rewrites go with accept, tx " +
                    "or redirect");
            }
            switch (kind)
            {
                case SET_SOURCE, SET_DESTINATION ->
                {
                    final Token value = tokens.expect("an address");
                    final Prefix address;
                    try
                    {
                        address = Prefix.parse(value.text);
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        throw value.error(ex.getMessage());
                    }
                    if (address.length() != (address.version() == 4 ? 32 : 128))
                    {
                        throw value.error(keyword.text + " takes an address, not a prefix: " + value.text);
                    }
                    if (ipVersion != address.version())
                    {
                        throw value.error(keyword.text + " " + value.text + " needs the rule to match IPv" +
                            address.version() + " only (add ip" + address.version() + " or an IPv" + address.version() +
                            " src/dst)");
                    }
                    rewrites.add(new Rewrite(kind, address.version() == 4 ? address.low() : address.high(),
                        address.version() == 4 ? 0 : address.low()));
                }
                case SET_SOURCE_PORT, SET_DESTINATION_PORT ->
                {
                    final int port = integer(tokens.expect("a port"), 0, 65535, keyword.text);
                    if (protocol != IpProtocol.TCP && protocol != IpProtocol.UDP)
                    {
                        throw keyword.error(keyword.text + " needs the rule to match proto tcp or proto udp");
                    }
                    rewrites.add(new Rewrite(kind, port, 0));
                }
                case DECREMENT_TTL ->
                {
                    requireIp(keyword);
                    rewrites.add(new Rewrite(kind, 0, 0));
                }
                case SET_DSCP ->
                {
                    final int dscp = integer(tokens.expect("a DSCP value 0..63"), 0, 63, "set-dscp");
                    requireIp(keyword);
                    rewrites.add(new Rewrite(kind, dscp, 0));
                }
                case SET_SOURCE_MAC, SET_DESTINATION_MAC ->
                {
                    final Token value = tokens.expect("a MAC address");
                    try
                    {
                        rewrites.add(new Rewrite(kind, MacAddress.parse(value.text), 0));
                    }
                    catch (final IllegalArgumentException ex)
                    {
                        throw value.error(ex.getMessage());
                    }
                }
                default -> throw new IllegalStateException(kind.toString());
            }
        }

        private void requireIp(final Token keyword) throws RulesException
        {
            if (ipVersion == Rule.ANY)
            {
                throw keyword.error(keyword.text + " needs the rule to match IP (add ip4, ip6 or a src/dst)");
            }
        }

        private void version(final Token at, final int version) throws RulesException
        {
            if (ipVersion != Rule.ANY && ipVersion != version)
            {
                throw at.error("the rule already matches IPv" + ipVersion + ", not IPv" + version);
            }
            ipVersion = version;
            ipVersionToken = at;
        }

        private void validate() throws RulesException
        {
            if (malformed && (etherType != Rule.ANY || vlanLow != Rule.ANY || ipVersion != Rule.ANY ||
                protocol != Rule.ANY || sportLow != Rule.ANY || dportLow != Rule.ANY || tcpFlagsMask != 0 ||
                null != fragmentToken))
            {
                throw malformedToken.error("malformed frames have no trustworthy headers: combine malformed " +
                    "only with " +
                    "in-port and length");
            }
            if (null != fragmentToken && (sportLow != Rule.ANY || dportLow != Rule.ANY || tcpFlagsMask != 0))
            {
                throw fragmentToken.error("a fragment's ports and TCP flags are never matched (only the first " +
                    "fragment has them, and every fragment of a datagram must meet the same rule)");
            }
            if (malformed && !rewrites.isEmpty())
            {
                throw malformedToken.error("malformed frames cannot be rewritten");
            }
            if (etherType != Rule.ANY && ipVersion != Rule.ANY &&
                etherType != (ipVersion == 4 ? EthernetHeader.TYPE_IPV4 : EthernetHeader.TYPE_IPV6))
            {
                throw ipVersionToken.error(String.format(Locale.ROOT, "ether-type 0x%04x cannot carry IPv%d", etherType,
                    ipVersion));
            }
            if (null != tcpFlagsToken)
            {
                if (protocol != Rule.ANY && protocol != IpProtocol.TCP)
                {
                    throw tcpFlagsToken.error("tcp-flags needs proto tcp, not proto " + protocol);
                }
                protocol = IpProtocol.TCP;
            }
            if (null != portToken && protocol != Rule.ANY && protocol != IpProtocol.TCP && protocol != IpProtocol.UDP)
            {
                throw portToken.error(portToken.text + " needs proto tcp or udp, not proto " + protocol);
            }
        }

        private static int integer(final Token token, final int min, final int max, final String what)
            throws RulesException
        {
            final int value = parseNumber(token, what);
            if (value < min || value > max)
            {
                throw token.error(what + " must be in " + min + ".." + max + ": " + token.text);
            }
            return value;
        }

        /** ASCII digits, decimal or 0x-hex, without sign; at most 9 decimal or 7 hex digits. */
        private static int parseNumber(final Token token, final String what) throws RulesException
        {
            final String t = token.text;
            final int value = t.startsWith("0x") || t.startsWith("0X") ? AsciiNumbers.hex(t.substring(2), 7) :
                AsciiNumbers.decimal(t, 9);
            if (value < 0)
            {
                throw token.error(what + " wants a number of ASCII digits (decimal, or hex after 0x), not '" +
                    token.text + "'");
            }
            return value;
        }

        private static int[] range(final Token token, final int min, final int max, final String what)
            throws RulesException
        {
            final int dash = token.text.indexOf('-', 1);
            if (dash < 0)
            {
                final int value = integer(token, min, max, what);
                return new int[] {value, value};
            }
            final Token lowToken = new Token(token.text.substring(0, dash), token.source, token.line, token.column);
            final Token highToken = new Token(token.text.substring(dash + 1), token.source, token.line,
                token.column + dash + 1);
            final int low = integer(lowToken, min, max, what);
            final int high = integer(highToken, min, max, what);
            if (low > high)
            {
                throw token.error(what + " range is empty: " + token.text);
            }
            return new int[] {low, high};
        }

        private static int etherType(final Token token) throws RulesException
        {
            return switch (token.text.toLowerCase(Locale.ROOT))
            {
                case "ipv4" -> EthernetHeader.TYPE_IPV4;
                case "ipv6" -> EthernetHeader.TYPE_IPV6;
                case "arp" -> EthernetHeader.TYPE_ARP;
                default ->
                {
                    final int value = integer(token, 0, 0xFFFF, "ether-type");
                    if (value == EthernetHeader.TYPE_VLAN || value == EthernetHeader.TYPE_QINQ)
                    {
                        throw token.error("ether-type matches the type after VLAN tags; use vlan to match the tag");
                    }
                    yield value;
                }
            };
        }

        private static int protocol(final Token token) throws RulesException
        {
            return switch (token.text.toLowerCase(Locale.ROOT))
            {
                case "tcp" -> IpProtocol.TCP;
                case "udp" -> IpProtocol.UDP;
                case "icmp" -> IpProtocol.ICMP;
                case "icmpv6" -> IpProtocol.ICMPV6;
                default -> integer(token, 0, 255, "proto");
            };
        }

        private void tcpFlags(final Token token) throws RulesException
        {
            final int slash = token.text.indexOf('/');
            final String valuePart = slash < 0 ? token.text : token.text.substring(0, slash);
            tcpFlags = flags(token, valuePart);
            tcpFlagsMask = slash < 0 ? tcpFlags : flags(token, token.text.substring(slash + 1));
            if (0 == tcpFlagsMask || (tcpFlags & ~tcpFlagsMask) != 0)
            {
                throw token.error("tcp-flags FLAGS/MASK: the mask must be non-empty and include every flag: " +
                    token.text);
            }
        }

        private static int flags(final Token token, final String list) throws RulesException
        {
            int flags = 0;
            if (list.equals("none"))
            {
                return 0;
            }
            for (final String flag : list.split(",", -1))
            {
                final int bit = TcpHeader.flag(flag);
                if (0 == bit)
                {
                    throw token.error("unknown TCP flag '" + flag + "' (" + String.join(", ", TcpHeader.FLAG_NAMES) +
                        ", or none)");
                }
                flags |= bit;
            }
            return flags;
        }
    }

    private static String unknown(final String what, final String word, final List<String> known, final String hint)
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
    private static int distance(final String a, final String b)
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
