/* SPDX-License-Identifier: Apache-2.0 */
/* The tracker of datapath flows and their NIC rules, by UFID. */
#include <config.h>

#include "lib/offload-tracker.h"

#include <string.h>

#include "hash.h"
#include "lib/nic.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "timeval.h"
#include "util.h"

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

void
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

void
offload_rule_clear(struct offload_rule *rule)
{
    free(CONST_CAST(struct nic_action *, rule->spec.actions));
    memset(rule, 0, sizeof *rule);
    rule->kind = OFFLOAD_KIND_NONE;
}

uint64_t
offload_flow_cookie(const struct offload_flow *flow)
{
    return flow->ufid.u64.lo;
}

uint64_t
offload_flow_total_packets(const struct offload_flow *flow)
{
    /* A partially offloaded flow's packets are counted by the datapath;
     * its NIC counters would count them twice. */
    return flow->full_packets + flow->sw_packets;
}

static void
offload_flow_format_nic_port(struct ds *s, const struct offload_flow *flow)
{
    char port[16];

    nic_port_to_string(flow->nic_port, port, sizeof port);
    ds_put_format(s, "%s/%s", flow->nic ? nic_get_name(flow->nic) : "?",
                  port);
}

/* The host receive queue the flow's packets reach: none if the NIC
 * forwards them, the rule's queue if it sets one, else RSS's choice. */
static const char *
offload_flow_queue(const struct offload_flow *flow, char *buf, size_t size)
{
    if (!flow->installed) {
        return "rss";
    }
    for (size_t i = 0; i < flow->rule.spec.n_actions; i++) {
        if (flow->rule.spec.actions[i].type == NIC_ACT_SET_QUEUE) {
            snprintf(buf, size, "%"PRIu32, flow->rule.spec.actions[i].queue);
            return buf;
        }
    }
    return flow->rule.kind == OFFLOAD_KIND_FULL ? "none" : "rss";
}

void
offload_flow_explain(struct ds *s, const struct offload_flow *flow)
{
    ds_put_cstr(s, "flow: ");
    odp_format_ufid(&flow->ufid, s);
    ds_put_cstr(s, "\n  match: ");
    minimatch_format(&flow->match, NULL, NULL, s, OFP_DEFAULT_PRIORITY);
    ds_put_cstr(s, "\n  actions: ");
    format_odp_actions(s, flow->actions, flow->actions_len, NULL);
    ds_put_cstr(s, "\n  nic port: ");
    offload_flow_format_nic_port(s, flow);
    ds_put_format(s, "\n  state: %s (%s)\n", offload_state_name(flow->state),
                  offload_state_description(flow->state));
    if (flow->reason != OFFLOAD_REASON_NONE) {
        ds_put_format(s, "  reason: %s: %s%s%s\n",
                      offload_reason_name(flow->reason),
                      offload_reason_description(flow->reason),
                      flow->detail[0] ? ": " : "", flow->detail);
    }
    if (flow->rule.kind != OFFLOAD_KIND_NONE) {
        ds_put_format(s, "  nic rule (%s): ",
                      offload_kind_to_string(flow->rule.kind));
        nic_match_format(s, &flow->rule.spec.match);
        ds_put_cstr(s, " actions=");
        nic_actions_format(s, flow->rule.spec.actions, flow->rule.spec.n_actions);
        if (flow->installed) {
            ds_put_format(s, " (installed as rule %"PRIu32")",
                          flow->rule_id);
        } else {
            ds_put_cstr(s, " (not installed)");
        }
        ds_put_char(s, '\n');
    } else {
        ds_put_cstr(s, "  nic rule: none possible\n");
    }
    char qbuf[16];
    ds_put_format(s, "  host queue: %s\n",
                  offload_flow_queue(flow, qbuf, sizeof qbuf));
    ds_put_format(s, "  hardware: %"PRIu64" packets, %"PRIu64" bytes;"
                  " rate %.1f packets/s; installed %"PRIu32" time(s)\n",
                  flow->hw_packets, flow->hw_bytes, flow->rate.pps,
                  flow->n_installs);
}

struct json *
offload_flow_to_json(const struct offload_flow *flow)
{
    struct json *j = json_object_create();
    struct ds s = DS_EMPTY_INITIALIZER;

    odp_format_ufid(&flow->ufid, &s);
    json_object_put_string(j, "ufid", ds_cstr(&s) + strlen("ufid:"));
    ds_clear(&s);
    offload_flow_format_nic_port(&s, flow);
    json_object_put_string(j, "nic_port", ds_cstr(&s));
    json_object_put(j, "in_port", json_integer_create(odp_to_u32(
                                                          flow->in_port)));
    json_object_put_string(j, "state", offload_state_name(flow->state));
    json_object_put_string(j, "reason", offload_reason_name(flow->reason));
    json_object_put_string(j, "detail", flow->detail);
    json_object_put_string(j, "kind", offload_kind_to_string(flow->rule.kind));
    if (flow->installed) {
        json_object_put(j, "rule", json_integer_create(flow->rule_id));
    }
    char qbuf[16];
    json_object_put_string(j, "queue",
                           offload_flow_queue(flow, qbuf, sizeof qbuf));
    json_object_put(j, "hw_packets", json_integer_create(flow->hw_packets));
    json_object_put(j, "hw_bytes", json_integer_create(flow->hw_bytes));
    json_object_put(j, "pps", json_real_create(flow->rate.pps));
    ds_clear(&s);
    minimatch_format(&flow->match, NULL, NULL, &s, OFP_DEFAULT_PRIORITY);
    json_object_put_string(j, "match", ds_cstr(&s));
    ds_clear(&s);
    format_odp_actions(&s, flow->actions, flow->actions_len, NULL);
    json_object_put_string(j, "actions", ds_cstr(&s));
    ds_destroy(&s);
    return j;
}
