/* SPDX-License-Identifier: Apache-2.0 */
/* The netdev flow-API provider of NIC ports: feeds dpif-netdev's datapath
 * flows into the offload engine. */
#include <config.h>

#include "datapath-offload/netdev-offload-nic.h"

#include <errno.h>
#include <string.h>

#include "datapath-offload/dpif-netdev-ufid.h"
#include "datapath-offload/netdev-nic.h"
#include "datapath-offload/netdev-offload-rates.h"
#include "dpif.h"
#include "flow.h"
#include "dpif-netdev.h"
#include "lib/nic.h"
#include "lib/offload-engine.h"
#include "lib/offload-translate.h"
#include "lib/offload-verify.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofpbuf.h"
#include "netdev-offload-provider.h"
#include "netdev-provider.h"
#include "openvswitch/match.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "openvswitch/poll-loop.h"
#include "simap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(netdev_offload_nic);


static struct ovs_mutex netdev_offload_mutex = OVS_MUTEX_INITIALIZER;
static atomic_int run_interval = NETDEV_OFFLOAD_DEFAULT_INTERVAL;
static long long int next_run;          /* Main thread only. */
/* Whether OVS's flow API was on at the last run (main thread only). */
static bool flow_api_was_enabled;
/* Type of the datapath whose flows we have seen ("netdev", or "dummy" in
 * tests).  OVS's port map compares these strings by address, so this is
 * the pointer netdevs carry, not a copy. */
static const char *seen_dpif_type OVS_GUARDED_BY(netdev_offload_mutex);

static const char *
netdev_offload_dpif_type(void)
{
    const char *type;

    ovs_mutex_lock(&netdev_offload_mutex);
    type = seen_dpif_type;
    ovs_mutex_unlock(&netdev_offload_mutex);
    return type;
}



/* Whether 'netdev' is a userspace VXLAN or Geneve tunnel port, whose
 * decapsulated packets the NIC can look up again (on its tunnel port of
 * the same datapath port number). */
static bool
netdev_offload_is_tunnel(const struct netdev *netdev)
{
    const char *type = netdev_get_type(netdev);

    return !strcmp(type, "vxlan") || !strcmp(type, "geneve");
}

/* The NIC that decapsulates for tunnel ports: the one that holds every
 * uplink (the underlay's ports), referenced; false if there is none or
 * more than one, when the flows of tunnel ports stay on the host. */
static bool
netdev_offload_tunnel_nic(struct nic **nicp)
{
    struct netdev_nic_port *ports;
    struct nic *found = NULL;
    bool ok = true;
    size_t n;

    netdev_nic_list_ports(&ports, &n);
    for (size_t i = 0; i < n; i++) {
        if (!nic_port_is_vf(ports[i].port)) {
            if (found && found != ports[i].nic) {
                ok = false;
            }
            found = ports[i].nic;
        }
    }
    ok = ok && found && !nic_ref(found, nicp);
    netdev_nic_ports_free(ports, n);
    return ok;
}

/* Tunnel ports that flows were put on.  dpif-netdev tells no flow API
 * about the flows of a deleted port (it finds no netdev to tell), so the
 * periodic run flushes the NIC's tunnel port of each that went. */
#define NETDEV_OFFLOAD_MAX_TUNNELS 64
static uint32_t tunnel_ports[NETDEV_OFFLOAD_MAX_TUNNELS]
    OVS_GUARDED_BY(netdev_offload_mutex);
static size_t n_tunnel_ports OVS_GUARDED_BY(netdev_offload_mutex);

static bool
netdev_offload_tunnel_note(uint32_t odp)
{
    bool ok = true;

    ovs_mutex_lock(&netdev_offload_mutex);
    size_t i;
    for (i = 0; i < n_tunnel_ports && tunnel_ports[i] != odp; i++) {
        continue;
    }
    if (i == n_tunnel_ports) {
        ok = n_tunnel_ports < NETDEV_OFFLOAD_MAX_TUNNELS;
        if (ok) {
            tunnel_ports[n_tunnel_ports++] = odp;
        }
    }
    ovs_mutex_unlock(&netdev_offload_mutex);
    return ok;
}

