/* SPDX-License-Identifier: Apache-2.0 */
/* Runs the receive queue manager on the NICs' uplinks: configuration from
 * the Offload database, rates from the NIC's counters, the assignment
 * programmed as receive filters, and "ovs-appctl offload/queues". */
#include <config.h>

#include "vswitchd-ext/offload-queues-run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "datapath-offload/netdev-nic.h"
#include "hash.h"
#include "netdev.h"
#include "netdev-provider.h"     /* netdev_from_name(). */
#include "lib/nic.h"
#include "lib/offload-queues.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb-schema/offload-idl.h"
#include "packets.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vswitchd-ext/offload-config.h"
#include "vswitchd-ext/offload-db.h"
#include "vswitchd-ext/offload-status.h"
#include "vswitchd-ext/unixctl-format.h"

VLOG_DEFINE_THIS_MODULE(offload_queues_run);

/* Filter priorities: a flow's 5-tuple filter wins over its VM's MAC. */
#define OQR_PRIO_VM 100
#define OQR_PRIO_FLOW 200
#define OQR_HIST 8              /* Intervals kept for burstiness. */
#define OQR_MAX_FLOWS 32        /* Host flows read per port and round. */
#define OQR_DEFAULT_INTERVAL 1000

/* Rates from a running packet and byte count. */
struct oqr_meter {
    uint64_t packets, bytes;    /* At the last read. */
    long long int last_ms;      /* 0: no read yet. */
    double pps, bps;
    double hist[OQR_HIST];
    size_t n_hist, pos;
};

/* One MAC of a VM: a receive filter on the uplink, steering to the VM's
 * queue or only counting (NIC_FILTER_QUEUE_RSS). */
struct oqr_mac {
    struct eth_addr mac;
    bool has_filter;
    uint32_t filter_id, queue;
    struct oqr_meter m;
};

struct oqr_vm {
    char *id;
    struct sset ports;
    struct oqr_mac *macs;
    size_t n_macs;
    enum offload_queues_prio prio;
    bool never;
    uint32_t wanted;
    double pps, bps, burst;
    bool seen;
};

/* A TCP/UDP flow the NIC counted among the uplink's host packets. */
struct oqr_flow {
    struct hmap_node node;      /* By 'id'. */
    uint64_t id;
    char *name;
    char *vm;
    struct nic_host_flow hf;    /* Key; counts at the last read. */
    struct oqr_meter m;
    bool has_filter;
    uint32_t filter_id, queue;
    bool seen;
};

/* One managed uplink. */
struct oqr_port {
    char *key;                  /* "nic0:uplink0". */
    char *iface;
    struct nic *nic;            /* A reference. */
    uint32_t port;
    uint32_t n_rxq;
    struct offload_queues *mgr;
    struct shash vms;           /* VM id -> struct oqr_vm. */
    struct hmap flows;
    char *error;                /* Refused configuration, or NULL. */
    long long int last_round_ms;
    bool seen;
    bool rss_set;               /* RSS narrowed to the default group. */
};

static struct shash oqr_ports = SHASH_INITIALIZER(&oqr_ports);
static long long int oqr_next_run = LLONG_MIN;
static int oqr_interval = OQR_DEFAULT_INTERVAL;
static bool oqr_active;         /* Some NIC row sets "queues". */

static void
oqr_meter_update(struct oqr_meter *m, uint64_t packets, uint64_t bytes,
                 long long int now)
{
    if (m->last_ms && now > m->last_ms) {
        double dt = (now - m->last_ms) / 1000.0;
        /* A counter that went back is a new filter or entry. */
        uint64_t dp = packets >= m->packets ? packets - m->packets : packets;
        uint64_t db = bytes >= m->bytes ? bytes - m->bytes : bytes;

        m->pps = dp / dt;
        m->bps = db * 8 / dt;
        m->hist[m->pos] = m->pps;
        m->pos = (m->pos + 1) % OQR_HIST;
        m->n_hist = MIN(m->n_hist + 1, OQR_HIST);
    }
    if (!m->last_ms || now > m->last_ms) {
        m->last_ms = now;
    }
    m->packets = packets;
    m->bytes = bytes;
}

/* Peak over mean of the last intervals (>= 1; 0 when idle). */
static double
oqr_meter_burstiness(const struct oqr_meter *m)
{
    double sum = 0, peak = 0;

    for (size_t i = 0; i < m->n_hist; i++) {
        sum += m->hist[i];
        peak = MAX(peak, m->hist[i]);
    }
    return sum > 0 ? peak / (sum / m->n_hist) : 0;
}

