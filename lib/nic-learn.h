/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_LEARN_H
#define NIC_LEARN_H 1

/* Mappings a NIC learns from the frames it decapsulates: the inner source
 * MAC lives behind the outer source address, on the frame's VNI and tunnel
 * type.  The table is bounded (the least recently seen entry makes room)
 * and ages entries out; what it learns, moves and drops it queues as
 * reports, bounded too, for the NIC's control channel to send to the host.
 * Backends embed it; callers use the nic_learned_*() wrappers of
 * lib/nic.h.
 *
 * nic_learn_observe() is the packet path's part: a frame of a known
 * mapping only refreshes its last-seen time, without a lock (the table is
 * a cmap read under RCU); only a new or moved mapping takes the mutex. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cmap.h"
#include "lib/nic-encap-map.h"
#include "openvswitch/thread.h"
#include "ovs-atomic.h"

struct seq;

#define NIC_LEARN_DEFAULT_CAPACITY 4096
#define NIC_LEARN_DEFAULT_MAX_AGE_MS 300000    /* As OVS's MAC aging. */
#define NIC_LEARN_MAX_CAPACITY (1u << 20)
#define NIC_LEARN_MAX_AGE_MS (24u * 3600 * 1000)
#define NIC_LEARN_MAX_REPORTS 1024              /* Queued, not yet sent. */

struct nic_learn_config {
    bool enabled;
    uint32_t capacity;          /* 1 to NIC_LEARN_MAX_CAPACITY. */
    uint32_t max_age_ms;        /* 100 to NIC_LEARN_MAX_AGE_MS. */
};

/* Returns NULL if 'cfg' is valid, else a malloc'd reason. */
char *nic_learn_config_check(const struct nic_learn_config *)
    OVS_WARN_UNUSED_RESULT;
void nic_learn_config_default(struct nic_learn_config *);

enum nic_learn_event_type {
    NIC_LEARN_LEARNED,          /* A new inner source. */
    NIC_LEARN_MOVED,            /* Seen behind another tunnel. */
    NIC_LEARN_DROPPED,          /* Removed from the table. */
};

enum nic_learn_drop_reason {
    NIC_LEARN_AGED,             /* Not seen for max_age_ms. */
    NIC_LEARN_EVICTED,          /* Made room for a newer one. */
    NIC_LEARN_CLEARED,          /* Learning turned off, or a reset. */
};

const char *nic_learn_event_name(enum nic_learn_event_type);
const char *nic_learn_drop_reason_name(enum nic_learn_drop_reason);

/* One report.  'm' is the mapping (inner MAC, MAC-only key; tunnel type,
 * VNI, remote = the outer source; no options): for MOVED the new one,
 * with the previous tunnel in 'prev'. */
struct nic_learn_event {
    enum nic_learn_event_type type;
    enum nic_learn_drop_reason reason;  /* DROPPED only. */
    struct nic_encap_mapping m;
    struct nic_encap_mapping prev;      /* MOVED only. */
};

/* One entry as a dump shows it. */
struct nic_learned {
    struct nic_encap_mapping m;
    long long int age_ms;       /* Since last seen. */
    uint64_t packets;           /* Frames that refreshed it. */
};

struct nic_learn_stats {
    uint64_t learned, moved, aged, evicted, cleared;
    uint64_t reports_lost;      /* Queue full: the oldest report went. */
    size_t n_entries;
    struct nic_learn_config config;
};

struct nic_learn_candidate;

struct nic_learn_table {
    struct cmap entries;        /* Of nic_learn_entry, by MAC. */
    atomic_bool enabled;
    struct ovs_mutex mutex;     /* Changes of 'entries' and all below. */
    struct nic_learn_config config OVS_GUARDED;
    struct nic_learn_event *reports OVS_GUARDED;    /* Ring. */
    size_t head OVS_GUARDED, n_reports OVS_GUARDED;
    struct nic_learn_stats stats OVS_GUARDED;
    long long int next_age_ms OVS_GUARDED;
    /* The next entries to evict from a full table, least recently seen
     * first, as of one scan (nic_learn_evict_one()). */
    struct nic_learn_candidate *evict OVS_GUARDED;
    size_t n_evict OVS_GUARDED, evict_pos OVS_GUARDED;
    struct seq *seq;            /* Changes when a report is queued. */
    uint64_t polled_seq OVS_GUARDED;    /* 'seq' at the last poll. */
};

void nic_learn_init(struct nic_learn_table *);
void nic_learn_destroy(struct nic_learn_table *);
/* Applies 'cfg' (checked by the caller): a smaller capacity evicts the
 * oldest entries; turning learning off clears the table. */
void nic_learn_set_config(struct nic_learn_table *,
                          const struct nic_learn_config *);
/* Empties the table, reporting each entry as cleared. */
void nic_learn_clear(struct nic_learn_table *);

/* The packet path: 'mac' was the inner source of a frame decapsulated from
 * tunnel 'type' with 'vni' whose outer source is 'remote'. */
void nic_learn_observe(struct nic_learn_table *, const struct eth_addr *mac,
                       uint8_t type, uint32_t vni,
                       const struct in6_addr *remote, long long int now_ms);

/* Ages entries out as of 'now_ms', then moves up to 'max' reports, oldest
 * first, into 'events'.  Returns how many. */
size_t nic_learn_poll(struct nic_learn_table *, long long int now_ms,
                      struct nic_learn_event *events, size_t max);
/* Wakes the caller's poll loop when a report is queued or an entry may
 * be due for aging. */
void nic_learn_wait(struct nic_learn_table *);
/* qsort()/bsearch() order of struct nic_learned: by MAC. */
int nic_learned_cmp(const void *, const void *);
/* A malloc'd array of the entries, sorted by MAC.  Returns the count. */
size_t nic_learn_dump(struct nic_learn_table *, long long int now_ms,
                      struct nic_learned **);
void nic_learn_get_stats(struct nic_learn_table *, struct nic_learn_stats *);

#endif /* nic-learn.h */
