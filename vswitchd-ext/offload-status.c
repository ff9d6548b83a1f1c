/* SPDX-License-Identifier: Apache-2.0 */
/* The status columns of the Offload database, written with
 * ovsdb_idl_txn from what the engine, the NICs and the configuration
 * reader know. */
#include <config.h>

#include "vswitchd-ext/offload-status.h"

#include <string.h>

#include "datapath-offload/netdev-nic.h"
#include "lib/nic.h"
#include "lib/nic-rule.h"
#include "lib/offload-dma-poll.h"
#include "lib/offload-engine.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb-schema/offload-idl.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"
#include "vswitchd-ext/offload-classes-run.h"
#include "vswitchd-ext/offload-channel-run.h"
#include "vswitchd-ext/offload-config.h"
#include "vswitchd-ext/offload-db.h"
#include "vswitchd-ext/offload-cpus-run.h"
#include "vswitchd-ext/offload-queues-run.h"
#include "vswitchd-ext/vswitchd-offload-version.h"

VLOG_DEFINE_THIS_MODULE(offload_status);

static struct ovsdb_idl_txn *status_txn;
static long long int next_update = LLONG_MIN;
static unsigned long long n_updates;

/* A string -> integer (or real) map column being built. */
struct offload_status_map {
    size_t n, allocated;
    const char **keys;
    int64_t *ints;
    double *reals;
    char **owned;               /* Keys to free. */
};

static void
offload_status_map_add(struct offload_status_map *m, const char *key,
                       int64_t value, double real)
{
    if (m->n >= m->allocated) {
        size_t allocated = m->allocated;

        m->keys = x2nrealloc(m->keys, &allocated, sizeof *m->keys);
        m->ints = xrealloc(m->ints, allocated * sizeof *m->ints);
        m->reals = xrealloc(m->reals, allocated * sizeof *m->reals);
        m->owned = xrealloc(m->owned, allocated * sizeof *m->owned);
        m->allocated = allocated;
    }
    m->owned[m->n] = xstrdup(key);
    m->keys[m->n] = m->owned[m->n];
    m->ints[m->n] = value;
    m->reals[m->n] = real;
    m->n++;
}

static void
offload_status_map_int(struct offload_status_map *m, const char *key,
                       int64_t value)
{
    offload_status_map_add(m, key, value, value);
}

static void
offload_status_map_destroy(struct offload_status_map *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->owned[i]);
    }
    free(m->keys);
    free(m->ints);
    free(m->reals);
    free(m->owned);
}

/* Adds every member of JSON object 'obj' that is a number. */
static void
offload_status_map_from_json(struct offload_status_map *m,
                             const struct json *obj, bool reals)
{
    struct shash_node *node;

    if (!obj || obj->type != JSON_OBJECT) {
        return;
    }
    SHASH_FOR_EACH (node, json_object(obj)) {
        const struct json *v = node->data;

        if (v->type == JSON_INTEGER && !reals) {
            offload_status_map_int(m, node->name, json_integer(v));
        } else if (v->type == JSON_REAL && reals) {
            offload_status_map_add(m, node->name, 0, json_real(v));
        }
    }
}

/* The Summary row, from offload/show's own snapshot so that the two
 * always agree. */
static void
offload_status_summary(const struct offrec_offload *root)
{
    const struct offrec_summary *summary = root->summary;
    struct json *show = offload_engine_show_json();
    struct offload_status_map flows = { .n = 0 }, reasons = { .n = 0 };
    struct offload_status_map rules = { .n = 0 }, rates = { .n = 0 };
    struct offload_status_map latency = { .n = 0 };
    const struct json *j;

    if (!summary) {
        summary = offrec_summary_insert(status_txn);
        offrec_offload_set_summary(root, summary);
    }
    j = shash_find_data(json_object(show), "flows");
    if (j && j->type == JSON_INTEGER) {
        offload_status_map_int(&flows, "total", json_integer(j));
    }
    offload_status_map_from_json(&flows,
                                 shash_find_data(json_object(show), "states"),
                                 false);
    offload_status_map_from_json(&reasons,
                                 shash_find_data(json_object(show),
                                                 "reasons"), false);
    j = shash_find_data(json_object(show), "rules");
    offload_status_map_from_json(&rules, j, false);
    offload_status_map_from_json(&rates, j, true);
    j = shash_find_data(json_object(show), "rebalance_rounds");
    if (j && j->type == JSON_INTEGER) {
        offload_status_map_int(&rules, "rebalance_rounds", json_integer(j));
    }
    offload_status_map_from_json(&latency,
                                 shash_find_data(json_object(show),
                                                 "latency"), false);

    offrec_summary_set_flows(summary, flows.keys, flows.ints, flows.n);
    offrec_summary_set_reasons(summary, reasons.keys, reasons.ints,
                               reasons.n);
    offrec_summary_set_rules(summary, rules.keys, rules.ints, rules.n);
    offrec_summary_set_rates(summary, rates.keys, rates.reals, rates.n);
    offrec_summary_set_latency(summary, latency.keys, latency.ints,
                               latency.n);
    offload_status_map_destroy(&flows);
    offload_status_map_destroy(&reasons);
    offload_status_map_destroy(&rules);
    offload_status_map_destroy(&rates);
    offload_status_map_destroy(&latency);
    json_destroy(show);
}

