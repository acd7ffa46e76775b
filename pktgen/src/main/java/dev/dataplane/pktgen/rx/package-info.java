/** Receiving: stamp checking, loss and reorder tracking per flow, latency recording. */
package dev.dataplane.pktgen.rx;
