/* SPDX-License-Identifier: Apache-2.0 */
/* The offload engine: tracks datapath flows, places them in the NIC and
 * keeps their state and statistics. */
#include <config.h>

#include "lib/offload-engine.h"

#include <errno.h>
#include <string.h>

#include "flow.h"
#include "hash.h"
#include "lib/nic.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "timeval.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(offload_engine);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* How long a rule stays in the NIC before "value" may evict it. */
#define OFFLOAD_MIN_RESIDENCY_MS 2000

/* Per NIC: the engine's reference and whether its table said "full". */
struct offload_nic {
    struct hmap_node node;              /* By pointer of 'nic'. */
    struct nic *nic;                    /* Reference held while in use. */
    size_t n_flows;
    size_t n_installed;
    bool full;                          /* Last insertion got ENOSPC. */
    /* nic_encap_map_seq() when the flows it refused as disagreeing with
     * its mappings were last tried. */
    uint64_t encap_map_seq;
    bool encap_map_changed;             /* In this round. */
};

/* Per NIC port the engine has seen a flow from: the name the datapath
 * knows it by, which is what port policy names. */
struct offload_port {
    struct hmap_node node;              /* By 'nic' and 'port'. */
    const struct nic *nic;
    uint32_t port;
    char *name;
};

/* Insertion latency, from the datapath's offer to the rule being in the
 * NIC, in power-of-two microsecond buckets. */
#define OFFLOAD_LATENCY_BUCKETS 32

struct offload_counters {
    uint64_t inserts;                   /* Rules added. */
    uint64_t insert_failures;           /* By errno other than ENOSPC. */
    uint64_t unsupported;               /* EOPNOTSUPP: beyond the NIC. */
    uint64_t encap_refused;             /* EADDRNOTAVAIL: against the NIC's
                                         * encapsulation mappings. */
    uint64_t table_full;                /* ENOSPC answers. */
    uint64_t modifies;
    uint64_t deletes;                   /* Rules removed. */
    uint64_t evictions;                 /* Removed for a heavier flow. */
    uint64_t lost;                      /* Vanished from the NIC. */
    uint64_t rounds;                    /* offload_engine_run() calls. */
    uint64_t latency_hist[OFFLOAD_LATENCY_BUCKETS];
    uint64_t latency_n;
    uint64_t latency_sum_us;
    uint64_t latency_max_us;
};

struct offload_engine {
    struct ovs_mutex mutex;
    struct offload_engine_config config;
    struct offload_tracker tracker;
    struct hmap nics;                   /* Contains struct offload_nic. */
    /* Port policy, the one record of it: names of the ports whose flows
     * stay on the host, and the NIC ports those names are bound to. */
    struct sset excluded;
    struct hmap ports;                  /* Contains struct offload_port. */
    struct offload_counters c;
    size_t n_waiting_value;             /* Flows admission may take. */

    /* Rate of insertions and deletions over the last run period. */
    long long int rate_ms;
    uint64_t rate_inserts, rate_deletes;
    double insert_rate, delete_rate;
};

static struct offload_engine *
offload_engine_get(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;
    static struct offload_engine engine;

    if (ovsthread_once_start(&once)) {
        ovs_mutex_init(&engine.mutex);
        offload_engine_config_init(&engine.config);
        offload_tracker_init(&engine.tracker);
        hmap_init(&engine.nics);
        sset_init(&engine.excluded);
        hmap_init(&engine.ports);
        ovsthread_once_done(&once);
    }
    return &engine;
}

void
offload_engine_config_init(struct offload_engine_config *cfg)
{
    /* Off until the configuration says otherwise, as in OVS. */
    cfg->enabled = false;
    cfg->policy = OFFLOAD_POLICY_VALUE;
    cfg->min_pps = 0;
    cfg->hysteresis = OFFLOAD_DEFAULT_HYSTERESIS;
}

/* NIC references. */

static struct offload_nic *
offload_nic_find(struct offload_engine *e, const struct nic *nic)
{
    struct offload_nic *on;

    HMAP_FOR_EACH_WITH_HASH (on, node, hash_pointer(nic, 0), &e->nics) {
        if (on->nic == nic) {
            return on;
        }
    }
    return NULL;
}

static struct offload_nic *
offload_nic_ref(struct offload_engine *e, struct nic *nic)
{
    struct offload_nic *on = offload_nic_find(e, nic);

    if (!on) {
        struct nic *ref;

        /* Hold the NIC open while it has flows, so that a representor
         * closing does not free it under the engine. */
        if (nic_ref(nic, &ref)) {
            return NULL;
        } else if (ref != nic) {
            /* Another NIC of that name: the caller's is going away. */
            nic_close(ref);
            return NULL;
        }
        on = xzalloc(sizeof *on);
        on->nic = nic;
        hmap_insert(&e->nics, &on->node, hash_pointer(nic, 0));
    }
    on->n_flows++;
    return on;
}

static void
offload_nic_unref(struct offload_engine *e, struct nic *nic)
{
    struct offload_nic *on = offload_nic_find(e, nic);

    if (on && !--on->n_flows) {
        hmap_remove(&e->nics, &on->node);
        nic_close(nic);
        free(on);
    }
}

/* Rules. */

static void
offload_engine_note_latency(struct offload_engine *e, long long int us_)
{
    uint64_t us = us_ > 0 ? us_ : 0;
    int bucket = us ? MIN(log_2_floor(us) + 1, OFFLOAD_LATENCY_BUCKETS - 1)
                 : 0;

    e->c.latency_hist[bucket]++;
    e->c.latency_n++;
    e->c.latency_sum_us += us;
    e->c.latency_max_us = MAX(e->c.latency_max_us, us);
}

static enum offload_state
offload_kind_state(enum offload_kind kind)
{
    return (kind == OFFLOAD_KIND_FULL ? OFFLOAD_STATE_OFFLOADED
            : OFFLOAD_STATE_PARTIAL);
}

/* The reason a flow with a rule carries: none for full offload, else why
 * it is only partial. */
static enum offload_reason
offload_flow_rule_reason(const struct offload_flow *flow)
{
    const struct offload_rule *rule = offload_flow_get_rule(flow);

    return rule->kind == OFFLOAD_KIND_FULL ? OFFLOAD_REASON_NONE
           : rule->reason;
}

/* Tries to put 'flow''s rule in its NIC.  Returns 0 or the NIC's errno;
 * the flow's state says what happened either way. */
