package dev.dataplane.forwarder.rules;

/**
 * What the rules path checks of every frame besides the router's checks it always makes (see
 * {@code PacketView}: IPv4 header checksum, options, TTL, UDP length, TCP data offset), and what becomes of a frame
 * that fails any of them and that no {@code malformed} rule claims.
 *
 * @param verifyL4Checksum  verify UDP and TCP checksums too ({@code --verify-l4-checksum}); a NAT need not, so off by
 *                          default. In software it takes every frame the full parse's way, past the flow cache's
 *                          fast path; a NIC that checks them on receive spares that.
 * @param acceptMalformed   forward such frames untouched to the paired port ({@code --malformed accept}) instead of
 *                          dropping them; never rewritten, so a damaged frame leaves as damaged as it came.
 * @param rxChecksumOffload take the checksums' verdicts from the ports that check them on receive
 *                          ({@code RTE_ETH_RX_OFFLOAD_*_CKSUM}) rather than computing them.
 */
public record PacketChecks(boolean verifyL4Checksum, boolean acceptMalformed, boolean rxChecksumOffload)
{
    /** The defaults: router checks in software or by the NIC, no L4 checksums, failures dropped. */
    public static final PacketChecks DEFAULT = new PacketChecks(false, false, true);

    /** The {@code --malformed} policy by its CLI name. */
    public String malformedPolicy()
    {
        return acceptMalformed ? "accept" : "drop";
    }
}
