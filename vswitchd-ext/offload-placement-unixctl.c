/* SPDX-License-Identifier: Apache-2.0 */
/* The ovs-appctl commands offload/placement and offload/placement-set:
 * the NICs' direct data placement tables, through lib/nic.h only. */
#include <config.h>

#include "vswitchd-ext/offload-placement-unixctl.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "datapath-offload/netdev-nic.h"
#include "lib/nic.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "sset.h"
#include "unixctl.h"
#include "util.h"
#include "vswitchd-ext/unixctl-format.h"

/* Calls 'cb' once for each NIC that has a configured port, or only for
 * the one called 'name' if nonnull.  Returns the number of NICs visited. */
static size_t
placement_for_each_nic(const char *name,
                       void (*cb)(struct nic *, void *aux), void *aux)
{
    struct netdev_nic_port *ports;
    struct sset done = SSET_INITIALIZER(&done);
    size_t n_ports, n = 0;

    netdev_nic_list_ports(&ports, &n_ports);
    for (size_t i = 0; i < n_ports; i++) {
        const char *nic_name = nic_get_name(ports[i].nic);

        if ((!name || !strcmp(name, nic_name)) && sset_add(&done, nic_name)) {
            cb(ports[i].nic, aux);
            n++;
        }
    }
    netdev_nic_ports_free(ports, n_ports);
    sset_destroy(&done);
    return n;
}

static const char *
placement_port_name(uint32_t port, char *buf, size_t size)
{
    if (port == NIC_PLACEMENT_HOST) {
        return "host";
    }
    nic_port_to_string(port, buf, size);
    return buf;
}

static struct json *
placement_nic_to_json(struct nic *nic, const struct nic_placement_status *s,
                      const struct nic_placement_entry_info *e, size_t n)
{
    const struct nic_placement_stats *st = &s->stats;
    struct json *j = json_object_create();
    struct json *fb = json_object_create();
    struct json *rf = json_object_create();
    struct json *entries = json_array_create_empty();

    json_object_put_string(j, "nic", nic_get_name(nic));
    json_object_put(j, "enabled", json_boolean_create(s->enabled));
    json_object_put_string(j, "control_socket", s->control_path);
    json_object_put(j, "capacity", json_integer_create(st->limits.capacity));
    json_object_put(j, "port_entries",
                    json_integer_create(st->limits.port_entries));
    json_object_put(j, "port_bytes",
                    json_integer_create(st->limits.port_bytes));
    json_object_put(j, "entries", json_integer_create(st->n_entries));
    json_object_put(j, "buffers", json_integer_create(st->n_buffers));
    json_object_put(j, "buffer_bytes",
                    json_integer_create(st->buffer_bytes));
    json_object_put(j, "bytes_placed",
                    json_integer_create(st->bytes_placed));
    json_object_put(j, "segments_placed",
                    json_integer_create(st->segs_placed));
    for (int r = 1; r < NIC_N_PLACEMENT_REASONS; r++) {
        json_object_put(fb, nic_placement_reason_name(r),
                        json_integer_create(st->fallbacks[r]));
    }
    json_object_put(j, "fallbacks", fb);
    json_object_put(j, "stops", json_integer_create(st->gaps));
    json_object_put(j, "resyncs", json_integer_create(st->resyncs));
    json_object_put(j, "registered", json_integer_create(st->registered));
    for (int r = 0; r < NIC_PLACEMENT_N_REFUSALS; r++) {
        json_object_put(rf, nic_placement_refusal_name(r),
                        json_integer_create(st->refused[r]));
    }
    json_object_put(j, "refused", rf);
    json_object_put(j, "released_close",
                    json_integer_create(st->released_close));
    json_object_put(j, "released_owner",
                    json_integer_create(st->released_owner));
    for (size_t i = 0; i < n; i++) {
        struct json *o = json_object_create();
        struct ds tuple = DS_EMPTY_INITIALIZER;
        char port[32];

        nic_placement_tuple_format(&e[i].tuple, &tuple);
        json_object_put(o, "id", json_integer_create(e[i].id));
        json_object_put_string(o, "port", placement_port_name(
                                   e[i].port, port, sizeof port));
        json_object_put(o, "connection",
                        json_string_create_nocopy(ds_steal_cstr(&tuple)));
        json_object_put_string(o, "state",
                               nic_placement_state_name(e[i].state));
        if (e[i].state == NIC_PLACEMENT_SHM_STOPPED) {
            json_object_put_string(o, "stop_reason",
                                   nic_placement_reason_name(
                                       e[i].stop_reason));
        }
        json_object_put(o, "buffer", json_integer_create(e[i].data_len));
        json_object_put(o, "next", json_integer_create(e[i].next));
        json_object_put(o, "consumed", json_integer_create(e[i].consumed));
        json_object_put(o, "bytes_placed",
                        json_integer_create(e[i].bytes_placed));
        json_object_put(o, "fallbacks", json_integer_create(e[i].fallbacks));
        json_object_put(o, "stops", json_integer_create(e[i].gaps));
        json_object_put(o, "resyncs", json_integer_create(e[i].resyncs));
        json_array_add(entries, o);
    }
    json_object_put(j, "connections", entries);
    return j;
}

