package dev.dataplane.forwarder.rules.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.dataplane.forwarder.conntrack.ConnTracker;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.TcpHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RulesParserTest
{
    @Test
    void parsesTheRedirectScenario() throws RulesException
    {
        final RuleSet rules = RulesParser.parse("""
            # UDP to the service address goes to the real server
            vip: proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083
            """, "redirect.rules");
        assertEquals(1, rules.size());
        assertTrue(rules.defaultAccept());
        final Rule vip = rules.rule(0);
        assertEquals("vip", vip.name());
        assertEquals(2, vip.line());
        assertEquals(4, vip.ipVersion());
        assertEquals(IpProtocol.UDP, vip.protocol());
        assertEquals(Prefix.parse("10.0.8.17/32"), vip.destination());
        assertEquals(8080, vip.destinationPortLow());
        assertEquals(8080, vip.destinationPortHigh());
        assertEquals(Verdict.ACCEPT, vip.verdict());
        assertEquals(List.of(new Rewrite(Rewrite.Kind.SET_DESTINATION,
            Ipv4Header.parseAddress("10.0.1.2") & 0xFFFFFFFFL,
            0), new Rewrite(Rewrite.Kind.SET_DESTINATION_PORT, 8083, 0)), vip.rewrites());
    }

    @Test
    void parsesEveryMatchVerdictAndRewrite() throws RulesException
    {
        final RuleSet rules = RulesParser.parse("""
            policy drop
            in-port 1 ether-type arp => tx
            vlan 100-199 ip6 src 2001:db8::/32 proto tcp tcp-flags syn/syn,ack sport 1024-65535 => count
            untagged length 64-128 => redirect 3 set-src-mac 02:00:00:00:00:09 set-dst-mac 02:00:00:00:00:0a
            ip4 src 192.168.0.0/16 => accept dec-ttl set-dscp 46 set-src 10.0.0.1
            in-port 0 malformed => drop
            """, "all.rules");
        assertFalse(rules.defaultAccept());
        assertEquals(5, rules.size());
        assertEquals(EthernetHeader.TYPE_ARP, rules.rule(0).etherType());
        assertEquals(Verdict.TX, rules.rule(0).verdict());
        final Rule count = rules.rule(1);
        assertEquals(100, count.vlanLow());
        assertEquals(199, count.vlanHigh());
        assertEquals(6, count.ipVersion());
        assertEquals(TcpHeader.SYN, count.tcpFlags());
        assertEquals(TcpHeader.SYN | TcpHeader.ACK, count.tcpFlagsMask());
        assertEquals(Verdict.COUNT, count.verdict());
        assertEquals(Rule.UNTAGGED, rules.rule(2).vlanLow());
        assertEquals(3, rules.rule(2).redirectPort());
        assertEquals(3, rules.rule(3).rewrites().size());
        assertTrue(rules.rule(4).malformed());
        assertNull(rules.rule(4).name());
        assertEquals("line 6", rules.rule(4).label());
    }

    @Test
    void fragmentRulesMatchNoPorts() throws RulesException
    {
        assertTrue(RulesParser.parse("ip4 fragment => drop", "t").rule(0).fragment());
        assertFalse(RulesParser.parse("ip4 => drop", "t").rule(0).fragment());
        assertError("proto udp fragment dport 53 => drop", 1, 11, "a fragment's ports and TCP flags are never matched");
        assertError("fragment tcp-flags syn => drop", 1, 1, "a fragment's ports and TCP flags are never matched");
        assertError("malformed fragment => drop", 1, 1, "combine malformed only with in-port and length");
    }

    @Test
    void connectionStatesAreAMaskOfTheTrackersCodesAndMakeTheRulesNeedTracking() throws RulesException
    {
        final RuleSet rules = RulesParser.parse("ct-state established,related => accept\nct-state new => drop\n",
            "t");
        assertEquals(1 << ConnTracker.ESTABLISHED | 1 << ConnTracker.RELATED, rules.rule(0).connStates());
        assertEquals(1 << ConnTracker.NEW, rules.rule(1).connStates());
        assertTrue(rules.needsConnTracking());
        assertTrue(RulesParser.parse("ip4 => accept set-src 192.0.2.1", "t").needsConnTracking(), "a NAT rule");
        assertFalse(RulesParser.parse("ip4 => accept dec-ttl set-dscp 10", "t").needsConnTracking());
        assertError("ct-state establised => accept", 1, 10,
            "unknown connection state 'establised' (did you mean established?)");
        assertError("ct-state new,,invalid => drop", 1, 10, "unknown connection state ''");
        assertError("ct-state new ct-state invalid => drop", 1, 14, "ct-state given twice");
        assertError("malformed ct-state invalid => drop", 1, 1, "combine malformed only with in-port and length");
    }

    @Test
    void natVerbsNamePoolsAddressesAndPortRanges() throws RulesException
    {
        final Rule pool = RulesParser.parse("ip4 proto tcp dport 80 => accept dnat 10.0.1.2:8080,10.0.1.3 hash",
            "t").rule(0);
        assertEquals(Nat.Kind.DNAT, pool.destinationNat().kind());
        assertEquals(2, pool.destinationNat().targets());
        assertEquals(Ipv4Header.parseAddress("10.0.1.3"), pool.destinationNat().address(1));
        assertEquals(8080, pool.destinationNat().port(0));
        assertEquals(0, pool.destinationNat().port(1), "keeps the packet's port");
        assertEquals(Nat.Pick.HASH, pool.destinationNat().pick());
        final Rule masquerade = RulesParser.parse("ip4 proto udp => accept masquerade 192.0.2.1 ports 20000-29999 " +
            "dec-ttl", "t").rule(0);
        assertEquals(20000, masquerade.sourceNat().portLow());
        assertEquals(29999, masquerade.sourceNat().portHigh());
        assertEquals(1, masquerade.rewrites().size());
        assertTrue(RulesParser.parse("ip4 => accept snat 192.0.2.1", "t").requiresConnTracking());
        assertError("proto udp => accept dnat 10.0.1.2", 1, 21, "dnat needs the rule to match IPv4 only");
        assertError("ip4 => accept dnat 10.0.1.2:80", 1, 20, "dnat to a port needs the rule to match proto tcp");
        assertError("ip4 proto udp => accept dnat 10.0.1.2:80,10.0.1.3:0", 1, 51, "a dnat port must be in 1..65535");
        assertError("ip4 proto udp => accept dnat 10.0.1.0/24", 1, 30, "an IPv4 address, not 10.0.1.0/24");
        assertError("ip4 => drop snat 192.0.2.1", 1, 13, "a drop rule translates nothing");
        assertError("ip4 => accept snat 192.0.2.1 masquerade 192.0.2.2", 1, 30, "one snat or masquerade a rule");
        assertError("ip4 => accept snat 192.0.2.1 set-src 192.0.2.3", 1, 8, "does not also set that side's");
        assertError("ip4 => accept masquerade 192.0.2.1 ports 100-200", 1, 36,
            "masquerade ports needs the rule to match");
        assertError("ip4 proto tcp => accept masquerade 192.0.2.1 ports 100-99", 1, 52, "range is empty");
    }

    @Test
    void numbersAreAsciiDigitsWithoutSignAndAddressesFollowRfc4291()
    {
        assertError("in-port \u0663 => drop", 1, 9, "in-port wants a number of ASCII digits");
        assertError("proto +6 => drop", 1, 7, "proto wants a number of ASCII digits");
        assertError("proto udp dport -1 => drop", 1, 17, "dport wants a number of ASCII digits");
        assertError("dst -1::/16 => drop", 1, 5, "bad group '-1'");
        assertError("dst 1.2.3.4:: => drop", 1, 5, "not an IPv6 address");
        assertError("dst 10.0.0.0/+8 => drop", 1, 5, "bad prefix length");
        assertError("dst 10.0.08.0/24 => drop", 1, 5, "not an IPv4 address");
        assertError("ether-type 0x+800 => drop", 1, 12, "ether-type wants a number of ASCII digits");
        assertError("ip4 => accept set-dst-mac 02:00:00:00:00:+1", 1, 27, "bad octet '+1'");
    }

    @Test
    void boundsWhatItReadsWithClearErrors()
    {
        // A 16 MB word ran the did-you-mean suggestion out of heap; now the word is refused by its length.
        assertError("x".repeat(200) + " => drop", 1, 1, "word of 200 characters; a word is at most 128");
        assertError("proto udp " + "a".repeat(5000), 1, 4097, "line of 5010 characters; a line is at most 4096");
        assertError("proto udp dport 53 => dropp" + "p".repeat(100), 1, 23, "unknown verdict");
    }

    @Test
    void refusesFilesItCannotReadWhole(@TempDir final Path dir) throws Exception
    {
        final Path big = dir.resolve("big.rules");
        try (var out = Files.newOutputStream(big))
        {
            final byte[] line = "# comment line padding the file past the limit\n".getBytes();
            for (long written = 0; written <= RulesParser.MAX_FILE_BYTES; written += line.length)
            {
                out.write(line);
            }
        }
        final RulesException tooBig = assertThrows(RulesException.class, () -> RulesParser.parse(big));
        assertTrue(tooBig.getMessage().contains("exceeds " + RulesParser.MAX_FILE_BYTES), tooBig.getMessage());
        final IOException device = assertThrows(IOException.class, () -> RulesParser.parse(Path.of("/dev/zero")));
        assertTrue(device.getMessage().contains("not a regular file"), device.getMessage());
        final IOException directory = assertThrows(IOException.class, () -> RulesParser.parse(dir));
        assertTrue(directory.getMessage().contains("not a regular file"), directory.getMessage());
    }

    @Test
    void tcpFlagsImplyTcp() throws RulesException
    {
        assertEquals(IpProtocol.TCP, RulesParser.parse("tcp-flags rst => drop", "t").rule(0).protocol());
    }

    @Test
    void rejectsMistakesWithLineColumnAndReason()
    {
        assertError("proto udp dprot 53 => drop", 1, 11, "unknown match 'dprot' (did you mean dport?)");
        assertError("\n\nproto udp dport 53", 3, 19, "expected '=>' and a verdict");
        assertError("dport 53 => dorp", 1, 13, "unknown verdict 'dorp' (did you mean drop?)");
        assertError("dport 70000 => drop", 1, 7, "dport must be in 0..65535: 70000");
        assertError("dport 90-80 => drop", 1, 7, "dport range is empty: 90-80");
        assertError("dst 10.0.0.1/8 => drop", 1, 5, "host bits set in 10.0.0.1/8 (did you mean 10.0.0.0/8?)");
        assertError("dst 10.0.0.300 => drop", 1, 5, "not an IPv4 address");
        assertError("src 10.0.0.0/8 dst 2001:db8::1 => drop", 1, 20, "the rule already matches IPv4, not IPv6");
        assertError("dport 53 dport 54 => drop", 1, 10, "dport given twice in one rule");
        assertError("proto udp => accept set-dst 10.0.1.2", 1, 29, "set-dst 10.0.1.2 needs the rule to match IPv4");
        assertError("ip4 => accept set-dport 80", 1, 15, "set-dport needs the rule to match proto tcp or proto udp");
        assertError("ip4 => drop set-dst 10.0.0.1", 1, 13, "a drop rule rewrites nothing");
        assertError("proto icmp dport 53 => drop", 1, 12, "dport needs proto tcp or udp, not proto 1");
        assertError("proto udp tcp-flags syn => drop", 1, 21, "tcp-flags needs proto tcp, not proto 17");
        assertError("malformed proto udp => drop", 1, 1, "combine malformed only with in-port and length");
        assertError("ether-type arp ip4 => drop", 1, 16, "ether-type 0x0806 cannot carry IPv4");
        assertError("ether-type ipv6 ip4 => drop", 1, 17, "the rule already matches IPv6, not IPv4");
        assertError("in-port 32 => drop", 1, 9, "in-port must be in 0..31: 32");
        assertError("=> redirect", 1, 12, "expected the port id to redirect to at the end of the line");
        assertError("policy maybe", 1, 8, "policy must be accept or drop");
        assertError("policy drop\npolicy accept", 2, 1, "policy given twice");
        assertError("tcp-flags syn/ack => drop", 1, 11, "the mask must be non-empty and include every flag");
        assertError("bad name!: => drop", 1, 1, "unknown match 'bad'");
        assertError("dport 53 => drop extra", 1, 18, "unknown rewrite 'extra'");
    }

    private static void assertError(final String text, final int line, final int column, final String reason)
    {
        final RulesException ex = assertThrows(RulesException.class, () -> RulesParser.parse(text, "t.rules"),
            text);
        assertEquals(line, ex.line(), ex.getMessage());
        assertEquals(column, ex.column(), ex.getMessage());
        assertTrue(ex.reason().contains(reason), "wanted '" + reason + "' in: " + ex.getMessage());
        assertTrue(ex.getMessage().startsWith("t.rules:" + line + ":" + column + ": "), ex.getMessage());
    }
}
