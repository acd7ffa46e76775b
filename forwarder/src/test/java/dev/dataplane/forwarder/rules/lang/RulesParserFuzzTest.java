package dev.dataplane.forwarder.rules.lang;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.classify.RuleClassifier;
import dev.dataplane.forwarder.rules.rewrite.RewriteProgram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whatever the text, the parser answers with a rule set or a {@link RulesException} pointing inside the text;
 * never another exception. Mutations of valid files reach deep into the grammar; random bytes test the file path.
 */
class RulesParserFuzzTest
{
    private static final String SEED = """
        policy accept
        vip: in-port 0 proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083
        ip6 src 2001:db8::/32 proto tcp tcp-flags syn/syn,ack sport 1024-65535 => count
        untagged length 64-128 ether-type ipv4 => redirect 3 dec-ttl set-dscp 46 set-src-mac 02:00:00:00:00:09
        vlan 100-199 ip4 => tx set-dst-mac ff:ff:ff:ff:ff:ff
        malformed in-port 1 => drop
        """;
    private static final String ALPHABET = " \t\n:=>-/,.#0123456789abcdefxyzACDEFGHIJKLMNOPQRSTUVWXYZ_pn" +
        "\u00e9\u0000\uffff";

    @Test
    void answersEveryMutationWithRulesOrAPositionedError() throws RulesException
    {
        RulesParser.parse(SEED, "seed.rules");
        final Random random = new Random(31337);
        int accepted = 0;
        int rejected = 0;
        final String[] lines = SEED.split("\n");
        for (int i = 0; i < 100_000; i++)
        {
            final StringBuilder text = new StringBuilder(SEED);
            final int edits = 1 + random.nextInt(4);
            for (int e = 0; e < edits; e++)
            {
                final int at = random.nextInt(text.length() + 1);
                switch (random.nextInt(4))
                {
                    case 0 -> text.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                    case 1 ->
                    {
                        if (at < text.length())
                        {
                            text.deleteCharAt(at);
                        }
                    }
                    case 2 -> text.insert(at, ' ' + lines[random.nextInt(lines.length)].split(" ")[0] + ' ');
                    default ->
                    {
                        if (at < text.length())
                        {
                            text.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                        }
                    }
                }
            }
            final String input = text.toString();
            try
            {
                final RuleSet rules = RulesParser.parse(input, "fuzz.rules");
                new RuleClassifier(rules);
                for (final Rule rule : rules.rules())
                {
                    RewriteProgram.of(rule);
                }
                accepted++;
            }
            catch (final RulesException ex)
            {
                final int lineCount = input.split("\r?\n", -1).length;
                assertTrue(ex.line() >= 1 && ex.line() <= lineCount && ex.column() >= 1, ex.getMessage());
                rejected++;
            }
        }
        assertTrue(accepted > 1000 && rejected > 1000, accepted + " accepted, " + rejected + " rejected");
    }

    @Test
    void refusesBinaryAndOversizedFiles(@TempDir final Path dir) throws Exception
    {
        final Random random = new Random(5);
        for (int i = 0; i < 200; i++)
        {
            final byte[] bytes = new byte[random.nextInt(2000)];
            random.nextBytes(bytes);
            final Path file = dir.resolve("random-" + i + ".rules");
            Files.write(file, bytes);
            try
            {
                RulesParser.parse(file);
            }
            catch (final RulesException expected)
            {
                assertTrue(expected.getMessage().startsWith(file.toString()), expected.getMessage());
            }
        }
        final Path big = dir.resolve("big.rules");
        Files.write(big, new byte[(int)RulesParser.MAX_FILE_BYTES + 1]);
        try
        {
            RulesParser.parse(big);
            throw new AssertionError("an oversized file was accepted");
        }
        catch (final RulesException expected)
        {
            assertTrue(expected.reason().contains("exceeds"), expected.getMessage());
        }
    }

    /**
     * Coverage-guided: any text (the seed corpus, {@code RulesParserFuzzTestInputs}, holds the example files; {@code
     * bin/fuzz rules SECONDS} fuzzes) parses to rules that compile, or to a {@link RulesException} whose position lies
     * inside the text; nothing else.
     */
    @FuzzTest(maxDuration = "10s")
    void parsesAnyTextToRulesThatCompileOrAPositionedError(final FuzzedDataProvider data)
    {
        final String text = data.consumeRemainingAsString();
        try
        {
            new CompiledRules(RulesParser.parse(text, "fuzz.rules"));
        }
        catch (final RulesException ex)
        {
            final String[] lines = text.split("\r?\n", -1);
            assertTrue(ex.line() >= 1 && ex.line() <= lines.length, ex.getMessage());
            assertTrue(ex.column() >= 1 && ex.column() <= Math.max(lines[ex.line() - 1].length(),
                RulesParser.MAX_LINE_CHARS) + 1, ex.getMessage());
        }
    }
}
