/* SPDX-License-Identifier: Apache-2.0 */
/* The receive queue manager (VMQ-style): assigns a NIC port's dedicatable
 * receive queues to VMs and heavy flows, by policy. */

#include <config.h>

#include "lib/offload-queues.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "util.h"

/* What the manager remembers of a VM between rebalances. */
struct oq_vm_state {
    uint64_t seq;               /* Order of appearance, for first-come. */
    long long int last_active_ms;
    bool present;               /* In the current round's input. */
};

/* A queue with what the last round measured of its holder. */
struct oq_slot {
    struct offload_queues_queue pub;
    enum offload_queues_prio prio;
    double load;
    long long int last_active_ms;
};

/* A VM or a flow that may get a queue in this round. */
struct oq_cand {
    const struct offload_queues_vm_input *vm;
    const struct offload_queues_flow_input *flow;   /* NULL: the VM. */
    enum offload_queues_prio prio;
    double load, pps, bps;
    uint64_t seq;
    bool eligible;
};

struct offload_queues {
    struct offload_queues_config cfg;
    struct oq_slot slots[OFFLOAD_QUEUES_MAX];
    struct shash vms;           /* VM id -> struct oq_vm_state. */
    uint64_t next_seq;

    struct offload_queues_vm_result *results;
    size_t n_results;
    struct offload_queues_decision *decisions;
    size_t n_decisions, allocated_decisions;
    uint64_t total_decisions;
    uint64_t rounds;
};

static const char *const oq_prio_names[] = {
    [OFFLOAD_QUEUES_PRIO_LOW] = "low",
    [OFFLOAD_QUEUES_PRIO_NORMAL] = "normal",
    [OFFLOAD_QUEUES_PRIO_HIGH] = "high",
    [OFFLOAD_QUEUES_PRIO_CRITICAL] = "critical",
};

bool
offload_queues_prio_from_string(const char *s, enum offload_queues_prio *p)
{
    for (size_t i = 0; i < ARRAY_SIZE(oq_prio_names); i++) {
        if (!strcmp(s, oq_prio_names[i])) {
            *p = i;
            return true;
        }
    }
    return false;
}

const char *
offload_queues_prio_to_string(enum offload_queues_prio p)
{
    return p < ARRAY_SIZE(oq_prio_names) ? oq_prio_names[p] : "?";
}

const char *
offload_queues_reason_to_string(enum offload_queues_reason r)
{
    switch (r) {
    case OFFLOAD_QUEUES_HAS_QUEUE: return "has-queue";
    case OFFLOAD_QUEUES_NO_QUEUE_FREE: return "no-queue-free";
    case OFFLOAD_QUEUES_BELOW_THRESHOLD: return "below-threshold";
    case OFFLOAD_QUEUES_PRIORITY: return "priority";
    case OFFLOAD_QUEUES_NEVER: return "never";
    }
    return "?";
}

const char *
offload_queues_owner_type_to_string(enum offload_queues_owner_type t)
{
    switch (t) {
    case OFFLOAD_QUEUES_OWNER_DEFAULT: return "default";
    case OFFLOAD_QUEUES_OWNER_FREE: return "free";
    case OFFLOAD_QUEUES_OWNER_VM: return "vm";
    case OFFLOAD_QUEUES_OWNER_FLOW: return "flow";
    }
    return "?";
}

const char *
offload_queues_decision_to_string(enum offload_queues_decision_type t)
{
    switch (t) {
    case OFFLOAD_QUEUES_ASSIGN: return "assign";
    case OFFLOAD_QUEUES_RECLAIM: return "reclaim";
    case OFFLOAD_QUEUES_PREEMPT: return "preempt";
    case OFFLOAD_QUEUES_MOVE: return "move";
    }
    return "?";
}

