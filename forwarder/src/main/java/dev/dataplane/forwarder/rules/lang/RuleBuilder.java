package dev.dataplane.forwarder.rules.lang;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.MacAddress;

/** The grammar of one rule: collects a line's matches, verdict and rewrites, refusing repeats and contradictions. */
final class RuleBuilder
{
    private static final int MAX_PORT_ID = 31;

    private static final List<String> MATCHES = List.of("in-port", "ether-type", "vlan", "untagged", "ip4", "ip6",
        "src", "dst", "proto", "sport", "dport", "tcp-flags", "length", "malformed",
        "fragment", "ct-state");
    private static final List<String> VERDICTS = List.of("accept", "drop", "tx", "redirect", "count");
    private static final List<String> REWRITES = List.of("set-src", "set-dst", "set-sport", "set-dport", "dec-ttl",
        "set-dscp", "set-src-mac", "set-dst-mac", "dnat", "snat", "masquerade");

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
    private int connStates;
    private Token connStateToken;
    private Verdict verdict;
    private Token verdictToken;
    private int redirectPort = Rule.ANY;
    private final List<Rewrite> rewrites = new ArrayList<>();
    private final EnumSet<Rewrite.Kind> rewriteKinds = EnumSet.noneOf(Rewrite.Kind.class);
    private Nat destinationNat;
    private Nat sourceNat;

    RuleBuilder(final int index, final int line)
    {
        this.index = index;
        this.line = line;
    }

    Rule parse(final Tokens tokens) throws RulesException
    {
        final Token first = tokens.peek();
        if (first.text().endsWith(":") && first.text().length() > 1)
        {
            tokens.next();
            name = first.text().substring(0, first.text().length() - 1);
            if (!name.matches("[A-Za-z0-9_.-]{1,64}"))
            {
                throw first.error("a rule name is 1 to 64 letters, digits, '_', '.' or '-': '" + name + "'");
            }
        }
        while (tokens.hasNext() && !tokens.peek().text().equals("=>"))
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
            malformed, null != fragmentToken, connStates, verdict, redirectPort, rewrites, destinationNat, sourceNat);
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
        switch (keyword.text())
        {
            case "in-port" ->
            {
                once(keyword, "in-port");
                inPort = FieldParsers.integer(tokens.expect("a port id"), 0, MAX_PORT_ID, "in-port");
            }
            case "ether-type" ->
            {
                once(keyword, "ether-type");
                final Token value = tokens.expect("an EtherType (0x0800, ipv4, ipv6, arp...)");
                etherType = FieldParsers.etherType(value);
                if (etherType == EthernetHeader.TYPE_IPV4 || etherType == EthernetHeader.TYPE_IPV6)
                {
                    version(value, etherType == EthernetHeader.TYPE_IPV4 ? 4 : 6);
                }
            }
            case "vlan" ->
            {
                once(keyword, "vlan");
                final int[] range = FieldParsers.range(tokens.expect("a VLAN id or range"), 0, 4095, "vlan");
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
                version(keyword, keyword.text().equals("ip4") ? 4 : 6);
            }
            case "src", "dst" ->
            {
                once(keyword, keyword.text());
                final Token value = tokens.expect("an address or prefix");
                final Prefix prefix;
                try
                {
                    prefix = Prefix.parse(value.text());
                }
                catch (final IllegalArgumentException ex)
                {
                    throw value.error(ex.getMessage());
                }
                version(value, prefix.version());
                if (keyword.text().equals("src"))
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
                protocol = FieldParsers.protocol(tokens.expect("a protocol (tcp, udp, icmp, icmpv6 or a number)"));
            }
            case "sport", "dport" ->
            {
                once(keyword, keyword.text());
                final int[] range = FieldParsers.range(tokens.expect("a port or range"), 0, 65535, keyword.text());
                portToken = keyword;
                if (keyword.text().equals("sport"))
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
                final int[] range = FieldParsers.range(tokens.expect("a frame length or range"), 0, 65535, "length");
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
            case "ct-state" ->
            {
                once(keyword, "ct-state");
                connStateToken = keyword;
                connStates = FieldParsers.connStates(tokens.expect("connection states like established,related"));
            }
            default -> throw keyword.error(Suggestions.unknown("match", keyword.text(), MATCHES,
                "'=>' before the verdict"));
        }
    }

    private void verdict(final Token keyword, final Tokens tokens) throws RulesException
    {
        switch (keyword.text())
        {
            case "accept" -> verdict = Verdict.ACCEPT;
            case "drop" -> verdict = Verdict.DROP;
            case "tx" -> verdict = Verdict.TX;
            case "count" -> verdict = Verdict.COUNT;
            case "redirect" ->
            {
                verdict = Verdict.REDIRECT;
                redirectPort = FieldParsers.integer(tokens.expect("the port id to redirect to"), 0, MAX_PORT_ID,
                    "redirect");
            }
            default -> throw keyword.error(Suggestions.unknown("verdict", keyword.text(), VERDICTS, null));
        }
    }

