/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_QUEUES_H
#define OFFLOAD_QUEUES_H 1

/* The receive queue manager: which VMs (and which single flows) of one NIC
 * port get a physical receive queue of their own, and therefore a CPU, and
 * which share the default queue group that RSS spreads.  Pure logic: the
 * caller feeds it configuration, measured rates and the time, and programs
 * what it decides (lib/nic.h filters) itself.
 *
 * Queues 0..n_default-1 are the default group; the others are dedicatable.
 *
 * Policy "value": candidates (VMs, and flows heavy enough on their own)
 * are ranked by priority, then by load.  Free queues go to the best ones;
 * a candidate of higher priority, or of the same priority and heavier
 * than the weakest holder by the hysteresis factor, preempts it once the
 * holder has had its queue for the hold time; a holder that stays idle for
 * the idle time (and has had its queue for the hold time) gives it back.
 *
 * Policy "first-come" is Hyper-V's VMQ: queues go to VMs in the order they
 * appear, are never preempted, and are given back only when the VM goes
 * away (or is configured out); priorities, loads and flows play no part. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/offload-admission.h"

/* The policies are the admission's, "value" and "first-come", by the
 * same names (offload_policy_from_string()). */

/* A VM's priority; "never" is separate (a VM of any priority may be set
 * never to get a queue). */
enum offload_queues_prio {
    OFFLOAD_QUEUES_PRIO_LOW,
    OFFLOAD_QUEUES_PRIO_NORMAL,
    OFFLOAD_QUEUES_PRIO_HIGH,
    OFFLOAD_QUEUES_PRIO_CRITICAL,
};

bool offload_queues_prio_from_string(const char *,
                                     enum offload_queues_prio *);
const char *offload_queues_prio_to_string(enum offload_queues_prio);

/* Why a VM has no dedicated queue. */
enum offload_queues_reason {
    OFFLOAD_QUEUES_HAS_QUEUE,       /* It has one (or a flow of it has). */
    OFFLOAD_QUEUES_NO_QUEUE_FREE,   /* All held by heavier or protected. */
    OFFLOAD_QUEUES_BELOW_THRESHOLD, /* Slower than min_pps. */
    OFFLOAD_QUEUES_PRIORITY,        /* All held by higher priorities. */
    OFFLOAD_QUEUES_NEVER,           /* Configured never (or 0 queues). */
};

const char *offload_queues_reason_to_string(enum offload_queues_reason);

struct offload_queues_config {
    enum offload_policy policy;
    uint32_t n_queues;          /* Physical queues of the port (1-16). */
    uint32_t n_default;         /* Of which the default group (>= 1). */
    double min_pps;             /* Slower candidates get no queue. */
    double flow_min_pps;        /* A flow this fast is a candidate of its
                                 * own (0: no flow queues). */
    double hysteresis;          /* >= 1: how much heavier a preemptor. */
    long long int hold_ms;      /* Least time a queue stays with a holder
                                 * before it can be reclaimed or
                                 * preempted. */
    long long int idle_ms;      /* Idle (below min_pps / hysteresis) this
                                 * long: the queue is reclaimed. */
};

#define OFFLOAD_QUEUES_MAX 16

/* Fills in the defaults: value, 8 queues, 1 default, min_pps 100,
 * flow_min_pps 0, hysteresis 1.25, hold 5 s, idle 2 s. */
void offload_queues_config_default(struct offload_queues_config *);

/* Returns 0, or EINVAL and a malloc'd message in '*errorp'. */
int offload_queues_config_check(const struct offload_queues_config *,
                                char **errorp);

/* What the caller measured of one flow of a VM in the last interval. */
struct offload_queues_flow_input {
    uint64_t id;                /* Caller's, unique within the VM. */
    const char *name;           /* For logs, e.g. "udp 10.0.0.1:1>...". */
    double pps, bps;
    double burstiness;          /* Peak / mean rate, >= 1 (0: unknown). */
    uint8_t proto;              /* IP protocol: only TCP/UDP flows can
                                 * have a 5-tuple queue. */
};

/* One VM: its configuration and what was measured of it. */
struct offload_queues_vm_input {
    const char *id;             /* external_ids:vm-id or the port name. */
    enum offload_queues_prio prio;
    bool never;
    uint32_t wanted;            /* Most queues (VM's plus its flows'); 0:
                                 * none, as never. */
    double pps, bps;            /* Of all its packets, flows included. */
    double burstiness;
    uint8_t proto;              /* Dominant IP protocol (0: unknown). */
    const struct offload_queues_flow_input *flows;
    size_t n_flows;
};