static void
oqr_vm_destroy(struct oqr_port *p, struct oqr_vm *vm)
{
    for (size_t i = 0; i < vm->n_macs; i++) {
        if (vm->macs[i].has_filter) {
            nic_filter_del(p->nic, p->port, vm->macs[i].filter_id);
        }
    }
    free(vm->macs);
    sset_destroy(&vm->ports);
    free(vm->id);
    free(vm);
}

static void
oqr_flow_destroy(struct oqr_port *p, struct oqr_flow *f)
{
    if (f->has_filter) {
        nic_filter_del(p->nic, p->port, f->filter_id);
    }
    hmap_remove(&p->flows, &f->node);
    free(f->name);
    free(f->vm);
    free(f);
}

/* Spreads the RSS indirection table of 'p' over its first 'n' receive
 * queues. */
static int
oqr_set_rss(struct oqr_port *p, uint32_t n)
{
    uint16_t reta[NIC_RSS_RETA_SIZE];

    for (size_t i = 0; i < NIC_RSS_RETA_SIZE; i++) {
        reta[i] = i % MAX(n, 1);
    }
    return nic_rss_set(p->nic, p->port, NULL, reta, NIC_RSS_RETA_SIZE);
}

static void
oqr_port_destroy(struct oqr_port *p)
{
    struct shash_node *node;
    struct oqr_flow *f;

    if (p->rss_set) {
        /* No longer managed: RSS over every queue again. */
        oqr_set_rss(p, p->n_rxq);
    }
    SHASH_FOR_EACH (node, &p->vms) {
        oqr_vm_destroy(p, node->data);
    }
    shash_destroy(&p->vms);
    HMAP_FOR_EACH_SAFE (f, node, &p->flows) {
        oqr_flow_destroy(p, f);
    }
    hmap_destroy(&p->flows);
    offload_queues_destroy(p->mgr);
    nic_close(p->nic);
    free(p->error);
    free(p->iface);
    free(p->key);
    free(p);
}

/* The global part of the configuration, from the Offload row. */
static void
oqr_global_config(struct offload_queues_config *cfg)
{
    struct ovsdb_idl *idl = offload_db_idl();
    const struct offrec_offload *row = idl ? offrec_offload_first(idl) : NULL;

    offload_queues_config_default(cfg);
    oqr_interval = OQR_DEFAULT_INTERVAL;
    if (!row) {
        return;
    }
    if (row->queue_policy) {
        /* The schema allows only names the manager knows. */
        offload_policy_from_string(row->queue_policy, &cfg->policy);
    }
    if (row->queue_min_pps) {
        cfg->min_pps = *row->queue_min_pps;
    }
    if (row->queue_flow_min_pps) {
        cfg->flow_min_pps = *row->queue_flow_min_pps;
    }
    if (row->queue_hysteresis) {
        cfg->hysteresis = *row->queue_hysteresis;
    }
    if (row->queue_hold_time) {
        cfg->hold_ms = *row->queue_hold_time;
    }
    if (row->queue_idle_time) {
        cfg->idle_ms = *row->queue_idle_time;
    }
    if (row->queue_interval) {
        oqr_interval = *row->queue_interval;
    }
}

static const struct offrec_port *
oqr_port_row(const char *name)
{
    struct ovsdb_idl *idl = offload_db_idl();
    const struct offrec_port *row;

    if (!idl || !offload_db_is_served()) {
        return NULL;
    }
    OFFREC_PORT_FOR_EACH (row, idl) {
        if (!strcmp(row->name, name)) {
            return row;
        }
    }
    return NULL;
}

static uint32_t
oqr_count_rxq(struct nic *nic, uint32_t port)
{
    struct nic_queue_stats qs;
    uint32_t n = 0;

    while (n < NIC_MAX_RXQ && !nic_queue_stats(nic, port, n, &qs)) {
        n++;
    }
    return n;
}

/* Applies the configuration for 'p' from 'row'; a refused one leaves the
 * previous configuration (and so the assignment) in force. */
