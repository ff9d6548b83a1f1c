/* SPDX-License-Identifier: Apache-2.0 */
/* nicsim's receive classes on one port (see nicsim-classes.h). */

#include <config.h>

#include "lib/nicsim-classes.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "dp-packet.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nicsim_classes);

#define NICSIM_TCP_SYN 0x02
#define NICSIM_TCP_ACK 0x10

struct nicsim_classes {
    size_t n_classes;
    struct offload_class_config classes[OFFLOAD_CLASSES_MAX];
    uint32_t n_rxq;
    struct offload_classifier classifier;
    /* One scheduler per representor queue; class 'c' is instance
     * inst[c][q] of sched[q], for every queue 'q' of its group. */
    struct offload_sched sched[NIC_MAX_RXQ];
    uint8_t inst[OFFLOAD_CLASSES_MAX][NIC_MAX_RXQ];
    uint32_t default_class, guard_class;
    struct offload_syn_guard guard;
    uint64_t guard_diverted;
    uint64_t n_logged;                  /* Guard transitions logged. */
    /* Counters of classes that went, per class name, are not kept: a
     * change starts them from zero, as for NIC rules. */
};

struct nicsim_classes *
nicsim_classes_create(const struct nic_classes_config *cfg, uint32_t n_rxq,
                      const struct nicsim_classes *old, uint64_t now_ms,
                      char **errorp)
{
    *errorp = NULL;
    if (!n_rxq) {
        *errorp = xstrdup("the port has no receive queues (not attached)");
        return NULL;
    }
    if (!cfg->n_classes || cfg->n_classes > OFFLOAD_CLASSES_MAX) {
        *errorp = xasprintf("%"PRIuSIZE" classes: not 1 to %d",
                            cfg->n_classes, OFFLOAD_CLASSES_MAX);
        return NULL;
    }
    for (size_t i = 0; i < cfg->n_classes; i++) {
        *errorp = offload_class_config_check(&cfg->classes[i], n_rxq);
        if (*errorp) {
            return NULL;
        }
        for (size_t j = 0; j < i; j++) {
            if (!strcmp(cfg->classes[i].name, cfg->classes[j].name)) {
                *errorp = xasprintf("class %s: defined twice",
                                    cfg->classes[i].name);
                return NULL;
            }
        }
    }
    if (cfg->default_class >= cfg->n_classes
        || cfg->guard_class >= cfg->n_classes) {
        *errorp = xstrdup("default or SYN guard class out of range");
        return NULL;
    }
    if (cfg->guard.enabled) {
        *errorp = offload_syn_guard_config_check(&cfg->guard);
        if (*errorp) {
            return NULL;
        }
    }

    struct nicsim_classes *c = xzalloc(sizeof *c);
    c->n_classes = cfg->n_classes;
    memcpy(c->classes, cfg->classes, cfg->n_classes * sizeof *cfg->classes);
    c->n_rxq = n_rxq;
    c->default_class = cfg->default_class;
    c->guard_class = cfg->guard_class;
    offload_classifier_init(&c->classifier, cfg->default_class);
    for (size_t i = 0; i < cfg->n_rules; i++) {
        const struct nic_classes_rule *r = &cfg->rules[i];
        int error = (r->class >= cfg->n_classes ? EINVAL
                     : offload_classifier_add(&c->classifier, &r->match,
                                              r->priority, r->class));
        if (error) {
            struct ds s = DS_EMPTY_INITIALIZER;

            nic_match_format(&s, &r->match);
            *errorp = xasprintf("rule %s priority %"PRIu32": %s", ds_cstr(&s),
                                r->priority,
                                error == EEXIST ? "duplicate"
                                : error == EBUSY ? "overlaps a rule of the "
                                  "same priority with another class"
                                : error == ENOSPC ? "too many rules"
                                : "no such class");
            ds_destroy(&s);
            nicsim_classes_destroy(c);
            return NULL;
        }
    }
    for (uint32_t q = 0; q < n_rxq; q++) {
        offload_sched_init(&c->sched[q]);
    }
    uint64_t now_ns = now_ms * 1000000;
    for (size_t i = 0; i < c->n_classes; i++) {
        struct offload_class_config inst = c->classes[i];

        /* A group shares the class's rate among its queues. */
        if (inst.pps) {
            inst.pps = MAX(1, inst.pps / inst.n_queues);
        }
        for (uint32_t q = inst.queue; q < inst.queue + inst.n_queues; q++) {
            size_t idx;

            ovs_assert(!offload_sched_add_class(&c->sched[q], &inst, now_ns,
                                                &idx));
            c->inst[i][q] = idx;
        }
    }
    if (old) {
        c->guard = old->guard;
        c->n_logged = old->n_logged;
        c->guard_diverted = old->guard_diverted;
        offload_syn_guard_set(&c->guard, &cfg->guard, now_ms);
    } else {
        offload_syn_guard_init(&c->guard, &cfg->guard, now_ms);
    }
    return c;
}

static void
nicsim_classes_drop_packet(void *pkt, void *aux)
{
    size_t *n = aux;

    dp_packet_delete(pkt);
    (*n)++;
}

size_t
nicsim_classes_destroy(struct nicsim_classes *c)
{
    size_t n = 0;

    if (c) {
        for (uint32_t q = 0; q < c->n_rxq; q++) {
            offload_sched_destroy(&c->sched[q], nicsim_classes_drop_packet,
                                  &n);
        }
        offload_classifier_destroy(&c->classifier);
        free(c);
    }
    return n;
}

