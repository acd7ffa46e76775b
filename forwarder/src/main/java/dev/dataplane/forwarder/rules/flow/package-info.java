/**
 * The flow table: a flow's key from a parse or straight from a plain frame ({@code FlowKeys}), the set-associative
 * cuckoo table with generation tags ({@code FlowTable}), an entry's verdict and pre-computed rewrite
 * ({@code FlowAction}), and the exact-match cache with its fast path over them ({@link
 * dev.dataplane.forwarder.rules.flow.FlowCache}).
 */
package dev.dataplane.forwarder.rules.flow;
