/** JMH micro-benchmarks of the per-packet path, with the production JVM flags. */
package dev.dataplane.perf.jmh;
