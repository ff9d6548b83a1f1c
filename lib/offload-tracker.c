/* SPDX-License-Identifier: Apache-2.0 */
/* The tracker of datapath flows and their NIC rules, by UFID. */
#include <config.h>

#include "lib/offload-tracker.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "lib/nic.h"
#include "odp-util.h"
#include "timeval.h"
#include "util.h"

/* A tracked flow; see offload-tracker.h for why it is opaque.  Members of
 * 4 bytes and less are grouped so that no padding is wasted: there is one
 * of these per datapath flow. */
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
    struct nic *nic;                    /* Engine's reference; fixed at
                                         * insertion (the cookie index
                                         * is keyed by it). */
    odp_port_t in_port;
    uint32_t nic_port;                  /* NIC port of 'in_port'. */
    uint32_t mark;                      /* dpif-netdev's flow mark. */

    /* Where it is. */
    enum offload_state state;
    enum offload_reason reason;         /* NONE only if fully offloaded. */
    uint32_t rule_id;                   /* If 'installed'. */
    int error;                          /* Last insertion errno. */
    uint32_t n_installs;                /* Rules created for it. */
    char detail[OFFLOAD_DETAIL_LEN];
    bool excluded;                      /* Policy keeps it on the host. */
    bool installed;                     /* 'rule_id' is in the NIC. */
    struct offload_rule rule;           /* kind NONE: cannot go in NIC. */

    /* Counters (see offload-tracker.h). */
    uint64_t hw_packets, hw_bytes;      /* Everything the NIC matched. */
    uint64_t full_packets, full_bytes;  /* Of which by full rules: packets
                                         * the datapath never saw. */
    uint64_t cur_packets, cur_bytes;    /* Last read of the current rule. */
    long long int hw_used;              /* Last time counters grew, ms. */
    uint64_t sw_packets;                /* From the datapath, if known. */
    bool sw_fresh;                      /* 'sw_packets' noted since the
                                         * rate meter was last fed. */
    struct offload_rate rate;           /* Total packets per second. */

    /* Times, ms. */
    long long int created;              /* Offered by the datapath. */
    long long int created_us;           /* Same, in microseconds. */
    long long int installed_at;
};

static void offload_rule_clear(struct offload_rule *);

static uint32_t
offload_ufid_hash(const ovs_u128 *ufid)
{
    return ufid->u32[0];
}

static uint32_t
offload_cookie_hash(const struct nic *nic, uint64_t cookie)
{
    return hash_uint64_basis(cookie, hash_pointer(nic, 0));
}

void
offload_tracker_init(struct offload_tracker *t)
{
    hmap_init(&t->flows);
    hmap_init(&t->by_cookie);
    memset(t->n_by_state, 0, sizeof t->n_by_state);
}

static void
offload_flow_free(struct offload_flow *flow)
{
    offload_rule_clear(&flow->rule);
    minimatch_destroy(&flow->match);
    free(flow->actions);
    free(flow);
}

void
offload_tracker_destroy(struct offload_tracker *t)
{
    struct offload_flow *flow;

    HMAP_FOR_EACH_POP (flow, node, &t->flows) {
        hmap_remove(&t->by_cookie, &flow->cookie_node);
        offload_flow_free(flow);
    }
    hmap_destroy(&t->flows);
    hmap_destroy(&t->by_cookie);
}

struct offload_flow *
offload_tracker_find(const struct offload_tracker *t, const ovs_u128 *ufid)
{
    struct offload_flow *flow;

    HMAP_FOR_EACH_WITH_HASH (flow, node, offload_ufid_hash(ufid), &t->flows) {
        if (ovs_u128_equals(flow->ufid, *ufid)) {
            return flow;
        }
    }
    return NULL;
}

struct offload_flow *
offload_tracker_find_by_cookie(const struct offload_tracker *t,
                               const struct nic *nic, uint64_t cookie)
{
    struct offload_flow *flow;

    HMAP_FOR_EACH_WITH_HASH (flow, cookie_node,
                             offload_cookie_hash(nic, cookie),
                             &t->by_cookie) {
        if (flow->nic == nic && offload_flow_cookie(flow) == cookie) {
            return flow;
        }
    }
    return NULL;
}

struct offload_flow *
offload_tracker_insert(struct offload_tracker *t, const ovs_u128 *ufid,
                       struct nic *nic, long long int now_ms)
{
    struct offload_flow *flow = xzalloc(sizeof *flow);