static void
netdev_offload_tunnel_gc(void)
{
    const char *type = netdev_offload_dpif_type();
    uint32_t gone[NETDEV_OFFLOAD_MAX_TUNNELS];
    size_t n_gone = 0;

    if (!type) {
        return;
    }
    ovs_mutex_lock(&netdev_offload_mutex);
    for (size_t i = 0; i < n_tunnel_ports; ) {
        struct netdev *netdev = netdev_ports_get(u32_to_odp(tunnel_ports[i]),
                                                 type);
        bool present = netdev && netdev_offload_is_tunnel(netdev);

        netdev_close(netdev);
        if (present) {
            i++;
        } else {
            gone[n_gone++] = tunnel_ports[i];
            tunnel_ports[i] = tunnel_ports[--n_tunnel_ports];
        }
    }
    ovs_mutex_unlock(&netdev_offload_mutex);

    struct nic *nic;
    if (n_gone && netdev_offload_tunnel_nic(&nic)) {
        for (size_t i = 0; i < n_gone; i++) {
            offload_engine_flush_port(nic, NIC_PORT_TUNNEL_BASE + gone[i]);
        }
        nic_close(nic);
    }
}

/* Resolves datapath ports to ports of one NIC for the translator. */
struct netdev_offload_resolver {
    const struct nic *nic;
    const char *dpif_type;
    char name[64];                      /* Last name looked up. */
};

static bool
netdev_offload_resolve(const void *aux_, odp_port_t odp_port,
                       uint32_t *nic_port)
{
    const struct netdev_offload_resolver *aux = aux_;
    struct netdev *netdev = netdev_ports_get(odp_port, aux->dpif_type);
    struct nic *nic;
    bool ok = false;

    if (netdev) {
        if (netdev_offload_is_tunnel(netdev)) {
            *nic_port = NIC_PORT_TUNNEL_BASE + odp_to_u32(odp_port);
            ok = odp_to_u32(odp_port) < NIC_PORT_TUNNEL_BASE;
        } else {
            ok = (netdev_nic_get_port(netdev, &nic, nic_port)
                  && nic == aux->nic);
        }
        netdev_close(netdev);
    }
    return ok;
}

static const char *
netdev_offload_port_name(const void *aux_, odp_port_t odp_port)
{
    struct netdev_offload_resolver *aux = CONST_CAST(
        struct netdev_offload_resolver *, aux_);
    struct netdev *netdev = netdev_ports_get(odp_port, aux->dpif_type);

    if (netdev) {
        ovs_strlcpy(aux->name, netdev_get_name(netdev), sizeof aux->name);
        netdev_close(netdev);
    } else {
        snprintf(aux->name, sizeof aux->name, "port %"PRIu32,
                 odp_to_u32(odp_port));
    }
    return aux->name;
}

static int
netdev_offload_nic_flow_put(struct netdev *netdev, struct match *match,
                               struct nlattr *actions, size_t actions_len,
                               const ovs_u128 *ufid, struct offload_info *info,
                               struct dpif_flow_stats *stats)
{
    struct offload_translation xl;
    struct nic_caps caps;
    struct nic *nic;
    uint32_t port;

    if (!netdev_nic_ref_port(netdev, &nic, &port)) {
        uint32_t odp = odp_to_u32(match->flow.in_port.odp_port);

        /* A flow on a tunnel port: its rule is the NIC's second lookup,
         * after an uplink rule's tnl_pop (see offload_translate()). */
        if (!netdev_offload_is_tunnel(netdev) || odp >= NIC_PORT_TUNNEL_BASE
            || !netdev_offload_tunnel_note(odp)
            || !netdev_offload_tunnel_nic(&nic)) {
            return EOPNOTSUPP;
        }
        port = NIC_PORT_TUNNEL_BASE + odp;
    }
    struct netdev_offload_resolver aux = {
        .nic = nic,
        .dpif_type = netdev_get_dpif_type(netdev),
    };
    struct offload_port_resolver resolver = {
        .resolve = netdev_offload_resolve,
        .name = netdev_offload_port_name,
        .aux = &aux,
    };

