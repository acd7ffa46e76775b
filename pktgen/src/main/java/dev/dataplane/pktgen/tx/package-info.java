/** Sending: the generator built from templates, pcap replay, and the rate limiter on the TSC. */
package dev.dataplane.pktgen.tx;
