/* SPDX-License-Identifier: Apache-2.0 */
/* The daemon's IDL connection to the Offload database, opened once the
 * server says it serves that database. */
#include <config.h>

#include "vswitchd-ext/offload-db.h"

#include <string.h>

#include "jsonrpc.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb-schema/offload-idl.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(offload_db);

/* An IDL for a database the server does not have logs "server does not
 * have Offload database" as it retries, and before the daemon detaches
 * that goes to stderr, which OVS's test suites and init scripts treat as
 * a failure of ovs-vswitchd.  So the daemon first asks the server which
 * databases it has ("list_dbs", every OFFLOAD_DB_PROBE_MS on a session of
 * its own), opens the IDL when Offload is among them, and goes on asking
 * so that it knows when the database is removed. */
#define OFFLOAD_DB_PROBE_MS 1000

static char *db_remote;
static struct jsonrpc_session *probe;
static unsigned int probe_seqno;
static struct json *probe_id;           /* Outstanding list_dbs, or NULL. */
static long long int next_probe;
static bool listed;                     /* Last answer had Offload. */

static struct ovsdb_idl *idl;

/* For the log: "not served" only after a grace period, so that a normal
 * start logs nothing but "served". */
#define OFFLOAD_DB_GRACE_MS 5000
static bool logged_served;
static bool logged_not_served;
static long long int not_served_since;

void
offload_db_init(const char *remote)
{
    db_remote = xstrdup(remote);
    probe = jsonrpc_session_open(remote, true);
    not_served_since = time_msec();
}

static void
offload_db_open_idl(void)
{
    /* Everything is monitored: the tables are small, and the status
     * publisher needs the rows it rewrites. */
    idl = ovsdb_idl_create(db_remote, &offrec_idl_class, true, true);

    /* What the daemon writes itself must not wake it up again. */
    ovsdb_idl_omit_alert(idl, &offrec_offload_col_status);
    ovsdb_idl_omit_alert(idl, &offrec_offload_col_nics);
    ovsdb_idl_omit_alert(idl, &offrec_offload_col_summary);
    ovsdb_idl_omit_alert(idl, &offrec_nic_col_type);
    ovsdb_idl_omit_alert(idl, &offrec_nic_col_uplinks);
    ovsdb_idl_omit_alert(idl, &offrec_nic_col_vfs);
    ovsdb_idl_omit_alert(idl, &offrec_nic_col_capabilities);
    ovsdb_idl_omit_alert(idl, &offrec_nic_col_occupancy);
    ovsdb_idl_omit_alert(idl, &offrec_nic_col_statistics);
    ovsdb_idl_omit_alert(idl, &offrec_nic_col_status);
    ovsdb_idl_omit_alert(idl, &offrec_port_col_status);
    ovsdb_idl_omit_alert(idl, &offrec_summary_col_flows);
    ovsdb_idl_omit_alert(idl, &offrec_summary_col_reasons);
    ovsdb_idl_omit_alert(idl, &offrec_summary_col_rules);
    ovsdb_idl_omit_alert(idl, &offrec_summary_col_rates);
    ovsdb_idl_omit_alert(idl, &offrec_summary_col_latency);
    ovsdb_idl_omit_alert(idl, &offrec_offload_col_syn_guard_state);
    ovsdb_idl_omit_alert(idl, &offrec_class_col_status);
    ovsdb_idl_omit_alert(idl, &offrec_class_col_statistics);
    ovsdb_idl_omit_alert(idl, &offrec_class_rule_col_status);
    ovsdb_idl_omit_alert(idl, &offrec_class_rule_col_statistics);
}

void
offload_db_destroy(void)
{
    ovsdb_idl_destroy(idl);
    idl = NULL;
    jsonrpc_session_close(probe);
    probe = NULL;
    json_destroy(probe_id);
    probe_id = NULL;
    free(db_remote);
    db_remote = NULL;
}

bool
offload_db_is_served(void)
{
    return (listed && idl && ovsdb_idl_is_connected(idl)
            && ovsdb_idl_has_ever_connected(idl));
}

const struct offrec_nic *
offload_db_find_nic(const char *name)
{
    const struct offrec_nic *row;

    if (!offload_db_is_served()) {
        return NULL;
    }
    OFFREC_NIC_FOR_EACH (row, idl) {
        if (!strcmp(row->name, name)) {
            return row;
        }
    }
    return NULL;
}