    ovs_mutex_lock(&netdev_offload_mutex);
    seen_dpif_type = aux.dpif_type;
    ovs_mutex_unlock(&netdev_offload_mutex);

    /* The datapath's name of the flow, by which its rate is read. */
    netdev_offload_rates_learn_match(ufid, match);

    nic_get_caps(nic, &caps);
    offload_translate(match, actions, actions_len, &caps, &resolver,
                      info->flow_mark, ufid->u64.lo, &xl);

    struct offload_put put = {
        .ufid = ufid,
        .match = match,
        .actions = actions,
        .actions_len = actions_len,
        .in_port = match->flow.in_port.odp_port,
        .nic = nic,
        .nic_port = port,
        .mark = info->flow_mark,
        .xlate = &xl,
        .port_name = netdev_get_name(netdev),
    };
    /* Whatever the NIC does with it, the engine tracks the flow, so that
     * dpif-netdev keeps its mark and tells us when the flow goes. */
    offload_engine_flow_put(&put, time_msec());
    nic_close(nic);
    if (stats) {
        memset(stats, 0, sizeof *stats);
    }
    return 0;
}

/* 'netdev' is the flow's input port, whose NIC's type names the layer
 * that carries a fully offloaded flow. */
static void
netdev_offload_fill_stats(const struct netdev *netdev,
                          const struct offload_flow_status *st,
                          struct dpif_flow_stats *stats,
                          struct dpif_flow_attrs *attrs)
{
    if (stats) {
        memset(stats, 0, sizeof *stats);
        stats->n_packets = st->hw_packets;
        stats->n_bytes = st->hw_bytes;
        stats->used = st->hw_used;
    }
    if (attrs) {
        attrs->offloaded = st->installed;
        /* dpctl shows "offloaded" only for a layer other than "ovs"; a
         * partial offload's packets are still handled by "ovs". */
        struct nic *nic;
        uint32_t port;

        const char *layer = "ovs";

        if (netdev_nic_get_port(netdev, &nic, &port)) {
            layer = nic_get_type(nic);
        } else if (netdev_offload_is_tunnel(netdev)
                   && netdev_offload_tunnel_nic(&nic)) {
            /* The type is the NIC class's, which outlives the NIC. */
            layer = nic_get_type(nic);
            nic_close(nic);
        }
        attrs->dp_layer = (st->installed && st->kind == OFFLOAD_KIND_FULL
                           ? layer : "ovs");
        attrs->dp_extra_info = NULL;
    }
}

static int
netdev_offload_nic_flow_get(struct netdev *netdev,
                               struct match *match OVS_UNUSED,
                               struct nlattr **actions,
                               const ovs_u128 *ufid,
                               struct dpif_flow_stats *stats,
                               struct dpif_flow_attrs *attrs,
                               struct ofpbuf *wbuffer OVS_UNUSED)
{
    struct offload_flow_status st;
    int error;

    /* Whenever the flow is tracked, in the NIC or not, its full rules'
     * counts are part of its statistics: dpif-netdev adds them only when
     * this succeeds, and a total that dips and comes back would be pushed
     * to OpenFlow twice. */
    error = offload_engine_flow_get(ufid, &st);
    if (!error) {
        netdev_offload_fill_stats(netdev, &st, stats, attrs);
        if (actions) {
            *actions = NULL;
        }
    }
    return error;
}

static int
netdev_offload_nic_flow_del(struct netdev *netdev,
                               const ovs_u128 *ufid,
                               struct dpif_flow_stats *stats)
{
    struct offload_flow_status st;
    int error = offload_engine_flow_del(ufid, &st);

