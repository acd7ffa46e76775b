/** The control socket: a local Unix socket that takes line commands (reload, stats) from the operator. */
package dev.dataplane.forwarder.control;
