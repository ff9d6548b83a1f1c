/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_TRACKER_H
#define OFFLOAD_TRACKER_H 1

/* The flow tracker: for every datapath flow offered for offload, its
 * state, the reason it is not (fully) in the NIC, its NIC rule and the
 * counters the NIC keeps for it.  Not thread-safe by itself: the offload
 * engine serializes access. */

#include <stdbool.h>
#include <stdint.h>

#include "lib/offload-admission.h"
#include "lib/offload-state.h"
#include "lib/offload-translate.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/types.h"

struct nic;
struct nlattr;

/* What the NIC should hold for a flow, kept so that the rule can be
 * installed later (admission, NIC reset, hw-offload turned back on).  This
 * is the one copy of the rule on the host: installing or modifying it
 * hands 'spec' to the NIC as it is. */
struct offload_rule {
    enum offload_kind kind;
    enum offload_reason reason;         /* Why only partial, if so. */
    char detail[OFFLOAD_DETAIL_LEN];
    struct nic_rule_spec spec;          /* Unless kind is NONE; its
                                         * actions malloc'd, exactly
                                         * 'spec.n_actions'. */
};

/* A tracked flow.  Opaque: only lib/offload-tracker.c sees its members,
 * so that every change to a flow goes through the functions below, which
 * keep its state counts, counters and rule consistent. */
struct offload_flow;

struct offload_tracker {
    /* Private to lib/offload-tracker.c; embedded by value for its owner. */
    struct hmap flows;                  /* Contains struct offload_flow. */
    /* The same flows by NIC and rule cookie, because the NIC reports its
     * rules (verify, packets sent to the host by a rule) by cookie and a
     * scan of every flow per report does not scale. */
    struct hmap by_cookie;
    size_t n_by_state[OFFLOAD_N_STATES];
};

void offload_tracker_init(struct offload_tracker *);
void offload_tracker_destroy(struct offload_tracker *);

struct offload_flow *offload_tracker_find(const struct offload_tracker *,
                                          const ovs_u128 *ufid);
struct offload_flow *offload_tracker_find_by_cookie(
    const struct offload_tracker *, const struct nic *, uint64_t cookie);
/* The first flow whose megaflow covers 'flow', or NULL. */
struct flow;
struct offload_flow *offload_tracker_find_by_flow(
    const struct offload_tracker *, const struct flow *);
/* A new flow in state "pending" on 'nic', which must not change for the
 * flow's life: the cookie index is keyed by it. */
struct offload_flow *offload_tracker_insert(struct offload_tracker *,
                                            const ovs_u128 *ufid,
                                            struct nic *,
                                            long long int now_ms);
void offload_tracker_remove(struct offload_tracker *, struct offload_flow *);

size_t offload_tracker_count(const struct offload_tracker *);
size_t offload_tracker_n_in_state(const struct offload_tracker *,
                                  enum offload_state);
/* Counts of flows by their reason (OFFLOAD_REASON_NONE: fully
 * offloaded). */
void offload_tracker_count_reasons(const struct offload_tracker *,
                                   uint64_t by_reason[OFFLOAD_N_REASONS]);

/* Walks the flows in no particular order: first() gives one (NULL if
 * none), next() the one after 'flow' (NULL after the last).  With
 * OFFLOAD_TRACKER_FOR_EACH the body may remove the flow it is at. */
struct offload_flow *offload_tracker_first(const struct offload_tracker *);
struct offload_flow *offload_tracker_next(const struct offload_tracker *,
                                          const struct offload_flow *);
/* The flow at '*pos', advancing '*pos', or NULL past the last one: a walk
 * that goes on across calls from where it stopped (zero '*pos' to start
 * over).  Flows added or removed between calls may be missed or seen
 * twice. */
struct offload_flow *offload_tracker_at(const struct offload_tracker *,
                                        struct hmap_position *pos);
#define OFFLOAD_TRACKER_FOR_EACH(FLOW, NEXT, TRACKER)                     \
    for ((FLOW) = offload_tracker_first(TRACKER);                       \
         (FLOW) && ((NEXT) = offload_tracker_next(TRACKER, FLOW), true); \
         (FLOW) = (NEXT))

/* Every flow, in a malloc'd array that the caller frees, by UFID if
 * 'sorted' (for readable dumps), else in no particular order.  The array
 * stays valid for walking while the caller removes the flows it has
 * visited. */
struct offload_flow **offload_tracker_list(const struct offload_tracker *,
                                           bool sorted, size_t *n);

/* Changes 'flow''s state, keeping the per-state counts right. */
void offload_tracker_set_state(struct offload_tracker *,
                               struct offload_flow *, enum offload_state,
                               enum offload_reason, const char *detail);

/* What a flow is. */
const ovs_u128 *offload_flow_get_ufid(const struct offload_flow *);
uint64_t offload_flow_cookie(const struct offload_flow *);
struct nic *offload_flow_get_nic(const struct offload_flow *);
uint32_t offload_flow_get_nic_port(const struct offload_flow *);
odp_port_t offload_flow_get_in_port(const struct offload_flow *);
const struct minimatch *offload_flow_get_match(const struct offload_flow *);
const struct nlattr *offload_flow_get_actions(const struct offload_flow *,
                                              size_t *actions_len);
