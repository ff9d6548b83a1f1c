/* SPDX-License-Identifier: Apache-2.0 */
/* The callers' side of the NIC interface: opening NICs by "TYPE:NAME",
 * the one wrapper per provider member, and the registry of providers. */
#include <config.h>

#include "lib/nic.h"
#include "lib/nic-provider.h"
#include "lib/nic-encap-bind.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dp-packet.h"
#include "hash.h"
#include "packets.h"
#include "openvswitch/shash.h"
#include "ovs-thread.h"
#include "util.h"


static struct ovs_mutex nic_class_mutex = OVS_MUTEX_INITIALIZER;
static struct shash nic_classes OVS_GUARDED_BY(nic_class_mutex)
    = SHASH_INITIALIZER(&nic_classes);

void
nic_class_register(const struct nic_class *class)
{
    ovs_mutex_lock(&nic_class_mutex);
    if (!shash_find(&nic_classes, class->type)) {
        shash_add(&nic_classes, class->type, class);
    }
    ovs_mutex_unlock(&nic_class_mutex);
}

const struct nic_class *
nic_class_lookup(const char *type)
{
    const struct nic_class *class;

    ovs_mutex_lock(&nic_class_mutex);
    class = shash_find_data(&nic_classes, type);
    ovs_mutex_unlock(&nic_class_mutex);
    return class;
}

const char *
nic_host_reason_name(enum nic_host_reason r)
{
    static const char *const names[] = {
#define NIC_HOST_REASON(ENUM, NAME, DESC) NAME,
        NIC_HOST_REASONS
#undef NIC_HOST_REASON
    };

    return r < NIC_N_HOST_REASONS ? names[r] : "unknown";
}

const char *
nic_drop_reason_name(enum nic_drop_reason r)
{
    static const char *const names[] = {
#define NIC_DROP_REASON(ENUM, NAME, DESC) NAME,
        NIC_DROP_REASONS
#undef NIC_DROP_REASON
    };

    return r < NIC_N_DROP_REASONS ? names[r] : "unknown";
}

uint64_t
nic_port_stats_to_host(const struct nic_port_stats *st)
{
    uint64_t n = 0;

    for (int i = 0; i < NIC_N_HOST_REASONS; i++) {
        n += st->host[i];
    }
    return n;
}

uint64_t
nic_port_stats_dropped(const struct nic_port_stats *st)
{
    uint64_t n = 0;

    for (int i = 0; i < NIC_N_DROP_REASONS; i++) {
        n += st->drop[i];
    }
    return n;
}

void
nic_port_stats_add(struct nic_port_stats *sum,
                   const struct nic_port_stats *st)
{
    sum->rx_packets += st->rx_packets;
    sum->rx_bytes += st->rx_bytes;
    sum->rx_errors += st->rx_errors;
    sum->fwd_packets += st->fwd_packets;
    for (int i = 0; i < NIC_N_HOST_REASONS; i++) {
        sum->host[i] += st->host[i];
    }
    for (int i = 0; i < NIC_N_DROP_REASONS; i++) {
        sum->drop[i] += st->drop[i];
    }
    sum->tx_packets += st->tx_packets;
    sum->tx_bytes += st->tx_bytes;
    sum->tx_errors += st->tx_errors;
    sum->host_tx_packets += st->host_tx_packets;
}

/* Parses "uplinkN" or "vfN". */
bool
nic_port_from_string(const char *s, uint32_t *port)
{
    unsigned int n;
    int len;

    if (sscanf(s, "uplink%u%n", &n, &len) == 1 && !s[len]
        && n < NIC_MAX_UPLINKS) {
        *port = n;
        return true;
    }
    if (sscanf(s, "vf%u%n", &n, &len) == 1 && !s[len] && n < NIC_MAX_VFS) {
        *port = NIC_PORT_VF_BASE + n;
        return true;
    }
    if (sscanf(s, "tunnel%u%n", &n, &len) == 1 && !s[len]
        && n < NIC_PORT_TUNNEL_BASE) {
        *port = NIC_PORT_TUNNEL_BASE + n;
        return true;
    }
    return false;
}

