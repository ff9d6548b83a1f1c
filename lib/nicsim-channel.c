/* SPDX-License-Identifier: Apache-2.0 */
/* The reference NIC's control endpoint: accepts stream connections,
 * answers the channel's JSON-RPC requests against the NIC's mapping table
 * and counts what it refused. */
#include <config.h>

#include "lib/nicsim-channel.h"

#include <errno.h>
#include <string.h>

#include "jsonrpc.h"
#include "lib/nic.h"
#include "lib/offload-channel.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/list.h"
#include "openvswitch/vlog.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nicsim_channel);

static struct vlog_rate_limit nsc_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* Connections per endpoint: beyond this, new ones are closed at once. */
#define NSC_MAX_CONNS 64
/* Bytes waiting to be sent on a connection beyond which it gets no more
 * reports until it has read them. */
#define NSC_MAX_REPORT_BACKLOG (1024 * 1024)

struct nsc_conn {
    struct ovs_list node;
    struct jsonrpc *rpc;
    struct stream *stream;      /* Owned by 'rpc'; for the peer's id. */
    unsigned int msg_start;     /* Received bytes when the message being
                                 * read began. */
    long long int since;
};

struct nicsim_channel {
    struct ovs_list node;
    struct nic *nic;
    char *target;
    struct pstream *pstream;
    struct ovs_list conns;
    size_t n_conns;
    struct nicsim_channel_stats stats;
    char *last_peer;            /* Identity of the latest peer. */
    char *last_error;           /* Why the latest connection or request
                                 * failed. */
};

static struct ovs_list nsc_channels = OVS_LIST_INITIALIZER(&nsc_channels);

static struct nicsim_channel *
nsc_find(const struct nic *nic)
{
    struct nicsim_channel *ch;

    LIST_FOR_EACH (ch, node, &nsc_channels) {
        if (ch->nic == nic) {
            return ch;
        }
    }
    return NULL;
}

static void
nsc_set_error(struct nicsim_channel *ch, char *error)
{
    free(ch->last_error);
    ch->last_error = error;
}

static void
nsc_conn_close(struct nicsim_channel *ch, struct nsc_conn *c)
{
    ovs_list_remove(&c->node);
    ch->n_conns--;
    jsonrpc_close(c->rpc);
    free(c);
}

static void
nsc_destroy(struct nicsim_channel *ch)
{
    struct nsc_conn *c;

    LIST_FOR_EACH_SAFE (c, node, &ch->conns) {
        nsc_conn_close(ch, c);
    }
    ovs_list_remove(&ch->node);
    pstream_close(ch->pstream);
    nic_close(ch->nic);
    free(ch->target);
    free(ch->last_peer);
    free(ch->last_error);
    free(ch);
}

int
nicsim_channel_listen(struct nic *nic, const char *target, char **errorp)
{
    struct nicsim_channel *ch;
    struct pstream *pstream;
    int error;

    *errorp = NULL;
    error = pstream_open(target, &pstream, 0);
    if (error) {
        *errorp = xasprintf("%s: cannot listen: %s", target,
                            ovs_strerror(error));
        return error;
    }
    ch = nsc_find(nic);
    if (ch) {
        nsc_destroy(ch);
    }
    ch = xzalloc(sizeof *ch);
    nic_ref(nic, &ch->nic);
    ch->target = xstrdup(target);
    ch->pstream = pstream;
    ovs_list_init(&ch->conns);
    ovs_list_push_back(&nsc_channels, &ch->node);
    VLOG_INFO("%s: control channel listening on %s", nic_get_name(nic),
              pstream_get_name(pstream));
    return 0;
}

int
nicsim_channel_close(const struct nic *nic)
{
    struct nicsim_channel *ch = nsc_find(nic);

    if (!ch) {
        return ENOENT;
    }
    VLOG_INFO("%s: control channel closed", nic_get_name(nic));
    nsc_destroy(ch);
    return 0;
}

