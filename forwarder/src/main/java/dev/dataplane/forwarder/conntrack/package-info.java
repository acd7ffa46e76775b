/**
 * Connection tracking: the per-lcore table of connections, each found from either direction (issue 18, under way;
 * not yet on the data path).
 */
package dev.dataplane.forwarder.conntrack;
