/** End-to-end benchmarks: ours beside dpdk-testpmd on the same devices in the same run, with the ratio. */
package dev.dataplane.perf;