static int
offload_flow_install(struct offload_engine *e, struct offload_flow *flow,
                     long long int now_ms)
{
    const struct offload_rule *rule = offload_flow_get_rule(flow);
    struct nic *nic = offload_flow_get_nic(flow);
    struct offload_nic *on = offload_nic_find(e, nic);
    uint32_t rule_id;
    int error;

    ovs_assert(!offload_flow_is_installed(flow)
               && rule->kind != OFFLOAD_KIND_NONE);
    error = nic_rule_add(nic, &rule->spec, &rule_id);
    if (!error) {
        on->n_installed++;
        e->c.inserts++;
        if (offload_flow_record_install(flow, rule_id, now_ms)) {
            offload_engine_note_latency(
                e, time_usec() - offload_flow_get_created_us(flow));
        }
        offload_tracker_set_state(&e->tracker, flow,
                                  offload_kind_state(rule->kind),
                                  offload_flow_rule_reason(flow),
                                  rule->detail);
    } else if (error == ENOSPC) {
        on->full = true;
        e->c.table_full++;
        if (offload_flow_get_state(flow) != OFFLOAD_STATE_SOFTWARE
            || offload_flow_get_reason(flow) != OFFLOAD_REASON_TABLE_FULL) {
            /* A retry keeps the first word on it ("evicted by..."). */
            offload_tracker_set_state(
                &e->tracker, flow, OFFLOAD_STATE_SOFTWARE,
                OFFLOAD_REASON_TABLE_FULL,
                e->config.policy == OFFLOAD_POLICY_VALUE
                ? "waiting for admission by value"
                : "first-come: no free entry");
        }
    } else if (error == EADDRNOTAVAIL) {
        /* Its tunnel is not where the NIC's mapping table says the inner
         * destination lives: the host path sends it, and it is tried again
         * when the table changes (lib/nic-encap-bind.h). */
        char *why = nic_encap_map_explain(nic, &rule->spec);

        offload_flow_record_error(flow, error);
        e->c.encap_refused++;
        offload_tracker_set_state(&e->tracker, flow, OFFLOAD_STATE_SOFTWARE,
                                  OFFLOAD_REASON_ENCAP_MAPPING,
                                  why ? why : "the mapping changed since");
        free(why);
    } else if (error == EOPNOTSUPP) {
        /* A valid rule that this NIC cannot carry (the XDP program's one
         * output, say): the flow is the host's, as for a field the
         * translator cannot match, and not an error to warn about. */
        char detail[OFFLOAD_DETAIL_LEN];

        offload_flow_record_error(flow, error);
        e->c.unsupported++;
        snprintf(detail, sizeof detail, "%s refuses the rule's actions",
                 nic_get_name(nic));
        offload_tracker_set_state(&e->tracker, flow, OFFLOAD_STATE_SOFTWARE,
                                  OFFLOAD_REASON_NIC_CAPABILITY, detail);
    } else {
        char detail[OFFLOAD_DETAIL_LEN];

        offload_flow_record_error(flow, error);
        e->c.insert_failures++;
        snprintf(detail, sizeof detail, "%s (errno %d)",
                 ovs_strerror(error), error);
        VLOG_WARN_RL(&rl, "%s: rule insertion failed: %s",
                     nic_get_name(nic), detail);
        offload_tracker_set_state(&e->tracker, flow, OFFLOAD_STATE_FAILED,
                                  OFFLOAD_REASON_INSERT_FAILED, detail);
    }
    return error;
}

/* Reads the counters of 'flow''s installed rule into the flow.  Returns 0,
 * or the NIC's errno if the rule is gone. */
static int
offload_flow_query(struct offload_flow *flow, long long int now_ms)
{
    struct nic_rule_stats st;
    int error = nic_rule_query(offload_flow_get_nic(flow),
                               offload_flow_get_rule_id(flow), &st);

    if (!error) {
        offload_flow_note_rule_stats(flow, &st, now_ms);
    }
    return error;
}

/* Books 'flow' as no longer having a rule in its NIC. */
static void
offload_flow_forget_rule(struct offload_engine *e, struct offload_flow *flow)
{
    struct offload_nic *on = offload_nic_find(e, offload_flow_get_nic(flow));

    offload_flow_record_uninstall(flow);
    on->n_installed--;
    on->full = false;
}

/* Takes 'flow''s rule out of the NIC, keeping its counts. */
static void
offload_flow_uninstall(struct offload_engine *e, struct offload_flow *flow,
                       long long int now_ms)
{
    if (!offload_flow_is_installed(flow)) {
        return;
    }
    offload_flow_query(flow, now_ms);
    nic_rule_del(offload_flow_get_nic(flow), offload_flow_get_rule_id(flow));
    offload_flow_forget_rule(e, flow);
    e->c.deletes++;
}

/* Puts a flow without a rule where its rule and the configuration say
 * it belongs: in the NIC, or on the host with the reason. */
static void
offload_flow_place(struct offload_engine *e, struct offload_flow *flow,
                   long long int now_ms)
{
    const struct offload_engine_config *cfg = &e->config;
    const struct offload_rule *rule = offload_flow_get_rule(flow);

    if (offload_flow_is_installed(flow)) {
        return;
    } else if (rule->kind == OFFLOAD_KIND_NONE) {
        offload_tracker_set_state(&e->tracker, flow, OFFLOAD_STATE_SOFTWARE,
                                  rule->reason, rule->detail);
    } else if (!cfg->enabled) {
        offload_tracker_set_state(&e->tracker, flow, OFFLOAD_STATE_SOFTWARE,
                                  OFFLOAD_REASON_DISABLED, NULL);
    } else if (offload_flow_is_excluded(flow)) {
        offload_tracker_set_state(&e->tracker, flow, OFFLOAD_STATE_SOFTWARE,
                                  OFFLOAD_REASON_POLICY,
                                  "port has other_config:offload=false");
    } else if (cfg->policy == OFFLOAD_POLICY_VALUE && cfg->min_pps > 0
               && offload_flow_get_pps(flow) < cfg->min_pps) {
        /* Too slow, or not measured yet: the rebalancer admits it once
         * it is fast enough. */
        char detail[OFFLOAD_DETAIL_LEN];

        snprintf(detail, sizeof detail, "needs %.0f packets/s",
                 cfg->min_pps);
        offload_tracker_set_state(&e->tracker, flow, OFFLOAD_STATE_SOFTWARE,
                                  OFFLOAD_REASON_THRESHOLD, detail);
    } else {
        offload_flow_install(e, flow, now_ms);
    }
}