static void
oqr_port_configure(struct oqr_port *p, const struct offrec_nic *row,
                   const struct offload_queues_config *global)
{
    struct offload_queues_config cfg = *global;
    char *error = NULL;

    cfg.n_queues = *row->queues;
    cfg.n_default = row->queue_default ? *row->queue_default : 1;
    if (cfg.n_queues > p->n_rxq) {
        error = xasprintf("NIC %s queues=%"PRIu32" but %s has %"PRIu32
                          " receive queues (options:n_rxq)",
                          row->name, cfg.n_queues, p->iface, p->n_rxq);
    } else if (offload_queues_set_config(p->mgr, &cfg, &error)) {
        char *e = error;

        error = xasprintf("NIC %s: %s", row->name, e);
        free(e);
    }
    if (error && (!p->error || strcmp(error, p->error))) {
        VLOG_WARN("%s: queue configuration refused, previous one stays: "
                  "%s", p->key, error);
    } else if (!error && p->error) {
        VLOG_INFO("%s: queue configuration accepted", p->key);
    }
    free(p->error);
    p->error = error;
}

static struct oqr_vm *
oqr_vm_get(struct oqr_port *p, const char *id)
{
    struct oqr_vm *vm = shash_find_data(&p->vms, id);

    if (!vm) {
        vm = xzalloc(sizeof *vm);
        vm->id = xstrdup(id);
        sset_init(&vm->ports);
        shash_add(&p->vms, id, vm);
    }
    return vm;
}

static void
oqr_vm_add_mac(struct oqr_vm *vm, struct eth_addr mac)
{
    for (size_t i = 0; i < vm->n_macs; i++) {
        if (eth_addr_equals(vm->macs[i].mac, mac)) {
            return;
        }
    }
    vm->macs = xrealloc(vm->macs, (vm->n_macs + 1) * sizeof *vm->macs);
    memset(&vm->macs[vm->n_macs], 0, sizeof *vm->macs);
    vm->macs[vm->n_macs++].mac = mac;
}

/* VMs are the NIC's VF ports, grouped by external_ids:vm-id (else each
 * is its own), with their MACs from external_ids:attached-mac and their
 * configuration from the Port rows (the most any port asks for). */
static void
oqr_collect_vms(struct oqr_port *p, const struct netdev_nic_port *ports,
                size_t n_ports)
{
    struct shash_node *node, *next;

    SHASH_FOR_EACH (node, &p->vms) {
        struct oqr_vm *vm = node->data;

        vm->seen = false;
        vm->never = false;
        vm->wanted = 0;
        vm->prio = OFFLOAD_QUEUES_PRIO_LOW;
        sset_clear(&vm->ports);
    }
    for (size_t i = 0; i < n_ports; i++) {
        const struct smap *ext;
        const struct offrec_port *row;
        const char *mac_s, *id;
        struct eth_addr mac;
        struct oqr_vm *vm;
        enum offload_queues_prio prio = OFFLOAD_QUEUES_PRIO_NORMAL;
        uint32_t wanted = 1;

        if (ports[i].nic != p->nic || !nic_port_is_vf(ports[i].port)) {
            continue;
        }
        ext = offload_config_interface_external_ids(ports[i].name);
        id = ext ? smap_get(ext, "vm-id") : NULL;
        vm = oqr_vm_get(p, id && id[0] ? id : ports[i].name);
        if (!vm->seen) {
            vm->seen = true;
            vm->wanted = 0;
        }
        sset_add(&vm->ports, ports[i].name);
        mac_s = ext ? smap_get(ext, "attached-mac") : NULL;
        if (mac_s && eth_addr_from_string(mac_s, &mac)) {
            oqr_vm_add_mac(vm, mac);
        }
        row = oqr_port_row(ports[i].name);
        if (row) {
            if (row->queue_priority) {
                offload_queues_prio_from_string(row->queue_priority, &prio);
            }
            if (row->queues) {
                wanted = *row->queues;
            }
            if (row->queue_never && *row->queue_never) {
                vm->never = true;
            }
        }
        vm->prio = MAX(vm->prio, prio);
        vm->wanted = MAX(vm->wanted, wanted);
    }
    SHASH_FOR_EACH_SAFE (node, next, &p->vms) {
        if (!((struct oqr_vm *) node->data)->seen) {
            oqr_vm_destroy(p, node->data);
            shash_delete(&p->vms, node);
        }
    }
}

static const struct oqr_vm *
oqr_vm_by_mac(const struct oqr_port *p, struct eth_addr mac)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &p->vms) {
        const struct oqr_vm *vm = node->data;

        for (size_t i = 0; i < vm->n_macs; i++) {
            if (eth_addr_equals(vm->macs[i].mac, mac)) {
                return vm;
            }
        }
    }
    return NULL;
}

/* Programs a filter of 'match' to 'queue' in place of the one in
 * '*has'/'*id'/'*cur'.  Returns true if the filter's counters restart. */
