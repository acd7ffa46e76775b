/** Reading and writing pcap files the way libpcap does, for captures and replays. */
package dev.dataplane.pcap;