static void
placement_nic_to_text(struct nic *nic, const struct nic_placement_status *s,
                      const struct nic_placement_entry_info *e, size_t n,
                      struct ds *out)
{
    const struct nic_placement_stats *st = &s->stats;

    ds_put_format(out, "%s: placement %s", nic_get_name(nic),
                  s->enabled ? "on" : "off");
    if (s->control_path[0]) {
        ds_put_format(out, ", control socket %s", s->control_path);
    }
    ds_put_format(out, "\n  entries: %"PRIu32"/%"PRIu32" (per port %"PRIu32
                  " entries, %"PRIu64" bytes)\n", st->n_entries,
                  st->limits.capacity, st->limits.port_entries,
                  st->limits.port_bytes);
    ds_put_format(out, "  buffers kept for reuse: %"PRIu32" (%"PRIu64
                  " bytes)\n", st->n_buffers, st->buffer_bytes);
    ds_put_format(out, "  placed: %"PRIu64" bytes in %"PRIu64" segments\n",
                  st->bytes_placed, st->segs_placed);
    ds_put_cstr(out, "  fallbacks:");
    for (int r = 1; r < NIC_N_PLACEMENT_REASONS; r++) {
        ds_put_format(out, " %s=%"PRIu64, nic_placement_reason_name(r),
                      st->fallbacks[r]);
    }
    ds_put_format(out, "\n  stops: %"PRIu64", resyncs: %"PRIu64"\n",
                  st->gaps, st->resyncs);
    ds_put_format(out, "  registered: %"PRIu64", released on close: %"PRIu64
                  ", by owner: %"PRIu64"\n  refused:", st->registered,
                  st->released_close, st->released_owner);
    for (int r = 0; r < NIC_PLACEMENT_N_REFUSALS; r++) {
        ds_put_format(out, " %s=%"PRIu64, nic_placement_refusal_name(r),
                      st->refused[r]);
    }
    ds_put_char(out, '\n');
    for (size_t i = 0; i < n; i++) {
        char port[32];

        ds_put_format(out, "  #%"PRIu32" %s ", e[i].id,
                      placement_port_name(e[i].port, port, sizeof port));
        nic_placement_tuple_format(&e[i].tuple, out);
        ds_put_format(out, " %s", nic_placement_state_name(e[i].state));
        if (e[i].state == NIC_PLACEMENT_SHM_STOPPED) {
            ds_put_format(out, " (%s)",
                          nic_placement_reason_name(e[i].stop_reason));
        }
        ds_put_format(out, " buffer=%"PRIu64" next=%"PRIu64" consumed=%"
                      PRIu64" placed=%"PRIu64" fallbacks=%"PRIu64" stops=%"
                      PRIu64" resyncs=%"PRIu64"\n", e[i].data_len,
                      e[i].next, e[i].consumed, e[i].bytes_placed,
                      e[i].fallbacks, e[i].gaps, e[i].resyncs);
    }
}

struct placement_show {
    bool json;
    struct json *array;
    struct ds text;
};

static void
placement_show_one(struct nic *nic, void *show_)
{
    struct placement_show *show = show_;
    struct nic_placement_entry_info *e;
    struct nic_placement_status s;
    size_t n;

    if (nic_placement_get(nic, &s)) {
        /* A NIC without a placement table has nothing to show. */
        return;
    }
    nic_placement_dump(nic, &e, &n);
    if (show->json) {
        json_array_add(show->array, placement_nic_to_json(nic, &s, e, n));
    } else {
        placement_nic_to_text(nic, &s, e, n, &show->text);
    }
    free(e);
}