static bool
oqr_program(struct oqr_port *p, const struct nic_match *match,
            uint32_t priority, uint32_t queue, bool *has, uint32_t *id,
            uint32_t *cur)
{
    struct nic_filter f;
    int error;

    if (*has && *cur == queue) {
        return false;
    }
    if (*has) {
        nic_filter_del(p->nic, p->port, *id);
        *has = false;
    }
    memset(&f, 0, sizeof f);
    f.match = *match;
    f.priority = priority;
    f.queue = queue;
    error = nic_filter_add(p->nic, p->port, &f, id);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

        VLOG_WARN_RL(&rl, "%s: adding a queue filter failed (%s)", p->key,
                     ovs_strerror(error));
        return true;
    }
    *has = true;
    *cur = queue;
    return true;
}

static void
oqr_mac_match(struct eth_addr mac, struct nic_match *m)
{
    memset(m, 0, sizeof *m);
    m->key.dl_dst = mac;
    m->mask.dl_dst = eth_addr_exact;
}

/* Reads every VM's filter counters and the uplink's heavy flows. */
static void
oqr_measure(struct oqr_port *p, long long int now)
{
    struct nic_host_flow hfs[OQR_MAX_FLOWS];
    struct shash_node *node;
    struct oqr_flow *f;
    size_t n;

    SHASH_FOR_EACH (node, &p->vms) {
        struct oqr_vm *vm = node->data;
        double burst = 0;

        vm->pps = vm->bps = 0;
        for (size_t i = 0; i < vm->n_macs; i++) {
            struct oqr_mac *m = &vm->macs[i];
            struct nic_filter_stats st;
            struct nic_match match;

            if (!m->has_filter) {
                /* Count first; the queue comes with the assignment. */
                oqr_mac_match(m->mac, &match);
                oqr_program(p, &match, OQR_PRIO_VM, NIC_FILTER_QUEUE_RSS,
                            &m->has_filter, &m->filter_id, &m->queue);
                m->m.packets = m->m.bytes = 0;
            }
            if (m->has_filter
                && nic_filter_stats(p->nic, p->port, m->filter_id, &st)) {
                /* Lost with the port's attachment (a reconfiguration or a
                 * NIC reset): added again next round. */
                m->has_filter = false;
            } else if (m->has_filter) {
                oqr_meter_update(&m->m, st.n_packets, st.n_bytes, now);
                vm->pps += m->m.pps;
                vm->bps += m->m.bps;
                burst = MAX(burst, oqr_meter_burstiness(&m->m));
            }
        }
        vm->burst = burst;
    }

    HMAP_FOR_EACH (f, node, &p->flows) {
        struct nic_filter_stats st;

        f->seen = false;
        if (f->has_filter
            && nic_filter_stats(p->nic, p->port, f->filter_id, &st)) {
            f->has_filter = false;
        }
    }
    n = nic_host_flows(p->nic, p->port, hfs, OQR_MAX_FLOWS);
    for (size_t i = 0; i < n; i++) {
        const struct oqr_vm *vm = oqr_vm_by_mac(p, hfs[i].dl_dst);
        uint64_t id;

        if (!vm) {
            continue;
        }
        id = nic_host_flow_id(&hfs[i]);
        f = NULL;
        HMAP_FOR_EACH_WITH_HASH (f, node, hash_uint64(id), &p->flows) {
            if (f->id == id) {
                break;
            }
        }
        if (!f) {
            f = xzalloc(sizeof *f);
            f->id = id;
            f->name = nic_host_flow_name(&hfs[i]);
            f->vm = xstrdup(vm->id);
            hmap_insert(&p->flows, &f->node, hash_uint64(id));
        }
        if (f->hf.seq != hfs[i].seq) {
            /* A new entry in the NIC's table: its counts are (nearly all)
             * since the last round. */
            memset(&f->m, 0, sizeof f->m);
            f->m.last_ms = p->last_round_ms;
        }
        f->hf = hfs[i];
        oqr_meter_update(&f->m, hfs[i].n_packets, hfs[i].n_bytes, now);
        f->seen = true;
    }
    HMAP_FOR_EACH (f, node, &p->flows) {
        if (!f->seen) {
            f->m.pps = f->m.bps = 0;
        }
    }
}

/* Runs the manager over what was measured.  The packets of a flow with a
 * filter of its own are not in its VM's MAC filter: they are added back,
 * the manager taking the VM's own load as the rest. */