/* One NIC as its ports show it. */
struct offload_status_nic {
    struct nic *nic;                    /* Borrowed from the port list. */
    struct offload_status_ports {
        size_t n, allocated;
        int64_t *ids;
        const char **names;             /* Borrowed from the port list. */
    } uplinks, vfs;
};

static void
offload_status_ports_add(struct offload_status_ports *ports, int64_t id,
                         const char *name)
{
    if (ports->n >= ports->allocated) {
        size_t allocated = ports->allocated;

        ports->ids = x2nrealloc(ports->ids, &allocated, sizeof *ports->ids);
        ports->names = xrealloc(ports->names,
                                allocated * sizeof *ports->names);
        ports->allocated = allocated;
    }
    ports->ids[ports->n] = id;
    ports->names[ports->n++] = name;
}

static void
offload_status_nic_free(struct offload_status_nic *sn)
{
    free(sn->uplinks.ids);
    free(sn->uplinks.names);
    free(sn->vfs.ids);
    free(sn->vfs.names);
    free(sn);
}

static void
offload_status_add_port(struct shash *nics, const struct netdev_nic_port *p)
{
    const char *name = nic_get_name(p->nic);
    struct offload_status_nic *sn = shash_find_data(nics, name);

    if (!sn) {
        sn = xzalloc(sizeof *sn);
        sn->nic = p->nic;
        shash_add(nics, name, sn);
    }
    if (nic_port_is_vf(p->port)) {
        offload_status_ports_add(&sn->vfs, p->port - NIC_PORT_VF_BASE,
                                 p->name);
    } else {
        offload_status_ports_add(&sn->uplinks, p->port, p->name);
    }
}

/* Sums the DMA counters of every receive queue and send ring of 'nic',
 * the NIC's and its representors' pollers'; nothing for a NIC without
 * them. */
static void
offload_status_nic_dma_stats(struct nic *nic, const struct nic_caps *caps,
                             struct offload_status_map *m)
{
    struct nic_dma_queue_stats sum, tx, st;
    struct offload_dma_poll_stats host, tx_host, hq;
    bool any = false, any_tx = false;