static void
placement_unixctl_show(struct unixctl_conn *conn, int argc,
                       const char *argv[], void *aux OVS_UNUSED)
{
    const char *args[UNIXCTL_FORMAT_MAX_ARGS];
    struct placement_show show;
    int n_args;
    size_t n;

    memset(&show, 0, sizeof show);
    if (!unixctl_format_parse(conn, argc, argv, args, &n_args, &show.json)) {
        return;
    }
    if (n_args > 2) {
        unixctl_format_reply_error(conn, show.json, "too many arguments");
        return;
    }
    show.array = json_array_create_empty();
    ds_init(&show.text);
    n = placement_for_each_nic(n_args == 2 ? args[1] : NULL,
                               placement_show_one, &show);
    if (n_args == 2 && !n) {
        char *msg = xasprintf("%s: no such NIC", args[1]);

        unixctl_format_reply_error(conn, show.json, msg);
        free(msg);
        json_destroy(show.array);
    } else if (show.json) {
        struct json *j = json_object_create();

        json_object_put(j, "nics", show.array);
        unixctl_format_reply_json(conn, j);
    } else {
        json_destroy(show.array);
        unixctl_command_reply(conn, ds_cstr(&show.text));
    }
    ds_destroy(&show.text);
}

struct placement_set {
    struct nic_placement_config cfg;
    int error;
    char *msg;
};

static void
placement_set_one(struct nic *nic, void *set_)
{
    struct placement_set *set = set_;

    set->error = nic_placement_set(nic, &set->cfg, &set->msg);
}

static bool
placement_parse_u64(const char *s, const char *key, uint64_t max,
                    uint64_t *v)
{
    size_t len = strlen(key);
    char *end;

    if (strncmp(s, key, len) || s[len] != '=') {
        return false;
    }
    errno = 0;
    *v = strtoull(s + len + 1, &end, 10);
    return !errno && end != s + len + 1 && !*end && *v <= max;
}

/* offload/placement-set NIC on|off [capacity=N] [port-entries=N]
 * [port-bytes=N]: unset limits take the defaults. */
static void
placement_unixctl_set(struct unixctl_conn *conn, int argc,
                      const char *argv[], void *aux OVS_UNUSED)
{
    struct placement_set set = {
        .cfg.limits = {
            .capacity = NIC_PLACEMENT_DEFAULT_CAPACITY,
            .port_entries = NIC_PLACEMENT_DEFAULT_PORT_ENTRIES,
            .port_bytes = NIC_PLACEMENT_DEFAULT_PORT_BYTES,
        },
    };
    uint64_t v;

    if (!strcmp(argv[2], "on")) {
        set.cfg.enabled = true;
    } else if (strcmp(argv[2], "off")) {
        unixctl_command_reply_error(conn, "second argument must be on or "
                                    "off");
        return;
    }
    for (int i = 3; i < argc; i++) {
        if (placement_parse_u64(argv[i], "capacity",
                                NIC_PLACEMENT_MAX_CAPACITY, &v)) {
            set.cfg.limits.capacity = v;
        } else if (placement_parse_u64(argv[i], "port-entries", UINT32_MAX,
                                       &v) && v) {
            set.cfg.limits.port_entries = v;
        } else if (placement_parse_u64(argv[i], "port-bytes", UINT64_MAX,
                                       &v) && v >= NIC_PLACEMENT_MIN_DATA) {
            set.cfg.limits.port_bytes = v;
        } else {
            char *msg = xasprintf("%s: bad argument (capacity=0..%d, "
                                  "port-entries=1.., port-bytes=%d..)",
                                  argv[i], NIC_PLACEMENT_MAX_CAPACITY,
                                  NIC_PLACEMENT_MIN_DATA);

            unixctl_command_reply_error(conn, msg);
            free(msg);
            return;
        }
    }
    if (!placement_for_each_nic(argv[1], placement_set_one, &set)) {
        char *msg = xasprintf("%s: no such NIC", argv[1]);

        unixctl_command_reply_error(conn, msg);
        free(msg);
    } else if (set.error) {
        unixctl_command_reply_error(conn, set.msg ? set.msg
                                    : ovs_strerror(set.error));
    } else {
        unixctl_command_reply(conn, NULL);
    }
    free(set.msg);
}

void
offload_placement_unixctl_register(void)
{
    unixctl_command_register("offload/placement", "[--format text|json] "
                             "[NIC]", 0, 3, placement_unixctl_show, NULL);
    unixctl_command_register("offload/placement-set", "NIC on|off "
                             "[capacity=N] [port-entries=N] [port-bytes=N]",
                             2, 5, placement_unixctl_set, NULL);
}