long long int offload_flow_get_created(const struct offload_flow *);
long long int offload_flow_get_created_us(const struct offload_flow *);

/* Records the datapath flow, new or with new actions: its megaflow, ODP
 * actions (both copied), input port, the NIC port of that and
 * dpif-netdev's flow mark. */
void offload_flow_set_datapath(struct offload_flow *, const struct match *,
                               const struct nlattr *actions,
                               size_t actions_len, odp_port_t in_port,
                               uint32_t nic_port, uint32_t mark);

/* Where it is. */
enum offload_state offload_flow_get_state(const struct offload_flow *);
enum offload_reason offload_flow_get_reason(const struct offload_flow *);
bool offload_flow_is_excluded(const struct offload_flow *);
void offload_flow_set_excluded(struct offload_flow *, bool excluded);

/* Its rule: what the NIC should hold for it, installed or not. */
const struct offload_rule *offload_flow_get_rule(const struct offload_flow *);
/* Replaces the rule by a copy of translation 'xl', tagged with the flow's
 * cookie.  Does not touch the NIC. */
void offload_flow_set_rule(struct offload_flow *,
                           const struct offload_translation *xl);
/* Drops the rule: none possible, for 'reason' and 'detail'. */
void offload_flow_clear_rule(struct offload_flow *, enum offload_reason,
                             const char *detail);

/* The rule in the NIC.  record_install() books rule 'rule_id' as in the
 * NIC from 'now_ms', counting from zero, and returns true if it is the
 * flow's first; record_modify() books the rule's new id after a modify,
 * whose counters start from zero if the NIC 'replaced' the rule;
 * record_uninstall() books it as gone; record_error() keeps the errno of
 * a failed insertion. */
bool offload_flow_is_installed(const struct offload_flow *);
uint32_t offload_flow_get_rule_id(const struct offload_flow *);
long long int offload_flow_get_installed_at(const struct offload_flow *);
int offload_flow_get_error(const struct offload_flow *);
bool offload_flow_record_install(struct offload_flow *, uint32_t rule_id,
                                 long long int now_ms);
void offload_flow_record_modify(struct offload_flow *, uint32_t rule_id,
                                bool replaced);
void offload_flow_record_uninstall(struct offload_flow *);
void offload_flow_record_error(struct offload_flow *, int error);

/* Counters.  A NIC rule's counters restart with each new rule; a flow's
 * accumulate over all its rules and never go back, because revalidators
 * push their increments to OpenFlow rules. */
struct nic_rule_stats;
/* Adds what the current rule counted since the last read ('st', the
 * rule's own running counts). */
void offload_flow_note_rule_stats(struct offload_flow *,
                                  const struct nic_rule_stats *st,
                                  long long int now_ms);
/* The datapath's packet count for the flow, NIC included. */
void offload_flow_note_datapath_packets(struct offload_flow *,
                                        uint64_t n_packets);
/* Whether a datapath count was noted since the rate meter was last fed:
 * a count read only now and then is sampled when it was read. */
bool offload_flow_datapath_count_is_fresh(const struct offload_flow *);
/* Feeds the rate meter with the flow's packets so far. */
void offload_flow_update_rate(struct offload_flow *, long long int now_ms);
double offload_flow_get_pps(const struct offload_flow *);
uint64_t offload_flow_total_packets(const struct offload_flow *);
/* What full rules carried, which the datapath never saw, and when the NIC
 * last counted a packet of the flow (0: never). */
void offload_flow_get_full_stats(const struct offload_flow *,
                                 uint64_t *packets, uint64_t *bytes,
                                 long long int *used);

/* A copy of what a flow is and where it is, for offload/explain and
 * offload/flows: taken while the flow cannot change, rendered as text or
 * JSON later, from the one copy. */
struct offload_flow_explanation {
    ovs_u128 ufid;
    struct minimatch match;             /* The datapath flow's megaflow. */
    struct nlattr *actions;             /* Its ODP actions, malloc'd. */
    size_t actions_len;
    odp_port_t in_port;
    char *nic_port;                     /* "NIC/PORT", malloc'd. */

    enum offload_state state;
    enum offload_reason reason;
    char detail[OFFLOAD_DETAIL_LEN];

    /* Its rule, if one is possible (kind not NONE). */
    enum offload_kind kind;
    struct nic_match rule_match;
    struct nic_action *rule_actions;    /* Malloc'd. */
    size_t n_rule_actions;
    bool installed;
    uint32_t rule_id;                   /* If 'installed'. */
    /* The host receive queue its packets reach: "none" if the NIC
     * forwards them, the rule's queue if it sets one, else "rss". */
    char queue[16];

    uint64_t hw_packets, hw_bytes;      /* All the NIC matched. */
    double pps;
    uint32_t n_installs;
};

void offload_flow_explain(const struct offload_flow *,
                          struct offload_flow_explanation *);
void offload_flow_explanation_destroy(struct offload_flow_explanation *);

#endif /* offload-tracker.h */