    memset(&sum, 0, sizeof sum);
    memset(&tx, 0, sizeof tx);
    memset(&host, 0, sizeof host);
    memset(&tx_host, 0, sizeof tx_host);
    for (uint32_t i = 0; i < caps->n_uplinks + caps->n_vfs; i++) {
        uint32_t port = nic_port_by_index(caps->n_uplinks, i);

        for (uint32_t q = 0; q < caps->max_rxq; q++) {
            if (nic_dma_queue_stats(nic, port, q, &st)) {
                break;
            }
            any = true;
            sum.posted += st.posted;
            sum.completed += st.completed;
            sum.ring_full += st.ring_full;
            if (netdev_nic_dma_poll_stats(nic, port, q, &hq)) {
                offload_dma_poll_stats_add(&host, &hq);
            }
        }
        if (!nic_dma_tx_stats(nic, port, &st)) {
            any_tx = true;
            tx.posted += st.posted;
            tx.completed += st.completed;
            tx.taken += st.taken;
            tx.ring_full += st.ring_full;
            if (netdev_nic_dma_poll_stats(nic, port, NETDEV_NIC_DMA_TX,
                                          &hq)) {
                offload_dma_poll_stats_add(&tx_host, &hq);
            }
        }
    }
    if (any_tx) {
        offload_status_map_int(m, "dma_tx_posted", tx.posted);
        offload_status_map_int(m, "dma_tx_completed", tx.completed);
        offload_status_map_int(m, "dma_tx_reaped", tx.taken);
        offload_status_map_int(m, "dma_tx_ring_full", tx.ring_full);
        offload_status_map_int(m, "dma_tx_polls", tx_host.polls);
        offload_status_map_int(m, "dma_tx_forced_polls",
                               tx_host.forced_polls);
        offload_status_map_int(m, "dma_tx_pressure_polls",
                               tx_host.pressure_polls);
    }
    if (!any) {
        return;
    }
    offload_status_map_int(m, "dma_posted", sum.posted);
    offload_status_map_int(m, "dma_completed", sum.completed);
    offload_status_map_int(m, "dma_ring_full", sum.ring_full);
    offload_status_map_int(m, "dma_polls", host.polls);
    offload_status_map_int(m, "dma_forced_polls", host.forced_polls);
    offload_status_map_int(m, "dma_completions", host.completions);
    offload_status_map_int(m, "dma_delay_p50_us",
                           offload_dma_hist_percentile(host.delay_hist, 50));
    offload_status_map_int(m, "dma_delay_p99_us",
                           offload_dma_hist_percentile(host.delay_hist, 99));
    offload_status_map_int(m, "dma_delay_max_us",
                           offload_dma_hist_percentile(host.delay_hist,
                                                       100));
}

/* Sums the counters of every port of 'nic'. */
static void
offload_status_nic_stats(struct nic *nic, const struct nic_caps *caps,
                         struct offload_status_map *m)
{
    struct nic_port_stats sum;

    memset(&sum, 0, sizeof sum);
    for (uint32_t i = 0; i < caps->n_uplinks + caps->n_vfs; i++) {
        uint32_t port = nic_port_by_index(caps->n_uplinks, i);
        struct nic_port_stats st;

        if (!nic_port_stats(nic, port, &st)) {
            nic_port_stats_add(&sum, &st);
        }
    }
    offload_status_map_int(m, "rx_packets", sum.rx_packets);
    offload_status_map_int(m, "rx_bytes", sum.rx_bytes);
    offload_status_map_int(m, "rx_errors", sum.rx_errors);
    offload_status_map_int(m, "forwarded", sum.fwd_packets);
    for (int r = 0; r < NIC_N_HOST_REASONS; r++) {
        char *key = xasprintf("to_host_%s", nic_host_reason_name(r));

        offload_status_map_int(m, key, sum.host[r]);
        free(key);
    }
    for (int r = 0; r < NIC_N_DROP_REASONS; r++) {
        char *key = xasprintf("dropped_%s", nic_drop_reason_name(r));

        offload_status_map_int(m, key, sum.drop[r]);
        free(key);
    }
    offload_status_map_int(m, "to_host", nic_port_stats_to_host(&sum));
    offload_status_map_int(m, "dropped", nic_port_stats_dropped(&sum));
    offload_status_map_int(m, "tx_packets", sum.tx_packets);
    offload_status_map_int(m, "tx_bytes", sum.tx_bytes);
    offload_status_map_int(m, "tx_errors", sum.tx_errors);
    offload_status_map_int(m, "host_tx_packets", sum.host_tx_packets);
    offload_status_nic_dma_stats(nic, caps, m);
}

