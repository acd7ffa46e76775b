package dev.dataplane.forwarder.conntrack;

import java.util.SplittableRandom;

/**
 * Which of several lcores owns a connection, when connection tracking runs on more than one: the lcore of its
 * original source port (an ICMP echo: its identifier), by a table of the 65,536 ports drawn at start from the
 * process's seed. No lock and no shared table: each lcore holds its own connections, and the packet itself names the
 * lcore to ask.
 * <p>
 * A port names the same owner in both directions of every connection the forwarder keeps: an original packet's source
 * port is its owner's, and a reply's destination port is the original's source port turned round (untranslated,
 * destination NAT), or the source port a source NAT chose, which the owner picks among its own ports (as VPP's NAT44
 * splits its outside ports among its workers). So a packet's source port names the lcore that would create its
 * connection, its destination port the lcore that holds it if it is a reply.
 * <p>
 * Each aligned run of {@code count} ports holds every owner once, in an order drawn per run: every range of
 * {@code 2 * count - 1} ports or more gives each owner a port, and clients that favour even ports (Linux's
 * {@code connect}) still spread over all owners.
 */
public final class ConnOwners
{
    /** Owners at most. */
    public static final int MAX = 64;
    private static final int PORTS = 1 << 16;

    private final byte[] ownerOfPort = new byte[PORTS];
    private final int count;

    /**
     * @param count the lcores that share the connections, 2 to {@value #MAX}.
     * @param seed  what the table is drawn from (the process's seed: {@code HashSeed.PROCESS}).
     */
    public ConnOwners(final int count, final long seed)
    {
        if (count < 2 || count > MAX)
        {
            throw new IllegalArgumentException("owners: " + count + ", not 2 to " + MAX);
        }
        this.count = count;
        final SplittableRandom random = new SplittableRandom(seed);
        final byte[] run = new byte[count];
        for (int owner = 0; owner < count; owner++)
        {
            run[owner] = (byte)owner;
        }
        for (int first = 0; first < PORTS; first += count)
        {
            for (int i = count - 1; i > 0; i--)
            {
                final int j = random.nextInt(i + 1);
                final byte swapped = run[i];
                run[i] = run[j];
                run[j] = swapped;
            }
            System.arraycopy(run, 0, ownerOfPort, first, Math.min(count, PORTS - first));
        }
    }

    /** How many lcores share the connections. */
    public int count()
    {
        return count;
    }

    /** The owner (0 to {@link #count} - 1) of {@code port} (its value, 0 to 65,535). */
    public int of(final int port)
    {
        return ownerOfPort[port & 0xFFFF];
    }
}
