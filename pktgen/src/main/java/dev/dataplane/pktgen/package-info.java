/**
 * The packet generator and receiver: the validated context and {@link dev.dataplane.pktgen.Pktgen}, which brings up
 * the ports and places the generators and receivers on lcores. Built on dpdk-bindings, independent of the forwarder.
 */
package dev.dataplane.pktgen;
