/** Rewrite programs: a rule's rewrites compiled to run on a parsed frame, checksums updated incrementally. */
package dev.dataplane.forwarder.rules.rewrite;