    netdev_offload_rates_forget(ufid);

    if (!error && stats) {
        netdev_offload_fill_stats(netdev, &st, stats, NULL);
    }
    return error;
}

static int
netdev_offload_nic_flow_flush(struct netdev *netdev)
{
    struct nic *nic;
    uint32_t port;

    if (netdev_nic_get_port(netdev, &nic, &port)) {
        offload_engine_flush_port(nic, port);
    }
    return 0;
}

static int
netdev_offload_nic_flow_get_n_flows(struct netdev *netdev,
                                       uint64_t *n_flows)
{
    struct nic *nic;
    uint32_t port;

    /* dpif-netdev sums this over ports; count each NIC once, on its
     * first uplink, so the sum is the number of rules. */
    if (!netdev_nic_get_port(netdev, &nic, &port)) {
        return EOPNOTSUPP;
    }
    n_flows[0] = port == 0 ? offload_engine_n_installed(nic) : 0;
    return 0;
}

static int
netdev_offload_nic_init_flow_api(struct netdev *netdev)
{
    struct nic *nic;
    uint32_t port;

    if (netdev_offload_is_tunnel(netdev)) {
        VLOG_INFO("%s: flow offload to NIC enabled (tunnel port, "
                  "decapsulated by the uplinks' NIC)",
                  netdev_get_name(netdev));
        return 0;
    }
    if (!netdev_nic_is_port(netdev)) {
        return EOPNOTSUPP;
    }
    if (!netdev_nic_get_port(netdev, &nic, &port)) {
        /* Not attached yet: OVS retries when the port is reconfigured. */
        VLOG_DBG("%s: not attached to a NIC yet", netdev_get_name(netdev));
    }
    VLOG_INFO("%s: flow offload to NIC enabled", netdev_get_name(netdev));
    return 0;
}

static void
netdev_offload_nic_uninit_flow_api(struct netdev *netdev)
{
    netdev_offload_nic_flow_flush(netdev);
}

static const struct netdev_flow_api netdev_offload_nic = {
    .type = "nic",
    .flow_flush = netdev_offload_nic_flow_flush,
    .flow_put = netdev_offload_nic_flow_put,
    .flow_get = netdev_offload_nic_flow_get,
    .flow_del = netdev_offload_nic_flow_del,
    .flow_get_n_flows = netdev_offload_nic_flow_get_n_flows,
    .init_flow_api = netdev_offload_nic_init_flow_api,
    .uninit_flow_api = netdev_offload_nic_uninit_flow_api,
};

void
netdev_offload_nic_register(void)
{
    netdev_register_flow_api_provider(&netdev_offload_nic);
}

void
netdev_offload_nic_set_interval(int ms)
{
    atomic_store_relaxed(&run_interval, ms);
    next_run = 0;
}

int
netdev_offload_nic_get_interval(void)
{
    int ms;

    atomic_read_relaxed(&run_interval, &ms);
    return ms;
}

/* Opens the datapath whose flows were offered, or returns NULL if none
 * was seen yet.  Opened per use: a handle kept open would keep a deleted
 * datapath alive. */
static struct dpif *netdev_offload_open_first_netdev_dpif(void);

static struct dpif *
netdev_offload_open_dpif(void)
{
    const char *type = netdev_offload_dpif_type();
    struct dpif *dpif;

    if (!type) {
        /* No flow offered yet (hw-offload off so far): the userspace
         * datapath, if any, still knows the port names. */
        return netdev_offload_open_first_netdev_dpif();
    }
    /* ofproto-dpif names a datapath of type T "ovs-T". */
    char *name = xasprintf("ovs-%s", type);
    if (dpif_open(name, type, &dpif)) {
        dpif = NULL;
    }
    free(name);
    return dpif;
}