void
offload_queues_config_default(struct offload_queues_config *cfg)
{
    *cfg = (struct offload_queues_config) {
        .policy = OFFLOAD_POLICY_VALUE,
        .n_queues = 8,
        .n_default = 1,
        .min_pps = 100,
        .flow_min_pps = 0,
        .hysteresis = 1.25,
        .hold_ms = 5000,
        .idle_ms = 2000,
    };
}

int
offload_queues_config_check(const struct offload_queues_config *cfg,
                            char **errorp)
{
    const char *msg = NULL;

    if (cfg->n_queues < 1 || cfg->n_queues > OFFLOAD_QUEUES_MAX) {
        msg = "number of queues must be 1 to 16";
    } else if (cfg->n_default < 1 || cfg->n_default > cfg->n_queues) {
        msg = "default queues must be 1 to the number of queues";
    } else if (!(cfg->min_pps >= 0) || !(cfg->flow_min_pps >= 0)) {
        msg = "thresholds must be 0 or more";
    } else if (!(cfg->hysteresis >= 1 && cfg->hysteresis <= 100)) {
        msg = "hysteresis must be 1 to 100";
    } else if (cfg->hold_ms < 0 || cfg->idle_ms < 0) {
        msg = "hold and idle times must be 0 or more";
    } else if (cfg->policy != OFFLOAD_POLICY_VALUE
               && cfg->policy != OFFLOAD_POLICY_FIRST_COME) {
        msg = "unknown policy";
    }
    if (msg) {
        if (errorp) {
            *errorp = xstrdup(msg);
        }
        return EINVAL;
    }
    if (errorp) {
        *errorp = NULL;
    }
    return 0;
}

double
offload_queues_load(double pps, double burstiness)
{
    /* Half of the burst's excess, capped: a 4x bursty VM needs a CPU at
     * its peaks but not at 4x its mean all the time. */
    double b = burstiness > 1 ? MIN(burstiness, 5.0) : 1.0;

    return pps > 0 ? pps * (1 + (b - 1) / 2) : 0;
}

static void
oq_slot_clear(struct oq_slot *s, bool is_default)
{
    free(s->pub.vm);
    free(s->pub.flow_name);
    memset(s, 0, sizeof *s);
    s->pub.type = (is_default ? OFFLOAD_QUEUES_OWNER_DEFAULT
                   : OFFLOAD_QUEUES_OWNER_FREE);
}

static bool
oq_slot_held(const struct oq_slot *s)
{
    return (s->pub.type == OFFLOAD_QUEUES_OWNER_VM
            || s->pub.type == OFFLOAD_QUEUES_OWNER_FLOW);
}

struct offload_queues *
offload_queues_create(const struct offload_queues_config *cfg)
{
    struct offload_queues *oq = xzalloc(sizeof *oq);

    if (cfg && !offload_queues_config_check(cfg, NULL)) {
        oq->cfg = *cfg;
    } else {
        offload_queues_config_default(&oq->cfg);
    }
    for (size_t q = 0; q < OFFLOAD_QUEUES_MAX; q++) {
        oq_slot_clear(&oq->slots[q], q < oq->cfg.n_default);
    }
    shash_init(&oq->vms);
    return oq;
}

static void
oq_clear_round(struct offload_queues *oq)
{
    for (size_t i = 0; i < oq->n_results; i++) {
        free(oq->results[i].id);
    }
    free(oq->results);
    oq->results = NULL;
    oq->n_results = 0;
    for (size_t i = 0; i < oq->n_decisions; i++) {
        free(oq->decisions[i].vm);
        free(oq->decisions[i].victim);
        free(oq->decisions[i].text);
    }
    oq->n_decisions = 0;
}

void
offload_queues_destroy(struct offload_queues *oq)
{
    if (!oq) {
        return;
    }
    oq_clear_round(oq);
    free(oq->decisions);
    for (size_t q = 0; q < OFFLOAD_QUEUES_MAX; q++) {
        oq_slot_clear(&oq->slots[q], false);
    }
    shash_destroy_free_data(&oq->vms);
    free(oq);
}

