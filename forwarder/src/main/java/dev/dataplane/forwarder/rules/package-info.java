/**
 * Rules on the data path: the per-queue processor (checks, flow cache, classification, rewrite, routing), the
 * compiled rules, the published rule generation and its counters. The language, the classifier, the flow table and
 * the rewrite programs are sub-packages.
 */
package dev.dataplane.forwarder.rules;
