package dev.dataplane.forwarder.conntrack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import dev.dataplane.dpdk.Prefetch;
import org.junit.jupiter.api.Test;

/** The connection table under a clock the test moves: both directions, expiry, sweeping, a full table, the hash. */
class ConnTableTest
{
    private static final long SEED = 0x5EED;

    @Test
    void findsAConnectionFromEitherDirectionUntilItExpires()
    {
        try (ConnTable table = new ConnTable(16, SEED))
        {
            final int entry = table.insert(1, 2, 3, 4, 100);
            assertTrue(entry >= 0);
            assertEquals(entry << 1, table.lookup(1, 2, 50), "the original direction");
            assertEquals(entry << 1 | 1, table.lookup(3, 4, 50), "the reply direction");
            assertEquals(ConnTable.MISS, table.lookup(1, 4, 50));
            assertEquals(3, table.key(entry, true, 0));
            table.touch(entry, 200);
            assertEquals(entry << 1, table.lookup(1, 2, 150), "a packet pushed the time on");
            assertEquals(ConnTable.MISS, table.lookup(3, 4, 200), "expired: removed on the lookup");
            assertEquals(ConnTable.MISS, table.lookup(1, 2, 0), "both keys went");
            assertEquals(0, table.used());
            assertEquals(1, table.expired());
        }
    }

    @Test
    void anUnconfirmedConnectionIsFoundByItsReplyKeyOnlyOnceConfirmed()
    {
        try (ConnTable table = new ConnTable(16, SEED))
        {
            final int entry = table.insertUnconfirmed(1, 2, 3, 4, 100);
            assertTrue(table.isUnconfirmed(entry));
            assertEquals(entry << 1, table.lookup(1, 2, 0));
            assertEquals(ConnTable.MISS, table.lookup(3, 4, 0), "its reply key is not indexed yet");
            assertTrue(table.rekeyReply(entry, 5, 6), "a NAT's reply key, kept in the entry");
            assertEquals(ConnTable.MISS, table.lookup(5, 6, 0));
            assertEquals(ConnTable.CONFIRMED, table.confirm(entry));
            assertEquals(entry << 1 | 1, table.lookup(5, 6, 0), "indexed by the confirm");
            assertEquals(ConnTable.MISS, table.lookup(3, 4, 0), "the first reply key never was");

            final int clash = table.insertUnconfirmed(7, 8, 5, 6, 100);
            assertEquals(ConnTable.KEY_LIVE, table.confirm(clash), "another connection's reply key");
            assertEquals(ConnTable.KEY_LIVE, table.confirm(table.insertUnconfirmed(9, 9, 9, 9, 100)),
                "a reply key that is its own original key");
            table.remove(clash);
            table.remove(table.lookup(9, 9, 0) >>> 1);
            assertEquals(1, table.used());
            assertEquals(entry << 1 | 1, table.lookup(5, 6, 0), "removing unconfirmed ones left the index alone");
            table.remove(entry);
            assertEquals(0, table.used());
            for (int i = 0; i < 16; i++)
            {
                assertEquals(ConnTable.CONFIRMED, table.confirm(table.insertUnconfirmed(100 + i, 0, 200 + i, 0, 100)),
                    "every slot came back");
            }
        }
    }

    @Test
    void aSweepBudgetPastTheTableRemovesEachExpiredConnectionOnce()
    {
        try (ConnTable table = new ConnTable(4, SEED))
        {
            for (int i = 0; i < 4; i++)
            {
                assertTrue(table.insert(10 + i, 0, 20 + i, 0, 100) >= 0);
            }
            assertEquals(4, table.sweep(100, 1000));
            assertEquals(0, table.used());
            for (int i = 0; i < 4; i++)
            {
                assertTrue(table.insert(30 + i, 0, 40 + i, 0, 200) >= 0, "the free list holds each entry once");
            }
            assertEquals(ConnTable.FULL, table.insert(50, 0, 60, 0, 200));
        }
    }

