/* SPDX-License-Identifier: Apache-2.0 */
/* The ovs-appctl commands offload/show, flows, explain and verify. */
#include <config.h>

#include "vswitchd-ext/offload-unixctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "datapath-offload/netdev-offload-nic.h"
#include "flow.h"
#include "lib/offload-engine.h"
#include "lib/offload-verify.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/shash.h"
#include "simap.h"
#include "unixctl.h"
#include "util.h"
#include "vswitchd-ext/offload-config.h"
#include "vswitchd-ext/offload-db.h"
#include "vswitchd-ext/offload-placement-unixctl.h"
#include "vswitchd-ext/offload-status.h"
#include "vswitchd-ext/unixctl-format.h"

/* Why dpctl/offload-stats-show's latency is much longer than ours: it is
 * dpif-netdev's, timed from the queueing thread's cached clock, for
 * every request, and includes the time its offload thread sleeps when
 * its queue was empty (1 to 64 ms, doubling), which ours cannot see. */
#define OFFLOAD_UNIXCTL_DP_LATENCY_MEASURES                               \
    "request queued to done, every add, modify and delete, including the " \
    "offload thread's idle sleep of up to 64 ms"

/* What offload/show adds to the engine's own snapshot, read once. */
struct offload_unixctl_show {
    bool dp_latency;            /* dpif-netdev has measured some. */
    uint64_t dp_cma_us, dp_ema_us;
    int interval_ms;
    struct json *config_errors; /* Array of strings. */
    const char *database;       /* The Offload database's state. */
    unsigned long long n_status_updates;
};

static void
offload_unixctl_show_collect(struct offload_unixctl_show *show)
{
    show->dp_latency = netdev_offload_nic_datapath_latency(
        &show->dp_cma_us, &show->dp_ema_us);
    show->interval_ms = netdev_offload_nic_get_interval();
    show->config_errors = offload_config_errors_json();
    show->database = offload_db_state();
    show->n_status_updates = offload_status_n_updates();
}

/* Adds 'show' to offload_engine_show_json()'s object 'j'; the errors go
 * with it. */
static void
offload_unixctl_show_to_json(struct json *j,
                             struct offload_unixctl_show *show)
{
    json_object_put(j, "rebalance_interval_ms",
                    json_integer_create(show->interval_ms));
    if (show->dp_latency) {
        struct json *dp = json_object_create();

        json_object_put(dp, "avg_us", json_integer_create(show->dp_cma_us));
        json_object_put(dp, "recent_avg_us",
                        json_integer_create(show->dp_ema_us));
        json_object_put_string(dp, "measures",
                               OFFLOAD_UNIXCTL_DP_LATENCY_MEASURES);
        json_object_put(j, "datapath_queue_latency", dp);
    }
    json_object_put(j, "config_errors", show->config_errors);
    show->config_errors = NULL;
    json_object_put_string(j, "database", show->database);
    json_object_put(j, "status_updates",
                    json_integer_create(show->n_status_updates));
}

static void
offload_unixctl_show_format(struct ds *s,
                            const struct offload_unixctl_show *show)
{
    const struct json_array *errors = json_array(show->config_errors);

    if (show->dp_latency) {
        ds_put_format(s, "latency, dpif-netdev's offload queue (as "
                      "dpctl/offload-stats-show): avg=%"PRIu64"us "
                      "recent avg=%"PRIu64"us\n  (%s)\n",
                      show->dp_cma_us, show->dp_ema_us,
                      OFFLOAD_UNIXCTL_DP_LATENCY_MEASURES);
    }
    ds_put_format(s, "rebalance interval: %d ms\n", show->interval_ms);
    ds_put_format(s, "Offload database: %s, %llu status updates\n",
                  show->database, show->n_status_updates);
    for (size_t i = 0; i < errors->n; i++) {
        ds_put_format(s, "config error: %s\n",
                      json_string(errors->elems[i]));
    }
}

