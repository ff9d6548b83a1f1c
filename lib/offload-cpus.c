/* SPDX-License-Identifier: Apache-2.0 */
/* The CPU aligner (queue -> CPU, RSS indirection, re-distribution of hot
 * CPUs) and a model of OVS's pmd-auto-lb to compare it with. */
#include <config.h>

#include "lib/offload-cpus.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "util.h"

struct oc_nic {
    char *name;
    bool has_mode;
    enum offload_cpus_mode mode;        /* Effective. */
    int numa, base_cpu, max_cpu;
    int *dcpus;                         /* Dedicated list (core ids). */
    size_t n_dcpus;
    uint32_t n_queues;

    size_t *cand;                       /* Candidate CPU indexes, NUMA-
                                         * local first. */
    size_t n_cand;
    size_t n_active;                    /* Conservative: first n_active. */
    long long int low_since;            /* Conservative: could shrink
                                         * since, -1: no. */

    int *queue_cpu;                     /* CPU index per queue, -1. */
    double *queue_load;
    uint16_t reta[NIC_RSS_RETA_SIZE];
    struct offload_cpus_filter *filters;
    size_t n_filters, allocated_filters;
};

struct oc_cpu {
    struct offload_cpus_cpu pub;
    double load;
    long long int over_since;           /* -1: not overloaded. */
    size_t n_queues;                    /* Assigned by the aligner. */
};

struct offload_cpus {
    enum offload_cpus_mode mode;
    double threshold, hysteresis;
    long long int interval_ms, min_move_ms;
    struct oc_cpu *cpus;
    size_t n_cpus;
    struct oc_nic *nics;
    size_t n_nics;

    long long int last_move_ms;         /* LLONG_MIN: never. */
    struct offload_cpus_decision *decisions;
    size_t n_decisions, allocated_decisions;
    struct offload_cpus_decision last_move;
    bool has_last_move;
    uint64_t total_moves;
};

static const char *const oc_mode_names[] = {
    [OFFLOAD_CPUS_NUMA] = "numa",
    [OFFLOAD_CPUS_DEDICATED] = "dedicated",
    [OFFLOAD_CPUS_SPREAD] = "spread",
    [OFFLOAD_CPUS_CONSERVATIVE] = "conservative",
    [OFFLOAD_CPUS_MANUAL] = "manual",
};

bool
offload_cpus_mode_from_string(const char *s, enum offload_cpus_mode *mode)
{
    for (size_t i = 0; i < ARRAY_SIZE(oc_mode_names); i++) {
        if (s && !strcmp(s, oc_mode_names[i])) {
            *mode = i;
            return true;
        }
    }
    return false;
}

const char *
offload_cpus_mode_to_string(enum offload_cpus_mode mode)
{
    return mode < ARRAY_SIZE(oc_mode_names) ? oc_mode_names[mode] : "?";
}

const char *
offload_cpus_decision_to_string(enum offload_cpus_decision_type type)
{
    switch (type) {
    case OFFLOAD_CPUS_PLACE: return "place";
    case OFFLOAD_CPUS_SPLIT: return "split";
    case OFFLOAD_CPUS_GROW: return "grow";
    case OFFLOAD_CPUS_SHRINK: return "shrink";
    }
    return "?";
}

void
offload_cpus_config_default(struct offload_cpus_config *cfg)
{
    *cfg = (struct offload_cpus_config) {
        .mode = OFFLOAD_CPUS_SPREAD,
        .threshold = 0.8,
        .hysteresis = 0.1,
        .interval_ms = 1000,
        .min_move_ms = 500,
    };
}

static int
oc_find_cpu(const struct offload_cpus_config *cfg, int id)
{
    for (size_t i = 0; i < cfg->n_cpus; i++) {
        if (cfg->cpus[i].id == id) {
            return i;
        }
    }
    return -1;
}

static enum offload_cpus_mode
oc_nic_mode(const struct offload_cpus_config *cfg,
            const struct offload_cpus_nic_config *nic)
{
    return nic->has_mode ? nic->mode : cfg->mode;
}

static int
oc_error(char **errorp, const char *fmt, ...)
    OVS_PRINTF_FORMAT(2, 3);

static int
oc_error(char **errorp, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    if (errorp) {
        *errorp = xvasprintf(fmt, args);
    }
    va_end(args);
    return EINVAL;
}

int
offload_cpus_config_check(const struct offload_cpus_config *cfg,
                          char **errorp)
{
    if (errorp) {
        *errorp = NULL;
    }
    if (cfg->mode > OFFLOAD_CPUS_MANUAL) {
        return oc_error(errorp, "unknown mode %d", (int) cfg->mode);
    }
    if (!(cfg->threshold > 0 && cfg->threshold <= 1)) {
        return oc_error(errorp, "threshold %g is not in (0, 1]",
                        cfg->threshold);
    }
    if (!(cfg->hysteresis >= 0 && cfg->hysteresis < cfg->threshold)) {
        return oc_error(errorp, "hysteresis %g is not in [0, threshold)",
                        cfg->hysteresis);
    }
    if (cfg->interval_ms < 0 || cfg->min_move_ms < 0) {
        return oc_error(errorp, "negative interval or minimum move "
                        "interval");
    }
    for (size_t i = 0; i < cfg->n_cpus; i++) {
        if (cfg->cpus[i].id < 0) {
            return oc_error(errorp, "negative core id %d", cfg->cpus[i].id);
        }
        for (size_t j = 0; j < i; j++) {
            if (cfg->cpus[j].id == cfg->cpus[i].id) {
                return oc_error(errorp, "core %d listed twice",
                                cfg->cpus[i].id);
            }
        }
    }
    for (size_t n = 0; n < cfg->n_nics; n++) {
        const struct offload_cpus_nic_config *nic = &cfg->nics[n];
        const char *name = nic->name ? nic->name : "?";

        if (nic->has_mode && nic->mode > OFFLOAD_CPUS_MANUAL) {
            return oc_error(errorp, "%s: unknown mode %d", name,
                            (int) nic->mode);
        }
        if (!nic->n_queues || nic->n_queues > NIC_RSS_RETA_SIZE) {
            return oc_error(errorp, "%s: %"PRIu32" queues is not in 1..%d",
                            name, nic->n_queues, NIC_RSS_RETA_SIZE);
        }
        if (nic->base_cpu >= 0 && nic->max_cpu >= 0
            && nic->base_cpu > nic->max_cpu) {
            return oc_error(errorp, "%s: base processor %d above max "
                            "processor %d", name, nic->base_cpu,
                            nic->max_cpu);
        }
        for (size_t i = 0; i < nic->n_cpus; i++) {
            if (oc_find_cpu(cfg, nic->cpus[i]) < 0) {
                return oc_error(errorp, "%s: core %d does not exist or is "
                                "not in pmd-cpu-mask", name, nic->cpus[i]);
            }
        }
        if (oc_nic_mode(cfg, nic) != OFFLOAD_CPUS_DEDICATED) {
            continue;
        }
        if (!nic->n_cpus) {
            return oc_error(errorp, "%s: dedicated mode without a CPU list",
                            name);
        }
        for (size_t m = 0; m < n; m++) {
            const struct offload_cpus_nic_config *o = &cfg->nics[m];

            if (oc_nic_mode(cfg, o) != OFFLOAD_CPUS_DEDICATED) {
                continue;
            }
            for (size_t i = 0; i < nic->n_cpus; i++) {
                for (size_t j = 0; j < o->n_cpus; j++) {
                    if (nic->cpus[i] == o->cpus[j]) {
                        return oc_error(errorp, "%s: dedicated core %d is "
                                        "also dedicated to %s", name,
                                        nic->cpus[i],
                                        o->name ? o->name : "?");
                    }
                }
            }
        }
    }
    return 0;
}