enum offload_queues_owner_type {
    OFFLOAD_QUEUES_OWNER_DEFAULT,   /* Default group (RSS). */
    OFFLOAD_QUEUES_OWNER_FREE,      /* Dedicatable, unassigned: its
                                     * traffic is none. */
    OFFLOAD_QUEUES_OWNER_VM,
    OFFLOAD_QUEUES_OWNER_FLOW,
};

const char *offload_queues_owner_type_to_string(
    enum offload_queues_owner_type);

/* One physical queue as the last rebalance left it. */
struct offload_queues_queue {
    enum offload_queues_owner_type type;
    char *vm;                   /* VM or flow's VM; NULL otherwise. */
    uint64_t flow_id;           /* OWNER_FLOW only. */
    char *flow_name;            /* OWNER_FLOW only. */
    long long int since_ms;     /* Assigned at. */
    double pps, bps;            /* Owner's, last measured. */
};

/* One VM's outcome. */
struct offload_queues_vm_result {
    char *id;
    enum offload_queues_prio prio;
    enum offload_queues_reason reason;
    uint32_t n_queues;          /* Dedicated queues it (and its flows)
                                 * hold. */
    double pps, bps, load;
};

enum offload_queues_decision_type {
    OFFLOAD_QUEUES_ASSIGN,
    OFFLOAD_QUEUES_RECLAIM,
    OFFLOAD_QUEUES_PREEMPT,
    OFFLOAD_QUEUES_MOVE,
};

const char *offload_queues_decision_to_string(
    enum offload_queues_decision_type);

/* A change of the last rebalance, with the figures that decided it. */
struct offload_queues_decision {
    enum offload_queues_decision_type type;
    uint32_t queue;             /* The queue (MOVE: the new one). */
    uint32_t from_queue;        /* MOVE: the old one. */
    char *vm;                   /* The VM gaining (ASSIGN, PREEMPT, MOVE)
                                 * or losing (RECLAIM) the queue. */
    uint64_t flow_id;           /* With 'is_flow'. */
    bool is_flow;
    char *victim;               /* PREEMPT: the VM that lost it. */
    char *text;                 /* One line: reason and figures. */
};

struct offload_queues;

struct offload_queues *offload_queues_create(
    const struct offload_queues_config *);
void offload_queues_destroy(struct offload_queues *);

/* Changes the configuration.  Returns 0, or EINVAL with a message in
 * '*errorp', the previous configuration and assignment staying.  Fewer
 * queues move holders of queues that disappear to free ones (or reclaim
 * them) at the next rebalance. */
int offload_queues_set_config(struct offload_queues *,
                              const struct offload_queues_config *,
                              char **errorp);
const struct offload_queues_config *offload_queues_get_config(
    const struct offload_queues *);

/* Runs one rebalance at time 'now_ms' over the VMs present now (a VM
 * missing from 'vms' is gone).  Returns the number of decisions. */
size_t offload_queues_rebalance(struct offload_queues *,
                                const struct offload_queues_vm_input *vms,
                                size_t n_vms, long long int now_ms);

/* What the last rebalance left.  Valid until the next call that changes
 * the manager. */
size_t offload_queues_n_queues(const struct offload_queues *);
const struct offload_queues_queue *offload_queues_get_queue(
    const struct offload_queues *, size_t q);
size_t offload_queues_n_vms(const struct offload_queues *);
const struct offload_queues_vm_result *offload_queues_get_vm(
    const struct offload_queues *, size_t i);
const struct offload_queues_vm_result *offload_queues_find_vm(
    const struct offload_queues *, const char *id);
size_t offload_queues_n_decisions(const struct offload_queues *);
const struct offload_queues_decision *offload_queues_get_decision(
    const struct offload_queues *, size_t i);

/* Decisions over the manager's life, and rebalances run. */
uint64_t offload_queues_total_decisions(const struct offload_queues *);
uint64_t offload_queues_rounds(const struct offload_queues *);

/* The queue VM 'vm' (flow 'flow_id' of it, with 'is_flow') holds, or -1. */
int offload_queues_queue_of(const struct offload_queues *, const char *vm,
                            bool is_flow, uint64_t flow_id);

/* A candidate's load, what "value" ranks by: packets per second, raised
 * for bursty traffic (a burst needs a CPU at its peak rate). */
double offload_queues_load(double pps, double burstiness);

#endif /* offload-queues.h */
