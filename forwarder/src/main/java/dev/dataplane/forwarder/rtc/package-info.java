/**
 * Run to completion: each stream receives a burst, processes it (a forward mode's engine or the rules) and
 * transmits it on the same lcore.
 */
package dev.dataplane.forwarder.rtc;
