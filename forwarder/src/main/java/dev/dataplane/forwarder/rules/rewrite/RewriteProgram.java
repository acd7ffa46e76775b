package dev.dataplane.forwarder.rules.rewrite;

import java.lang.foreign.MemorySegment;

import dev.dataplane.forwarder.rules.lang.Rewrite;
import dev.dataplane.forwarder.rules.lang.Rule;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.HeaderRewrite;
import dev.dataplane.net.InternetChecksum;
import dev.dataplane.net.Ipv4Header;
import dev.dataplane.net.Ipv6Header;
import dev.dataplane.net.NetworkOrder;
import dev.dataplane.net.PacketView;

/**
 * A rule's rewrites, compiled to flat arrays and applied in place to a parsed frame, allocation-free. Every change
 * keeps the checksums valid incrementally (RFC 1624): the IPv4 header checksum for addresses, TTL and DSCP; the
 * UDP/TCP checksum for ports and, through the pseudo-header, for addresses of either IP version.
 * <p>
 * Defined cases: a UDP checksum of 0 over IPv4 ("none") stays 0, and a computed 0 is sent as 0xFFFF; a fragment
 * other than the first has no ports, so port rewrites pass it by (addresses are still rewritten); {@code dec-ttl}
 * on a TTL or hop limit of 0 or 1 drops the frame, as a router would.
 */
public final class RewriteProgram
{
    private static final RewriteProgram EMPTY = new RewriteProgram(new Rewrite.Kind[0], new long[0], new long[0]);

    /** Bits of {@link #constantFields()}: the IPv4 fields and MACs a flow-constant program sets. */
    public static final int SETS_SOURCE = 1;
    public static final int SETS_DESTINATION = 2;
    public static final int SETS_SOURCE_PORT = 4;
    public static final int SETS_DESTINATION_PORT = 8;
    public static final int SETS_SOURCE_MAC = 16;
    public static final int SETS_DESTINATION_MAC = 32;
    /** {@link #constantFields()} of a program whose effect depends on more than the flow (TTL, DSCP). */
    public static final int NOT_FLOW_CONSTANT = -1;

    private final Rewrite.Kind[] kinds;
    private final long[] values;
    private final long[] values2;
    private final int constantFields;
    private int source;
    private int destination;
    private int sourcePort;
    private int destinationPort;
    private long sourceMac;
    private long destinationMac;
    /** The {@code SETS_*} bits of the address and port rewrites: what a tracked connection's translation sets. */
    private final int translatedFields;
    private final long[] translated = new long[4];
    /** This program without its address and port rewrites, or this program when it has none. */
    private final RewriteProgram withoutTranslation;

    private RewriteProgram(final Rewrite.Kind[] kinds, final long[] values, final long[] values2)
    {
        this.kinds = kinds;
        this.values = values;
        this.values2 = values2;
        int translates = 0;
        int others = 0;
        for (int i = 0; i < kinds.length; i++)
        {
            final int bit = translationBit(kinds[i]);
            if (0 != bit)
            {
                translates |= bit;
                translated[Integer.numberOfTrailingZeros(bit)] = values[i];
            }
            else
            {
                others++;
            }
        }
        this.translatedFields = translates;
        this.withoutTranslation = 0 == translates ? this : without(kinds, values, values2, others);
        int fields = 0;
        for (int i = 0; i < kinds.length && NOT_FLOW_CONSTANT != fields; i++)
        {
            // The last rewrite of a field wins, as in apply().
            switch (kinds[i])
            {
                case SET_SOURCE -> { fields |= SETS_SOURCE; source = (int)values[i]; }
                case SET_DESTINATION -> { fields |= SETS_DESTINATION; destination = (int)values[i]; }
                case SET_SOURCE_PORT -> { fields |= SETS_SOURCE_PORT; sourcePort = (int)values[i]; }
                case SET_DESTINATION_PORT -> { fields |= SETS_DESTINATION_PORT; destinationPort = (int)values[i]; }
                case SET_SOURCE_MAC -> { fields |= SETS_SOURCE_MAC; sourceMac = values[i]; }
                case SET_DESTINATION_MAC -> { fields |= SETS_DESTINATION_MAC; destinationMac = values[i]; }
                default -> fields = NOT_FLOW_CONSTANT;
            }
        }
        this.constantFields = fields;
    }

    private static int translationBit(final Rewrite.Kind kind)
    {
        return switch (kind)
        {
            case SET_SOURCE -> SETS_SOURCE;
            case SET_DESTINATION -> SETS_DESTINATION;
            case SET_SOURCE_PORT -> SETS_SOURCE_PORT;
            case SET_DESTINATION_PORT -> SETS_DESTINATION_PORT;
            default -> 0;
        };
    }

    private static RewriteProgram without(final Rewrite.Kind[] kinds, final long[] values, final long[] values2,
        final int others)
    {
        final Rewrite.Kind[] otherKinds = new Rewrite.Kind[others];
        final long[] otherValues = new long[others];
        final long[] otherValues2 = new long[others];
        for (int i = 0, o = 0; i < kinds.length; i++)
        {
            if (0 == translationBit(kinds[i]))
            {
                otherKinds[o] = kinds[i];
                otherValues[o] = values[i];
                otherValues2[o++] = values2[i];
            }
        }
        return 0 == others ? EMPTY : new RewriteProgram(otherKinds, otherValues, otherValues2);
    }

    public static RewriteProgram of(final Rule rule)
    {
        final int n = rule.rewrites().size();
        if (0 == n)
        {
            return EMPTY;
        }
        final Rewrite.Kind[] kinds = new Rewrite.Kind[n];
        final long[] values = new long[n];
        final long[] values2 = new long[n];
        for (int i = 0; i < n; i++)
        {
            final Rewrite rewrite = rule.rewrites().get(i);
            kinds[i] = rewrite.kind();
            values[i] = rewrite.value();
            values2[i] = rewrite.value2();
        }
        return new RewriteProgram(kinds, values, values2);
    }

