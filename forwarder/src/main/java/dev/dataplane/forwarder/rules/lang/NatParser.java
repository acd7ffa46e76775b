package dev.dataplane.forwarder.rules.lang;

/**
 * The grammar of the NAT verbs:
 * <pre>
 *   dnat ADDRESS[:PORT][,ADDRESS[:PORT]...] [round-robin|hash]
 *   snat ADDRESS
 *   masquerade ADDRESS [ports LOW-HIGH]
 * </pre>
 */
final class NatParser
{
    private static final int MAX_BACKENDS = 256;

    private NatParser()
    {
    }

    static boolean isVerb(final String word)
    {
        return "dnat".equals(word) || "snat".equals(word) || "masquerade".equals(word);
    }

    /**
     * @param ports whether the rule matches TCP or UDP only, so that a port may be translated.
     */
    static Nat parse(final Token keyword, final Tokens tokens, final boolean ports) throws RulesException
    {
        switch (keyword.text())
        {
            case "dnat" ->
            {
                final Token value = tokens.expect("a backend ADDRESS[:PORT], or a list of them separated by ','");
                final String[] backends = value.text().split(",", -1);
                if (backends.length > MAX_BACKENDS)
                {
                    throw value.error("a pool holds at most " + MAX_BACKENDS + " backends: " + backends.length);
                }
                final int[] addresses = new int[backends.length];
                final int[] backendPorts = new int[backends.length];
                int at = 0;
                for (int i = 0; i < backends.length; i++)
                {
                    final int colon = backends[i].indexOf(':');
                    addresses[i] = address(value, colon < 0 ? backends[i] : backends[i].substring(0, colon));
                    if (colon >= 0)
                    {
                        if (!ports)
                        {
                            throw value.error("dnat to a port needs the rule to match proto tcp or proto udp");
                        }
                        backendPorts[i] = FieldParsers.integer(new Token(backends[i].substring(colon + 1),
                            value.source(), value.line(), value.column() + at + colon + 1), 1, 65535, "a dnat port");
                    }
                    at += backends[i].length() + 1;
                }
                Nat.Pick pick = Nat.Pick.ROUND_ROBIN;
                if (tokens.hasNext() && ("round-robin".equals(tokens.peek().text()) ||
                    "hash".equals(tokens.peek().text())))
                {
                    pick = "hash".equals(tokens.next().text()) ? Nat.Pick.HASH : Nat.Pick.ROUND_ROBIN;
                }
                return new Nat(Nat.Kind.DNAT, addresses, backendPorts, pick, Nat.SNAT_PORT_LOW, Nat.PORT_HIGH);
            }
            case "snat" ->
            {
                final Token value = tokens.expect("the source ADDRESS");
                return new Nat(Nat.Kind.SNAT, new int[] {address(value, value.text())}, new int[1],
                    Nat.Pick.ROUND_ROBIN, Nat.SNAT_PORT_LOW, Nat.PORT_HIGH);
            }
            default ->
            {
                final Token value = tokens.expect("the source ADDRESS");
                final int address = address(value, value.text());
                int low = Nat.SNAT_PORT_LOW;
                int high = Nat.PORT_HIGH;
                if (tokens.hasNext() && "ports".equals(tokens.peek().text()))
                {
                    final Token portsKeyword = tokens.next();
                    if (!ports)
                    {
                        throw portsKeyword.error("masquerade ports needs the rule to match proto tcp or proto udp");
                    }
                    final int[] range = FieldParsers.range(tokens.expect("a port range LOW-HIGH"), 1, 65535,
                        "masquerade ports");
                    low = range[0];
                    high = range[1];
                }
                return new Nat(Nat.Kind.MASQUERADE, new int[] {address}, new int[1], Nat.Pick.ROUND_ROBIN, low,
                    high);
            }
        }
    }

    private static int address(final Token token, final String text) throws RulesException
    {
        final Prefix prefix;
        try
        {
            prefix = Prefix.parse(text);
        }
        catch (final IllegalArgumentException ex)
        {
            throw token.error(ex.getMessage());
        }
        if (4 != prefix.version() || 32 != prefix.length())
        {
            throw token.error("an IPv4 address, not " + text);
        }
        return (int)prefix.low();
    }
}