    flow->ufid = *ufid;
    flow->nic = nic;
    flow->state = OFFLOAD_STATE_PENDING;
    flow->reason = OFFLOAD_REASON_NONE;
    flow->created = now_ms;
    flow->created_us = time_usec();
    offload_rate_init(&flow->rate, 0, now_ms);
    hmap_insert(&t->flows, &flow->node, offload_ufid_hash(ufid));
    hmap_insert(&t->by_cookie, &flow->cookie_node,
                offload_cookie_hash(nic, offload_flow_cookie(flow)));
    t->n_by_state[flow->state]++;
    return flow;
}

void
offload_tracker_remove(struct offload_tracker *t, struct offload_flow *flow)
{
    t->n_by_state[flow->state]--;
    hmap_remove(&t->flows, &flow->node);
    hmap_remove(&t->by_cookie, &flow->cookie_node);
    offload_flow_free(flow);
}

void
offload_tracker_set_state(struct offload_tracker *t,
                          struct offload_flow *flow,
                          enum offload_state state,
                          enum offload_reason reason, const char *detail)
{
    t->n_by_state[flow->state]--;
    t->n_by_state[state]++;
    flow->state = state;
    flow->reason = reason;
    ovs_strlcpy(flow->detail, detail ? detail : "", sizeof flow->detail);
}

static void
offload_rule_set(struct offload_rule *rule,
                 const struct offload_translation *xl, uint64_t cookie)
{
    offload_rule_clear(rule);
    rule->kind = xl->kind;
    rule->reason = xl->reason;
    ovs_strlcpy(rule->detail, xl->detail, sizeof rule->detail);
    if (xl->kind != OFFLOAD_KIND_NONE) {
        rule->spec.match = xl->spec.match;
        rule->spec.priority = xl->spec.priority;
        rule->spec.cookie = cookie;
        rule->spec.n_actions = xl->spec.n_actions;
        rule->spec.actions = xmemdup(xl->spec.actions,
                                     (xl->spec.n_actions
                                      * sizeof *rule->spec.actions));
    }
}

static void
offload_rule_clear(struct offload_rule *rule)
{
    free(CONST_CAST(struct nic_action *, rule->spec.actions));
    memset(rule, 0, sizeof *rule);
    rule->kind = OFFLOAD_KIND_NONE;
}

size_t
offload_tracker_count(const struct offload_tracker *t)
{
    return hmap_count(&t->flows);
}

size_t
offload_tracker_n_in_state(const struct offload_tracker *t,
                           enum offload_state state)
{
    return t->n_by_state[state];
}

void
offload_tracker_count_reasons(const struct offload_tracker *t,
                              uint64_t by_reason[OFFLOAD_N_REASONS])
{
    const struct offload_flow *flow;

    memset(by_reason, 0, OFFLOAD_N_REASONS * sizeof *by_reason);
    HMAP_FOR_EACH (flow, node, &t->flows) {
        by_reason[flow->reason]++;
    }
}

struct offload_flow *
offload_tracker_find_by_flow(const struct offload_tracker *t,
                             const struct flow *target)
{
    struct offload_flow *flow;

    HMAP_FOR_EACH (flow, node, &t->flows) {
        if (minimatch_matches_flow(&flow->match, target)) {
            return flow;
        }
    }
    return NULL;
}

struct offload_flow *
offload_tracker_first(const struct offload_tracker *t)
{
    struct hmap_node *node = hmap_first(&t->flows);

    return node ? CONTAINER_OF(node, struct offload_flow, node) : NULL;
}

struct offload_flow *
offload_tracker_at(const struct offload_tracker *t, struct hmap_position *pos)
{
    struct hmap_node *node = hmap_at_position(&t->flows, pos);

    return node ? CONTAINER_OF(node, struct offload_flow, node) : NULL;
}

struct offload_flow *
offload_tracker_next(const struct offload_tracker *t,
                     const struct offload_flow *flow)
{
    struct hmap_node *node = hmap_next(&t->flows, &flow->node);

    return node ? CONTAINER_OF(node, struct offload_flow, node) : NULL;
}

static int
offload_flow_cmp_ufid(const void *a_, const void *b_)
{
    const struct offload_flow *const *a = a_, *const *b = b_;
    const ovs_u128 *x = &(*a)->ufid, *y = &(*b)->ufid;

    return (x->u64.hi != y->u64.hi ? (x->u64.hi < y->u64.hi ? -1 : 1)
            : x->u64.lo != y->u64.lo ? (x->u64.lo < y->u64.lo ? -1 : 1)
            : 0);
}

