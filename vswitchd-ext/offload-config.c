/* SPDX-License-Identifier: Apache-2.0 */
/* The extension's configuration from OVSDB, validated, the last good
 * values kept: the Offload database first, then the deprecated
 * Open_vSwitch other_config keys. */
#include <config.h>

#include "vswitchd-ext/offload-config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "datapath-offload/netdev-nic.h"
#include "datapath-offload/netdev-offload-nic.h"
#include "lib/nic.h"
#include "lib/offload-dma-poll.h"
#include "lib/offload-engine.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "sset.h"
#include "util.h"
#include "vswitch-idl.h"
#include "vswitchd-ext/offload-db.h"
#include "vswitchd-ext/offload-status.h"
#include "ovsdb-schema/offload-idl.h"

VLOG_DEFINE_THIS_MODULE(offload_config);

static struct ovsdb_idl *idl;
static unsigned int idl_seqno;
static unsigned int offload_idl_seqno;
static bool offload_idl_served;

/* Deprecated keys already logged as such (once per process). */
static struct sset deprecated_logged = SSET_INITIALIZER(&deprecated_logged);

/* Interfaces in Open_vSwitch now, for Port status. */
static struct sset ovs_interfaces = SSET_INITIALIZER(&ovs_interfaces);

/* Where each port's policy came from: name -> "database",
 * "other_config" (absent: default). */
static struct shash port_sources = SHASH_INITIALIZER(&port_sources);

static void offload_config_db_clear(void);

/* NIC name -> why it refused its row's DMA columns (logged once). */
static struct shash nic_dma_errors = SHASH_INITIALIZER(&nic_dma_errors);

/* "TABLE:KEY" -> message, for values rejected and still configured. */
static struct shash config_errors = SHASH_INITIALIZER(&config_errors);

void
offload_config_init(const char *remote)
{
    idl = ovsdb_idl_create(remote, &ovsrec_idl_class, false, true);
    ovsdb_idl_add_table(idl, &ovsrec_table_open_vswitch);
    ovsdb_idl_add_column(idl, &ovsrec_open_vswitch_col_other_config);
    ovsdb_idl_add_table(idl, &ovsrec_table_interface);
    ovsdb_idl_add_column(idl, &ovsrec_interface_col_name);
    ovsdb_idl_add_column(idl, &ovsrec_interface_col_other_config);
    /* vm-id and attached-mac group ports by VM for the queue manager. */
    ovsdb_idl_add_column(idl, &ovsrec_interface_col_external_ids);
    idl_seqno = ovsdb_idl_get_seqno(idl);
}

void
offload_config_destroy(void)
{
    ovsdb_idl_destroy(idl);
    idl = NULL;
    shash_clear_free_data(&config_errors);
    shash_clear(&port_sources);
    offload_config_db_clear();
    sset_clear(&deprecated_logged);
    sset_clear(&ovs_interfaces);
    shash_clear_free_data(&nic_dma_errors);
}

/* Says once that 'what' is deprecated and what replaces it. */
static void
offload_config_deprecated(const char *what, const char *instead)
{
    if (sset_add(&deprecated_logged, what)) {
        VLOG_WARN("%s is deprecated: %s (see ovs-offload.conf.db(5))",
                  what, instead);
    }
}

/* Records that 'value' of 'key' was rejected ('msg'), logging it once. */
static void
offload_config_reject(const char *key, const char *value, const char *msg)
{
    char *text = xasprintf("%s=%s rejected: %s", key, value, msg);
    char *old = shash_find_data(&config_errors, key);

    if (!old || strcmp(old, text)) {
        VLOG_ERR("other_config:%s; keeping the previous value", text);
        free(shash_replace(&config_errors, key, text));
    } else {
        free(text);
    }
}

static void
offload_config_accept(const char *key)
{
    free(shash_find_and_delete(&config_errors, key));
}