static void
offload_unixctl_show(struct unixctl_conn *conn, int argc_,
                     const char *argv_[], void *aux OVS_UNUSED)
{
    struct offload_unixctl_show show;
    bool json;

    if (!unixctl_format_parse_only(conn, argc_, argv_, "offload/show",
                                   &json)) {
        return;
    }
    offload_unixctl_show_collect(&show);
    if (json) {
        struct json *j = offload_engine_show_json();

        offload_unixctl_show_to_json(j, &show);
        unixctl_format_reply_json(conn, j);
    } else {
        struct ds s = DS_EMPTY_INITIALIZER;

        offload_engine_show(&s);
        offload_unixctl_show_format(&s, &show);
        unixctl_command_reply(conn, ds_cstr(&s));
        ds_destroy(&s);
    }
    json_destroy(show.config_errors);
}

static bool
offload_unixctl_valid_state(const char *name)
{
    for (int i = 0; i < OFFLOAD_N_STATES; i++) {
        if (!strcmp(name, offload_state_name(i))) {
            return true;
        }
    }
    return false;
}

/* Members of the JSON object 'obj', which has them. */
static const char *
offload_unixctl_string(const struct json *obj, const char *name)
{
    return json_string(shash_find_data(json_object(obj), name));
}

static uint64_t
offload_unixctl_u64(const struct json *obj, const char *name)
{
    return json_integer(shash_find_data(json_object(obj), name));
}

/* Renders the text of offload/flows from offload_engine_flows_json()'s
 * array 'flows', so that both formats come from the one snapshot: a line
 * per flow with every member of its object ("reason" and its "detail"
 * only when there is one, "rule" only when installed, as in JSON). */
static void
offload_unixctl_flows_format(struct ds *s, const struct json *flows)
{
    const struct json_array *a = json_array(flows);

    for (size_t i = 0; i < a->n; i++) {
        const struct json *f = a->elems[i];
        const char *reason = offload_unixctl_string(f, "reason");
        const char *detail = offload_unixctl_string(f, "detail");

        ds_put_format(s, "ufid:%s %s", offload_unixctl_string(f, "ufid"),
                      offload_unixctl_string(f, "state"));
        if (strcmp(reason, offload_reason_name(OFFLOAD_REASON_NONE))) {
            ds_put_format(s, " reason=%s", reason);
            if (detail[0]) {
                ds_put_format(s, "(%s)", detail);
            }
        }
        ds_put_format(s, " in_port=%"PRIu64" nic=%s kind=%s",
                      offload_unixctl_u64(f, "in_port"),
                      offload_unixctl_string(f, "nic_port"),
                      offload_unixctl_string(f, "kind"));
        if (shash_find(json_object(f), "rule")) {
            ds_put_format(s, " rule=%"PRIu64,
                          offload_unixctl_u64(f, "rule"));
        }
        /* The match before the actions, which end the line: neither has
         * a space, but the actions are what one reads last. */
        ds_put_format(s, " queue=%s hw_packets:%"PRIu64" hw_bytes:%"PRIu64
                      " pps:%.0f match:%s actions:%s\n",
                      offload_unixctl_string(f, "queue"),
                      offload_unixctl_u64(f, "hw_packets"),
                      offload_unixctl_u64(f, "hw_bytes"),
                      json_real(shash_find_data(json_object(f), "pps")),
                      offload_unixctl_string(f, "match"),
                      offload_unixctl_string(f, "actions"));
    }
}

static void
offload_unixctl_flows(struct unixctl_conn *conn, int argc_,
                      const char *argv_[], void *aux OVS_UNUSED)
{
    const char *argv[UNIXCTL_FORMAT_MAX_ARGS];
    const char *filter = NULL;
    bool json;
    int argc;

    if (!unixctl_format_parse(conn, argc_, argv_, argv, &argc, &json)) {
        return;
    }
    if (argc > 2) {
        unixctl_format_reply_error(conn, json, "usage: offload/flows "
                                   "[--format text|json] [STATE]");
        return;
    }
    if (argc == 2) {
        filter = argv[1];
        if (!offload_unixctl_valid_state(filter)) {
            char *msg = xasprintf("%s: unknown state (expected pending, "
                                  "offloaded, partial, software or "
                                  "failed)", filter);
            unixctl_format_reply_error(conn, json, msg);
            free(msg);
            return;
        }
    }

    struct json *flows = offload_engine_flows_json(filter);
    if (json) {
        unixctl_format_reply_json(conn, flows);
    } else {
        struct ds s = DS_EMPTY_INITIALIZER;

        offload_unixctl_flows_format(&s, flows);
        unixctl_command_reply(conn, ds_cstr(&s));
        ds_destroy(&s);
        json_destroy(flows);
    }
}