static void
oqr_rebalance(struct oqr_port *p, long long int now)
{
    size_t n_vms = shash_count(&p->vms), n_flows = hmap_count(&p->flows);
    struct offload_queues_vm_input *in = xcalloc(MAX(n_vms, 1), sizeof *in);
    struct offload_queues_flow_input *fin;
    const struct shash_node **vms = shash_sort(&p->vms);
    size_t nf = 0;

    fin = xcalloc(MAX(n_flows, 1), sizeof *fin);
    for (size_t i = 0; i < n_vms; i++) {
        const struct oqr_vm *vm = vms[i]->data;
        struct offload_queues_vm_input *v = &in[i];
        struct oqr_flow *f;

        v->id = vm->id;
        v->prio = vm->prio;
        v->never = vm->never || !vm->n_macs;
        v->wanted = vm->wanted;
        v->pps = vm->pps;
        v->bps = vm->bps;
        v->burstiness = vm->burst;
        v->flows = &fin[nf];
        HMAP_FOR_EACH (f, node, &p->flows) {
            if (strcmp(f->vm, vm->id)) {
                continue;
            }
            fin[nf] = (struct offload_queues_flow_input) {
                .id = f->id, .name = f->name, .pps = f->m.pps,
                .bps = f->m.bps, .burstiness = oqr_meter_burstiness(&f->m),
                .proto = f->hf.nw_proto,
            };
            if (f->has_filter) {
                v->pps += f->m.pps;
                v->bps += f->m.bps;
            }
            nf++;
            v->n_flows++;
        }
    }
    offload_queues_rebalance(p->mgr, in, n_vms, now);
    for (size_t i = 0; i < offload_queues_n_decisions(p->mgr); i++) {
        VLOG_INFO("%s: %s", p->key,
                  offload_queues_get_decision(p->mgr, i)->text);
    }
    free(vms);
    free(fin);
    free(in);
}

/* Makes the NIC's filters say what the manager decided. */
static void
oqr_apply(struct oqr_port *p)
{
    struct shash_node *node;
    struct oqr_flow *f;

    SHASH_FOR_EACH (node, &p->vms) {
        struct oqr_vm *vm = node->data;
        int q = offload_queues_queue_of(p->mgr, vm->id, false, 0);
        uint32_t queue = q >= 0 ? q : NIC_FILTER_QUEUE_RSS;

        for (size_t i = 0; i < vm->n_macs; i++) {
            struct oqr_mac *m = &vm->macs[i];
            struct nic_match match;

            oqr_mac_match(m->mac, &match);
            if (oqr_program(p, &match, OQR_PRIO_VM, queue, &m->has_filter,
                            &m->filter_id, &m->queue)) {
                m->m.packets = m->m.bytes = 0;
            }
        }
    }
    HMAP_FOR_EACH_SAFE (f, node, &p->flows) {
        int q = offload_queues_queue_of(p->mgr, f->vm, true, f->id);

        if (q >= 0) {
            struct nic_match match;

            nic_host_flow_match(&f->hf, &match);
            oqr_program(p, &match, OQR_PRIO_FLOW, q, &f->has_filter,
                        &f->filter_id, &f->queue);
        } else if (f->has_filter) {
            nic_filter_del(p->nic, p->port, f->filter_id);
            f->has_filter = false;
        }
        if (!f->seen && !f->has_filter) {
            oqr_flow_destroy(p, f);
        }
    }

    /* A VM without a queue of its own (its filter counts only) and every
     * other packet are spread by RSS: over the default group only, or
     * they would land on the queues dedicated to others.  Set every round,
     * so that a NIC reset, which restores the NIC's default table, is
     * followed. */
    int error = oqr_set_rss(p, offload_queues_get_config(p->mgr)->n_default);
    if (error && error != EOPNOTSUPP) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

        VLOG_WARN_RL(&rl, "%s: cannot narrow RSS to the default queue "
                     "group (%s)", p->key, ovs_strerror(error));
    }
    p->rss_set = !error;
}

bool
offload_queues_run_manages(const struct nic *nic, uint32_t port)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &oqr_ports) {
        const struct oqr_port *p = node->data;

        if (p->nic == nic && p->port == port) {
            return true;
        }
    }
    return false;
}

