/* SPDX-License-Identifier: Apache-2.0 */
/* Receive classes: classifier, token buckets and the priority scheduler
 * that delivers classified packets to the host (see offload-classes.h). */

#include <config.h>

#include "lib/offload-classes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define OFFLOAD_NS_PER_S 1000000000ULL

const char *
offload_class_drop_name(enum offload_class_drop reason)
{
    switch (reason) {
#define OFFLOAD_CLASS_DROP(ENUM, NAME, DESC) \
    case OFFLOAD_CLASS_DROP_##ENUM: return NAME;
    OFFLOAD_CLASS_DROPS
#undef OFFLOAD_CLASS_DROP
    case OFFLOAD_CLASS_N_DROPS:
        break;
    }
    return "unknown";
}

/* Token bucket. */

void
offload_tb_init(struct offload_tb *tb, uint64_t rate, uint64_t burst,
                uint64_t now_ns)
{
    tb->rate = rate;
    tb->burst = burst ? burst : 1;
    tb->tokens = tb->burst * OFFLOAD_NS_PER_S;   /* Starts full. */
    tb->last_ns = now_ns;
}

bool
offload_tb_take(struct offload_tb *tb, uint64_t now_ns)
{
    if (!tb->rate) {
        return true;
    }

    uint64_t cap = tb->burst * OFFLOAD_NS_PER_S;
    if (now_ns > tb->last_ns) {
        /* Beyond the time that fills the bucket, more time adds nothing;
         * capping it first keeps the product from overflowing. */
        uint64_t elapsed = MIN(now_ns - tb->last_ns, cap / tb->rate + 1);

        tb->tokens = MIN(cap, tb->tokens + elapsed * tb->rate);
        tb->last_ns = now_ns;
    }
    if (tb->tokens < OFFLOAD_NS_PER_S) {
        return false;
    }
    tb->tokens -= OFFLOAD_NS_PER_S;
    return true;
}

/* Class configuration. */

char *
offload_class_config_check(const struct offload_class_config *cfg,
                           uint32_t n_rxq)
{
    if (!cfg->name[0] || !memchr(cfg->name, '\0', sizeof cfg->name)) {
        return xstrdup("class name must have 1 to 31 characters");
    }
    if (cfg->priority > OFFLOAD_CLASS_PRIO_MAX) {
        return xasprintf("class %s: priority %"PRIu32" is not 0 to %d",
                         cfg->name, cfg->priority, OFFLOAD_CLASS_PRIO_MAX);
    }
    if (!cfg->weight || cfg->weight > OFFLOAD_CLASS_WEIGHT_MAX) {
        return xasprintf("class %s: weight %"PRIu32" is not 1 to %d",
                         cfg->name, cfg->weight, OFFLOAD_CLASS_WEIGHT_MAX);
    }
    if (!cfg->depth || cfg->depth > OFFLOAD_CLASS_DEPTH_MAX) {
        return xasprintf("class %s: depth %"PRIu32" is not 1 to %d",
                         cfg->name, cfg->depth, OFFLOAD_CLASS_DEPTH_MAX);
    }
    if (!cfg->n_queues) {
        return xasprintf("class %s: empty queue group", cfg->name);
    }
    if (n_rxq && (cfg->queue >= n_rxq || cfg->n_queues > n_rxq - cfg->queue)) {
        return xasprintf("class %s: queues %"PRIu32"-%"PRIu32" but the port "
                         "has %"PRIu32" receive queues", cfg->name,
                         cfg->queue, cfg->queue + cfg->n_queues - 1, n_rxq);
    }
    return NULL;
}

/* Classifier. */

void
offload_classifier_init(struct offload_classifier *c, uint32_t default_class)
{
    memset(c, 0, sizeof *c);
    c->default_class = default_class;
}

void
offload_classifier_destroy(struct offload_classifier *c)
{
    free(c->rules);
    c->rules = NULL;
    c->n_rules = 0;
}

/* Some key matches both: wherever both masks care, the keys agree. */
bool
offload_matches_overlap(const struct nic_match *a, const struct nic_match *b)
{
    const uint64_t *ak = (const uint64_t *) &a->key;
    const uint64_t *am = (const uint64_t *) &a->mask;
    const uint64_t *bk = (const uint64_t *) &b->key;
    const uint64_t *bm = (const uint64_t *) &b->mask;

    for (size_t i = 0; i < NIC_FLOW_KEY_WORDS; i++) {
        if ((ak[i] ^ bk[i]) & am[i] & bm[i]) {
            return false;
        }
    }
    return true;
}

