package dev.dataplane.forwarder.rules.flow;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import dev.dataplane.forwarder.rules.ChecksumEncodings;
import dev.dataplane.forwarder.rules.CompiledRules;
import dev.dataplane.forwarder.rules.TestFrames;
import dev.dataplane.forwarder.rules.classify.Classifier;
import dev.dataplane.forwarder.rules.lang.RulesException;
import dev.dataplane.forwarder.rules.lang.RulesParser;
import dev.dataplane.forwarder.rules.lang.Verdict;
import dev.dataplane.forwarder.rules.rewrite.RewriteProgram;
import dev.dataplane.net.FrameBuilder;
import dev.dataplane.net.HashSeed;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.IpProtocol;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PacketView;
import dev.dataplane.net.UdpHeader;
import org.junit.jupiter.api.Test;

/**
 * The flow cache changes nothing but speed: for every frame, a hit yields the rule, the counters and the bytes
 * (checksums up to their two encodings of zero) that classifying and running the rewrite program yield.
 */
class FlowCacheTest
{
    /** A fixed hash seed: the figures below hold for any, but a test should not depend on the process's draw. */
    private static final long SEED = 0x5EED;
    private static final String[] RULE_SETS = {
        """
        dnat: proto udp dst 10.0.8.17 dport 8080 => accept set-dst 10.0.1.2 set-dport 8083
        proto tcp dst 10.0.8.0/24 dport 1-1023 => redirect 1 set-src 192.0.2.1 set-sport 40000 \
            set-src-mac 02:00:00:00:00:01
        dst 10.0.9.0/24 => drop
        ip4 proto udp sport 53 => tx set-dst-mac 02:00:00:00:00:02 set-src 10.9.9.9
        proto tcp dst 10.0.7.0/24 => accept dec-ttl set-dst 10.0.1.3
        """,
        """
        policy drop
        ip4 in-port 1 proto udp => accept set-sport 7 set-dport 9 set-src 10.1.1.1 set-dst 10.2.2.2
        ip4 vlan 100 => accept set-dscp 46
        proto tcp tcp-flags syn/syn,ack => drop
        ip4 length 60-100 proto udp => accept set-dst 10.0.0.1
        ip4 => accept
        """,
        """
        proto udp dst 10.0.8.17 => count
        proto udp => count
        ip4 dst 10.0.8.0/24 => count
        ip4 proto udp => accept set-dst 10.0.1.2
        proto tcp => count
        """};

    private final PacketView view = new PacketView();
    private final int[] countedRules = new int[FlowCache.COUNTED_RULES];

    @Test
    void aHitDoesWhatClassifyingAndRewritingDo() throws RulesException
    {
        final Random random = new Random(793);
        for (final String text : RULE_SETS)
        {
            final CompiledRules rules = new CompiledRules(RulesParser.parse(text, "t.rules"));
            // A small cache, so that flows evict each other too.
            final FlowCache cache = new FlowCache(32, SEED);
            cache.reset(rules.matchesLength(), rules.matchesTcpFlags());
            final List<byte[]> flows = new ArrayList<>();
            for (int i = 0; i < 24; i++)
            {
                flows.add(TestFrames.randomIpv4(random));
            }
            final long[] expectedCounters = Classifier.newCounters(rules.size());
            final long[] cachedCounters = Classifier.newCounters(rules.size());
            int hits = 0;
            for (int i = 0; i < 20_000; i++)
            {
                final byte[] original = flows.get(random.nextInt(flows.size()));
                final int inPort = random.nextInt(2);
                final byte[] expected = original.clone();
                final MemorySegment e = MemorySegment.ofArray(expected);
                view.parse(e, 0, expected.length);
                final int rule = rules.classifier().classify(view, inPort, expectedCounters);
                final boolean expectedKept = rewrites(rules, rule) ? rules.program(rule).apply(view) : true;

                final byte[] actual = original.clone();
                final MemorySegment a = MemorySegment.ofArray(actual);
                view.parse(a, 0, actual.length);
                final int slot = cache.lookup(view, inPort);
                final int cachedRule;
                final boolean kept;
                if (slot >= 0)
                {
                    hits++;
                    cachedRule = cache.rule(slot, cachedCounters, view.length());
                    kept = rewrites(rules, cachedRule) ? cache.rewrite(slot, view, rules.program(cachedRule)) : true;
                }
                else
                {
                    cachedRule = rules.classifier().classify(view, inPort, cachedCounters, countedRules);
                    final boolean rewrites = rewrites(rules, cachedRule);
                    if (FlowCache.MISS == slot)
                    {
                        cache.insert(cachedRule, countedRules, rewrites ? rules.program(cachedRule) : null, 1, false);
                    }
                    kept = rewrites ? rules.program(cachedRule).apply(view) : true;
                }
                assertEquals(rule, cachedRule, text);
                assertEquals(expectedKept, kept);
                ChecksumEncodings.normalise(view, e, 0, expected.length);
                ChecksumEncodings.normalise(view, a, 0, actual.length);
                assertArrayEquals(expected, actual, text);
            }
            assertArrayEquals(expectedCounters, cachedCounters);
            assertTrue(hits > 5_000, "hits " + hits);
        }
    }