static void
oc_decision_clear(struct offload_cpus_decision *d)
{
    free(d->nic);
    free(d->text);
    memset(d, 0, sizeof *d);
}

static void
oc_decision_copy(struct offload_cpus_decision *dst,
                 const struct offload_cpus_decision *src)
{
    *dst = *src;
    dst->nic = nullable_xstrdup(src->nic);
    dst->text = nullable_xstrdup(src->text);
}

static void
oc_clear_decisions(struct offload_cpus *oc)
{
    for (size_t i = 0; i < oc->n_decisions; i++) {
        oc_decision_clear(&oc->decisions[i]);
    }
    oc->n_decisions = 0;
}

static struct offload_cpus_decision *
oc_add_decision(struct offload_cpus *oc, enum offload_cpus_decision_type type,
                const char *nic, long long int now_ms)
{
    if (oc->n_decisions >= oc->allocated_decisions) {
        oc->decisions = x2nrealloc(oc->decisions, &oc->allocated_decisions,
                                   sizeof *oc->decisions);
    }
    struct offload_cpus_decision *d = &oc->decisions[oc->n_decisions++];
    memset(d, 0, sizeof *d);
    d->type = type;
    d->nic = nullable_xstrdup(nic);
    d->from_cpu = -1;
    d->at_ms = now_ms;
    return d;
}

/* Records 'd' as the last move. */
static void
oc_note_move(struct offload_cpus *oc, const struct offload_cpus_decision *d,
             long long int now_ms)
{
    if (oc->has_last_move) {
        oc_decision_clear(&oc->last_move);
    }
    oc_decision_copy(&oc->last_move, d);
    oc->has_last_move = true;
    oc->total_moves++;
    oc->last_move_ms = now_ms;
}

static void
oc_nic_destroy(struct oc_nic *nic)
{
    free(nic->name);
    free(nic->dcpus);
    free(nic->cand);
    free(nic->queue_cpu);
    free(nic->queue_load);
    free(nic->filters);
}

struct offload_cpus *
offload_cpus_create(void)
{
    struct offload_cpus *oc = xzalloc(sizeof *oc);
    struct offload_cpus_config cfg;

    offload_cpus_config_default(&cfg);
    oc->mode = cfg.mode;
    oc->threshold = cfg.threshold;
    oc->hysteresis = cfg.hysteresis;
    oc->interval_ms = cfg.interval_ms;
    oc->min_move_ms = cfg.min_move_ms;
    oc->last_move_ms = LLONG_MIN;
    return oc;
}

void
offload_cpus_destroy(struct offload_cpus *oc)
{
    if (!oc) {
        return;
    }
    for (size_t i = 0; i < oc->n_nics; i++) {
        oc_nic_destroy(&oc->nics[i]);
    }
    free(oc->nics);
    free(oc->cpus);
    oc_clear_decisions(oc);
    free(oc->decisions);
    if (oc->has_last_move) {
        oc_decision_clear(&oc->last_move);
    }
    free(oc);
}

/* The minimum interval since the last move has passed. */
static bool
oc_may_move(const struct offload_cpus *oc, long long int now_ms)
{
    return (oc->last_move_ms == LLONG_MIN
            || now_ms - oc->last_move_ms >= oc->min_move_ms);
}

static bool
oc_nic_in_range(const struct oc_nic *nic, int id)
{
    return (nic->base_cpu < 0 || id >= nic->base_cpu)
           && (nic->max_cpu < 0 || id <= nic->max_cpu);
}

static bool
oc_dedicated_elsewhere(const struct offload_cpus *oc,
                       const struct oc_nic *nic, int id)
{
    for (size_t n = 0; n < oc->n_nics; n++) {
        const struct oc_nic *o = &oc->nics[n];

        if (o != nic && o->mode == OFFLOAD_CPUS_DEDICATED) {
            for (size_t i = 0; i < o->n_dcpus; i++) {
                if (o->dcpus[i] == id) {
                    return true;
                }
            }
        }
    }
    return false;
}

/* The CPUs 'nic' may use, in the order it prefers them. */
static void
oc_nic_candidates(const struct offload_cpus *oc, struct oc_nic *nic)
{
    nic->n_cand = 0;
    nic->cand = xrealloc(nic->cand, (oc->n_cpus + 1) * sizeof *nic->cand);
    if (nic->mode == OFFLOAD_CPUS_MANUAL) {
        return;
    }
    if (nic->mode == OFFLOAD_CPUS_DEDICATED) {
        for (size_t i = 0; i < nic->n_dcpus; i++) {
            for (size_t c = 0; c < oc->n_cpus; c++) {
                if (oc->cpus[c].pub.id == nic->dcpus[i]) {
                    nic->cand[nic->n_cand++] = c;
                }
            }
        }
        return;
    }

    /* Two passes: CPUs of the NIC's NUMA node, then (except in "numa"
     * mode, unless the node has none) the others.  Another NIC's
     * dedicated CPUs are left out unless nothing else remains. */
    for (int pass = 0; pass < 3; pass++) {
        bool strict = pass < 2;
        for (size_t c = 0; c < oc->n_cpus; c++) {
            const struct offload_cpus_cpu *cpu = &oc->cpus[c].pub;
            bool local = nic->numa < 0 || cpu->numa == nic->numa;

            if (!oc_nic_in_range(nic, cpu->id)
                || (strict && oc_dedicated_elsewhere(oc, nic, cpu->id))
                || (pass == 0 && !local) || (pass == 1 && local)) {
                continue;
            }
            if (pass == 2) {
                /* Last resort: anything in range not yet taken. */
                bool dup = false;
                for (size_t k = 0; k < nic->n_cand; k++) {
                    dup |= nic->cand[k] == c;
                }
                if (dup) {
                    continue;
                }
            }
            nic->cand[nic->n_cand++] = c;
        }
        if (pass == 0 && nic->mode == OFFLOAD_CPUS_NUMA && nic->n_cand) {
            return;
        }
        if (pass == 1 && nic->n_cand) {
            return;
        }
    }
}