void
nic_port_to_string(uint32_t port, char *buf, size_t size)
{
    if (nic_port_is_vf(port)) {
        snprintf(buf, size, "vf%"PRIu32, port - NIC_PORT_VF_BASE);
    } else if (nic_port_is_tunnel(port)) {
        snprintf(buf, size, "tunnel%"PRIu32, port - NIC_PORT_TUNNEL_BASE);
    } else {
        snprintf(buf, size, "uplink%"PRIu32, port);
    }
}

void
nic_samples_free(struct nic_sample *samples, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dp_packet_delete(samples[i].pkt);
        for (size_t j = 0; j < MIN(samples[i].n_outputs,
                                   NIC_SAMPLE_MAX_OUTPUTS); j++) {
            dp_packet_delete(samples[i].outputs[j].pkt);
        }
    }
    free(samples);
}

/* Opening. */

int
nic_open(const char *spec, const char *default_type, struct nic **nicp)
{
    const char *colon = strchr(spec, ':');
    const struct nic_class *class;
    char *type;
    int error;

    *nicp = NULL;
    if (!colon && !default_type) {
        return ENOENT;
    }
    type = colon ? xmemdup0(spec, colon - spec) : xstrdup(default_type);
    class = nic_class_lookup(type);
    free(type);
    if (!class) {
        return ENOENT;
    }
    error = class->open(colon ? colon + 1 : spec, nicp);
    if (error) {
        *nicp = NULL;
    }
    return error;
}

int
nic_ref(struct nic *nic, struct nic **refp)
{
    int error = nic->class->open(nic->name, refp);

    if (error) {
        *refp = NULL;
    }
    return error;
}

void
nic_close(struct nic *nic)
{
    if (nic) {
        nic->class->close(nic);
    }
}

const char *
nic_get_name(const struct nic *nic)
{
    return nic->name;
}

const char *
nic_get_type(const struct nic *nic)
{
    return nic->class->type;
}

bool
nic_type_is_registered(const char *type)
{
    return nic_class_lookup(type) != NULL;
}

void
nic_init(struct nic *nic, const struct nic_class *class, const char *name)
{
    nic->class = class;
    nic->name = xstrdup(name);
    ovs_mutex_init(&nic->dma_mutex);
    nic->dma_poll = offload_dma_default_config;
    atomic_init(&nic->dma_poll_seq, 0);
}

void
nic_uninit(struct nic *nic)
{
    free(nic->name);
    nic->name = NULL;
    ovs_mutex_destroy(&nic->dma_mutex);
}

/* Wrappers: the only calls of struct nic_class members, each with its
 * decision for a provider that leaves an optional member out. */

int
nic_reset(struct nic *nic)
{
    return nic->class->reset ? nic->class->reset(nic) : EOPNOTSUPP;
}

void
nic_get_caps(const struct nic *nic, struct nic_caps *caps)
{
    memset(caps, 0, sizeof *caps);
    nic->class->get_caps(nic, caps);
}

int
nic_port_attach(struct nic *nic, const struct nic_port_config *cfg,
                char **errorp)
{
    *errorp = NULL;
    return nic->class->port_attach(nic, cfg, errorp);
}

void
nic_port_detach(struct nic *nic, uint32_t port)
{
    nic->class->port_detach(nic, port);
}

int
nic_rule_add(struct nic *nic, const struct nic_rule_spec *spec,
             uint32_t *idp)
{
    return nic->class->rule_add(nic, spec, idp);
}

int
nic_rule_modify(struct nic *nic, uint32_t *idp,
                const struct nic_rule_spec *spec, bool *replaced)
{
    int error;

    *replaced = !nic->class->rule_modify;
    if (nic->class->rule_modify) {
        return nic->class->rule_modify(nic, *idp, spec->actions,
                                       spec->n_actions);
    }
    /* Delete first: the new rule has the same match, which the NIC would
     * refuse as a duplicate. */
    error = nic->class->rule_del(nic, *idp);
    if (!error) {
        error = nic->class->rule_add(nic, spec, idp);
    }
    return error;
}

