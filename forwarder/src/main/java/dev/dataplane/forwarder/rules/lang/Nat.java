package dev.dataplane.forwarder.rules.lang;

import java.util.Arrays;

/**
 * A rule's NAT verb, bound to each connection by its first packet (it needs connection tracking): {@code dnat} to
 * one backend or a pool of them, {@code snat} to an address, {@code masquerade} to an address with source ports from
 * a range. Addresses are IPv4, as {@code Ipv4Header} reads them; a port of 0 keeps the packet's.
 */
public final class Nat
{
    /** The verbs. */
    public enum Kind
    {
        /** The destination becomes a backend's address (and port): one, or a pool picked from per connection. */
        DNAT,
        /** The source becomes the address; the source port is kept unless another connection holds that tuple. */
        SNAT,
        /** The source becomes the address, the source port one of the range that no live connection holds. */
        MASQUERADE
    }

    /** How a connection's backend is picked from a pool. */
    public enum Pick
    {
        /** Each new connection the next backend, in turn (per lcore). */
        ROUND_ROBIN("round-robin"),
        /** By a hash of the client's address, keyed per process: a client keeps its backend while the pool stands. */
        HASH("hash");

        private final String keyword;

        Pick(final String keyword)
        {
            this.keyword = keyword;
        }

        public String keyword()
        {
            return keyword;
        }
    }

    /** The source ports SNAT searches when the packet's own is taken: the unprivileged ones (Linux's choice too). */
    public static final int SNAT_PORT_LOW = 1024;
    public static final int PORT_HIGH = 65535;

    private final Kind kind;
    private final int[] addresses;
    private final int[] ports;
    private final Pick pick;
    private final int portLow;
    private final int portHigh;

    /**
     * @param addresses the backends (DNAT) or the one source address.
     * @param ports     per address, its port (DNAT), 0 to keep the packet's.
     * @param portLow   MASQUERADE's source port range (others: {@link #SNAT_PORT_LOW} to {@link #PORT_HIGH}).
     */
    public Nat(final Kind kind, final int[] addresses, final int[] ports, final Pick pick, final int portLow,
        final int portHigh)
    {
        if (0 == addresses.length || addresses.length != ports.length || (Kind.DNAT != kind && 1 != addresses.length))
        {
            throw new IllegalArgumentException(kind + " with " + addresses.length + " addresses");
        }
        this.kind = kind;
        this.addresses = addresses.clone();
        this.ports = ports.clone();
        this.pick = pick;
        this.portLow = portLow;
        this.portHigh = portHigh;
    }

    public Kind kind()
    {
        return kind;
    }

    /** Backends (DNAT), or 1. */
    public int targets()
    {
        return addresses.length;
    }

    public int address(final int target)
    {
        return addresses[target];
    }

    /** The port of {@code target}, 0 to keep the packet's. */
    public int port(final int target)
    {
        return ports[target];
    }

    public Pick pick()
    {
        return pick;
    }

    public int portLow()
    {
        return portLow;
    }

    public int portHigh()
    {
        return portHigh;
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof Nat that && kind == that.kind && Arrays.equals(addresses, that.addresses) &&
            Arrays.equals(ports, that.ports) && pick == that.pick && portLow == that.portLow &&
            portHigh == that.portHigh;
    }

    @Override
    public int hashCode()
    {
        return 31 * (31 * kind.hashCode() + Arrays.hashCode(addresses)) + Arrays.hashCode(ports);
    }

    @Override
    public String toString()
    {
        return kind + " " + Arrays.toString(addresses) + " " + Arrays.toString(ports) + " " + pick + " " + portLow +
            "-" + portHigh;
    }
}
