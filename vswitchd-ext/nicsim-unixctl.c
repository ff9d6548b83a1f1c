/* SPDX-License-Identifier: Apache-2.0 */
/* ovs-appctl commands of the nicsim reference NIC: inspection (show,
 * dump-rules), direct rule insertion, packet injection and failure
 * injection for tests.  Bad arguments get an error reply, which makes
 * ovs-appctl exit with status 2. */

#include <config.h>

#include "vswitchd-ext/nicsim-unixctl.h"

#include <errno.h>
#include <string.h>

#include "datapath-offload/netdev-nic.h"
#include "dp-packet.h"
#include "flow.h"
#include "lib/nic.h"
#include "lib/nicsim.h"
#include "lib/nicsim-channel.h"
#include "lib/offload-channel.h"
#include "lib/offload-dma-poll.h"
#include "lib/offload-token.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "unixctl.h"
#include "vswitchd-ext/unixctl-format.h"
#include "util.h"


/* Replies with error 'msg' (as JSON if 'json') and frees it. */
static void
nicsim_unixctl_error(struct unixctl_conn *conn, bool json, char *msg)
{
    unixctl_format_reply_error(conn, json, msg);
    free(msg);
}

static void
nicsim_unixctl_reply_id(struct unixctl_conn *conn, uint32_t id)
{
    char *msg = xasprintf("%"PRIu32, id);

    unixctl_command_reply(conn, msg);
    free(msg);
}

/* Parses an optional "priority=N" at argv[*i], advancing *i past it.
 * Returns false, with an error reply sent, if it is malformed. */
static bool
nicsim_unixctl_priority(struct unixctl_conn *conn, int argc,
                        const char *argv[], int *i, uint32_t *priority)
{
    if (*i < argc && !strncmp(argv[*i], "priority=", 9)) {
        if (!str_to_uint(argv[*i] + 9, 10, priority)) {
            unixctl_command_reply_error(conn, "priority must be a number");
            return false;
        }
        (*i)++;
    }
    return true;
}

/* Finds nicsim NIC 'name', or replies with an error (as JSON if 'json')
 * and returns NULL. */
static struct nic *
nicsim_unixctl_nic(struct unixctl_conn *conn, bool json, const char *name)
{
    struct nic *nic = nicsim_find(name);

    if (!nic) {
        nicsim_unixctl_error(conn, json,
                             xasprintf("%s: no such nicsim NIC (a NIC "
                                       "exists once a port of type "
                                       "nicsim names it)", name));
    }
    return nic;
}

/* Parses port name 's' ("uplinkN" or "vfN") of 'nic' into '*port'.
 * Returns false, with an error reply (as JSON if 'json') that names the
 * ports the NIC really has, if it is malformed or 'nic' has no such
 * port. */
static bool
nicsim_unixctl_port(struct unixctl_conn *conn, bool json, struct nic *nic,
                    const char *s, uint32_t *port)
{
    struct nic_caps caps;
    bool ok;

    nic_get_caps(nic, &caps);
    ok = nic_port_from_string(s, port);
    if (ok) {
        ok = (nic_port_is_vf(*port)
              ? *port - NIC_PORT_VF_BASE < caps.n_vfs
              : *port < caps.n_uplinks);
    }
    if (!ok) {
        nicsim_unixctl_error(conn, json, xasprintf(
                                 "bad port \"%s\": %s has uplink0 to "
                                 "uplink%"PRIu32" and vf0 to vf%"PRIu32, s,
                                 nic_get_name(nic), caps.n_uplinks - 1,
                                 caps.n_vfs - 1));
    }
    return ok;
}

/* nicsim/show's snapshot: everything it prints, read from the NICs once
 * and then rendered as JSON or as text. */
struct nicsim_show_port {
    struct nicsim_port_info pi; /* 'pi.medium' is a copy, or NULL. */
    char name[16];
    struct nic_port_stats st;
    struct nic_queue_stats *queues; /* 'pi.n_rxq' of them. */
    struct nicsim_show_dma {
        struct nic_dma_queue_stats nic;     /* The NIC's side. */
        struct offload_dma_poll_stats host; /* The representor's poller. */
    } *dma;                         /* 'pi.n_rxq' of them. */
    struct nicsim_show_dma dma_tx;  /* The send ring, if 'has_dma_tx'. */
    bool has_dma_tx;
};

struct nicsim_show_nic {
    char *name;
    struct nicsim_info info;
    struct nicsim_engine_info *engines; /* 'info.config.n_engines'. */
    struct nicsim_show_port *ports;
    size_t n_ports;
    bool has_tokens;            /* The NIC has sealed destinations. */
    struct nic_token_status tokens;
};

struct nicsim_show {
    const char *only;           /* NIC name, or NULL for all. */
    struct nicsim_show_nic *nics;
    size_t n_nics, allocated_nics;
};

static void
nicsim_show_collect_one(struct nic *nic, void *show_)
{
    struct nicsim_show *show = show_;
    struct nicsim_show_nic *sn;
    size_t allocated_ports = 0;
    struct nicsim_port_info pi;

    if (show->only && strcmp(show->only, nic_get_name(nic))) {
        return;
    }
    if (show->n_nics >= show->allocated_nics) {
        show->nics = x2nrealloc(show->nics, &show->allocated_nics,
                                sizeof *show->nics);
    }
    sn = &show->nics[show->n_nics++];
    memset(sn, 0, sizeof *sn);
    sn->name = xstrdup(nic_get_name(nic));
    nicsim_get_info(nic, &sn->info);
    sn->engines = xcalloc(sn->info.config.n_engines + 1,
                          sizeof *sn->engines);
    for (uint32_t e = 0; e < sn->info.config.n_engines; e++) {
        nicsim_get_engine_info(nic, e, &sn->engines[e]);
    }
    sn->has_tokens = !nic_token_get(nic, &sn->tokens);
    for (size_t i = 0; nicsim_get_port_info(nic, i, &pi); i++) {
        struct nicsim_show_port *sp;
        struct nic_port_stats st;

        nic_port_stats(nic, pi.port, &st);
        if (!pi.attached && !st.rx_packets && !st.tx_packets) {
            continue;
        }
        if (sn->n_ports >= allocated_ports) {
            sn->ports = x2nrealloc(sn->ports, &allocated_ports,
                                   sizeof *sn->ports);
        }
        sp = &sn->ports[sn->n_ports++];
        sp->pi = pi;
        sp->pi.medium = nullable_xstrdup(pi.medium);
        sp->st = st;
        nic_port_to_string(pi.port, sp->name, sizeof sp->name);
        sp->queues = xcalloc(pi.n_rxq + 1, sizeof *sp->queues);
        sp->dma = xcalloc(pi.n_rxq + 1, sizeof *sp->dma);
        for (uint32_t q = 0; q < pi.n_rxq; q++) {
            nic_queue_stats(nic, pi.port, q, &sp->queues[q]);
            nic_dma_queue_stats(nic, pi.port, q, &sp->dma[q].nic);
            netdev_nic_dma_poll_stats(nic, pi.port, q, &sp->dma[q].host);
        }
        sp->has_dma_tx = !nic_dma_tx_stats(nic, pi.port, &sp->dma_tx.nic);
        netdev_nic_dma_poll_stats(nic, pi.port, NETDEV_NIC_DMA_TX,
                                  &sp->dma_tx.host);
    }
}

