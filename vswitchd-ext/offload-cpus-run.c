/* SPDX-License-Identifier: Apache-2.0 */
/* Runs the CPU aligner on the nicsim-pmd ports: configuration from the
 * Offload database, loads from dpif-netdev's PMD cycles and the NIC's
 * counters, the mapping applied as pmd-rxq-affinity (OVS side), RSS
 * indirection tables and heavy flows' queue filters (NIC side),
 * "ovs-appctl offload/cpus". */
#include <config.h>

#include "vswitchd-ext/offload-cpus-run.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datapath-offload/netdev-nic.h"
#include "dpif-netdev-perf.h"   /* cycles_counter_update(). */
#include "jsonrpc.h"
#include "lib/nic.h"
#include "lib/offload-cpus.h"
#include "netdev.h"
#include "netdev-provider.h"     /* netdev_from_name(). */
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-numa.h"
#include "ovsdb-idl.h"
#include "ovsdb-schema/offload-idl.h"
#include "smap.h"
#include "stream.h"
#include "timeval.h"
#include "unixctl.h"
#include "vswitchd-ext/offload-queues-run.h"
#include "util.h"
#include "vswitch-idl.h"
#include "vswitchd-ext/offload-config.h"
#include "vswitchd-ext/offload-db.h"
#include "vswitchd-ext/unixctl-format.h"

VLOG_DEFINE_THIS_MODULE(offload_cpus_run);

#define OCR_PERIOD_MS 500       /* Ports and configuration looked at;
                                 * a quarter of the interval once one is
                                 * configured, 50 ms to 2 s. */

#define OCR_MAX_FLOWS 32        /* Host flows read per port and round. */
#define OCR_MAX_HEAVY 8         /* Heavy flows given to the aligner. */
#define OCR_HEAVY_SHARE 0.125   /* Of its queue's packets: a heavy flow. */
#define OCR_HEAVY_MIN 0.01      /* Of a CPU: lighter flows are not. */
#define OCR_FILTER_PRIO 200     /* As the queue manager's flow filters. */

/* A TCP/UDP flow the NIC counts among the port's heavy hitters. */
struct ocr_flow {
    uint64_t id;
    uint64_t seq;               /* NIC's entry, to tell a reuse. */
    uint64_t last_pkts;
    uint64_t pkts;              /* Since the last round. */
    bool fresh;                 /* First seen this round: no rate yet. */
    bool seen;
    struct nic_match match;
    char *name;
    uint32_t entry;             /* Indirection entry its hash selects. */
};

/* A queue filter the aligner asked for and the daemon put on the NIC. */
struct ocr_filter {
    uint64_t flow_id;
    uint32_t nic_id;            /* The NIC's filter id. */
    uint32_t queue;
    char *name;
};

/* One nicsim-pmd port under the aligner. */
struct ocr_port {
    char *iface;
    char *nic_name;
    struct nic *nic;            /* A reference. */
    uint32_t port;
    uint32_t n_rxq;
    uint16_t applied_reta[NIC_RSS_RETA_SIZE];
    bool reta_applied;
    uint64_t last_pkts[NIC_RSS_RETA_SIZE];      /* Queue counters. */
    long long int last_ms;                      /* 0: not read yet. */
    struct ocr_flow flows[OCR_MAX_FLOWS];
    size_t n_flows;
    struct ocr_filter filters[NIC_MAX_FILTERS];
    size_t n_filters;
};

/* dpif-netdev's figures, asked of our own unixctl server (dpif-netdev
 * keeps them to itself and formats them for "ovs-appctl"): two samples,
 * each with the TSC when it came, and the requests under way. */
struct ocr_pmd_state {
    char *name;                 /* "unix:PATH" of the control socket. */
    struct jsonrpc *rpc;
    struct json *stats_id, *rxqs_id;    /* Replies awaited. */
    bool asked;                 /* A sample under way. */
    long long int asked_ms;
    struct offload_cpus_pmd_sample next, cur, prev;
    uint64_t next_tsc, cur_tsc, prev_tsc;
    bool has_cur, has_prev;
    bool ready;                 /* A new 'cur' not yet measured. */
    int failures;               /* In a row; logged at the first. */
};

static struct ocr_pmd_state ocr_pmd;
static struct pmd_perf_stats ocr_tsc;   /* Only its TSC reading. */
static bool ocr_use_cycles = true;      /* No cpu_packet_cost set. */
static uint64_t ocr_rounds;             /* Rounds measured. */
static struct offload_cpus *ocr_aligner;
static struct ocr_port *ocr_ports;      /* In the aligner's NIC order. */
static size_t ocr_n_ports;
static char *ocr_config;                /* Text of the config in force. */
static char *ocr_error;                 /* Refused configuration. */
static char *ocr_refused;               /* Its text (logged once). */
static bool ocr_active;                 /* Some mode configured. */
static long long int ocr_next = LLONG_MIN;
static double ocr_cost_ns = 1000;       /* PMD time per packet. */
static long long int ocr_period = OCR_PERIOD_MS;        /* Sub-second
                                                         * intervals. */

static void
ocr_filters_clear(struct ocr_port *p)
{
    for (size_t i = 0; i < p->n_filters; i++) {
        nic_filter_del(p->nic, p->port, p->filters[i].nic_id);
        free(p->filters[i].name);
    }
    p->n_filters = 0;
}

static void
ocr_ports_free(struct ocr_port *ports, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ocr_filters_clear(&ports[i]);
        for (size_t k = 0; k < ports[i].n_flows; k++) {
            free(ports[i].flows[k].name);
        }
        free(ports[i].iface);
        free(ports[i].nic_name);
        nic_close(ports[i].nic);
    }
    free(ports);
}

