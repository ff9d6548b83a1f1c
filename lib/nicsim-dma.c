/* SPDX-License-Identifier: Apache-2.0 */
/* nicsim's DMA model: descriptor and completion rings between the NIC and
 * host memory (see nicsim-dma.h). */

#include <config.h>

#include "lib/nicsim-dma.h"

#include "dp-packet.h"
#include "lib/nic-pktpool.h"
#include "lib/nicsim-counter.h"
#include "util.h"

void
nicsim_dma_ring_init(struct nicsim_dma_ring *r, uint32_t size, uint64_t base)
{
    ovs_mutex_init(&r->mutex);
    r->slots = xcalloc(size, sizeof *r->slots);
    r->size = size;
    r->head = r->count = r->n_done = 0;
    atomic_init(&r->posted, base);
    atomic_init(&r->completed, base);
    atomic_init(&r->taken, base);
    atomic_init(&r->full, 0);
    atomic_init(&r->copies, 0);
    atomic_init(&r->bytes, 0);
    atomic_init(&r->runs, 0);
    atomic_init(&r->flushed, 0);
}

void
nicsim_dma_ring_destroy(struct nicsim_dma_ring *r)
{
    nicsim_dma_flush(r, NULL);
    free(r->slots);
    ovs_mutex_destroy(&r->mutex);
}

bool
nicsim_dma_post(struct nicsim_dma_ring *r, struct dp_packet *pkt,
                bool *was_empty)
{
    bool ok;

    ovs_mutex_lock(&r->mutex);
    if (was_empty) {
        *was_empty = !r->count;
    }
    ok = r->count < r->size;
    if (ok) {
        uint64_t posted;

        r->slots[(r->head + r->count) % r->size] = pkt;
        r->count++;
        /* Under the mutex, so posts are published in order. */
        atomic_add_explicit(&r->posted, 1, &posted, memory_order_release);
    }
    ovs_mutex_unlock(&r->mutex);
    if (!ok) {
        nicsim_counter_add(&r->full, 1);
    }
    return ok;
}

/* Copies up to 'max' posted packets, in order, and publishes their
 * completion.  Into host buffers ('out' null: each copy replaces its
 * NIC-side original, which is freed), or out of them ('out' nonnull: the
 * copies, now NIC memory, go to 'out' and the host's buffers stay in the
 * ring until the host takes them back). */
static size_t
nicsim_dma_copy(struct nicsim_dma_ring *r, size_t max, struct dp_packet **out)
{
    uint64_t bytes = 0;
    size_t n = 0;

    ovs_mutex_lock(&r->mutex);
    while (r->n_done < r->count && n < max) {
        uint32_t slot = (r->head + r->n_done) % r->size;
        struct dp_packet *src = r->slots[slot];
        struct dp_packet *copy = dp_packet_clone_with_headroom(
            src, dp_packet_headroom(src));

        bytes += dp_packet_size(src);
        if (out) {
            out[n] = copy;
        } else {
            r->slots[slot] = copy;
            /* NIC memory, free again for the engine's next frames. */
            nic_pktpool_free(src);
        }
        r->n_done++;
        n++;
    }
    if (n) {
        uint64_t orig;

        /* Release: the host that reads the new index sees the copies. */
        atomic_add_explicit(&r->completed, n, &orig, memory_order_release);
    }
    ovs_mutex_unlock(&r->mutex);
    if (n) {
        nicsim_counter_add(&r->copies, n);
        nicsim_counter_add(&r->bytes, bytes);
        nicsim_counter_add(&r->runs, 1);
    }
    return n;
}

size_t
nicsim_dma_run(struct nicsim_dma_ring *r, size_t max)
{
    return nicsim_dma_copy(r, max, NULL);
}

size_t
nicsim_dma_run_out(struct nicsim_dma_ring *r, struct dp_packet **copies,
                   size_t max)
{
    return nicsim_dma_copy(r, max, copies);
}

/* An index the host reads: acquire, so that what it covers is seen. */
static uint64_t
nicsim_dma_index(const atomic_uint64_t *idx)
{
    uint64_t v;

    atomic_read_explicit(CONST_CAST(atomic_uint64_t *, idx), &v,
                         memory_order_acquire);
    return v;
}

uint64_t
nicsim_dma_posted(const struct nicsim_dma_ring *r)
{
    return nicsim_dma_index(&r->posted);
}

uint64_t
nicsim_dma_completed(const struct nicsim_dma_ring *r)
{
    return nicsim_dma_index(&r->completed);
}

uint64_t
nicsim_dma_taken(const struct nicsim_dma_ring *r)
{
    return nicsim_dma_index(&r->taken);
}

int
nicsim_dma_take(struct nicsim_dma_ring *r, struct dp_packet **pkts, int max,
                bool *now_empty)
{
    int n = 0;

    ovs_mutex_lock(&r->mutex);
    while (r->n_done && n < max) {
        pkts[n++] = r->slots[r->head];
        r->head = (r->head + 1) % r->size;
        r->count--;
        r->n_done--;
    }
    if (now_empty) {
        *now_empty = !r->count;
    }
    if (n) {
        uint64_t orig;

        atomic_add_explicit(&r->taken, n, &orig, memory_order_release);
    }
    ovs_mutex_unlock(&r->mutex);
    return n;
}

size_t
nicsim_dma_flush(struct nicsim_dma_ring *r, size_t *uncopiedp)
{
    uint32_t n, in_flight;

    ovs_mutex_lock(&r->mutex);
    n = r->count;
    in_flight = r->count - r->n_done;
    while (r->count) {
        dp_packet_delete(r->slots[r->head]);
        r->head = (r->head + 1) % r->size;
        r->count--;
    }
    r->n_done = 0;
    if (in_flight) {
        uint64_t orig;

        atomic_add_explicit(&r->completed, in_flight, &orig,
                            memory_order_release);
    }
    if (n) {
        uint64_t orig;

        atomic_add_explicit(&r->taken, n, &orig, memory_order_release);
    }
    ovs_mutex_unlock(&r->mutex);
    nicsim_counter_add(&r->flushed, n);
    if (uncopiedp) {
        *uncopiedp = in_flight;
    }
    return n;
}

void
nicsim_dma_get_stats(struct nicsim_dma_ring *r, struct nicsim_dma_stats *s)
{
    ovs_mutex_lock(&r->mutex);
    s->pending = r->count - r->n_done;
    s->ready = r->n_done;
    s->posted = nicsim_dma_posted(r);
    s->completed = nicsim_dma_completed(r);
    s->taken = nicsim_dma_taken(r);
    ovs_mutex_unlock(&r->mutex);
    s->full = nicsim_counter_read(&r->full);
    s->copies = nicsim_counter_read(&r->copies);
    s->bytes = nicsim_counter_read(&r->bytes);
    s->runs = nicsim_counter_read(&r->runs);
    s->flushed = nicsim_counter_read(&r->flushed);
}

uint32_t
nicsim_dma_room(struct nicsim_dma_ring *r)
{
    uint32_t room;

    ovs_mutex_lock(&r->mutex);
    room = r->size - r->count;
    ovs_mutex_unlock(&r->mutex);
    return room;
}
