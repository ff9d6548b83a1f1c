/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_CLASSES_H
#define OFFLOAD_CLASSES_H 1

/* Receive classes, the classifier that puts packets into them and the
 * priority scheduler that delivers them to the host: pure logic, no
 * threads and no clock of its own, so that a NIC backend (nicsim, later
 * XDP) runs it on its data path and the Check tests drive it with a fake
 * clock.
 *
 * A class has a receive queue (or a group of consecutive queues), a
 * priority, a weight, a ring depth and an optional packet-rate limit (a
 * token bucket).  Delivery to the host is strict priority between
 * priorities and weighted (deficit round robin, quantum = weight packets)
 * between the classes of one priority, so that when the host drains more
 * slowly than packets arrive, the low classes fill their rings and drop
 * first.  Every packet offered to a class is counted exactly once:
 * delivered, still queued, or dropped with a reason. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/nic-rule.h"
#include "openvswitch/dynamic-string.h"

#define OFFLOAD_CLASSES_MAX 16          /* Classes per scheduler. */
#define OFFLOAD_CLASS_RULES_MAX 256     /* Classifier rules. */
#define OFFLOAD_CLASS_PRIO_MAX 7        /* Priorities 0 (lowest) to 7. */
#define OFFLOAD_CLASS_WEIGHT_MAX 1000
#define OFFLOAD_CLASS_DEPTH_MAX 65536
#define OFFLOAD_CLASS_NAME_LEN 32

/* Why a class dropped a packet. */
#define OFFLOAD_CLASS_DROPS                                             \
    OFFLOAD_CLASS_DROP(RATE, "rate-limit", "over the class's pps limit") \
    OFFLOAD_CLASS_DROP(RING_FULL, "ring-full", "class ring at its depth") \
    OFFLOAD_CLASS_DROP(FLUSHED, "flushed", "queued when the class went")

enum offload_class_drop {
#define OFFLOAD_CLASS_DROP(ENUM, NAME, DESC) OFFLOAD_CLASS_DROP_##ENUM,
    OFFLOAD_CLASS_DROPS
#undef OFFLOAD_CLASS_DROP
    OFFLOAD_CLASS_N_DROPS
};

const char *offload_class_drop_name(enum offload_class_drop);

/* A token bucket counting in packets: 'rate' per second, up to 'burst'
 * saved.  'tokens' is in billionths of a packet, so that a nanosecond
 * adds exactly 'rate' of them: integer arithmetic, no drift. */
struct offload_tb {
    uint64_t rate;                      /* Packets per second; 0: none. */
    uint64_t burst;                     /* Packets. */
    uint64_t tokens;                    /* Packets * 1e9. */
    uint64_t last_ns;
};

void offload_tb_init(struct offload_tb *, uint64_t rate, uint64_t burst,
                     uint64_t now_ns);
/* Takes one packet's token; false if there is none (rate 0: always
 * true). */
bool offload_tb_take(struct offload_tb *, uint64_t now_ns);

/* A class as configured. */
struct offload_class_config {
    char name[OFFLOAD_CLASS_NAME_LEN];
    uint32_t queue;                     /* First receive queue. */
    uint32_t n_queues;                  /* Queue group size, >= 1. */
    uint32_t priority;                  /* 0..OFFLOAD_CLASS_PRIO_MAX. */
    uint32_t weight;                    /* 1..OFFLOAD_CLASS_WEIGHT_MAX. */
    uint32_t depth;                     /* 1..OFFLOAD_CLASS_DEPTH_MAX. */
    uint64_t pps;                       /* 0: no rate limit. */
    uint32_t burst;                     /* Token bucket; 0: pps / 10 + 1. */
};

/* Returns NULL or a malloc'd message saying what is wrong with 'cfg' on
 * a port with 'n_rxq' receive queues (0: do not check queues). */
char *offload_class_config_check(const struct offload_class_config *,
                                 uint32_t n_rxq) OVS_WARN_UNUSED_RESULT;

/* Classifier. */

struct offload_class_rule {
    struct nic_match match;
    uint32_t priority;                  /* Higher wins. */
    uint32_t class;                     /* Index of the class. */
    uint64_t n_packets;                 /* Matched since added. */
};

/* Rules, kept highest priority first (ties by insertion order). */
struct offload_classifier {
    struct offload_class_rule *rules;
    size_t n_rules;
    uint32_t default_class;             /* When no rule matches. */
    uint64_t n_default;                 /* Packets that matched none. */
};

void offload_classifier_init(struct offload_classifier *,
                             uint32_t default_class);
void offload_classifier_destroy(struct offload_classifier *);
/* Adds a rule (normalized).  Returns 0, EEXIST for a rule with the same
 * match and priority, EBUSY for one of the same priority that overlaps
 * it (some packet matches both) with another class, which would make
 * the order between them arbitrary, or ENOSPC. */
int offload_classifier_add(struct offload_classifier *,
                           const struct nic_match *, uint32_t priority,
                           uint32_t class);
/* Removes the rule with this match and priority; 0 or ENOENT. */
int offload_classifier_del(struct offload_classifier *,
                           const struct nic_match *, uint32_t priority);
/* The class of a packet with 'key' (and counts the hit). */
uint32_t offload_classifier_lookup(struct offload_classifier *,
                                   const struct nic_flow_key *);
bool offload_matches_overlap(const struct nic_match *,
                             const struct nic_match *);

/* Scheduler. */

struct offload_class_stats {
    uint64_t offered;                   /* Every packet given to it. */
    uint64_t enqueued;
    uint64_t delivered;
    uint64_t drops[OFFLOAD_CLASS_N_DROPS];
    uint32_t depth;                     /* Queued now. */
};

struct offload_sched_class {
    struct offload_class_config cfg;
    struct offload_tb tb;
    void **ring;                        /* 'cfg.depth' slots. */
    uint32_t head, count;
    int64_t deficit;                    /* DRR credit, packets. */
    struct offload_class_stats stats;
};

struct offload_sched {
    struct offload_sched_class classes[OFFLOAD_CLASSES_MAX];
    size_t n_classes;
    size_t rr[OFFLOAD_CLASS_PRIO_MAX + 1]; /* DRR position per priority. */
};

void offload_sched_init(struct offload_sched *);
/* Frees the rings; queued packets are handed to 'drop' (may be NULL). */
void offload_sched_destroy(struct offload_sched *,
                           void (*drop)(void *pkt, void *aux), void *aux);
/* Adds a class (checked with offload_class_config_check(cfg, 0)).
 * Returns 0 and its index in '*idxp', EINVAL, EEXIST (same name) or
 * ENOSPC. */
int offload_sched_add_class(struct offload_sched *,
                            const struct offload_class_config *,
                            uint64_t now_ns, size_t *idxp);
int offload_sched_find(const struct offload_sched *, const char *name);

/* Offers 'pkt' to class 'idx'.  Returns true if queued; false if dropped,
 * with the reason in '*reason' (the packet stays the caller's). */
bool offload_sched_enqueue(struct offload_sched *, size_t idx, void *pkt,
                           uint64_t now_ns, enum offload_class_drop *reason);
/* Takes up to 'max' packets in delivery order; returns how many, with
 * the class of each in 'classes' (may be NULL). */
size_t offload_sched_dequeue(struct offload_sched *, void **pkts,
                             uint32_t *classes, size_t max);
uint32_t offload_sched_backlog(const struct offload_sched *);
/* Conservation of one class: offered == delivered + queued + drops. */
bool offload_class_stats_conserved(const struct offload_class_stats *);

void offload_sched_format(struct ds *, const struct offload_sched *);

#endif /* offload-classes.h */