    @Test
    void thePlainFastPathTakesExactlyThePlainFramesOfCachedFlowConstantFlows() throws RulesException
    {
        final Random random = new Random(4242);
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment nativeFrame = arena.allocate(2048, 64);
            int plainMisses = 0;
            for (final String text : RULE_SETS)
            {
                final CompiledRules rules = new CompiledRules(RulesParser.parse(text, "t.rules"));
                final FlowCache cache = new FlowCache(FlowCache.DEFAULT_ENTRIES, SEED);
                cache.reset(rules.matchesLength(), rules.matchesTcpFlags());
                final long[] counters = Classifier.newCounters(rules.size());
                int plainHits = 0;
                int bypassed = 0;
                for (int i = 0; i < 5_000; i++)
                {
                    final byte[] frame = TestFrames.vary(TestFrames.randomIpv4(random), random);
                    final MemorySegment s = MemorySegment.ofArray(frame);
                    final int inPort = random.nextInt(2);
                    view.parse(s, 0, frame.length);
                    if (FlowCache.MISS == cache.lookup(view, inPort))
                    {
                        final int rule = rules.classifier().classify(view, inPort, counters, countedRules);
                        cache.insert(rule, countedRules, rewrites(rules, rule) ? rules.program(rule) : null,
                            Classifier.NO_MATCH == rule || rewrites(rules, rule) ? 1 : FlowCache.DROP, false);
                    }
                    final int slot = cache.lookup(view, inPort);
                    final boolean plain = PacketView.OK == view.verdict() && 4 == view.ipVersion() &&
                        0 == view.vlanCount() && Ipv4Header.MIN_LENGTH == view.l3HeaderLength() &&
                        !view.isFragment() && view.hasL4();
                    final int cachedRule = slot >= 0 ? cache.rule(slot, counters, 0) : Classifier.NO_MATCH;
                    final int expected;
                    if (!plain || slot >= 0 && !flowConstant(rules, cachedRule))
                    {
                        expected = FlowCache.BYPASS;
                        bypassed++;
                    }
                    else if (slot < 0)
                    {
                        expected = FlowCache.PLAIN_MISS; // left out of the cache (too many count rules)
                        plainMisses++;
                    }
                    else
                    {
                        expected = Classifier.NO_MATCH == cachedRule ? FlowCache.PLAIN_DEFAULT_ACCEPTED :
                            !rewrites(rules, cachedRule) ? FlowCache.PLAIN_RULE_DROPPED :
                            1 | (rules.program(cachedRule).isEmpty() ? 0 : FlowCache.PLAIN_REWRITTEN);
                        plainHits++;
                    }
                    MemorySegment.copy(s, 0, nativeFrame, 0, frame.length);
                    assertEquals(expected, cache.forwardPlain(nativeFrame.address(), frame.length, inPort, counters),
                        text + "\nframe " + i);
                }
                assertTrue(plainHits > 1_000 && bypassed > 1_000, plainHits + " plain hits, " + bypassed + " bypassed");
            }
            assertTrue(plainMisses > 100, plainMisses + " plain misses (flows left out of the cache)");
        }
    }

    private static boolean flowConstant(final CompiledRules rules, final int rule)
    {
        return !rewrites(rules, rule) || RewriteProgram.NOT_FLOW_CONSTANT != rules.program(rule).constantFields();
    }

    @Test
    void spreadsStructuredFlowsOverTheSets() throws RulesException
    {
        // 16,384 flows in 32,768 entries: flows that differ only in a few bytes all find a place (but for one in a
        // thousand), whichever bytes those are. (With one set of two ways a flow, 86-95% of them did.)
        final CompiledRules rules = new CompiledRules(RulesParser.parse("ip4 => count", "t.rules"));
        final int flows = 16_384;
        final int[][] patterns = {
            {0xC6120001, 1, 0x0A000811, 0, 40_000, 0, 8080, 0}, // consecutive sources (and a few source ports)
            {0xC0A80001, 0, 0x0A000000, 1, 5000, 0, 8080, 0}, // consecutive destinations: a server farm
            {0xC6120000, 1 << 8, 0x0A000811, 0, 5000, 0, 1000, 1}, // 64 sources x 256 destination ports
            {0xC0A80001, 0, 0x0A000811, 0, 1024, 1, 80, 0}, // one host, consecutive source ports
        };
        for (final int[] p : patterns)
        {
            final FlowCache cache = new FlowCache(2 * flows, SEED);
            cache.reset(rules.matchesLength(), rules.matchesTcpFlags());
            final long[] counters = Classifier.newCounters(1);
            final List<byte[]> frames = new ArrayList<>();
            for (int i = 0; i < flows; i++)
            {
                final int low = p == patterns[2] ? i & 0xFF : i;
                final int high = p == patterns[2] ? i >>> 8 : 0;
                final byte[] frame = new FrameBuilder()
                    .ipv4(p[0] + (p == patterns[2] ? high * p[1] : i * p[1]), p[2] + i * p[3])
                    .udp(p[4] + (p == patterns[0] ? i % 256 : i * p[5]), p[6] + low * p[7]).length(64).build();
                frames.add(frame);
                view.parse(MemorySegment.ofArray(frame), 0, frame.length);
                assertEquals(FlowCache.MISS, cache.lookup(view, 0), "flow " + i + " is new");
                cache.insert(rules.classifier().classify(view, 0, counters, countedRules), countedRules, null, 1,
                    false);
            }
            int cached = 0;
            for (final byte[] frame : frames)
            {
                view.parse(MemorySegment.ofArray(frame), 0, frame.length);
                cached += cache.lookup(view, 0) >= 0 ? 1 : 0;
            }
            assertTrue(cached >= flows - flows / 1000, "pattern " + java.util.Arrays.toString(p) + ": " + cached +
                " of " + flows + " flows still cached");
        }
    }

    @Test
    void flowsCraftedToShareASetInOneProcessSpreadInAnother() throws RulesException
    {
        // Hash flooding: an attacker who knows the hash finds flows that all land in one set. Found here for one
        // seed, by trying random flows, they must not land together under another seed, as in another process.
        final CompiledRules rules = new CompiledRules(RulesParser.parse("ip4 => count", "t.rules"));
        final FlowCache attacked = new FlowCache(1024, SEED);
        attacked.reset(rules.matchesLength(), rules.matchesTcpFlags());
        final Random random = new Random(1);
        final List<byte[]> crafted = new ArrayList<>();
        while (crafted.size() < 32)
        {
            final byte[] frame = new FrameBuilder().ipv4(0x0A000001, 0x0A000811).udp(random.nextInt(0x10000), 8080)
                .length(64).build();
            view.parse(MemorySegment.ofArray(frame), 0, frame.length);
            if (0 == attacked.homeSet(view, 0))
            {
                crafted.add(frame);
            }
        }
        for (final long otherSeed : new long[] {SEED + 1, HashSeed.PROCESS, ~SEED})
        {
            final FlowCache other = new FlowCache(1024, otherSeed);
            other.reset(rules.matchesLength(), rules.matchesTcpFlags());
            final Map<Integer, Integer> perSet = new HashMap<>();
            for (final byte[] frame : crafted)
            {
                view.parse(MemorySegment.ofArray(frame), 0, frame.length);
                perSet.merge(other.homeSet(view, 0), 1, Integer::sum);
            }
            final int most = perSet.values().stream().max(Integer::compare).orElseThrow();
            assertTrue(most <= 4, "32 flows crafted for one seed: " + most + " share a set under another");
        }
    }

    @Test
    void aCycleOfRandomFlowsThatFillsHalfTheCacheStaysCached() throws RulesException
    {
        // A traffic generator's flows replayed in a cycle, each flow missed classified and inserted as the forwarder
        // does. Flows that three or more share a set (a quarter of them, with one set of two ways a flow) would evict
        // each other in turn and miss every time round.
        final CompiledRules rules = new CompiledRules(RulesParser.parse("ip4 => count", "t.rules"));
        final Random random = new Random(16_384);
        final int flows = 16_384;
        final FlowCache cache = new FlowCache(2 * flows, SEED);
        cache.reset(rules.matchesLength(), rules.matchesTcpFlags());
        final long[] counters = Classifier.newCounters(1);
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < flows; i++)
        {
            frames.add(new FrameBuilder().ipv4(random.nextInt(), random.nextInt())
                .udp(random.nextInt(0x10000), random.nextInt(0x10000)).length(64).build());
        }
        int missed = 0;
        for (int round = 0; round < 3; round++)
        {
            missed = 0;
            for (final byte[] frame : frames)
            {
                view.parse(MemorySegment.ofArray(frame), 0, frame.length);
                if (FlowCache.MISS == cache.lookup(view, 0))
                {
                    missed++;
                    cache.insert(rules.classifier().classify(view, 0, counters, countedRules), countedRules, null,
                        1, false);
                }
            }
            if (0 == round)
            {
                assertEquals(flows, missed, "the first round meets every flow for the first time");
            }
        }
        assertTrue(missed <= flows / 1000, missed + " of " + flows + " flows missed in the third round");
    }

    @Test
    void theSmallestCachesHoldWhatTheyCan() throws RulesException
    {
        // 2 entries (one set, its own partner) and 4 (two sets): every lookup is a hit with the flow's own rule or a
        // miss, and a cycle of as many flows as entries stays.
        final CompiledRules rules = new CompiledRules(RulesParser.parse("ip4 dst 10.0.0.1 => accept\nip4 => drop",
            "t.rules"));
        for (final int entries : new int[] {2, 4})
        {
            final FlowCache cache = new FlowCache(entries, SEED);
            cache.reset(rules.matchesLength(), rules.matchesTcpFlags());
            final long[] counters = Classifier.newCounters(2);
            for (int round = 0; round < 4; round++)
            {
                int hits = 0;
                for (int i = 0; i < entries; i++)
                {
                    final byte[] frame = new FrameBuilder().ipv4(0x0A000100 + i, 0x0A000000 + i % 2)
                        .udp(1000, 2000).length(64).build();
                    view.parse(MemorySegment.ofArray(frame), 0, frame.length);
                    final int rule = rules.classifier().classify(view, 0, Classifier.newCounters(2), countedRules);
                    final int slot = cache.lookup(view, 0);
                    if (FlowCache.MISS == slot)
                    {
                        assertTrue(cache.insert(rule, countedRules, null, 1, false) >= 0);
                    }
                    else
                    {
                        assertEquals(rule, cache.rule(slot, counters, frame.length), "flow " + i);
                        hits++;
                    }
                }
                assertEquals(0 == round ? 0 : entries, hits, entries + " entries, round " + round);
            }
        }
    }

    @Test
    void leavesAZeroUdpChecksumZeroOnAHit() throws RulesException
    {
        final CompiledRules rules = new CompiledRules(RulesParser.parse(
            "ip4 proto udp => accept set-dst 10.0.1.2 set-dport 8083", "t.rules"));
        final FlowCache cache = new FlowCache(FlowCache.DEFAULT_ENTRIES, SEED);
        cache.reset(rules.matchesLength(), rules.matchesTcpFlags());
        final long[] counters = Classifier.newCounters(1);
        for (int i = 0; i < 2; i++)
        {
            final byte[] frame = new FrameBuilder().ipv4(0x0A000001, 0x0A000811).udp(1, 8080).length(64).build();
            final MemorySegment s = MemorySegment.ofArray(frame);
            UdpHeader.checksum(s, 34, 0);
            view.parse(s, 0, frame.length);
            final int slot = cache.lookup(view, 0);
            if (0 == i)
            {
                assertEquals(FlowCache.MISS, slot);
                cache.insert(rules.classifier().classify(view, 0, counters, countedRules), countedRules,
                    rules.program(0), 1, false);
            }
            else
            {
                assertTrue(slot >= 0);
                assertEquals(0, cache.rule(slot, counters, view.length()));
                assertTrue(cache.rewrite(slot, view, rules.program(0)));
                assertEquals(0, UdpHeader.checksum(s, 34), "0 means no checksum, and stays so");
                assertEquals(0x0A000102, Ipv4Header.destination(s, 14));
                assertTrue(Ipv4Header.isChecksumValid(s, 14));
            }
        }
        assertEquals(2, counters[Classifier.packetsIndex(0)]);
    }

    /**
     * The fast path writes a rule's address and port groups whole, with the group a rule leaves holding the flow's own
     * values: bytes and checksums must come out exactly as the rewrite program writes them, for either group alone,
     * both, TCP and UDP, and a UDP frame sent without a checksum.
     */
    @Test
    void theFastPathWritesWhatTheProgramWrites() throws RulesException
    {
        final String[] rewrites = {"set-dst 10.0.1.2", "set-dport 8083", "set-src 192.0.2.1 set-sport 40000",
            "set-dst 10.0.1.2 set-dport 8083", "set-dport 8080"};
        try (Arena arena = Arena.ofConfined())
        {
            final MemorySegment nativeFrame = arena.allocate(2048, 64);
            for (final String rewrite : rewrites)
            {
                for (final boolean tcp : new boolean[] {false, true})
                {
                    final CompiledRules rules = new CompiledRules(RulesParser.parse(
                        "proto " + (tcp ? "tcp" : "udp") + " dst 10.0.8.17 => redirect 1 " + rewrite, "t.rules"));
                    for (final boolean noUdpChecksum : tcp ? new boolean[] {false} : new boolean[] {false, true})
                    {
                        final FrameBuilder builder = new FrameBuilder().ipv4(0x0A000001, 0x0A000811).length(80);
                        final byte[] frame = (tcp ? builder.tcp(5555, 8080, 0x18) : builder.udp(5555, 8080)).build();
                        if (noUdpChecksum)
                        {
                            UdpHeader.checksum(MemorySegment.ofArray(frame), 34, 0);
                        }
                        final FlowCache cache = new FlowCache(FlowCache.DEFAULT_ENTRIES, SEED);
                        cache.reset(rules.matchesLength(), rules.matchesTcpFlags());
                        final long[] counters = Classifier.newCounters(1);
                        final byte[] expected = frame.clone();
                        final MemorySegment e = MemorySegment.ofArray(expected);
                        view.parse(e, 0, expected.length);
                        assertEquals(FlowCache.MISS, cache.lookup(view, 0));
                        cache.insert(rules.classifier().classify(view, 0, counters, countedRules), countedRules,
                            rules.program(0), 1, false);
                        assertTrue(rules.program(0).apply(view));

                        MemorySegment.copy(MemorySegment.ofArray(frame), 0, nativeFrame, 0, frame.length);
                        final String where = rewrite + (tcp ? " tcp" : noUdpChecksum ? " udp, no checksum" : " udp");
                        assertEquals(1 | FlowCache.PLAIN_REWRITTEN,
                            cache.forwardPlain(nativeFrame.address(), frame.length, 0, counters), where);
                        assertArrayEquals(expected, nativeFrame.asSlice(0, frame.length).toArray(JAVA_BYTE), where);
                        assertEquals(2, counters[Classifier.packetsIndex(0)], where);
                        assertEquals(2L * frame.length, counters[Classifier.bytesIndex(0)], where);
                        final MemorySegment a = nativeFrame.asSlice(0, frame.length);
                        assertTrue(Ipv4Header.isChecksumValid(a, 14), where);
                        if (noUdpChecksum)
                        {
                            assertEquals(0, UdpHeader.checksum(a, 34), where);
                        }
                        else
                        {
                            assertTrue(InternetChecksum.verify(a, 34, frame.length - 34, InternetChecksum
                                .ipv4PseudoHeaderSum(Ipv4Header.source(a, 14), Ipv4Header.destination(a, 14),
                                    tcp ? IpProtocol.TCP : IpProtocol.UDP, frame.length - 34)), where);
                        }
                    }
                }
            }
        }
    }

    @Test
    void neverCachesMalformedOrNonIpv4Frames() throws RulesException
    {
        final CompiledRules rules = new CompiledRules(RulesParser.parse("malformed => accept\nip6 => drop", "t"));
        final FlowCache cache = new FlowCache(FlowCache.DEFAULT_ENTRIES, SEED);
        cache.reset(rules.matchesLength(), rules.matchesTcpFlags());
        final byte[] runt = new byte[20];
        view.parse(MemorySegment.ofArray(runt), 0, runt.length);
        assertEquals(FlowCache.BYPASS, cache.lookup(view, 0));
        assertEquals(FlowCache.BYPASS, cache.lookup(view, 0, true), "not even after a plain miss");
        final byte[] v6 = new FrameBuilder().ipv6(new long[] {1, 2}, new long[] {3, 4}).udp(1, 2).build();
        view.parse(MemorySegment.ofArray(v6), 0, v6.length);
        assertEquals(FlowCache.BYPASS, cache.lookup(view, 0));
        assertFalse(new FlowCache(8, SEED).enabled(), "off until reset for a rule set");
    }

    @Test
    void aNewRuleGenerationRetiresEveryEntryWithoutWritingTheTable() throws Exception
    {
        final CompiledRules rules = new CompiledRules(RulesParser.parse("proto udp => accept\n", "t.rules"));
        final FlowCache cache = new FlowCache(64, SEED);
        final Field table = FlowCache.class.getDeclaredField("entries");
        table.setAccessible(true);
        final long[] entries = (long[])table.get(cache);
        final Random random = new Random(31);
        final List<byte[]> old = new ArrayList<>();
        final List<byte[]> young = new ArrayList<>();
        for (int i = 0; i < 32; i++)
        {
            old.add(TestFrames.randomIpv4(random));
            young.add(TestFrames.randomIpv4(random));
        }
        cache.reset(rules.matchesLength(), rules.matchesTcpFlags());
        final int oldCached = cacheAll(cache, rules, old);
        assertTrue(oldCached > 24, "cached " + oldCached);

        final long[] before = entries.clone();
        cache.reset(rules.matchesLength(), rules.matchesTcpFlags());
        assertArrayEquals(before, entries, "a reload writes no entry");
        assertEquals(0, hits(cache, old), "no entry of the last generation matches");
        // The old entries count as free: half the cache's worth of new flows all find a place (with the old ones
        // taken, about a quarter of them would evict each other).
        assertEquals(cacheAll(cache, rules, young), hits(cache, young));
        assertTrue(hits(cache, young) > 24, "cached " + hits(cache, young));

        // Once the tag comes round (2^22 reloads), the table is emptied: the first generation's flows still miss.
        cache.reset(rules.matchesLength(), rules.matchesTcpFlags());
        cacheAll(cache, rules, old);
        for (int i = 0; i < 1 << 22; i++)
        {
            cache.reset(rules.matchesLength(), rules.matchesTcpFlags());
        }
        assertEquals(0, hits(cache, old));
        assertEquals(0, hits(cache, young));
    }

    /** Inserts each frame's flow that misses: the number of frames whose flow was missing. */
    private int cacheAll(final FlowCache cache, final CompiledRules rules, final List<byte[]> frames)
    {
        int inserted = 0;
        for (final byte[] frame : frames)
        {
            view.parse(MemorySegment.ofArray(frame), 0, frame.length);
            if (FlowCache.MISS == cache.lookup(view, 0))
            {
                final int rule = rules.classifier().classify(view, 0, Classifier.newCounters(1), countedRules);
                cache.insert(rule, countedRules, null, 1, false);
                inserted++;
            }
        }
        return inserted;
    }

    private int hits(final FlowCache cache, final List<byte[]> frames)
    {
        int hits = 0;
        for (final byte[] frame : frames)
        {
            view.parse(MemorySegment.ofArray(frame), 0, frame.length);
            hits += cache.lookup(view, 0) >= 0 ? 1 : 0;
        }
        return hits;
    }

    private static boolean rewrites(final CompiledRules rules, final int rule)
    {
        return Classifier.NO_MATCH != rule && rules.verdict(rule) != Verdict.DROP &&
            rules.verdict(rule) != Verdict.COUNT;
    }
}