/* Parses "2,3,5-7" into '*cpus'.  Returns false on a bad list. */
static bool
ocr_parse_cpus(const char *s, int **cpus, size_t *n)
{
    size_t allocated = 0;
    char *copy = xstrdup(s), *save = NULL;
    bool ok = true;

    *cpus = NULL;
    *n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && ok;
         tok = strtok_r(NULL, ",", &save)) {
        int lo, hi, len;
        if (sscanf(tok, "%d-%d%n", &lo, &hi, &len) == 2
            && tok[len] == '\0') {
            /* Range. */
        } else if (sscanf(tok, "%d%n", &lo, &len) == 1 && tok[len] == '\0') {
            hi = lo;
        } else {
            ok = false;
            break;
        }
        if (lo < 0 || hi < lo || hi - lo > 4096) {
            ok = false;
            break;
        }
        for (int c = lo; c <= hi; c++) {
            if (*n >= allocated) {
                *cpus = x2nrealloc(*cpus, &allocated, sizeof **cpus);
            }
            (*cpus)[(*n)++] = c;
        }
    }
    free(copy);
    if (!ok || !*n) {
        free(*cpus);
        *cpus = NULL;
        *n = 0;
        return false;
    }
    return true;
}

/* The allowed CPUs: pmd-cpu-mask's, or OVS's default (one core per NUMA
 * node) without one. */
static struct offload_cpus_cpu *
ocr_allowed_cpus(size_t *n)
{
    const struct ovsrec_open_vswitch *ovs
        = ovsrec_open_vswitch_first(offload_config_ovs_idl());
    const char *mask = ovs ? smap_get(&ovs->other_config, "pmd-cpu-mask")
                           : NULL;
    struct ovs_numa_dump *dump;
    const struct ovs_numa_info_core *core;
    struct offload_cpus_cpu *cpus;
    size_t k = 0;

    ovs_numa_init();
    dump = (mask && mask[0] ? ovs_numa_dump_cores_with_cmask(mask)
            : ovs_numa_dump_n_cores_per_numa(1));
    cpus = xcalloc(ovs_numa_dump_count(dump) + 1, sizeof *cpus);
    FOR_EACH_CORE_ON_DUMP (core, dump) {
        cpus[k++] = (struct offload_cpus_cpu) { core->core_id,
                                                core->numa_id };
    }
    ovs_numa_dump_destroy(dump);

    /* A stable order: by core id. */
    for (size_t i = 1; i < k; i++) {
        for (size_t j = i; j > 0 && cpus[j - 1].id > cpus[j].id; j--) {
            struct offload_cpus_cpu tmp = cpus[j];
            cpus[j] = cpus[j - 1];
            cpus[j - 1] = tmp;
        }
    }
    *n = k;
    return cpus;
}

/* The nicsim-pmd ports now, sorted by interface name. */
static struct ocr_port *
ocr_list_ports(size_t *np)
{
    struct netdev_nic_port *ports;
    size_t n_ports, k = 0;

    netdev_nic_list_ports(&ports, &n_ports);
    struct ocr_port *out = xcalloc(n_ports + 1, sizeof *out);
    for (size_t i = 0; i < n_ports; i++) {
        struct netdev *netdev = netdev_from_name(ports[i].name);
        if (!netdev) {
            continue;
        }
        if (!strcmp(netdev_get_type(netdev), "nicsim-pmd")
            && netdev_n_rxq(netdev) > 0) {
            struct ocr_port *p = &out[k];
            if (!nic_ref(ports[i].nic, &p->nic)) {
                p->iface = xstrdup(ports[i].name);
                p->nic_name = xstrdup(nic_get_name(ports[i].nic));
                p->port = ports[i].port;
                p->n_rxq = MIN(netdev_n_rxq(netdev), NIC_RSS_RETA_SIZE);
                k++;
            }
        }
        netdev_close(netdev);
    }
    netdev_nic_ports_free(ports, n_ports);
    for (size_t i = 1; i < k; i++) {
        for (size_t j = i; j > 0 && strcmp(out[j - 1].iface,
                                           out[j].iface) > 0; j--) {
            struct ocr_port tmp = out[j];
            out[j] = out[j - 1];
            out[j - 1] = tmp;
        }
    }
    *np = k;
    return out;
}

/* Builds the configuration and its text.  Returns false with '*errorp'
 * on a value the aligner cannot even be given (an unknown mode, a bad
 * list). */
struct ocr_build {
    struct offload_cpus_config cfg;
    double cost_ns;
    bool cost_set;
    struct offload_cpus_cpu *cpus;
    struct offload_cpus_nic_config *nics;
    int **lists;
    size_t n_nics;
    struct ds text;
};

static void
ocr_build_destroy(struct ocr_build *b)
{
    for (size_t i = 0; i < b->n_nics; i++) {
        free(b->lists[i]);
    }
    free(b->lists);
    free(b->nics);
    free(b->cpus);
    ds_destroy(&b->text);
}