static void
nicsim_show_destroy(struct nicsim_show *show)
{
    for (size_t i = 0; i < show->n_nics; i++) {
        struct nicsim_show_nic *sn = &show->nics[i];

        for (size_t p = 0; p < sn->n_ports; p++) {
            free(CONST_CAST(char *, sn->ports[p].pi.medium));
            free(sn->ports[p].queues);
            free(sn->ports[p].dma);
        }
        free(sn->ports);
        free(sn->engines);
        free(sn->name);
    }
    free(show->nics);
}

static struct json *
nicsim_show_dma_to_json(const struct nicsim_show_dma *d)
{
    struct json *j = json_object_create();
    struct json *hist = json_array_create_empty();

    json_object_put(j, "posted", json_integer_create(d->nic.posted));
    json_object_put(j, "completed", json_integer_create(d->nic.completed));
    json_object_put(j, "taken", json_integer_create(d->nic.taken));
    json_object_put(j, "pending", json_integer_create(d->nic.pending));
    json_object_put(j, "ring_full", json_integer_create(d->nic.ring_full));
    json_object_put(j, "flushed", json_integer_create(d->nic.flushed));
    json_object_put(j, "polls", json_integer_create(d->host.polls));
    json_object_put(j, "forced_polls",
                    json_integer_create(d->host.forced_polls));
    json_object_put(j, "empty_polls",
                    json_integer_create(d->host.empty_polls));
    json_object_put(j, "pressure_polls",
                    json_integer_create(d->host.pressure_polls));
    json_object_put(j, "completions",
                    json_integer_create(d->host.completions));
    json_object_put(j, "delay_p50_us", json_integer_create(
                        offload_dma_hist_percentile(d->host.delay_hist, 50)));
    json_object_put(j, "delay_p99_us", json_integer_create(
                        offload_dma_hist_percentile(d->host.delay_hist, 99)));
    json_object_put(j, "delay_max_us", json_integer_create(
                        offload_dma_hist_percentile(d->host.delay_hist,
                                                    100)));
    for (int i = 0; i < OFFLOAD_DMA_HIST_BUCKETS; i++) {
        json_array_add(hist, json_integer_create(d->host.delay_hist[i]));
    }
    json_object_put(j, "delay_histogram", hist);
    return j;
}

/* Prints one ring's DMA counters, each line indented by 'indent' and
 * opened by 'label' ("dma", "dma tx"). */
static void
nicsim_show_dma_text(struct ds *s, const struct nicsim_show_dma *d,
                     int indent, const char *label)
{
    ds_put_format(s, "%*s%s: posted %"PRIu64", completed %"PRIu64
                  ", taken %"PRIu64", pending %"PRIu32", ring full %"PRIu64
                  ", flushed %"PRIu64"\n", indent, "", label,
                  d->nic.posted, d->nic.completed, d->nic.taken,
                  d->nic.pending, d->nic.ring_full, d->nic.flushed);
    ds_put_format(s, "%*s%s polls: %"PRIu64" (forced %"PRIu64", empty %"
                  PRIu64", for room %"PRIu64"), completions %"PRIu64
                  ", delay p50 %lld us, p99 %lld us, max %lld us\n",
                  indent, "", label, d->host.polls, d->host.forced_polls,
                  d->host.empty_polls, d->host.pressure_polls,
                  d->host.completions,
                  offload_dma_hist_percentile(d->host.delay_hist, 50),
                  offload_dma_hist_percentile(d->host.delay_hist, 99),
                  offload_dma_hist_percentile(d->host.delay_hist, 100));
}

static struct json *
nicsim_show_port_to_json(const struct nicsim_show_port *sp)
{
    struct json *jp = unixctl_nic_port_stats_json(&sp->st);
    struct json *jq = json_array_create_empty();

    json_object_put_string(jp, "port", sp->name);
    json_object_put(jp, "attached", json_boolean_create(sp->pi.attached));
    /* No medium (a detached port) is null, "no medium" in text. */
    json_object_put(jp, "medium", (sp->pi.medium
                                   ? json_string_create(sp->pi.medium)
                                   : json_null_create()));
    json_object_put_string(jp, "link", sp->pi.link_up ? "up" : "down");
    for (uint32_t q = 0; q < sp->pi.n_rxq; q++) {
        const struct nic_queue_stats *qs = &sp->queues[q];
        struct json *jqe = json_object_create();

        json_object_put(jqe, "packets", json_integer_create(qs->packets));
        json_object_put(jqe, "drops", json_integer_create(qs->drops));
        json_object_put(jqe, "depth", json_integer_create(qs->depth));
        json_object_put(jqe, "dma", nicsim_show_dma_to_json(&sp->dma[q]));
        json_array_add(jq, jqe);
    }
    json_object_put(jp, "rx_queues", jq);
    if (sp->has_dma_tx) {
        json_object_put(jp, "dma_tx", nicsim_show_dma_to_json(&sp->dma_tx));
    }
    return jp;
}

static struct json *
nicsim_show_tokens_to_json(const struct nic_token_status *st)
{
    struct json *j = json_object_create();
    struct json *keys = json_array_create_empty();
    struct json *results = json_object_create();

    if (st->underlay.enabled) {
        struct ds s = DS_EMPTY_INITIALIZER;

        nic_token_underlay_format(&s, &st->underlay);
        json_object_put_string(j, "underlay", ds_cstr(&s));
        ds_destroy(&s);
    } else {
        json_object_put(j, "underlay", json_null_create());
    }
    for (size_t i = 0; i < st->n_keys; i++) {
        struct json *k = json_object_create();

        json_object_put(k, "id", json_integer_create(st->keys[i].id));
        json_object_put(k, "not_after",
                        json_integer_create(st->keys[i].not_after));
        json_array_add(keys, k);
    }
    for (int r = 0; r < OFFLOAD_TOKEN_N_RESULTS; r++) {
        json_object_put(results, offload_token_result_name(r),
                        json_integer_create(st->results[r]));
    }
    json_object_put(j, "keys", keys);
    json_object_put(j, "results", results);
    return j;
}

