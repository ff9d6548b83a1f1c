/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NICSIM_DMA_H
#define NICSIM_DMA_H 1

/* nicsim's DMA model: the descriptor and completion rings through which
 * the NIC's DMA engine copies packets into host buffers.
 *
 * The NIC posts a descriptor per packet (the packet in NIC memory); the
 * DMA engine, a stage that runs apart from posting (nicsim runs it at the
 * end of each batch its engine processes, a benchmark on a thread of its
 * own), copies each posted packet into a host buffer and then advances
 * the completion index, which lives, with the posted index, where the
 * host reads it.  The host takes a packet, and the NIC reuses the
 * descriptor, only once its completion is there: nicsim_dma_take() never
 * returns a packet whose copy is in flight.  A full ring refuses the post
 * (counted as back-pressure; the caller keeps or drops the packet and
 * counts that).
 *
 * On the send side the roles turn: the host posts its own buffers, the
 * DMA engine copies them out into NIC memory (nicsim_dma_run_out()), and
 * the host takes its buffers back, to reuse, after their completion.
 *
 * The indices (posted, completed, and taken, the consumer index) count
 * packets since the ring's 'base' and never go back: a flush completes
 * and takes what it deletes, so that a host that polls the completion
 * index stays in step with what it can take. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ovs-atomic.h"
#include "ovs-thread.h"

struct dp_packet;

struct nicsim_dma_ring {
    struct ovs_mutex mutex;
    struct dp_packet **slots;       /* Descriptors, oldest at 'head'. */
    uint32_t size, head, count;
    uint32_t n_done;                /* Of 'count', from 'head': copied. */

    /* What the host can see. */
    atomic_uint64_t posted;         /* Descriptors posted. */
    atomic_uint64_t completed;      /* Completion index. */
    atomic_uint64_t taken;          /* Consumer index: taken or flushed. */

    atomic_uint64_t full;           /* Posts refused: ring full. */
    atomic_uint64_t copies, bytes;  /* What the DMA engine copied. */
    atomic_uint64_t runs;           /* DMA engine runs that did work. */
    atomic_uint64_t flushed;        /* Deleted uncopied or untaken. */
};

/* Counters of one ring, as nic_dma_queue_stats() reports them. */
struct nicsim_dma_stats {
    uint64_t posted, completed, taken, full, copies, bytes, runs, flushed;
    uint32_t pending;               /* Posted, copy in flight. */
    uint32_t ready;                 /* Copied, not yet taken. */
};

void nicsim_dma_ring_init(struct nicsim_dma_ring *, uint32_t size,
                          uint64_t base);
void nicsim_dma_ring_destroy(struct nicsim_dma_ring *);

/* Posts 'pkt' (taking it) unless the ring is full; then returns false,
 * counts the back-pressure and leaves 'pkt' with the caller.  Sets
 * '*was_empty' (if nonnull) if the ring held nothing before. */
bool nicsim_dma_post(struct nicsim_dma_ring *, struct dp_packet *pkt,
                     bool *was_empty);

/* How many more packets the ring takes now (at least, as the host may be
 * taking some). */
uint32_t nicsim_dma_room(struct nicsim_dma_ring *);

/* The DMA engine: copies up to 'max' posted packets into host buffers, in
 * order, then publishes their completion.  Returns the number copied. */
size_t nicsim_dma_run(struct nicsim_dma_ring *, size_t max);

/* The DMA engine on the send side, where the ring's descriptors are host
 * buffers: copies up to 'max' of them, in order, into NIC memory, puts
 * the copies in 'copies' and publishes the completion.  The host buffers
 * stay in the ring until nicsim_dma_take() gives them back to the host,
 * which may then reuse them.  Returns the number copied. */
size_t nicsim_dma_run_out(struct nicsim_dma_ring *, struct dp_packet **copies,
                          size_t max);

/* The host's reads of shared memory. */
uint64_t nicsim_dma_posted(const struct nicsim_dma_ring *);
uint64_t nicsim_dma_completed(const struct nicsim_dma_ring *);
uint64_t nicsim_dma_taken(const struct nicsim_dma_ring *);

/* Takes up to 'max' completed packets, oldest first.  Sets '*now_empty'
 * (if nonnull) if nothing, complete or not, is left. */
int nicsim_dma_take(struct nicsim_dma_ring *, struct dp_packet **pkts,
                    int max, bool *now_empty);

/* Deletes every packet in the ring, completing those in flight.  Returns
 * how many there were, and in '*uncopiedp' (if nonnull) how many of them
 * were in flight. */
size_t nicsim_dma_flush(struct nicsim_dma_ring *, size_t *uncopiedp);

void nicsim_dma_get_stats(struct nicsim_dma_ring *,
                          struct nicsim_dma_stats *);

#endif /* nicsim-dma.h */
