/* SPDX-License-Identifier: Apache-2.0 */
/* ovs-appctl xdp/show: the XDP NICs, where their program runs (interface,
 * native or generic XDP, program id, reattachments) and each port's
 * counters, as text or JSON in the shape of nicsim/show's. */

#include <config.h>

#include "vswitchd-ext/nic-xdp-unixctl.h"

#include <string.h>

#include "lib/nic.h"
#include "lib/nic-xdp.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "unixctl.h"
#include "util.h"
#include "vswitchd-ext/unixctl-format.h"

struct nic_xdp_show {
    const char *only;           /* NIC name, or NULL for all. */
    bool json;
    bool found;
    struct ds text;
    struct json *nics;
};

static void
nic_xdp_show_one(struct nic *nic, void *show_)
{
    struct nic_xdp_show *show = show_;
    struct nic_xdp_port_status ps;
    struct json *jnic = NULL, *jports = NULL;
    size_t exact, wildcard, masks;

    if (show->only && strcmp(show->only, nic_get_name(nic))) {
        return;
    }
    show->found = true;
    nic_xdp_get_n_rules(nic, &exact, &wildcard, &masks);
    if (show->json) {
        jnic = json_object_create();
        jports = json_array_create_empty();
        json_object_put_string(jnic, "name", nic_get_name(nic));
        json_object_put(jnic, "exact_rules", json_integer_create(exact));
        json_object_put(jnic, "wildcard_rules",
                        json_integer_create(wildcard));
        json_object_put(jnic, "masks", json_integer_create(masks));
    } else {
        ds_put_format(&show->text, "%s: xdp, %"PRIuSIZE" exact + %"PRIuSIZE
                      " wildcard rules (%"PRIuSIZE" masks)\n",
                      nic_get_name(nic), exact, wildcard, masks);
    }
    for (size_t i = 0; nic_xdp_get_port_status(nic, i, &ps); i++) {
        struct nic_port_stats st;
        char name[16];

        if (nic_port_stats(nic, ps.port, &st)
            || (!ps.attached && !st.rx_packets && !st.tx_packets)) {
            continue;
        }
        nic_port_to_string(ps.port, name, sizeof name);
        if (show->json) {
            struct json *jp = unixctl_nic_port_stats_json(&st);

            json_object_put_string(jp, "port", name);
            json_object_put(jp, "attached", json_boolean_create(ps.attached));
            json_object_put_string(jp, "interface", ps.ifname);
            json_object_put_string(jp, "mode", ps.mode);
            json_object_put(jp, "prog_id", json_integer_create(ps.prog_id));
            json_object_put(jp, "n_rxq", json_integer_create(ps.n_rxq));
            json_object_put(jp, "reattached",
                            json_integer_create(ps.reattached));
            json_array_add(jports, jp);
        } else {
            ds_put_format(&show->text, "  port %s: %s", name,
                          ps.attached ? "attached" : "detached");
            if (ps.ifname[0] && !strcmp(ps.mode, "host-path")) {
                ds_put_format(&show->text, ", interface %s, host path "
                              "(no XDP program of the NIC's)", ps.ifname);
            } else if (ps.ifname[0]) {
                ds_put_format(&show->text, ", interface %s, %s XDP, "
                              "program %"PRIu32", %"PRIu32" AF_XDP "
                              "queue(s), reattached %"PRIu64, ps.ifname,
                              ps.mode, ps.prog_id, ps.n_rxq, ps.reattached);
            }
            ds_put_char(&show->text, '\n');
            unixctl_nic_port_stats_text(&show->text, &st);
        }
    }
    if (show->json) {
        json_object_put(jnic, "ports", jports);
        json_array_add(show->nics, jnic);
    }
}

static void
nic_xdp_unixctl_show(struct unixctl_conn *conn, int argc, const char *argv[],
                     void *aux OVS_UNUSED)
{
    const char *args[UNIXCTL_FORMAT_MAX_ARGS];
    struct nic_xdp_show show;
    int n_args;

    memset(&show, 0, sizeof show);
    if (!unixctl_format_parse(conn, argc, argv, args, &n_args, &show.json)) {
        return;
    }
    show.only = n_args > 1 ? args[1] : NULL;
    ds_init(&show.text);
    show.nics = show.json ? json_array_create_empty() : NULL;
    nic_xdp_for_each(nic_xdp_show_one, &show);
    if (show.only && !show.found) {
        char *msg = xasprintf("%s: no such XDP NIC (a NIC exists once a "
                              "port of type xdp names it)", show.only);

        unixctl_format_reply_error(conn, show.json, msg);
        free(msg);
        json_destroy(show.nics);
    } else if (show.json) {
        unixctl_format_reply_json(conn, show.nics);
    } else {
        unixctl_command_reply(conn, ds_cstr(&show.text));
    }
    ds_destroy(&show.text);
}

void
nic_xdp_unixctl_register(void)
{
    unixctl_command_register("xdp/show", "[--format text|json] [NIC]", 0, 3,
                             nic_xdp_unixctl_show, NULL);
}
