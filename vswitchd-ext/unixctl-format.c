/* SPDX-License-Identifier: Apache-2.0 */
/* Reply helpers (text and JSON) shared by the unixctl commands. */
#include <config.h>

#include "vswitchd-ext/unixctl-format.h"

#include <string.h>

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
