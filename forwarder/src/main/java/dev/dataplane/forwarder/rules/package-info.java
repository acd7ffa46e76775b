/**
 * Rules on the data path: the per-queue processor (checks, classification, flow cache, rewrite, routing), the
 * compiled rules and rewrite programs, the published rule generation and its counters.
 */
package dev.dataplane.forwarder.rules;