static size_t
oc_nic_n_usable(const struct oc_nic *nic)
{
    return (nic->mode == OFFLOAD_CPUS_CONSERVATIVE
            ? MIN(nic->n_active, nic->n_cand) : nic->n_cand);
}

/* Places the queues of 'nic' over its usable CPUs, each on the one with
 * fewest of the aligner's queues so far. */
static void
oc_nic_place(struct offload_cpus *oc, struct oc_nic *nic)
{
    for (uint32_t q = 0; q < nic->n_queues; q++) {
        if (nic->queue_cpu[q] >= 0) {
            oc->cpus[nic->queue_cpu[q]].n_queues--;
            nic->queue_cpu[q] = -1;
        }
    }
    size_t n_usable = oc_nic_n_usable(nic);
    if (!n_usable) {
        return;
    }
    for (uint32_t q = 0; q < nic->n_queues; q++) {
        size_t best = nic->cand[0];
        for (size_t k = 1; k < n_usable; k++) {
            if (oc->cpus[nic->cand[k]].n_queues < oc->cpus[best].n_queues) {
                best = nic->cand[k];
            }
        }
        nic->queue_cpu[q] = best;
        oc->cpus[best].n_queues++;
    }
}

static void
oc_nic_reset_reta(struct oc_nic *nic)
{
    for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
        nic->reta[e] = e % nic->n_queues;
    }
    nic->n_filters = 0;
}

int
offload_cpus_set_config(struct offload_cpus *oc,
                        const struct offload_cpus_config *cfg,
                        long long int now_ms, char **errorp)
{
    int error = offload_cpus_config_check(cfg, errorp);
    if (error) {
        return error;
    }

    for (size_t i = 0; i < oc->n_nics; i++) {
        oc_nic_destroy(&oc->nics[i]);
    }
    free(oc->nics);
    free(oc->cpus);

    oc->mode = cfg->mode;
    oc->threshold = cfg->threshold;
    oc->hysteresis = cfg->hysteresis;
    oc->interval_ms = cfg->interval_ms;
    oc->min_move_ms = cfg->min_move_ms;
    oc->n_cpus = cfg->n_cpus;
    oc->cpus = xcalloc(oc->n_cpus + 1, sizeof *oc->cpus);
    for (size_t i = 0; i < oc->n_cpus; i++) {
        oc->cpus[i].pub = cfg->cpus[i];
        oc->cpus[i].over_since = -1;
    }
    oc->n_nics = cfg->n_nics;
    oc->nics = xcalloc(oc->n_nics + 1, sizeof *oc->nics);
    for (size_t n = 0; n < oc->n_nics; n++) {
        const struct offload_cpus_nic_config *c = &cfg->nics[n];
        struct oc_nic *nic = &oc->nics[n];

        nic->name = xstrdup(c->name ? c->name : "");
        nic->has_mode = c->has_mode;
        nic->mode = oc_nic_mode(cfg, c);
        nic->numa = c->numa;
        nic->base_cpu = c->base_cpu;
        nic->max_cpu = c->max_cpu;
        nic->n_dcpus = c->n_cpus;
        nic->dcpus = xcalloc(c->n_cpus + 1, sizeof *nic->dcpus);
        if (c->n_cpus) {
            memcpy(nic->dcpus, c->cpus, c->n_cpus * sizeof *nic->dcpus);
        }
        nic->n_queues = c->n_queues;
        nic->queue_cpu = xmalloc(nic->n_queues * sizeof *nic->queue_cpu);
        nic->queue_load = xcalloc(nic->n_queues, sizeof *nic->queue_load);
        for (uint32_t q = 0; q < nic->n_queues; q++) {
            nic->queue_cpu[q] = -1;
        }
        nic->n_active = 1;
        nic->low_since = -1;
        oc_nic_reset_reta(nic);
    }
    /* Dedicated NICs first, so that the others see their CPUs taken. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t n = 0; n < oc->n_nics; n++) {
            struct oc_nic *nic = &oc->nics[n];
            if ((nic->mode == OFFLOAD_CPUS_DEDICATED) == !pass) {
                oc_nic_candidates(oc, nic);
                oc_nic_place(oc, nic);
            }
        }
    }

    oc_clear_decisions(oc);
    struct offload_cpus_decision *d = oc_add_decision(oc, OFFLOAD_CPUS_PLACE,
                                                      NULL, now_ms);
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "placed %"PRIuSIZE" NICs' queues on %"PRIuSIZE
                  " allowed CPUs, mode %s", oc->n_nics, oc->n_cpus,
                  offload_cpus_mode_to_string(oc->mode));
    d->text = ds_steal_cstr(&s);
    return 0;
}

static struct offload_cpus_filter *
oc_find_filter(struct oc_nic *nic, uint64_t flow_id)
{
    for (size_t i = 0; i < nic->n_filters; i++) {
        if (nic->filters[i].flow_id == flow_id) {
            return &nic->filters[i];
        }
    }
    return NULL;
}

/* The queue that flow 'f' lands on now. */
static uint32_t
oc_flow_queue(struct oc_nic *nic, const struct offload_cpus_flow_load *f)
{
    struct offload_cpus_filter *filter = oc_find_filter(nic, f->id);
    return filter ? filter->queue : nic->reta[f->entry % NIC_RSS_RETA_SIZE];
}

void
offload_cpus_estimate_entries(const struct offload_cpus *oc_, size_t n,
                              const double *queue_load,
                              struct offload_cpus_nic_load *load)
{
    struct offload_cpus *oc = CONST_CAST(struct offload_cpus *, oc_);
    struct oc_nic *nic = &oc->nics[n];
    double *rest = xcalloc(nic->n_queues, sizeof *rest);
    uint32_t *n_entries = xcalloc(nic->n_queues, sizeof *n_entries);

    for (uint32_t q = 0; q < nic->n_queues; q++) {
        rest[q] = queue_load[q];
    }
    for (size_t i = 0; i < load->n_flows; i++) {
        rest[oc_flow_queue(nic, &load->flows[i])] -= load->flows[i].load;
    }
    for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
        n_entries[nic->reta[e]]++;
    }
    for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
        uint32_t q = nic->reta[e];
        load->entry_load[e] = MAX(rest[q], 0) / n_entries[q];
    }
    free(rest);
    free(n_entries);
}

