package dev.dataplane.forwarder.rules.flow;

import static dev.dataplane.dpdk.NativeMemory.ALL;
import static dev.dataplane.forwarder.rules.flow.FlowKeys.RAW16;
import static dev.dataplane.forwarder.rules.flow.FlowKeys.RAW32;
import static dev.dataplane.forwarder.rules.flow.FlowKeys.RAW64;
import static dev.dataplane.forwarder.rules.flow.FlowKeys.swap16;
import static dev.dataplane.forwarder.rules.flow.FlowTable.PAYLOAD_AT;
import static dev.dataplane.forwarder.rules.flow.FlowTable.SIDE;
import static dev.dataplane.forwarder.rules.flow.FlowTable.STRIDE;

import java.lang.foreign.MemorySegment;

import dev.dataplane.forwarder.rules.classify.Classifier;
import dev.dataplane.forwarder.rules.rewrite.RewriteProgram;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.PlainFrame;
import dev.dataplane.net.TcpHeader;
import dev.dataplane.net.UdpHeader;

/**
 * What a flow's entry does with its frames, in the entry's payload words: the rule it matched and the {@code count}
 * rules before it (beside the entry), where its frames go, and, for a flow-constant rewrite
 * ({@link RewriteProgram#constantFields()}), the values it writes and the two checksum deltas (RFC 1624) they make:
 * for one flow such a rewrite always writes the same values over the same old ones, so a hit writes constants.
 * <pre>
 *   action           rule (bits 0-31) | constant fields (32-39; 0xFF: not flow-constant) | SWAP_MACS | REWRITES
 *                    | COUNTS | ADDRESSES_AND_PORTS_ONLY | output port + 1 (48-63; 0: dropped)
 *   addresses        the new source and destination, as RAW64 writes them at the source address
 *   ports, deltas    the new ports as RAW32 writes them (high 32 bits) | IPv4 delta << 16 | L4 delta, in memory order
 *   source MAC, destination MAC
 * </pre>
 * Static, over the table's arrays, so that the fast path's calls inline.
 */
final class FlowAction
{
    /** The most {@code count} rules an entry replays besides its terminal rule. */
    static final int MAX_COUNTED = FlowTable.SIDE;
    /** Fields of a rewrite that is not flow-constant. */
    static final int NOT_CONSTANT = 0xFF;

    private static final int ACTION = PAYLOAD_AT;
    private static final int ADDRESSES = PAYLOAD_AT + 1;
    private static final int PORTS_AND_DELTAS = PAYLOAD_AT + 2;
    private static final int SOURCE_MAC = PAYLOAD_AT + 3;
    private static final int DESTINATION_MAC = PAYLOAD_AT + 4;
    private static final int FIELDS_SHIFT = 32;
    /** The verdict is tx: the MAC addresses are swapped before the rewrites. */
    private static final long SWAP_MACS = 1L << 40;
    /** The rule has rewrites (its frames leave with their checksums offloaded where the port offers it). */
    private static final long REWRITES = 1L << 41;
    /** The flow matched {@code count} rules before its terminal one (their indexes are beside the entry). */
    private static final long COUNTS = 1L << 42;
    /**
     * The common rewrite, with nothing else to do: a rule sends the flow's frames on with constant addresses and/or
     * ports (DNAT, SNAT), no MACs set or swapped, no {@code count} rules to replay. The fast path then writes both
     * groups whole (a group the rule leaves holds the flow's own values, and its checksum delta is 0) and skips the
     * rest of the action word.
     */
    private static final long ADDRESSES_AND_PORTS_ONLY = 1L << 43;
    private static final int OUTPUT_SHIFT = 48;
    private static final int ADDRESS_FIELDS = RewriteProgram.SETS_SOURCE | RewriteProgram.SETS_DESTINATION;
    private static final int PORT_FIELDS = RewriteProgram.SETS_SOURCE_PORT | RewriteProgram.SETS_DESTINATION_PORT;
    private static final int L4_FIELDS = ADDRESS_FIELDS | PORT_FIELDS;
    private static final int MAC_FIELDS = RewriteProgram.SETS_SOURCE_MAC | RewriteProgram.SETS_DESTINATION_MAC;

    private FlowAction()
    {
    }

