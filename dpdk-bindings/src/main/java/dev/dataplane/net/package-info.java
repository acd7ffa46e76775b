/**
 * Packet headers and checksums, as DPDK's librte_net has them: Ethernet, VLAN, IPv4, IPv6, UDP, TCP; the parser
 * that classifies a frame and makes a router's checks ({@link dev.dataplane.net.PacketView}); frame building.
 */
package dev.dataplane.net;
