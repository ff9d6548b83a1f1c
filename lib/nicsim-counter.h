/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NICSIM_COUNTER_H
#define NICSIM_COUNTER_H 1

/* nicsim's counters: 64-bit, written by the NIC's threads and read by the
 * host without ordering, as a real NIC's registers are; shared by the
 * pipeline (nicsim.c) and its DMA model (nicsim-dma.c). */

#include <stdint.h>

#include "ovs-atomic.h"
#include "util.h"

static inline void
nicsim_counter_add(atomic_uint64_t *c, uint64_t n)
{
    uint64_t orig;

    atomic_add_relaxed(c, n, &orig);
}

static inline uint64_t
nicsim_counter_read(const atomic_uint64_t *c)
{
    uint64_t v;

    atomic_read_relaxed(CONST_CAST(atomic_uint64_t *, c), &v);
    return v;
}

#endif /* nicsim-counter.h */