/* Sealed destinations in text: only what is there (an underlay, keys,
 * results that are not zero). */
static void
nicsim_show_tokens_text(struct ds *s, const struct nic_token_status *st)
{
    bool any = false;

    for (int r = 0; r < OFFLOAD_TOKEN_N_RESULTS; r++) {
        any = any || st->results[r];
    }
    if (!st->underlay.enabled && !st->n_keys && !any) {
        return;
    }
    ds_put_cstr(s, "  tokens: underlay ");
    nic_token_underlay_format(s, &st->underlay);
    ds_put_char(s, '\n');
    for (size_t i = 0; i < st->n_keys; i++) {
        ds_put_format(s, "  token key %"PRIu32": ", st->keys[i].id);
        if (st->keys[i].not_after) {
            ds_put_format(s, "not after %"PRIu64"\n", st->keys[i].not_after);
        } else {
            ds_put_cstr(s, "no limit\n");
        }
    }
    if (any) {
        ds_put_cstr(s, "  token results:");
        for (int r = 0; r < OFFLOAD_TOKEN_N_RESULTS; r++) {
            if (st->results[r]) {
                ds_put_format(s, " %s=%"PRIu64, offload_token_result_name(r),
                              st->results[r]);
            }
        }
        ds_put_char(s, '\n');
    }
}

static struct json *
nicsim_show_to_json(const struct nicsim_show *show)
{
    struct json *nics = json_array_create_empty();

    for (size_t i = 0; i < show->n_nics; i++) {
        const struct nicsim_show_nic *sn = &show->nics[i];
        const struct nicsim_info *info = &sn->info;
        struct json *tables = json_object_create();
        struct json *jengines = json_array_create_empty();
        struct json *jports = json_array_create_empty();
        struct json *jnic = json_object_create();

        for (int t = 0; t < NIC_N_TABLES; t++) {
            struct json *jt = json_object_create();

            json_object_put(jt, "rules",
                            json_integer_create(info->n_rules[t]));
            json_object_put(jt, "capacity",
                            json_integer_create(info->capacity[t]));
            json_object_put(tables, nic_table_name(t), jt);
        }
        json_object_put_string(jnic, "name", sn->name);
        json_object_put(jnic, "uplinks",
                        json_integer_create(info->config.n_uplinks));
        json_object_put(jnic, "vfs", json_integer_create(info->config.n_vfs));
        json_object_put(jnic, "tables", tables);
        json_object_put(jnic, "resets", json_integer_create(info->n_resets));
        json_object_put(jnic, "injected_insert_failures",
                        json_integer_create(info->n_insert_failures));
        json_object_put(jnic, "pending_insert_failures",
                        json_integer_create(info->pending_failures));
        json_object_put(jnic, "encap_rules_refused",
                        json_integer_create(info->n_encap_refused));
        json_object_put(jnic, "encap_rules_removed",
                        json_integer_create(info->n_encap_removed));
        for (uint32_t e = 0; e < info->config.n_engines; e++) {
            const struct nicsim_engine_info *ei = &sn->engines[e];
            struct json *je = json_object_create();

            json_object_put(je, "cpu_ns", json_integer_create(ei->cpu_ns));
            json_object_put(je, "packets", json_integer_create(ei->packets));
            json_object_put(je, "batches", json_integer_create(ei->batches));
            json_array_add(jengines, je);
        }
        for (size_t p = 0; p < sn->n_ports; p++) {
            json_array_add(jports, nicsim_show_port_to_json(&sn->ports[p]));
        }
        json_object_put(jnic, "engines", jengines);
        json_object_put(jnic, "ports", jports);
        if (sn->has_tokens) {
            json_object_put(jnic, "tokens",
                            nicsim_show_tokens_to_json(&sn->tokens));
        }
        json_array_add(nics, jnic);
    }
    return nics;
}

static void
nicsim_show_format(struct ds *s, const struct nicsim_show *show)
{
    for (size_t i = 0; i < show->n_nics; i++) {
        const struct nicsim_show_nic *sn = &show->nics[i];
        const struct nicsim_info *info = &sn->info;

        ds_put_format(s, "%s: %"PRIu32" uplinks, %"PRIu32" VFs, "
                      "%"PRIu64" resets\n", sn->name,
                      info->config.n_uplinks, info->config.n_vfs,
                      info->n_resets);
        for (int t = 0; t < NIC_N_TABLES; t++) {
            ds_put_format(s, "  %s table: %"PRIuSIZE"/%"PRIuSIZE" rules\n",
                          nic_table_name(t), info->n_rules[t],
                          info->capacity[t]);
        }
        if (info->pending_failures || info->n_insert_failures) {
            ds_put_format(s, "  injected insert failures: %"PRIu64
                          " done, %u pending\n", info->n_insert_failures,
                          info->pending_failures);
        }
        if (info->n_encap_refused || info->n_encap_removed) {
            ds_put_format(s, "  encap rules against the mappings: %"PRIu64
                          " refused, %"PRIu64" removed by mapping changes\n",
                          info->n_encap_refused, info->n_encap_removed);
        }
        for (uint32_t e = 0; e < info->config.n_engines; e++) {
            const struct nicsim_engine_info *ei = &sn->engines[e];

            ds_put_format(s, "  engine %"PRIu32": %"PRIu64" packets in %"
                          PRIu64" batches, cpu %.3f s\n", e, ei->packets,
                          ei->batches, ei->cpu_ns / 1e9);
        }
        if (sn->has_tokens) {
            nicsim_show_tokens_text(s, &sn->tokens);
        }
        for (size_t p = 0; p < sn->n_ports; p++) {
            const struct nicsim_show_port *sp = &sn->ports[p];

            ds_put_format(s, "  port %s: %s, ", sp->name,
                          sp->pi.attached ? "attached" : "detached");
            if (sp->pi.medium) {
                ds_put_format(s, "medium %s", sp->pi.medium);
            } else {
                ds_put_cstr(s, "no medium");
            }
            ds_put_format(s, ", %"PRIu32" rxq, link %s\n", sp->pi.n_rxq,
                          sp->pi.link_up ? "up" : "down");
            unixctl_nic_port_stats_text(s, &sp->st);
            for (uint32_t q = 0; q < sp->pi.n_rxq; q++) {
                const struct nic_queue_stats *qs = &sp->queues[q];

                ds_put_format(s, "    rxq %"PRIu32": %"PRIu64" packets, %"
                              PRIu64" drops, depth %"PRIu32"\n", q,
                              qs->packets, qs->drops, qs->depth);
                nicsim_show_dma_text(s, &sp->dma[q], 6, "dma");
            }
            if (sp->has_dma_tx) {
                nicsim_show_dma_text(s, &sp->dma_tx, 4, "dma tx");
            }
        }
    }
}