int
nic_rule_del(struct nic *nic, uint32_t id)
{
    return nic->class->rule_del(nic, id);
}

int
nic_rule_query(struct nic *nic, uint32_t id, struct nic_rule_stats *stats)
{
    return nic->class->rule_query(nic, id, stats);
}

int
nic_rss_set(struct nic *nic, uint32_t port, const uint8_t *key,
            const uint16_t *reta, size_t n_reta)
{
    return (nic->class->rss_set
            ? nic->class->rss_set(nic, port, key, reta, n_reta)
            : EOPNOTSUPP);
}

int
nic_filter_add(struct nic *nic, uint32_t port, const struct nic_filter *f,
               uint32_t *idp)
{
    return (nic->class->filter_add
            ? nic->class->filter_add(nic, port, f, idp)
            : EOPNOTSUPP);
}

int
nic_filter_del(struct nic *nic, uint32_t port, uint32_t id)
{
    return (nic->class->filter_del
            ? nic->class->filter_del(nic, port, id)
            : EOPNOTSUPP);
}

int
nic_filter_stats(struct nic *nic, uint32_t port, uint32_t id,
                 struct nic_filter_stats *st)
{
    memset(st, 0, sizeof *st);
    return (nic->class->filter_stats
            ? nic->class->filter_stats(nic, port, id, st)
            : EOPNOTSUPP);
}

size_t
nic_host_flows(struct nic *nic, uint32_t port, struct nic_host_flow *flows,
               size_t max)
{
    return (nic->class->host_flows
            ? nic->class->host_flows(nic, port, flows, max)
            : 0);
}

void
nic_host_flow_match(const struct nic_host_flow *hf, struct nic_match *m)
{
    size_t len = hf->dl_type == htons(ETH_TYPE_IP) ? 4 : 16;

    memset(m, 0, sizeof *m);
    m->key.dl_dst = hf->dl_dst;
    m->mask.dl_dst = eth_addr_exact;
    m->key.dl_type = hf->dl_type;
    m->mask.dl_type = OVS_BE16_MAX;
    m->key.nw_proto = hf->nw_proto;
    m->mask.nw_proto = UINT8_MAX;
    memcpy(m->key.nw_src, hf->nw_src, len);
    memset(m->mask.nw_src, 0xff, len);
    memcpy(m->key.nw_dst, hf->nw_dst, len);
    memset(m->mask.nw_dst, 0xff, len);
    m->key.tp_src = hf->tp_src;
    m->mask.tp_src = OVS_BE16_MAX;
    m->key.tp_dst = hf->tp_dst;
    m->mask.tp_dst = OVS_BE16_MAX;
}

uint64_t
nic_host_flow_id(const struct nic_host_flow *hf)
{
    struct nic_match m;

    /* The match is built field by field on zeroed memory: no padding. */
    nic_host_flow_match(hf, &m);
    return hash_bytes64((const uint64_t *) &m.key, sizeof m.key, 0);
}

char *
nic_host_flow_name(const struct nic_host_flow *hf)
{
    char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
    int af = hf->dl_type == htons(ETH_TYPE_IP) ? AF_INET : AF_INET6;

    inet_ntop(af, hf->nw_src, src, sizeof src);
    inet_ntop(af, hf->nw_dst, dst, sizeof dst);
    return xasprintf("%s %s:%u>%s:%u",
                     hf->nw_proto == IPPROTO_TCP ? "tcp" : "udp",
                     src, ntohs(hf->tp_src), dst, ntohs(hf->tp_dst));
}