/* Queue loads of 'nic' from the measured 'load'. */
static void
oc_nic_queue_loads(struct oc_nic *nic,
                   const struct offload_cpus_nic_load *load)
{
    memset(nic->queue_load, 0, nic->n_queues * sizeof *nic->queue_load);
    if (!load) {
        return;
    }
    for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
        nic->queue_load[nic->reta[e]] += load->entry_load[e];
    }
    for (size_t i = 0; i < load->n_flows; i++) {
        nic->queue_load[oc_flow_queue(nic, &load->flows[i])]
            += load->flows[i].load;
    }
}

/* Drops the filters of flows no longer measured. */
static void
oc_nic_prune_filters(struct oc_nic *nic,
                     const struct offload_cpus_nic_load *load)
{
    size_t k = 0;
    for (size_t i = 0; i < nic->n_filters; i++) {
        bool present = false;
        for (size_t j = 0; load && j < load->n_flows; j++) {
            present |= load->flows[j].id == nic->filters[i].flow_id;
        }
        if (present) {
            nic->filters[k++] = nic->filters[i];
        }
    }
    nic->n_filters = k;
}

static double
oc_nic_total(const struct oc_nic *nic)
{
    double total = 0;
    for (uint32_t q = 0; q < nic->n_queues; q++) {
        total += nic->queue_load[q];
    }
    return total;
}

/* Max and mean of 'p' over the first 'n' usable CPUs of 'nic'. */
static void
oc_stats(const struct oc_nic *nic, const double *p, size_t n,
         double *maxp, double *meanp)
{
    double max = 0, sum = 0;
    for (size_t k = 0; k < n; k++) {
        max = MAX(max, p[nic->cand[k]]);
        sum += p[nic->cand[k]];
    }
    *maxp = max;
    *meanp = n ? sum / n : 0;
}

/* Recomputes the CPU loads after whole queues of 'nic' moved. */
static void
oc_cpu_loads(struct offload_cpus *oc, const double *cpu_other)
{
    for (size_t c = 0; c < oc->n_cpus; c++) {
        oc->cpus[c].load = cpu_other ? cpu_other[c] : 0;
    }
    for (size_t n = 0; n < oc->n_nics; n++) {
        const struct oc_nic *nic = &oc->nics[n];
        for (uint32_t q = 0; q < nic->n_queues; q++) {
            if (nic->queue_cpu[q] >= 0) {
                oc->cpus[nic->queue_cpu[q]].load += nic->queue_load[q];
            }
        }
    }
}

static void
oc_set_filter(struct oc_nic *nic, const struct offload_cpus_flow_load *f,
              uint32_t queue)
{
    struct offload_cpus_filter *filter = oc_find_filter(nic, f->id);
    if (!filter) {
        if (nic->n_filters >= nic->allocated_filters) {
            nic->filters = x2nrealloc(nic->filters, &nic->allocated_filters,
                                      sizeof *nic->filters);
        }
        filter = &nic->filters[nic->n_filters++];
    }
    *filter = (struct offload_cpus_filter) {
        .flow_id = f->id, .entry = f->entry % NIC_RSS_RETA_SIZE,
        .queue = queue,
    };
}

#define OC_MIN_GAIN 0.01        /* Of a CPU: smaller moves are churn. */
#define OC_TIE 1e-9

/* Whether moving an item of load 'l' from a CPU at 'hot' to one at 't' is
 * allowed and better than the best so far ('best', 'best_score'). */
static bool
oc_better_item(double l, double hot, double t, double threshold,
               double best, double best_score)
{
    if (l <= 0 || t + l > hot - OC_MIN_GAIN || t + l > threshold) {
        return false;
    }
    double score = MAX(hot - l, t + l);
    return (score < best_score - OC_TIE
            || (score <= best_score + OC_TIE && best > 0 && l < best));
}

/* Moves entries and heavy flows of 'nic' away from hot CPU 'hot' to the
 * NIC's other usable CPUs, one item at a time to the least loaded of
 * them.  'p' holds the predicted CPU loads; 'd' counts the moves. */
static void
oc_split(struct oc_nic *nic, size_t hot, double threshold,
         const struct offload_cpus_nic_load *load, double *p,
         struct offload_cpus_decision *d)
{
    size_t n_usable = oc_nic_n_usable(nic);
    double max, mean;

    oc_stats(nic, p, n_usable, &max, &mean);
    for (int iter = 0; iter < NIC_RSS_RETA_SIZE * 2; iter++) {
        /* The least loaded target CPU that holds a queue of the NIC, and
         * that queue (the lightest of it there). */
        int tq = -1;
        size_t t = SIZE_MAX;
        for (uint32_t q = 0; q < nic->n_queues; q++) {
            int c = nic->queue_cpu[q];
            if (c < 0 || (size_t) c == hot) {
                continue;
            }
            if (t == SIZE_MAX || p[c] < p[t]
                || ((size_t) c == t
                    && nic->queue_load[q] < nic->queue_load[tq])) {
                t = c;
                tq = q;
            }
        }
        if (tq < 0 || p[hot] <= mean) {
            break;
        }
        /* The item whose move leaves the lower maximum of the pair, the
         * lighter of equals: it must lower the hot CPU's load by
         * OC_MIN_GAIN at least and not take the target above the
         * threshold (so that no move is undone by the next). */
        int best_entry = -1;
        const struct offload_cpus_flow_load *best_flow = NULL;
        double best = 0, best_score = p[hot];
        for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
            if (nic->queue_cpu[nic->reta[e]] != (int) hot) {
                continue;
            }
            double l = load->entry_load[e];
            for (size_t i = 0; i < load->n_flows; i++) {
                const struct offload_cpus_flow_load *f = &load->flows[i];
                if (f->entry % NIC_RSS_RETA_SIZE == e
                    && !oc_find_filter(nic, f->id)) {
                    l += f->load;
                }
            }
            if (oc_better_item(l, p[hot], p[t], threshold, best,
                               best_score)) {
                best = l;
                best_score = MAX(p[hot] - l, p[t] + l);
                best_entry = e;
            }
        }
        for (size_t i = 0; i < load->n_flows; i++) {
            const struct offload_cpus_flow_load *f = &load->flows[i];
            if (nic->queue_cpu[oc_flow_queue(nic, f)] == (int) hot
                && oc_better_item(f->load, p[hot], p[t], threshold, best,
                                  best_score)) {
                best = f->load;
                best_score = MAX(p[hot] - f->load, p[t] + f->load);
                best_flow = f;
                best_entry = -1;
            }
        }
        if (best <= 0) {
            break;
        }