/* A flow the NIC refused as against its mappings, after they changed:
 * offered again only if its rule now agrees with them (asking costs a
 * lookup in the NIC's table, not an insertion it would refuse again),
 * else its reason says what the mapping says now. */
static void
offload_flow_retry_mapped(struct offload_engine *e, struct offload_flow *flow,
                          long long int now_ms)
{
    const struct offload_rule *rule = offload_flow_get_rule(flow);
    char *why = nic_encap_map_explain(offload_flow_get_nic(flow),
                                      &rule->spec);

    if (!why) {
        offload_flow_place(e, flow, now_ms);
    } else {
        offload_tracker_set_state(&e->tracker, flow, OFFLOAD_STATE_SOFTWARE,
                                  OFFLOAD_REASON_ENCAP_MAPPING, why);
        free(why);
    }
}

static uint32_t
offload_port_hash(const struct nic *nic, uint32_t port)
{
    return hash_int(port, hash_pointer(nic, 0));
}

static struct offload_port *
offload_port_find(const struct offload_engine *e, const struct nic *nic,
                  uint32_t port)
{
    struct offload_port *op;

    HMAP_FOR_EACH_WITH_HASH (op, node, offload_port_hash(nic, port),
                             &e->ports) {
        if (op->nic == nic && op->port == port) {
            return op;
        }
    }
    return NULL;
}

/* Records that 'port' of 'nic' is the datapath's port 'name' (NULL:
 * unknown, so no policy applies to it). */
static void
offload_port_bind(struct offload_engine *e, const struct nic *nic,
                  uint32_t port, const char *name)
{
    struct offload_port *op = offload_port_find(e, nic, port);

    if (!name) {
        if (op) {
            hmap_remove(&e->ports, &op->node);
            free(op->name);
            free(op);
        }
    } else if (!op) {
        op = xmalloc(sizeof *op);
        op->nic = nic;
        op->port = port;
        op->name = xstrdup(name);
        hmap_insert(&e->ports, &op->node, offload_port_hash(nic, port));
    } else if (strcmp(op->name, name)) {
        free(op->name);
        op->name = xstrdup(name);
    }
}

static bool
offload_port_is_excluded(const struct offload_engine *e,
                         const struct nic *nic, uint32_t port)
{
    const struct offload_port *op = offload_port_find(e, nic, port);

    return op && sset_contains(&e->excluded, op->name);
}

/* Gives the installed rule of 'flow' the actions of 'xl', whose match is
 * the rule's.  The NIC may do it by replacing the rule (lib/nic.h), so the
 * old rule's counters are read first and a new rule counts from zero.
 * Returns false, the flow no longer installed, if the NIC lost the rule
 * on the way. */
static bool
offload_flow_modify(struct offload_flow *flow,
                    const struct offload_translation *xl,
                    long long int now_ms)
{
    uint32_t rule_id = offload_flow_get_rule_id(flow);
    bool replaced;
    int error;

    offload_flow_query(flow, now_ms);
    offload_flow_set_rule(flow, xl);
    error = nic_rule_modify(offload_flow_get_nic(flow), &rule_id,
                            &offload_flow_get_rule(flow)->spec, &replaced);
    offload_flow_record_modify(flow, rule_id, !error && replaced);
    return !error;
}

enum offload_state
offload_engine_flow_put(const struct offload_put *put, long long int now_ms)
{
    struct offload_engine *e = offload_engine_get();
    struct offload_flow *flow;
    enum offload_state state;

    ovs_mutex_lock(&e->mutex);
    flow = offload_tracker_find(&e->tracker, put->ufid);
    if (flow && offload_flow_get_nic(flow) != put->nic) {
        /* Same UFID on another NIC: start over. */
        offload_flow_uninstall(e, flow, now_ms);
        offload_nic_unref(e, offload_flow_get_nic(flow));
        offload_tracker_remove(&e->tracker, flow);
        flow = NULL;
    }
    if (!flow) {
        if (!offload_nic_ref(e, put->nic)) {
            ovs_mutex_unlock(&e->mutex);
            return OFFLOAD_STATE_SOFTWARE;
        }
        flow = offload_tracker_insert(&e->tracker, put->ufid, put->nic,
                                      now_ms);
    }
    offload_flow_set_datapath(flow, put->match, put->actions,
                              put->actions_len, put->in_port, put->nic_port,
                              put->mark);
    /* The engine's own record decides, under its lock, so that a policy
     * change racing with this offer cannot be lost. */
    offload_port_bind(e, put->nic, put->nic_port, put->port_name);
    offload_flow_set_excluded(flow, offload_port_is_excluded(
                                  e, put->nic, put->nic_port));

    const struct offload_translation *xl = put->xlate;
    const struct offload_rule *rule = offload_flow_get_rule(flow);
    if (offload_flow_is_installed(flow) && xl->kind == rule->kind
        && xl->kind != OFFLOAD_KIND_NONE
        && !memcmp(&xl->spec.match, &rule->spec.match,
                   sizeof xl->spec.match)
        && e->config.enabled && !offload_flow_is_excluded(flow)
        && offload_flow_modify(flow, xl, now_ms)) {
        /* New actions, in place where the NIC can. */
        e->c.modifies++;
        offload_tracker_set_state(&e->tracker, flow,
                                  offload_kind_state(xl->kind),
                                  offload_flow_rule_reason(flow),
                                  xl->detail);
    } else {
        offload_flow_uninstall(e, flow, now_ms);
        offload_flow_set_rule(flow, xl);
        offload_flow_place(e, flow, now_ms);
    }
    state = offload_flow_get_state(flow);
    ovs_mutex_unlock(&e->mutex);
    return state;
}

static void
offload_flow_status(const struct offload_flow *flow,
                    struct offload_flow_status *st)
{
    long long int used;

    st->state = offload_flow_get_state(flow);
    st->installed = offload_flow_is_installed(flow);
    st->kind = (st->installed ? offload_flow_get_rule(flow)->kind
                : OFFLOAD_KIND_NONE);
    offload_flow_get_full_stats(flow, &st->hw_packets, &st->hw_bytes, &used);
    st->hw_used = st->hw_packets ? used : 0;
}