uint32_t
nic_host_flow_rss_hash(const struct nic_host_flow *hf, const uint8_t *key)
{
    uint8_t buf[36];
    size_t len;

    if (hf->dl_type == htons(ETH_TYPE_IP)) {
        ovs_be32 src, dst;

        memcpy(&src, hf->nw_src, 4);
        memcpy(&dst, hf->nw_dst, 4);
        len = nic_rss_input_ipv4(buf, src, dst, &hf->tp_src, &hf->tp_dst);
    } else {
        len = nic_rss_input_ipv6(buf, hf->nw_src, hf->nw_dst, &hf->tp_src,
                                 &hf->tp_dst);
    }
    return nic_rss_toeplitz(key ? key : nic_rss_default_key,
                            NIC_RSS_KEY_LEN, buf, len);
}

int
nic_port_stats(struct nic *nic, uint32_t port, struct nic_port_stats *st)
{
    memset(st, 0, sizeof *st);
    return nic->class->port_stats(nic, port, st);
}

int
nic_port_link(struct nic *nic, uint32_t port, bool *up)
{
    *up = true;
    return nic->class->port_link ? nic->class->port_link(nic, port, up) : 0;
}

int
nic_queue_stats(struct nic *nic, uint32_t port, uint32_t queue,
                struct nic_queue_stats *st)
{
    memset(st, 0, sizeof *st);
    return (nic->class->queue_stats
            ? nic->class->queue_stats(nic, port, queue, st)
            : EOPNOTSUPP);
}

int
nic_host_recv(struct nic *nic, uint32_t port, uint32_t queue,
              struct dp_packet **pkts, int max)
{
    return nic->class->host_recv(nic, port, queue, pkts, max);
}

int
nic_dma_queue_state(struct nic *nic, uint32_t port, uint32_t queue,
                    struct nic_dma_queue_state *st)
{
    memset(st, 0, sizeof *st);
    return (nic->class->dma_queue_state
            ? nic->class->dma_queue_state(nic, port, queue, st)
            : EOPNOTSUPP);
}

int
nic_dma_completed(struct nic *nic, uint32_t port, uint32_t queue,
                  uint64_t *completed)
{
    *completed = 0;
    return (nic->class->dma_completed
            ? nic->class->dma_completed(nic, port, queue, completed)
            : EOPNOTSUPP);
}

int
nic_dma_queue_stats(struct nic *nic, uint32_t port, uint32_t queue,
                    struct nic_dma_queue_stats *st)
{
    memset(st, 0, sizeof *st);
    return (nic->class->dma_queue_stats
            ? nic->class->dma_queue_stats(nic, port, queue, st)
            : EOPNOTSUPP);
}

bool
nic_has_dma(struct nic *nic)
{
    return nic->class->dma_queue_state != NULL;
}

int
nic_dma_set_poll(struct nic *nic, const struct offload_dma_poll_config *cfg,
                 char **errorp)
{
    int error = offload_dma_poll_config_check(cfg, errorp);
    uint64_t orig;

    if (error) {
        return error;
    }
    if (!nic_has_dma(nic)) {
        *errorp = xasprintf("%s: the NIC's DMA to the host is synchronous: "
                            "nothing to poll", nic->name);
        return EOPNOTSUPP;
    }
    if (nic->class->dma_check_poll) {
        error = nic->class->dma_check_poll(nic, cfg, errorp);
        if (error) {
            return error;
        }
    }
    ovs_mutex_lock(&nic->dma_mutex);
    if (memcmp(&nic->dma_poll, cfg, sizeof *cfg)) {
        nic->dma_poll = *cfg;
        atomic_add(&nic->dma_poll_seq, 1, &orig);
    }
    ovs_mutex_unlock(&nic->dma_mutex);
    return 0;
}

uint64_t
nic_dma_get_poll(struct nic *nic, struct offload_dma_poll_config *cfg)
{
    uint64_t seq;

    ovs_mutex_lock(&nic->dma_mutex);
    *cfg = nic->dma_poll;
    atomic_read(&nic->dma_poll_seq, &seq);
    ovs_mutex_unlock(&nic->dma_mutex);
    return seq;
}

uint64_t
nic_dma_poll_seq(struct nic *nic)
{
    uint64_t seq;

    atomic_read_relaxed(&nic->dma_poll_seq, &seq);
    return seq;
}