    private void rewrite(final Token keyword, final Tokens tokens) throws RulesException
    {
        if (NatParser.isVerb(keyword.text()))
        {
            if (verdict == Verdict.DROP || verdict == Verdict.COUNT)
            {
                throw keyword.error("a " + verdict.keyword() + " rule translates nothing: " + keyword.text() +
                    " goes with accept, tx or redirect");
            }
            if (4 != ipVersion)
            {
                throw keyword.error(keyword.text() + " needs the rule to match IPv4 only (add ip4 or an IPv4 src/dst)");
            }
            final Nat nat = NatParser.parse(keyword, tokens, IpProtocol.TCP == protocol || IpProtocol.UDP == protocol);
            if (Nat.Kind.DNAT == nat.kind() ? null != destinationNat : null != sourceNat)
            {
                throw keyword.error("one " + (Nat.Kind.DNAT == nat.kind() ? "dnat" : "snat or masquerade") +
                    " a rule");
            }
            if (Nat.Kind.DNAT == nat.kind())
            {
                destinationNat = nat;
            }
            else
            {
                sourceNat = nat;
            }
            return;
        }
        final Rewrite.Kind kind = switch (keyword.text())
        {
            case "set-src" -> Rewrite.Kind.SET_SOURCE;
            case "set-dst" -> Rewrite.Kind.SET_DESTINATION;
            case "set-sport" -> Rewrite.Kind.SET_SOURCE_PORT;
            case "set-dport" -> Rewrite.Kind.SET_DESTINATION_PORT;
            case "dec-ttl" -> Rewrite.Kind.DECREMENT_TTL;
            case "set-dscp" -> Rewrite.Kind.SET_DSCP;
            case "set-src-mac" -> Rewrite.Kind.SET_SOURCE_MAC;
            case "set-dst-mac" -> Rewrite.Kind.SET_DESTINATION_MAC;
            default -> throw keyword.error(Suggestions.unknown("rewrite", keyword.text(), REWRITES, null));
        };
        if (!rewriteKinds.add(kind))
        {
            throw keyword.error(keyword.text() + " given twice in one rule");
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
                    address = Prefix.parse(value.text());
                }
                catch (final IllegalArgumentException ex)
                {
                    throw value.error(ex.getMessage());
                }
                if (address.length() != (address.version() == 4 ? 32 : 128))
                {
                    throw value.error(keyword.text() + " takes an address, not a prefix: " + value.text());
                }
                if (ipVersion != address.version())
                {
                    throw value.error(keyword.text() + " " + value.text() + " needs the rule to match IPv" +
                        address.version() + " only (add ip" + address.version() + " or an IPv" + address.version() +
                        " src/dst)");
                }
                rewrites.add(new Rewrite(kind, address.version() == 4 ? address.low() : address.high(),
                    address.version() == 4 ? 0 : address.low()));
            }
            case SET_SOURCE_PORT, SET_DESTINATION_PORT ->
            {
                final int port = FieldParsers.integer(tokens.expect("a port"), 0, 65535, keyword.text());
                if (protocol != IpProtocol.TCP && protocol != IpProtocol.UDP)
                {
                    throw keyword.error(keyword.text() + " needs the rule to match proto tcp or proto udp");
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
                final int dscp = FieldParsers.integer(tokens.expect("a DSCP value 0..63"), 0, 63, "set-dscp");
                requireIp(keyword);
                rewrites.add(new Rewrite(kind, dscp, 0));
            }
            case SET_SOURCE_MAC, SET_DESTINATION_MAC ->
            {
                final Token value = tokens.expect("a MAC address");
                try
                {
                    rewrites.add(new Rewrite(kind, MacAddress.parse(value.text()), 0));
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
            throw keyword.error(keyword.text() + " needs the rule to match IP (add ip4, ip6 or a src/dst)");
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
            null != fragmentToken || null != connStateToken))
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
        if ((null != destinationNat && (rewriteKinds.contains(Rewrite.Kind.SET_DESTINATION) ||
            rewriteKinds.contains(Rewrite.Kind.SET_DESTINATION_PORT))) || (null != sourceNat &&
            (rewriteKinds.contains(Rewrite.Kind.SET_SOURCE) || rewriteKinds.contains(Rewrite.Kind.SET_SOURCE_PORT))))
        {
            throw verdictToken.error("a rule that translates with dnat, snat or masquerade does not also set that " +
                "side's address or port");
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
            throw portToken.error(portToken.text() + " needs proto tcp or udp, not proto " + protocol);
        }
    }

    private void tcpFlags(final Token token) throws RulesException
    {
        final int slash = token.text().indexOf('/');
        final String valuePart = slash < 0 ? token.text() : token.text().substring(0, slash);
        tcpFlags = FieldParsers.flags(token, valuePart);
        tcpFlagsMask = slash < 0 ? tcpFlags : FieldParsers.flags(token, token.text().substring(slash + 1));
        if (0 == tcpFlagsMask || (tcpFlags & ~tcpFlagsMask) != 0)
        {
            throw token.error("tcp-flags FLAGS/MASK: the mask must be non-empty and include every flag: " +
                token.text());
        }
    }
}