const char *
offload_db_state(void)
{
    if (!probe) {
        return "not opened";
    } else if (offload_db_is_served()) {
        return "served";
    } else if (!jsonrpc_session_is_connected(probe)) {
        return "not served (no connection to the database server)";
    } else if (!listed) {
        return "not served (the server has no Offload database)";
    }
    return "not served (connecting)";
}

/* Reads the answer to list_dbs, if 'msg' is it. */
static void
offload_db_probe_reply(struct jsonrpc_msg *msg)
{
    if (!probe_id || msg->type != JSONRPC_REPLY
        || !json_equal(msg->id, probe_id)) {
        return;
    }
    json_destroy(probe_id);
    probe_id = NULL;
    next_probe = time_msec() + OFFLOAD_DB_PROBE_MS;

    listed = false;
    if (msg->result && msg->result->type == JSON_ARRAY) {
        const struct json_array *dbs = json_array(msg->result);

        for (size_t i = 0; i < dbs->n; i++) {
            if (dbs->elems[i]->type == JSON_STRING
                && !strcmp(json_string(dbs->elems[i]), "Offload")) {
                listed = true;
            }
        }
    }
}

static void
offload_db_probe_run(void)
{
    jsonrpc_session_run(probe);
    if (jsonrpc_session_get_seqno(probe) != probe_seqno) {
        /* Reconnected: an outstanding request is lost with the old
         * connection. */
        probe_seqno = jsonrpc_session_get_seqno(probe);
        json_destroy(probe_id);
        probe_id = NULL;
        next_probe = 0;
        if (jsonrpc_session_is_connected(probe)) {
            /* Otherwise ovsdb-server drops this session whenever a
             * database is added or removed, the very event to see. */
            jsonrpc_session_send(
                probe, jsonrpc_create_request(
                    "set_db_change_aware",
                    json_array_create_1(json_boolean_create(true)), NULL));
        }
    }
    if (!jsonrpc_session_is_connected(probe)) {
        listed = false;
        return;
    }
    for (int i = 0; i < 50; i++) {
        struct jsonrpc_msg *msg = jsonrpc_session_recv(probe);

        if (!msg) {
            break;
        }
        offload_db_probe_reply(msg);
        jsonrpc_msg_destroy(msg);
    }
    if (!probe_id && time_msec() >= next_probe) {
        struct jsonrpc_msg *req;

        req = jsonrpc_create_request("list_dbs", json_array_create_empty(),
                                     NULL);
        probe_id = json_clone(req->id);
        jsonrpc_session_send(probe, req);
    }
}

void
offload_db_run(void)
{
    if (!probe) {
        return;
    }
    offload_db_probe_run();
    if (listed && !idl) {
        offload_db_open_idl();
    }
    if (idl) {
        ovsdb_idl_run(idl);
    }

    /* One line per change, not per retry. */
    if (offload_db_is_served()) {
        if (!logged_served) {
            VLOG_INFO("Offload database served: configuration and status "
                      "are kept in it");
            logged_served = true;
            logged_not_served = false;
        }
    } else {
        if (logged_served) {
            logged_served = false;
            not_served_since = time_msec();
        }
        if (!logged_not_served
            && time_msec() - not_served_since >= OFFLOAD_DB_GRACE_MS) {
            VLOG_INFO("Offload database %s; working on the last "
                      "configuration it gave, or the Open_vSwitch "
                      "other_config keys", offload_db_state());
            logged_not_served = true;
        }
    }
}

void
offload_db_wait(void)
{
    if (!probe) {
        return;
    }
    jsonrpc_session_wait(probe);
    jsonrpc_session_recv_wait(probe);
    if (jsonrpc_session_is_connected(probe) && !probe_id) {
        poll_timer_wait_until(next_probe);
    }
    if (idl) {
        ovsdb_idl_wait(idl);
    }
    if (!logged_served && !logged_not_served) {
        poll_timer_wait_until(not_served_since + OFFLOAD_DB_GRACE_MS);
    }
}

struct ovsdb_idl *
offload_db_idl(void)
{
    return idl;
}