void
nic_host_recv_wait(struct nic *nic, uint32_t port, uint32_t queue)
{
    nic->class->host_recv_wait(nic, port, queue);
}

int
nic_host_send(struct nic *nic, uint32_t port, struct dp_packet **pkts,
              int n)
{
    return nic->class->host_send(nic, port, pkts, n);
}

bool
nic_has_dma_tx(struct nic *nic)
{
    return nic->class->dma_tx_state != NULL;
}

int
nic_dma_tx_state(struct nic *nic, uint32_t port,
                 struct nic_dma_queue_state *st)
{
    memset(st, 0, sizeof *st);
    return (nic->class->dma_tx_state
            ? nic->class->dma_tx_state(nic, port, st)
            : EOPNOTSUPP);
}

int
nic_dma_tx_completed(struct nic *nic, uint32_t port, uint64_t *completed)
{
    *completed = 0;
    return (nic->class->dma_tx_completed
            ? nic->class->dma_tx_completed(nic, port, completed)
            : EOPNOTSUPP);
}

int
nic_dma_tx_stats(struct nic *nic, uint32_t port,
                 struct nic_dma_queue_stats *st)
{
    memset(st, 0, sizeof *st);
    return (nic->class->dma_tx_stats
            ? nic->class->dma_tx_stats(nic, port, st)
            : EOPNOTSUPP);
}

int
nic_host_send_reap(struct nic *nic, uint32_t port, struct dp_packet **pkts,
                   int max)
{
    return (nic->class->host_send_reap
            ? nic->class->host_send_reap(nic, port, pkts, max)
            : 0);
}

int
nic_inject(struct nic *nic, uint32_t port, struct dp_packet *pkt)
{
    if (!nic->class->inject) {
        dp_packet_delete(pkt);
        return EOPNOTSUPP;
    }
    return nic->class->inject(nic, port, pkt);
}

int
nic_sample_start(struct nic *nic, uint32_t every, size_t max)
{
    return (nic->class->sample_start
            ? nic->class->sample_start(nic, every, max)
            : EOPNOTSUPP);
}

size_t
nic_sample_count(struct nic *nic)
{
    return nic->class->sample_count ? nic->class->sample_count(nic) : 0;
}

size_t
nic_sample_stop(struct nic *nic, struct nic_sample **samples)
{
    *samples = NULL;
    return nic->class->sample_stop ? nic->class->sample_stop(nic, samples)
                                   : 0;
}

int
nic_rule_dump(struct nic *nic, struct nic_rule_dump **rulesp, size_t *n)
{
    *rulesp = NULL;
    *n = 0;
    if (!nic->class->rule_dump) {
        return EOPNOTSUPP;
    }
    *n = nic->class->rule_dump(nic, rulesp);
    return 0;
}

int
nic_filter_dump(struct nic *nic, struct nic_filter_dump **filtersp,
                size_t *n)
{
    *filtersp = NULL;
    *n = 0;
    if (!nic->class->filter_dump) {
        return EOPNOTSUPP;
    }
    *n = nic->class->filter_dump(nic, filtersp);
    return 0;
}

int
nic_placement_set(struct nic *nic, const struct nic_placement_config *cfg,
                  char **errorp)
{
    *errorp = NULL;
    if (!nic->class->placement_set) {
        *errorp = xasprintf("%s: this NIC has no placement table",
                            nic->name);
        return EOPNOTSUPP;
    }
    return nic->class->placement_set(nic, cfg, errorp);
}

int
nic_placement_get(struct nic *nic, struct nic_placement_status *status)
{
    memset(status, 0, sizeof *status);
    if (!nic->class->placement_get) {
        return EOPNOTSUPP;
    }
    nic->class->placement_get(nic, status);
    return 0;
}

int
nic_placement_dump(struct nic *nic, struct nic_placement_entry_info **infop,
                   size_t *n)
{
    *infop = NULL;
    *n = 0;
    if (!nic->class->placement_dump) {
        return EOPNOTSUPP;
    }
    *n = nic->class->placement_dump(nic, infop);
    return 0;
}