static bool
ocr_build(struct ocr_build *b, const struct ocr_port *ports, size_t n_ports,
          char **errorp)
{
    struct ovsdb_idl *idl = offload_db_idl();
    const struct offrec_offload *row = (idl && offload_db_is_served()
                                        ? offrec_offload_first(idl) : NULL);
    bool any_mode = false;

    memset(b, 0, sizeof *b);
    ds_init(&b->text);
    *errorp = NULL;
    offload_cpus_config_default(&b->cfg);
    b->cfg.mode = OFFLOAD_CPUS_MANUAL;
    if (row && row->cpu_mode) {
        any_mode = true;
        if (!offload_cpus_mode_from_string(row->cpu_mode, &b->cfg.mode)) {
            *errorp = xasprintf("unknown cpu_mode \"%s\" (numa, dedicated, "
                                "spread, conservative or manual)",
                                row->cpu_mode);
            return false;
        }
    }
    if (row && row->cpu_threshold) {
        b->cfg.threshold = *row->cpu_threshold;
    }
    if (row && row->cpu_hysteresis) {
        b->cfg.hysteresis = *row->cpu_hysteresis;
    }
    if (row && row->cpu_interval) {
        b->cfg.interval_ms = *row->cpu_interval;
    }
    if (row && row->cpu_min_move) {
        b->cfg.min_move_ms = *row->cpu_min_move;
    }
    b->cost_ns = 1000;
    if (row && row->cpu_packet_cost) {
        if (*row->cpu_packet_cost < 1
            || *row->cpu_packet_cost > INT64_C(10000000000)) {
            *errorp = xasprintf("cpu_packet_cost %"PRId64" is not in 1.."
                                "10000000000 ns", *row->cpu_packet_cost);
            return false;
        }
        b->cost_ns = *row->cpu_packet_cost;
        b->cost_set = true;
    }
    b->cpus = ocr_allowed_cpus(&b->cfg.n_cpus);
    b->cfg.cpus = b->cpus;

    b->n_nics = n_ports;
    b->nics = xcalloc(n_ports + 1, sizeof *b->nics);
    b->lists = xcalloc(n_ports + 1, sizeof *b->lists);
    for (size_t i = 0; i < n_ports; i++) {
        struct offload_cpus_nic_config *nic = &b->nics[i];
        const struct offrec_nic *nrow = offload_db_find_nic(ports[i].nic_name);

        nic->name = ports[i].iface;
        nic->numa = nic->base_cpu = nic->max_cpu = -1;
        nic->n_queues = ports[i].n_rxq;
        if (!nrow) {
            continue;
        }
        if (nrow->cpu_mode) {
            any_mode = true;
            nic->has_mode = true;
            if (!offload_cpus_mode_from_string(nrow->cpu_mode,
                                               &nic->mode)) {
                *errorp = xasprintf("NIC %s: unknown cpu_mode \"%s\"",
                                    nrow->name, nrow->cpu_mode);
                return false;
            }
        }
        if (nrow->cpus) {
            size_t n;
            if (!ocr_parse_cpus(nrow->cpus, &b->lists[i], &n)) {
                *errorp = xasprintf("NIC %s: bad cpus \"%s\" (core ids "
                                    "and ranges, e.g. 2,4-7)", nrow->name,
                                    nrow->cpus);
                return false;
            }
            nic->cpus = b->lists[i];
            nic->n_cpus = n;
        }
        if (nrow->numa_node) {
            nic->numa = *nrow->numa_node;
        }
        if (nrow->base_cpu) {
            nic->base_cpu = *nrow->base_cpu;
        }
        if (nrow->max_cpu) {
            nic->max_cpu = *nrow->max_cpu;
        }
    }
    b->cfg.nics = b->nics;
    b->cfg.n_nics = b->n_nics;
    if (!any_mode) {
        return true;            /* Inactive: nothing to say. */
    }

    /* The text, to tell a change. */
    ds_put_format(&b->text, "%s %s %g %g %lld %lld cpus",
                  offload_cpus_mode_to_string(b->cfg.mode),
                  b->cost_set ? "counters" : "cycles",
                  b->cfg.threshold, b->cfg.hysteresis, b->cfg.interval_ms,
                  b->cfg.min_move_ms);
    for (size_t c = 0; c < b->cfg.n_cpus; c++) {
        ds_put_format(&b->text, " %d/%d", b->cpus[c].id, b->cpus[c].numa);
    }
    for (size_t i = 0; i < n_ports; i++) {
        const struct offload_cpus_nic_config *nic = &b->nics[i];
        ds_put_format(&b->text, "; %s %"PRIu32" %s %d %d %d", nic->name,
                      nic->n_queues,
                      nic->has_mode ? offload_cpus_mode_to_string(nic->mode)
                      : "-", nic->numa, nic->base_cpu, nic->max_cpu);
        for (size_t k = 0; k < nic->n_cpus; k++) {
            ds_put_format(&b->text, " %d", nic->cpus[k]);
        }
    }
    return true;
}

static void
ocr_set_error(char *error)
{
    free(ocr_error);
    ocr_error = error;
}

/* Takes 'error' (a refused configuration), logged once while it stays
 * the same. */
static void
ocr_refuse(char *error)
{
    if (!ocr_refused || strcmp(ocr_refused, error)) {
        VLOG_WARN("CPU alignment configuration refused: %s; the previous "
                  "mapping stays", error);
        free(ocr_refused);
        ocr_refused = xstrdup(error);
    }
    ocr_set_error(error);
}

/* "0:3,1:2": the affinity of every queue the aligner placed, or NULL. */
static char *
ocr_affinity(size_t n)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    if (offload_cpus_nic_mode(ocr_aligner, n) == OFFLOAD_CPUS_MANUAL) {
        return NULL;
    }
    for (uint32_t q = 0; q < offload_cpus_nic_n_queues(ocr_aligner, n); q++) {
        int cpu = offload_cpus_queue_cpu(ocr_aligner, n, q);
        if (cpu >= 0) {
            ds_put_format(&s, "%s%"PRIu32":%d", s.length ? "," : "", q,
                          cpu);
        }
    }
    return ds_steal_cstr(&s);
}

/* The port's flow 'id', or NULL. */
static struct ocr_flow *
ocr_find_flow(struct ocr_port *p, uint64_t id)
{
    for (size_t i = 0; i < p->n_flows; i++) {
        if (p->flows[i].id == id) {
            return &p->flows[i];
        }
    }
    return NULL;
}

/* Puts the aligner's queue filters of port 'n' on the NIC: added, moved
 * (deleted and added again) or deleted, each logged. */
