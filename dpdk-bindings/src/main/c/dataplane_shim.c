/*
 * dataplane_shim: exports DPDK's static inline fast-path functions, which have no symbol of their own,
 * so that Java can reach them through the FFM linker. No logic lives here: each function is the inline
 * call it names and nothing else. Everything else is called directly in the librte_* libraries.
 */
#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

uint16_t dp_rx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
    return rte_eth_rx_burst(port, queue, pkts, n);
}

uint16_t dp_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
    return rte_eth_tx_burst(port, queue, pkts, n);
}

uint16_t dp_tx_prepare(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
    return rte_eth_tx_prepare(port, queue, pkts, n);
}

int dp_pktmbuf_alloc_bulk(struct rte_mempool *pool, struct rte_mbuf **mbufs, unsigned int n)
{
    return rte_pktmbuf_alloc_bulk(pool, mbufs, n);
}

/* rte_mempool_get_bulk: mbufs as they went back to the pool (refcnt 1, one segment, next NULL: what DPDK keeps true
 * of every mbuf a pool holds), their other fields as last set, without rte_pktmbuf_reset's rewrite of each. */
int dp_mbuf_raw_alloc_bulk(struct rte_mempool *pool, struct rte_mbuf **mbufs, unsigned int n)
{
    return rte_mempool_get_bulk(pool, (void **)mbufs, n);
}

void dp_pktmbuf_free(struct rte_mbuf *m)
{
    rte_pktmbuf_free(m);
}

/* rte_prefetch0 of each of n addresses: a burst's worth in one call, since a call per address would cost more
 * than the cache miss it hides. */
void dp_prefetch0_bulk(const uintptr_t *addresses, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++)
    {
        rte_prefetch0((const void *)addresses[i]);
    }
}

int dp_errno(void)
{
    return rte_errno;
}

uint64_t dp_rdtsc(void)
{
    return rte_rdtsc();
}

unsigned int dp_lcore_id(void)
{
    return rte_lcore_id();
}