bool
netdev_offload_nic_datapath_latency(uint64_t *cma_us, uint64_t *ema_us)
{
    struct dpif *dpif = netdev_offload_open_dpif();
    struct netdev_custom_stats stats;
    bool found_cma = false, found_ema = false;

    if (!dpif) {
        return false;
    }
    memset(&stats, 0, sizeof stats);
    if (!dpif_offload_stats_get(dpif, &stats)) {
        /* "Total <name>" over all offload threads, then "[N] <name>"
         * per thread. */
        for (size_t i = 0; i < stats.size; i++) {
            const char *name = stats.counters[i].name;

            if (!strstr(name, "Total")) {
                continue;
            }
            if (strstr(name, "Cumulative Average latency (us)")) {
                *cma_us = stats.counters[i].value;
                found_cma = true;
            } else if (strstr(name, "Exponential Average latency (us)")) {
                *ema_us = stats.counters[i].value;
                found_ema = true;
            }
        }
        netdev_free_custom_stats_counters(&stats);
    }
    dpif_close(dpif);
    return found_cma && found_ema;
}

void
netdev_offload_nic_port_names(struct simap *names)
{
    struct dpif *dpif = netdev_offload_open_dpif();
    struct dpif_port_dump dump;
    struct dpif_port port;

    if (dpif) {
        DPIF_PORT_FOR_EACH (&port, &dump, dpif) {
            simap_put(names, port.name, odp_to_u32(port.port_no));
        }
        dpif_close(dpif);
    }
}

bool
netdev_offload_nic_datapath_flow(const ovs_u128 *ufid, struct flow *flow)
{
    struct dpif *dpif = netdev_offload_open_dpif();
    bool found = false;

    if (!dpif) {
        return false;
    }

    /* A dump, not dpif_flow_get(), which logs a warning for a UFID that
     * a user mistyped. */
    struct dpif_flow_dump *dump = dpif_flow_dump_create(dpif, false, NULL);
    struct dpif_flow_dump_thread *thread = dpif_flow_dump_thread_create(dump);
    struct dpif_flow flows[64];
    int n;

    while (!found
           && (n = dpif_flow_dump_next(thread, flows, ARRAY_SIZE(flows)))) {
        for (int i = 0; i < n && !found; i++) {
            if (flows[i].ufid_present
                && ovs_u128_equals(flows[i].ufid, *ufid)) {
                found = odp_flow_key_to_flow(flows[i].key, flows[i].key_len,
                                             flow, NULL) != ODP_FIT_ERROR;
            }
        }
    }
    dpif_flow_dump_thread_destroy(thread);
    dpif_flow_dump_destroy(dump);
    dpif_close(dpif);
    return found;
}

/* Feeds the engine the datapath's packet counts of the flows it ranks
 * for admission, a budget of them per round (netdev-offload-rates.h):
 * dumping every datapath flow each round would cost the main thread time
 * in proportion to all flows, most of which admission does not need. */
static void
netdev_offload_feed_datapath_stats(void)
{
    struct dpif *dpif = netdev_offload_open_dpif();

    if (dpif) {
        netdev_offload_rates_feed(dpif);
        dpif_close(dpif);
    }
}