/* One round over every uplink of every NIC whose row sets "queues". */
static void
oqr_round(long long int now)
{
    struct offload_queues_config global;
    struct netdev_nic_port *ports;
    struct shash_node *node, *next;
    size_t n_ports;

    oqr_global_config(&global);
    netdev_nic_list_ports(&ports, &n_ports);
    SHASH_FOR_EACH (node, &oqr_ports) {
        ((struct oqr_port *) node->data)->seen = false;
    }
    oqr_active = false;
    for (size_t i = 0; i < n_ports; i++) {
        const struct offrec_nic *row;
        struct oqr_port *p;
        char pname[16];
        char *key;

        if (nic_port_is_vf(ports[i].port)) {
            continue;
        }
        row = offload_db_find_nic(nic_get_name(ports[i].nic));
        if (!row || !row->queues) {
            continue;
        }
        oqr_active = true;
        nic_port_to_string(ports[i].port, pname, sizeof pname);
        key = xasprintf("%s:%s", nic_get_name(ports[i].nic), pname);
        p = shash_find_data(&oqr_ports, key);
        if (p && p->nic != ports[i].nic) {
            /* The NIC was reopened: its filters went with it. */
            shash_find_and_delete(&oqr_ports, key);
            oqr_port_destroy(p);
            p = NULL;
        }
        if (!p) {
            struct offload_queues_config cfg = global;

            p = xzalloc(sizeof *p);
            p->key = key;
            p->iface = xstrdup(ports[i].name);
            nic_ref(ports[i].nic, &p->nic);
            p->port = ports[i].port;
            shash_init(&p->vms);
            hmap_init(&p->flows);
            cfg.n_queues = cfg.n_default = 1;
            p->mgr = offload_queues_create(&cfg);
            shash_add(&oqr_ports, key, p);
        } else {
            free(key);
        }
        p->seen = true;
        p->n_rxq = oqr_count_rxq(p->nic, p->port);
        oqr_port_configure(p, row, &global);
        oqr_collect_vms(p, ports, n_ports);
        oqr_measure(p, now);
        oqr_rebalance(p, now);
        oqr_apply(p);
        p->last_round_ms = now;
    }
    SHASH_FOR_EACH_SAFE (node, next, &oqr_ports) {
        struct oqr_port *p = node->data;

        if (!p->seen) {
            shash_delete(&oqr_ports, node);
            oqr_port_destroy(p);
        }
    }
    netdev_nic_ports_free(ports, n_ports);
}

void
offload_queues_run_run(void)
{
    long long int now = time_msec();

    if (now >= oqr_next_run) {
        oqr_round(now);
        oqr_next_run = now + oqr_interval;
    }
}

void
offload_queues_run_wait(void)
{
    poll_timer_wait_until(oqr_next_run);
}

void
offload_queues_run_exit(void)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &oqr_ports) {
        oqr_port_destroy(node->data);
    }
    shash_destroy(&oqr_ports);
}


/* Output. */

/* Which threads poll the uplink's receive queues. */
static const char *
oqr_polled_by(const struct oqr_port *p)
{
    struct netdev *netdev = netdev_from_name(p->iface);
    bool pmd = netdev && netdev_is_pmd(netdev);

    netdev_close(netdev);
    return (pmd ? "pmd (dpif-netdev/pmd-rxq-show names it)"
            : "main thread");
}

static struct json *
oqr_port_json(const struct oqr_port *p)
{
    const struct offload_queues_config *cfg;
    struct json *j = json_object_create();
    struct json *queues = json_array_create_empty();
    struct json *vms = json_array_create_empty();
    struct json *decisions = json_array_create_empty();

    cfg = offload_queues_get_config(p->mgr);
    json_object_put_string(j, "port", p->key);
    json_object_put_string(j, "interface", p->iface);
    json_object_put_string(j, "policy",
                           offload_policy_to_string(cfg->policy));
    json_object_put(j, "n_queues", json_integer_create(cfg->n_queues));
    json_object_put(j, "n_default", json_integer_create(cfg->n_default));
    json_object_put(j, "n_rxq", json_integer_create(p->n_rxq));
    json_object_put(j, "rounds",
                    json_integer_create(offload_queues_rounds(p->mgr)));
    json_object_put(j, "decisions", json_integer_create(
                        offload_queues_total_decisions(p->mgr)));
    if (p->error) {
        json_object_put_string(j, "config_error", p->error);
    }
    for (size_t q = 0; q < offload_queues_n_queues(p->mgr); q++) {
        const struct offload_queues_queue *oq;
        struct json *qj = json_object_create();

        oq = offload_queues_get_queue(p->mgr, q);
        json_object_put(qj, "queue", json_integer_create(q));
        json_object_put_string(qj, "owner",
                               offload_queues_owner_type_to_string(oq->type));
        json_object_put_string(qj, "polled_by", oqr_polled_by(p));
        if (oq->vm) {
            json_object_put_string(qj, "vm", oq->vm);
            json_object_put(qj, "pps", json_real_create(oq->pps));
            json_object_put(qj, "bps", json_real_create(oq->bps));
            json_object_put(qj, "since_ms",
                            json_integer_create(oq->since_ms));
        }
        if (oq->flow_name) {
            json_object_put_string(qj, "flow", oq->flow_name);
        }
        json_array_add(queues, qj);
    }
    for (size_t i = 0; i < offload_queues_n_vms(p->mgr); i++) {
        const struct offload_queues_vm_result *r;
        const struct oqr_vm *vm;
        struct json *vj = json_object_create();
        struct json *pj = json_array_create_empty();
        const char *name;

        r = offload_queues_get_vm(p->mgr, i);
        vm = shash_find_data(&p->vms, r->id);
        json_object_put_string(vj, "vm", r->id);
        json_object_put_string(vj, "priority",
                               offload_queues_prio_to_string(r->prio));
        json_object_put_string(vj, "reason",
                               vm && !vm->n_macs ? "no-mac"
                               : offload_queues_reason_to_string(r->reason));
        json_object_put(vj, "queues", json_integer_create(r->n_queues));
        json_object_put(vj, "pps", json_real_create(r->pps));
        json_object_put(vj, "bps", json_real_create(r->bps));
        if (vm) {
            SSET_FOR_EACH (name, &vm->ports) {
                json_array_add(pj, json_string_create(name));
            }
        }
        json_object_put(vj, "ports", pj);
        json_array_add(vms, vj);
    }
    for (size_t i = 0; i < offload_queues_n_decisions(p->mgr); i++) {
        json_array_add(decisions, json_string_create(
                           offload_queues_get_decision(p->mgr, i)->text));
    }
    json_object_put(j, "queues", queues);
    json_object_put(j, "vms", vms);
    json_object_put(j, "last_decisions", decisions);
    return j;
}

