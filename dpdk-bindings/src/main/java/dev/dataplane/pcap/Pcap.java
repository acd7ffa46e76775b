package dev.dataplane.pcap;

/**
 * The classic libpcap file format (not pcapng).
 * <pre>
 *  file header, 24 B:  magic u32 | version 2.4 u16 u16 | thiszone i32 | sigfigs u32 | snaplen u32 | linktype u32
 *  record header, 16 B: ts_sec u32 | ts_usec or ts_nsec u32 | incl_len u32 | orig_len u32 | then incl_len bytes
 * </pre>
 * The magic's byte order gives the file's; 0xA1B2C3D4 means microsecond stamps, 0xA1B23C4D nanosecond.
 */
public final class Pcap
{
    public static final int MAGIC_MICROS = 0xA1B2C3D4;
    public static final int MAGIC_NANOS = 0xA1B23C4D;
    public static final int FILE_HEADER_LENGTH = 24;
    public static final int RECORD_HEADER_LENGTH = 16;
    public static final int LINKTYPE_ETHERNET = 1;
    /** Largest record accepted: Wireshark's limit for Ethernet captures. */
    public static final int MAX_RECORD_LENGTH = 262_144;
    public static final int DEFAULT_SNAPLEN = 65_535;

    private Pcap()
    {
    }
}