static void
netdev_offload_verify_nic(struct nic *nic, struct offload_verify_report *r)
{
    struct nic_sample *samples;
    size_t n = nic_sample_stop(nic, &samples);
    struct netdev_offload_resolver aux = {
        .nic = nic,
        .dpif_type = netdev_offload_dpif_type(),
    };
    struct offload_port_resolver resolver = {
        .resolve = netdev_offload_resolve,
        .name = netdev_offload_port_name,
        .aux = &aux,
    };
    struct ds ufid_s = DS_EMPTY_INITIALIZER;
    uint64_t buf[1024 / 8];
    struct ofpbuf actions;

    for (size_t i = 0; i < n; i++) {
        enum offload_verify_outcome o;
        enum offload_kind kind;
        struct match match;
        odp_port_t in_port;
        ovs_u128 ufid;
        char why[160];

        r->n_samples++;
        ofpbuf_use_stub(&actions, buf, sizeof buf);
        if (!offload_engine_copy_flow(nic, samples[i].cookie, &match,
                                      &actions, &in_port, &ufid, &kind)) {
            r->n_unknown++;
            ofpbuf_uninit(&actions);
            continue;
        }
        if (kind != OFFLOAD_KIND_FULL) {
            /* A partial rule only marks; the host runs the actions. */
            o = OFFLOAD_VERIFY_UNCHECKABLE;
            ovs_strlcpy(why, "partial offload: actions on the host",
                        sizeof why);
        } else {
            o = offload_verify_sample(&samples[i], &match, actions.data,
                                      actions.size, in_port, &resolver, why,
                                      sizeof why);
        }
        ds_clear(&ufid_s);
        odp_format_ufid(&ufid, &ufid_s);
        offload_verify_report_add(r, o, ds_cstr(&ufid_s), why);
        ofpbuf_uninit(&actions);
    }
    ds_destroy(&ufid_s);
    nic_samples_free(samples, n);
}

/* The verification in progress, if any (main thread only). */
struct netdev_offload_verify {
    struct nic **nics;                  /* Sampling, with references. */
    size_t n_nics;
    size_t max;
    long long int deadline;             /* time_msec() the window closes. */
    netdev_offload_verify_done_cb *done;
    void *aux;
};
static struct netdev_offload_verify *verify_run;

int
netdev_offload_nic_verify_start(size_t max, int duration_ms,
                                   netdev_offload_verify_done_cb *done,
                                   void *aux)
{
    struct nic **nics;
    size_t n_nics, n_sampling = 0;

    if (verify_run) {
        /* The NICs hold one sampling window each. */
        return EBUSY;
    }
    n_nics = offload_engine_get_nics(&nics);
    for (size_t i = 0; i < n_nics; i++) {
        struct nic *nic = nics[i];

        if (!nic_sample_start(nic, 1, max)) {
            nics[n_sampling++] = nic;
        } else {
            nic_close(nic);
        }
    }
    if (!n_sampling) {
        free(nics);
        return EOPNOTSUPP;
    }

    verify_run = xmalloc(sizeof *verify_run);
    *verify_run = (struct netdev_offload_verify) {
        .nics = nics,
        .n_nics = n_sampling,
        .max = max,
        .deadline = time_msec() + duration_ms,
        .done = done,
        .aux = aux,
    };
    return 0;
}

/* Stops sampling and frees the run; 'done' learns of it with a null
 * report, so that it can free 'aux'. */
static void
netdev_offload_verify_cancel(struct netdev_offload_verify *v)
{
    v->done(NULL, v->aux);
    for (size_t i = 0; i < v->n_nics; i++) {
        struct nic_sample *samples;
        size_t n = nic_sample_stop(v->nics[i], &samples);

        nic_samples_free(samples, n);
        nic_close(v->nics[i]);
    }
    free(v->nics);
    free(v);
}

/* Finishes the verification in progress once its window has closed: the
 * NICs' engines fill the samples on their own threads, so this only
 * looks at how many they have.  'max' applies per NIC, so one full NIC
 * ends the window. */
static void
netdev_offload_verify_run(void)
{
    struct netdev_offload_verify *v = verify_run;
    bool full = false;

    if (!v) {
        return;
    }
    for (size_t i = 0; i < v->n_nics; i++) {
        full |= nic_sample_count(v->nics[i]) >= v->max;
    }
    if (!full && time_msec() < v->deadline) {
        return;
    }

    struct offload_verify_report r;
    offload_verify_report_init(&r);
    for (size_t i = 0; i < v->n_nics; i++) {
        netdev_offload_verify_nic(v->nics[i], &r);
        nic_close(v->nics[i]);
    }
    verify_run = NULL;
    v->done(&r, v->aux);
    offload_verify_report_destroy(&r);
    free(v->nics);
    free(v);
}