struct offload_flow **
offload_tracker_list(const struct offload_tracker *t, bool sorted,
                     size_t *n)
{
    struct offload_flow **flows = xmalloc((hmap_count(&t->flows) + 1)
                                          * sizeof *flows);
    struct offload_flow *flow;

    *n = 0;
    HMAP_FOR_EACH (flow, node, &t->flows) {
        flows[(*n)++] = flow;
    }
    if (sorted) {
        qsort(flows, *n, sizeof *flows, offload_flow_cmp_ufid);
    }
    return flows;
}

const ovs_u128 *
offload_flow_get_ufid(const struct offload_flow *flow)
{
    return &flow->ufid;
}

uint64_t
offload_flow_cookie(const struct offload_flow *flow)
{
    return flow->ufid.u64.lo;
}

struct nic *
offload_flow_get_nic(const struct offload_flow *flow)
{
    return flow->nic;
}

uint32_t
offload_flow_get_nic_port(const struct offload_flow *flow)
{
    return flow->nic_port;
}

odp_port_t
offload_flow_get_in_port(const struct offload_flow *flow)
{
    return flow->in_port;
}

const struct minimatch *
offload_flow_get_match(const struct offload_flow *flow)
{
    return &flow->match;
}

const struct nlattr *
offload_flow_get_actions(const struct offload_flow *flow,
                         size_t *actions_len)
{
    *actions_len = flow->actions_len;
    return flow->actions;
}

long long int
offload_flow_get_created(const struct offload_flow *flow)
{
    return flow->created;
}

long long int
offload_flow_get_created_us(const struct offload_flow *flow)
{
    return flow->created_us;
}

void
offload_flow_set_datapath(struct offload_flow *flow,
                          const struct match *match,
                          const struct nlattr *actions, size_t actions_len,
                          odp_port_t in_port, uint32_t nic_port,
                          uint32_t mark)
{
    minimatch_destroy(&flow->match);
    minimatch_init(&flow->match, match);
    free(flow->actions);
    flow->actions = xmemdup(actions, actions_len);
    flow->actions_len = actions_len;
    flow->in_port = in_port;
    flow->nic_port = nic_port;
    flow->mark = mark;
}

enum offload_state
offload_flow_get_state(const struct offload_flow *flow)
{
    return flow->state;
}

enum offload_reason
offload_flow_get_reason(const struct offload_flow *flow)
{
    return flow->reason;
}

bool
offload_flow_is_excluded(const struct offload_flow *flow)
{
    return flow->excluded;
}

void
offload_flow_set_excluded(struct offload_flow *flow, bool excluded)
{
    flow->excluded = excluded;
}

const struct offload_rule *
offload_flow_get_rule(const struct offload_flow *flow)
{
    return &flow->rule;
}

void
offload_flow_set_rule(struct offload_flow *flow,
                      const struct offload_translation *xl)
{
    offload_rule_set(&flow->rule, xl, offload_flow_cookie(flow));
}

void
offload_flow_clear_rule(struct offload_flow *flow,
                        enum offload_reason reason, const char *detail)
{
    offload_rule_clear(&flow->rule);
    flow->rule.reason = reason;
    ovs_strlcpy(flow->rule.detail, detail, sizeof flow->rule.detail);
}

bool
offload_flow_is_installed(const struct offload_flow *flow)
{
    return flow->installed;
}

uint32_t
offload_flow_get_rule_id(const struct offload_flow *flow)
{
    return flow->rule_id;
}

long long int
offload_flow_get_installed_at(const struct offload_flow *flow)
{
    return flow->installed_at;
}

int
offload_flow_get_error(const struct offload_flow *flow)
{
    return flow->error;
}

bool
offload_flow_record_install(struct offload_flow *flow, uint32_t rule_id,
                            long long int now_ms)
{
    flow->installed = true;
    flow->rule_id = rule_id;
    flow->cur_packets = flow->cur_bytes = 0;
    flow->installed_at = now_ms;
    flow->n_installs++;
    flow->error = 0;
    return flow->n_installs == 1;
}

void
offload_flow_record_modify(struct offload_flow *flow, uint32_t rule_id,
                           bool replaced)
{
    flow->rule_id = rule_id;
    if (replaced) {
        flow->cur_packets = flow->cur_bytes = 0;
    }
}

void
offload_flow_record_uninstall(struct offload_flow *flow)
{
    flow->installed = false;
}

void
offload_flow_record_error(struct offload_flow *flow, int error)
{
    flow->error = error;
}

/* A tnl_pop rule (see offload_translate()) counts only the packets that
 * the NIC decapsulated and forwarded, which never reach the datapath: like
 * a full rule's, they are the flow's statistics. */
static bool
offload_rule_decapsulates(const struct offload_rule *rule)
{
    for (size_t i = 0; i < rule->spec.n_actions; i++) {
        if (rule->spec.actions[i].type == NIC_ACT_TNL_POP) {
            return true;
        }
    }
    return false;
}