        uint32_t fromq;
        if (best_flow) {
            fromq = oc_flow_queue(nic, best_flow);
            oc_set_filter(nic, best_flow, tq);
            d->n_flows++;
        } else {
            fromq = nic->reta[best_entry];
            nic->reta[best_entry] = tq;
            d->n_entries++;
        }
        nic->queue_load[fromq] -= best;
        nic->queue_load[tq] += best;
        p[hot] -= best;
        p[t] += best;
    }
}

/* A NIC with no queue of its own on another usable CPU cannot split into
 * one: move its lightest queue from 'hot' to the least loaded usable CPU
 * if that lowers the pair's maximum. */
static bool
oc_move_queue(struct offload_cpus *oc, struct oc_nic *nic, size_t hot,
              double *p, struct offload_cpus_decision *d)
{
    size_t n_usable = oc_nic_n_usable(nic);
    int lightest = -1;
    uint32_t n_on_hot = 0;

    for (uint32_t q = 0; q < nic->n_queues; q++) {
        if (nic->queue_cpu[q] == (int) hot) {
            n_on_hot++;
            if (lightest < 0
                || nic->queue_load[q] < nic->queue_load[lightest]) {
                lightest = q;
            }
        }
    }
    size_t t = SIZE_MAX;
    for (size_t k = 0; k < n_usable; k++) {
        size_t c = nic->cand[k];
        if (c != hot && (t == SIZE_MAX || p[c] < p[t])) {
            t = c;
        }
    }
    if (n_on_hot < 2 || t == SIZE_MAX
        || p[t] + nic->queue_load[lightest] >= p[hot]) {
        return false;
    }
    nic->queue_cpu[lightest] = t;
    oc->cpus[hot].n_queues--;
    oc->cpus[t].n_queues++;
    p[hot] -= nic->queue_load[lightest];
    p[t] += nic->queue_load[lightest];
    d->n_queues_moved++;
    return true;
}

static void
oc_decision_text(struct offload_cpus_decision *d, const char *why,
                 const struct offload_cpus *oc)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "%s: %s", d->nic ? d->nic : "-", why);
    if (d->from_cpu >= 0) {
        ds_put_format(&s, "; core %d load %.2f -> %.2f",
                      oc->cpus[d->from_cpu].pub.id, d->from_before,
                      d->from_after);
    }
    ds_put_format(&s, "; max/mean %.2f/%.2f -> %.2f/%.2f; moved %"PRIu32
                  " entries, %"PRIu32" flows, %"PRIu32" queues",
                  d->max_before, d->mean, d->max_after, d->mean,
                  d->n_entries, d->n_flows, d->n_queues_moved);
    free(d->text);
    d->text = ds_steal_cstr(&s);
}

/* Copies the CPU loads into 'p', for predictions. */
static void
oc_snapshot(const struct offload_cpus *oc, double *p)
{
    for (size_t c = 0; c < oc->n_cpus; c++) {
        p[c] = oc->cpus[c].load;
    }
}

/* Conservative mode: gives up a CPU when the NIC's load fits in one fewer
 * below the threshold less the hysteresis, for an interval. */
static bool
oc_try_shrink(struct offload_cpus *oc, struct oc_nic *nic,
              const double *cpu_other, long long int now_ms)
{
    size_t n_usable = oc_nic_n_usable(nic);
    double total = oc_nic_total(nic);
    double low = oc->threshold - oc->hysteresis;

    if (n_usable <= 1 || total > (n_usable - 1) * low) {
        nic->low_since = -1;
        return false;
    }
    if (nic->low_since < 0) {
        nic->low_since = now_ms;
    }
    if (now_ms - nic->low_since < oc->interval_ms
        || !oc_may_move(oc, now_ms)) {
        return false;
    }

    double *p = xmalloc((oc->n_cpus + 1) * sizeof *p);
    struct offload_cpus_decision *d = oc_add_decision(
        oc, OFFLOAD_CPUS_SHRINK, nic->name, now_ms);
    oc_snapshot(oc, p);
    oc_stats(nic, p, n_usable, &d->max_before, &d->mean);
    nic->n_active = n_usable - 1;
    oc_nic_place(oc, nic);
    oc_cpu_loads(oc, cpu_other);
    oc_snapshot(oc, p);
    oc_stats(nic, p, nic->n_active, &d->max_after, &d->mean);
    d->n_queues_moved = nic->n_queues;
    char *why = xasprintf("load %.2f fits on %"PRIuSIZE" CPUs below %.2f",
                          total, nic->n_active, low);
    oc_decision_text(d, why, oc);
    free(why);
    nic->low_since = -1;
    oc_note_move(oc, d, now_ms);
    free(p);
    return true;
}