/* Sets '*value' from the Offload database's 'db_value' if it has one
 * (the schema constrains it), else parses a number in [min, max] from
 * the deprecated other_config 'key', keeping '*value' if that is bad;
 * else 'dflt' applies. */
static void
offload_config_number(const double *db_value, const char *column,
                      const struct smap *oc, const char *key, double min,
                      double max, double dflt, double *value)
{
    const char *s = smap_get(oc, key);
    char *end;

    if (db_value) {
        *value = *db_value;
        offload_config_accept(key);
        return;
    }
    if (s) {
        char *what = xasprintf("Open_vSwitch other_config:%s", key);
        char *instead = xasprintf("set column %s of the Offload table",
                                  column);

        offload_config_deprecated(what, instead);
        free(instead);
        free(what);
    }
    if (!s) {
        *value = dflt;
        offload_config_accept(key);
        return;
    }
    errno = 0;
    double d = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(d) || d < min || d > max) {
        char *msg = xasprintf("expected a number from %g to %g", min, max);
        offload_config_reject(key, s, msg);
        free(msg);
    } else {
        *value = d;
        offload_config_accept(key);
    }
}

/* What the Offload database last said, kept while it is not served so
 * that a restarting ovsdb-server does not flip the configuration back to
 * the deprecated keys; empty until it is first served. */
struct offload_config_db {
    char *policy;                       /* NULL: not set. */
    bool has_min_pps, has_hysteresis;
    double min_pps, hysteresis;
    bool has_rebalance_interval;
    double rebalance_interval;
    int stats_interval;                 /* 0: not set. */
    struct shash ports;                 /* Port name -> "true"/"false". */
    struct shash nic_dma;               /* NIC name -> struct
                                         * offload_config_nic_dma. */
};

/* A NIC row's DMA polling columns; each 'has_' false when empty. */
struct offload_config_nic_dma {
    bool has_mode, has_timeout, has_budget;
    enum offload_dma_mode mode;
    uint32_t timeout_us, budget;
};

static struct offload_config_db db_config = {
    .ports = SHASH_INITIALIZER(&db_config.ports),
    .nic_dma = SHASH_INITIALIZER(&db_config.nic_dma),
};


static void
offload_config_db_read(void)
{
    const struct offrec_offload *row;
    const struct offrec_port *port;
    struct ovsdb_idl *oidl = offload_db_idl();

    if (!oidl || !offload_db_is_served()) {
        return;
    }
    row = offrec_offload_first(oidl);
    free(db_config.policy);
    db_config.policy = row && row->policy ? xstrdup(row->policy) : NULL;
    db_config.has_min_pps = row && row->min_pps;
    db_config.min_pps = db_config.has_min_pps ? *row->min_pps : 0;
    db_config.has_hysteresis = row && row->hysteresis;
    db_config.hysteresis = db_config.has_hysteresis ? *row->hysteresis : 0;
    db_config.has_rebalance_interval = row && row->rebalance_interval;
    db_config.rebalance_interval = (db_config.has_rebalance_interval
                                    ? *row->rebalance_interval : 0);
    db_config.stats_interval = (row && row->stats_interval
                                ? *row->stats_interval : 0);
    shash_clear_free_data(&db_config.nic_dma);
    const struct offrec_nic *nrow;
    OFFREC_NIC_FOR_EACH (nrow, oidl) {
        struct offload_config_nic_dma *d = xzalloc(sizeof *d);

        /* The schema constrains the values; a mode it allows is one the
         * poller knows. */
        d->has_mode = nrow->dma_mode
                      && offload_dma_mode_from_string(nrow->dma_mode,
                                                      &d->mode);
        d->has_timeout = nrow->dma_timeout_us != NULL;
        d->timeout_us = d->has_timeout ? *nrow->dma_timeout_us : 0;
        d->has_budget = nrow->dma_budget != NULL;
        d->budget = d->has_budget ? *nrow->dma_budget : 0;
        if (d->has_mode || d->has_timeout || d->has_budget) {
            shash_replace(&db_config.nic_dma, nrow->name, d);
        } else {
            free(d);
        }
    }
    shash_clear(&db_config.ports);
    OFFREC_PORT_FOR_EACH (port, oidl) {
        if (port->offload) {
            shash_replace(&db_config.ports, port->name,
                          *port->offload ? "true" : "false");
        }
    }
}