int
offload_engine_flow_get(const ovs_u128 *ufid, struct offload_flow_status *st)
{
    struct offload_engine *e = offload_engine_get();
    struct offload_flow *flow;
    int error = 0;

    ovs_mutex_lock(&e->mutex);
    flow = offload_tracker_find(&e->tracker, ufid);
    if (flow) {
        /* Fresh counters for the revalidator: it decides on them whether
         * the flow is idle. */
        if (offload_flow_is_installed(flow)) {
            offload_flow_query(flow, time_msec());
        }
        offload_flow_status(flow, st);
    } else {
        error = ENOENT;
    }
    ovs_mutex_unlock(&e->mutex);
    return error;
}

static void
offload_engine_forget(struct offload_engine *e, struct offload_flow *flow)
{
    struct nic *nic = offload_flow_get_nic(flow);

    offload_tracker_remove(&e->tracker, flow);
    offload_nic_unref(e, nic);
}

int
offload_engine_flow_del(const ovs_u128 *ufid, struct offload_flow_status *st)
{
    struct offload_engine *e = offload_engine_get();
    struct offload_flow *flow;
    int error = 0;

    ovs_mutex_lock(&e->mutex);
    flow = offload_tracker_find(&e->tracker, ufid);
    if (flow) {
        offload_flow_uninstall(e, flow, time_msec());
        if (st) {
            offload_flow_status(flow, st);
        }
        offload_engine_forget(e, flow);
    } else {
        error = ENOENT;
    }
    ovs_mutex_unlock(&e->mutex);
    return error;
}

static bool
offload_rule_uses_port(const struct offload_flow *flow, uint32_t port)
{
    const struct nic_rule_spec *spec = &offload_flow_get_rule(flow)->spec;

    if (offload_flow_get_nic_port(flow) == port) {
        return true;
    }
    for (size_t i = 0; i < spec->n_actions; i++) {
        const struct nic_action *a = &spec->actions[i];

        if (a->type == NIC_ACT_OUTPUT && a->port == port) {
            return true;
        }
    }
    return false;
}

void
offload_engine_flush_port(const struct nic *nic, uint32_t port)
{
    struct offload_engine *e = offload_engine_get();
    long long int now = time_msec();
    struct offload_flow *flow, *next;

    ovs_mutex_lock(&e->mutex);
    /* A port that comes back under the same NIC port may be another
     * interface: its policy is bound again by its first flow. */
    offload_port_bind(e, nic, port, NULL);
    OFFLOAD_TRACKER_FOR_EACH (flow, next, &e->tracker) {
        if (offload_flow_get_nic(flow) != nic
            || !offload_rule_uses_port(flow, port)) {
            continue;
        }
        offload_flow_uninstall(e, flow, now);
        if (offload_flow_get_nic_port(flow) == port) {
            /* dpif-netdev will not tell us when these go: it finds no
             * port to tell once this one is removed. */
            offload_engine_forget(e, flow);
        } else {
            /* The datapath will delete or re-offer the flow; until then
             * its packets take the host path, which knows the port is
             * gone. */
            offload_flow_clear_rule(flow, OFFLOAD_REASON_PORT,
                                    "port removed");
            offload_flow_place(e, flow, now);
        }
    }
    ovs_mutex_unlock(&e->mutex);
}

void
offload_engine_set_excluded_ports(const struct sset *names)
{
    struct offload_engine *e = offload_engine_get();
    long long int now = time_msec();
    struct offload_flow *flow, *next;
    const char *name;

    ovs_mutex_lock(&e->mutex);
    if (sset_equals(&e->excluded, names)) {
        /* Every OVSDB change lands here: skip the walk of all flows. */
        ovs_mutex_unlock(&e->mutex);
        return;
    }
    sset_clear(&e->excluded);
    SSET_FOR_EACH (name, names) {
        sset_add(&e->excluded, name);
    }
    OFFLOAD_TRACKER_FOR_EACH (flow, next, &e->tracker) {
        bool excluded = offload_port_is_excluded(
            e, offload_flow_get_nic(flow), offload_flow_get_nic_port(flow));

        if (offload_flow_is_excluded(flow) != excluded) {
            offload_flow_set_excluded(flow, excluded);
            offload_flow_uninstall(e, flow, now);
            offload_flow_place(e, flow, now);
        }
    }
    ovs_mutex_unlock(&e->mutex);
}

bool
offload_engine_port_is_excluded(const char *name)
{
    struct offload_engine *e = offload_engine_get();
    bool excluded;

    ovs_mutex_lock(&e->mutex);
    excluded = sset_contains(&e->excluded, name);
    ovs_mutex_unlock(&e->mutex);
    return excluded;
}

void
offload_engine_note_datapath_packets(const ovs_u128 *ufid, uint64_t n)
{
    struct offload_engine *e = offload_engine_get();
    struct offload_flow *flow;

    ovs_mutex_lock(&e->mutex);
    flow = offload_tracker_find(&e->tracker, ufid);
    if (flow) {
        offload_flow_note_datapath_packets(flow, n);
    }
    ovs_mutex_unlock(&e->mutex);
}

bool
offload_engine_needs_datapath_stats(void)
{
    struct offload_engine *e = offload_engine_get();
    bool needs;

    ovs_mutex_lock(&e->mutex);
    needs = (e->config.enabled && e->config.policy == OFFLOAD_POLICY_VALUE
             && e->n_waiting_value > 0);
    ovs_mutex_unlock(&e->mutex);
    return needs;
}

/* Whether the rebalancer may put 'flow' in the NIC. */
static bool
offload_flow_is_candidate(const struct offload_engine *e,
                          const struct offload_flow *flow)
{
    int error = offload_flow_get_error(flow);
    enum offload_reason reason = offload_flow_get_reason(flow);

    if (offload_flow_is_installed(flow)
        || offload_flow_get_rule(flow)->kind == OFFLOAD_KIND_NONE
        || offload_flow_is_excluded(flow) || !e->config.enabled) {
        return false;
    }
    switch (offload_flow_get_state(flow)) {
    case OFFLOAD_STATE_PENDING:
        return true;
    case OFFLOAD_STATE_FAILED:
        /* Retry what may pass next time, not a rule the NIC rejects. */
        return error != EINVAL && error != EEXIST && error != EOPNOTSUPP;
    case OFFLOAD_STATE_SOFTWARE:
        return (reason == OFFLOAD_REASON_TABLE_FULL
                || reason == OFFLOAD_REASON_THRESHOLD);
    case OFFLOAD_STATE_OFFLOADED:
    case OFFLOAD_STATE_PARTIAL:
    case OFFLOAD_N_STATES:
    default:
        return false;
    }
}

