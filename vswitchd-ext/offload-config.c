/* SPDX-License-Identifier: Apache-2.0 */
/* The extension's configuration from OVSDB, validated, the last good
 * values kept. */
#include <config.h>

#include "vswitchd-ext/offload-config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "datapath-offload/netdev-offload-nic.h"
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

VLOG_DEFINE_THIS_MODULE(offload_config);

static struct ovsdb_idl *idl;
static unsigned int idl_seqno;

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
    idl_seqno = ovsdb_idl_get_seqno(idl);
}

void
offload_config_destroy(void)
{
    ovsdb_idl_destroy(idl);
    idl = NULL;
    shash_clear_free_data(&config_errors);
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

/* Parses a number in [min, max] from other_config 'key'.  Keeps '*value'
 * if the key is absent (then 'dflt' applies) or bad. */
static void
offload_config_number(const struct smap *oc, const char *key, double min,
                      double max, double dflt, double *value)
{
    const char *s = smap_get(oc, key);
    char *end;

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

static void
offload_config_apply_global(const struct smap *oc)
{
    struct offload_engine_config cfg;
    const char *s;

    offload_engine_get_config(&cfg);
    cfg.enabled = smap_get_bool(oc, "hw-offload", false);

    s = smap_get(oc, "offload-policy");
    if (!s) {
        cfg.policy = OFFLOAD_POLICY_VALUE;
        offload_config_accept("offload-policy");
    } else if (offload_policy_from_string(s, &cfg.policy)) {
        offload_config_accept("offload-policy");
    } else {
        offload_config_reject("offload-policy", s,
                              "expected \"value\" or \"first-come\"");
    }
    offload_config_number(oc, "offload-min-pps", 0, 1e12, 0, &cfg.min_pps);
    offload_config_number(oc, "offload-hysteresis", 1, 100,
                          OFFLOAD_DEFAULT_HYSTERESIS, &cfg.hysteresis);

    double interval = netdev_offload_nic_get_interval();
    offload_config_number(oc, "offload-rebalance-interval",
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

    OVSREC_INTERFACE_FOR_EACH (iface, idl) {
        const char *s = smap_get(&iface->other_config, "offload");
        char *key = xasprintf("%s:offload", iface->name);

        sset_add(&present, iface->name);
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
offload_config_run(void)
{
    if (!idl) {
        return;
    }
    ovsdb_idl_run(idl);
    if (ovsdb_idl_get_seqno(idl) == idl_seqno) {
        return;
    }
    idl_seqno = ovsdb_idl_get_seqno(idl);

    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(idl);
    if (ovs) {
        offload_config_apply_global(&ovs->other_config);
    }
    offload_config_apply_interfaces();
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