/* Re-steers the NICs' work on hot CPU 'hot'. */
static bool
oc_relieve(struct offload_cpus *oc, size_t hot,
           const struct offload_cpus_nic_load *loads,
           const double *cpu_other, long long int now_ms)
{
    double *p = xmalloc((oc->n_cpus + 1) * sizeof *p);
    bool moved = false;

    for (size_t n = 0; n < oc->n_nics; n++) {
        struct oc_nic *nic = &oc->nics[n];
        bool on_hot = false;

        for (uint32_t q = 0; q < nic->n_queues; q++) {
            on_hot |= nic->queue_cpu[q] == (int) hot;
        }
        if (!on_hot || !loads) {
            continue;
        }
        oc_snapshot(oc, p);

        /* Conservative: not enough room among the active CPUs, take one
         * more (whole queues re-placed), then split as the others. */
        size_t n_usable = oc_nic_n_usable(nic);
        double max, mean;
        oc_stats(nic, p, n_usable, &max, &mean);
        if (nic->mode == OFFLOAD_CPUS_CONSERVATIVE
            && mean > oc->threshold - oc->hysteresis
            && n_usable < nic->n_cand) {
            struct offload_cpus_decision *g = oc_add_decision(
                oc, OFFLOAD_CPUS_GROW, nic->name, now_ms);
            g->from_cpu = hot;
            g->from_before = p[hot];
            g->max_before = max;
            g->mean = mean;
            nic->n_active = n_usable + 1;
            oc_nic_place(oc, nic);
            oc_cpu_loads(oc, cpu_other);
            oc_snapshot(oc, p);
            n_usable = nic->n_active;
            oc_stats(nic, p, n_usable, &g->max_after, &g->mean);
            g->from_after = p[hot];
            g->n_queues_moved = nic->n_queues;
            char *why = xasprintf("mean load %.2f of %"PRIuSIZE" CPUs "
                                  "above %.2f: one CPU more", mean,
                                  n_usable - 1,
                                  oc->threshold - oc->hysteresis);
            oc_decision_text(g, why, oc);
            free(why);
            oc_note_move(oc, g, now_ms);
            moved = true;
            oc_stats(nic, p, n_usable, &max, &mean);
        }

        struct offload_cpus_decision *d = oc_add_decision(
            oc, OFFLOAD_CPUS_SPLIT, nic->name, now_ms);
        d->from_cpu = hot;
        d->from_before = p[hot];
        d->max_before = max;
        d->mean = mean;
        oc_split(nic, hot, oc->threshold, &loads[n], p, d);
        if (!d->n_entries && !d->n_flows) {
            oc_move_queue(oc, nic, hot, p, d);
        }
        d->from_after = p[hot];
        oc_stats(nic, p, n_usable, &d->max_after, &d->mean);
        if (!d->n_entries && !d->n_flows && !d->n_queues_moved) {
            /* Nothing helps (one heavy flow alone, say): not a move. */
            oc_decision_clear(d);
            oc->n_decisions--;
            continue;
        }
        char *why = xasprintf("core %d above %.2f for %lld ms",
                              oc->cpus[hot].pub.id, oc->threshold,
                              now_ms - oc->cpus[hot].over_since);
        oc_decision_text(d, why, oc);
        free(why);
        oc_note_move(oc, d, now_ms);
        moved = true;
        oc_cpu_loads(oc, cpu_other);
    }
    free(p);
    return moved;
}

size_t
offload_cpus_run(struct offload_cpus *oc,
                 const struct offload_cpus_nic_load *loads,
                 const double *cpu_other, long long int now_ms)
{
    oc_clear_decisions(oc);
    for (size_t n = 0; n < oc->n_nics; n++) {
        struct oc_nic *nic = &oc->nics[n];
        const struct offload_cpus_nic_load *load = loads ? &loads[n] : NULL;

        oc_nic_prune_filters(nic, load);
        oc_nic_queue_loads(nic, load);
    }
    oc_cpu_loads(oc, cpu_other);

    /* Overload with hysteresis: starts above the threshold, ends below
     * the threshold less the hysteresis. */
    for (size_t c = 0; c < oc->n_cpus; c++) {
        struct oc_cpu *cpu = &oc->cpus[c];
        if (cpu->load > oc->threshold) {
            if (cpu->over_since < 0) {
                cpu->over_since = now_ms;
            }
        } else if (cpu->load < oc->threshold - oc->hysteresis) {
            cpu->over_since = -1;
        }
    }

    bool may_move = oc_may_move(oc, now_ms);
    if (may_move) {
        /* The hottest CPU overloaded for an interval. */
        size_t hot = SIZE_MAX;
        for (size_t c = 0; c < oc->n_cpus; c++) {
            const struct oc_cpu *cpu = &oc->cpus[c];
            if (cpu->over_since >= 0
                && now_ms - cpu->over_since >= oc->interval_ms
                && (hot == SIZE_MAX || cpu->load > oc->cpus[hot].load)) {
                hot = c;
            }
        }
        if (hot != SIZE_MAX && oc_relieve(oc, hot, loads, cpu_other,
                                          now_ms)) {
            /* The loads changed: overload is measured afresh. */
            for (size_t c = 0; c < oc->n_cpus; c++) {
                oc->cpus[c].over_since = -1;
            }
            may_move = false;
        }
    }
    for (size_t n = 0; n < oc->n_nics; n++) {
        struct oc_nic *nic = &oc->nics[n];
        if (nic->mode == OFFLOAD_CPUS_CONSERVATIVE && loads) {
            if (may_move) {
                may_move = !oc_try_shrink(oc, nic, cpu_other, now_ms);
            } else {
                /* Keep the low-load clock running. */
                double low = oc->threshold - oc->hysteresis;
                size_t n_usable = oc_nic_n_usable(nic);
                if (n_usable <= 1
                    || oc_nic_total(nic) > (n_usable - 1) * low) {
                    nic->low_since = -1;
                } else if (nic->low_since < 0) {
                    nic->low_since = now_ms;
                }
            }
        }
    }
    return oc->n_decisions;
}

enum offload_cpus_mode
offload_cpus_global_mode(const struct offload_cpus *oc)
{
    return oc->mode;
}

size_t
offload_cpus_n_nics(const struct offload_cpus *oc)
{
    return oc->n_nics;
}

const char *
offload_cpus_nic_name(const struct offload_cpus *oc, size_t n)
{
    return oc->nics[n].name;
}

enum offload_cpus_mode
offload_cpus_nic_mode(const struct offload_cpus *oc, size_t n)
{
    return oc->nics[n].mode;
}

uint32_t
offload_cpus_nic_n_queues(const struct offload_cpus *oc, size_t n)
{
    return oc->nics[n].n_queues;
}

int
offload_cpus_queue_cpu(const struct offload_cpus *oc, size_t n,
                       uint32_t queue)
{
    const struct oc_nic *nic = &oc->nics[n];
    if (queue >= nic->n_queues || nic->queue_cpu[queue] < 0) {
        return -1;
    }
    return oc->cpus[nic->queue_cpu[queue]].pub.id;
}

const uint16_t *
offload_cpus_reta(const struct offload_cpus *oc, size_t n)
{
    return oc->nics[n].reta;
}

size_t
offload_cpus_n_filters(const struct offload_cpus *oc, size_t n)
{
    return oc->nics[n].n_filters;
}

const struct offload_cpus_filter *
offload_cpus_get_filter(const struct offload_cpus *oc, size_t n, size_t i)
{
    return &oc->nics[n].filters[i];
}

double
offload_cpus_queue_load(const struct offload_cpus *oc, size_t n,
                        uint32_t queue)
{
    const struct oc_nic *nic = &oc->nics[n];
    return queue < nic->n_queues ? nic->queue_load[queue] : 0;
}

size_t
offload_cpus_n_cpus(const struct offload_cpus *oc)
{
    return oc->n_cpus;
}