static void
oqr_port_text(struct ds *s, const struct oqr_port *p)
{
    const struct offload_queues_config *cfg = offload_queues_get_config(
        p->mgr);

    ds_put_format(s, "%s (interface %s, polled by %s): policy %s, %"PRIu32
                  " queues (%"PRIu32" default) of %"PRIu32", %"PRIu64
                  " rounds, %"PRIu64" decisions\n", p->key, p->iface,
                  oqr_polled_by(p),
                  offload_policy_to_string(cfg->policy),
                  cfg->n_queues, cfg->n_default, p->n_rxq,
                  offload_queues_rounds(p->mgr),
                  offload_queues_total_decisions(p->mgr));
    if (p->error) {
        ds_put_format(s, "  config error: %s\n", p->error);
    }
    for (size_t q = 0; q < offload_queues_n_queues(p->mgr); q++) {
        const struct offload_queues_queue *oq;

        oq = offload_queues_get_queue(p->mgr, q);
        ds_put_format(s, "  queue %"PRIuSIZE": ", q);
        switch (oq->type) {
        case OFFLOAD_QUEUES_OWNER_DEFAULT:
            ds_put_cstr(s, "default group (RSS)\n");
            break;
        case OFFLOAD_QUEUES_OWNER_FREE:
            ds_put_cstr(s, "free\n");
            break;
        case OFFLOAD_QUEUES_OWNER_VM:
        case OFFLOAD_QUEUES_OWNER_FLOW:
            if (oq->flow_name) {
                ds_put_format(s, "flow %s of ", oq->flow_name);
            }
            ds_put_format(s, "vm %s, %.1f pps, %.0f bps\n",
                          oq->vm, oq->pps, oq->bps);
            break;
        }
    }
    for (size_t i = 0; i < offload_queues_n_vms(p->mgr); i++) {
        const struct offload_queues_vm_result *r;
        const struct oqr_vm *vm;

        r = offload_queues_get_vm(p->mgr, i);
        vm = shash_find_data(&p->vms, r->id);
        ds_put_format(s, "  vm %s: ", r->id);
        if (r->n_queues) {
            ds_put_format(s, "%"PRIu32" queue(s)", r->n_queues);
        } else {
            ds_put_format(s, "no queue (%s)",
                          vm && !vm->n_macs ? "no-mac"
                          : offload_queues_reason_to_string(r->reason));
        }
        ds_put_format(s, ", priority %s, %.1f pps\n",
                      offload_queues_prio_to_string(r->prio), r->pps);
    }
}

