/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_PKTPOOL_H
#define NIC_PKTPOOL_H 1

/* A per-thread pool of malloc'ed dp_packets, so that a NIC engine thread
 * that makes and frees a packet per frame (the generator medium, the
 * forwarding path's transmit, the DMA rings' NIC-side originals) reuses
 * the same few buffers instead of two malloc()s and two free()s per
 * packet.
 *
 * A packet from the pool is exactly what dp_packet_new_with_headroom()
 * gives (metadata, offsets and offload flags reset), except that its
 * buffer may be larger than asked for.  Any packet may be given back,
 * from any thread, and any pooled packet may be freed with
 * dp_packet_delete() instead: the pool only caches, it owns nothing. */

#include <stddef.h>

struct dp_packet;

struct dp_packet *nic_pktpool_clone_data(const void *data, size_t size,
                                         size_t headroom);
void nic_pktpool_free(struct dp_packet *);
void nic_pktpool_free_batch(struct dp_packet **, size_t n);

/* Packets reused and packets made afresh by this thread's pool. */
void nic_pktpool_stats(unsigned long long *reused,
                       unsigned long long *allocated);

#endif /* nic-pktpool.h */