/* Whether admission needs 'flow''s datapath packet count: a candidate, or
 * a partial rule that may be evicted for one. */
static bool
offload_flow_needs_dp_rate(const struct offload_engine *e,
                           const struct offload_flow *flow)
{
    return (e->config.policy == OFFLOAD_POLICY_VALUE
            && (offload_flow_is_candidate(e, flow)
                || (offload_flow_is_installed(flow)
                    && (offload_flow_get_rule(flow)->kind
                        == OFFLOAD_KIND_PARTIAL))));
}

size_t
offload_engine_rate_flows(struct hmap_position *pos, ovs_u128 *ufids,
                          size_t max)
{
    struct offload_engine *e = offload_engine_get();
    size_t n = 0;

    ovs_mutex_lock(&e->mutex);
    size_t n_flows = offload_tracker_count(&e->tracker);
    bool wrapped = false;
    for (size_t visited = 0; n < max && visited < n_flows; visited++) {
        struct offload_flow *flow = offload_tracker_at(&e->tracker, pos);

        if (!flow) {
            /* End of the table: on from the start, once. */
            if (wrapped) {
                break;
            }
            wrapped = true;
            memset(pos, 0, sizeof *pos);
            flow = offload_tracker_at(&e->tracker, pos);
            if (!flow) {
                break;
            }
        }
        if (offload_flow_needs_dp_rate(e, flow)) {
            ufids[n++] = *offload_flow_get_ufid(flow);
        }
    }
    ovs_mutex_unlock(&e->mutex);
    return n;
}

/* Admission and eviction on one NIC. */
static void
offload_engine_rebalance_nic(struct offload_engine *e,
                             struct offload_nic *on,
                             struct offload_flow **flows, size_t n_flows,
                             long long int now_ms)
{
    struct offload_admission_params p = {
        .policy = e->config.policy,
        .hysteresis = e->config.hysteresis,
        .min_pps = e->config.min_pps,
    };
    struct offload_candidate *cands = xmalloc(n_flows * sizeof *cands);
    struct offload_candidate *victims = xmalloc(n_flows * sizeof *victims);
    size_t n_cands = 0, n_victims = 0;

    for (size_t i = 0; i < n_flows; i++) {
        struct offload_flow *f = flows[i];
        struct offload_candidate c = {
            .pps = offload_flow_get_pps(f),
            .first_seen = offload_flow_get_created(f),
            .idx = i,
        };

        if (offload_flow_get_nic(f) != on->nic) {
            continue;
        }
        if (offload_flow_is_candidate(e, f)) {
            cands[n_cands++] = c;
        } else if (offload_flow_is_installed(f)
                   && (now_ms - offload_flow_get_installed_at(f)
                       >= OFFLOAD_MIN_RESIDENCY_MS)) {
            /* A flow just put in has no measured rate in the NIC yet;
             * evicting it at once would only churn. */
            victims[n_victims++] = c;
        }
    }
    offload_admission_sort_candidates(&p, cands, n_cands);

    /* Free entries first, in admission order.  A full table answers
     * ENOSPC; another table may still have room for the next rule, so a
     * few more are tried before giving up for this round. */
    size_t n_nospace = 0;
    for (size_t i = 0; i < n_cands && n_nospace < 4; i++) {
        if (!offload_admission_eligible(&p, cands[i].pps)) {
            break;
        }
        if (offload_flow_install(e, flows[cands[i].idx], now_ms) == ENOSPC) {
            n_nospace++;
        }
    }

    /* Those still out, in the same order. */
    size_t n_left = 0;
    for (size_t i = 0; i < n_cands; i++) {
        if (!offload_flow_is_installed(flows[cands[i].idx])) {
            cands[n_left++] = cands[i];
        }
    }

    /* Then trade the lightest NIC flows for heavier ones. */
    if (on->full && n_left) {
        offload_admission_sort_victims(victims, n_victims);
        size_t n_swaps = offload_admission_swaps(&p, cands, n_left, victims,
                                                 n_victims);
        for (size_t i = 0; i < n_swaps; i++) {
            struct offload_flow *in = flows[cands[i].idx];
            struct offload_flow *out = flows[victims[i].idx];

            offload_flow_uninstall(e, out, now_ms);
            if (offload_flow_install(e, in, now_ms)) {
                /* Another table, maybe: put the victim back. */
                offload_flow_install(e, out, now_ms);
                break;
            }
            e->c.evictions++;
            offload_tracker_set_state(&e->tracker, out,
                                      OFFLOAD_STATE_SOFTWARE,
                                      OFFLOAD_REASON_TABLE_FULL,
                                      "evicted by a heavier flow");
            on->full = true;
        }
    }
    free(cands);
    free(victims);
}

void
offload_engine_run(long long int now_ms)
{
    struct offload_engine *e = offload_engine_get();
    size_t n;

    ovs_mutex_lock(&e->mutex);
    struct offload_flow **flows = offload_tracker_list(&e->tracker, false,
                                                       &n);

    /* Counted, so that one can wait for the engine to have looked again
     * instead of for some time to pass. */
    e->c.rounds++;

    /* A NIC whose encapsulation mappings changed may now take the rules
     * it refused as disagreeing with them. */
    struct offload_nic *on;
    HMAP_FOR_EACH (on, node, &e->nics) {
        uint64_t seq = nic_encap_map_seq(on->nic);

        on->encap_map_changed = seq != on->encap_map_seq;
        on->encap_map_seq = seq;
    }

    /* Counters, rates, and rules the NIC lost. */
    e->n_waiting_value = 0;
    for (size_t i = 0; i < n; i++) {
        struct offload_flow *flow = flows[i];

        if (!offload_flow_is_installed(flow)
            && offload_flow_get_reason(flow) == OFFLOAD_REASON_ENCAP_MAPPING
            && offload_nic_find(e, offload_flow_get_nic(flow))
               ->encap_map_changed) {
            offload_flow_retry_mapped(e, flow, now_ms);
        }

        if (offload_flow_is_installed(flow)
            && offload_flow_query(flow, now_ms)) {
            /* Reset or removed behind our back: put it back now, or leave
             * it to the host with the reason. */
            offload_flow_forget_rule(e, flow);
            e->c.lost++;
            offload_flow_place(e, flow, now_ms);
        }
        /* A count the datapath is asked for only now and then is
         * sampled when it was read, over the time since the last read;
         * sampled every round, it would look idle between reads and
         * bursty at them. */
        if (!offload_flow_needs_dp_rate(e, flow)
            || offload_flow_datapath_count_is_fresh(flow)) {
            offload_flow_update_rate(flow, now_ms);
        }
        if (offload_flow_is_candidate(e, flow)) {
            e->n_waiting_value++;
        }
    }

    HMAP_FOR_EACH (on, node, &e->nics) {
        offload_engine_rebalance_nic(e, on, flows, n, now_ms);
    }
    free(flows);

    if (now_ms - e->rate_ms >= 1000) {
        if (e->rate_ms) {
            double dt = (now_ms - e->rate_ms) / 1000.0;

            e->insert_rate = (e->c.inserts - e->rate_inserts) / dt;
            e->delete_rate = (e->c.deletes - e->rate_deletes) / dt;
        }
        e->rate_ms = now_ms;
        e->rate_inserts = e->c.inserts;
        e->rate_deletes = e->c.deletes;
    }
    ovs_mutex_unlock(&e->mutex);
}