int
nic_encap_map_set(struct nic *nic, const struct nic_encap_mapping *m,
                  char **errorp)
{
    int error;

    *errorp = NULL;
    if (!nic->class->encap_map_set) {
        *errorp = xasprintf("%s: this NIC has no encapsulation mapping "
                            "table", nic->name);
        return EOPNOTSUPP;
    }
    *errorp = nic_encap_mapping_check(m);
    if (*errorp) {
        return EINVAL;
    }
    error = nic->class->encap_map_set(nic, m);
    if (error == ENOSPC) {
        *errorp = xasprintf("%s: encapsulation mapping table full",
                            nic->name);
    }
    return error;
}

int
nic_encap_map_del(struct nic *nic, const struct eth_addr *inner_mac,
                  const struct in6_addr *inner_ip)
{
    return (nic->class->encap_map_del
            ? nic->class->encap_map_del(nic, inner_mac, inner_ip)
            : EOPNOTSUPP);
}

int
nic_encap_map_dump(struct nic *nic, struct nic_encap_mapping **mp,
                   size_t *n)
{
    *mp = NULL;
    *n = 0;
    if (!nic->class->encap_map_dump) {
        return EOPNOTSUPP;
    }
    *n = nic->class->encap_map_dump(nic, mp);
    return 0;
}

int
nic_encap_map_get(struct nic *nic, const struct eth_addr *mac,
                  const struct in6_addr *ip, struct nic_encap_mapping *m)
{
    struct nic_encap_mapping *maps;
    int error = ENOENT;
    size_t n;

    if (nic->class->encap_map_get) {
        return nic->class->encap_map_get(nic, mac, ip, m);
    }
    if (!nic->class->encap_map_dump) {
        return EOPNOTSUPP;
    }
    n = nic->class->encap_map_dump(nic, &maps);
    for (size_t i = 0; i < n; i++) {
        if (eth_addr_equals(maps[i].inner_mac, *mac)
            && ipv6_addr_equals(&maps[i].inner_ip, ip)) {
            *m = maps[i];
            error = 0;
            break;
        }
    }
    free(maps);
    return error;
}

uint64_t
nic_encap_map_seq(struct nic *nic)
{
    return nic->class->encap_map_seq ? nic->class->encap_map_seq(nic) : 0;
}

static bool
nic_encap_map_lookup_cb(void *nic_, const struct eth_addr *mac,
                        const struct in6_addr *ip,
                        struct nic_encap_mapping *m)
{
    return !nic_encap_map_get(nic_, mac, ip, m);
}

char *
nic_encap_map_explain(struct nic *nic, const struct nic_rule_spec *spec)
{
    char *why;

    nic_encap_bind_rule(nic_encap_map_lookup_cb, nic, &spec->match,
                        spec->actions, spec->n_actions, NULL, &why);
    return why;
}

size_t
nic_learned_poll(struct nic *nic, struct nic_learn_event *events,
                 size_t max)
{
    return (nic->class->learned_poll
            ? nic->class->learned_poll(nic, events, max) : 0);
}

void
nic_learned_wait(struct nic *nic)
{
    if (nic->class->learned_wait) {
        nic->class->learned_wait(nic);
    }
}

int
nic_learned_dump(struct nic *nic, struct nic_learned **lp, size_t *n)
{
    *lp = NULL;
    *n = 0;
    if (!nic->class->learned_dump) {
        return EOPNOTSUPP;
    }
    *n = nic->class->learned_dump(nic, lp);
    return 0;
}

int
nic_learned_get(struct nic *nic, struct nic_learn_stats *st)
{
    if (!nic->class->learned_get) {
        return EOPNOTSUPP;
    }
    nic->class->learned_get(nic, st);
    return 0;
}