static void
netdev_offload_verify_wait(void)
{
    if (verify_run) {
        /* Early end when a NIC is full: look again soon, without blocking
         * anything meanwhile. */
        poll_timer_wait_until(MIN(verify_run->deadline, time_msec() + 10));
    }
}

/* Whether the datapath flow 'f' enters through a nicsim port of 'dpif'.
 * If so, also remembers the datapath's UFID for the megaflow, which the
 * flow API is about to be offered with a match as the datapath prints
 * it, not with the packet's flow that the UFID was made from. */
static bool
netdev_offload_flow_on_nic(struct dpif *dpif, const struct dpif_flow *f)
{
    struct netdev *netdev;
    struct match match;
    struct nic *nic;
    uint32_t port;
    bool on_nic = false;

    ovs_u128 mega_ufid;

    if (!netdev_offload_rates_megaflow(f, &match, &mega_ufid)) {
        return false;
    }
    /* The port map is keyed by the type pointer that dpif-netdev itself
     * uses, which dpif_normalize_type() returns for the same class. */
    netdev = netdev_ports_get(match.flow.in_port.odp_port,
                              dpif_normalize_type(dpif_type(dpif)));
    if (netdev) {
        on_nic = netdev_nic_get_port(netdev, &nic, &port);
        netdev_close(netdev);
    }
    if (on_nic) {
        netdev_offload_rates_learn(&mega_ufid, &f->ufid, true);
    }
    return on_nic;
}

/* Has 'dpif' offer each of its flows that enters on a NIC port to the flow
 * API again.  Returns how many it asked for. */
static size_t
netdev_offload_reoffer_dpif(struct dpif *dpif)
{
    struct dpif_flow_dump *dump = dpif_flow_dump_create(dpif, false, NULL);
    struct dpif_flow_dump_thread *thread = dpif_flow_dump_thread_create(dump);
    struct dpif_flow flows[64];
    size_t n_offered = 0;
    int n;

    while ((n = dpif_flow_dump_next(thread, flows, ARRAY_SIZE(flows))) > 0) {
        for (int i = 0; i < n; i++) {
            const struct dpif_flow *f = &flows[i];

            if (!f->ufid_present || !netdev_offload_flow_on_nic(dpif, f)) {
                continue;
            }
            /* A modification with the flow's own actions: no change to
             * what it does or to its statistics.  ENOENT means the flow
             * went meanwhile, which needs nothing. */
            int error = dpif_flow_put(dpif, DPIF_FP_MODIFY, f->key,
                                      f->key_len, f->mask, f->mask_len,
                                      f->actions, f->actions_len, &f->ufid,
                                      f->pmd_id, NULL);
            if (!error) {
                n_offered++;
            } else if (error != ENOENT) {
                /* dpif-netdev cannot take the flow back (after a
                 * vlan-limit change, a key with more tags than the new
                 * limit): its rule no longer means what OVS does, so it
                 * leaves the NIC and the host carries the flow until the
                 * revalidators remove it. */
                offload_engine_flow_del(&f->ufid, NULL);
            }
        }
    }
    dpif_flow_dump_thread_destroy(thread);
    dpif_flow_dump_destroy(dump);
    return n_offered;
}

/* Opens each userspace datapath in turn and calls 'cb' with it until it
 * returns true; returns the datapath it stopped at, still open, or NULL.
 * The kernel's datapaths have no nicsim ports and are not woken up. */
static struct dpif *
netdev_offload_for_each_netdev_dpif(bool (*cb)(struct dpif *, void *),
                                    void *aux)
{
    struct sset types = SSET_INITIALIZER(&types);
    struct dpif *found = NULL;
    const char *type;

    dp_enumerate_types(&types);
    SSET_FOR_EACH (type, &types) {
        struct sset names = SSET_INITIALIZER(&names);
        const char *name;

        if (!strcmp(type, "system") || dp_enumerate_names(type, &names)) {
            sset_destroy(&names);
            continue;
        }
        SSET_FOR_EACH (name, &names) {
            struct dpif *dpif;

            if (!found && !dpif_open(name, type, &dpif)) {
                if (dpif_is_netdev(dpif) && cb(dpif, aux)) {
                    found = dpif;
                } else {
                    dpif_close(dpif);
                }
            }
        }
        sset_destroy(&names);
    }
    sset_destroy(&types);
    return found;
}