/* Replies with 'j' (as JSON) if 'json', else with the text in 's' (and
 * frees 'j', which may be NULL then).  Frees 's' either way. */
static void
nicsim_unixctl_reply_format(struct unixctl_conn *conn, bool json,
                            struct json *j, struct ds *s)
{
    if (json) {
        unixctl_format_reply_json(conn, j);
    } else {
        json_destroy(j);
        unixctl_command_reply(conn, ds_cstr(s));
    }
    ds_destroy(s);
}

static void
nicsim_unixctl_show(struct unixctl_conn *conn, int argc_,
                    const char *argv_[], void *aux OVS_UNUSED)
{
    const char *argv[UNIXCTL_FORMAT_MAX_ARGS];
    struct nicsim_show show = { .only = NULL };
    struct ds s = DS_EMPTY_INITIALIZER;
    struct json *j = NULL;
    bool json;
    int argc;

    if (!unixctl_format_parse(conn, argc_, argv_, argv, &argc, &json)) {
        return;
    }
    if (argc > 2) {
        unixctl_format_reply_error(conn, json, "usage: nicsim/show "
                                   "[--format text|json] [NIC]");
        return;
    }
    if (argc == 2) {
        if (!nicsim_unixctl_nic(conn, json, argv[1])) {
            return;
        }
        show.only = argv[1];
    }
    nicsim_for_each(nicsim_show_collect_one, &show);
    if (json) {
        j = nicsim_show_to_json(&show);
    } else {
        nicsim_show_format(&s, &show);
    }
    nicsim_unixctl_reply_format(conn, json, j, &s);
    nicsim_show_destroy(&show);
}

/* nicsim/dump-rules and dump-filters render the NIC's dump, taken once,
 * as JSON or as text. */
static struct json *
nicsim_rules_to_json(const struct nic_rule_dump *rules, size_t n)
{
    struct json *arr = json_array_create_empty();
    struct ds m = DS_EMPTY_INITIALIZER, a = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < n; i++) {
        const struct nic_rule_dump *r = &rules[i];
        struct json *j = json_object_create();

        ds_clear(&m);
        ds_clear(&a);
        nic_match_format(&m, &r->match);
        nic_actions_format(&a, r->actions, r->n_actions);
        json_object_put(j, "id", json_integer_create(r->id));
        json_object_put_string(j, "table", nic_table_name(r->table));
        json_object_put(j, "priority", json_integer_create(r->priority));
        json_object_put_string(j, "match", ds_cstr(&m));
        json_object_put_string(j, "actions", ds_cstr(&a));
        json_object_put(j, "n_packets", json_integer_create(r->n_packets));
        json_object_put(j, "n_bytes", json_integer_create(r->n_bytes));
        json_array_add(arr, j);
    }
    ds_destroy(&m);
    ds_destroy(&a);
    return arr;
}

static void
nicsim_rules_format(struct ds *s, const struct nic_rule_dump *rules,
                    size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct nic_rule_dump *r = &rules[i];

        ds_put_format(s, "id=%"PRIu32", table=%s, priority=%"PRIu32
                      ", n_packets=%"PRIu64", n_bytes=%"PRIu64", ", r->id,
                      nic_table_name(r->table), r->priority, r->n_packets,
                      r->n_bytes);
        nic_match_format(s, &r->match);
        ds_put_cstr(s, " actions=");
        nic_actions_format(s, r->actions, r->n_actions);
        ds_put_char(s, '\n');
    }
}

/* Parses "[--format text|json] NIC" for command 'cmd' and returns the NIC,
 * or replies with an error and returns NULL. */
static struct nic *
nicsim_unixctl_dump_args(struct unixctl_conn *conn, int argc_,
                         const char *argv_[], const char *cmd, bool *json)
{
    const char *argv[UNIXCTL_FORMAT_MAX_ARGS];
    int argc;

    if (!unixctl_format_parse(conn, argc_, argv_, argv, &argc, json)) {
        return NULL;
    }
    if (argc != 2) {
        char *msg = xasprintf("usage: %s [--format text|json] NIC", cmd);

        nicsim_unixctl_error(conn, *json, msg);
        return NULL;
    }
    return nicsim_unixctl_nic(conn, *json, argv[1]);
}

static void
nicsim_unixctl_dump_rules(struct unixctl_conn *conn, int argc_,
                          const char *argv_[], void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct nic_rule_dump *rules;
    struct json *j = NULL;
    struct nic *nic;
    bool json;
    size_t n;

    nic = nicsim_unixctl_dump_args(conn, argc_, argv_, "nicsim/dump-rules",
                                   &json);
    if (!nic) {
        return;
    }
    nic_rule_dump(nic, &rules, &n);
    if (json) {
        j = nicsim_rules_to_json(rules, n);
    } else {
        nicsim_rules_format(&s, rules, n);
    }
    nicsim_unixctl_reply_format(conn, json, j, &s);
    free(rules);
}

/* nicsim/add-rule NIC [priority=N] MATCH ACTIONS */
static void
nicsim_unixctl_add_rule(struct unixctl_conn *conn, int argc,
                        const char *argv[], void *aux OVS_UNUSED)
{
    struct nic_action actions[NIC_MAX_ACTIONS];
    struct nic_rule_spec spec;
    struct nic *nic;
    int i = 2, error;
    char *msg;
    uint32_t id;

    memset(&spec, 0, sizeof spec);
    nic = nicsim_unixctl_nic(conn, false, argv[1]);
    if (!nic) {
        return;
    }
    if (!nicsim_unixctl_priority(conn, argc, argv, &i, &spec.priority)) {
        return;
    }
    if (argc - i != 2) {
        unixctl_command_reply_error(conn, "usage: nicsim/add-rule NIC "
                                    "[priority=N] MATCH ACTIONS");
        return;
    }
    msg = nic_match_from_string(argv[i], &spec.match);
    if (!msg) {
        msg = nic_actions_from_string(argv[i + 1], actions,
                                      &spec.n_actions);
        spec.actions = actions;
    }
    if (msg) {
        nicsim_unixctl_error(conn, false, msg);
        return;
    }
    error = nic_rule_add(nic, &spec, &id);
    if (error == EINVAL) {
        /* Most likely an output to a port this NIC does not have: say
         * which, and what the NIC has. */
        struct nic_caps caps;

        nic_get_caps(nic, &caps);
        for (size_t j = 0; j < spec.n_actions; j++) {
            uint32_t port = spec.actions[j].port;
            char name[16];

            if (spec.actions[j].type == NIC_ACT_OUTPUT
                && (nic_port_is_vf(port)
                    ? port - NIC_PORT_VF_BASE >= caps.n_vfs
                    : port >= caps.n_uplinks)) {
                nic_port_to_string(port, name, sizeof name);
                nicsim_unixctl_error(conn, false, xasprintf(
                                         "rule not added: output:%s: %s has "
                                         "uplink0 to uplink%"PRIu32" and vf0 "
                                         "to vf%"PRIu32, name,
                                         nic_get_name(nic),
                                         caps.n_uplinks - 1,
                                         caps.n_vfs - 1));
                return;
            }
        }
    }
    if (error) {
        nicsim_unixctl_error(conn, false, xasprintf("rule not added: %s",
                                             ovs_strerror(error)));
        return;
    }
    nicsim_unixctl_reply_id(conn, id);
}