static void
ocr_apply_filters(size_t n)
{
    struct ocr_port *p = &ocr_ports[n];
    size_t n_want = offload_cpus_n_filters(ocr_aligner, n);
    bool keep[NIC_MAX_FILTERS] = { false };
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

    for (size_t i = 0; i < n_want; i++) {
        const struct offload_cpus_filter *want
            = offload_cpus_get_filter(ocr_aligner, n, i);
        size_t k;

        for (k = 0; k < p->n_filters; k++) {
            if (p->filters[k].flow_id == want->flow_id) {
                break;
            }
        }
        if (k < p->n_filters && p->filters[k].queue == want->queue) {
            keep[k] = true;
            continue;
        }
        const struct ocr_flow *f = ocr_find_flow(p, want->flow_id);
        if (!f) {
            continue;           /* Gone from the NIC's table. */
        }
        if (k < p->n_filters) {
            nic_filter_del(p->nic, p->port, p->filters[k].nic_id);
        } else if (p->n_filters >= NIC_MAX_FILTERS) {
            continue;
        } else {
            k = p->n_filters++;
            p->filters[k] = (struct ocr_filter) {
                .flow_id = f->id, .name = xstrdup(f->name),
            };
        }
        struct nic_filter nf = { .match = f->match,
                                 .priority = OCR_FILTER_PRIO,
                                 .queue = want->queue };
        int error = nic_filter_add(p->nic, p->port, &nf,
                                   &p->filters[k].nic_id);
        if (error) {
            VLOG_WARN_RL(&rl, "%s: queue filter for flow %s failed (%s)",
                         p->iface, f->name, ovs_strerror(error));
            /* Not on the NIC: forgotten, asked for again next round. */
            free(p->filters[k].name);
            p->filters[k] = p->filters[--p->n_filters];
            keep[k] = keep[p->n_filters];
            continue;
        }
        VLOG_INFO("%s: flow %s steered to queue %"PRIu32" by a filter "
                  "(entry %"PRIu32" names queue %"PRIu16")", p->iface,
                  f->name, want->queue, want->entry,
                  offload_cpus_reta(ocr_aligner, n)[want->entry]);
        p->filters[k].queue = want->queue;
        keep[k] = true;
    }
    for (size_t k = 0; k < p->n_filters; ) {
        if (keep[k]) {
            k++;
            continue;
        }
        nic_filter_del(p->nic, p->port, p->filters[k].nic_id);
        VLOG_INFO("%s: flow %s: queue filter removed", p->iface,
                  p->filters[k].name);
        free(p->filters[k].name);
        p->filters[k] = p->filters[--p->n_filters];
        keep[k] = keep[p->n_filters];
    }
}

/* Writes the mapping: pmd-rxq-affinity of each placed port (left alone
 * in manual mode), the NIC's indirection table and its queue filters. */
static void
ocr_apply(void)
{
    struct ovsdb_idl *idl = offload_config_ovs_idl();
    struct ovsdb_idl_txn *txn = NULL;
    const struct ovsrec_interface *iface;

    for (size_t n = 0; n < ocr_n_ports; n++) {
        struct ocr_port *p = &ocr_ports[n];
        char *aff = ocr_affinity(n);

        if (!aff) {
            continue;
        }
        OVSREC_INTERFACE_FOR_EACH (iface, idl) {
            if (strcmp(iface->name, p->iface)) {
                continue;
            }
            const char *cur = smap_get(&iface->other_config,
                                       "pmd-rxq-affinity");
            if (!cur || strcmp(cur, aff)) {
                if (!txn) {
                    txn = ovsdb_idl_txn_create(idl);
                    ovsdb_idl_txn_add_comment(
                        txn, "ovs-vswitchd-offload: CPU alignment");
                }
                ovsrec_interface_update_other_config_setkey(
                    iface, "pmd-rxq-affinity", aff);
                VLOG_INFO("%s: pmd-rxq-affinity=%s (mode %s)", p->iface,
                          aff, offload_cpus_mode_to_string(
                              offload_cpus_nic_mode(ocr_aligner, n)));
            }
        }
        free(aff);

        const uint16_t *reta = offload_cpus_reta(ocr_aligner, n);
        if (offload_queues_run_manages(p->nic, p->port)) {
            /* The queue manager keeps RSS on the default queue group;
             * spreading it over the dedicated queues would undo that.
             * Its filters are its own too. */
            p->reta_applied = false;
            ocr_filters_clear(p);
            continue;
        }
        ocr_apply_filters(n);
        if (!p->reta_applied
            || memcmp(reta, p->applied_reta, sizeof p->applied_reta)) {
            int error = nic_rss_set(p->nic, p->port, NULL, reta,
                                    NIC_RSS_RETA_SIZE);
            if (error && error != EOPNOTSUPP) {
                static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
                VLOG_WARN_RL(&rl, "%s: setting the indirection table "
                             "failed (%s)", p->iface, ovs_strerror(error));
            } else {
                memcpy(p->applied_reta, reta, sizeof p->applied_reta);
                p->reta_applied = true;
            }
        }
    }
    if (txn) {
        ovsdb_idl_txn_commit(txn);
        ovsdb_idl_txn_destroy(txn);
    }
}

static void
ocr_reconfigure(long long int now)
{
    struct ocr_build b;
    char *error;
    size_t n_ports;
    struct ocr_port *ports = ocr_list_ports(&n_ports);

    if (!ocr_build(&b, ports, n_ports, &error)) {
        ocr_refuse(error);
        ocr_ports_free(ports, n_ports);
        ocr_build_destroy(&b);
        return;
    }
    if (!b.text.length) {
        /* No mode anywhere: the daemon stays out of PMD affinity, and
         * steers no flow. */
        ocr_active = false;
        for (size_t n = 0; n < ocr_n_ports; n++) {
            ocr_filters_clear(&ocr_ports[n]);
        }
        ocr_set_error(NULL);
        ocr_ports_free(ports, n_ports);
        ocr_build_destroy(&b);
        return;
    }
    ocr_active = true;
    ocr_cost_ns = b.cost_ns;
    ocr_use_cycles = !b.cost_set;
    ocr_period = MAX(50, MIN(4 * OCR_PERIOD_MS, b.cfg.interval_ms / 4));
    if (ocr_config && !strcmp(ocr_config, ds_cstr(&b.text))) {
        ocr_ports_free(ports, n_ports);
        ocr_build_destroy(&b);
        ocr_apply();
        return;
    }

    struct offload_cpus *aligner = offload_cpus_create();
    if (offload_cpus_set_config(aligner, &b.cfg, now, &error)) {
        ocr_refuse(error);
        offload_cpus_destroy(aligner);
        ocr_ports_free(ports, n_ports);
        ocr_build_destroy(&b);
        return;
    }
    VLOG_INFO("CPU alignment: mode %s on %"PRIuSIZE" ports, %"PRIuSIZE
              " CPUs", offload_cpus_mode_to_string(b.cfg.mode), n_ports,
              b.cfg.n_cpus);
    offload_cpus_destroy(ocr_aligner);
    ocr_aligner = aligner;
    ocr_ports_free(ocr_ports, ocr_n_ports);
    ocr_ports = ports;
    ocr_n_ports = n_ports;
    free(ocr_config);
    ocr_config = ds_steal_cstr(&b.text);
    free(ocr_refused);
    ocr_refused = NULL;
    ocr_set_error(NULL);
    ocr_build_destroy(&b);
    ocr_apply();
}

