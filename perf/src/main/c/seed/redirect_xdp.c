/*
 * The seed experiment's XDP box (bin/bench-seed): what the project's first experiment did in XDP. On the client
 * side's veth, an IPv4 UDP datagram to VIP:VIP_PORT gets BACKEND:BACKEND_PORT as its destination (IP and UDP
 * checksums updated incrementally, RFC 1624), the server side's MACs, and is redirected out of OUT_IFINDEX; anything
 * else goes on to the stack. One way only, no state: the replies of a real client would not be translated back.
 *
 * Built by bin/bench-seed with clang -target bpf and -D for VIP, VIP_PORT, BACKEND, BACKEND_PORT (network order
 * values), OUT_IFINDEX, OUT_SRC_MAC and OUT_DST_MAC (six comma-separated bytes each). With -DPASS_ONLY it is the
 * program the receiving veth needs for redirected frames to reach its stack: it passes everything.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#ifdef PASS_ONLY

SEC("xdp")
int pass(struct xdp_md *ctx)
{
    return XDP_PASS;
}

#else

static const unsigned char out_src_mac[ETH_ALEN] = {OUT_SRC_MAC};
static const unsigned char out_dst_mac[ETH_ALEN] = {OUT_DST_MAC};

/* One's complement sum folded to 16 bits. */
static __always_inline __u16 fold(__u32 sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return (__u16)sum;
}

/* RFC 1624, eqn. 3: HC' = ~(~HC + ~m + m'), for a 32-bit field m replaced by m'. */
static __always_inline __u16 replace32(__u16 check, __u32 from, __u32 to)
{
    __u32 sum = (__u16)~check;
    sum += (~from & 0xffff) + (~from >> 16) + (to & 0xffff) + (to >> 16);
    return (__u16)~fold(sum);
}

static __always_inline __u16 replace16(__u16 check, __u16 from, __u16 to)
{
    __u32 sum = (__u16)~check;
    sum += (__u16)~from + to;
    return (__u16)~fold(sum);
}

SEC("xdp")
int redirect(struct xdp_md *ctx)
{
    void *data = (void *)(long)ctx->data;
    void *end = (void *)(long)ctx->data_end;
    struct ethhdr *eth = data;
    if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
    {
        return XDP_PASS;
    }
    struct iphdr *ip = (void *)(eth + 1);
    if ((void *)(ip + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_UDP || ip->daddr != VIP ||
        (ip->frag_off & bpf_htons(0x1fff)))
    {
        return XDP_PASS;
    }
    struct udphdr *udp = (void *)(ip + 1);
    if ((void *)(udp + 1) > end || udp->dest != VIP_PORT)
    {
        return XDP_PASS;
    }
    ip->check = replace32(ip->check, ip->daddr, BACKEND);
    if (udp->check)
    {
        __u16 check = replace32(udp->check, ip->daddr, BACKEND);
        check = replace16(check, udp->dest, BACKEND_PORT);
        udp->check = check ? check : 0xffff;
    }
    ip->daddr = BACKEND;
    udp->dest = BACKEND_PORT;
    __builtin_memcpy(eth->h_source, out_src_mac, ETH_ALEN);
    __builtin_memcpy(eth->h_dest, out_dst_mac, ETH_ALEN);
    return bpf_redirect(OUT_IFINDEX, 0);
}

#endif

char LICENSE[] SEC("license") = "GPL";