static bool
offload_match_equal(const struct nic_match *a, const struct nic_match *b)
{
    return !memcmp(a, b, sizeof *a);
}

int
offload_classifier_add(struct offload_classifier *c,
                       const struct nic_match *match_, uint32_t priority,
                       uint32_t class)
{
    struct nic_match match = *match_;
    size_t pos = c->n_rules;

    nic_match_normalize(&match);
    for (size_t i = 0; i < c->n_rules; i++) {
        const struct offload_class_rule *r = &c->rules[i];

        if (r->priority != priority) {
            continue;
        }
        if (offload_match_equal(&r->match, &match)) {
            return EEXIST;
        }
        if (r->class != class && offload_matches_overlap(&r->match, &match)) {
            return EBUSY;
        }
    }
    if (c->n_rules >= OFFLOAD_CLASS_RULES_MAX) {
        return ENOSPC;
    }
    /* After every rule of the same or higher priority. */
    for (size_t i = 0; i < c->n_rules; i++) {
        if (c->rules[i].priority < priority) {
            pos = i;
            break;
        }
    }
    c->rules = xrealloc(c->rules, (c->n_rules + 1) * sizeof *c->rules);
    memmove(&c->rules[pos + 1], &c->rules[pos],
            (c->n_rules - pos) * sizeof *c->rules);
    c->rules[pos] = (struct offload_class_rule) {
        .match = match, .priority = priority, .class = class,
    };
    c->n_rules++;
    return 0;
}

int
offload_classifier_del(struct offload_classifier *c,
                       const struct nic_match *match_, uint32_t priority)
{
    struct nic_match match = *match_;

    nic_match_normalize(&match);
    for (size_t i = 0; i < c->n_rules; i++) {
        if (c->rules[i].priority == priority
            && offload_match_equal(&c->rules[i].match, &match)) {
            memmove(&c->rules[i], &c->rules[i + 1],
                    (c->n_rules - i - 1) * sizeof *c->rules);
            c->n_rules--;
            return 0;
        }
    }
    return ENOENT;
}

uint32_t
offload_classifier_lookup(struct offload_classifier *c,
                          const struct nic_flow_key *key)
{
    for (size_t i = 0; i < c->n_rules; i++) {
        if (nic_match_matches(&c->rules[i].match, key)) {
            c->rules[i].n_packets++;
            return c->rules[i].class;
        }
    }
    c->n_default++;
    return c->default_class;
}

/* Scheduler. */

void
offload_sched_init(struct offload_sched *s)
{
    memset(s, 0, sizeof *s);
}

void
offload_sched_destroy(struct offload_sched *s,
                      void (*drop)(void *pkt, void *aux), void *aux)
{
    for (size_t i = 0; i < s->n_classes; i++) {
        struct offload_sched_class *c = &s->classes[i];

        for (; c->count; c->count--) {
            if (drop) {
                drop(c->ring[c->head], aux);
            }
            c->head = (c->head + 1) % c->cfg.depth;
            c->stats.drops[OFFLOAD_CLASS_DROP_FLUSHED]++;
        }
        c->stats.depth = 0;
        free(c->ring);
        c->ring = NULL;
    }
    s->n_classes = 0;
}

int
offload_sched_find(const struct offload_sched *s, const char *name)
{
    for (size_t i = 0; i < s->n_classes; i++) {
        if (!strcmp(s->classes[i].cfg.name, name)) {
            return i;
        }
    }
    return -1;
}

int
offload_sched_add_class(struct offload_sched *s,
                        const struct offload_class_config *cfg,
                        uint64_t now_ns, size_t *idxp)
{
    char *error = offload_class_config_check(cfg, 0);

    if (error) {
        free(error);
        return EINVAL;
    }
    if (offload_sched_find(s, cfg->name) >= 0) {
        return EEXIST;
    }
    if (s->n_classes >= OFFLOAD_CLASSES_MAX) {
        return ENOSPC;
    }

    struct offload_sched_class *c = &s->classes[s->n_classes];
    memset(c, 0, sizeof *c);
    c->cfg = *cfg;
    offload_tb_init(&c->tb, cfg->pps,
                    cfg->burst ? cfg->burst : cfg->pps / 10 + 1, now_ns);
    c->ring = xcalloc(cfg->depth, sizeof *c->ring);
    *idxp = s->n_classes++;
    return 0;
}