static bool
nicsim_is_syn(const struct nic_flow_key *key)
{
    uint16_t flags = ntohs(key->tcp_flags);

    return ((key->dl_type == htons(ETH_TYPE_IP)
             || key->dl_type == htons(ETH_TYPE_IPV6))
            && key->nw_proto == IPPROTO_TCP
            && !(key->nw_frag & NIC_FRAG_LATER)
            && (flags & NICSIM_TCP_SYN) && !(flags & NICSIM_TCP_ACK));
}

int
nicsim_classes_enqueue(struct nicsim_classes *c, struct dp_packet *pkt,
                       const struct nic_flow_key *key, uint32_t queue,
                       uint64_t now_ns)
{
    uint32_t cls;

    if (c->guard.cfg.enabled && nicsim_is_syn(key)) {
        struct offload_syn_dst dst = { .port = ntohs(key->tp_dst) };

        memcpy(dst.addr, key->nw_dst, sizeof dst.addr);
        offload_syn_guard_count(&c->guard, &dst, now_ns / 1000000);
    }
    if (offload_syn_guard_engaged(&c->guard) && nicsim_is_syn(key)) {
        /* New connections wait behind established ones, at a bounded
         * rate, which also bounds the upcalls they cost the host. */
        cls = c->guard_class;
        c->guard_diverted++;
    } else {
        cls = offload_classifier_lookup(&c->classifier, key);
    }

    const struct offload_class_config *cfg = &c->classes[cls];
    if (queue < cfg->queue || queue >= cfg->queue + cfg->n_queues) {
        queue = cfg->queue + queue % cfg->n_queues;
    }

    enum offload_class_drop why;
    if (offload_sched_enqueue(&c->sched[queue], c->inst[cls][queue], pkt,
                              now_ns, &why)) {
        return 0;
    }
    return why == OFFLOAD_CLASS_DROP_RATE ? NIC_DROP_CLASS_RATE
                                          : NIC_DROP_CLASS_RING;
}

size_t
nicsim_classes_deliver(struct nicsim_classes *c, uint32_t queue,
                       struct dp_packet **pkts, size_t max)
{
    return (queue < c->n_rxq
            ? offload_sched_dequeue(&c->sched[queue], (void **) pkts, NULL,
                                    max)
            : 0);
}

uint32_t
nicsim_classes_backlog(const struct nicsim_classes *c, uint32_t queue)
{
    return queue < c->n_rxq ? offload_sched_backlog(&c->sched[queue]) : 0;
}

uint32_t
nicsim_classes_total_backlog(const struct nicsim_classes *c)
{
    uint32_t n = 0;

    for (uint32_t q = 0; q < c->n_rxq; q++) {
        n += offload_sched_backlog(&c->sched[q]);
    }
    return n;
}

bool
nicsim_classes_run(struct nicsim_classes *c, uint64_t now_ms,
                   const char *nic_name, uint32_t port)
{
    bool changed = offload_syn_guard_run(&c->guard, now_ms);
    uint64_t first = c->guard.n_transitions > OFFLOAD_SYN_GUARD_HISTORY
                     ? c->guard.n_transitions - OFFLOAD_SYN_GUARD_HISTORY
                     : 0;

    /* Also the transitions that counting SYNs made, each once. */
    for (uint64_t i = MAX(first, c->n_logged); i < c->guard.n_transitions;
         i++) {
        struct ds s = DS_EMPTY_INITIALIZER;
        char pname[16];

        nic_port_to_string(port, pname, sizeof pname);
        offload_syn_guard_transition_format(
            &s, &c->guard.history[i % OFFLOAD_SYN_GUARD_HISTORY]);
        VLOG_INFO("%s %s: SYN guard %s", nic_name, pname, ds_cstr(&s));
        ds_destroy(&s);
        changed = true;
    }
    c->n_logged = c->guard.n_transitions;
    return changed;
}

void
nicsim_classes_get(const struct nicsim_classes *c,
                   struct nic_classes_status *st)
{
    memset(st, 0, sizeof *st);
    st->n_classes = c->n_classes;
    memcpy(st->classes, c->classes, c->n_classes * sizeof *c->classes);
    for (size_t i = 0; i < c->n_classes; i++) {
        const struct offload_class_config *cfg = &c->classes[i];
        struct offload_class_stats *sum = &st->stats[i];

        for (uint32_t q = cfg->queue; q < cfg->queue + cfg->n_queues; q++) {
            const struct offload_class_stats *s
                = &c->sched[q].classes[c->inst[i][q]].stats;

            sum->offered += s->offered;
            sum->enqueued += s->enqueued;
            sum->delivered += s->delivered;
            sum->depth += s->depth;
            for (size_t r = 0; r < OFFLOAD_CLASS_N_DROPS; r++) {
                sum->drops[r] += s->drops[r];
            }
        }
    }
    st->n_rules = c->classifier.n_rules;
    st->rules = (st->n_rules
                 ? xmemdup(c->classifier.rules,
                           st->n_rules * sizeof *st->rules)
                 : NULL);
    st->default_class = c->default_class;
    st->guard_class = c->guard_class;
    st->n_default = c->classifier.n_default;
    st->guard_diverted = c->guard_diverted;
    st->guard = c->guard;
}