static void
oqr_unixctl_show(struct unixctl_conn *conn, int argc_, const char *argv_[],
                 void *aux OVS_UNUSED)
{
    const struct shash_node **nodes;
    bool json;

    if (!unixctl_format_parse_only(conn, argc_, argv_, "offload/queues",
                                   &json)) {
        return;
    }
    nodes = shash_sort(&oqr_ports);
    if (json) {
        struct json *j = json_object_create();
        struct json *arr = json_array_create_empty();

        for (size_t i = 0; i < shash_count(&oqr_ports); i++) {
            json_array_add(arr, oqr_port_json(nodes[i]->data));
        }
        json_object_put(j, "ports", arr);
        unixctl_format_reply_json(conn, j);
    } else {
        struct ds s = DS_EMPTY_INITIALIZER;

        for (size_t i = 0; i < shash_count(&oqr_ports); i++) {
            oqr_port_text(&s, nodes[i]->data);
        }
        if (!s.length) {
            ds_put_cstr(&s, "no NIC with queues configured "
                        "(NIC column \"queues\")\n");
        }
        unixctl_command_reply(conn, ds_cstr(&s));
        ds_destroy(&s);
    }
    free(nodes);
}

/* Runs a round now, so that tests need not wait for the interval. */
static void
oqr_unixctl_rebalance(struct unixctl_conn *conn, int argc OVS_UNUSED,
                      const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    long long int now = time_msec();
    struct shash_node *node;
    uint64_t total = 0;
    char *reply;

    oqr_round(now);
    oqr_next_run = now + oqr_interval;
    SHASH_FOR_EACH (node, &oqr_ports) {
        total += offload_queues_total_decisions(
            ((struct oqr_port *) node->data)->mgr);
    }
    offload_status_poke();
    reply = xasprintf("%"PRIuSIZE" ports, %"PRIu64" decisions in all\n",
                      shash_count(&oqr_ports), total);
    unixctl_command_reply(conn, reply);
    free(reply);
}

void
offload_queues_run_init(void)
{
    unixctl_command_register("offload/queues", "[--format text|json]", 0,
                             UNIXCTL_FORMAT_MAX_ARGS,
                             oqr_unixctl_show, NULL);
    unixctl_command_register("offload/queues-rebalance", "", 0, 0,
                             oqr_unixctl_rebalance, NULL);
}


/* Status columns. */

void
offload_queues_run_nic_status(const struct nic *nic, struct smap *status)
{
    struct ds errors = DS_EMPTY_INITIALIZER;
    struct ds assign = DS_EMPTY_INITIALIZER;
    struct shash_node *node;

    SHASH_FOR_EACH (node, &oqr_ports) {
        const struct oqr_port *p = node->data;

        if (p->nic != nic) {
            continue;
        }
        if (p->error) {
            ds_put_format(&errors, "%s%s", errors.length ? "; " : "",
                          p->error);
        }
        for (size_t q = 0; q < offload_queues_n_queues(p->mgr); q++) {
            const struct offload_queues_queue *oq;

            oq = offload_queues_get_queue(p->mgr, q);
            ds_put_format(&assign, "%s%s:%"PRIuSIZE"=%s",
                          assign.length ? " " : "", p->key, q,
                          oq->vm ? oq->vm
                          : offload_queues_owner_type_to_string(oq->type));
            if (oq->type == OFFLOAD_QUEUES_OWNER_FLOW) {
                ds_put_cstr(&assign, "/flow");
            }
        }
        smap_replace(status, "queue_policy", offload_policy_to_string(
                         offload_queues_get_config(p->mgr)->policy));
    }
    if (assign.length) {
        smap_add(status, "queues", ds_cstr(&assign));
    }
    if (errors.length) {
        smap_add(status, "queue_error", ds_cstr(&errors));
    }
    ds_destroy(&errors);
    ds_destroy(&assign);
}

void
offload_queues_run_port_status(const char *name, struct smap *status)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &oqr_ports) {
        const struct oqr_port *p = node->data;
        struct shash_node *vnode;

        SHASH_FOR_EACH (vnode, &p->vms) {
            const struct oqr_vm *vm = vnode->data;
            const struct offload_queues_vm_result *r;
            int q;

            if (!sset_contains(&vm->ports, name)) {
                continue;
            }
            r = offload_queues_find_vm(p->mgr, vm->id);
            q = offload_queues_queue_of(p->mgr, vm->id, false, 0);
            smap_replace(status, "vm", vm->id);
            if (q >= 0) {
                smap_add_format(status, "queue", "%s:%d", p->key, q);
            } else if (r && r->n_queues) {
                smap_add(status, "queue", "flow");
            } else {
                smap_add(status, "queue", "none");
                smap_add(status, "queue_reason",
                         !vm->n_macs ? "no-mac"
                         : r ? offload_queues_reason_to_string(r->reason)
                         : "not-yet-measured");
            }
            return;
        }
    }
}