    /**
     * Writes the action of the entry at {@code slot}, whose key words 1 and 2 are {@code key1} and {@code key2}.
     *
     * @param countedRules the {@code count} rules to replay: {@code countedCount} of them, at most
     *                     {@link #MAX_COUNTED}.
     * @param program      the rule's rewrites when they apply (accept, tx, redirect), else null.
     * @param output       the port the flow's frames leave by, or {@link FlowCache#DROP}.
     */
    static void write(final long[] entries, final int[] side, final int slot, final long key1, final long key2,
        final int rule, final int[] countedRules, final int countedCount, final RewriteProgram program,
        final int output, final boolean swapMacs)
    {
        final int countedAt = slot / STRIDE * SIDE;
        System.arraycopy(countedRules, 0, side, countedAt, countedCount);
        for (int i = countedCount; i < MAX_COUNTED; i++)
        {
            side[countedAt + i] = -1;
        }
        final int fields = null == program ? 0 : program.constantFields();
        final int oldSource = Integer.reverseBytes((int)(key1 >>> 32));
        final int oldDestination = Integer.reverseBytes((int)key1);
        final int oldPorts = Integer.reverseBytes((int)(key2 >>> 32));
        final int oldSourcePort = oldPorts >>> 16;
        final int oldDestinationPort = oldPorts & 0xFFFF;
        final boolean constant = null != program && RewriteProgram.NOT_FLOW_CONSTANT != fields;
        final int source = constant && 0 != (fields & RewriteProgram.SETS_SOURCE) ? program.source() : oldSource;
        final int destination = constant && 0 != (fields & RewriteProgram.SETS_DESTINATION) ?
            program.destination() : oldDestination;
        final int sourcePort = constant && 0 != (fields & RewriteProgram.SETS_SOURCE_PORT) ?
            program.sourcePort() : oldSourcePort;
        final int destinationPort = constant && 0 != (fields & RewriteProgram.SETS_DESTINATION_PORT) ?
            program.destinationPort() : oldDestinationPort;
        // Exactly 0 when the addresses stay (an unchanged word's delta16 sums to 0xFFFF, which is not a no-op on a
        // checksum of 0xFFFF), so that the fast path may apply it regardless.
        final long addressDelta = 0 == (fields & ADDRESS_FIELDS) ? 0 : InternetChecksum.delta32(oldSource, source) +
            InternetChecksum.delta32(oldDestination, destination);
        final long l4Delta = addressDelta + InternetChecksum.delta16(oldSourcePort, sourcePort) +
            InternetChecksum.delta16(oldDestinationPort, destinationPort);
        final boolean addressesAndPortsOnly = constant && Classifier.NO_MATCH != rule && FlowCache.DROP != output &&
            !swapMacs && 0 == countedCount && 0 != (fields & L4_FIELDS) && 0 == (fields & ~L4_FIELDS);
        entries[slot + ACTION] = (long)(fields & NOT_CONSTANT) << FIELDS_SHIFT | (rule & 0xFFFFFFFFL) |
            (swapMacs ? SWAP_MACS : 0) | (null == program || program.isEmpty() ? 0 : REWRITES) |
            (0 == countedCount ? 0 : COUNTS) | (addressesAndPortsOnly ? ADDRESSES_AND_PORTS_ONLY : 0) |
            (long)(output + 1) << OUTPUT_SHIFT;
        // Stored as they are written (RAW64, RAW32, RAW16): no byte swaps on a hit.
        entries[slot + ADDRESSES] = Long.reverseBytes((long)source << 32 | (destination & 0xFFFFFFFFL));
        final long ports = Integer.reverseBytes(sourcePort << 16 | destinationPort) & 0xFFFFFFFFL;
        entries[slot + PORTS_AND_DELTAS] = ports << 32 | swap16(InternetChecksum.fold(addressDelta)) << 16 |
            swap16(InternetChecksum.fold(l4Delta));
        entries[slot + SOURCE_MAC] = constant ? program.sourceMac() : 0;
        entries[slot + DESTINATION_MAC] = constant ? program.destinationMac() : 0;
    }

    /** The action word of the entry at {@code slot}. */
    static long action(final long[] entries, final int slot)
    {
        return entries[slot + ACTION];
    }

    /** The rewrite's flow-constant fields ({@code RewriteProgram.SETS_*}), or {@link #NOT_CONSTANT}. */
    static int fields(final long action)
    {
        return (int)(action >>> FIELDS_SHIFT) & NOT_CONSTANT;
    }

    /** The terminal rule, or {@link Classifier#NO_MATCH}. */
    static int rule(final long action)
    {
        return (int)action;
    }

    /** The port the flow's frames leave by, or {@link FlowCache#DROP}. */
    static int output(final long action)
    {
        return (int)(action >>> OUTPUT_SHIFT) - 1;
    }

    static boolean swapsMacs(final long action)
    {
        return 0 != (action & SWAP_MACS);
    }

    static boolean rewrites(final long action)
    {
        return 0 != (action & REWRITES);
    }

    /** A DNAT/SNAT of constant addresses and ports and nothing else: {@link #writeAddressesAndPorts} does it all. */
    static boolean addressesAndPortsOnly(final long action)
    {
        return 0 != (action & ADDRESSES_AND_PORTS_ONLY);
    }