const struct offload_cpus_cpu *
offload_cpus_get_cpu(const struct offload_cpus *oc, size_t i)
{
    return &oc->cpus[i].pub;
}

double
offload_cpus_cpu_load(const struct offload_cpus *oc, size_t i)
{
    return oc->cpus[i].load;
}

bool
offload_cpus_cpu_overloaded(const struct offload_cpus *oc, size_t i)
{
    return oc->cpus[i].over_since >= 0;
}

size_t
offload_cpus_n_decisions(const struct offload_cpus *oc)
{
    return oc->n_decisions;
}

const struct offload_cpus_decision *
offload_cpus_get_decision(const struct offload_cpus *oc, size_t i)
{
    return &oc->decisions[i];
}

const struct offload_cpus_decision *
offload_cpus_last_move(const struct offload_cpus *oc)
{
    return oc->has_last_move ? &oc->last_move : NULL;
}

uint64_t
offload_cpus_total_moves(const struct offload_cpus *oc)
{
    return oc->total_moves;
}

/* The pmd-auto-lb model. */

struct offload_cpus_autolb {
    struct offload_cpus_autolb_config cfg;
    size_t n_pmds, n_queues;
    int *queue_cpu;
    size_t n_samples;                   /* Per window. */
    double *samples;                    /* [n_samples][n_queues]: measured
                                         * (capped) queue loads. */
    size_t next, filled;
    long long int last_sample_ms;       /* LLONG_MIN: none yet. */
    long long int last_rebal_ms;
    uint64_t n_rebalances;
};

void
offload_cpus_autolb_config_default(struct offload_cpus_autolb_config *cfg)
{
    /* OVS 3.1's defaults: PMD_INTERVAL_LEN 10 s, PMD_INTERVAL_MAX 6,
     * pmd-auto-lb-load-threshold 95, -improvement-threshold 25,
     * -rebal-interval 1 min. */
    *cfg = (struct offload_cpus_autolb_config) {
        .sample_ms = 10000, .window_ms = 60000, .rebal_ms = 60000,
        .load_threshold = 0.95, .improvement = 0.25,
    };
}

struct offload_cpus_autolb *
offload_cpus_autolb_create(const struct offload_cpus_autolb_config *cfg,
                           size_t n_pmds, size_t n_queues,
                           const int *queue_cpu)
{
    struct offload_cpus_autolb *lb = xzalloc(sizeof *lb);

    lb->cfg = *cfg;
    lb->n_pmds = n_pmds;
    lb->n_queues = n_queues;
    lb->queue_cpu = xcalloc(n_queues + 1, sizeof *lb->queue_cpu);
    if (n_queues) {
        memcpy(lb->queue_cpu, queue_cpu, n_queues * sizeof *queue_cpu);
    }
    lb->n_samples = MAX(1, cfg->window_ms / MAX(cfg->sample_ms, 1));
    lb->samples = xcalloc(lb->n_samples * n_queues + 1, sizeof *lb->samples);
    lb->last_sample_ms = LLONG_MIN;
    lb->last_rebal_ms = LLONG_MIN;
    return lb;
}

void
offload_cpus_autolb_destroy(struct offload_cpus_autolb *lb)
{
    if (lb) {
        free(lb->queue_cpu);
        free(lb->samples);
        free(lb);
    }
}

static double
oc_variance(const double *x, size_t n)
{
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++) {
        sum += x[i];
    }
    double mean = n ? sum / n : 0;
    for (size_t i = 0; i < n; i++) {
        sq += (x[i] - mean) * (x[i] - mean);
    }
    return n ? sq / n : 0;
}

bool
offload_cpus_autolb_run(struct offload_cpus_autolb *lb,
                        const double *queue_load, long long int now_ms)
{
    if (lb->last_sample_ms != LLONG_MIN
        && now_ms - lb->last_sample_ms < lb->cfg.sample_ms) {
        return false;
    }
    lb->last_sample_ms = now_ms;

    /* What dpif-netdev measures: busy cycles, so a PMD's queues add up
     * to at most 100%. */
    double *demand = xcalloc(lb->n_pmds + 1, sizeof *demand);
    double *sample = &lb->samples[lb->next * lb->n_queues];
    for (size_t q = 0; q < lb->n_queues; q++) {
        demand[lb->queue_cpu[q]] += queue_load[q];
    }
    for (size_t q = 0; q < lb->n_queues; q++) {
        double d = demand[lb->queue_cpu[q]];
        sample[q] = d > 1 ? queue_load[q] / d : queue_load[q];
    }
    lb->next = (lb->next + 1) % lb->n_samples;
    lb->filled = MIN(lb->filled + 1, lb->n_samples);

    bool rebalanced = false;
    double *avg = xcalloc(lb->n_queues + 1, sizeof *avg);
    double *cur = xcalloc(lb->n_pmds + 1, sizeof *cur);
    double *new = xcalloc(lb->n_pmds + 1, sizeof *new);
    int *assign = xmalloc((lb->n_queues + 1) * sizeof *assign);
    bool *done = xcalloc(lb->n_queues + 1, sizeof *done);

    if (lb->filled < lb->n_samples
        || (lb->last_rebal_ms != LLONG_MIN
            && now_ms - lb->last_rebal_ms < lb->cfg.rebal_ms)) {
        goto out;
    }
    for (size_t s = 0; s < lb->n_samples; s++) {
        for (size_t q = 0; q < lb->n_queues; q++) {
            avg[q] += lb->samples[s * lb->n_queues + q] / lb->n_samples;
        }
    }
    bool overloaded = false;
    for (size_t q = 0; q < lb->n_queues; q++) {
        cur[lb->queue_cpu[q]] += avg[q];
    }
    for (size_t p = 0; p < lb->n_pmds; p++) {
        overloaded |= cur[p] >= lb->cfg.load_threshold;
    }
    if (!overloaded || lb->n_pmds < 2) {
        goto out;
    }

    /* Dry run: heaviest queue first, each to the least loaded PMD. */
    for (size_t i = 0; i < lb->n_queues; i++) {
        size_t heaviest = SIZE_MAX;
        for (size_t q = 0; q < lb->n_queues; q++) {
            if (!done[q] && (heaviest == SIZE_MAX
                             || avg[q] > avg[heaviest])) {
                heaviest = q;
            }
        }
        size_t least = 0;
        for (size_t p = 1; p < lb->n_pmds; p++) {
            if (new[p] < new[least]) {
                least = p;
            }
        }
        done[heaviest] = true;
        assign[heaviest] = least;
        new[least] += avg[heaviest];
    }
    double v_cur = oc_variance(cur, lb->n_pmds);
    double v_new = oc_variance(new, lb->n_pmds);
    if (v_cur > 0 && (v_cur - v_new) / v_cur >= lb->cfg.improvement) {
        memcpy(lb->queue_cpu, assign, lb->n_queues * sizeof *assign);
        lb->last_rebal_ms = now_ms;
        lb->n_rebalances++;
        lb->filled = 0;         /* OVS clears the PMDs' history too. */
        rebalanced = true;
    }

out:
    free(demand);
    free(avg);
    free(cur);
    free(new);
    free(assign);
    free(done);
    return rebalanced;
}

