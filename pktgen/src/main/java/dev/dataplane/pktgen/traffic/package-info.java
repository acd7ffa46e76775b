/** What is sent: flows, frame sizes, and the stamp (sequence and timestamp) each frame carries. */
package dev.dataplane.pktgen.traffic;
