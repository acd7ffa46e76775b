/** Statistics: per-port totals gathered from the pollers and the devices, printed as text or JSON. */
package dev.dataplane.forwarder.stats;
