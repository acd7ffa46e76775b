package dev.dataplane.forwarder.engine;

import dev.dataplane.runtime.CliNamed;

/** The forwarding modes, named as testpmd names them. */
public enum ForwardMode implements CliNamed
{
    /** Forward untouched. */
    IO("io"),
    /** Rewrite source MAC to the TX port's and destination MAC to its peer's, as l2fwd and testpmd's mac mode. */
    MAC("mac"),
    /** Swap source and destination MAC, as testpmd's macswap. */
    MACSWAP("macswap");

    private final String cliName;

    ForwardMode(final String cliName)
    {
        this.cliName = cliName;
    }

    @Override
    public String cliName()
    {
        return cliName;
    }

    public static ForwardMode fromCliName(final String name)
    {
        final ForwardMode mode = CliNamed.byCliName(values(), name);
        if (null == mode)
        {
            throw new IllegalArgumentException("unknown forward mode '" + name + "' (io, mac, macswap)");
        }
        return mode;
    }

    /** An engine for a stream that transmits on a port with MAC {@code txPortMac} to a peer at {@code peerMac}. */
    public ForwardingEngine newEngine(final long txPortMac, final long peerMac)
    {
        return switch (this)
        {
            case IO -> new IoEngine();
            case MAC -> new MacEngine(txPortMac, peerMac);
            case MACSWAP -> new MacSwapEngine();
        };
    }
}
