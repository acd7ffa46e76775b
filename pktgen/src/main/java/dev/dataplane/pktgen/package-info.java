/**
 * The packet generator and receiver (issue 4): traffic templates, rate control, loss and latency measurement,
 * pcap replay. Built on dpdk-bindings, like the forwarder, and independent of it.
 */
package dev.dataplane.pktgen;