/* dpif-netdev's figures. */

static void
ocr_pmd_disconnect(void)
{
    jsonrpc_close(ocr_pmd.rpc);
    ocr_pmd.rpc = NULL;
    json_destroy(ocr_pmd.stats_id);
    json_destroy(ocr_pmd.rxqs_id);
    ocr_pmd.stats_id = ocr_pmd.rxqs_id = NULL;
    ocr_pmd.asked = false;
    offload_cpus_pmd_sample_clear(&ocr_pmd.next);
}

static void
ocr_pmd_fail(const char *what, int error)
{
    if (!ocr_pmd.failures++) {
        VLOG_WARN("dpif-netdev's PMD figures: %s (%s); loads from the "
                  "NIC's counters until they come", what,
                  error ? ovs_strerror(error) : "bad reply");
    }
    ocr_pmd_disconnect();
    ocr_pmd.has_cur = ocr_pmd.has_prev = false;
}

/* Sends "dpif-netdev/pmd-stats-show" and "dpif-netdev/pmd-rxq-show" to
 * our own control socket, unless they are under way. */
static void
ocr_pmd_request(long long int now)
{
    if (!ocr_pmd.name || ocr_pmd.asked) {
        return;
    }
    if (!ocr_pmd.rpc) {
        struct stream *stream;
        int error = stream_open(ocr_pmd.name, &stream, DSCP_DEFAULT);
        if (error) {
            ocr_pmd_fail("cannot connect to the control socket", error);
            return;
        }
        ocr_pmd.rpc = jsonrpc_open(stream);
    }
    static const char *const cmds[2] = { "dpif-netdev/pmd-stats-show",
                                         "dpif-netdev/pmd-rxq-show" };
    struct json **ids[2] = { &ocr_pmd.stats_id, &ocr_pmd.rxqs_id };
    for (int i = 0; i < 2; i++) {
        struct jsonrpc_msg *msg = jsonrpc_create_request(
            cmds[i], json_array_create_empty(), NULL);
        *ids[i] = json_clone(msg->id);
        int error = jsonrpc_send(ocr_pmd.rpc, msg);
        if (error) {
            ocr_pmd_fail("cannot send a request", error);
            return;
        }
    }
    ocr_pmd.asked = true;
    ocr_pmd.asked_ms = now;
}

/* Takes the replies that came.  A sample is complete with both. */
static void
ocr_pmd_receive(void)
{
    if (!ocr_pmd.rpc) {
        return;
    }
    jsonrpc_run(ocr_pmd.rpc);
    while (ocr_pmd.rpc && (ocr_pmd.stats_id || ocr_pmd.rxqs_id)) {
        struct jsonrpc_msg *msg;
        int error = jsonrpc_recv(ocr_pmd.rpc, &msg);
        if (error == EAGAIN) {
            break;
        } else if (error) {
            ocr_pmd_fail("the control socket closed", error);
            break;
        }
        bool is_stats = (ocr_pmd.stats_id
                         && json_equal(msg->id, ocr_pmd.stats_id));
        bool is_rxqs = (ocr_pmd.rxqs_id
                        && json_equal(msg->id, ocr_pmd.rxqs_id));
        const char *text = (msg->type == JSONRPC_REPLY && msg->result
                            && msg->result->type == JSON_STRING
                            ? json_string(msg->result) : NULL);
        if (is_stats || is_rxqs) {
            if (!text
                || (is_stats
                    ? offload_cpus_parse_pmd_stats(text, &ocr_pmd.next)
                    : offload_cpus_parse_pmd_rxqs(text, &ocr_pmd.next))) {
                jsonrpc_msg_destroy(msg);
                ocr_pmd_fail(is_stats ? "pmd-stats-show" : "pmd-rxq-show",
                             0);
                break;
            }
            struct json **id = is_stats ? &ocr_pmd.stats_id
                                        : &ocr_pmd.rxqs_id;
            json_destroy(*id);
            *id = NULL;
        }
        jsonrpc_msg_destroy(msg);
    }
    if (ocr_pmd.rpc && ocr_pmd.asked && !ocr_pmd.stats_id
        && !ocr_pmd.rxqs_id) {
        ocr_pmd.asked = false;
        offload_cpus_pmd_sample_clear(&ocr_pmd.prev);
        ocr_pmd.prev = ocr_pmd.cur;
        ocr_pmd.prev_tsc = ocr_pmd.cur_tsc;
        ocr_pmd.has_prev = ocr_pmd.has_cur;
        ocr_pmd.cur = ocr_pmd.next;
        memset(&ocr_pmd.next, 0, sizeof ocr_pmd.next);
        ocr_pmd.cur_tsc = cycles_counter_update(&ocr_tsc);
        ocr_pmd.has_cur = true;
        ocr_pmd.ready = true;
        ocr_pmd.failures = 0;
    }
}

/* Busy fraction of PMD 'core' between the last two samples, or -1. */
static double
ocr_pmd_busy(int core)
{
    if (!ocr_pmd.has_prev || ocr_pmd.cur_tsc <= ocr_pmd.prev_tsc) {
        return -1;
    }
    const struct offload_cpus_pmd *a = offload_cpus_pmd_find(&ocr_pmd.prev,
                                                             core);
    const struct offload_cpus_pmd *b = offload_cpus_pmd_find(&ocr_pmd.cur,
                                                             core);
    if (!a || !b || b->busy < a->busy) {
        return -1;              /* New PMD, or pmd-stats-clear. */
    }
    return MIN(1.0, (double) (b->busy - a->busy)
                    / (ocr_pmd.cur_tsc - ocr_pmd.prev_tsc));
}