static void
offload_config_db_clear(void)
{
    free(db_config.policy);
    db_config.policy = NULL;
    shash_clear(&db_config.ports);
    shash_clear_free_data(&db_config.nic_dma);
}

static void
offload_config_apply_global(const struct smap *oc)
{
    struct offload_engine_config cfg;
    const char *s;

    offload_engine_get_config(&cfg);
    cfg.enabled = smap_get_bool(oc, "hw-offload", false);

    s = smap_get(oc, "offload-policy");
    if (db_config.policy
        && offload_policy_from_string(db_config.policy, &cfg.policy)) {
        offload_config_accept("offload-policy");
    } else if (!s) {
        cfg.policy = OFFLOAD_POLICY_VALUE;
        offload_config_accept("offload-policy");
    } else {
        offload_config_deprecated("Open_vSwitch other_config:offload-policy",
                                  "set column policy of the Offload table");
        if (offload_policy_from_string(s, &cfg.policy)) {
            offload_config_accept("offload-policy");
        } else {
            offload_config_reject("offload-policy", s,
                                  "expected \"value\" or \"first-come\"");
        }
    }
    offload_config_number(db_config.has_min_pps ? &db_config.min_pps : NULL,
                          "min_pps",
                          oc, "offload-min-pps", 0, 1e12, 0, &cfg.min_pps);
    offload_config_number(db_config.has_hysteresis
                          ? &db_config.hysteresis : NULL, "hysteresis",
                          oc, "offload-hysteresis", 1, 100,
                          OFFLOAD_DEFAULT_HYSTERESIS, &cfg.hysteresis);

    double interval = netdev_offload_nic_get_interval();
    offload_config_number(db_config.has_rebalance_interval
                          ? &db_config.rebalance_interval : NULL,
                          "rebalance_interval",
                          oc, "offload-rebalance-interval",
                          NETDEV_OFFLOAD_MIN_INTERVAL,
                          NETDEV_OFFLOAD_MAX_INTERVAL,
                          NETDEV_OFFLOAD_DEFAULT_INTERVAL, &interval);
    if ((int) interval != netdev_offload_nic_get_interval()) {
        netdev_offload_nic_set_interval(interval);
    }
    offload_engine_set_config(&cfg);
}

/* Drops the errors of interfaces that are no longer configured: a value
 * that is not in the database any more is not an error any more. */
static void
offload_config_forget_interfaces(const struct sset *present)
{
    struct shash_node *node;

    SHASH_FOR_EACH_SAFE (node, &config_errors) {
        /* Interface keys are "NAME:KEY"; global keys have no colon. */
        const char *colon = strrchr(node->name, ':');

        if (colon) {
            char *iface = xmemdup0(node->name, colon - node->name);

            if (!sset_contains(present, iface)) {
                VLOG_INFO("%s: interface removed, its configuration error "
                          "with it", iface);
                free(node->data);
                shash_delete(&config_errors, node);
            }
            free(iface);
        }
    }
}

