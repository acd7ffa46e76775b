package dev.dataplane.forwarder.stats;

import java.io.PrintStream;

import dev.dataplane.dpdk.Eal;
import dev.dataplane.dpdk.EthDev;
import dev.dataplane.dpdk.EthLink;
import dev.dataplane.forwarder.Forwarder;
import dev.dataplane.forwarder.ForwarderContext;
import dev.dataplane.forwarder.conntrack.ConnCounter;
import dev.dataplane.forwarder.conntrack.ConnTable;
import dev.dataplane.forwarder.rules.RulesProcessor;
import dev.dataplane.forwarder.rules.lang.Rule;
import dev.dataplane.net.EthernetHeader;
import dev.dataplane.net.MacAddress;
import dev.dataplane.runtime.JsonWriter;
import dev.dataplane.runtime.PollingLcore;

/**
 * The statistics as one JSON object per line: {@code "type":"start"}, then {@code "stats"} per period, then
 * {@code "summary"}. Counters are named by their descriptors ({@link PortCounter}, {@link RulesProcessor#OUTCOMES});
 * a byte count the port's driver does not keep is null.
 */
public final class JsonStats implements StatsSink
{
    private final PrintStream out;

    public JsonStats(final PrintStream out)
    {
        this.out = out;
    }

    @Override
    public void start(final Forwarder forwarder, final Eal eal)
    {
        final ForwarderContext context = forwarder.context();
        final JsonWriter json = new JsonWriter().beginObject().field("type", "start")
            .field("forward_mode", context.modeName()).field("run_mode", forwarder.runMode().cliName());
        if (null != forwarder.pipelineTx())
        {
            json.field("pipeline_tx", forwarder.pipelineTx().cliName());
        }
        if (null != context.rules())
        {
            json.field("flow_cache", context.flowCacheEntries())
                .field("malformed", context.packetChecks().malformedPolicy())
                .field("verify_l4_checksum", context.packetChecks().verifyL4Checksum());
        }
        json.field("burst", context.burst()).field("main_lcore", eal.mainLcore()).name("lcores").beginArray();
        for (final PollingLcore lcore : forwarder.lcores())
        {
            json.value(lcore.lcore());
        }
        json.endArray().field("mbufs", forwarder.pool().size());
        if (!forwarder.trackers().isEmpty())
        {
            final ConnTable table = forwarder.trackers().get(0).table();
            json.name("conntrack").beginObject().field("tables", forwarder.trackers().size())
                .field("connections_per_table", table.capacity()).field("bytes_per_table", table.bytes())
                .field("memory", table.backing().description()).endObject();
        }
        json.name("ports").beginArray();
        for (final int port : forwarder.ports())
        {
            final EthLink link = EthDev.link(port);
            json.beginObject().field("port", port).field("name", EthDev.name(port))
                .field("driver", EthDev.info(port).driverName())
                .field("mac", MacAddress.toString(EthDev.macAddress(port)))
                .field("link_up", link.up()).field("link_mbps", link.speedMbps()).endObject();
        }
        json.endArray().name("warnings").beginArray();
        forwarder.warnings().forEach(json::value);
        print(json.endArray().endObject());
    }

    @Override
    public void period(final double elapsedSeconds, final PortTotals[] previous, final PortTotals[] current,
        final double seconds)
    {
        final JsonWriter json = new JsonWriter().beginObject().field("type", "stats")
            .field("elapsed_s", elapsedSeconds, 3).name("ports").beginArray();
        for (int i = 0; i < current.length; i++)
        {
            rates(json, previous[i], current[i], seconds);
        }
        json.endArray().name("all");
        rates(json, ForwarderStats.sum(previous), ForwarderStats.sum(current), seconds);
        print(json.endObject());
    }

    @Override
    public void summary(final ForwarderContext context, final int lcores, final double seconds,
        final PortTotals[] totals, final ForwarderStats.RulesSnapshot rules, final int mbufsInUseAtExit,
        final int mbufs)
    {
        final JsonWriter json = new JsonWriter().beginObject().field("type", "summary").field("elapsed_s", seconds, 3)
            .field("forward_mode", context.modeName()).field("burst", context.burst()).field("lcores", lcores)
            .name("ports").beginArray();
        for (final PortTotals port : totals)
        {
            totals(json, port, seconds);
        }
        json.endArray().name("all");
        totals(json, ForwarderStats.sum(totals), seconds);
        if (null != rules)
        {
            json.name("rules").beginArray();
            for (final Rule rule : rules.ruleSet().rules())
            {
                json.beginObject().field("line", rule.line()).field("name", rule.name())
                    .field("verdict", rule.verdict().keyword()).field("packets", rules.packets(rule.index()))
                    .field("bytes", rules.bytes(rule.index())).endObject();
            }
            json.endArray().name("outcomes").beginObject();
            for (int o = 0; o < RulesProcessor.OUTCOME_COUNT; o++)
            {
                json.field(RulesProcessor.OUTCOMES.get(o).counterName(), rules.outcomes()[o]);
            }
            json.endObject();
            if (null != rules.connections())
            {
                json.name("connections").beginObject();
                for (final ConnCounter counter : ConnCounter.values())
                {
                    json.field(counter.counterName(), rules.connections()[counter.ordinal()]);
                }
                json.endObject();
                array(json, "connections_created_by_lcore", rules.createdByLcore());
                array(json, "connections_in_use_by_lcore", rules.inUseByLcore());
            }
        }
        print(json.field("mbufs", mbufs).field("mbufs_in_use_at_exit", mbufsInUseAtExit).endObject());
    }

    private static void array(final JsonWriter json, final String name, final long[] values)
    {
        json.name(name).beginArray();
        for (final long value : values)
        {
            json.value(value);
        }
        json.endArray();
    }

    /** A port's rates over the period, then each of its counters' change (null: not counted by the device). */
    private static void rates(final JsonWriter json, final PortTotals previous, final PortTotals current,
        final double seconds)
    {
        json.beginObject().field("port", current.port())
            .field("rx_pps", StatsSink.rate(previous, current, PortCounter.RX_PACKETS, seconds), 1)
            .field("tx_pps", StatsSink.rate(previous, current, PortCounter.TX_PACKETS, seconds), 1)
            .field("rx_mbps", StatsSink.mbps(true, previous, current, seconds, 0), 3)
            .field("rx_wire_mbps", StatsSink.mbps(true, previous, current, seconds, EthernetHeader.FRAMING_BYTES), 3)
            .field("tx_mbps", StatsSink.mbps(false, previous, current, seconds, 0), 3)
            .field("tx_wire_mbps", StatsSink.mbps(false, previous, current, seconds, EthernetHeader.FRAMING_BYTES), 3);
        for (final PortCounter counter : PortCounter.values())
        {
            json.name(counter.counterName());
            if (current.known(counter))
            {
                json.value(current.since(previous, counter));
            }
            else
            {
                json.nullValue();
            }
        }
        json.endObject();
    }

    /** A port's counters since start (null: not counted by the device), and its average rates. */
    private static void totals(final JsonWriter json, final PortTotals totals, final double seconds)
    {
        json.beginObject().field("port", totals.port());
        for (final PortCounter counter : PortCounter.values())
        {
            json.name(counter.counterName());
            if (totals.known(counter))
            {
                json.value(totals.get(counter));
            }
            else
            {
                json.nullValue();
            }
        }
        json.field("avg_rx_pps", totals.rxPackets() / seconds, 1).field("avg_tx_pps", totals.txPackets() / seconds, 1)
            .endObject();
    }

    private void print(final JsonWriter json)
    {
        out.println(json);
        out.flush();
    }
}