int
offload_queues_set_config(struct offload_queues *oq,
                          const struct offload_queues_config *cfg,
                          char **errorp)
{
    int error = offload_queues_config_check(cfg, errorp);

    if (!error) {
        /* Slots that change role are settled by the next rebalance, which
         * moves or reclaims their holders with a decision each. */
        oq->cfg = *cfg;
    }
    return error;
}

const struct offload_queues_config *
offload_queues_get_config(const struct offload_queues *oq)
{
    return &oq->cfg;
}

static bool
oq_is_dedicatable(const struct offload_queues *oq, size_t q)
{
    return q >= oq->cfg.n_default && q < oq->cfg.n_queues;
}

static struct offload_queues_decision *
oq_decide(struct offload_queues *oq, enum offload_queues_decision_type type,
          uint32_t queue, const struct oq_slot *owner, const char *fmt, ...)
    OVS_PRINTF_FORMAT(5, 6);

static struct offload_queues_decision *
oq_decide(struct offload_queues *oq, enum offload_queues_decision_type type,
          uint32_t queue, const struct oq_slot *owner, const char *fmt, ...)
{
    struct offload_queues_decision *d;
    struct ds s = DS_EMPTY_INITIALIZER;
    va_list args;

    if (oq->n_decisions >= oq->allocated_decisions) {
        oq->decisions = x2nrealloc(oq->decisions, &oq->allocated_decisions,
                                   sizeof *oq->decisions);
    }
    d = &oq->decisions[oq->n_decisions++];
    memset(d, 0, sizeof *d);
    d->type = type;
    d->queue = d->from_queue = queue;
    d->vm = xstrdup(owner->pub.vm);
    d->is_flow = owner->pub.type == OFFLOAD_QUEUES_OWNER_FLOW;
    d->flow_id = owner->pub.flow_id;

    va_start(args, fmt);
    ds_put_format_valist(&s, fmt, args);
    va_end(args);
    d->text = ds_steal_cstr(&s);
    oq->total_decisions++;
    return d;
}

/* "vm X" or "flow NAME of vm X", for decision texts. */
static char *
oq_owner_name(const struct oq_slot *s)
{
    if (s->pub.type == OFFLOAD_QUEUES_OWNER_FLOW) {
        return xasprintf("flow %s of vm %s", s->pub.flow_name, s->pub.vm);
    }
    return xasprintf("vm %s", s->pub.vm);
}

static const struct offload_queues_vm_input *
oq_find_input(const struct offload_queues_vm_input *vms, size_t n,
              const char *id)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(vms[i].id, id)) {
            return &vms[i];
        }
    }
    return NULL;
}

static const struct offload_queues_flow_input *
oq_find_flow(const struct offload_queues_vm_input *vm, uint64_t id)
{
    for (size_t i = 0; i < vm->n_flows; i++) {
        if (vm->flows[i].id == id) {
            return &vm->flows[i];
        }
    }
    return NULL;
}

static bool
oq_vm_excluded(const struct offload_queues_vm_input *vm)
{
    return vm->never || !vm->wanted;
}

/* Whether flow 'f' of a VM is a candidate of its own under "value". */
static bool
oq_flow_is_heavy(const struct offload_queues *oq,
                 const struct offload_queues_flow_input *f)
{
    return (oq->cfg.policy == OFFLOAD_POLICY_VALUE
            && oq->cfg.flow_min_pps > 0
            && f->pps >= oq->cfg.flow_min_pps
            && (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP));
}

/* The VM's own load: its traffic less that of its heavy flows, which are
 * candidates of their own. */
