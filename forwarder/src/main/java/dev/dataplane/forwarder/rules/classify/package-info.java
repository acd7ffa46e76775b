/**
 * Classification: the first matching rule of a packet, by a field-indexed classifier or, as its reference, a linear
 * scan.
 */
package dev.dataplane.forwarder.rules.classify;
