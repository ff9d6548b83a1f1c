/* SPDX-License-Identifier: Apache-2.0 */
/* nicsim's receive classes on one port (see nicsim-classes.h). */

#include <config.h>

#include "lib/nicsim-classes.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "lib/nic-parse.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nicsim_classes);

#define NICSIM_TCP_SYN 0x02
#define NICSIM_TCP_RST 0x04
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
    struct offload_syn_auth auth;       /* If 'auth.cfg.enabled'. */
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
    if (cfg->auth.enabled) {
        *errorp = offload_syn_auth_config_check(&cfg->auth);
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
    if (cfg->auth.enabled) {
        int error = offload_syn_auth_init(
            &c->auth, &cfg->auth,
            old && old->auth.cfg.enabled ? &old->auth : NULL, now_ns);

        if (error) {
            *errorp = xasprintf("SYN authentication: no SipHash or no "
                                "randomness from OpenSSL (%s)",
                                ovs_strerror(error));
            c->auth.cfg.enabled = false;
            nicsim_classes_destroy(c);
            return NULL;
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
        offload_syn_auth_destroy(&c->auth);
        free(c);
    }
    return n;
}

/* Whether 'key' is a TCP segment (with its header) with every flag of
 * 'set' and none of 'clear'. */
static bool
nicsim_is_tcp_with(const struct nic_flow_key *key, uint16_t set,
                   uint16_t clear)
{
    uint16_t flags = ntohs(key->tcp_flags);

    return ((key->dl_type == htons(ETH_TYPE_IP)
             || key->dl_type == htons(ETH_TYPE_IPV6))
            && key->nw_proto == IPPROTO_TCP
            && !(key->nw_frag & NIC_FRAG_LATER)
            && (flags & set) == set && !(flags & clear));
}

static bool
nicsim_is_syn(const struct nic_flow_key *key)
{
    return nicsim_is_tcp_with(key, NICSIM_TCP_SYN, NICSIM_TCP_ACK);
}

/* A client's TCP answers an unacceptable ACK with a RST without ACK. */
static bool
nicsim_is_rst(const struct nic_flow_key *key)
{
    return nicsim_is_tcp_with(key, NICSIM_TCP_RST, NICSIM_TCP_ACK);
}

/* The connection 'key' names, as its client's SYN does. */
static void
nicsim_auth_tuple(const struct nic_flow_key *key,
                  struct offload_syn_auth_tuple *t)
{
    memset(t, 0, sizeof *t);
    t->is_ipv6 = key->dl_type == htons(ETH_TYPE_IPV6);
    memcpy(t->src, key->nw_src, sizeof t->src);
    memcpy(t->dst, key->nw_dst, sizeof t->dst);
    t->src_port = ntohs(key->tp_src);
    t->dst_port = ntohs(key->tp_dst);
}

/* The TCP header of 'pkt', or NULL if it has none whole (the key came
 * from the same bytes, so this only fails on truncated frames). */
static const uint8_t *
nicsim_tcp_header(const struct dp_packet *pkt,
                  const struct nic_flow_key *key,
                  struct nic_parse_offsets *ofs)
{
    const uint8_t *frame = dp_packet_data(pkt);
    struct nic_flow_key k;

    if (nic_parse(frame, dp_packet_size(pkt), key->in_port, &k, ofs)
        != NIC_PARSE_OK || ofs->l4 == UINT16_MAX
        || ofs->l4 + 20 > ofs->l3_end) {
        return NULL;
    }
    return frame + ofs->l4;
}

struct dp_packet *
nicsim_syn_challenge_build(const struct dp_packet *syn,
                           const struct nic_parse_offsets *ofs,
                           bool is_ipv6, uint32_t ack)
{
    const uint8_t *in = dp_packet_data(syn);
    const uint8_t *in_tcp = in + ofs->l4;
    size_t l3_len = is_ipv6 ? 40 : 20;
    size_t len = ofs->l3 + l3_len + 20;
    struct dp_packet *pkt = dp_packet_new(MAX(len, ETH_TOTAL_MIN));
    uint8_t *out = dp_packet_put_zeros(pkt, MAX(len, ETH_TOTAL_MIN));
    uint8_t *ip = out + ofs->l3;
    uint8_t *tcp = ip + l3_len;

    /* The SYN's own Ethernet header and VLAN tags, addresses swapped. */
    memcpy(out, in, ofs->l3);
    memcpy(out, in + ETH_ADDR_LEN, ETH_ADDR_LEN);
    memcpy(out + ETH_ADDR_LEN, in, ETH_ADDR_LEN);

    /* A fresh IP header, without the SYN's options or extensions. */
    if (is_ipv6) {
        const struct ovs_16aligned_ip6_hdr *in6
            = ALIGNED_CAST(const struct ovs_16aligned_ip6_hdr *,
                           in + ofs->l3);

        ip[0] = 0x60;
        ip[5] = 20;                     /* Payload length. */
        ip[6] = IPPROTO_TCP;
        ip[7] = 64;                     /* Hop limit. */
        memcpy(ip + 8, &in6->ip6_dst, 16);
        memcpy(ip + 24, &in6->ip6_src, 16);
    } else {
        const struct ip_header *in4
            = ALIGNED_CAST(const struct ip_header *, in + ofs->l3);
        struct ip_header *ip4 = ALIGNED_CAST(struct ip_header *, ip);

        ip4->ip_ihl_ver = IP_IHL_VER(5, 4);
        ip4->ip_tot_len = htons(40);
        ip4->ip_frag_off = htons(IP_DONT_FRAGMENT);
        ip4->ip_ttl = 64;
        ip4->ip_proto = IPPROTO_TCP;
        ip4->ip_src = in4->ip_dst;
        ip4->ip_dst = in4->ip_src;
        ip4->ip_csum = csum(ip4, 20);
    }

    ovs_be32 ack_be = htonl(ack);
    /* Our sequence number is never used: the client answers with a RST
     * that carries only the acknowledgement. */
    ovs_be32 seq_be = htonl(~ack);

    memcpy(tcp, in_tcp + 2, 2);         /* Ports swapped. */
    memcpy(tcp + 2, in_tcp, 2);
    memcpy(tcp + 4, &seq_be, 4);
    memcpy(tcp + 8, &ack_be, 4);
    tcp[12] = 5 << 4;
    tcp[13] = NICSIM_TCP_SYN | NICSIM_TCP_ACK;
    tcp[14] = 0x04;                     /* Window 1024. */

    ovs_be16 sum;
    if (is_ipv6) {
        sum = packet_csum_upperlayer6(
            ALIGNED_CAST(const struct ovs_16aligned_ip6_hdr *, ip), tcp,
            IPPROTO_TCP, 20);
    } else {
        sum = csum_finish(csum_continue(
            packet_csum_pseudoheader(ALIGNED_CAST(const struct ip_header *,
                                                  ip)), tcp, 20));
    }
    memcpy(tcp + 16, &sum, 2);
    return pkt;
}

/* While the guard is engaged with authentication: a SYN of a validated
 * source passes (returns 0, '*pass' true); another is answered with a
 * challenge in '*replyp' (returns NIC_DROP_SYN_CHALLENGED) unless the
 * challenges are at their rate (returns 0, '*pass' false). */
static int
nicsim_classes_auth_syn(struct nicsim_classes *c, const struct dp_packet *pkt,
                        const struct nic_flow_key *key, uint64_t now_ns,
                        struct dp_packet **replyp, bool *pass)
{
    struct offload_syn_auth_tuple t;
    struct nic_parse_offsets ofs;
    const uint8_t *tcp = nicsim_tcp_header(pkt, key, &ofs);
    ovs_be32 isn;
    uint32_t ack;

    *pass = false;
    if (!tcp) {
        return 0;
    }
    nicsim_auth_tuple(key, &t);
    memcpy(&isn, tcp + 4, sizeof isn);
    switch (offload_syn_auth_syn(&c->auth, &t, ntohl(isn), now_ns, &ack)) {
    case OFFLOAD_SYN_AUTH_PASS:
        *pass = true;
        return 0;
    case OFFLOAD_SYN_AUTH_CHALLENGE:
        *replyp = nicsim_syn_challenge_build(pkt, &ofs, t.is_ipv6, ack);
        return NIC_DROP_SYN_CHALLENGED;
    case OFFLOAD_SYN_AUTH_LIMITED:
    default:
        return 0;
    }
}

/* Whether 'pkt', a RST without ACK, answers one of the NIC's challenges
 * (its source is then validated). */
static bool
nicsim_classes_auth_rst(struct nicsim_classes *c, const struct dp_packet *pkt,
                        const struct nic_flow_key *key, uint64_t now_ns)
{
    struct offload_syn_auth_tuple t;
    struct nic_parse_offsets ofs;
    const uint8_t *tcp = nicsim_tcp_header(pkt, key, &ofs);
    ovs_be32 seq;

    if (!tcp) {
        return false;
    }
    nicsim_auth_tuple(key, &t);
    memcpy(&seq, tcp + 4, sizeof seq);
    return offload_syn_auth_rst(&c->auth, &t, ntohl(seq), now_ns);
}

int
nicsim_classes_enqueue(struct nicsim_classes *c, struct dp_packet *pkt,
                       const struct nic_flow_key *key, uint32_t queue,
                       uint64_t now_ns, struct dp_packet **replyp)
{
    bool syn = nicsim_is_syn(key);
    uint32_t cls;

    *replyp = NULL;
    if (c->guard.cfg.enabled && syn) {
        struct offload_syn_dst dst = { .port = ntohs(key->tp_dst) };

        memcpy(dst.addr, key->nw_dst, sizeof dst.addr);
        offload_syn_guard_count(&c->guard, &dst, now_ns / 1000000);
    }

    bool engaged = offload_syn_guard_engaged(&c->guard);
    bool pass = false;
    if (engaged && c->auth.cfg.enabled && !key->tun_type) {
        if (syn) {
            int reason = nicsim_classes_auth_syn(c, pkt, key, now_ns,
                                                 replyp, &pass);
            if (reason) {
                return reason;
            }
        } else if (nicsim_is_rst(key)
                   && nicsim_classes_auth_rst(c, pkt, key, now_ns)) {
            return NIC_DROP_SYN_AUTH_REPLY;
        }
    }
    if (engaged && syn && !pass) {
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
    st->auth_cfg = c->auth.cfg;
    if (c->auth.cfg.enabled) {
        offload_syn_auth_get_stats(&c->auth, time_msec(), &st->auth);
    }
}
