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

struct ds;
struct json;
struct nic;

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

struct offload_flow {
    struct hmap_node node;              /* In offload_tracker, by ufid. */
    struct hmap_node cookie_node;       /* In offload_tracker, by (nic,
                                         * cookie). */
    ovs_u128 ufid;

    /* The datapath flow.  A minimatch: a full struct match is 3 kB, most
     * of it tunnel metadata that megaflows rarely use. */
    struct minimatch match;
    struct nlattr *actions;             /* ODP actions, malloc'd. */
    size_t actions_len;
    odp_port_t in_port;
    struct nic *nic;                    /* Engine's reference; fixed at
                                         * insertion (the cookie index
                                         * is keyed by it). */
    uint32_t nic_port;                  /* NIC port of 'in_port'. */
    uint32_t mark;                      /* dpif-netdev's flow mark. */

    /* Where it is. */
    enum offload_state state;
    enum offload_reason reason;         /* NONE only if fully offloaded. */
    char detail[OFFLOAD_DETAIL_LEN];
    bool excluded;                      /* Policy keeps it on the host. */
    struct offload_rule rule;           /* kind NONE: cannot go in NIC. */
    bool installed;                     /* 'rule_id' is in the NIC. */
    uint32_t rule_id;
    int error;                          /* Last insertion errno. */

    /* Counters.  A NIC rule's counters restart with each new rule; these
     * accumulate over all the flow's rules and never go back, because
     * revalidators push their increments to OpenFlow rules. */
    uint64_t hw_packets, hw_bytes;      /* Everything the NIC matched. */
    uint64_t full_packets, full_bytes;  /* Of which by full rules: packets
                                         * the datapath never saw. */
    uint64_t cur_packets, cur_bytes;    /* Last read of the current rule. */
    long long int hw_used;              /* Last time counters grew, ms. */
    uint64_t sw_packets;                /* From the datapath, if known. */
    struct offload_rate rate;           /* Total packets per second. */

    /* Times, ms. */
    long long int created;              /* Offered by the datapath. */
    long long int created_us;           /* Same, in microseconds. */
    long long int installed_at;
    uint32_t n_installs;                /* Rules created for it. */
};

struct offload_tracker {
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
struct offload_flow *offload_tracker_insert(struct offload_tracker *,
                                            const ovs_u128 *ufid,
                                            struct nic *,
                                            long long int now_ms);
void offload_tracker_remove(struct offload_tracker *, struct offload_flow *);

/* Changes 'flow''s state, keeping the per-state counts right. */
void offload_tracker_set_state(struct offload_tracker *,
                               struct offload_flow *, enum offload_state,
                               enum offload_reason, const char *detail);

void offload_rule_set(struct offload_rule *,
                      const struct offload_translation *, uint64_t cookie);
void offload_rule_clear(struct offload_rule *);

uint64_t offload_flow_cookie(const struct offload_flow *);
uint64_t offload_flow_total_packets(const struct offload_flow *);

/* Formatting, for offload/flows and offload/explain. */
void offload_flow_explain(struct ds *, const struct offload_flow *);
struct json *offload_flow_to_json(const struct offload_flow *);

#endif /* offload-tracker.h */