static void
nicsim_unixctl_del_rule(struct unixctl_conn *conn, int argc OVS_UNUSED,
                        const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);
    uint32_t id;
    int error;

    if (!nic) {
        return;
    }
    if (!str_to_uint(argv[2], 10, &id)) {
        unixctl_command_reply_error(conn, "rule id must be a number");
        return;
    }
    error = nic_rule_del(nic, id);
    if (error) {
        unixctl_command_reply_error(conn, "no such rule");
        return;
    }
    unixctl_command_reply(conn, NULL);
}

/* Builds a packet from hex bytes or from a datapath flow string such as
 * "eth(src=...,dst=...),eth_type(0x0800),ipv4(...),udp(...)". */
static struct dp_packet *
nicsim_packet_from_string(const char *s, char **errorp)
{
    struct dp_packet *pkt = NULL;
    struct ofpbuf key;
    struct flow flow;

    *errorp = NULL;
    if (s[0] && strspn(s, "0123456789abcdefABCDEF") == strlen(s)) {
        /* Raw bytes, of any length: a NIC also receives runts. */
        size_t len = strlen(s);

        if (len % 2) {
            *errorp = xstrdup("odd number of hex digits");
            return NULL;
        }
        if (len / 2 > NIC_MAX_FRAME) {
            /* Checked before building it: a dp_packet cannot grow past
             * 64 kB. */
            *errorp = xasprintf("%"PRIuSIZE" bytes, longer than the NIC's "
                                "largest frame (%d bytes)", len / 2,
                                NIC_MAX_FRAME);
            return NULL;
        }
        pkt = dp_packet_new(len / 2);
        for (size_t i = 0; i < len; i += 2) {
            uint8_t *b = dp_packet_put_uninit(pkt, 1);
            bool ok;

            *b = hexits_value(s + i, 2, &ok);
        }
        return pkt;
    }
    ofpbuf_init(&key, 0);
    if (!odp_flow_from_string(s, NULL, &key, NULL, errorp)) {
        if (odp_flow_key_to_flow(key.data, key.size, &flow, errorp)
            != ODP_FIT_ERROR) {
            pkt = dp_packet_new(0);
            flow_compose(pkt, &flow, NULL, 64);
        }
    }
    ofpbuf_uninit(&key);
    if (!pkt && !*errorp) {
        *errorp = xstrdup("bad packet");
    }
    return pkt;
}

/* nicsim/receive NIC PORT PACKET...: as if PORT's medium had received
 * them.  Every packet is checked before any is given to the NIC, so that a
 * bad one leaves the NIC as it was. */
static void
nicsim_unixctl_receive(struct unixctl_conn *conn, int argc,
                       const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);
    struct dp_packet **pkts;
    int n_pkts = argc - 3;
    char *msg = NULL;
    uint32_t port;

    if (!nic || !nicsim_unixctl_port(conn, false, nic, argv[2], &port)) {
        return;
    }
    pkts = xcalloc(n_pkts, sizeof *pkts);
    for (int i = 0; i < n_pkts && !msg; i++) {
        char *error = NULL;

        pkts[i] = nicsim_packet_from_string(argv[i + 3], &error);
        if (!pkts[i]) {
            msg = xasprintf("bad packet %d: %s", i + 1, error);
            free(error);
        } else if (dp_packet_size(pkts[i]) > NIC_MAX_FRAME) {
            msg = xasprintf("bad packet %d: %"PRIu32" bytes, longer than "
                            "the NIC's largest frame (%d bytes)", i + 1,
                            dp_packet_size(pkts[i]), NIC_MAX_FRAME);
        }
    }
    for (int i = 0; i < n_pkts; i++) {
        if (msg) {
            dp_packet_delete(pkts[i]);
        } else {
            int error = nic_inject(nic, port, pkts[i]);

            if (error) {
                msg = xasprintf("packet %d not taken: %s", i + 1,
                                error == ENOBUFS ? "port's queue is full"
                                : ovs_strerror(error));
            }
        }
    }
    free(pkts);
    if (msg) {
        nicsim_unixctl_error(conn, false, msg);
    } else {
        unixctl_command_reply(conn, NULL);
    }
}

/* nicsim/add-filter NIC PORT [priority=N] MATCH QUEUE */
static void
nicsim_unixctl_add_filter(struct unixctl_conn *conn, int argc,
                          const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);
    struct nic_filter f;
    uint32_t port, id;
    int i = 3, error;
    char *msg;

    if (!nic) {
        return;
    }
    memset(&f, 0, sizeof f);
    if (!nicsim_unixctl_port(conn, false, nic, argv[2], &port)) {
        return;
    }
    if (!nicsim_unixctl_priority(conn, argc, argv, &i, &f.priority)) {
        return;
    }
    if (argc - i != 2) {
        unixctl_command_reply_error(conn, "usage: nicsim/add-filter NIC "
                                    "PORT [priority=N] MATCH QUEUE");
        return;
    }
    msg = nic_match_from_string(argv[i], &f.match);
    if (msg) {
        nicsim_unixctl_error(conn, false, msg);
        return;
    }
    if (!str_to_uint(argv[i + 1], 10, &f.queue)) {
        unixctl_command_reply_error(conn, "queue must be a number");
        return;
    }
    error = nic_filter_add(nic, port, &f, &id);
    if (error == EEXIST) {
        nicsim_unixctl_error(conn, false, xasprintf(
                                 "filter not added: filter %"PRIu32" of %s "
                                 "has the same match and priority", id,
                                 argv[2]));
        return;
    } else if (error) {
        nicsim_unixctl_error(conn, false, xasprintf(
                                 "filter not added: %s",
                                 error == EINVAL ? "port not attached or no "
                                 "such queue" : ovs_strerror(error)));
        return;
    }
    nicsim_unixctl_reply_id(conn, id);
}