void
offload_engine_set_config(const struct offload_engine_config *cfg)
{
    struct offload_engine *e = offload_engine_get();
    long long int now = time_msec();
    struct offload_flow *flow, *next;

    ovs_mutex_lock(&e->mutex);
    bool was_enabled = e->config.enabled;
    e->config = *cfg;
    if (was_enabled && !cfg->enabled) {
        uint64_t deletes = e->c.deletes;

        OFFLOAD_TRACKER_FOR_EACH (flow, next, &e->tracker) {
            offload_flow_uninstall(e, flow, now);
            offload_flow_place(e, flow, now);
        }
        if (e->c.deletes != deletes) {
            VLOG_INFO("hw-offload off: %"PRIu64" NIC rules removed",
                      e->c.deletes - deletes);
        }
    } else if (!was_enabled && cfg->enabled) {
        OFFLOAD_TRACKER_FOR_EACH (flow, next, &e->tracker) {
            offload_flow_place(e, flow, now);
        }
    }
    ovs_mutex_unlock(&e->mutex);
}

void
offload_engine_get_config(struct offload_engine_config *cfg)
{
    struct offload_engine *e = offload_engine_get();

    ovs_mutex_lock(&e->mutex);
    *cfg = e->config;
    ovs_mutex_unlock(&e->mutex);
}

void
offload_engine_uninstall_all(void)
{
    struct offload_engine *e = offload_engine_get();
    long long int now = time_msec();
    struct offload_flow *flow, *next;

    ovs_mutex_lock(&e->mutex);
    /* Off, so that flows offered while the datapath shuts down stay out. */
    e->config.enabled = false;
    OFFLOAD_TRACKER_FOR_EACH (flow, next, &e->tracker) {
        offload_flow_uninstall(e, flow, now);
        offload_tracker_set_state(&e->tracker, flow, OFFLOAD_STATE_SOFTWARE,
                                  OFFLOAD_REASON_DISABLED, "shutting down");
    }
    ovs_mutex_unlock(&e->mutex);
}

uint64_t
offload_engine_n_installed(const struct nic *nic)
{
    struct offload_engine *e = offload_engine_get();
    struct offload_nic *on;
    uint64_t n = 0;

    ovs_mutex_lock(&e->mutex);
    HMAP_FOR_EACH (on, node, &e->nics) {
        if (!nic || on->nic == nic) {
            n += on->n_installed;
        }
    }
    ovs_mutex_unlock(&e->mutex);
    return n;
}

void
offload_engine_clear(void)
{
    struct offload_engine *e = offload_engine_get();
    struct offload_flow *flow, *next;

    ovs_mutex_lock(&e->mutex);
    OFFLOAD_TRACKER_FOR_EACH (flow, next, &e->tracker) {
        offload_flow_uninstall(e, flow, 0);
        offload_engine_forget(e, flow);
    }
    memset(&e->c, 0, sizeof e->c);
    sset_clear(&e->excluded);

    struct offload_port *op;
    HMAP_FOR_EACH_POP (op, node, &e->ports) {
        free(op->name);
        free(op);
    }
    e->rate_ms = 0;
    e->insert_rate = e->delete_rate = 0;
    offload_engine_config_init(&e->config);
    ovs_mutex_unlock(&e->mutex);
}

/* Introspection. */

static uint64_t
offload_latency_percentile(const struct offload_counters *c, double pct)
{
    uint64_t want = c->latency_n * pct / 100.0, seen = 0;

    for (int i = 0; i < OFFLOAD_LATENCY_BUCKETS; i++) {
        seen += c->latency_hist[i];
        if (seen > want) {
            /* Upper bound of the bucket. */
            return i ? MIN(1ULL << i, c->latency_max_us) : 0;
        }
    }
    return c->latency_max_us;
}

/* offload/show's snapshot of the engine, taken under the mutex once and
 * then rendered as text or JSON without it. */
struct offload_show_nic {
    char *name;
    size_t n_installed;
    size_t exact_capacity;
    size_t wildcard_capacity;
    bool full;
};

struct offload_show {
    struct offload_engine_config config;
    size_t n_flows;
    size_t n_by_state[OFFLOAD_N_STATES];
    uint64_t by_reason[OFFLOAD_N_REASONS];
    struct offload_show_nic *nics;
    size_t n_nics;
    struct offload_counters c;
    double insert_rate, delete_rate;
    uint64_t latency_avg_us, latency_p50_us, latency_p99_us;
};

static void
offload_show_collect(struct offload_show *show)
{
    struct offload_engine *e = offload_engine_get();
    struct offload_nic *on;

    ovs_mutex_lock(&e->mutex);
    show->config = e->config;
    show->n_flows = offload_tracker_count(&e->tracker);
    for (int i = 0; i < OFFLOAD_N_STATES; i++) {
        show->n_by_state[i] = offload_tracker_n_in_state(&e->tracker, i);
    }
    offload_tracker_count_reasons(&e->tracker, show->by_reason);
    show->nics = xcalloc(hmap_count(&e->nics) + 1, sizeof *show->nics);
    show->n_nics = 0;
    HMAP_FOR_EACH (on, node, &e->nics) {
        struct offload_show_nic *sn = &show->nics[show->n_nics++];
        struct nic_caps caps;

        nic_get_caps(on->nic, &caps);
        sn->name = xstrdup(nic_get_name(on->nic));
        sn->n_installed = on->n_installed;
        sn->exact_capacity = caps.exact_capacity;
        sn->wildcard_capacity = caps.wildcard_capacity;
        sn->full = on->full;
    }
    show->c = e->c;
    show->insert_rate = e->insert_rate;
    show->delete_rate = e->delete_rate;
    show->latency_avg_us = (e->c.latency_n
                            ? e->c.latency_sum_us / e->c.latency_n : 0);
    show->latency_p50_us = offload_latency_percentile(&e->c, 50);
    show->latency_p99_us = offload_latency_percentile(&e->c, 99);
    ovs_mutex_unlock(&e->mutex);
}