void
offload_flow_note_rule_stats(struct offload_flow *flow,
                             const struct nic_rule_stats *st,
                             long long int now_ms)
{
    uint64_t packets = st->n_packets - MIN(st->n_packets, flow->cur_packets);
    uint64_t bytes = st->n_bytes - MIN(st->n_bytes, flow->cur_bytes);

    flow->cur_packets = st->n_packets;
    flow->cur_bytes = st->n_bytes;
    if (packets) {
        flow->hw_used = now_ms;
    }
    flow->hw_packets += packets;
    flow->hw_bytes += bytes;
    if (flow->rule.kind == OFFLOAD_KIND_FULL
        || offload_rule_decapsulates(&flow->rule)) {
        flow->full_packets += packets;
        flow->full_bytes += bytes;
    }
}

void
offload_flow_note_datapath_packets(struct offload_flow *flow, uint64_t n)
{
    /* 'n' includes what full rules carried, which the engine's flow
     * status adds back. */
    flow->sw_packets = n > flow->full_packets ? n - flow->full_packets : 0;
    flow->sw_fresh = true;
}

bool
offload_flow_datapath_count_is_fresh(const struct offload_flow *flow)
{
    return flow->sw_fresh;
}

void
offload_flow_update_rate(struct offload_flow *flow, long long int now_ms)
{
    offload_rate_update(&flow->rate, offload_flow_total_packets(flow),
                        now_ms);
    flow->sw_fresh = false;
}

double
offload_flow_get_pps(const struct offload_flow *flow)
{
    return flow->rate.pps;
}

uint64_t
offload_flow_total_packets(const struct offload_flow *flow)
{
    /* A partially offloaded flow's packets are counted by the datapath;
     * its NIC counters would count them twice. */
    return flow->full_packets + flow->sw_packets;
}

void
offload_flow_get_full_stats(const struct offload_flow *flow,
                            uint64_t *packets, uint64_t *bytes,
                            long long int *used)
{
    *packets = flow->full_packets;
    *bytes = flow->full_bytes;
    *used = flow->hw_used;
}

/* The host receive queue the flow's packets reach: none if the NIC
 * forwards them, the rule's queue if it sets one, else RSS's choice. */
static void
offload_flow_queue(const struct offload_flow *flow, char *buf, size_t size)
{
    const struct nic_rule_spec *spec = &flow->rule.spec;

    if (!flow->installed) {
        ovs_strlcpy(buf, "rss", size);
        return;
    }
    for (size_t i = 0; i < spec->n_actions; i++) {
        if (spec->actions[i].type == NIC_ACT_SET_QUEUE) {
            snprintf(buf, size, "%"PRIu32, spec->actions[i].queue);
            return;
        }
    }
    ovs_strlcpy(buf, flow->rule.kind == OFFLOAD_KIND_FULL ? "none" : "rss",
                size);
}

void
offload_flow_explain(const struct offload_flow *flow,
                     struct offload_flow_explanation *x)
{
    char port[16];

    memset(x, 0, sizeof *x);
    x->ufid = flow->ufid;
    minimatch_clone(&x->match, &flow->match);
    x->actions = xmemdup(flow->actions, flow->actions_len);
    x->actions_len = flow->actions_len;
    x->in_port = flow->in_port;
    nic_port_to_string(flow->nic_port, port, sizeof port);
    x->nic_port = xasprintf("%s/%s",
                            flow->nic ? nic_get_name(flow->nic) : "?", port);

    x->state = flow->state;
    x->reason = flow->reason;
    ovs_strlcpy(x->detail, flow->detail, sizeof x->detail);

    x->kind = flow->rule.kind;
    if (flow->rule.kind != OFFLOAD_KIND_NONE) {
        const struct nic_rule_spec *spec = &flow->rule.spec;

        x->rule_match = spec->match;
        x->rule_actions = xmemdup(spec->actions,
                                  spec->n_actions * sizeof *spec->actions);
        x->n_rule_actions = spec->n_actions;
    }
    x->installed = flow->installed;
    x->rule_id = flow->installed ? flow->rule_id : 0;
    offload_flow_queue(flow, x->queue, sizeof x->queue);

    x->hw_packets = flow->hw_packets;
    x->hw_bytes = flow->hw_bytes;
    x->pps = flow->rate.pps;
    x->n_installs = flow->n_installs;
}

void
offload_flow_explanation_destroy(struct offload_flow_explanation *x)
{
    minimatch_destroy(&x->match);
    free(x->actions);
    free(x->nic_port);
    free(x->rule_actions);
}