/* Parses a UFID ("ufid:..." or bare) or an ODP flow (as dpctl/dump-flows
 * prints it) into the UFID of the tracked flow.  Returns NULL or an
 * error message to free. */
static char *
offload_unixctl_parse_flow(const char *s, ovs_u128 *ufid)
{
    char *error = NULL;
    int n;

    struct ofpbuf key, mask;
    struct flow flow;

    n = odp_ufid_from_string(s, ufid);
    if (n == 0 && strlen(s) == 36 && strchr(s, '-')) {
        char *with_prefix = xasprintf("ufid:%s", s);

        n = odp_ufid_from_string(with_prefix, ufid);
        free(with_prefix);
    }
    if (n < 0) {
        return xasprintf("%s: bad UFID", s);
    } else if (n > 0) {
        /* The engine knows flows by dpif-netdev's megaflow UFID; dpctl
         * shows another one, which the datapath can resolve. */
        if (!offload_engine_explain(ufid, NULL)
            && netdev_offload_nic_datapath_flow(ufid, &flow)) {
            offload_engine_find_by_flow(&flow, ufid);
        }
        return NULL;
    }

    struct simap port_names = SIMAP_INITIALIZER(&port_names);
    netdev_offload_nic_port_names(&port_names);
    ofpbuf_init(&key, 0);
    ofpbuf_init(&mask, 0);
    if (odp_flow_from_string(s, &port_names, &key, &mask, &error)) {
        char *msg = xasprintf("%s: neither a UFID nor a datapath flow (%s)",
                              s, error ? error : "parse error");
        free(error);
        error = msg;
    } else if (odp_flow_key_to_flow(key.data, key.size, &flow, &error)
               == ODP_FIT_ERROR) {
        char *msg = xasprintf("%s: bad datapath flow (%s)", s,
                              error ? error : "?");
        free(error);
        error = msg;
    } else {
        free(error);
        error = NULL;
        if (!offload_engine_find_by_flow(&flow, ufid)) {
            error = xasprintf("no datapath flow offered for offload "
                              "matches %s", s);
        }
    }
    ofpbuf_uninit(&key);
    ofpbuf_uninit(&mask);
    simap_destroy(&port_names);
    return error;
}

/* offload/explain's text, from the same snapshot as its JSON. */
static void
offload_unixctl_explain_format(struct ds *s,
                               const struct offload_flow_explanation *x)
{
    ds_put_cstr(s, "flow: ");
    odp_format_ufid(&x->ufid, s);
    ds_put_cstr(s, "\n  match: ");
    minimatch_format(&x->match, NULL, NULL, s, OFP_DEFAULT_PRIORITY);
    ds_put_cstr(s, "\n  actions: ");
    format_odp_actions(s, x->actions, x->actions_len, NULL);
    ds_put_format(s, "\n  nic port: %s", x->nic_port);
    ds_put_format(s, "\n  state: %s (%s)\n", offload_state_name(x->state),
                  offload_state_description(x->state));
    if (x->reason != OFFLOAD_REASON_NONE) {
        ds_put_format(s, "  reason: %s: %s%s%s\n",
                      offload_reason_name(x->reason),
                      offload_reason_description(x->reason),
                      x->detail[0] ? ": " : "", x->detail);
    }
    if (x->kind != OFFLOAD_KIND_NONE) {
        ds_put_format(s, "  nic rule (%s): ", offload_kind_to_string(x->kind));
        nic_match_format(s, &x->rule_match);
        ds_put_cstr(s, " actions=");
        nic_actions_format(s, x->rule_actions, x->n_rule_actions);
        if (x->installed) {
            ds_put_format(s, " (installed as rule %"PRIu32")", x->rule_id);
        } else {
            ds_put_cstr(s, " (not installed)");
        }
        ds_put_char(s, '\n');
    } else {
        ds_put_cstr(s, "  nic rule: none possible\n");
    }
    ds_put_format(s, "  host queue: %s\n", x->queue);
    ds_put_format(s, "  hardware: %"PRIu64" packets, %"PRIu64" bytes;"
                  " rate %.1f packets/s; installed %"PRIu32" time(s)\n",
                  x->hw_packets, x->hw_bytes, x->pps, x->n_installs);
}

