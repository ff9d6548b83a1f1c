/* SPDX-License-Identifier: Apache-2.0 */
/* Per-thread cache of dp_packets for the NIC engines' packet paths. */
#include <config.h>

#include "lib/nic-pktpool.h"

#include <string.h>

#include "dp-packet.h"
#include "ovs-thread.h"
#include "util.h"

/* Enough for a few batches in flight per thread; more is freed. */
#define NIC_PKTPOOL_MAX 256

/* A frame of 1518 bytes with two VLAN tags and the tunnel headers that
 * the NIC pushes. */
#define NIC_PKTPOOL_MIN_SIZE 1664

struct nic_pktpool {
    size_t n;
    unsigned long long reused, allocated;
    struct dp_packet *pkts[NIC_PKTPOOL_MAX];
};

/* The thread's pool, reached through a thread-local pointer (no call per
 * packet); the key only frees it when the thread exits. */
static __thread struct nic_pktpool *nic_pktpool_cur;
static ovsthread_key_t nic_pktpool_key;

static void
nic_pktpool_destroy(void *pool_)
{
    struct nic_pktpool *pool = pool_;

    for (size_t i = 0; i < pool->n; i++) {
        dp_packet_delete(pool->pkts[i]);
    }
    free(pool);
}

static struct nic_pktpool *
nic_pktpool_get(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;
    struct nic_pktpool *pool = nic_pktpool_cur;

    if (OVS_LIKELY(pool)) {
        return pool;
    }
    if (ovsthread_once_start(&once)) {
        ovsthread_key_create(&nic_pktpool_key, nic_pktpool_destroy);
        ovsthread_once_done(&once);
    }
    pool = xzalloc(sizeof *pool);
    ovsthread_setspecific(nic_pktpool_key, pool);
    nic_pktpool_cur = pool;
    return pool;
}

/* Like dp_packet_clone_data_with_headroom(). */
struct dp_packet *
nic_pktpool_clone_data(const void *data, size_t size, size_t headroom)
{
    struct nic_pktpool *pool = nic_pktpool_get();
    struct dp_packet *b;

    while (pool->n) {
        b = pool->pkts[--pool->n];
        if (dp_packet_get_allocated(b) >= size + headroom) {
            /* What dp_packet_new() does to a fresh one, on the old
             * buffer; then dp_packet_reserve() and dp_packet_put() without
             * their checks for room, which is there. */
            char *base = dp_packet_base(b);

            dp_packet_use(b, base, dp_packet_get_allocated(b));
            dp_packet_set_data(b, base + headroom);
            memcpy(base + headroom, data, size);
            dp_packet_set_size(b, size);
            pool->reused++;
            return b;
        }
        dp_packet_delete(b);
    }
    pool->allocated++;
    /* Room for a full-sized frame, so that a buffer made for a small
     * frame (a TCP ACK) can carry the next large one instead of being
     * freed for it. */
    b = dp_packet_new_with_headroom(MAX(size, NIC_PKTPOOL_MIN_SIZE),
                                    headroom);
    dp_packet_put(b, data, size);
    return b;
}

void
nic_pktpool_free(struct dp_packet *b)
{
    struct nic_pktpool *pool;

    if (!b) {
        return;
    }
    pool = nic_pktpool_get();
    /* Only plain malloc'ed packets can be used again as they are. */
    if (pool->n < NIC_PKTPOOL_MAX && b->source == DPBUF_MALLOC
        && dp_packet_base(b)) {
        pool->pkts[pool->n++] = b;
    } else {
        dp_packet_delete(b);
    }
}

void
nic_pktpool_free_batch(struct dp_packet **pkts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        nic_pktpool_free(pkts[i]);
    }
}

void
nic_pktpool_stats(unsigned long long *reused, unsigned long long *allocated)
{
    struct nic_pktpool *pool = nic_pktpool_get();

    *reused = pool->reused;
    *allocated = pool->allocated;
}