bool
offload_sched_enqueue(struct offload_sched *s, size_t idx, void *pkt,
                      uint64_t now_ns, enum offload_class_drop *reason)
{
    struct offload_sched_class *c = &s->classes[idx];

    c->stats.offered++;
    /* The ring first: a packet that cannot be queued must not spend a
     * token that a later packet could have used. */
    if (c->count >= c->cfg.depth) {
        *reason = OFFLOAD_CLASS_DROP_RING_FULL;
    } else if (!offload_tb_take(&c->tb, now_ns)) {
        *reason = OFFLOAD_CLASS_DROP_RATE;
    } else {
        c->ring[(c->head + c->count) % c->cfg.depth] = pkt;
        c->count++;
        c->stats.depth = c->count;
        c->stats.enqueued++;
        return true;
    }
    c->stats.drops[*reason]++;
    return false;
}

static void *
offload_sched_pop(struct offload_sched_class *c)
{
    void *pkt = c->ring[c->head];

    c->head = (c->head + 1) % c->cfg.depth;
    c->count--;
    c->stats.depth = c->count;
    c->stats.delivered++;
    return pkt;
}

/* Serves priority 'prio' by deficit round robin until 'max' packets or
 * its classes are empty.  Returns the number taken. */
static size_t
offload_sched_serve(struct offload_sched *s, uint32_t prio, void **pkts,
                    uint32_t *classes, size_t max)
{
    size_t n = 0;

    while (n < max) {
        size_t start = s->rr[prio];
        bool any = false;

        for (size_t k = 0; k < s->n_classes && n < max; k++) {
            size_t i = (start + k) % s->n_classes;
            struct offload_sched_class *c = &s->classes[i];

            if (c->cfg.priority != prio || !c->count) {
                continue;
            }
            any = true;
            if (c->deficit <= 0) {
                c->deficit += c->cfg.weight;
            }
            while (c->count && c->deficit > 0 && n < max) {
                if (classes) {
                    classes[n] = i;
                }
                pkts[n++] = offload_sched_pop(c);
                c->deficit--;
            }
            if (!c->count) {
                c->deficit = 0;   /* An idle class saves no credit. */
            }
            if (c->deficit <= 0 || !c->count) {
                /* Its turn is over: next time start after it. */
                s->rr[prio] = (i + 1) % s->n_classes;
            } else {
                s->rr[prio] = i;  /* Out of room mid-turn: resume it. */
            }
        }
        if (!any) {
            break;
        }
    }
    return n;
}

size_t
offload_sched_dequeue(struct offload_sched *s, void **pkts,
                      uint32_t *classes, size_t max)
{
    size_t n = 0;

    for (int prio = OFFLOAD_CLASS_PRIO_MAX; prio >= 0 && n < max; prio--) {
        n += offload_sched_serve(s, prio, pkts + n,
                                 classes ? classes + n : NULL, max - n);
    }
    return n;
}

uint32_t
offload_sched_backlog(const struct offload_sched *s)
{
    uint32_t n = 0;

    for (size_t i = 0; i < s->n_classes; i++) {
        n += s->classes[i].count;
    }
    return n;
}

bool
offload_class_stats_conserved(const struct offload_class_stats *st)
{
    uint64_t drops = 0;

    for (size_t i = 0; i < OFFLOAD_CLASS_N_DROPS; i++) {
        drops += st->drops[i];
    }
    return st->offered == st->delivered + st->depth + drops
           && st->enqueued == st->delivered + st->depth;
}

void
offload_sched_format(struct ds *ds, const struct offload_sched *s)
{
    for (size_t i = 0; i < s->n_classes; i++) {
        const struct offload_sched_class *c = &s->classes[i];

        ds_put_format(ds, "class %s: queue %"PRIu32, c->cfg.name,
                      c->cfg.queue);
        if (c->cfg.n_queues > 1) {
            ds_put_format(ds, "-%"PRIu32,
                          c->cfg.queue + c->cfg.n_queues - 1);
        }
        ds_put_format(ds, " priority %"PRIu32" weight %"PRIu32
                      " depth %"PRIu32, c->cfg.priority, c->cfg.weight,
                      c->cfg.depth);
        if (c->cfg.pps) {
            ds_put_format(ds, " pps %"PRIu64, c->cfg.pps);
        }
        ds_put_format(ds, "\n  offered %"PRIu64" delivered %"PRIu64
                      " queued %"PRIu32, c->stats.offered,
                      c->stats.delivered, c->count);
        for (size_t r = 0; r < OFFLOAD_CLASS_N_DROPS; r++) {
            ds_put_format(ds, " %s %"PRIu64, offload_class_drop_name(r),
                          c->stats.drops[r]);
        }
        ds_put_char(ds, '\n');
    }
}