static void
offload_show_destroy(struct offload_show *show)
{
    for (size_t i = 0; i < show->n_nics; i++) {
        free(show->nics[i].name);
    }
    free(show->nics);
}

void
offload_engine_show(struct ds *s)
{
    struct offload_show show;

    offload_show_collect(&show);
    ds_put_format(s, "hw-offload: %s, policy: %s, min-pps: %.0f,"
                  " hysteresis: %.2f\n",
                  show.config.enabled ? "on" : "off",
                  offload_policy_to_string(show.config.policy),
                  show.config.min_pps, show.config.hysteresis);
    ds_put_format(s, "flows: %"PRIuSIZE"\n", show.n_flows);
    for (int i = 0; i < OFFLOAD_N_STATES; i++) {
        ds_put_format(s, "  %-10s %"PRIuSIZE"\n", offload_state_name(i),
                      show.n_by_state[i]);
    }
    ds_put_cstr(s, "not fully offloaded, by reason:\n");
    for (int i = 1; i < OFFLOAD_N_REASONS; i++) {
        if (show.by_reason[i]) {
            ds_put_format(s, "  %-18s %"PRIu64"\n", offload_reason_name(i),
                          show.by_reason[i]);
        }
    }
    ds_put_cstr(s, "nics:\n");
    for (size_t i = 0; i < show.n_nics; i++) {
        const struct offload_show_nic *sn = &show.nics[i];

        ds_put_format(s, "  %s: %"PRIuSIZE" rules of %"PRIuSIZE
                      " (exact %"PRIuSIZE" + wildcard %"PRIuSIZE")%s\n",
                      sn->name, sn->n_installed,
                      sn->exact_capacity + sn->wildcard_capacity,
                      sn->exact_capacity, sn->wildcard_capacity,
                      sn->full ? ", table full" : "");
    }
    ds_put_format(s, "rules: %"PRIu64" inserted, %"PRIu64" modified, %"PRIu64
                  " deleted, %"PRIu64" evicted, %"PRIu64" lost by the NIC\n",
                  show.c.inserts, show.c.modifies, show.c.deletes,
                  show.c.evictions, show.c.lost);
    ds_put_format(s, "insertion failures: %"PRIu64" (table full: %"PRIu64
                  ")\n", show.c.insert_failures, show.c.table_full);
    ds_put_format(s, "refused as beyond the NIC: %"PRIu64"\n",
                  show.c.unsupported);
    ds_put_format(s, "refused by the NIC's encapsulation mappings: %"PRIu64
                  "\n", show.c.encap_refused);
    ds_put_format(s, "rates: %.1f insertions/s, %.1f deletions/s\n",
                  show.insert_rate, show.delete_rate);
    ds_put_format(s, "rebalance rounds: %"PRIu64"\n", show.c.rounds);
    /* Not what dpctl/offload-stats-show calls latency: see
     * ovs-vswitchd-offload(8). */
    ds_put_format(s, "latency, provider called to rule in NIC (first "
                  "insertions): n=%"PRIu64, show.c.latency_n);
    if (show.c.latency_n) {
        ds_put_format(s, " avg=%"PRIu64"us p50<=%"PRIu64"us p99<=%"PRIu64
                      "us max=%"PRIu64"us", show.latency_avg_us,
                      show.latency_p50_us, show.latency_p99_us,
                      show.c.latency_max_us);
    }
    ds_put_char(s, '\n');
    offload_show_destroy(&show);
}

struct json *
offload_engine_show_json(void)
{
    struct json *j = json_object_create();
    struct json *states = json_object_create();
    struct json *reasons = json_object_create();
    struct json *nics = json_object_create();
    struct json *rules = json_object_create();
    struct json *lat = json_object_create();
    struct offload_show show;

    offload_show_collect(&show);
    json_object_put(j, "enabled", json_boolean_create(show.config.enabled));
    json_object_put_string(j, "policy",
                           offload_policy_to_string(show.config.policy));
    json_object_put(j, "min_pps", json_real_create(show.config.min_pps));
    json_object_put(j, "hysteresis",
                    json_real_create(show.config.hysteresis));
    json_object_put(j, "flows", json_integer_create(show.n_flows));
    for (int i = 0; i < OFFLOAD_N_STATES; i++) {
        json_object_put(states, offload_state_name(i),
                        json_integer_create(show.n_by_state[i]));
    }
    json_object_put(j, "states", states);
    for (int i = 1; i < OFFLOAD_N_REASONS; i++) {
        json_object_put(reasons, offload_reason_name(i),
                        json_integer_create(show.by_reason[i]));
    }
    json_object_put(j, "reasons", reasons);
    for (size_t i = 0; i < show.n_nics; i++) {
        const struct offload_show_nic *sn = &show.nics[i];
        struct json *n = json_object_create();

        json_object_put(n, "rules", json_integer_create(sn->n_installed));
        json_object_put(n, "capacity", json_integer_create(
                            sn->exact_capacity + sn->wildcard_capacity));
        json_object_put(n, "exact_capacity",
                        json_integer_create(sn->exact_capacity));
        json_object_put(n, "wildcard_capacity",
                        json_integer_create(sn->wildcard_capacity));
        json_object_put(n, "full", json_boolean_create(sn->full));
        json_object_put(nics, sn->name, n);
    }
    json_object_put(j, "nics", nics);
    json_object_put(rules, "inserted", json_integer_create(show.c.inserts));
    json_object_put(rules, "modified", json_integer_create(show.c.modifies));
    json_object_put(rules, "deleted", json_integer_create(show.c.deletes));
    json_object_put(rules, "evicted", json_integer_create(show.c.evictions));
    json_object_put(rules, "lost", json_integer_create(show.c.lost));
    json_object_put(rules, "insert_failures",
                    json_integer_create(show.c.insert_failures));
    json_object_put(rules, "table_full",
                    json_integer_create(show.c.table_full));
    json_object_put(rules, "encap_refused",
                    json_integer_create(show.c.encap_refused));
    json_object_put(rules, "unsupported",
                    json_integer_create(show.c.unsupported));
    json_object_put(rules, "insert_rate", json_real_create(show.insert_rate));
    json_object_put(rules, "delete_rate", json_real_create(show.delete_rate));
    json_object_put(j, "rules", rules);
    json_object_put(j, "rebalance_rounds", json_integer_create(show.c.rounds));
    json_object_put(lat, "n", json_integer_create(show.c.latency_n));
    json_object_put(lat, "avg_us", json_integer_create(show.latency_avg_us));
    json_object_put(lat, "p50_us", json_integer_create(show.latency_p50_us));
    json_object_put(lat, "p99_us", json_integer_create(show.latency_p99_us));
    json_object_put(lat, "max_us",
                    json_integer_create(show.c.latency_max_us));
    json_object_put_string(lat, "measures", "provider called to rule in "
                           "NIC, first insertions");
    json_object_put(j, "latency", lat);
    offload_show_destroy(&show);
    return j;
}

