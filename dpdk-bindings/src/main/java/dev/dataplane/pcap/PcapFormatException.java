package dev.dataplane.pcap;

import java.io.IOException;

/** A pcap file that is not what it claims, with the byte offset where it went wrong. */
public final class PcapFormatException extends IOException
{
    private static final long serialVersionUID = 1L;

    public PcapFormatException(final String source, final long offset, final String reason)
    {
        super(source + ": " + reason + " at byte " + offset);
    }
}
