/**
 * The forwarder's assembly: the validated context ({@link dev.dataplane.forwarder.ForwarderContext}), the run mode,
 * and {@link dev.dataplane.forwarder.Forwarder}, which brings up the ports and places the pollers on lcores.
 * The pieces live in sub-packages: {@code engine} and {@code rules} process bursts, {@code rtc} and
 * {@code pipeline} run them, {@code stats} and {@code control} serve the operator, {@code cli} starts it all.
 */
package dev.dataplane.forwarder;