static void
offload_config_apply_interfaces(void)
{
    const struct ovsrec_interface *iface;
    struct sset present = SSET_INITIALIZER(&present);
    struct sset now = SSET_INITIALIZER(&now);
    struct shash_node *node;

    /* The database's Port rows first: they override other_config. */
    shash_clear(&port_sources);
    SHASH_FOR_EACH (node, &db_config.ports) {
        shash_replace(&port_sources, node->name, "database");
        if (!strcmp(node->data, "false")) {
            sset_add(&now, node->name);
        }
    }

    sset_clear(&ovs_interfaces);
    OVSREC_INTERFACE_FOR_EACH (iface, idl) {
        const char *s = smap_get(&iface->other_config, "offload");
        char *key = xasprintf("%s:offload", iface->name);

        sset_add(&present, iface->name);
        sset_add(&ovs_interfaces, iface->name);
        if (shash_find(&port_sources, iface->name)) {
            offload_config_accept(key);
            free(key);
            continue;
        }
        if (s) {
            char *what = xasprintf("Interface %s other_config:offload",
                                   iface->name);

            shash_replace(&port_sources, iface->name, "other_config");
            offload_config_deprecated(what, "use ovs-offloadctl "
                                      "exclude-port or include-port");
            free(what);
        }
        if (!s || !strcmp(s, "true")) {
            offload_config_accept(key);
        } else if (!strcmp(s, "false")) {
            sset_add(&now, iface->name);
            offload_config_accept(key);
        } else {
            offload_config_reject(key, s, "expected \"true\" or \"false\"");
            /* The last good value stays in force. */
            if (offload_engine_port_is_excluded(iface->name)) {
                sset_add(&now, iface->name);
            }
        }
        free(key);
    }
    offload_config_forget_interfaces(&present);
    sset_destroy(&present);

    /* The engine keeps the policy; this is only what OVSDB says now. */
    offload_engine_set_excluded_ports(&now);
    sset_destroy(&now);
}

void
offload_config_nic_dma(struct nic *nic, struct smap *status)
{
    const char *name = nic_get_name(nic);
    const struct offload_config_nic_dma *d = shash_find_data(
        &db_config.nic_dma, name);
    struct offload_dma_poll_config cfg = offload_dma_default_config;
    char *error = NULL;

    if (d) {
        cfg.mode = d->has_mode ? d->mode : cfg.mode;
        cfg.timeout_us = d->has_timeout ? d->timeout_us : cfg.timeout_us;
        cfg.budget = d->has_budget ? d->budget : cfg.budget;
    }
    if (!nic_has_dma(nic) && !d) {
        /* Nothing configured and nothing to poll: not an error. */
        free(shash_find_and_delete(&nic_dma_errors, name));
    } else if (nic_dma_set_poll(nic, &cfg, &error)) {
        char *old = shash_find_data(&nic_dma_errors, name);

        if (!old || strcmp(old, error)) {
            VLOG_ERR("NIC %s: DMA polling refused: %s; keeping the "
                     "previous configuration", name, error);
            free(shash_replace(&nic_dma_errors, name, error));
        } else {
            free(error);
        }
    } else {
        free(shash_find_and_delete(&nic_dma_errors, name));
    }
    if (!status) {
        return;
    }
    if (nic_has_dma(nic)) {
        nic_dma_get_poll(nic, &cfg);
        smap_add(status, "dma_mode", offload_dma_mode_to_string(cfg.mode));
        smap_add_format(status, "dma_timeout_us", "%"PRIu32,
                        cfg.timeout_us);
        smap_add_format(status, "dma_budget", "%"PRIu32, cfg.budget);
    } else {
        smap_add(status, "dma_mode", "synchronous");
    }
    error = shash_find_data(&nic_dma_errors, name);
    if (error) {
        smap_add(status, "dma_error", error);
    }
}

/* Applies every NIC row's DMA columns to the NICs that ports use now. */
static void
offload_config_apply_nics(void)
{
    struct netdev_nic_port *ports;
    struct sset done = SSET_INITIALIZER(&done);
    size_t n_ports;

    netdev_nic_list_ports(&ports, &n_ports);
    for (size_t i = 0; i < n_ports; i++) {
        if (sset_add(&done, nic_get_name(ports[i].nic))) {
            offload_config_nic_dma(ports[i].nic, NULL);
        }
    }
    netdev_nic_ports_free(ports, n_ports);
    sset_destroy(&done);
}

