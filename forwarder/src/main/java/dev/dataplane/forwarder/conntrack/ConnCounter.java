package dev.dataplane.forwarder.conntrack;

import static dev.dataplane.runtime.CounterDescriptor.packets;

import dev.dataplane.runtime.CounterDescriptor;

/** What a connection tracker counts, by {@link dev.dataplane.runtime.Counters} index. */
public enum ConnCounter implements CounterDescriptor.Enumerated
{
    LOOKUPS(packets("ct_lookups", "packets looked up in the connection table")),
    HITS(packets("ct_hits", "packets of a connection in the table")),
    RELATED(packets("ct_related", "ICMP errors about a connection in the table")),
    CREATED(packets("ct_new", "connections created")),
    EXPIRED(packets("ct_expired", "connections removed when their timeout ran out")),
    EXPIRED_TCP(CounterDescriptor.of("ct_expired_tcp", "connections", "TCP connections expired")),
    EXPIRED_UDP(CounterDescriptor.of("ct_expired_udp", "connections", "UDP flows expired")),
    EXPIRED_ICMP(CounterDescriptor.of("ct_expired_icmp", "connections", "ICMP echoes expired")),
    TABLE_FULL(packets("ct_table_full", "new connections refused: every entry taken (or both buckets of a key)")),
    INVALID_STATE(packets("ct_invalid_state", "TCP segments that fit no state of their connection")),
    INVALID_WINDOW(packets("ct_invalid_window", "TCP segments outside their connection's windows (RST included)")),
    INVALID_NEW(packets("ct_invalid_new", "packets that open no connection and belong to none (a stray SYN-ACK)")),
    TRANSLATED(packets("ct_nat", "connections given a translation (NAT) by their first packet")),
    NAT_CLASHES(packets("ct_nat_clash",
        "new connections refused: their translated tuple was another live connection's, or found no room, or " +
        "(lcores sharing connections) its source port was another lcore's and no range gave one of this lcore's")),
    FORGOTTEN(packets("ct_forgotten", "new connections not kept: a rule dropped their first packet")),
    REOPENED(packets("ct_reopened", "TCP connections opened again on the tuple of one that had ended (a SYN in " +
        "TIME_WAIT or CLOSE)")),
    FRAGMENT_ORPHANS(packets("ct_fragment_orphans",
        "later fragments whose first fragment was not seen (or whose note ran out): not followed")),
    FRAGMENT_OVERFLOWS(packets("ct_fragment_overflows", "first fragments not noted for want of room")),
    FRAGMENTS_HELD(packets("ct_fragments_held",
        "later fragments that came before their datagram's first, held for it (then sent as its connection's)")),
    FRAGMENT_TIMEOUTS(packets("ct_fragment_timeouts", "held later fragments whose first did not come in time: freed")),
    HANDED_OFF(packets("ct_handoff",
        "packets of no connection here handed to the lcore that holds it (or is to create it), to be tracked there")),
    HANDOFF_FULL(packets("ct_handoff_full", "packets to hand to another lcore whose ring was full: freed")),
    FLUSHED(CounterDescriptor.of("ct_flushed", "connections", "connections removed by a flush (control socket)")),
    IN_USE(CounterDescriptor.of("ct_in_use", "connections",
        "connections in the table (a gauge, as of the last burst)")),
    UNTRACKED(packets("ct_untracked", "packets the tracker does not follow (not IPv4 TCP, UDP or ICMP)"));

    private final CounterDescriptor descriptor;

    ConnCounter(final CounterDescriptor descriptor)
    {
        this.descriptor = descriptor;
    }

    @Override
    public CounterDescriptor descriptor()
    {
        return descriptor;
    }
}