static bool
offload_flow_passes(const struct offload_flow *flow, const char *filter)
{
    return (!filter
            || !strcmp(filter, offload_state_name(
                           offload_flow_get_state(flow))));
}

struct json *
offload_flow_explanation_to_json(const struct offload_flow_explanation *x)
{
    struct json *j = json_object_create();
    struct ds s = DS_EMPTY_INITIALIZER;

    odp_format_ufid(&x->ufid, &s);
    json_object_put_string(j, "ufid", ds_cstr(&s) + strlen("ufid:"));
    json_object_put_string(j, "nic_port", x->nic_port);
    json_object_put(j, "in_port", json_integer_create(odp_to_u32(
                                                          x->in_port)));
    json_object_put_string(j, "state", offload_state_name(x->state));
    json_object_put_string(j, "reason", offload_reason_name(x->reason));
    json_object_put_string(j, "detail", x->detail);
    json_object_put_string(j, "kind", offload_kind_to_string(x->kind));
    if (x->installed) {
        json_object_put(j, "rule", json_integer_create(x->rule_id));
    }
    json_object_put_string(j, "queue", x->queue);
    json_object_put(j, "hw_packets", json_integer_create(x->hw_packets));
    json_object_put(j, "hw_bytes", json_integer_create(x->hw_bytes));
    json_object_put(j, "pps", json_real_create(x->pps));
    ds_clear(&s);
    minimatch_format(&x->match, NULL, NULL, &s, OFP_DEFAULT_PRIORITY);
    json_object_put_string(j, "match", ds_cstr(&s));
    ds_clear(&s);
    format_odp_actions(&s, x->actions, x->actions_len, NULL);
    json_object_put_string(j, "actions", ds_cstr(&s));
    ds_destroy(&s);
    return j;
}

struct json *
offload_engine_flows_json(const char *filter)
{
    struct offload_engine *e = offload_engine_get();
    struct json *array = json_array_create_empty();
    struct offload_flow_explanation *xs;
    size_t n, n_xs = 0;

    /* Copied under the lock, rendered without it. */
    ovs_mutex_lock(&e->mutex);
    struct offload_flow **flows = offload_tracker_list(&e->tracker, true,
                                                       &n);
    xs = xmalloc((n + 1) * sizeof *xs);
    for (size_t i = 0; i < n; i++) {
        if (offload_flow_passes(flows[i], filter)) {
            offload_flow_explain(flows[i], &xs[n_xs++]);
        }
    }
    ovs_mutex_unlock(&e->mutex);
    free(flows);

    for (size_t i = 0; i < n_xs; i++) {
        json_array_add(array, offload_flow_explanation_to_json(&xs[i]));
        offload_flow_explanation_destroy(&xs[i]);
    }
    free(xs);
    return array;
}

bool
offload_engine_explain(const ovs_u128 *ufid,
                       struct offload_flow_explanation *x)
{
    struct offload_engine *e = offload_engine_get();
    struct offload_flow *flow;

    ovs_mutex_lock(&e->mutex);
    flow = offload_tracker_find(&e->tracker, ufid);
    if (flow && x) {
        offload_flow_explain(flow, x);
    }
    ovs_mutex_unlock(&e->mutex);
    return flow != NULL;
}

bool
offload_engine_find_by_flow(const struct flow *target, ovs_u128 *ufid)
{
    struct offload_engine *e = offload_engine_get();
    struct offload_flow *flow;

    ovs_mutex_lock(&e->mutex);
    flow = offload_tracker_find_by_flow(&e->tracker, target);
    if (flow) {
        *ufid = *offload_flow_get_ufid(flow);
    }
    ovs_mutex_unlock(&e->mutex);
    return flow != NULL;
}

bool
offload_engine_copy_flow(const struct nic *nic, uint64_t cookie,
                         struct match *match, struct ofpbuf *actions,
                         odp_port_t *in_port, ovs_u128 *ufid,
                         enum offload_kind *kind)
{
    struct offload_engine *e = offload_engine_get();
    struct offload_flow *flow;
    bool found = false;

    ovs_mutex_lock(&e->mutex);
    flow = offload_tracker_find_by_cookie(&e->tracker, nic, cookie);
    if (flow) {
        const struct nlattr *odp_actions;
        size_t actions_len;

        minimatch_expand(offload_flow_get_match(flow), match);
        odp_actions = offload_flow_get_actions(flow, &actions_len);
        ofpbuf_put(actions, odp_actions, actions_len);
        *in_port = offload_flow_get_in_port(flow);
        *ufid = *offload_flow_get_ufid(flow);
        *kind = (offload_flow_is_installed(flow)
                 ? offload_flow_get_rule(flow)->kind : OFFLOAD_KIND_NONE);
        found = true;
    }
    ovs_mutex_unlock(&e->mutex);
    return found;
}

size_t
offload_engine_get_nics(struct nic ***nicsp)
{
    struct offload_engine *e = offload_engine_get();
    struct offload_nic *on;
    size_t n = 0;

    ovs_mutex_lock(&e->mutex);
    *nicsp = xmalloc((hmap_count(&e->nics) + 1) * sizeof **nicsp);
    HMAP_FOR_EACH (on, node, &e->nics) {
        struct nic *ref;

        if (!nic_ref(on->nic, &ref)) {
            (*nicsp)[n++] = ref;
        }
    }
    ovs_mutex_unlock(&e->mutex);
    return n;
}