    @Test
    void aFullTableRefusesNewConnectionsUntilOneGoes()
    {
        try (ConnTable table = new ConnTable(4, SEED))
        {
            for (int i = 0; i < 4; i++)
            {
                assertTrue(table.insert(10 + i, 0, 20 + i, 0, 1000) >= 0);
            }
            assertEquals(ConnTable.FULL, table.insert(99, 0, 98, 0, 1000));
            assertEquals(1, table.full());
            final int entry = table.lookup(12, 0, 0) >>> 1;
            table.remove(entry);
            assertEquals(entry, table.insert(99, 0, 98, 0, 1000), "the entry freed is taken again");
            assertEquals(ConnTable.MISS, table.lookup(12, 0, 0));
            assertEquals(entry << 1 | 1, table.lookup(98, 0, 0));
        }
    }

    @Test
    void theSweepRemovesExpiredConnectionsABoundedNumberOfSlotsAtATime()
    {
        try (ConnTable table = new ConnTable(64, SEED))
        {
            for (int i = 0; i < 64; i++)
            {
                table.insert(i, 1, i, 2, i < 32 ? 10 : 1000);
            }
            assertEquals(0, table.sweep(5, 64), "nothing expired yet");
            assertEquals(8, table.sweep(10, 8), "a budget of 8 slots, all expired");
            assertEquals(24, table.sweep(10, 56), "the rest of the first half");
            assertEquals(32, table.used());
            assertEquals(0, table.sweep(10, 64), "round again: the live ones stay");
            assertEquals(ConnTable.MISS, table.lookup(5, 1, 10));
            assertTrue(table.lookup(40, 2, 10) >= 0);
        }
    }

    @Test
    void behavesAsAMapOfBothKeysUnderRandomOperations()
    {
        final Random random = new Random(7);
        try (ConnTable table = new ConnTable(1024, SEED))
        {
            // The model: key -> connection (its two keys and expiry).
            final Map<List<Long>, long[]> model = new HashMap<>();
            final Map<List<Long>, Integer> candidates = new HashMap<>();
            final Prefetch lines = new Prefetch(2);
            int held = 0;
            long now = 0;
            for (int op = 0; op < 200_000; op++)
            {
                now += random.nextInt(3);
                final long a = random.nextInt(3000);
                final List<Long> key = List.of(a, a * 31 + 7);
                final List<Long> replyKey = List.of(a + 1_000_000, a);
                long[] connection = model.get(key);
                if (null != connection && connection[4] <= now)
                {
                    model.remove(List.of(connection[0], connection[1]));
                    model.remove(List.of(connection[2], connection[3]));
                    connection = null;
                }
                // A candidate found ops ago, as a burst's look-ahead finds one before the packets ahead change the
                // table: when it holds, it is what the lookup finds.
                final Integer candidate = candidates.get(key);
                final boolean holds = null != candidate && candidate >= 0 &&
                    table.holds(candidate, key.get(0), key.get(1), now);
                final int found = table.lookup(key.get(0), key.get(1), now);
                assertEquals(null != connection, found >= 0, "op " + op);
                if (holds)
                {
                    assertEquals(found, (int)candidate, "op " + op);
                    held++;
                }
                candidates.put(key, table.candidate(table.prefetchBucket(key.get(0), key.get(1), lines), lines));
                lines.clear();
                if (null == connection && random.nextInt(4) != 0)
                {
                    final int entry = table.insert(key.get(0), key.get(1), replyKey.get(0), replyKey.get(1),
                        now + 1 + random.nextInt(2000));
                    if (entry >= 0)
                    {
                        final long[] inserted = {key.get(0), key.get(1), replyKey.get(0), replyKey.get(1),
                            table.expiresAt(entry)};
                        model.put(key, inserted);
                        model.put(replyKey, inserted);
                    }
                    else
                    {
                        assertEquals(ConnTable.FULL, entry, "with half the index free, only a full table refuses");
                        assertEquals(1024, table.used());
                    }
                }
                else if (null != connection && random.nextInt(8) == 0)
                {
                    table.remove(found >>> 1);
                    model.remove(key);
                    model.remove(List.of(connection[2], connection[3]));
                }
                if (op % 64 == 0)
                {
                    table.sweep(now, 32);
                    final long swept = now;
                    model.values().removeIf(c -> c[4] <= swept);
                }
            }
            final long end = now;
            model.values().removeIf(c -> c[4] <= end);
            assertEquals(new HashSet<>(model.values()).size(), liveCount(table, model, now));
            table.sweep(now, 1024);
            assertEquals(table.used(), liveCount(table, model, now), "once swept, no entry but the model's is taken");
            assertTrue(held > 1_000, "candidates held: " + held);
        }
    }