static void
oq_vm_residual(const struct offload_queues *oq,
               const struct offload_queues_vm_input *vm,
               double *pps, double *bps)
{
    *pps = vm->pps;
    *bps = vm->bps;
    for (size_t i = 0; i < vm->n_flows; i++) {
        if (oq_flow_is_heavy(oq, &vm->flows[i])) {
            *pps -= vm->flows[i].pps;
            *bps -= vm->flows[i].bps;
        }
    }
    *pps = MAX(*pps, 0);
    *bps = MAX(*bps, 0);
}

static bool
oq_active(const struct offload_queues *oq, double pps)
{
    return pps > 0 && pps >= oq->cfg.min_pps / oq->cfg.hysteresis;
}

static size_t
oq_vm_held(const struct offload_queues *oq, const char *vm)
{
    size_t n = 0;

    for (size_t q = 0; q < OFFLOAD_QUEUES_MAX; q++) {
        const struct oq_slot *s = &oq->slots[q];

        n += oq_slot_held(s) && !strcmp(s->pub.vm, vm);
    }
    return n;
}

static int
oq_find_free(const struct offload_queues *oq)
{
    for (size_t q = oq->cfg.n_default; q < oq->cfg.n_queues; q++) {
        if (oq->slots[q].pub.type == OFFLOAD_QUEUES_OWNER_FREE) {
            return q;
        }
    }
    return -1;
}

int
offload_queues_queue_of(const struct offload_queues *oq, const char *vm,
                        bool is_flow, uint64_t flow_id)
{
    for (size_t q = 0; q < OFFLOAD_QUEUES_MAX; q++) {
        const struct oq_slot *s = &oq->slots[q];

        if (oq_slot_held(s) && !strcmp(s->pub.vm, vm)
            && (s->pub.type == OFFLOAD_QUEUES_OWNER_FLOW) == is_flow
            && (!is_flow || s->pub.flow_id == flow_id)) {
            return q;
        }
    }
    return -1;
}

/* Slots whose role the configuration changed: a holder of a queue that
 * is no longer dedicatable moves to a free one, or loses it. */
static void
oq_settle_slots(struct offload_queues *oq)
{
    for (size_t q = 0; q < OFFLOAD_QUEUES_MAX; q++) {
        struct oq_slot *s = &oq->slots[q];

        if (oq_is_dedicatable(oq, q)) {
            if (s->pub.type == OFFLOAD_QUEUES_OWNER_DEFAULT) {
                oq_slot_clear(s, false);
            }
            continue;
        }
        if (oq_slot_held(s)) {
            int to = oq_find_free(oq);
            char *who = oq_owner_name(s);

            if (to >= 0) {
                struct offload_queues_decision *d;

                d = oq_decide(oq, OFFLOAD_QUEUES_MOVE, to, s,
                              "move %s from queue %"PRIuSIZE" to queue %d: "
                              "queue %"PRIuSIZE" is no longer dedicatable "
                              "(%"PRIu32" queues, %"PRIu32" default)",
                              who, q, to, q, oq->cfg.n_queues,
                              oq->cfg.n_default);
                d->from_queue = q;
                oq->slots[to] = *s;
                memset(s, 0, sizeof *s);
            } else {
                oq_decide(oq, OFFLOAD_QUEUES_RECLAIM, q, s,
                          "reclaim queue %"PRIuSIZE" from %s: no longer "
                          "dedicatable (%"PRIu32" queues, %"PRIu32
                          " default) and none free", q, who,
                          oq->cfg.n_queues, oq->cfg.n_default);
                oq_slot_clear(s, false);
            }
            free(who);
        }
        oq_slot_clear(s, q < oq->cfg.n_default);
    }
}

/* Refreshes each holder's figures from 'vms' and reclaims queues whose
 * holder is gone, configured out, over its quota or (under "value") idle
 * past the idle time with the hold time served. */
