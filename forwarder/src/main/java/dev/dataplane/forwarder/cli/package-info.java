/** The command line: options, the banner, the main loop that prints statistics and serves reloads. */
package dev.dataplane.forwarder.cli;
