/** Reporting: the per-period and summary lines (text or JSON) and latency histogram files. */
package dev.dataplane.pktgen.report;
