/**
 * Connection tracking (issue 18, under way; not yet on the data path): the per-lcore table of connections found
 * from either direction ({@link dev.dataplane.forwarder.conntrack.ConnTable}), nf_conntrack's TCP states
 * ({@link dev.dataplane.forwarder.conntrack.TcpState}) and windows, the masquerade port allocator, and the tracker
 * that follows connections packet by packet ({@link dev.dataplane.forwarder.conntrack.ConnTracker}).
 */
package dev.dataplane.forwarder.conntrack;