void
offload_config_run(void)
{
    struct ovsdb_idl *oidl = offload_db_idl();

    if (!idl) {
        return;
    }
    ovsdb_idl_run(idl);

    /* Either database changing, or the Offload one coming or going,
     * changes what is in force. */
    unsigned int oseqno = oidl ? ovsdb_idl_get_seqno(oidl) : 0;
    bool served = offload_db_is_served();
    if (ovsdb_idl_get_seqno(idl) == idl_seqno
        && oseqno == offload_idl_seqno && served == offload_idl_served) {
        return;
    }
    idl_seqno = ovsdb_idl_get_seqno(idl);
    offload_idl_seqno = oseqno;
    offload_idl_served = served;
    offload_config_db_read();

    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(idl);
    if (ovs) {
        offload_config_apply_global(&ovs->other_config);
    }
    offload_config_apply_interfaces();
    offload_config_apply_nics();
    offload_status_poke();
}

void
offload_config_wait(void)
{
    if (idl) {
        ovsdb_idl_wait(idl);
    }
}

struct json *
offload_config_errors_json(void)
{
    const struct shash_node **nodes = shash_sort(&config_errors);
    struct json *array = json_array_create_empty();

    for (size_t i = 0; i < shash_count(&config_errors); i++) {
        json_array_add(array, json_string_create(nodes[i]->data));
    }
    free(nodes);
    return array;
}

/* Writes into 'status' what is in force globally (see the Offload
 * table's status column in ovs-offload.conf.db(5)). */
void
offload_config_global_status(struct smap *status)
{
    struct offload_engine_config cfg;
    struct shash_node *node;
    struct ds errors = DS_EMPTY_INITIALIZER;

    offload_engine_get_config(&cfg);
    smap_add(status, "offload", cfg.enabled ? "enabled" : "disabled");
    smap_add(status, "policy", offload_policy_to_string(cfg.policy));
    smap_add_format(status, "min_pps", "%g", cfg.min_pps);
    smap_add_format(status, "hysteresis", "%g", cfg.hysteresis);
    smap_add_format(status, "rebalance_interval", "%d",
                    netdev_offload_nic_get_interval());
    SHASH_FOR_EACH (node, &config_errors) {
        if (!strchr(node->name, ':')) {
            ds_put_format(&errors, "%s%s", errors.length ? "; " : "",
                          (char *) node->data);
        }
    }
    if (errors.length) {
        smap_add(status, "error", ds_cstr(&errors));
    }
    ds_destroy(&errors);
}

/* Writes into 'status' the policy in force for port 'name' and where it
 * comes from. */
void
offload_config_port_status(const char *name, struct smap *status)
{
    const char *source = shash_find_data(&port_sources, name);
    char *key = xasprintf("%s:offload", name);
    const char *error = shash_find_data(&config_errors, key);

    smap_add(status, "interface",
             sset_contains(&ovs_interfaces, name) ? "present" : "absent");
    smap_add(status, "offload",
             offload_engine_port_is_excluded(name) ? "false" : "true");
    smap_add(status, "source", source ? source : "default");
    if (error) {
        smap_add(status, "error", error);
    }
    free(key);
}

/* Milliseconds between status updates. */
int
offload_config_stats_interval(void)
{
    return (db_config.stats_interval
            ? db_config.stats_interval : OFFLOAD_CONFIG_STATS_INTERVAL);
}

/* The external_ids of OVS interface 'name', or NULL if there is none. */
struct ovsdb_idl *
offload_config_ovs_idl(void)
{
    return idl;
}

const struct smap *
offload_config_interface_external_ids(const char *name)
{
    const struct ovsrec_interface *iface;

    if (!idl) {
        return NULL;
    }
    OVSREC_INTERFACE_FOR_EACH (iface, idl) {
        if (!strcmp(iface->name, name)) {
            return &iface->external_ids;
        }
    }
    return NULL;
}