static void
nicsim_unixctl_del_filter(struct unixctl_conn *conn, int argc OVS_UNUSED,
                          const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);
    uint32_t port, id;

    if (!nic) {
        return;
    }
    if (!nicsim_unixctl_port(conn, false, nic, argv[2], &port)) {
        return;
    }
    if (!str_to_uint(argv[3], 10, &id)) {
        unixctl_command_reply_error(conn, "usage: nicsim/del-filter NIC "
                                    "PORT ID");
        return;
    }
    if (nic_filter_del(nic, port, id)) {
        unixctl_command_reply_error(conn, "no such filter");
        return;
    }
    unixctl_command_reply(conn, NULL);
}

/* Takes 'nic''s filters on port 'only' (UINT32_MAX: every port), '*n' of
 * them, into '*filtersp', for the caller to free. */
static void
nicsim_filters_collect(struct nic *nic, uint32_t only,
                       struct nic_filter_dump **filtersp, size_t *n)
{
    struct nic_filter_dump *filters;
    size_t n_all;

    nic_filter_dump(nic, &filters, &n_all);
    *n = 0;
    for (size_t i = 0; i < n_all; i++) {
        if (only == UINT32_MAX || filters[i].port == only) {
            filters[(*n)++] = filters[i];
        }
    }
    *filtersp = filters;
}

static struct json *
nicsim_filters_to_json(const struct nic_filter_dump *filters, size_t n)
{
    struct json *arr = json_array_create_empty();
    struct ds m = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < n; i++) {
        const struct nic_filter_dump *d = &filters[i];
        struct json *j = json_object_create();
        char port[16];

        nic_port_to_string(d->port, port, sizeof port);
        ds_clear(&m);
        nic_match_format(&m, &d->filter.match);
        json_object_put_string(j, "port", port);
        json_object_put(j, "id", json_integer_create(d->id));
        json_object_put(j, "priority",
                        json_integer_create(d->filter.priority));
        json_object_put_string(j, "match", ds_cstr(&m));
        json_object_put(j, "queue", json_integer_create(d->filter.queue));
        json_array_add(arr, j);
    }
    ds_destroy(&m);
    return arr;
}

static void
nicsim_filters_format(struct ds *s, const struct nic_filter_dump *filters,
                      size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct nic_filter_dump *d = &filters[i];
        char port[16];

        nic_port_to_string(d->port, port, sizeof port);
        ds_put_format(s, "port=%s, id=%"PRIu32", priority=%"PRIu32", ",
                      port, d->id, d->filter.priority);
        nic_match_format(s, &d->filter.match);
        ds_put_format(s, " queue=%"PRIu32"\n", d->filter.queue);
    }
}

/* nicsim/dump-filters [--format text|json] NIC [PORT] */
static void
nicsim_unixctl_dump_filters(struct unixctl_conn *conn, int argc_,
                            const char *argv_[], void *aux OVS_UNUSED)
{
    const char *argv[UNIXCTL_FORMAT_MAX_ARGS];
    struct ds s = DS_EMPTY_INITIALIZER;
    struct nic_filter_dump *filters;
    uint32_t only = UINT32_MAX;
    struct json *j = NULL;
    struct nic *nic;
    bool json;
    size_t n;
    int argc;

    if (!unixctl_format_parse(conn, argc_, argv_, argv, &argc, &json)) {
        return;
    }
    if (argc != 2 && argc != 3) {
        unixctl_format_reply_error(conn, json, "usage: nicsim/dump-filters "
                                   "[--format text|json] NIC [PORT]");
        return;
    }
    nic = nicsim_unixctl_nic(conn, json, argv[1]);
    if (!nic || (argc == 3 && !nicsim_unixctl_port(conn, json, nic, argv[2],
                                                   &only))) {
        return;
    }
    nicsim_filters_collect(nic, only, &filters, &n);
    if (json) {
        j = nicsim_filters_to_json(filters, n);
    } else {
        nicsim_filters_format(&s, filters, n);
    }
    nicsim_unixctl_reply_format(conn, json, j, &s);
    free(filters);
}

static void
nicsim_unixctl_fail_inserts(struct unixctl_conn *conn, int argc OVS_UNUSED,
                            const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);
    unsigned int n;

    if (!nic) {
        return;
    }
    if (!str_to_uint(argv[2], 10, &n)) {
        unixctl_command_reply_error(conn, "count must be a number");
        return;
    }
    nicsim_fail_next_inserts(nic, n);
    unixctl_command_reply(conn, NULL);
}

static void
nicsim_unixctl_set_capacity(struct unixctl_conn *conn, int argc OVS_UNUSED,
                            const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);
    enum nic_table_id table;
    unsigned int n;

    if (!nic) {
        return;
    }
    if (!strcmp(argv[2], "exact")) {
        table = NIC_TABLE_EXACT;
    } else if (!strcmp(argv[2], "wildcard")) {
        table = NIC_TABLE_WILDCARD;
    } else {
        unixctl_command_reply_error(conn, "table must be exact or "
                                    "wildcard");
        return;
    }
    if (!str_to_uint(argv[3], 10, &n)) {
        unixctl_command_reply_error(conn, "capacity must be a number");
        return;
    }
    nicsim_set_capacity(nic, table, n);
    unixctl_command_reply(conn, NULL);
}

/* nicsim/add-mapping NIC SPEC...: SPEC as nic_encap_mapping_from_string()
 * takes it, in one or more arguments. */
static void
nicsim_unixctl_add_mapping(struct unixctl_conn *conn, int argc,
                           const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);
    struct ds spec = DS_EMPTY_INITIALIZER;
    struct nic_encap_mapping m;
    char *error;

    if (!nic) {
        return;
    }
    for (int i = 2; i < argc; i++) {
        ds_put_format(&spec, "%s ", argv[i]);
    }
    error = nic_encap_mapping_from_string(ds_cstr(&spec), &m);
    ds_destroy(&spec);
    if (!error) {
        nic_encap_map_set(nic, &m, &error);
    }
    if (error) {
        nicsim_unixctl_error(conn, false, error);
        return;
    }
    unixctl_command_reply(conn, NULL);
}

