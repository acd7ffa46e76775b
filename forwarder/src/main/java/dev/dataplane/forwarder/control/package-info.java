/** The control socket: a local Unix socket that takes the operator's line commands (reload, conntrack). */
package dev.dataplane.forwarder.control;