int
offload_cpus_autolb_queue_cpu(const struct offload_cpus_autolb *lb,
                              size_t queue)
{
    return lb->queue_cpu[queue];
}

uint64_t
offload_cpus_autolb_n_rebalances(const struct offload_cpus_autolb *lb)
{
    return lb->n_rebalances;
}

/* dpif-netdev's text. */

void
offload_cpus_pmd_sample_clear(struct offload_cpus_pmd_sample *s)
{
    for (size_t i = 0; i < s->n_rxqs; i++) {
        free(s->rxqs[i].port);
    }
    free(s->rxqs);
    free(s->pmds);
    memset(s, 0, sizeof *s);
}

const struct offload_cpus_pmd *
offload_cpus_pmd_find(const struct offload_cpus_pmd_sample *s, int core)
{
    for (size_t i = 0; i < s->n_pmds; i++) {
        if (s->pmds[i].core == core) {
            return &s->pmds[i];
        }
    }
    return NULL;
}

int
offload_cpus_rxq_core(const struct offload_cpus_pmd_sample *s,
                      const char *port, int queue)
{
    for (size_t i = 0; i < s->n_rxqs; i++) {
        if (s->rxqs[i].queue == queue && !strcmp(s->rxqs[i].port, port)) {
            return s->rxqs[i].core;
        }
    }
    return -1;
}

/* Calls 'cb' with each line of 'text' and the PMD header ("pmd thread
 * numa_id N core_id C:") it follows, NULL before the first or inside a
 * "main thread:" section.  Returns the number of PMD headers. */
static size_t
oc_pmd_lines(const char *text,
             void (*cb)(const char *line, const int *numa_core, void *aux),
             void *aux)
{
    int numa_core[2];
    bool in_pmd = false;
    size_t n = 0;

    for (const char *p = text; p && *p; ) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t) (nl - p) : strlen(p);
        char *line = xmemdup0(p, len);
        unsigned int core;
        int numa, end = 0;

        if (sscanf(line, "pmd thread numa_id %d core_id %u:%n", &numa,
                   &core, &end) == 2 && end) {
            numa_core[0] = numa;
            numa_core[1] = core;
            in_pmd = true;
            n++;
        } else if (line[0] && line[0] != ' ') {
            in_pmd = false;     /* "main thread:" or anything else. */
        }
        cb(line, in_pmd ? numa_core : NULL, aux);
        free(line);
        p = nl ? nl + 1 : NULL;
    }
    return n;
}

struct oc_parse {
    struct offload_cpus_pmd_sample *s;
    size_t allocated;
};

static struct offload_cpus_pmd *
oc_parse_pmd(struct oc_parse *ps, const int *numa_core)
{
    struct offload_cpus_pmd_sample *s = ps->s;
    struct offload_cpus_pmd *pmd = CONST_CAST(struct offload_cpus_pmd *,
                                              offload_cpus_pmd_find(
                                                  s, numa_core[1]));
    if (!pmd) {
        if (s->n_pmds >= ps->allocated) {
            s->pmds = x2nrealloc(s->pmds, &ps->allocated, sizeof *s->pmds);
        }
        pmd = &s->pmds[s->n_pmds++];
        *pmd = (struct offload_cpus_pmd) { .numa = numa_core[0],
                                           .core = numa_core[1] };
    }
    return pmd;
}

static void
oc_parse_stats_line(const char *line, const int *numa_core, void *ps_)
{
    struct oc_parse *ps = ps_;
    unsigned long long int cycles;

    if (!numa_core) {
        return;
    }
    struct offload_cpus_pmd *pmd = oc_parse_pmd(ps, numa_core);
    if (sscanf(line, " idle cycles: %llu", &cycles) == 1) {
        pmd->idle = cycles;
    } else if (sscanf(line, " processing cycles: %llu", &cycles) == 1) {
        pmd->busy = cycles;
    }
}

/* Makes 's''s PMD array exactly its size, for x2nrealloc(). */
static void
oc_parse_init(struct oc_parse *ps, struct offload_cpus_pmd_sample *s)
{
    if (s->n_pmds) {
        s->pmds = xrealloc(s->pmds, s->n_pmds * sizeof *s->pmds);
    }
    *ps = (struct oc_parse) { .s = s, .allocated = s->n_pmds };
}

int
offload_cpus_parse_pmd_stats(const char *text,
                             struct offload_cpus_pmd_sample *s)
{
    struct oc_parse ps;

    if (!strstr(text, "thread")) {
        return EINVAL;
    }
    oc_parse_init(&ps, s);
    oc_pmd_lines(text, oc_parse_stats_line, &ps);
    return 0;
}

static void
oc_parse_rxq_line(const char *line, const int *numa_core, void *ps_)
{
    struct oc_parse *ps = ps_;
    struct offload_cpus_pmd_sample *s = ps->s;
    char port[64], state[16];
    int queue, usage, end = 0;

    if (!numa_core) {
        return;
    }
    oc_parse_pmd(ps, numa_core);
    if (sscanf(line, " port: %63s queue-id: %d %15s pmd usage: %n", port,
               &queue, state, &end) != 3 || !end) {
        return;
    }
    if (sscanf(line + end, "%d", &usage) != 1) {
        usage = -1;             /* "NOT AVAIL". */
    }
    s->rxqs = xrealloc(s->rxqs, (s->n_rxqs + 1) * sizeof *s->rxqs);
    s->rxqs[s->n_rxqs++] = (struct offload_cpus_rxq) {
        .port = xstrdup(port), .queue = queue, .core = numa_core[1],
        .usage = usage,
    };
}

int
offload_cpus_parse_pmd_rxqs(const char *text,
                            struct offload_cpus_pmd_sample *s)
{
    struct oc_parse ps;

    if (text[0] && !strstr(text, "pmd thread")) {
        return EINVAL;
    }
    oc_parse_init(&ps, s);
    oc_pmd_lines(text, oc_parse_rxq_line, &ps);
    return 0;
}