static void
offload_status_write_nic(const struct offrec_nic *row,
                         const struct offload_status_nic *sn)
{
    struct smap caps_map = SMAP_INITIALIZER(&caps_map);
    struct smap status = SMAP_INITIALIZER(&status);
    struct offload_status_map occ = { .n = 0 }, stats = { .n = 0 };
    struct ds actions = DS_EMPTY_INITIALIZER;
    struct nic_caps caps;

    nic_get_caps(sn->nic, &caps);
    offrec_nic_set_type(row, nic_get_type(sn->nic));
    offrec_nic_set_uplinks(row, sn->uplinks.ids, sn->uplinks.names,
                           sn->uplinks.n);
    offrec_nic_set_vfs(row, sn->vfs.ids, sn->vfs.names, sn->vfs.n);

    smap_add_format(&caps_map, "n_uplinks", "%"PRIu32, caps.n_uplinks);
    smap_add_format(&caps_map, "n_vfs", "%"PRIu32, caps.n_vfs);
    smap_add_format(&caps_map, "exact_capacity", "%"PRIuSIZE,
                    caps.exact_capacity);
    smap_add_format(&caps_map, "wildcard_capacity", "%"PRIuSIZE,
                    caps.wildcard_capacity);
    smap_add_format(&caps_map, "max_rxq", "%"PRIu32, caps.max_rxq);
    for (int a = 0; a < NIC_N_ACTIONS; a++) {
        if (caps.actions & (1u << a)) {
            ds_put_format(&actions, "%s%s", actions.length ? "," : "",
                          nic_action_type_to_string(a));
        }
    }
    smap_add(&caps_map, "actions", ds_cstr(&actions));
    offrec_nic_set_capabilities(row, &caps_map);

    offload_status_map_int(&occ, "rules", offload_engine_n_installed(sn->nic));
    offload_status_map_int(&occ, "capacity",
                           caps.exact_capacity + caps.wildcard_capacity);
    offrec_nic_set_occupancy(row, occ.keys, occ.ints, occ.n);

    offload_status_nic_stats(sn->nic, &caps, &stats);
    offrec_nic_set_statistics(row, stats.keys, stats.ints, stats.n);

    smap_add(&status, "state", "present");
    offload_config_nic_dma(sn->nic, &status);
    offload_queues_run_nic_status(sn->nic, &status);
    offload_cpus_run_nic_status(sn->nic, &status);
    offload_channel_run_nic_status(row->name, &status);
    offrec_nic_set_status(row, &status);

    offload_status_map_destroy(&occ);
    offload_status_map_destroy(&stats);
    smap_destroy(&caps_map);
    smap_destroy(&status);
    ds_destroy(&actions);
}

/* A NIC row the operator configured survives its NIC; one the daemon made
 * for a NIC that went away does not. */
static bool
offload_status_nic_is_configured(const struct offrec_nic *row)
{
    return (!smap_is_empty(&row->other_config)
            || !smap_is_empty(&row->external_ids)
            || row->dma_mode || row->dma_timeout_us || row->dma_budget
            || row->channel || row->n_mappings);
}

static void
offload_status_nics(const struct offrec_offload *root,
                    const struct netdev_nic_port *ports, size_t n_ports)
{
    struct ovsdb_idl *idl = offload_db_idl();
    struct shash nics = SHASH_INITIALIZER(&nics);
    const struct offrec_nic *row;
    struct shash_node *node;

    for (size_t i = 0; i < n_ports; i++) {
        offload_status_add_port(&nics, &ports[i]);
    }

    OFFREC_NIC_FOR_EACH_SAFE (row, idl) {
        struct offload_status_nic *sn = shash_find_and_delete(&nics,
                                                              row->name);

        if (sn) {
            offload_status_write_nic(row, sn);
            offload_status_nic_free(sn);
        } else if (offload_status_nic_is_configured(row)) {
            struct smap status = SMAP_INITIALIZER(&status);

            smap_add(&status, "state", "absent");
            offload_channel_run_nic_status(row->name, &status);
            offrec_nic_set_status(row, &status);
            offrec_nic_set_uplinks(row, NULL, NULL, 0);
            offrec_nic_set_vfs(row, NULL, NULL, 0);
            offrec_nic_set_statistics(row, NULL, NULL, 0);
            offrec_nic_set_occupancy(row, NULL, NULL, 0);
            smap_destroy(&status);
        } else {
            offrec_offload_update_nics_delvalue(root, row);
            offrec_nic_delete(row);
        }
    }
    /* NICs without a row yet. */
    SHASH_FOR_EACH (node, &nics) {
        struct offload_status_nic *sn = node->data;

        row = offrec_nic_insert(status_txn);
        offrec_nic_set_name(row, node->name);
        offload_status_write_nic(row, sn);
        offrec_offload_update_nics_addvalue(root, row);
    }
    SHASH_FOR_EACH (node, &nics) {
        offload_status_nic_free(node->data);
    }
    shash_destroy(&nics);
}