int
nic_learned_set_config(struct nic *nic, const struct nic_learn_config *cfg,
                       char **errorp)
{
    *errorp = NULL;
    if (!nic->class->learned_set_config) {
        *errorp = xasprintf("%s: this NIC does not learn mappings",
                            nic->name);
        return EOPNOTSUPP;
    }
    *errorp = nic_learn_config_check(cfg);
    if (*errorp) {
        return EINVAL;
    }
    nic->class->learned_set_config(nic, cfg);
    return 0;
}

static int
nic_rule_dump_cmp(const void *a_, const void *b_)
{
    const struct nic_rule_dump *a = a_, *b = b_;

    return a->id < b->id ? -1 : a->id > b->id;
}

void
nic_rule_dump_sort(struct nic_rule_dump *rules, size_t n)
{
    if (n) {
        qsort(rules, n, sizeof *rules, nic_rule_dump_cmp);
    }
}

int
nic_classes_set(struct nic *nic, uint32_t port,
                const struct nic_classes_config *cfg, char **errorp)
{
    *errorp = NULL;
    if (!nic->class->classes_set) {
        *errorp = xasprintf("%s: this NIC has no receive classes",
                            nic->name);
        return EOPNOTSUPP;
    }
    return nic->class->classes_set(nic, port, cfg, errorp);
}

int
nic_classes_get(struct nic *nic, uint32_t port, struct nic_classes_status *st)
{
    memset(st, 0, sizeof *st);
    if (!nic->class->classes_get) {
        return EOPNOTSUPP;
    }
    return nic->class->classes_get(nic, port, st);
}

void
nic_classes_status_destroy(struct nic_classes_status *st)
{
    free(st->rules);
    st->rules = NULL;
    st->n_rules = 0;
}

/* Sealed destinations. */

static void
nic_token_underlay_defaults(struct nic_token_underlay *u)
{
    memset(u, 0, sizeof *u);
    u->ttl = 64;
    u->vxlan_port = 4789;
    u->geneve_port = 6081;
}

static char *
nic_token_underlay_check(const struct nic_token_underlay *u)
{
    if (!u->enabled) {
        return NULL;
    }
    if (nic_port_is_vf(u->uplink)) {
        return xstrdup("underlay: uplink must be an uplink, not a VF");
    }
    if (eth_addr_is_zero(u->mac) || eth_addr_is_multicast(u->mac)) {
        return xstrdup("underlay: mac must be a unicast MAC");
    }
    if (eth_addr_is_zero(u->nexthop)) {
        return xstrdup("underlay: nexthop MAC missing");
    }
    if (!u->ip4 && ipv6_addr_equals(&u->ip6, &in6addr_any)) {
        return xstrdup("underlay: ip or ip6 (the outer source) missing");
    }
    if (!u->ttl) {
        return xstrdup("underlay: ttl must be 1 to 255");
    }
    if (!u->vxlan_port || !u->geneve_port) {
        return xstrdup("underlay: UDP ports must be 1 to 65535");
    }
    return NULL;
}