static void
oq_update_holders(struct offload_queues *oq,
                  const struct offload_queues_vm_input *vms, size_t n_vms,
                  long long int now)
{
    for (size_t q = oq->cfg.n_default; q < oq->cfg.n_queues; q++) {
        struct oq_slot *s = &oq->slots[q];
        const struct offload_queues_vm_input *vm;
        const char *why = NULL;
        char *why_buf = NULL;

        if (!oq_slot_held(s)) {
            continue;
        }
        vm = oq_find_input(vms, n_vms, s->pub.vm);
        if (!vm) {
            why = "the VM is gone";
        } else if (oq_vm_excluded(vm)) {
            why = vm->never ? "configured never" : "configured 0 queues";
        } else {
            double pps = 0, bps = 0, burst = 0;

            if (s->pub.type == OFFLOAD_QUEUES_OWNER_FLOW) {
                const struct offload_queues_flow_input *f;

                f = oq_find_flow(vm, s->pub.flow_id);
                if (f) {
                    pps = f->pps;
                    bps = f->bps;
                    burst = f->burstiness;
                }
            } else {
                oq_vm_residual(oq, vm, &pps, &bps);
                burst = vm->burstiness;
            }
            s->pub.pps = pps;
            s->pub.bps = bps;
            s->load = offload_queues_load(pps, burst);
            s->prio = vm->prio;
            if (oq_active(oq, pps)) {
                s->last_active_ms = now;
            }
            /* Idle now, and for the idle time (which may be 0). */
            if (oq->cfg.policy == OFFLOAD_POLICY_VALUE
                && !oq_active(oq, pps)
                && now - s->last_active_ms >= oq->cfg.idle_ms
                && now - s->pub.since_ms >= oq->cfg.hold_ms) {
                why = why_buf = xasprintf(
                    "idle %lld ms (%.1f pps < %.1f), held %lld ms",
                    now - s->last_active_ms, pps,
                    oq->cfg.min_pps / oq->cfg.hysteresis,
                    now - s->pub.since_ms);
            } else if (oq_vm_held(oq, vm->id) > vm->wanted) {
                why = why_buf = xasprintf("vm wants %"PRIu32" queues",
                                          vm->wanted);
            }
        }
        if (why) {
            char *who = oq_owner_name(s);

            oq_decide(oq, OFFLOAD_QUEUES_RECLAIM, q, s,
                      "reclaim queue %"PRIuSIZE" from %s: %s", q, who, why);
            free(who);
            oq_slot_clear(s, false);
        }
        free(why_buf);
    }
}

static int
oq_cand_cmp_value(const void *a_, const void *b_)
{
    const struct oq_cand *a = a_, *b = b_;
    int c;

    if (a->prio != b->prio) {
        return a->prio > b->prio ? -1 : 1;
    }
    if (a->load != b->load) {
        return a->load > b->load ? -1 : 1;
    }
    c = strcmp(a->vm->id, b->vm->id);
    if (c) {
        return c;
    }
    if (!a->flow != !b->flow) {
        return a->flow ? 1 : -1;
    }
    return (a->flow && a->flow->id != b->flow->id
            ? (a->flow->id < b->flow->id ? -1 : 1) : 0);
}