static bool
netdev_offload_take_first(struct dpif *dpif OVS_UNUSED, void *aux OVS_UNUSED)
{
    return true;
}

static struct dpif *
netdev_offload_open_first_netdev_dpif(void)
{
    return netdev_offload_for_each_netdev_dpif(netdev_offload_take_first,
                                               NULL);
}

static bool
netdev_offload_reoffer_cb(struct dpif *dpif, void *n_offered_)
{
    size_t *n_offered = n_offered_;

    *n_offered += netdev_offload_reoffer_dpif(dpif);
    return false;
}

/* hw-offload was turned on while the daemon runs.  OVS 3.1 offers a
 * datapath flow to the flow API only when the flow is created or
 * modified, so the flows that existed before would stay on the host for
 * their whole life ("no datapath flow offered").
 *
 * Each of them is modified, once, with its own actions: dpif-netdev then
 * offers it as it offers any modification, allocating and associating its
 * flow mark (which partial offload needs) and telling the provider when
 * the flow goes (flow_del).  Offering the flows to the engine directly
 * would bypass both, leaving rules that outlive their flows; flushing the
 * datapath would send all the traffic through upcalls at once and race
 * the revalidators' ukeys, for no gain. */
static void
netdev_offload_reoffer_all(void)
{
    size_t n_offered = 0;

    netdev_offload_for_each_netdev_dpif(netdev_offload_reoffer_cb,
                                        &n_offered);
    if (n_offered) {
        VLOG_INFO("hw-offload turned on: %"PRIuSIZE" existing datapath "
                  "flow(s) offered for offload", n_offered);
    }
}

/* flow_vlan_limit when the flows were last offered. */
static int vlan_limit_seen = -1;

void
netdev_offload_nic_run(void)
{
    long long int now = time_msec();
    bool enabled = netdev_is_flow_api_enabled();

    netdev_offload_verify_run();
    if (enabled != flow_api_was_enabled) {
        /* OVS 3.1 never turns its flow API off again once on. */
        flow_api_was_enabled = enabled;
        if (enabled) {
            vlan_limit_seen = flow_vlan_limit;
            netdev_offload_reoffer_all();
        }
    } else if (enabled && flow_vlan_limit != vlan_limit_seen) {
        /* The translation of every flow depends on the bridge's
         * vlan-limit (see offload_match_l2()): offer them all again, so
         * that their rules follow OVS's new parsing. */
        VLOG_INFO("vlan-limit changed from %d to %d: re-translating the "
                  "offloaded flows", vlan_limit_seen, flow_vlan_limit);
        vlan_limit_seen = flow_vlan_limit;
        netdev_offload_reoffer_all();
    }
    if (now < next_run) {
        return;
    }
    next_run = now + netdev_offload_nic_get_interval();
    if (!netdev_is_flow_api_enabled()) {
        return;
    }
    netdev_offload_rates_gc();
    netdev_offload_tunnel_gc();
    if (offload_engine_needs_datapath_stats()) {
        netdev_offload_feed_datapath_stats();
    }
    offload_engine_run(time_msec());
}

void
netdev_offload_nic_wait(void)
{
    poll_timer_wait_until(next_run);
    netdev_offload_verify_wait();
}

void
netdev_offload_nic_exit(void)
{
    if (verify_run) {
        /* Its client's connection goes with the unixctl server. */
        netdev_offload_verify_cancel(verify_run);
        verify_run = NULL;
    }
    offload_engine_uninstall_all();
}
