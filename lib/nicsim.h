/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NICSIM_H
#define NICSIM_H 1

/* nicsim: the reference software SmartNIC, a provider of struct nic_class.
 *
 * An embedded switch with uplinks and virtual functions.  Packets from a
 * port's medium go through the pipeline on the NIC's own engine threads:
 * parse, exact-match then wildcard lookup, actions; a hit is forwarded
 * inside the NIC, a miss or malformed frame goes to the port's
 * representor receive queue (chosen by filters, then RSS), and every
 * packet is counted exactly once by outcome and reason. */

#include <stdbool.h>
#include <stdint.h>

#include "lib/nic.h"
#include "lib/nic-table.h"

struct ds;

extern const struct nic_class nicsim_class;

#define NICSIM_DEFAULT_UPLINKS 2
#define NICSIM_DEFAULT_VFS 16
#define NICSIM_DEFAULT_EXACT 65536
#define NICSIM_DEFAULT_WILDCARD 4096
#define NICSIM_RING_SIZE 1024           /* Packets per representor queue. */

struct nicsim_config {
    uint32_t n_uplinks;
    uint32_t n_vfs;
    uint32_t n_engines;
    size_t exact_capacity;
    size_t wildcard_capacity;
};

/* Creates a NIC that nicsim_class.open() will then find by name, with a
 * geometry other than the defaults.  Returns 0, EEXIST or EINVAL. */
int nicsim_create(const char *name, const struct nicsim_config *,
                  struct nic **);

/* Finds an open NIC by name (no reference taken), or NULL. */
struct nic *nicsim_find(const char *name);

/* Calls 'cb' for every open nicsim NIC, without holding nicsim's own lock
 * (so 'cb' may take any other), each NIC kept open meanwhile. */
void nicsim_for_each(void (*cb)(struct nic *, void *aux), void *aux);
/* Stops every NIC's engine threads; for a daemon that is about to close
 * its ports (see nicsim.c). */
void nicsim_stop_all(void);

/* Failure injection, for tests. */
void nicsim_fail_next_inserts(struct nic *, unsigned int n);
void nicsim_set_capacity(struct nic *, enum nic_table_id, size_t);

/* Introspection. */
struct nicsim_engine_info {
    uint64_t cpu_ns;                /* Thread CPU time. */
    uint64_t packets;               /* Packets it processed. */
    uint64_t batches;
};

struct nicsim_port_info {
    uint32_t port;
    bool attached;                  /* Representor open. */
    const char *medium;             /* Spec, or NULL. */
    bool link_up;                   /* Medium can carry frames now. */
    uint32_t n_rxq;
};

struct nicsim_info {
    struct nicsim_config config;
    size_t n_rules[NIC_N_TABLES];
    size_t capacity[NIC_N_TABLES];
    uint64_t n_resets;
    uint64_t n_insert_failures;     /* Injected failures so far. */
    uint64_t n_encap_refused;       /* Rules refused: their encapsulation */
    uint64_t n_encap_removed;       /* disagreed with a mapping, removed:
                                     * a mapping change made it so. */
    unsigned int pending_failures;
};

void nicsim_get_info(struct nic *, struct nicsim_info *);
void nicsim_get_engine_info(struct nic *, uint32_t engine,
                            struct nicsim_engine_info *);
/* Ports in order: uplinks, then VFs.  Returns false past the end. */
bool nicsim_get_port_info(struct nic *, size_t idx,
                          struct nicsim_port_info *);

/* A copy of one installed rule, for dumps. */


/* Processes 'n' packets received on 'port' as the engine does (used by
 * the engine threads and by benchmarks, which act as an engine thread).
 * Takes ownership of the packets. */
void nicsim_process(struct nic *, uint32_t port, struct dp_packet **pkts,
                    size_t n);

#endif /* nicsim.h */