/* Reads the port's heavy hitters: packets of each since the last round. */
static void
ocr_read_flows(struct ocr_port *p)
{
    struct nic_host_flow hfs[OCR_MAX_FLOWS];
    size_t n = nic_host_flows(p->nic, p->port, hfs, OCR_MAX_FLOWS);

    for (size_t i = 0; i < p->n_flows; i++) {
        p->flows[i].seen = false;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t id = nic_host_flow_id(&hfs[i]);
        struct ocr_flow *f = ocr_find_flow(p, id);

        if (!f && p->n_flows < OCR_MAX_FLOWS) {
            f = &p->flows[p->n_flows++];
            memset(f, 0, sizeof *f);
            f->id = id;
            f->seq = hfs[i].seq + 1;    /* Fresh below. */
            f->name = nic_host_flow_name(&hfs[i]);
            nic_host_flow_match(&hfs[i], &f->match);
            f->entry = (nic_host_flow_rss_hash(&hfs[i], NULL)
                        % NIC_RSS_RETA_SIZE);
        } else if (!f) {
            continue;
        }
        f->fresh = f->seq != hfs[i].seq;
        f->pkts = (!f->fresh && hfs[i].n_packets >= f->last_pkts
                   ? hfs[i].n_packets - f->last_pkts : 0);
        f->seq = hfs[i].seq;
        f->last_pkts = hfs[i].n_packets;
        f->seen = true;
    }
    for (size_t i = 0; i < p->n_flows; ) {
        if (p->flows[i].seen) {
            i++;
        } else {
            free(p->flows[i].name);
            p->flows[i] = p->flows[--p->n_flows];
        }
    }
}

/* The queue that flow 'f' of port 'n' lands on now. */
static uint32_t
ocr_flow_queue(size_t n, const struct ocr_flow *f)
{
    for (size_t i = 0; i < offload_cpus_n_filters(ocr_aligner, n); i++) {
        const struct offload_cpus_filter *filter
            = offload_cpus_get_filter(ocr_aligner, n, i);
        if (filter->flow_id == f->id) {
            return filter->queue;
        }
    }
    return offload_cpus_reta(ocr_aligner, n)[f->entry];
}

/* The heavy flows of port 'n' for the aligner, in 'out' (at most
 * OCR_MAX_HEAVY): a flow with at least OCR_HEAVY_SHARE of its queue's
 * packets and OCR_HEAVY_MIN of a CPU, or one that has a filter already
 * (or the aligner would drop it).  Its load is its share of its queue's. */
static size_t
ocr_heavy_flows(size_t n, const double *ql, const uint64_t *qpkts,
                struct offload_cpus_flow_load *out)
{
    struct ocr_port *p = &ocr_ports[n];
    size_t k = 0;

    for (size_t i = 0; i < p->n_flows && k < OCR_MAX_HEAVY; i++) {
        const struct ocr_flow *f = &p->flows[i];
        uint32_t q = ocr_flow_queue(n, f);
        bool filtered = false;

        for (size_t j = 0; j < p->n_filters; j++) {
            filtered |= p->filters[j].flow_id == f->id;
        }
        if (q >= p->n_rxq || (!qpkts[q] && !filtered)) {
            continue;
        }
        double share = qpkts[q] ? MIN(1.0, (double) f->pkts / qpkts[q]) : 0;
        double load = ql[q] * share;
        if (filtered || (share >= OCR_HEAVY_SHARE && load >= OCR_HEAVY_MIN)) {
            out[k++] = (struct offload_cpus_flow_load) {
                .id = f->id, .name = f->name, .entry = f->entry,
                .load = load,
            };
        }
    }
    return k;
}

/* One round of the aligner.  A queue's load is its PMD's busy cycles
 * (dpif-netdev) times the queue's share of the packets the NIC gave that
 * PMD's queues (the NIC's queue counters); without cycle figures (or with
 * cpu_packet_cost set), packets per second times cpu_packet_cost.  The
 * NIC's heavy hitters split a queue's load into entries and flows.
 * Decisions are logged with their figures and the result applied. */
static void
ocr_measure(long long int now)
{
    struct offload_cpus_nic_load *loads = xcalloc(ocr_n_ports + 1,
                                                  sizeof *loads);
    struct offload_cpus_flow_load (*heavy)[OCR_MAX_HEAVY]
        = xcalloc(ocr_n_ports + 1, sizeof *heavy);
    uint64_t (*qpkts)[NIC_RSS_RETA_SIZE] = xcalloc(ocr_n_ports + 1,
                                                   sizeof *qpkts);
    int (*qcore)[NIC_RSS_RETA_SIZE] = xcalloc(ocr_n_ports + 1,
                                              sizeof *qcore);
    size_t n_cpus = offload_cpus_n_cpus(ocr_aligner);
    double *core_pkts = xcalloc(n_cpus + 1, sizeof *core_pkts);
    double *cpu_other = xcalloc(n_cpus + 1, sizeof *cpu_other);
    long long int *elapsed = xcalloc(ocr_n_ports + 1, sizeof *elapsed);
    bool cycles = ocr_use_cycles && ocr_pmd.has_prev;

    /* Packets per queue since the last round, and the PMD polling it. */
    for (size_t n = 0; n < ocr_n_ports; n++) {
        struct ocr_port *p = &ocr_ports[n];

        for (uint32_t q = 0; q < p->n_rxq; q++) {
            struct nic_queue_stats st;

            qcore[n][q] = -1;
            if (nic_queue_stats(p->nic, p->port, q, &st)) {
                continue;
            }
            if (p->last_ms && st.packets >= p->last_pkts[q]) {
                qpkts[n][q] = st.packets - p->last_pkts[q];
            }
            p->last_pkts[q] = st.packets;
            qcore[n][q] = (cycles
                           ? offload_cpus_rxq_core(&ocr_pmd.cur, p->iface, q)
                           : -1);
            if (qcore[n][q] < 0) {
                qcore[n][q] = offload_cpus_queue_cpu(ocr_aligner, n, q);
            }
            for (size_t c = 0; c < n_cpus; c++) {
                if (offload_cpus_get_cpu(ocr_aligner, c)->id == qcore[n][q]) {
                    core_pkts[c] += qpkts[n][q];
                }
            }
        }
        elapsed[n] = p->last_ms && now > p->last_ms ? now - p->last_ms : 0;
        p->last_ms = now;
        ocr_read_flows(p);
    }
    /* A PMD's busy cycles that no queue of ours explains (other ports). */
    for (size_t c = 0; cycles && c < n_cpus; c++) {
        double busy = ocr_pmd_busy(offload_cpus_get_cpu(ocr_aligner, c)->id);
        cpu_other[c] = !core_pkts[c] && busy > 0 ? busy : 0;
    }

    for (size_t n = 0; n < ocr_n_ports; n++) {
        struct ocr_port *p = &ocr_ports[n];
        double ql[NIC_RSS_RETA_SIZE] = { 0 };

        for (uint32_t q = 0; q < p->n_rxq && elapsed[n]; q++) {
            double busy = cycles ? ocr_pmd_busy(qcore[n][q]) : -1;
            double on_core = 0;

            for (size_t c = 0; c < n_cpus; c++) {
                if (offload_cpus_get_cpu(ocr_aligner, c)->id == qcore[n][q]) {
                    on_core = core_pkts[c];
                }
            }
            if (busy >= 0 && on_core) {
                ql[q] = busy * qpkts[n][q] / on_core;
            } else if (busy < 0) {
                ql[q] = (qpkts[n][q] * 1000.0 / elapsed[n]) * ocr_cost_ns
                        / 1e9;
            }
        }
        loads[n].flows = heavy[n];
        loads[n].n_flows = ocr_heavy_flows(n, ql, qpkts[n], heavy[n]);
        offload_cpus_estimate_entries(ocr_aligner, n, ql, &loads[n]);
    }
    size_t n_decisions = offload_cpus_run(ocr_aligner, loads,
                                          cycles ? cpu_other : NULL, now);
    for (size_t i = 0; i < n_decisions; i++) {
        const struct offload_cpus_decision *d
            = offload_cpus_get_decision(ocr_aligner, i);
        if (d->type != OFFLOAD_CPUS_PLACE) {
            VLOG_INFO("CPU re-distribution (%s): %s",
                      offload_cpus_decision_to_string(d->type), d->text);
        }
    }
    free(elapsed);
    free(cpu_other);
    free(core_pkts);
    free(qcore);
    free(qpkts);
    free(heavy);
    free(loads);
    ocr_apply();
}