char *
nic_token_underlay_from_string(const char *s_, struct nic_token_underlay *u)
{
    char *s = xstrdup(s_), *save = NULL, *error = NULL;

    nic_token_underlay_defaults(u);
    if (!strcmp(s_, "off")) {
        free(s);
        return NULL;
    }
    u->enabled = true;
    u->uplink = UINT32_MAX;
    for (char *tok = strtok_r(s, ", ", &save); tok && !error;
         tok = strtok_r(NULL, ", ", &save)) {
        char *v = strchr(tok, '=');
        unsigned int n;

        if (!v) {
            error = xasprintf("%s: expected KEY=VALUE", tok);
            break;
        }
        *v++ = '\0';
        if (!strcmp(tok, "uplink")) {
            if (!nic_port_from_string(v, &u->uplink)
                || nic_port_is_vf(u->uplink)) {
                error = xasprintf("uplink: \"%s\" is not uplinkN", v);
            }
        } else if (!strcmp(tok, "mac") || !strcmp(tok, "nexthop")) {
            if (!eth_addr_from_string(v, !strcmp(tok, "mac")
                                      ? &u->mac : &u->nexthop)) {
                error = xasprintf("%s: bad MAC \"%s\"", tok, v);
            }
        } else if (!strcmp(tok, "ip")) {
            if (!ip_parse(v, &u->ip4) || !u->ip4) {
                error = xasprintf("ip: bad IPv4 address \"%s\"", v);
            }
        } else if (!strcmp(tok, "ip6")) {
            if (!ipv6_parse(v, &u->ip6)
                || ipv6_addr_equals(&u->ip6, &in6addr_any)) {
                error = xasprintf("ip6: bad IPv6 address \"%s\"", v);
            }
        } else if (!strcmp(tok, "ttl")) {
            if (!str_to_uint(v, 10, &n) || !n || n > 255) {
                error = xasprintf("ttl: \"%s\" is not 1 to 255", v);
            } else {
                u->ttl = n;
            }
        } else if (!strcmp(tok, "vxlan-port")
                   || !strcmp(tok, "geneve-port")) {
            if (!str_to_uint(v, 10, &n) || !n || n > 65535) {
                error = xasprintf("%s: \"%s\" is not 1 to 65535", tok, v);
            } else if (!strcmp(tok, "vxlan-port")) {
                u->vxlan_port = n;
            } else {
                u->geneve_port = n;
            }
        } else {
            error = xasprintf("%s: unknown key", tok);
        }
    }
    free(s);
    if (!error && u->uplink == UINT32_MAX) {
        error = xstrdup("underlay: uplink missing");
    }
    if (!error) {
        error = nic_token_underlay_check(u);
    }
    return error;
}

void
nic_token_underlay_format(struct ds *s, const struct nic_token_underlay *u)
{
    char port[16];

    if (!u->enabled) {
        ds_put_cstr(s, "off");
        return;
    }
    nic_port_to_string(u->uplink, port, sizeof port);
    ds_put_format(s, "uplink=%s mac="ETH_ADDR_FMT" nexthop="ETH_ADDR_FMT,
                  port, ETH_ADDR_ARGS(u->mac), ETH_ADDR_ARGS(u->nexthop));
    if (u->ip4) {
        ds_put_format(s, " ip="IP_FMT, IP_ARGS(u->ip4));
    }
    if (!ipv6_addr_equals(&u->ip6, &in6addr_any)) {
        ds_put_cstr(s, " ip6=");
        ipv6_format_addr(&u->ip6, s);
    }
    ds_put_format(s, " ttl=%d vxlan-port=%d geneve-port=%d", u->ttl,
                  u->vxlan_port, u->geneve_port);
}

int
nic_token_key_add(struct nic *nic, uint32_t id,
                  const uint8_t key[OFFLOAD_TOKEN_KEY_LEN],
                  uint64_t not_after)
{
    return (nic->class->token_key_add
            ? nic->class->token_key_add(nic, id, key, not_after)
            : EOPNOTSUPP);
}

int
nic_token_key_del(struct nic *nic, uint32_t id)
{
    return (nic->class->token_key_del
            ? nic->class->token_key_del(nic, id)
            : EOPNOTSUPP);
}

int
nic_token_set_underlay(struct nic *nic, const struct nic_token_underlay *u,
                       char **errorp)
{
    int error;

    *errorp = NULL;
    if (!nic->class->token_set_underlay) {
        *errorp = xasprintf("%s: this NIC (%s) has no sealed destinations",
                            nic->name, nic->class->type);
        return EOPNOTSUPP;
    }
    *errorp = nic_token_underlay_check(u);
    if (*errorp) {
        return EINVAL;
    }
    error = nic->class->token_set_underlay(nic, u);
    if (error) {
        *errorp = xasprintf("%s: underlay: no such uplink", nic->name);
    }
    return error;
}

int
nic_token_get(struct nic *nic, struct nic_token_status *st)
{
    memset(st, 0, sizeof *st);
    if (!nic->class->token_get) {
        return EOPNOTSUPP;
    }
    nic->class->token_get(nic, st);
    return 0;
}