static int
oq_cand_cmp_first_come(const void *a_, const void *b_)
{
    const struct oq_cand *a = a_, *b = b_;

    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static bool
oq_cand_holds(const struct offload_queues *oq, const struct oq_cand *c)
{
    return offload_queues_queue_of(oq, c->vm->id, c->flow != NULL,
                                   c->flow ? c->flow->id : 0) >= 0;
}

/* Gives queue 'q' to candidate 'c'. */
static void
oq_slot_take(struct oq_slot *s, const struct oq_cand *c, long long int now)
{
    oq_slot_clear(s, false);
    s->pub.type = (c->flow ? OFFLOAD_QUEUES_OWNER_FLOW
                   : OFFLOAD_QUEUES_OWNER_VM);
    s->pub.vm = xstrdup(c->vm->id);
    if (c->flow) {
        s->pub.flow_id = c->flow->id;
        s->pub.flow_name = xstrdup(c->flow->name ? c->flow->name : "?");
    }
    s->pub.since_ms = now;
    s->pub.pps = c->pps;
    s->pub.bps = c->bps;
    s->load = c->load;
    s->prio = c->prio;
    s->last_active_ms = now;
}

/* The weakest holder that may be preempted now (hold time served), or
 * -1: lowest priority, then lowest load. */
static int
oq_weakest(const struct offload_queues *oq, long long int now,
           const char *except_vm)
{
    int best = -1;

    for (size_t q = oq->cfg.n_default; q < oq->cfg.n_queues; q++) {
        const struct oq_slot *s = &oq->slots[q];

        if (!oq_slot_held(s) || now - s->pub.since_ms < oq->cfg.hold_ms
            || !strcmp(s->pub.vm, except_vm)) {
            continue;
        }
        if (best < 0 || s->prio < oq->slots[best].prio
            || (s->prio == oq->slots[best].prio
                && s->load < oq->slots[best].load)) {
            best = q;
        }
    }
    return best;
}

static size_t
oq_build_candidates(struct offload_queues *oq,
                    const struct offload_queues_vm_input *vms, size_t n_vms,
                    struct oq_cand **candsp)
{
    struct oq_cand *cands = NULL;
    size_t n = 0, allocated = 0;

    for (size_t i = 0; i < n_vms; i++) {
        const struct offload_queues_vm_input *vm = &vms[i];
        const struct oq_vm_state *st = shash_find_data(&oq->vms, vm->id);

        if (oq_vm_excluded(vm)) {
            continue;
        }
        for (size_t j = 0; j <= vm->n_flows; j++) {
            const struct offload_queues_flow_input *f = NULL;
            struct oq_cand c;

            if (j < vm->n_flows) {
                f = &vm->flows[j];
                if (!oq_flow_is_heavy(oq, f)) {
                    continue;
                }
            }
            memset(&c, 0, sizeof c);
            c.vm = vm;
            c.flow = f;
            c.prio = vm->prio;
            c.seq = st ? st->seq : 0;
            if (f) {
                c.pps = f->pps;
                c.bps = f->bps;
                c.load = offload_queues_load(f->pps, f->burstiness);
            } else {
                oq_vm_residual(oq, vm, &c.pps, &c.bps);
                c.load = offload_queues_load(c.pps, vm->burstiness);
            }
            /* VMQ gives a queue to every VM that asks, busy or not. */
            c.eligible = (oq->cfg.policy == OFFLOAD_POLICY_FIRST_COME
                          || (c.load > 0 && c.load >= oq->cfg.min_pps));
            if (n >= allocated) {
                cands = x2nrealloc(cands, &allocated, sizeof *cands);
            }
            cands[n++] = c;
        }
    }
    if (n) {
        /* qsort() must not be given NULL, even for no elements. */
        qsort(cands, n, sizeof *cands,
              (oq->cfg.policy == OFFLOAD_POLICY_VALUE
               ? oq_cand_cmp_value : oq_cand_cmp_first_come));
    }
    *candsp = cands;
    return n;
}

static char *
oq_cand_name(const struct oq_cand *c)
{
    if (c->flow) {
        return xasprintf("flow %s of vm %s",
                         c->flow->name ? c->flow->name : "?", c->vm->id);
    }
    return xasprintf("vm %s", c->vm->id);
}

static void
oq_assign_and_preempt(struct offload_queues *oq, struct oq_cand *cands,
                      size_t n, long long int now)
{
    bool value = oq->cfg.policy == OFFLOAD_POLICY_VALUE;

    for (size_t i = 0; i < n; i++) {
        const struct oq_cand *c = &cands[i];
        char *who;
        int q;

        if (!c->eligible || oq_cand_holds(oq, c)
            || oq_vm_held(oq, c->vm->id) >= c->vm->wanted) {
            continue;
        }
        q = oq_find_free(oq);
        if (q >= 0) {
            struct oq_slot owner;

            who = oq_cand_name(c);
            oq_slot_take(&oq->slots[q], c, now);
            owner = oq->slots[q];
            if (value) {
                oq_decide(oq, OFFLOAD_QUEUES_ASSIGN, q, &owner,
                          "assign queue %d to %s: queue free, priority %s, "
                          "load %.1f (%.1f pps, %.0f bps) >= min %g",
                          q, who, offload_queues_prio_to_string(c->prio),
                          c->load, c->pps, c->bps, oq->cfg.min_pps);
            } else {
                oq_decide(oq, OFFLOAD_QUEUES_ASSIGN, q, &owner,
                          "assign queue %d to %s: queue free, first come "
                          "(arrival #%"PRIu64", %.1f pps)",
                          q, who, c->seq, c->pps);
            }
            free(who);
            continue;
        }
        if (!value) {
            continue;
        }
        q = oq_weakest(oq, now, c->vm->id);
        if (q >= 0) {
            struct oq_slot *s = &oq->slots[q];
            bool by_prio = c->prio > s->prio;
            bool by_load = (c->prio == s->prio
                            && c->load > s->load * oq->cfg.hysteresis);

            if (by_prio || by_load) {
                struct offload_queues_decision *d;
                char *victim = oq_owner_name(s);
                char *victim_vm = xstrdup(s->pub.vm);
                enum offload_queues_prio vprio = s->prio;
                double vload = s->load;
                long long int held = now - s->pub.since_ms;
                struct oq_slot owner;

                who = oq_cand_name(c);
                oq_slot_take(s, c, now);
                owner = *s;
                if (by_prio) {
                    d = oq_decide(oq, OFFLOAD_QUEUES_PREEMPT, q, &owner,
                                  "preempt queue %d: %s (priority %s, load "
                                  "%.1f) over %s (priority %s, load %.1f, "
                                  "held %lld ms): higher priority",
                                  q, who,
                                  offload_queues_prio_to_string(c->prio),
                                  c->load, victim,
                                  offload_queues_prio_to_string(vprio),
                                  vload, held);
                } else {
                    d = oq_decide(oq, OFFLOAD_QUEUES_PREEMPT, q, &owner,
                                  "preempt queue %d: %s (load %.1f) over "
                                  "%s (load %.1f, held %lld ms): heavier "
                                  "by %.2fx > hysteresis %.2f, priority %s",
                                  q, who, c->load, victim, vload, held,
                                  vload > 0 ? c->load / vload : INFINITY,
                                  oq->cfg.hysteresis,
                                  offload_queues_prio_to_string(c->prio));
                }
                d->victim = victim_vm;
                free(victim);
                free(who);
            }
        }
    }
}

/* Why VM 'vm', which holds no queue, has none. */
static enum offload_queues_reason
oq_reason(const struct offload_queues *oq,
          const struct offload_queues_vm_input *vm,
          const struct oq_cand *cands, size_t n)
{
    bool eligible = false;
    bool all_higher = oq->cfg.n_queues > oq->cfg.n_default;

    if (oq_vm_excluded(vm)) {
        return OFFLOAD_QUEUES_NEVER;
    }
    for (size_t i = 0; i < n; i++) {
        if (cands[i].vm == vm && cands[i].eligible) {
            eligible = true;
        }
    }
    if (!eligible) {
        return OFFLOAD_QUEUES_BELOW_THRESHOLD;
    }
    if (oq->cfg.policy == OFFLOAD_POLICY_VALUE) {
        for (size_t q = oq->cfg.n_default; q < oq->cfg.n_queues; q++) {
            if (oq->slots[q].prio <= vm->prio) {
                all_higher = false;
            }
        }
        if (all_higher) {
            return OFFLOAD_QUEUES_PRIORITY;
        }
    }
    return OFFLOAD_QUEUES_NO_QUEUE_FREE;
}

size_t
offload_queues_rebalance(struct offload_queues *oq,
                         const struct offload_queues_vm_input *vms,
                         size_t n_vms, long long int now)
{
    struct shash_node *node, *next;
    struct oq_cand *cands;
    size_t n_cands;

    oq_clear_round(oq);
    oq->rounds++;

    /* Remember VMs: their order of appearance and when last active. */
    SHASH_FOR_EACH (node, &oq->vms) {
        ((struct oq_vm_state *) node->data)->present = false;
    }
    for (size_t i = 0; i < n_vms; i++) {
        struct oq_vm_state *st = shash_find_data(&oq->vms, vms[i].id);

        if (!st) {
            st = xzalloc(sizeof *st);
            st->seq = ++oq->next_seq;
            st->last_active_ms = now;
            shash_add(&oq->vms, vms[i].id, st);
        }
        st->present = true;
        if (oq_active(oq, vms[i].pps)) {
            st->last_active_ms = now;
        }
    }
    SHASH_FOR_EACH_SAFE (node, next, &oq->vms) {
        if (!((struct oq_vm_state *) node->data)->present) {
            free(node->data);
            shash_delete(&oq->vms, node);
        }
    }

    oq_settle_slots(oq);
    oq_update_holders(oq, vms, n_vms, now);
    n_cands = oq_build_candidates(oq, vms, n_vms, &cands);
    oq_assign_and_preempt(oq, cands, n_cands, now);

    oq->results = xcalloc(n_vms ? n_vms : 1, sizeof *oq->results);
    oq->n_results = n_vms;
    for (size_t i = 0; i < n_vms; i++) {
        const struct offload_queues_vm_input *vm = &vms[i];
        struct offload_queues_vm_result *r = &oq->results[i];
        double pps, bps;

        oq_vm_residual(oq, vm, &pps, &bps);
        r->id = xstrdup(vm->id);
        r->prio = vm->prio;
        r->pps = vm->pps;
        r->bps = vm->bps;
        r->load = offload_queues_load(vm->pps, vm->burstiness);
        r->n_queues = oq_vm_held(oq, vm->id);
        r->reason = (r->n_queues ? OFFLOAD_QUEUES_HAS_QUEUE
                     : oq_reason(oq, vm, cands, n_cands));
    }
    free(cands);
    return oq->n_decisions;
}

size_t
offload_queues_n_queues(const struct offload_queues *oq)
{
    return oq->cfg.n_queues;
}

const struct offload_queues_queue *
offload_queues_get_queue(const struct offload_queues *oq, size_t q)
{
    return q < oq->cfg.n_queues ? &oq->slots[q].pub : NULL;
}

size_t
offload_queues_n_vms(const struct offload_queues *oq)
{
    return oq->n_results;
}

const struct offload_queues_vm_result *
offload_queues_get_vm(const struct offload_queues *oq, size_t i)
{
    return i < oq->n_results ? &oq->results[i] : NULL;
}

const struct offload_queues_vm_result *
offload_queues_find_vm(const struct offload_queues *oq, const char *id)
{
    for (size_t i = 0; i < oq->n_results; i++) {
        if (!strcmp(oq->results[i].id, id)) {
            return &oq->results[i];
        }
    }
    return NULL;
}

size_t
offload_queues_n_decisions(const struct offload_queues *oq)
{
    return oq->n_decisions;
}

const struct offload_queues_decision *
offload_queues_get_decision(const struct offload_queues *oq, size_t i)
{
    return i < oq->n_decisions ? &oq->decisions[i] : NULL;
}

uint64_t
offload_queues_total_decisions(const struct offload_queues *oq)
{
    return oq->total_decisions;
}

uint64_t
offload_queues_rounds(const struct offload_queues *oq)
{
    return oq->rounds;
}
