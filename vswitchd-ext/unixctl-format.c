/* SPDX-License-Identifier: Apache-2.0 */
/* Reply helpers (text and JSON) shared by the unixctl commands. */
#include <config.h>

#include "vswitchd-ext/unixctl-format.h"

#include <string.h>

#include "lib/nic.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "unixctl.h"
#include "util.h"

bool
unixctl_format_parse(struct unixctl_conn *conn, int argc,
                     const char *argv[],
                     const char *args[UNIXCTL_FORMAT_MAX_ARGS],
                     int *n_argsp, bool *json)
{
    const char *fmt = NULL;
    int skip = 0, n = 0;

    *json = false;
    if (argc > 1 && !strcmp(argv[1], "--format")) {
        if (argc < 3) {
            unixctl_command_reply_error(conn, "--format needs text or json");
            return false;
        }
        fmt = argv[2];
        skip = 2;
    } else if (argc > 1 && !strncmp(argv[1], "--format=", 9)) {
        fmt = argv[1] + 9;
        skip = 1;
    }
    if (fmt) {
        if (!strcmp(fmt, "json")) {
            *json = true;
        } else if (strcmp(fmt, "text")) {
            unixctl_command_reply_error(conn, "--format must be text or "
                                        "json");
            return false;
        }
    }
    for (int i = 0; i < argc && n < UNIXCTL_FORMAT_MAX_ARGS; i++) {
        if (i < 1 || i > skip) {
            args[n++] = argv[i];
        }
    }
    *n_argsp = n;
    return true;
}

bool
unixctl_format_parse_only(struct unixctl_conn *conn, int argc,
                          const char *argv[], const char *cmd, bool *json)
{
    const char *args[UNIXCTL_FORMAT_MAX_ARGS];
    int n_args;

    if (!unixctl_format_parse(conn, argc, argv, args, &n_args, json)) {
        return false;
    }
    if (n_args > 1) {
        char *msg = xasprintf("usage: %s [--format text|json]", cmd);

        unixctl_format_reply_error(conn, *json, msg);
        free(msg);
        return false;
    }
    return true;
}

void
unixctl_format_reply_json(struct unixctl_conn *conn, struct json *j)
{
    char *s = json_to_string(j, JSSF_SORT | JSSF_PRETTY);

    unixctl_command_reply(conn, s);
    free(s);
    json_destroy(j);
}

void
unixctl_format_reply_error_json(struct unixctl_conn *conn, struct json *j,
                                const char *msg)
{
    json_object_put_string(j, "error", msg);

    char *s = json_to_string(j, JSSF_SORT | JSSF_PRETTY);
    unixctl_command_reply_error(conn, s);
    free(s);
    json_destroy(j);
}

void
unixctl_format_reply_error(struct unixctl_conn *conn, bool json,
                           const char *msg)
{
    if (json) {
        unixctl_format_reply_error_json(conn, json_object_create(), msg);
    } else {
        unixctl_command_reply_error(conn, msg);
    }
}

/* A NIC port's counters, for every backend's show command. */

struct json *
unixctl_nic_port_stats_json(const struct nic_port_stats *st)
{
    struct json *j = json_object_create();
    struct json *host = json_object_create();
    struct json *drop = json_object_create();

    json_object_put(j, "rx_packets", json_integer_create(st->rx_packets));
    json_object_put(j, "rx_bytes", json_integer_create(st->rx_bytes));
    json_object_put(j, "rx_errors", json_integer_create(st->rx_errors));
    json_object_put(j, "forwarded", json_integer_create(st->fwd_packets));
    for (int i = 0; i < NIC_N_HOST_REASONS; i++) {
        json_object_put(host, nic_host_reason_name(i),
                        json_integer_create(st->host[i]));
    }
    for (int i = 0; i < NIC_N_DROP_REASONS; i++) {
        json_object_put(drop, nic_drop_reason_name(i),
                        json_integer_create(st->drop[i]));
    }
    json_object_put(j, "to_host", host);
    json_object_put(j, "dropped", drop);
    json_object_put(j, "tx_packets", json_integer_create(st->tx_packets));
    json_object_put(j, "tx_bytes", json_integer_create(st->tx_bytes));
    json_object_put(j, "tx_errors", json_integer_create(st->tx_errors));
    json_object_put(j, "host_tx_packets",
                    json_integer_create(st->host_tx_packets));
    return j;
}

void
unixctl_nic_port_stats_text(struct ds *s, const struct nic_port_stats *st)
{
    uint64_t host = nic_port_stats_to_host(st);
    uint64_t drop = nic_port_stats_dropped(st);

    ds_put_format(s, "    rx: %"PRIu64" packets, %"PRIu64" bytes = "
                  "forwarded %"PRIu64" + to host %"PRIu64" + dropped %"
                  PRIu64"\n", st->rx_packets, st->rx_bytes,
                  st->fwd_packets, host, drop);
    if (host) {
        ds_put_cstr(s, "    to host:");
        for (int i = 0; i < NIC_N_HOST_REASONS; i++) {
            if (st->host[i]) {
                ds_put_format(s, " %s=%"PRIu64, nic_host_reason_name(i),
                              st->host[i]);
            }
        }
        ds_put_char(s, '\n');
    }
    if (drop) {
        ds_put_cstr(s, "    dropped:");
        for (int i = 0; i < NIC_N_DROP_REASONS; i++) {
            if (st->drop[i]) {
                ds_put_format(s, " %s=%"PRIu64, nic_drop_reason_name(i),
                              st->drop[i]);
            }
        }
        ds_put_char(s, '\n');
    }
    if (st->rx_errors) {
        /* Not in rx: the medium could not deliver these frames at all. */
        ds_put_format(s, "    rx errors: %"PRIu64" (medium)\n",
                      st->rx_errors);
    }
    ds_put_format(s, "    tx: %"PRIu64" packets, %"PRIu64" bytes, %"PRIu64
                  " errors (%"PRIu64" from the host)\n", st->tx_packets,
                  st->tx_bytes, st->tx_errors, st->host_tx_packets);
}

void
unixctl_format_reply_items(struct unixctl_conn *conn, bool json,
                           const struct shash *items, const char *key,
                           struct json *(*to_json)(const void *item),
                           void (*to_text)(struct ds *, const void *item),
                           const char *empty)
{
    const struct shash_node **nodes = shash_sort(items);
    size_t n = shash_count(items);

    if (json) {
        struct json *j = json_object_create();
        struct json *arr = json_array_create_empty();

        for (size_t i = 0; i < n; i++) {
            json_array_add(arr, to_json(nodes[i]->data));
        }
        json_object_put(j, key, arr);
        unixctl_format_reply_json(conn, j);
    } else {
        struct ds s = DS_EMPTY_INITIALIZER;

        for (size_t i = 0; i < n; i++) {
            to_text(&s, nodes[i]->data);
        }
        if (!s.length) {
            ds_put_cstr(&s, empty);
        }
        unixctl_command_reply(conn, ds_cstr(&s));
        ds_destroy(&s);
    }
    free(nodes);
}
