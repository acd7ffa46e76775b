/**
 * What both programs run on: the busy-polling lcore agent and the pollers it calls, the lcore group that starts
 * and stops them, the RX side every poller shares, the per-lcore transmitter, burst limits and option names.
 */
package dev.dataplane.runtime;