/* nicsim/del-mapping NIC MAC [IP] */
static void
nicsim_unixctl_del_mapping(struct unixctl_conn *conn, int argc,
                           const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);
    struct in6_addr ip = in6addr_any;
    struct eth_addr mac;
    ovs_be32 ip4;

    if (!nic) {
        return;
    }
    if (!eth_addr_from_string(argv[2], &mac)) {
        unixctl_command_reply_error(conn, "bad MAC address");
        return;
    }
    if (argc > 3) {
        if (ip_parse(argv[3], &ip4)) {
            ip = in6_addr_mapped_ipv4(ip4);
        } else if (!ipv6_parse(argv[3], &ip)) {
            unixctl_command_reply_error(conn, "bad IP address");
            return;
        }
    }
    if (nic_encap_map_del(nic, &mac, &ip)) {
        unixctl_command_reply_error(conn, "no such mapping");
        return;
    }
    unixctl_command_reply(conn, NULL);
}

/* nicsim/dump-mappings [--format text|json] NIC */
static void
nicsim_unixctl_dump_mappings(struct unixctl_conn *conn, int argc_,
                             const char *argv_[], void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct nic_encap_mapping *maps;
    struct json *j = NULL;
    struct nic *nic;
    bool json;
    size_t n;

    nic = nicsim_unixctl_dump_args(conn, argc_, argv_,
                                   "nicsim/dump-mappings", &json);
    if (!nic) {
        return;
    }
    nic_encap_map_dump(nic, &maps, &n);
    if (json) {
        j = json_array_create_empty();
        for (size_t i = 0; i < n; i++) {
            json_array_add(j, offload_channel_mapping_to_json(&maps[i],
                                                                 false));
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            nic_encap_mapping_format(&s, &maps[i]);
            ds_put_char(&s, '\n');
        }
    }
    nicsim_unixctl_reply_format(conn, json, j, &s);
    free(maps);
}

/* nicsim/dump-learned [--format text|json] NIC */
static void
nicsim_unixctl_dump_learned(struct unixctl_conn *conn, int argc_,
                            const char *argv_[], void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct nic_learn_stats st;
    struct nic_learned *l;
    struct json *j = NULL;
    struct nic *nic;
    bool json;
    size_t n;

    nic = nicsim_unixctl_dump_args(conn, argc_, argv_,
                                   "nicsim/dump-learned", &json);
    if (!nic) {
        return;
    }
    nic_learned_get(nic, &st);
    nic_learned_dump(nic, &l, &n);
    if (json) {
        struct json *cfg = json_object_create();
        struct json *counters = json_object_create();

        json_object_put(cfg, "enabled",
                        json_boolean_create(st.config.enabled));
        json_object_put(cfg, "capacity",
                        json_integer_create(st.config.capacity));
        json_object_put(cfg, "max_age_ms",
                        json_integer_create(st.config.max_age_ms));
#define NICSIM_LEARN_COUNTER(NAME) \
        json_object_put(counters, #NAME, json_integer_create(st.NAME));
        NICSIM_LEARN_COUNTER(learned) NICSIM_LEARN_COUNTER(moved)
        NICSIM_LEARN_COUNTER(aged) NICSIM_LEARN_COUNTER(evicted)
        NICSIM_LEARN_COUNTER(cleared) NICSIM_LEARN_COUNTER(reports_lost)
#undef NICSIM_LEARN_COUNTER
        j = json_object_create();
        json_object_put(j, "config", cfg);
        json_object_put(j, "counters", counters);
        json_object_put(j, "entries", offload_channel_learned_to_json(l, n));
    } else {
        ds_put_format(&s, "learning %s, %"PRIuSIZE"/%"PRIu32" entries, "
                      "max-age %"PRIu32" ms; learned %"PRIu64", moved %"
                      PRIu64", aged %"PRIu64", evicted %"PRIu64", cleared %"
                      PRIu64", reports lost %"PRIu64"\n",
                      st.config.enabled ? "on" : "off", st.n_entries,
                      st.config.capacity, st.config.max_age_ms, st.learned,
                      st.moved, st.aged, st.evicted, st.cleared,
                      st.reports_lost);
        for (size_t i = 0; i < n; i++) {
            nic_encap_mapping_format(&s, &l[i].m);
            ds_put_format(&s, " age %lld ms packets %"PRIu64"\n",
                          l[i].age_ms, l[i].packets);
        }
    }
    nicsim_unixctl_reply_format(conn, json, j, &s);
    free(l);
}

/* nicsim/set-learning NIC [on|off] [capacity=N] [max-age=MS] */
static void
nicsim_unixctl_set_learning(struct unixctl_conn *conn, int argc,
                            const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);
    struct nic_learn_stats st;
    char *error;

    if (!nic) {
        return;
    }
    nic_learned_get(nic, &st);
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        unsigned int v;

        if (!strcmp(a, "on") || !strcmp(a, "off")) {
            st.config.enabled = !strcmp(a, "on");
        } else if (!strncmp(a, "capacity=", 9)
                   && str_to_uint(a + 9, 10, &v)) {
            st.config.capacity = v;
        } else if (!strncmp(a, "max-age=", 8) && str_to_uint(a + 8, 10, &v)) {
            st.config.max_age_ms = v;
        } else {
            error = xasprintf("%s: expected on, off, capacity=N or "
                              "max-age=MS", a);
            unixctl_command_reply_error(conn, error);
            free(error);
            return;
        }
    }
    if (nic_learned_set_config(nic, &st.config, &error)) {
        unixctl_command_reply_error(conn, error);
        free(error);
        return;
    }
    unixctl_command_reply(conn, NULL);
}

/* nicsim/channel-listen NIC TARGET */
static void
nicsim_unixctl_channel_listen(struct unixctl_conn *conn, int argc OVS_UNUSED,
                              const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);
    char *error;

    if (!nic) {
        return;
    }
    if (nicsim_channel_listen(nic, argv[2], &error)) {
        nicsim_unixctl_error(conn, false, error);
        return;
    }
    unixctl_command_reply(conn, NULL);
}

/* nicsim/channel-close NIC */
static void
nicsim_unixctl_channel_close(struct unixctl_conn *conn, int argc OVS_UNUSED,
                             const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);

    if (!nic) {
        return;
    }
    if (nicsim_channel_close(nic)) {
        unixctl_command_reply_error(conn, "the NIC has no control channel");
        return;
    }
    unixctl_command_reply(conn, NULL);
}

/* nicsim/channel-show [--format text|json] NIC */
static void
nicsim_unixctl_channel_show(struct unixctl_conn *conn, int argc_,
                            const char *argv_[], void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct json *j = NULL;
    struct nic *nic;
    bool json;
    int error;

    nic = nicsim_unixctl_dump_args(conn, argc_, argv_, "nicsim/channel-show",
                                   &json);
    if (!nic) {
        return;
    }
    error = (json ? nicsim_channel_to_json(nic, &j)
             : nicsim_channel_format(nic, &s));
    if (error) {
        ds_destroy(&s);
        unixctl_format_reply_error(conn, json, "the NIC has no control "
                                   "channel (nicsim/channel-listen)");
        return;
    }
    nicsim_unixctl_reply_format(conn, json, j, &s);
}