static void
offload_unixctl_explain(struct unixctl_conn *conn, int argc_,
                        const char *argv_[], void *aux OVS_UNUSED)
{
    const char *argv[UNIXCTL_FORMAT_MAX_ARGS];
    ovs_u128 ufid;
    char *error;
    bool json;
    int argc;

    if (!unixctl_format_parse(conn, argc_, argv_, argv, &argc, &json)) {
        return;
    }
    if (argc != 2) {
        unixctl_format_reply_error(conn, json, "usage: offload/explain "
                                   "[--format text|json] FLOW|UFID");
        return;
    }
    error = offload_unixctl_parse_flow(argv[1], &ufid);
    if (error) {
        unixctl_format_reply_error(conn, json, error);
        free(error);
        return;
    }

    struct offload_flow_explanation x;
    struct ds s = DS_EMPTY_INITIALIZER;
    if (!offload_engine_explain(&ufid, &x)) {
        ds_put_cstr(&s, "no such flow: ");
        odp_format_ufid(&ufid, &s);
        unixctl_format_reply_error(conn, json, ds_cstr(&s));
        ds_destroy(&s);
        return;
    }
    if (json) {
        unixctl_format_reply_json(conn, offload_flow_explanation_to_json(&x));
    } else {
        offload_unixctl_explain_format(&s, &x);
        unixctl_command_reply(conn, ds_cstr(&s));
    }
    offload_flow_explanation_destroy(&x);
    ds_destroy(&s);
}

static bool
offload_unixctl_parse_int(const char *s, long long int min,
                          long long int max, long long int *value)
{
    char *end;

    errno = 0;
    *value = strtoll(s, &end, 10);
    return !errno && end != s && !*end && *value >= min && *value <= max;
}

/* The error of a verification that compared no packet. */
#define OFFLOAD_UNIXCTL_NO_VERDICT                                      \
    "no packet compared: no verdict (no traffic hit a fully offloaded " \
    "flow of the engine)"

/* A verification waiting for its NICs' samples. */
struct offload_unixctl_verify {
    struct unixctl_conn *conn;
    bool json;
};

/* A finished verification's figures, derived from its report once. */
struct offload_unixctl_verify_result {
    const struct offload_verify_report *r;
    size_t compared;
    size_t differences;
    enum offload_verify_verdict verdict;
};

static struct json *
offload_unixctl_verify_to_json(const struct offload_unixctl_verify_result *v)
{
    const struct offload_verify_report *r = v->r;
    struct json *j = json_object_create();
    struct json *ex = json_array_create_empty();

    json_object_put(j, "samples", json_integer_create(r->n_samples));
    json_object_put(j, "flow_gone", json_integer_create(r->n_unknown));
    json_object_put(j, "compared", json_integer_create(v->compared));
    json_object_put(j, "differences", json_integer_create(v->differences));
    json_object_put_string(j, "verdict",
                           offload_verify_verdict_name(v->verdict));
    for (int i = 0; i < OFFLOAD_VERIFY_N_OUTCOMES; i++) {
        json_object_put(j, offload_verify_outcome_name(i),
                        json_integer_create(r->counts[i]));
    }
    for (size_t i = 0; i < r->n_examples; i++) {
        json_array_add(ex, json_string_create(r->examples[i]));
    }
    json_object_put(j, "examples", ex);
    return j;
}

static void
offload_unixctl_verify_format(struct ds *s,
                              const struct offload_unixctl_verify_result *v)
{
    const struct offload_verify_report *r = v->r;

    ds_put_format(s, "samples: %"PRIuSIZE" (flow gone meanwhile or not "
                  "the engine's rule: %"PRIuSIZE")\n", r->n_samples,
                  r->n_unknown);
    ds_put_format(s, "compared: %"PRIuSIZE"\n", v->compared);
    ds_put_format(s, "differences: %"PRIuSIZE"\n", v->differences);
    for (int i = 0; i < OFFLOAD_VERIFY_N_OUTCOMES; i++) {
        ds_put_format(s, "  %-14s %"PRIuSIZE"\n",
                      offload_verify_outcome_name(i), r->counts[i]);
    }
    for (size_t i = 0; i < r->n_examples; i++) {
        ds_put_format(s, "%s\n", r->examples[i]);
    }
    ds_put_format(s, "verdict: %s\n",
                  offload_verify_verdict_name(v->verdict));
}