    @Test
    void aCandidateHoldsOnlyWhileItsEntryIsTheLiveConnectionOfItsKey()
    {
        final Prefetch lines = new Prefetch(8);
        try (ConnTable table = new ConnTable(16, SEED))
        {
            final int entry = table.insert(1, 2, 3, 4, 100);
            final int original = table.candidate(table.prefetchBucket(1, 2, lines), lines);
            final int reply = table.candidate(table.prefetchBucket(3, 4, lines), lines);
            assertEquals(6, lines.count(), "each key's bucket, and both lines of its connection, asked for");
            lines.clear();
            assertEquals(entry << 1, original);
            assertEquals(entry << 1 | 1, reply);
            assertTrue(table.holds(original, 1, 2, 50) && table.holds(reply, 3, 4, 50));
            assertFalse(table.holds(original, 1, 3, 50), "another key");
            assertFalse(table.holds(reply, 1, 2, 50), "the other direction's key");
            assertFalse(table.holds(original, 1, 2, 100), "expired");

            table.remove(entry);
            assertFalse(table.holds(original, 1, 2, 50), "removed");
            assertEquals(entry, table.insertUnconfirmed(1, 2, 3, 4, 100), "the entry taken again, same keys");
            assertTrue(table.holds(original, 1, 2, 50), "the original key is indexed at once");
            assertFalse(table.holds(reply, 3, 4, 50), "its reply key is not until the confirm");
            assertEquals(ConnTable.MISS, table.lookup(3, 4, 50));
            assertEquals(ConnTable.CONFIRMED, table.confirm(entry));
            assertTrue(table.holds(reply, 3, 4, 50));
            table.remove(entry);
            assertEquals(entry, table.insert(5, 6, 7, 8, 100), "taken by another connection");
            assertFalse(table.holds(original, 1, 2, 50));
            assertEquals(-1, table.candidate(table.prefetchBucket(1, 2, lines), lines), "no slot of its signature");
        }
    }

    @Test
    void takesAtMostTheStatedBytesPerConnection()
    {
        try (ConnTable table = new ConnTable(1 << 16, SEED))
        {
            assertEquals(ConnTable.BYTES_PER_FLOW * (1L << 16), table.bytes());
            assertTrue(ConnTable.BYTES_PER_FLOW <= 160, "the issue's budget, both keys included");
        }
    }

    @Test
    void tuplesCraftedToShareABucketInOneProcessSpreadInAnother()
    {
        try (ConnTable mine = new ConnTable(1 << 16, SEED); ConnTable other = new ConnTable(1 << 16, ~SEED))
        {
            // An attacker who knew this process's seed picks 200 tuples with one home bucket.
            final List<long[]> crafted = new ArrayList<>();
            final int target = mine.homeBucket(0, 0);
            for (long a = 1; crafted.size() < 200; a++)
            {
                if (mine.homeBucket(a, 0x1F90_0000_1100L) == target)
                {
                    crafted.add(new long[] {a, 0x1F90_0000_1100L});
                }
            }
            final Set<Integer> buckets = new HashSet<>();
            for (final long[] tuple : crafted)
            {
                buckets.add(other.homeBucket(tuple[0], tuple[1]));
            }
            assertTrue(buckets.size() > 190, "another process's seed scatters them: " + buckets.size());
        }
    }

    private static int liveCount(final ConnTable table, final Map<List<Long>, long[]> model, final long now)
    {
        int live = 0;
        for (final long[] connection : new HashSet<>(model.values()))
        {
            assertTrue(table.lookup(connection[0], connection[1], now) >= 0);
            assertTrue(table.lookup(connection[2], connection[3], now) >= 0);
            live++;
        }
        return live;
    }
}