/* nicsim/add-key NIC ID HEXKEY [NOT-AFTER]: a sealing key, as a key file
 * line has it. */
static void
nicsim_unixctl_add_key(struct unixctl_conn *conn, int argc,
                       const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);
    struct offload_token_key k;
    char *error;
    int ret;

    if (!nic) {
        return;
    }
    error = offload_token_key_parse(argv[2], argv[3],
                                    argc > 4 ? argv[4] : NULL, &k);
    if (error) {
        nicsim_unixctl_error(conn, false, error);
        return;
    }
    ret = nic_token_key_add(nic, k.id, k.key, k.not_after);
    memset(k.key, 0, sizeof k.key);
    if (ret) {
        nicsim_unixctl_error(conn, false, xasprintf(
                                 "%s: key %"PRIu32": %s", argv[1], k.id,
                                 ret == EEXIST ? "a key with that id exists "
                                 "(delete it first)"
                                 : ret == ENOSPC ? "no room (the NIC holds "
                                 "8 keys)"
                                 : ret == EOPNOTSUPP ? "this NIC has no "
                                 "sealed destinations"
                                 : ovs_strerror(ret)));
        return;
    }
    unixctl_command_reply(conn, NULL);
}

/* nicsim/del-key NIC ID */
static void
nicsim_unixctl_del_key(struct unixctl_conn *conn, int argc OVS_UNUSED,
                       const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);
    unsigned int id;

    if (!nic) {
        return;
    }
    if (!str_to_uint(argv[2], 10, &id)) {
        unixctl_command_reply_error(conn, "bad key id");
        return;
    }
    if (nic_token_key_del(nic, id)) {
        unixctl_command_reply_error(conn, "no such key");
        return;
    }
    unixctl_command_reply(conn, NULL);
}

/* nicsim/set-underlay NIC SPEC...|off */
static void
nicsim_unixctl_set_underlay(struct unixctl_conn *conn, int argc,
                            const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);
    struct ds spec = DS_EMPTY_INITIALIZER;
    struct nic_token_underlay u;
    char *error;

    if (!nic) {
        return;
    }
    for (int i = 2; i < argc; i++) {
        ds_put_format(&spec, "%s%s", i > 2 ? " " : "", argv[i]);
    }
    error = nic_token_underlay_from_string(ds_cstr(&spec), &u);
    ds_destroy(&spec);
    if (!error) {
        nic_token_set_underlay(nic, &u, &error);
    }
    if (error) {
        nicsim_unixctl_error(conn, false, error);
        return;
    }
    unixctl_command_reply(conn, NULL);
}

static void
nicsim_unixctl_reset(struct unixctl_conn *conn, int argc OVS_UNUSED,
                     const char *argv[], void *aux OVS_UNUSED)
{
    struct nic *nic = nicsim_unixctl_nic(conn, false, argv[1]);

    if (nic) {
        nic_reset(nic);
        unixctl_command_reply(conn, NULL);
    }
}

void
nicsim_unixctl_register(void)
{
    unixctl_command_register("nicsim/show", "[--format text|json] [NIC]",
                             0, 3, nicsim_unixctl_show, NULL);
    unixctl_command_register("nicsim/dump-rules", "[--format text|json] NIC",
                             1, 3, nicsim_unixctl_dump_rules, NULL);
    unixctl_command_register("nicsim/add-rule",
                             "NIC [priority=N] MATCH ACTIONS", 3, 4,
                             nicsim_unixctl_add_rule, NULL);
    unixctl_command_register("nicsim/del-rule", "NIC ID", 2, 2,
                             nicsim_unixctl_del_rule, NULL);
    unixctl_command_register("nicsim/receive", "NIC PORT PACKET...", 3,
                             INT_MAX, nicsim_unixctl_receive, NULL);
    unixctl_command_register("nicsim/add-filter",
                             "NIC PORT [priority=N] MATCH QUEUE", 4, 5,
                             nicsim_unixctl_add_filter, NULL);
    unixctl_command_register("nicsim/del-filter", "NIC PORT ID", 3, 3,
                             nicsim_unixctl_del_filter, NULL);
    unixctl_command_register("nicsim/dump-filters",
                             "[--format text|json] NIC [PORT]", 1, 4,
                             nicsim_unixctl_dump_filters, NULL);
    unixctl_command_register("nicsim/fail-inserts", "NIC N", 2, 2,
                             nicsim_unixctl_fail_inserts, NULL);
    unixctl_command_register("nicsim/set-capacity",
                             "NIC exact|wildcard N", 3, 3,
                             nicsim_unixctl_set_capacity, NULL);
    unixctl_command_register("nicsim/reset", "NIC", 1, 1,
                             nicsim_unixctl_reset, NULL);
    unixctl_command_register("nicsim/add-mapping", "NIC SPEC...", 2, INT_MAX,
                             nicsim_unixctl_add_mapping, NULL);
    unixctl_command_register("nicsim/del-mapping", "NIC MAC [IP]", 2, 3,
                             nicsim_unixctl_del_mapping, NULL);
    unixctl_command_register("nicsim/dump-mappings",
                             "[--format text|json] NIC", 1, 3,
                             nicsim_unixctl_dump_mappings, NULL);
    unixctl_command_register("nicsim/dump-learned",
                             "[--format text|json] NIC", 1, 3,
                             nicsim_unixctl_dump_learned, NULL);
    unixctl_command_register("nicsim/set-learning",
                             "NIC [on|off] [capacity=N] [max-age=MS]", 1, 4,
                             nicsim_unixctl_set_learning, NULL);
    unixctl_command_register("nicsim/add-key", "NIC ID HEXKEY [NOT-AFTER]",
                             3, 4, nicsim_unixctl_add_key, NULL);
    unixctl_command_register("nicsim/del-key", "NIC ID", 2, 2,
                             nicsim_unixctl_del_key, NULL);
    unixctl_command_register("nicsim/set-underlay", "NIC SPEC...|off", 2,
                             INT_MAX, nicsim_unixctl_set_underlay, NULL);
    unixctl_command_register("nicsim/channel-listen", "NIC TARGET", 2, 2,
                             nicsim_unixctl_channel_listen, NULL);
    unixctl_command_register("nicsim/channel-close", "NIC", 1, 1,
                             nicsim_unixctl_channel_close, NULL);
    unixctl_command_register("nicsim/channel-show",
                             "[--format text|json] NIC", 1, 3,
                             nicsim_unixctl_channel_show, NULL);
}