static void
offload_unixctl_verify_done(const struct offload_verify_report *r,
                            void *v_)
{
    struct offload_unixctl_verify *v = v_;
    struct unixctl_conn *conn = v->conn;

    if (!r) {
        /* Cancelled at exit: the connection goes with the server. */
        free(v);
        return;
    }

    struct offload_unixctl_verify_result result = {
        .r = r,
        .compared = offload_verify_report_compared(r),
        .differences = offload_verify_report_differences(r),
        .verdict = offload_verify_report_verdict(r),
    };
    if (v->json) {
        struct json *j = offload_unixctl_verify_to_json(&result);

        if (result.verdict == OFFLOAD_VERIFY_NO_VERDICT) {
            /* The same failure as in text, with the report. */
            unixctl_format_reply_error_json(conn, j,
                                            OFFLOAD_UNIXCTL_NO_VERDICT);
        } else {
            unixctl_format_reply_json(conn, j);
        }
    } else {
        struct ds s = DS_EMPTY_INITIALIZER;

        offload_unixctl_verify_format(&s, &result);
        if (result.verdict == OFFLOAD_VERIFY_NO_VERDICT) {
            /* "differences: 0" over no comparison would read as a pass:
             * fail the command instead, with what was seen (as text, the
             * form of an error reply). */
            ds_put_cstr(&s, OFFLOAD_UNIXCTL_NO_VERDICT);
            unixctl_command_reply_error(conn, ds_cstr(&s));
        } else {
            unixctl_command_reply(conn, ds_cstr(&s));
        }
        ds_destroy(&s);
    }
    free(v);
}

static void
offload_unixctl_verify(struct unixctl_conn *conn, int argc_,
                       const char *argv_[], void *aux OVS_UNUSED)
{
    const char *argv[UNIXCTL_FORMAT_MAX_ARGS];
    long long int max = 100, duration = 500;
    struct offload_unixctl_verify *v;
    bool json;
    int argc;
    int error;

    if (!unixctl_format_parse(conn, argc_, argv_, argv, &argc, &json)) {
        return;
    }
    if (argc > 3
        || (argc > 1 && !offload_unixctl_parse_int(argv[1], 1, 10000, &max))
        || (argc > 2 && !offload_unixctl_parse_int(argv[2], 10, 5000,
                                                   &duration))) {
        unixctl_format_reply_error(conn, json, "usage: offload/verify "
                                   "[--format text|json] [SAMPLES (1-10000)"
                                   " [MSEC (10-5000)]]");
        return;
    }

    /* The reply comes when the window closes; the main thread does not
     * wait for it. */
    v = xmalloc(sizeof *v);
    v->conn = conn;
    v->json = json;
    error = netdev_offload_nic_verify_start(max, duration,
                                               offload_unixctl_verify_done,
                                               v);
    if (error) {
        free(v);
        unixctl_format_reply_error(conn, json, error == EBUSY
                                   ? "a verification is already running"
                                   : "no NIC with offloaded flows can "
                                   "sample packets");
    }
}

void
offload_unixctl_register(void)
{
    unixctl_command_register("offload/show", "[--format text|json]", 0, 2,
                             offload_unixctl_show, NULL);
    unixctl_command_register("offload/flows", "[--format text|json] [STATE]",
                             0, 3, offload_unixctl_flows, NULL);
    unixctl_command_register("offload/explain",
                             "[--format text|json] FLOW|UFID", 1, 3,
                             offload_unixctl_explain, NULL);
    unixctl_command_register("offload/verify",
                             "[--format text|json] [SAMPLES [MSEC]]", 0, 4,
                             offload_unixctl_verify, NULL);
    offload_placement_unixctl_register();
}