    public boolean isEmpty()
    {
        return 0 == kinds.length;
    }

    /**
     * For IPv4 frames: the {@code SETS_*} bits of the fields this program sets to constants, when that is all it
     * does, so that for one flow (fixed addresses and ports) its whole effect, checksums included, is fixed and can
     * be cached ({@code FlowCache}); {@link #NOT_FLOW_CONSTANT} when it also decrements the TTL or sets the DSCP.
     */
    public int constantFields()
    {
        return constantFields;
    }

    /**
     * The {@code SETS_*} bits (source, destination and their ports) of the address and port rewrites: under
     * connection tracking these are a connection's NAT, chosen by its first packet and kept by the connection
     * ({@link #translated}), while {@link #withoutTranslation} applies to each packet.
     */
    public int translatedFields()
    {
        return translatedFields;
    }

    /** The value the last rewrite of field {@code bit} ({@code SETS_SOURCE}...{@code SETS_DESTINATION_PORT}) sets. */
    public long translated(final int bit)
    {
        return translated[Integer.numberOfTrailingZeros(bit)];
    }

    /** This program without its address and port rewrites (itself when it has none). */
    public RewriteProgram withoutTranslation()
    {
        return withoutTranslation;
    }

    /** The IPv4 source address a flow-constant program sets (with {@link #SETS_SOURCE}). */
    public int source()
    {
        return source;
    }

    public int destination()
    {
        return destination;
    }

    public int sourcePort()
    {
        return sourcePort;
    }

    public int destinationPort()
    {
        return destinationPort;
    }

    public long sourceMac()
    {
        return sourceMac;
    }

    public long destinationMac()
    {
        return destinationMac;
    }

    /**
     * Applies the rewrites to the frame {@code view} parsed (it must have parsed OK).
     *
     * @return false when the frame must be dropped (its TTL or hop limit ran out).
     */
    public boolean apply(final PacketView view)
    {
        final MemorySegment s = view.segment();
        final long frame = view.base();
        final long l3 = frame + view.l3Offset();
        final boolean hasL4 = view.hasL4();
        final long l4 = frame + view.l4Offset();
        final int protocol = view.protocol();
        final int version = view.ipVersion();
        for (int i = 0; i < kinds.length; i++)
        {
            switch (kinds[i])
            {
                case SET_SOURCE -> setAddress(view, s, l3, hasL4, l4, protocol, version, true, values[i], values2[i]);
                case SET_DESTINATION ->
                    setAddress(view, s, l3, hasL4, l4, protocol, version, false, values[i], values2[i]);
                case SET_SOURCE_PORT -> HeaderRewrite.setPort(view, true, (int)values[i]);
                case SET_DESTINATION_PORT -> HeaderRewrite.setPort(view, false, (int)values[i]);
                case DECREMENT_TTL ->
                {
                    if (!decrementTtl(s, l3, version))
                    {
                        return false;
                    }
                }
                case SET_DSCP -> setDscp(s, l3, version, (int)values[i]);
                case SET_SOURCE_MAC -> EthernetHeader.source(s, frame, values[i]);
                case SET_DESTINATION_MAC -> EthernetHeader.destination(s, frame, values[i]);
            }
        }
        return true;
    }

    private static void setAddress(final PacketView view, final MemorySegment s, final long l3,
        final boolean hasL4, final long l4, final int protocol, final int version, final boolean source,
        final long value, final long value2)
    {
        if (version == 4)
        {
            HeaderRewrite.setAddress(view, source, (int)value);
        }
        else if (version == 6)
        {
            final long field = l3 + (source ? Ipv6Header.SOURCE_OFFSET : Ipv6Header.DESTINATION_OFFSET);
            final long oldHigh = s.get(NetworkOrder.U64, field);
            final long oldLow = s.get(NetworkOrder.U64, field + 8);
            s.set(NetworkOrder.U64, field, value);
            s.set(NetworkOrder.U64, field + 8, value2);
            if (hasL4)
            {
                final long at = l4 + HeaderRewrite.checksumOffset(protocol);
                HeaderRewrite.storeL4(s, at, protocol,
                    InternetChecksum.update128(NetworkOrder.u16(s, at), oldHigh, oldLow, value, value2));
            }
        }
    }

    private static boolean decrementTtl(final MemorySegment s, final long l3, final int version)
    {
        if (version == 4)
        {
            final int ttl = Ipv4Header.ttl(s, l3);
            if (ttl <= 1)
            {
                return false;
            }
            Ipv4Header.setTtl(s, l3, ttl - 1);
            return true;
        }
        final int hopLimit = Ipv6Header.hopLimit(s, l3);
        if (hopLimit <= 1)
        {
            return false;
        }
        Ipv6Header.hopLimit(s, l3, hopLimit - 1);
        return true;
    }

    private static void setDscp(final MemorySegment s, final long l3, final int version, final int dscp)
    {
        if (version == 4)
        {
            final int oldWord = NetworkOrder.u16(s, l3);
            final int newWord = (oldWord & 0xFF03) | (dscp << 2);
            NetworkOrder.u16(s, l3, newWord);
            Ipv4Header.checksum(s, l3, InternetChecksum.update16(Ipv4Header.checksum(s, l3), oldWord, newWord));
        }
        else
        {
            // Traffic class is bits 4..11 of the first word; DSCP its top six.
            final int word = NetworkOrder.u32(s, l3);
            NetworkOrder.u32(s, l3, (word & ~(0x3F << 22)) | (dscp << 22));
        }
    }
}
