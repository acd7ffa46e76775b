package dev.dataplane.pcap;

/**
 * One packet of a pcap file: its capture time in nanoseconds since the epoch, the bytes captured, and the length
 * it had on the wire (more than {@code data.length} when the capture was cut at the snap length).
 */
public record PcapRecord(long timestampNanos, byte[] data, int originalLength)
{
}
