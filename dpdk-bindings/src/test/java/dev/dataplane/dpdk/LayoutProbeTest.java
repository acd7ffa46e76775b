package dev.dataplane.dpdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compiles a probe against the installed DPDK headers and checks every struct offset, size and constant the Java
 * side relies on, so a DPDK upgrade that moves a field fails the build instead of corrupting memory.
 */
class LayoutProbeTest
{
    private record Expectation(String name, String cExpression, long javaValue)
    {
    }

    private final List<Expectation> expectations = new ArrayList<>();

    private void field(final String struct, final String field, final long javaOffset)
    {
        expectations.add(new Expectation(struct + "." + field, "offsetof(struct " + struct + ", " + field + ")",
            javaOffset));
    }

    private void size(final String struct, final long javaSize)
    {
        expectations.add(new Expectation("sizeof " + struct, "sizeof(struct " + struct + ")", javaSize));
    }

    private void constant(final String name, final long javaValue)
    {
        expectations.add(new Expectation(name, "(long long)(" + name + ")", javaValue));
    }

    private void declareEverything()
    {
        field("rte_mbuf", "buf_addr", Mbuf.BUF_ADDR_OFFSET);
        field("rte_mbuf", "data_off", Mbuf.DATA_OFF_OFFSET);
        field("rte_mbuf", "refcnt", Mbuf.REFCNT_OFFSET);
        field("rte_mbuf", "nb_segs", Mbuf.NB_SEGS_OFFSET);
        field("rte_mbuf", "port", Mbuf.PORT_OFFSET);
        field("rte_mbuf", "ol_flags", Mbuf.OL_FLAGS_OFFSET);
        field("rte_mbuf", "packet_type", Mbuf.PACKET_TYPE_OFFSET);
        field("rte_mbuf", "pkt_len", Mbuf.PKT_LEN_OFFSET);
        field("rte_mbuf", "data_len", Mbuf.DATA_LEN_OFFSET);
        field("rte_mbuf", "vlan_tci", Mbuf.VLAN_TCI_OFFSET);
        field("rte_mbuf", "buf_len", Mbuf.BUF_LEN_OFFSET);
        field("rte_mbuf", "pool", Mbuf.POOL_OFFSET);
        field("rte_mbuf", "next", Mbuf.NEXT_OFFSET);
        field("rte_mbuf", "tx_offload", Mbuf.TX_OFFLOAD_OFFSET);
        size("rte_mbuf", Mbuf.SIZE);
        constant("RTE_PKTMBUF_HEADROOM", Mbuf.HEADROOM);
        constant("RTE_MBUF_DEFAULT_BUF_SIZE", Mempool.DEFAULT_DATA_ROOM_SIZE);
        constant("RTE_MEMPOOL_CACHE_MAX_SIZE", Mempool.MAX_CACHE_SIZE);
        constant("RTE_MBUF_F_TX_IP_CKSUM", Mbuf.TX_IP_CKSUM);
        constant("RTE_MBUF_F_TX_IPV4", Mbuf.TX_IPV4);
        constant("RTE_MBUF_F_TX_IPV6", Mbuf.TX_IPV6);
        constant("RTE_MBUF_F_TX_TCP_CKSUM", Mbuf.TX_TCP_CKSUM);
        constant("RTE_MBUF_F_TX_UDP_CKSUM", Mbuf.TX_UDP_CKSUM);
        // tx_offload's bitfields: set one to 1 in a zeroed mbuf and read the 64-bit word back.
        expectations.add(new Expectation("rte_mbuf.l2_len (shift in tx_offload)",
            "__builtin_ctzll(({ struct rte_mbuf m; memset(&m, 0, sizeof m); m.l2_len = 1; m.tx_offload; }))",
            Mbuf.TX_OFFLOAD_L2_LEN_SHIFT));
        expectations.add(new Expectation("rte_mbuf.l3_len (shift in tx_offload)",
            "__builtin_ctzll(({ struct rte_mbuf m; memset(&m, 0, sizeof m); m.l3_len = 1; m.tx_offload; }))",
            Mbuf.TX_OFFLOAD_L3_LEN_SHIFT));

        size("rte_eth_dev_info", EthDevInfo.SIZE);
        field("rte_eth_dev_info", "driver_name", EthDevInfo.DRIVER_NAME_OFFSET);
        field("rte_eth_dev_info", "max_rx_pktlen", EthDevInfo.MAX_RX_PKTLEN_OFFSET);
        field("rte_eth_dev_info", "max_rx_queues", EthDevInfo.MAX_RX_QUEUES_OFFSET);
        field("rte_eth_dev_info", "max_tx_queues", EthDevInfo.MAX_TX_QUEUES_OFFSET);
        field("rte_eth_dev_info", "rx_offload_capa", EthDevInfo.RX_OFFLOAD_CAPA_OFFSET);
        field("rte_eth_dev_info", "tx_offload_capa", EthDevInfo.TX_OFFLOAD_CAPA_OFFSET);
        field("rte_eth_dev_info", "flow_type_rss_offloads", EthDevInfo.FLOW_TYPE_RSS_OFFLOADS_OFFSET);
        field("rte_eth_dev_info", "rx_desc_lim", EthDevInfo.RX_DESC_LIM_OFFSET);
        field("rte_eth_dev_info", "tx_desc_lim", EthDevInfo.TX_DESC_LIM_OFFSET);
        field("rte_eth_dev_info", "speed_capa", EthDevInfo.SPEED_CAPA_OFFSET);
        field("rte_eth_desc_lim", "nb_max", EthDevInfo.DESC_LIM_NB_MAX_OFFSET);
        field("rte_eth_desc_lim", "nb_min", EthDevInfo.DESC_LIM_NB_MIN_OFFSET);
        field("rte_eth_desc_lim", "nb_align", EthDevInfo.DESC_LIM_NB_ALIGN_OFFSET);
        constant("RTE_ETH_RX_OFFLOAD_IPV4_CKSUM", EthDevInfo.RX_OFFLOAD_IPV4_CKSUM);
        constant("RTE_ETH_RX_OFFLOAD_UDP_CKSUM", EthDevInfo.RX_OFFLOAD_UDP_CKSUM);
        constant("RTE_ETH_RX_OFFLOAD_TCP_CKSUM", EthDevInfo.RX_OFFLOAD_TCP_CKSUM);
        constant("RTE_MBUF_F_RX_IP_CKSUM_BAD", Mbuf.RX_IP_CKSUM_BAD);
        constant("RTE_MBUF_F_RX_IP_CKSUM_GOOD", Mbuf.RX_IP_CKSUM_GOOD);
        constant("RTE_MBUF_F_RX_L4_CKSUM_BAD", Mbuf.RX_L4_CKSUM_BAD);
        constant("RTE_MBUF_F_RX_L4_CKSUM_GOOD", Mbuf.RX_L4_CKSUM_GOOD);
        constant("RTE_ETH_TX_OFFLOAD_IPV4_CKSUM", EthDevInfo.TX_OFFLOAD_IPV4_CKSUM);
        constant("RTE_ETH_TX_OFFLOAD_UDP_CKSUM", EthDevInfo.TX_OFFLOAD_UDP_CKSUM);
        constant("RTE_ETH_TX_OFFLOAD_TCP_CKSUM", EthDevInfo.TX_OFFLOAD_TCP_CKSUM);

        size("rte_eth_conf", EthDev.CONF_SIZE);
        expectations.add(new Expectation("rte_eth_conf.rxmode.mq_mode",
            "offsetof(struct rte_eth_conf, rxmode) + offsetof(struct rte_eth_rxmode, mq_mode)",
            EthDev.CONF_RXMODE_MQ_MODE_OFFSET));
        expectations.add(new Expectation("rte_eth_conf.rxmode.offloads",
            "offsetof(struct rte_eth_conf, rxmode) + offsetof(struct rte_eth_rxmode, offloads)",
            EthDev.CONF_RXMODE_OFFLOADS_OFFSET));
        expectations.add(new Expectation("rte_eth_conf.txmode.offloads",
            "offsetof(struct rte_eth_conf, txmode) + offsetof(struct rte_eth_txmode, offloads)",
            EthDev.CONF_TXMODE_OFFLOADS_OFFSET));
        expectations.add(new Expectation("rte_eth_conf.rx_adv_conf.rss_conf.rss_hf",
            "offsetof(struct rte_eth_conf, rx_adv_conf.rss_conf) + offsetof(struct rte_eth_rss_conf, rss_hf)",
            EthDev.CONF_RSS_HF_OFFSET));
        constant("RTE_ETH_MQ_RX_RSS", EthDev.MQ_RX_RSS);
        constant("RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP | RTE_ETH_RSS_TCP", EthDev.RSS_IP_UDP_TCP);
        constant("RTE_MAX_ETHPORTS", EthDev.MAX_PORTS);
        constant("RTE_ETH_NAME_MAX_LEN", EthDev.NAME_MAX_LENGTH);
        constant("RTE_MAX_LCORE", Eal.MAX_LCORE);
        constant("ENOTSUP", 95);

        size("rte_eth_stats", EthStats.SIZE);
        field("rte_eth_stats", "ipackets", EthStats.IPACKETS_OFFSET);
        field("rte_eth_stats", "opackets", EthStats.OPACKETS_OFFSET);
        field("rte_eth_stats", "ibytes", EthStats.IBYTES_OFFSET);
        field("rte_eth_stats", "obytes", EthStats.OBYTES_OFFSET);
        field("rte_eth_stats", "imissed", EthStats.IMISSED_OFFSET);
        field("rte_eth_stats", "ierrors", EthStats.IERRORS_OFFSET);
        field("rte_eth_stats", "oerrors", EthStats.OERRORS_OFFSET);
        field("rte_eth_stats", "rx_nombuf", EthStats.RX_NOMBUF_OFFSET);
        size("rte_eth_xstat", EthDev.XSTAT_SIZE);
        size("rte_eth_xstat_name", EthDev.XSTAT_NAME_SIZE);

        size("rte_eth_link", EthLink.SIZE);
        field("rte_eth_link", "link_speed", EthLink.SPEED_OFFSET);
        constant("RTE_ETH_SPEED_NUM_UNKNOWN", EthLink.SPEED_UNKNOWN & 0xFFFFFFFFL);
        // Bitfields have no offsetof: set each in a zeroed struct and report the bit it lands on.
        bit("link_duplex", EthLink.FLAGS_OFFSET * 8 + EthLink.DUPLEX_BIT);
        bit("link_autoneg", EthLink.FLAGS_OFFSET * 8 + EthLink.AUTONEG_BIT);
        bit("link_status", EthLink.FLAGS_OFFSET * 8 + EthLink.STATUS_BIT);
    }