    /** Counts a hit on {@code slot} (whose action word is {@code action}) as the classifier would; returns its rule. */
    static int countHit(final long[] entries, final int[] side, final int slot, final long action,
        final long[] counters, final int length)
    {
        final int rule = (int)action;
        if (Classifier.NO_MATCH != rule)
        {
            Classifier.count(counters, rule, length);
        }
        if (0 != (action & COUNTS))
        {
            countCounted(side, slot, counters, length);
        }
        return rule;
    }

    private static void countCounted(final int[] side, final int slot, final long[] counters, final int length)
    {
        final int countedAt = slot / STRIDE * SIDE;
        for (int i = 0; i < MAX_COUNTED; i++)
        {
            final int countRule = side[countedAt + i];
            if (countRule < 0)
            {
                break;
            }
            Classifier.count(counters, countRule, length);
        }
    }

    /**
     * Writes a flow-constant entry's fields and applies its checksum deltas, all in memory order. Addresses and
     * ports hold the flow's own values where the rule sets none, so each group is written whole. {@code l4} and
     * {@code l4Checksum} are -1 when the frame has no L4 header.
     */
    static void applyConstant(final long[] entries, final int slot, final int fields, final MemorySegment s,
        final long frame, final long l3, final long l4, final long l4Checksum, final boolean udp)
    {
        final long portsAndDeltas = entries[slot + PORTS_AND_DELTAS];
        if (0 != (fields & ADDRESS_FIELDS))
        {
            writeAddresses(entries, slot, s, l3, portsAndDeltas);
        }
        if (l4 >= 0 && 0 != (fields & L4_FIELDS))
        {
            if (0 != (fields & PORT_FIELDS))
            {
                s.set(RAW32, l4, (int)(portsAndDeltas >>> 32));
            }
            updateL4Checksum(s, l4Checksum, (int)portsAndDeltas & 0xFFFF, udp);
        }
        if (0 != (fields & MAC_FIELDS))
        {
            setMacs(entries, slot, fields, s, frame);
        }
    }

    /**
     * Writes a flow-constant entry's addresses and ports whole into a plain frame and applies both checksum deltas:
     * what {@link #applyConstant} does for an entry that is {@link #addressesAndPortsOnly}, without asking which
     * groups the rule sets.
     */
    static void writeAddressesAndPorts(final long[] entries, final int slot, final long frame, final boolean udp)
    {
        final long portsAndDeltas = entries[slot + PORTS_AND_DELTAS];
        writeAddresses(entries, slot, ALL, frame + PlainFrame.L3, portsAndDeltas);
        final long l4 = frame + PlainFrame.L4;
        ALL.set(RAW32, l4, (int)(portsAndDeltas >>> 32));
        updateL4Checksum(ALL, l4ChecksumAt(l4, udp), (int)portsAndDeltas & 0xFFFF, udp);
    }

    /** Where the checksum of the UDP or TCP header at {@code l4} is. */
    static long l4ChecksumAt(final long l4, final boolean udp)
    {
        return l4 + (udp ? UdpHeader.CHECKSUM_OFFSET : TcpHeader.CHECKSUM_OFFSET);
    }

    private static void setMacs(final long[] entries, final int slot, final int fields, final MemorySegment s,
        final long frame)
    {
        if (0 != (fields & RewriteProgram.SETS_SOURCE_MAC))
        {
            EthernetHeader.source(s, frame, entries[slot + SOURCE_MAC]);
        }
        if (0 != (fields & RewriteProgram.SETS_DESTINATION_MAC))
        {
            EthernetHeader.destination(s, frame, entries[slot + DESTINATION_MAC]);
        }
    }

    /** Writes the entry's addresses at the IPv4 header at {@code l3} and applies their delta to its checksum. */
    private static void writeAddresses(final long[] entries, final int slot, final MemorySegment s, final long l3,
        final long portsAndDeltas)
    {
        s.set(RAW64, l3 + Ipv4Header.SOURCE_OFFSET, entries[slot + ADDRESSES]);
        final long at = l3 + Ipv4Header.CHECKSUM_OFFSET;
        s.set(RAW16, at, (short)InternetChecksum.applyFoldedDelta(s.get(RAW16, at) & 0xFFFF,
            (int)(portsAndDeltas >>> 16) & 0xFFFF));
    }

    /** Applies a folded delta to the L4 checksum at {@code at}; UDP's "no checksum" (0) stays (RFC 768). */
    private static void updateL4Checksum(final MemorySegment s, final long at, final int foldedDelta,
        final boolean udp)
    {
        final int checksum = s.get(RAW16, at) & 0xFFFF;
        // A UDP checksum of 0 means none and stays 0; a computed 0 goes out as 0xFFFF (RFC 768). Both read the
        // same in either byte order.
        if (!udp || 0 != checksum)
        {
            final int updated = InternetChecksum.applyFoldedDelta(checksum, foldedDelta);
            s.set(RAW16, at, (short)(udp && 0 == updated ? 0xFFFF : updated));
        }
    }
}