static char *
nsc_describe(const char *what, const struct nic_encap_mapping *m)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "%s: ", what);
    nic_encap_mapping_format(&s, m);
    return ds_steal_cstr(&s);
}

/* Applies add, modify or delete 'req' all or nothing: every mapping is
 * checked against the table first, and a failure part way (a full table)
 * puts back what was changed.  Returns NULL or a malloc'd reason. */
static char *
nsc_apply(struct nicsim_channel *ch, const struct offload_channel_request *req)
{
    struct nic_encap_mapping *old = xmalloc(MAX(1, req->n_maps)
                                            * sizeof *old);
    char *error = NULL;
    size_t i;

    for (i = 0; i < req->n_maps && !error; i++) {
        const struct nic_encap_mapping *m = &req->maps[i];
        int e = nic_encap_map_get(ch->nic, &m->inner_mac, &m->inner_ip,
                                  &old[i]);

        if (e == EOPNOTSUPP) {
            error = xstrdup("this NIC has no mapping table");
        } else if (req->method == OFFLOAD_CHANNEL_ADD && !e) {
            error = nsc_describe("already mapped", m);
        } else if (req->method != OFFLOAD_CHANNEL_ADD && e) {
            error = nsc_describe("no such mapping", m);
        }
    }
    for (i = 0; i < req->n_maps && !error; i++) {
        const struct nic_encap_mapping *m = &req->maps[i];

        if (req->method == OFFLOAD_CHANNEL_DELETE) {
            nic_encap_map_del(ch->nic, &m->inner_mac, &m->inner_ip);
        } else if (nic_encap_map_set(ch->nic, m, &error)) {
            if (!error) {
                error = nsc_describe("mapping table full", m);
            }
            break;
        }
    }
    if (error) {
        /* Undo the first 'i' changes. */
        while (i-- > 0) {
            const struct nic_encap_mapping *m = &req->maps[i];
            char *ignore = NULL;

            if (req->method == OFFLOAD_CHANNEL_ADD) {
                nic_encap_map_del(ch->nic, &m->inner_mac, &m->inner_ip);
            } else {
                nic_encap_map_set(ch->nic, &old[i], &ignore);
                free(ignore);
            }
        }
    } else {
        uint64_t *n = (req->method == OFFLOAD_CHANNEL_ADD ? &ch->stats.added
                       : req->method == OFFLOAD_CHANNEL_MODIFY
                       ? &ch->stats.modified : &ch->stats.deleted);
        *n += req->n_maps;
    }
    free(old);
    return error;
}

/* key_add or key_delete, all or nothing as nsc_apply(); the key material
 * is never logged or echoed. */
static char *
nsc_apply_keys(struct nicsim_channel *ch,
               const struct offload_channel_request *req)
{
    bool add = req->method == OFFLOAD_CHANNEL_KEY_ADD;
    struct nic_token_status st;
    char *error = NULL;
    size_t i;
    int e;

    if (nic_token_get(ch->nic, &st)) {
        return xstrdup("this NIC has no sealed destinations");
    }
    for (i = 0; i < req->n_keys && !error; i++) {
        bool exists = false;

        for (size_t j = 0; j < st.n_keys; j++) {
            exists |= st.keys[j].id == req->keys[i].id;
        }
        if (add && exists) {
            error = xasprintf("key %"PRIu32" exists (delete it first)",
                              req->keys[i].id);
        } else if (!add && !exists) {
            error = xasprintf("no key %"PRIu32, req->keys[i].id);
        }
    }
    if (!error && add && st.n_keys + req->n_keys > OFFLOAD_TOKEN_MAX_KEYS) {
        error = xasprintf("no room: the NIC holds %"PRIuSIZE" of %d keys",
                          st.n_keys, OFFLOAD_TOKEN_MAX_KEYS);
    }
    for (i = 0; i < req->n_keys && !error; i++) {
        const struct offload_token_key *k = &req->keys[i];

        e = (add ? nic_token_key_add(ch->nic, k->id, k->key, k->not_after)
             : nic_token_key_del(ch->nic, k->id));
        if (e) {
            error = xasprintf("key %"PRIu32": %s", k->id, ovs_strerror(e));
            /* Undo the adds before it (deletes cannot be undone: the
             * checks above leave none to fail). */
            while (add && i-- > 0) {
                nic_token_key_del(ch->nic, req->keys[i].id);
            }
            break;
        }
    }
    if (!error) {
        uint64_t *n = add ? &ch->stats.keys_added : &ch->stats.keys_deleted;
        *n += req->n_keys;
    }
    return error;
}