/* Where the loads come from, for offload/cpus. */
static const char *
ocr_load_source(void)
{
    return (ocr_use_cycles
            ? "dpif-netdev PMD cycles, split by NIC queue counters"
            : "NIC queue counters x cpu_packet_cost");
}

static void
ocr_unixctl_show(struct unixctl_conn *conn, int argc_, const char *argv_[],
                 void *aux OVS_UNUSED)
{
    bool json;

    if (!unixctl_format_parse_only(conn, argc_, argv_, "offload/cpus",
                                   &json)) {
        return;
    }
    const struct offload_cpus_decision *last
        = ocr_aligner ? offload_cpus_last_move(ocr_aligner) : NULL;
    if (json) {
        struct json *j = json_object_create();
        json_object_put(j, "active", json_boolean_create(ocr_active));
        json_object_put_string(j, "mode", ocr_aligner && ocr_active
                               ? offload_cpus_mode_to_string(
                                   offload_cpus_global_mode(ocr_aligner))
                               : "none");
        if (ocr_error) {
            json_object_put_string(j, "error", ocr_error);
        }
        json_object_put_string(j, "loads", ocr_load_source());
        json_object_put(j, "rounds", json_integer_create(ocr_rounds));
        /* Whether the last round had PMD cycles (else counters x 1000). */
        json_object_put(j, "pmd_cycles", json_boolean_create(
                            ocr_use_cycles && ocr_pmd.has_prev));
        struct json *cpus = json_array_create_empty();
        struct json *ports = json_array_create_empty();
        for (size_t c = 0; ocr_aligner && c < offload_cpus_n_cpus(ocr_aligner);
             c++) {
            const struct offload_cpus_cpu *cpu
                = offload_cpus_get_cpu(ocr_aligner, c);
            struct json *o = json_object_create();
            json_object_put(o, "core", json_integer_create(cpu->id));
            json_object_put(o, "numa", json_integer_create(cpu->numa));
            json_object_put(o, "load", json_real_create(
                                offload_cpus_cpu_load(ocr_aligner, c)));
            json_array_add(cpus, o);
        }
        for (size_t n = 0; ocr_aligner && n < offload_cpus_n_nics(ocr_aligner);
             n++) {
            struct json *o = json_object_create();
            struct json *qs = json_array_create_empty();
            json_object_put_string(o, "port",
                                   offload_cpus_nic_name(ocr_aligner, n));
            json_object_put_string(o, "mode", offload_cpus_mode_to_string(
                                       offload_cpus_nic_mode(ocr_aligner, n)));
            for (uint32_t q = 0;
                 q < offload_cpus_nic_n_queues(ocr_aligner, n); q++) {
                struct json *qo = json_object_create();
                json_object_put(qo, "queue", json_integer_create(q));
                json_object_put(qo, "core", json_integer_create(
                                    offload_cpus_queue_cpu(ocr_aligner, n,
                                                           q)));
                json_object_put(qo, "load", json_real_create(
                                    offload_cpus_queue_load(ocr_aligner, n,
                                                            q)));
                json_array_add(qs, qo);
            }
            json_object_put(o, "queues", qs);
            struct json *fs = json_array_create_empty();
            for (size_t i = 0; n < ocr_n_ports && i < ocr_ports[n].n_filters;
                 i++) {
                struct json *fo = json_object_create();
                json_object_put_string(fo, "flow",
                                       ocr_ports[n].filters[i].name);
                json_object_put(fo, "queue", json_integer_create(
                                    ocr_ports[n].filters[i].queue));
                json_array_add(fs, fo);
            }
            json_object_put(o, "filters", fs);
            json_array_add(ports, o);
        }
        json_object_put(j, "cpus", cpus);
        json_object_put(j, "ports", ports);
        if (last) {
            struct json *o = json_object_create();
            const char *type = offload_cpus_decision_to_string(last->type);

            json_object_put_string(o, "type", type);
            json_object_put_string(o, "why", last->text);
            json_object_put(o, "max_before",
                            json_real_create(last->max_before));
            json_object_put(o, "max_after",
                            json_real_create(last->max_after));
            json_object_put(j, "last_move", o);
        }
        unixctl_format_reply_json(conn, j);
        return;
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "mode: %s\n", ocr_aligner && ocr_active
                  ? offload_cpus_mode_to_string(
                      offload_cpus_global_mode(ocr_aligner))
                  : "none (pmd-rxq-affinity left alone)");
    if (ocr_error) {
        ds_put_format(&s, "error: %s (previous mapping in force)\n",
                      ocr_error);
    }
    if (ocr_aligner && ocr_active) {
        ds_put_format(&s, "loads: %s\n", ocr_load_source());
    }
    for (size_t c = 0; ocr_aligner && c < offload_cpus_n_cpus(ocr_aligner);
         c++) {
        const struct offload_cpus_cpu *cpu = offload_cpus_get_cpu(ocr_aligner,
                                                                  c);
        ds_put_format(&s, "core %d (numa %d) load %.2f:", cpu->id, cpu->numa,
                      offload_cpus_cpu_load(ocr_aligner, c));
        for (size_t n = 0; n < offload_cpus_n_nics(ocr_aligner); n++) {
            for (uint32_t q = 0;
                 q < offload_cpus_nic_n_queues(ocr_aligner, n); q++) {
                if (offload_cpus_queue_cpu(ocr_aligner, n, q) == cpu->id) {
                    ds_put_format(&s, " %s/%"PRIu32,
                                  offload_cpus_nic_name(ocr_aligner, n), q);
                }
            }
        }
        ds_put_char(&s, '\n');
    }
    for (size_t n = 0; ocr_aligner && n < offload_cpus_n_nics(ocr_aligner);
         n++) {
        ds_put_format(&s, "port %s: mode %s\n",
                      offload_cpus_nic_name(ocr_aligner, n),
                      offload_cpus_mode_to_string(
                          offload_cpus_nic_mode(ocr_aligner, n)));
        for (size_t i = 0; n < ocr_n_ports && i < ocr_ports[n].n_filters;
             i++) {
            ds_put_format(&s, "  flow %s: queue %"PRIu32" (filter)\n",
                          ocr_ports[n].filters[i].name,
                          ocr_ports[n].filters[i].queue);
        }
    }
    ds_put_format(&s, "last re-distribution: %s\n",
                  last ? last->text : "none");
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
offload_cpus_run_init(const char *unixctl_path)
{
    if (unixctl_path && unixctl_path[0] == '/') {
        ocr_pmd.name = xasprintf("unix:%s", unixctl_path);
    }
    unixctl_command_register("offload/cpus", "[--format text|json]", 0,
                             UNIXCTL_FORMAT_MAX_ARGS, ocr_unixctl_show,
                             NULL);
}

void
offload_cpus_run_run(void)
{
    struct ovsdb_idl *idl = offload_config_ovs_idl();

    if (!idl) {
        return;
    }
    long long int now = time_msec();
    ocr_pmd_receive();
    if (ocr_pmd.ready) {
        /* The round of the last request: its figures came. */
        ocr_pmd.ready = false;
        if (ocr_aligner && ocr_active && ocr_use_cycles) {
            ocr_rounds++;
            ocr_measure(now);
        }
    } else if (ocr_pmd.asked
               && now - ocr_pmd.asked_ms > 2 * ocr_period + 1000) {
        ocr_pmd_fail("no reply", ETIMEDOUT);
    }
    if (now < ocr_next || !ovsdb_idl_has_ever_connected(idl)) {
        return;
    }
    ocr_next = now + ocr_period;
    ocr_reconfigure(now);
    if (ocr_aligner && ocr_active) {
        if (ocr_use_cycles) {
            ocr_pmd_request(now);
        }
        if (!ocr_use_cycles || !ocr_pmd.rpc) {
            ocr_rounds++;
            ocr_measure(now);
        }
    }
}

void
offload_cpus_run_wait(void)
{
    if (ocr_pmd.rpc) {
        jsonrpc_wait(ocr_pmd.rpc);
        if (ocr_pmd.asked) {
            jsonrpc_recv_wait(ocr_pmd.rpc);
        }
    }
    if (ocr_next != LLONG_MIN) {
        poll_timer_wait_until(ocr_next);
    }
}

void
offload_cpus_run_exit(void)
{
    ocr_pmd_disconnect();
    offload_cpus_pmd_sample_clear(&ocr_pmd.cur);
    offload_cpus_pmd_sample_clear(&ocr_pmd.prev);
    free(ocr_pmd.name);
    memset(&ocr_pmd, 0, sizeof ocr_pmd);
    ocr_ports_free(ocr_ports, ocr_n_ports);
    ocr_ports = NULL;
    ocr_n_ports = 0;
    offload_cpus_destroy(ocr_aligner);
    ocr_aligner = NULL;
    free(ocr_config);
    ocr_config = NULL;
    free(ocr_error);
    ocr_error = NULL;
    free(ocr_refused);
    ocr_refused = NULL;
}

void
offload_cpus_run_global_status(struct smap *status)
{
    if (ocr_active && ocr_aligner) {
        smap_add(status, "cpu_mode", offload_cpus_mode_to_string(
                     offload_cpus_global_mode(ocr_aligner)));
        const struct offload_cpus_decision *last
            = offload_cpus_last_move(ocr_aligner);
        if (last) {
            smap_add(status, "cpu_last_move", last->text);
        }
    }
    if (ocr_error) {
        smap_add(status, "cpu_error", ocr_error);
    }
}

void
offload_cpus_run_nic_status(const struct nic *nic, struct smap *status)
{
    if (!ocr_active || !ocr_aligner) {
        return;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    for (size_t n = 0; n < ocr_n_ports; n++) {
        if (ocr_ports[n].nic != nic) {
            continue;
        }
        char *aff = ocr_affinity(n);
        ds_put_format(&s, "%s%s=%s", s.length ? " " : "",
                      ocr_ports[n].iface, aff ? aff : "manual");
        free(aff);
    }
    if (s.length) {
        smap_add(status, "cpu_map", ds_cstr(&s));
    }
    ds_destroy(&s);
}
