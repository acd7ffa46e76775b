/**
 * DPDK through the Foreign Function &amp; Memory API: EAL, lcores, mempools, mbufs and ethdev, each a small class
 * over the C library's calls and the native layouts they share (checked against the installed headers by tests).
 */
package dev.dataplane.dpdk;
