/** The command line: options and the main loop. */
package dev.dataplane.pktgen.cli;
