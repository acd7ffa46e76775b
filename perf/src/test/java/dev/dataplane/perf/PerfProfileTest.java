package dev.dataplane.perf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

class PerfProfileTest
{
    /** As {@code perf report --sort comm,dso --stdio --percentage relative -t , -n} prints them (perf 6.1). */
    private static final List<String> FORWARDER_REPORT = List.of(
        "# To display the perf.data header info, please use --header/--header-only options.",
        "#",
        "# Samples: 60K of event 'cpu-clock'",
        "# Overhead,     Samples,Command     ,Shared Object              ",
        " 43.46% , 26076      ,rte-worker-1,[JIT] tid 520                        ",
        " 39.89% , 23934      ,rte-worker-1,librte_net_pcap.so.23.0              ",
        "  3.48% , 2088       ,C2 CompilerThre,libjvm.so                            ",
        "  2.88% , 1728       ,java        ,[JIT] tid 520                        ",
        "  1.23% , 738        ,rte-worker-1,ld-linux-x86-64.so.2                 ",
        "  0.75% , 450        ,rte-worker-1,dataplane_shim1614349881.so          ",
        "  0.40% , 240        ,rte-worker-2,librte_net_pcap.so.23.0              ",
        "");

    @Test
    void splitsOnlyTheLcoreThreadsSamplesByObject()
    {
        final PerfProfile.Split split = PerfProfile.split(FORWARDER_REPORT, PerfProfile::isJavaCode);

        final long driver = 23934 + 240;
        final long code = 26076 + 450;
        final long other = 738;
        final double total = driver + code + other;
        assertEquals(driver + code + other, split.samples());
        assertEquals(100 * driver / total, split.driver(), 1e-9);
        assertEquals(100 * code / total, split.code(), 1e-9);
        assertEquals(100 * other / total, split.other(), 1e-9);
        assertEquals((double)code / driver, split.codePerDriver(), 1e-9);
    }

    @Test
    void testpmdsCodeIsItsExecutable()
    {
        final PerfProfile.Split split = PerfProfile.split(List.of(
            " 61.22% , 4750       ,rte-worker-1,librte_net_pcap.so.23.0    ",
            " 33.82% , 2624       ,rte-worker-1,dpdk-testpmd               ",
            "  2.06% , 160        ,dpdk-testpmd,[kernel.kallsyms]          ",
            "  1.57% , 122        ,rte-worker-1,ld-linux-x86-64.so.2       "), PerfProfile::isTestpmdCode);

        assertEquals(4750 + 2624 + 122, split.samples());
        assertEquals(2624.0 / 4750, split.codePerDriver(), 1e-9);
    }

    @Test
    void aRecordingWithoutDriverSamplesHasNoSplit()
    {
        assertNull(PerfProfile.split(List.of("# nothing", " 90.00% , 900 ,rte-worker-1,dpdk-testpmd "),
            PerfProfile::isTestpmdCode));
        assertNull(PerfProfile.split(List.of(), PerfProfile::isJavaCode));
    }
}