static void
offload_status_ports(const struct netdev_nic_port *ports, size_t n_ports)
{
    struct ovsdb_idl *idl = offload_db_idl();
    const struct offrec_port *row;

    OFFREC_PORT_FOR_EACH (row, idl) {
        struct smap status = SMAP_INITIALIZER(&status);

        offload_config_port_status(row->name, &status);
        offload_queues_run_port_status(row->name, &status);
        for (size_t i = 0; i < n_ports; i++) {
            if (!strcmp(ports[i].name, row->name)) {
                char port[16];

                nic_port_to_string(ports[i].port, port, sizeof port);
                smap_add_format(&status, "nic", "%s:%s",
                                nic_get_name(ports[i].nic), port);
                break;
            }
        }
        offrec_port_set_status(row, &status);
        smap_destroy(&status);
    }
}

static void
offload_status_publish(void)
{
    struct ovsdb_idl *idl = offload_db_idl();
    const struct offrec_offload *root = offrec_offload_first(idl);
    struct smap status = SMAP_INITIALIZER(&status);

    status_txn = ovsdb_idl_txn_create(idl);
    ovsdb_idl_txn_add_comment(status_txn, "ovs-vswitchd-offload: status");
    if (!root) {
        /* As "ovs-offloadctl init" would; with maxRows 1, a concurrent
         * init makes this fail and the next round finds its row. */
        root = offrec_offload_insert(status_txn);
    }
    smap_add(&status, "state", "running");
    smap_add(&status, "version", VSWITCHD_OFFLOAD_PROGRAM_VERSION);
    offload_config_global_status(&status);
    offload_cpus_run_global_status(&status);
    offrec_offload_set_status(root, &status);
    smap_destroy(&status);

    /* One look at the ports serves the NIC rows and the Port rows. */
    struct netdev_nic_port *ports;
    size_t n_ports;

    netdev_nic_list_ports(&ports, &n_ports);
    offload_status_nics(root, ports, n_ports);
    offload_status_ports(ports, n_ports);
    netdev_nic_ports_free(ports, n_ports);
    offload_classes_run_publish(root);
    offload_status_summary(root);
    n_updates++;
}

/* Sends the status transaction or reads its outcome.  Returns true while
 * it is still in flight. */
static bool
offload_status_commit(void)
{
    enum ovsdb_idl_txn_status s = ovsdb_idl_txn_commit(status_txn);

    if (s == TXN_INCOMPLETE) {
        return true;
    }
    if (s != TXN_SUCCESS && s != TXN_UNCHANGED) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

        /* A lost connection or a concurrent "init": the next round
         * writes everything again. */
        VLOG_INFO_RL(&rl, "status update not written (%s); retrying",
                     ovsdb_idl_txn_status_to_string(s));
        next_update = LLONG_MIN;
    }
    ovsdb_idl_txn_destroy(status_txn);
    status_txn = NULL;
    return false;
}

void
offload_status_run(void)
{
    if (status_txn && offload_status_commit()) {
        return;
    }
    if (!offload_db_is_served() || time_msec() < next_update) {
        return;
    }
    next_update = time_msec() + offload_config_stats_interval();
    offload_status_publish();
    offload_status_commit();
}

void
offload_status_wait(void)
{
    if (status_txn) {
        ovsdb_idl_txn_wait(status_txn);
    } else if (offload_db_is_served()) {
        poll_timer_wait_until(next_update);
    }
}

void
offload_status_poke(void)
{
    next_update = LLONG_MIN;
}

unsigned long long
offload_status_n_updates(void)
{
    return n_updates;
}

/* Says "stopped" in the Offload row, so that no one takes the last
 * figures for live ones.  Waits for the answer (at exit only). */
void
offload_status_exit(void)
{
    struct ovsdb_idl *idl = offload_db_idl();
    const struct offrec_offload *root;

    if (status_txn) {
        ovsdb_idl_txn_destroy(status_txn);
        status_txn = NULL;
    }
    if (!offload_db_is_served() || !(root = offrec_offload_first(idl))) {
        return;
    }
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl);
    struct smap status = SMAP_INITIALIZER(&status);

    smap_clone(&status, &root->status);
    smap_replace(&status, "state", "stopped");
    offrec_offload_set_status(root, &status);
    ovsdb_idl_txn_commit_block(txn);
    ovsdb_idl_txn_destroy(txn);
    smap_destroy(&status);
}