    private void bit(final String bitfield, final long javaBit)
    {
        expectations.add(new Expectation("rte_eth_link." + bitfield + " (bit)", "bit_of_link_" + bitfield + "()",
            javaBit));
    }

    @Test
    void javaLayoutsMatchTheInstalledDpdkHeaders(@TempDir final Path dir) throws IOException, InterruptedException
    {
        declareEverything();
        final StringBuilder c = new StringBuilder("""
            #include <stddef.h>
            #include <stdio.h>
            #include <string.h>
            #include <errno.h>
            #include <rte_ethdev.h>
            #include <rte_mbuf.h>
            #include <rte_mempool.h>
            """);
        for (final String bitfield : List.of("link_duplex", "link_autoneg", "link_status"))
        {
            c.append("static long long bit_of_link_").append(bitfield).append("(void) {\n")
                .append("    struct rte_eth_link l; unsigned char b[sizeof l]; memset(&l, 0, sizeof l);\n")
                .append("    l.").append(bitfield).append(" = 1; memcpy(b, &l, sizeof l);\n")
                .append("    for (unsigned i = 0; i < sizeof l * 8; i++) if (b[i / 8] & (1u << (i % 8))) return i;\n")
                .append("    return -1;\n}\n");
        }
        c.append("int main(void) {\n");
        for (final Expectation e : expectations)
        {
            c.append("    printf(\"%s=%lld\\n\", \"").append(e.name()).append("\", (long long)(")
                .append(e.cExpression())
                .append("));\n");
        }
        c.append("    return 0;\n}\n");
        final Path source = dir.resolve("probe.c");
        Files.writeString(source, c.toString());
        final Path binary = dir.resolve("probe");
        run(dir, "sh", "-c", "gcc $(pkg-config --cflags libdpdk) -o " + binary + " " + source +
            " $(pkg-config --libs libdpdk)");
        final String output = run(dir, binary.toString());

        final Map<String, Long> actual = new HashMap<>();
        for (final String line : output.split("\n"))
        {
            final int eq = line.lastIndexOf('=');
            actual.put(line.substring(0, eq), Long.parseLong(line.substring(eq + 1)));
        }
        final List<String> mismatches = new ArrayList<>();
        for (final Expectation e : expectations)
        {
            final Long value = actual.get(e.name());
            if (null == value || value != e.javaValue())
            {
                mismatches.add(e.name() + ": headers say " + value + ", Java says " + e.javaValue());
            }
        }
        assertTrue(mismatches.isEmpty(), "layouts moved:\n" + String.join("\n", mismatches));
        assertEquals(expectations.size(), actual.size());
    }

    private static String run(final Path dir, final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
        assertEquals(0, process.exitValue(), String.join(" ", command) + "\n" + output);
        return output;
    }
}