static struct json *
nsc_stats_json(const struct nicsim_channel_stats *s)
{
    struct json *j = json_object_create();

#define NSC_STAT(NAME) \
    json_object_put(j, #NAME, json_integer_create(s->NAME));
    NSC_STAT(accepted) NSC_STAT(failed) NSC_STAT(closed) NSC_STAT(oversized)
    NSC_STAT(requests) NSC_STAT(refused) NSC_STAT(added) NSC_STAT(modified)
    NSC_STAT(deleted) NSC_STAT(keys_added) NSC_STAT(keys_deleted)
    NSC_STAT(learned_reports) NSC_STAT(dropped_reports)
    NSC_STAT(reports_skipped)
#undef NSC_STAT
    return j;
}

/* The answer to "counters": the endpoint's own, and the NIC's token frames
 * by result and its learning, where it has them. */
static struct json *
nsc_counters_json(const struct nicsim_channel *ch)
{
    struct json *j = nsc_stats_json(&ch->stats);
    struct nic_token_status ts;
    struct nic_learn_stats ls;

    if (!nic_token_get(ch->nic, &ts)) {
        struct json *t = json_object_create();

        for (int r = 0; r < OFFLOAD_TOKEN_N_RESULTS; r++) {
            json_object_put(t, offload_token_result_name(r),
                            json_integer_create(ts.results[r]));
        }
        json_object_put(j, "tokens", t);
    }
    if (!nic_learned_get(ch->nic, &ls)) {
        struct json *l = json_object_create();

#define NSC_LEARN(NAME) \
        json_object_put(l, #NAME, json_integer_create(ls.NAME));
        NSC_LEARN(learned) NSC_LEARN(moved) NSC_LEARN(aged)
        NSC_LEARN(evicted) NSC_LEARN(cleared) NSC_LEARN(reports_lost)
        NSC_LEARN(n_entries)
#undef NSC_LEARN
        json_object_put(j, "learning", l);
    }
    return j;
}

static struct jsonrpc_msg *
nsc_error_reply(const char *reason, const struct json *id)
{
    struct json *e = json_object_create();

    json_object_put_string(e, "error", "refused");
    json_object_put_string(e, "details", reason);
    return jsonrpc_create_error(e, id);
}

static struct jsonrpc_msg *
nsc_handle(struct nicsim_channel *ch, const struct jsonrpc_msg *msg)
{
    struct offload_channel_request req;
    struct json *result = NULL;
    char *error;

    if (msg->type == JSONRPC_REQUEST && !strcmp(msg->method, "echo")) {
        return jsonrpc_create_reply(json_clone(msg->params), msg->id);
    }
    error = offload_channel_request_parse(msg, &req);
    if (!error) {
        switch (req.method) {
        case OFFLOAD_CHANNEL_DUMP: {
            struct nic_encap_mapping *maps;
            size_t n;

            if (nic_encap_map_dump(ch->nic, &maps, &n)) {
                error = xstrdup("this NIC has no mapping table");
                break;
            }
            result = json_array_create_empty();
            for (size_t i = 0; i < n; i++) {
                json_array_add(result,
                               offload_channel_mapping_to_json(&maps[i],
                                                               false));
            }
            free(maps);
            break;
        }
        case OFFLOAD_CHANNEL_COUNTERS:
            result = nsc_counters_json(ch);
            break;
        case OFFLOAD_CHANNEL_LEARNED_DUMP: {
            struct nic_learned *l;
            size_t n;

            if (nic_learned_dump(ch->nic, &l, &n)) {
                error = xstrdup("this NIC does not learn mappings");
                break;
            }
            result = offload_channel_learned_to_json(l, n);
            free(l);
            break;
        }
        case OFFLOAD_CHANNEL_KEY_LIST: {
            struct nic_token_status st;

            if (nic_token_get(ch->nic, &st)) {
                error = xstrdup("this NIC has no sealed destinations");
                break;
            }
            result = json_array_create_empty();
            for (size_t i = 0; i < st.n_keys; i++) {
                json_array_add(result,
                               offload_channel_key_info_to_json(&st.keys[i]));
            }
            break;
        }
        case OFFLOAD_CHANNEL_KEY_ADD:
        case OFFLOAD_CHANNEL_KEY_DELETE:
            error = nsc_apply_keys(ch, &req);
            if (!error) {
                result = json_object_create();
                json_object_put(result, "n",
                                json_integer_create(req.n_keys));
            }
            break;
        case OFFLOAD_CHANNEL_ADD:
        case OFFLOAD_CHANNEL_MODIFY:
        case OFFLOAD_CHANNEL_DELETE:
            error = nsc_apply(ch, &req);
            if (!error) {
                result = json_object_create();
                json_object_put(result, "n",
                                json_integer_create(req.n_maps));
            }
            break;
        }
        offload_channel_request_destroy(&req);
    }
    if (msg->type != JSONRPC_REQUEST) {
        /* A notification or a stray reply has no one to answer to. */
        ch->stats.refused++;
        nsc_set_error(ch, error ? error : xstrdup("unexpected message"));
        json_destroy(result);
        return NULL;
    }
    if (error) {
        struct jsonrpc_msg *reply = nsc_error_reply(error, msg->id);

        VLOG_WARN_RL(&nsc_rl, "%s: channel request %s refused: %s",
                     nic_get_name(ch->nic), msg->method, error);
        ch->stats.refused++;
        nsc_set_error(ch, error);
        return reply;
    }
    ch->stats.requests++;
    return jsonrpc_create_reply(result, msg->id);
}

/* Runs one connection; returns false once it is gone. */
static bool
nsc_conn_run(struct nicsim_channel *ch, struct nsc_conn *c)
{
    const char *name = nic_get_name(ch->nic);
    int error;

    jsonrpc_run(c->rpc);
    for (int n = 0; n < 50; n++) {
        struct jsonrpc_msg *msg, *reply;

        unsigned int rx;

        error = jsonrpc_recv(c->rpc, &msg);
        if (error) {
            break;
        }
        rx = jsonrpc_get_received_bytes(c->rpc);
        if (rx - c->msg_start > OFFLOAD_CHANNEL_MAX_MSG_BYTES) {
            jsonrpc_msg_destroy(msg);
            c->msg_start = rx - OFFLOAD_CHANNEL_MAX_MSG_BYTES - 1;
            break;
        }
        c->msg_start = rx;
        if (!ch->last_peer || (stream_get_peer_id(c->stream)
                               && strcmp(ch->last_peer,
                                         stream_get_peer_id(c->stream)))) {
            const char *peer = stream_get_peer_id(c->stream);

            free(ch->last_peer);
            ch->last_peer = xstrdup(peer ? peer : jsonrpc_get_name(c->rpc));
        }
        reply = nsc_handle(ch, msg);
        jsonrpc_msg_destroy(msg);
        if (reply) {
            jsonrpc_send(c->rpc, reply);
        }
    }
    if (jsonrpc_get_received_bytes(c->rpc) - c->msg_start
        > OFFLOAD_CHANNEL_MAX_MSG_BYTES) {
        VLOG_WARN("%s: %s: message longer than %d bytes, disconnecting",
                  name, jsonrpc_get_name(c->rpc),
                  OFFLOAD_CHANNEL_MAX_MSG_BYTES);
        ch->stats.oversized++;
        nsc_set_error(ch, xstrdup("message too long"));
        return false;
    }
    error = jsonrpc_get_status(c->rpc);
    if (error == EOF) {
        VLOG_INFO("%s: %s closed the control channel", name,
                  jsonrpc_get_name(c->rpc));
        ch->stats.closed++;
        return false;
    } else if (error) {
        VLOG_WARN("%s: control channel connection from %s failed: %s",
                  name, jsonrpc_get_name(c->rpc), ovs_strerror(error));
        ch->stats.failed++;
        nsc_set_error(ch, xasprintf("connection from %s failed: %s",
                                    jsonrpc_get_name(c->rpc),
                                    ovs_strerror(error)));
        return false;
    }
    return true;
}

/* Sends the NIC's reports of what it learned and dropped to every
 * connection, one notification per run of reports of a kind.  At most a
 * queue's worth a run, so that a flood of reports cannot hold the main
 * loop (the NIC's queue makes the next poll come at once); a connection
 * that does not read its messages gets none while its backlog is large
 * (its next learned_dump repairs what it missed). */
static void
nsc_send_learned(struct nicsim_channel *ch)
{
    struct nic_learn_event ev[64];
    size_t n, total = 0;

    while (total < NIC_LEARN_MAX_REPORTS
           && (n = nic_learned_poll(ch->nic, ev, ARRAY_SIZE(ev))) > 0) {
        total += n;
        for (size_t i = 0; i < n; ) {
            bool dropped = ev[i].type == NIC_LEARN_DROPPED;
            size_t j = i + 1;
            struct nsc_conn *c;

            while (j < n && (ev[j].type == NIC_LEARN_DROPPED) == dropped) {
                j++;
            }
            LIST_FOR_EACH (c, node, &ch->conns) {
                if (jsonrpc_get_backlog(c->rpc) > NSC_MAX_REPORT_BACKLOG) {
                    ch->stats.reports_skipped += j - i;
                    continue;
                }
                jsonrpc_send(c->rpc, offload_channel_learn_notify_create(
                                 &ev[i], j - i));
            }
            if (dropped) {
                ch->stats.dropped_reports += j - i;
            } else {
                ch->stats.learned_reports += j - i;
            }
            i = j;
        }
        if (n < ARRAY_SIZE(ev)) {
            break;
        }
    }
}

static void
nsc_run(struct nicsim_channel *ch)
{
    struct nsc_conn *c;

    for (int n = 0; n < 10; n++) {
        struct stream *stream;
        int error = pstream_accept(ch->pstream, &stream);

        if (error) {
            if (error != EAGAIN) {
                VLOG_WARN_RL(&nsc_rl, "%s: accept failed: %s",
                             nic_get_name(ch->nic), ovs_strerror(error));
            }
            break;
        }
        if (ch->n_conns >= NSC_MAX_CONNS) {
            VLOG_WARN_RL(&nsc_rl, "%s: %d control connections already, "
                         "refusing %s", nic_get_name(ch->nic),
                         NSC_MAX_CONNS, stream_get_name(stream));
            stream_close(stream);
            ch->stats.failed++;
            continue;
        }
        c = xzalloc(sizeof *c);
        c->stream = stream;
        c->rpc = jsonrpc_open(stream);
        c->since = time_msec();
        ovs_list_push_back(&ch->conns, &c->node);
        ch->n_conns++;
        ch->stats.accepted++;
    }
    LIST_FOR_EACH_SAFE (c, node, &ch->conns) {
        if (!nsc_conn_run(ch, c)) {
            nsc_conn_close(ch, c);
        }
    }
    nsc_send_learned(ch);
}

void
nicsim_channel_run(void)
{
    struct nicsim_channel *ch;

    LIST_FOR_EACH (ch, node, &nsc_channels) {
        nsc_run(ch);
    }
}

void
nicsim_channel_wait(void)
{
    struct nicsim_channel *ch;

    LIST_FOR_EACH (ch, node, &nsc_channels) {
        struct nsc_conn *c;

        pstream_wait(ch->pstream);
        nic_learned_wait(ch->nic);
        LIST_FOR_EACH (c, node, &ch->conns) {
            jsonrpc_wait(c->rpc);
            jsonrpc_recv_wait(c->rpc);
        }
    }
}

int
nicsim_channel_to_json(const struct nic *nic, struct json **jp)
{
    struct nicsim_channel *ch = nsc_find(nic);
    struct json *j, *conns;
    struct nsc_conn *c;

    *jp = NULL;
    if (!ch) {
        return ENOENT;
    }
    j = json_object_create();
    json_object_put_string(j, "target", pstream_get_name(ch->pstream));
    json_object_put(j, "port",
                    json_integer_create(ntohs(pstream_get_bound_port(
                                                  ch->pstream))));
    conns = json_array_create_empty();
    LIST_FOR_EACH (c, node, &ch->conns) {
        const char *peer = stream_get_peer_id(c->stream);
        struct json *cj = json_object_create();

        json_object_put_string(cj, "name", jsonrpc_get_name(c->rpc));
        json_object_put(cj, "peer", (peer ? json_string_create(peer)
                                     : json_null_create()));
        json_object_put(cj, "seconds", json_integer_create(
                            (time_msec() - c->since) / 1000));
        json_array_add(conns, cj);
    }
    json_object_put(j, "connections", conns);
    json_object_put(j, "counters", nsc_stats_json(&ch->stats));
    json_object_put(j, "last_peer", (ch->last_peer
                                     ? json_string_create(ch->last_peer)
                                     : json_null_create()));
    json_object_put(j, "last_error", (ch->last_error
                                      ? json_string_create(ch->last_error)
                                      : json_null_create()));
    *jp = j;
    return 0;
}

int
nicsim_channel_format(const struct nic *nic, struct ds *s)
{
    struct nicsim_channel *ch = nsc_find(nic);
    const struct nicsim_channel_stats *st;
    struct nsc_conn *c;

    if (!ch) {
        return ENOENT;
    }
    st = &ch->stats;
    ds_put_format(s, "%s: control channel on %s (port %"PRIu16")\n",
                  nic_get_name(nic), pstream_get_name(ch->pstream),
                  ntohs(pstream_get_bound_port(ch->pstream)));
    ds_put_format(s, "  connections: %"PRIuSIZE"\n", ch->n_conns);
    LIST_FOR_EACH (c, node, &ch->conns) {
        const char *peer = stream_get_peer_id(c->stream);

        ds_put_format(s, "    %s peer %s, %lld s\n", jsonrpc_get_name(c->rpc),
                      peer ? peer : "(none)",
                      (time_msec() - c->since) / 1000);
    }
    ds_put_format(s, "  accepted %"PRIu64", failed %"PRIu64", closed %"PRIu64
                  ", oversized %"PRIu64"\n", st->accepted, st->failed,
                  st->closed, st->oversized);
    ds_put_format(s, "  requests %"PRIu64", refused %"PRIu64"\n",
                  st->requests, st->refused);
    ds_put_format(s, "  mappings added %"PRIu64", modified %"PRIu64
                  ", deleted %"PRIu64"\n", st->added, st->modified,
                  st->deleted);
    ds_put_format(s, "  keys added %"PRIu64", deleted %"PRIu64"\n",
                  st->keys_added, st->keys_deleted);
    ds_put_format(s, "  reports sent: %"PRIu64" learned, %"PRIu64
                  " dropped\n", st->learned_reports, st->dropped_reports);
    ds_put_format(s, "  last peer: %s\n",
                  ch->last_peer ? ch->last_peer : "(none)");
    ds_put_format(s, "  last error: %s\n",
                  ch->last_error ? ch->last_error : "(none)");
    return 0;
}
