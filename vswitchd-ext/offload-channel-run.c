/* SPDX-License-Identifier: Apache-2.0 */
/* Keeps each NIC's encapsulation mappings equal to its Offload database
 * row over the NIC's control channel, and answers
 * "ovs-appctl offload/channel". */
#include <config.h>

#include "vswitchd-ext/offload-channel-run.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "jsonrpc.h"
#include "lib/nic-encap-map.h"
#include "lib/offload-channel.h"
#include "lib/offload-token.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb-schema/offload-idl.h"
#include "smap.h"
#include "stream.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"
#include "vswitchd-ext/offload-db.h"
#include "vswitchd-ext/offload-status.h"
#include "vswitchd-ext/unixctl-format.h"

VLOG_DEFINE_THIS_MODULE(offload_channel_run);

static struct vlog_rate_limit occ_rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* How often a synced channel compares the NIC's table with the database,
 * so that a change behind the host's back (a NIC reset, another
 * controller) is repaired. */
#define OCC_CHECK_INTERVAL 10000
/* After a refused dump, when to ask again. */
#define OCC_RETRY_INTERVAL 1000
/* How often the key file is looked at for a change. */
#define OCC_KEY_FILE_INTERVAL 1000
/* How often the NIC's counters (token frames by result, learning) are
 * read for offload/channel. */
#define OCC_COUNTERS_INTERVAL 1000

enum occ_state {
    OCC_CONNECTING,             /* No connection. */
    OCC_SYNCING,                /* Connected; the first dump outstanding. */
    OCC_SYNCED,                 /* The NIC holds 'sent'. */
};

static const char *
occ_state_name(enum occ_state s)
{
    return (s == OCC_CONNECTING ? "connecting"
            : s == OCC_SYNCING ? "syncing" : "synced");
}

struct occ_client {
    char *nic;                  /* NIC name; the shash key. */
    char *remote;
    struct jsonrpc_session *js;
    unsigned int seqno;
    enum occ_state state;

    struct nic_encap_mapping *want;   /* The database's (last good), sorted. */
    size_t n_want;
    struct nic_encap_mapping *sent;   /* What the NIC holds, as far as the
                                       * requests sent so far go. */
    size_t n_sent;

    struct json *dump_id;       /* The outstanding dump, if any. */
    size_t n_pending;           /* Outstanding change requests. */
    long long int next_check;

    char *config_error;         /* Why the database's values were refused. */
    char *error;                /* The latest connection or NIC error. */

    /* Sealing keys, from the row's key_file. */
    char *key_file;             /* NULL: keys are not managed. */
    struct stat key_stat;       /* Of the file as last read. */
    long long int next_key_check;
    long long int next_key_sync;    /* After a refusal: not before. */
    struct offload_token_key *keys;     /* The file's, sorted by id. */
    size_t n_keys;
    bool keys_dirty;            /* The NIC may hold other keys. */
    struct json *keys_id;       /* The outstanding key_list, if any. */
    size_t n_keys_confirmed;    /* Keys the NIC holds as the file says. */
    char *key_error;            /* Why the file was refused. */

    /* What the NIC learned on decapsulation: its dump after each
     * connection and at each check, kept current by its reports. */
    struct nic_learned *learned;        /* Sorted by MAC. */
    size_t n_learned;
    struct json *learned_id;    /* The outstanding learned_dump, if any. */
    bool learns;                /* False once the NIC said it does not. */
    uint64_t learned_reports, dropped_reports, reports_refused;

    /* The NIC's answer to "counters", as last read. */
    struct json *nic_counters;
    struct json *counters_id;   /* The outstanding request, if any. */
    long long int next_counters;

    uint64_t connects, resyncs, requests, refused, repaired;
    bool seen;
};

static struct shash occ_clients = SHASH_INITIALIZER(&occ_clients);

static void
occ_set(char **dst, char *src)
{
    free(*dst);
    *dst = src;
}

static void
occ_client_destroy(struct occ_client *c)
{
    jsonrpc_session_close(c->js);
    json_destroy(c->dump_id);
    free(c->nic);
    free(c->remote);
    free(c->want);
    free(c->sent);
    free(c->config_error);
    free(c->error);
    free(c->key_file);
    offload_token_keys_wipe(c->keys, c->n_keys);
    json_destroy(c->keys_id);
    free(c->key_error);
    free(c->learned);
    json_destroy(c->learned_id);
    json_destroy(c->nic_counters);
    json_destroy(c->counters_id);
    free(c);
}

/* Parses the row's mappings into a sorted malloc'd array; NULL or a
 * malloc'd error (then '*mapsp' is NULL). */
static char *
occ_parse_mappings(const struct offrec_nic *row,
                   struct nic_encap_mapping **mapsp, size_t *np)
{
    struct nic_encap_mapping *maps = xmalloc(MAX(1, row->n_mappings)
                                             * sizeof *maps);
    char *error = NULL;

    for (size_t i = 0; i < row->n_mappings && !error; i++) {
        char *e = nic_encap_mapping_from_string(row->mappings[i], &maps[i]);

        if (e) {
            error = xasprintf("mapping \"%s\": %s", row->mappings[i], e);
            free(e);
        }
    }
    if (!error) {
        nic_encap_mappings_sort(maps, row->n_mappings);
        for (size_t i = 1; i < row->n_mappings && !error; i++) {
            if (!nic_encap_mapping_key_cmp(&maps[i - 1], &maps[i])) {
                struct ds s = DS_EMPTY_INITIALIZER;

                nic_encap_mapping_format(&s, &maps[i]);
                error = xasprintf("two mappings of one inner destination: "
                                  "%s", ds_cstr(&s));
                ds_destroy(&s);
            }
        }
    }
    if (error) {
        free(maps);
        maps = NULL;
    }
    *mapsp = maps;
    *np = error ? 0 : row->n_mappings;
    return error;
}

static bool
occ_mappings_equal(const struct nic_encap_mapping *a, size_t n_a,
                   const struct nic_encap_mapping *b, size_t n_b)
{
    if (n_a != n_b) {
        return false;
    }
    for (size_t i = 0; i < n_a; i++) {
        if (!nic_encap_mapping_equal(&a[i], &b[i])) {
            return false;
        }
    }
    return true;
}

static int
occ_key_cmp(const void *a_, const void *b_)
{
    const struct offload_token_key *a = a_, *b = b_;

    return a->id < b->id ? -1 : a->id > b->id;
}

/* Reads the row's key file when its path or the file changes; a file that
 * cannot be read or parsed keeps the keys read before. */
static void
occ_configure_keys(struct occ_client *c, const struct offrec_nic *row)
{
    const char *path = row->key_file && row->key_file[0] ? row->key_file
                       : NULL;
    struct offload_token_key *keys;
    struct stat st;
    char *error;
    size_t n;

    if (!path) {
        if (c->key_file) {
            VLOG_INFO("%s: sealing keys no longer managed (the NIC keeps "
                      "its keys)", c->nic);
            free(c->key_file);
            c->key_file = NULL;
            offload_token_keys_wipe(c->keys, c->n_keys);
            c->keys = NULL;
            c->n_keys = 0;
            free(c->key_error);
            c->key_error = NULL;
        }
        return;
    }
    if (c->key_file && !strcmp(c->key_file, path)
        && time_msec() < c->next_key_check) {
        return;
    }
    c->next_key_check = time_msec() + OCC_KEY_FILE_INTERVAL;
    if (c->key_file && !strcmp(c->key_file, path) && !c->key_error
        && !stat(path, &st) && st.st_ino == c->key_stat.st_ino
        && st.st_size == c->key_stat.st_size
        && st.st_mtim.tv_sec == c->key_stat.st_mtim.tv_sec
        && st.st_mtim.tv_nsec == c->key_stat.st_mtim.tv_nsec) {
        return;
    }
    if (!c->key_file || strcmp(c->key_file, path)) {
        free(c->key_file);
        c->key_file = xstrdup(path);
    }
    memset(&c->key_stat, 0, sizeof c->key_stat);
    stat(path, &c->key_stat);
    error = offload_token_key_file_read(path, &keys, &n);
    if (!error && n > OFFLOAD_TOKEN_MAX_KEYS) {
        error = xasprintf("%s: %"PRIuSIZE" keys (a NIC holds %d)", path, n,
                          OFFLOAD_TOKEN_MAX_KEYS);
        offload_token_keys_wipe(keys, n);
    }
    if (error) {
        if (!c->key_error || strcmp(c->key_error, error)) {
            VLOG_WARN("%s: key file refused, the keys sent before stay: %s",
                      c->nic, error);
            offload_status_poke();
        }
        free(c->key_error);
        c->key_error = error;
        return;
    }
    qsort(keys, n, sizeof *keys, occ_key_cmp);
    VLOG_INFO("%s: %"PRIuSIZE" sealing keys read from %s", c->nic, n, path);
    offload_token_keys_wipe(c->keys, c->n_keys);
    c->keys = keys;
    c->n_keys = n;
    c->keys_dirty = true;
    c->next_key_sync = 0;
    if (c->key_error) {
        offload_status_poke();
    }
    free(c->key_error);
    c->key_error = NULL;
}

/* Takes the row's configuration; bad values are refused whole and the
 * previous ones stay.  Unless 'changed' (the database moved on, or 'c' is
 * new) only the key file is looked at: the same rows give the same result,
 * and parsing thousands of mappings on every main-loop pass would cost. */
static void
occ_configure(struct occ_client *c, const struct offrec_nic *row,
              bool changed)
{
    struct nic_encap_mapping *maps;
    char *error = NULL;
    size_t n;

    if (!changed) {
        occ_configure_keys(c, row);
        return;
    }
    if (!c->remote || strcmp(c->remote, row->channel)) {
        int e = stream_verify_name(row->channel);

        if (e) {
            error = xasprintf("channel \"%s\": not an active stream target "
                              "(%s)", row->channel, ovs_strerror(e));
        } else {
            VLOG_INFO("%s: control channel to %s", c->nic, row->channel);
            jsonrpc_session_close(c->js);
            occ_set(&c->remote, xstrdup(row->channel));
            c->js = jsonrpc_session_open(c->remote, true);
            c->seqno = jsonrpc_session_get_seqno(c->js);
            c->state = OCC_CONNECTING;
            json_destroy(c->dump_id);
            c->dump_id = NULL;
            c->n_pending = 0;
        }
    }
    occ_configure_keys(c, row);
    if (!error) {
        error = occ_parse_mappings(row, &maps, &n);
        if (!error) {
            if (!occ_mappings_equal(maps, n, c->want, c->n_want)) {
                free(c->want);
                c->want = maps;
                c->n_want = n;
            } else {
                free(maps);
            }
        }
    }
    if (error && (!c->config_error || strcmp(error, c->config_error))) {
        VLOG_WARN("%s: channel configuration refused, the previous one "
                  "stays: %s", c->nic, error);
    } else if (!error && c->config_error) {
        VLOG_INFO("%s: channel configuration accepted", c->nic);
    }
    if ((error != NULL) != (c->config_error != NULL)) {
        offload_status_poke();
    }
    occ_set(&c->config_error, error);
}

static void
occ_send(struct occ_client *c, enum offload_channel_method method,
         const struct nic_encap_mapping *maps, size_t n)
{
    for (size_t i = 0; i < n; i += OFFLOAD_CHANNEL_MAX_BATCH) {
        size_t k = MIN(n - i, OFFLOAD_CHANNEL_MAX_BATCH);

        jsonrpc_session_send(c->js, offload_channel_request_create(
                                 method, &maps[i], k));
        c->n_pending++;
        c->requests++;
    }
}

/* Sends what turns 'have' into the database's set. */
static size_t
occ_push(struct occ_client *c, const struct nic_encap_mapping *have,
         size_t n_have)
{
    struct offload_channel_diff d;
    size_t n;

    offload_channel_diff(c->want, c->n_want, have, n_have, &d);
    occ_send(c, OFFLOAD_CHANNEL_DELETE, d.delete, d.n_delete);
    occ_send(c, OFFLOAD_CHANNEL_MODIFY, d.modify, d.n_modify);
    occ_send(c, OFFLOAD_CHANNEL_ADD, d.add, d.n_add);
    n = d.n_delete + d.n_modify + d.n_add;
    offload_channel_diff_destroy(&d);

    free(c->sent);
    c->sent = (c->n_want ? xmemdup(c->want, c->n_want * sizeof *c->want)
               : NULL);
    c->n_sent = c->n_want;
    return n;
}

/* Sends a request without parameters whose answer the client waits for,
 * remembering its id in '*idp'. */
static void
occ_request(struct occ_client *c, enum offload_channel_method method,
            struct json **idp)
{
    struct jsonrpc_msg *msg = offload_channel_request_create(method, NULL,
                                                             0);

    json_destroy(*idp);
    *idp = json_clone(msg->id);
    jsonrpc_session_send(c->js, msg);
}

static void
occ_request_dump(struct occ_client *c)
{
    occ_request(c, OFFLOAD_CHANNEL_DUMP, &c->dump_id);
}

static void
occ_request_learned(struct occ_client *c)
{
    if (c->learns) {
        occ_request(c, OFFLOAD_CHANNEL_LEARNED_DUMP, &c->learned_id);
    }
}

/* Forgets what the NIC learned: while it is not connected, the host does
 * not know. */
static void
occ_learned_clear(struct occ_client *c)
{
    free(c->learned);
    c->learned = NULL;
    c->n_learned = 0;
}

static void
occ_handle_learned_dump(struct occ_client *c, const struct jsonrpc_msg *msg)
{
    struct nic_learned *l;
    size_t n;
    char *error;

    json_destroy(c->learned_id);
    c->learned_id = NULL;
    if (msg->type == JSONRPC_ERROR) {
        /* A NIC that does not learn says so once; it is not asked again
         * on this connection. */
        c->learns = false;
        occ_learned_clear(c);
        return;
    }
    error = offload_channel_learned_from_json(msg->result, &l, &n);
    if (error) {
        VLOG_WARN_RL(&occ_rl, "%s: the NIC's learned dump refused: %s",
                     c->nic, error);
        c->reports_refused++;
        occ_set(&c->error, error);
        return;
    }
    qsort(l, n, sizeof *l, nic_learned_cmp);
    free(c->learned);
    c->learned = l;
    c->n_learned = n;
    offload_status_poke();
}

/* Applies one report of the NIC to the learned table. */
static void
occ_apply_report(struct occ_client *c, const struct nic_learn_event *ev)
{
    struct nic_learned key = { .m = ev->m }, *l;
    struct ds s = DS_EMPTY_INITIALIZER;

    l = (c->n_learned
         ? bsearch(&key, c->learned, c->n_learned, sizeof *c->learned,
                   nic_learned_cmp)
         : NULL);
    nic_encap_mapping_format(&s, &ev->m);
    if (ev->type == NIC_LEARN_DROPPED) {
        c->dropped_reports++;
        if (l) {
            size_t i = l - c->learned;

            memmove(l, l + 1, (c->n_learned - i - 1) * sizeof *l);
            c->n_learned--;
        }
        VLOG_INFO("%s: the NIC dropped learned mapping %s (%s)", c->nic,
                  ds_cstr(&s), nic_learn_drop_reason_name(ev->reason));
    } else {
        c->learned_reports++;
        if (l) {
            l->m = ev->m;
            l->age_ms = 0;
        } else {
            /* Only a new MAC changes the order. */
            c->learned = xrealloc(c->learned,
                                  (c->n_learned + 1) * sizeof *c->learned);
            l = &c->learned[c->n_learned++];
            memset(l, 0, sizeof *l);
            l->m = ev->m;
            qsort(c->learned, c->n_learned, sizeof *c->learned,
                  nic_learned_cmp);
        }
        if (ev->type == NIC_LEARN_MOVED) {
            struct ds prev = DS_EMPTY_INITIALIZER;

            nic_encap_mapping_format(&prev, &ev->prev);
            VLOG_INFO("%s: the NIC learned %s, moved from %s", c->nic,
                      ds_cstr(&s), ds_cstr(&prev));
            ds_destroy(&prev);
        } else {
            VLOG_INFO("%s: the NIC learned %s", c->nic, ds_cstr(&s));
        }
    }
    ds_destroy(&s);
}

static void
occ_handle_reports(struct occ_client *c, const struct jsonrpc_msg *msg)
{
    struct nic_learn_event *ev;
    size_t n;
    char *error = offload_channel_learn_notify_parse(msg, &ev, &n);

    if (error) {
        VLOG_WARN_RL(&occ_rl, "%s: a report from the NIC refused: %s",
                     c->nic, error);
        c->reports_refused++;
        occ_set(&c->error, error);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        occ_apply_report(c, &ev[i]);
    }
    free(ev);
    offload_status_poke();
}

static void
occ_request_keys(struct occ_client *c)
{
    occ_request(c, OFFLOAD_CHANNEL_KEY_LIST, &c->keys_id);
    c->keys_dirty = false;
}

static char *occ_error_text(const struct jsonrpc_msg *);

/* Sends what turns the NIC's keys ('reply' to key_list) into the file's. */
static void
occ_handle_keys(struct occ_client *c, const struct jsonrpc_msg *msg)
{
    const struct json_array *a;
    struct offload_token_key *add;
    struct offload_token_key *del;
    size_t n_add = 0, n_del = 0, n_same = 0;
    char *error = NULL;

    json_destroy(c->keys_id);
    c->keys_id = NULL;
    if (msg->type == JSONRPC_ERROR) {
        error = occ_error_text(msg);
    } else if (msg->result->type != JSON_ARRAY) {
        error = xstrdup("key_list: not an array");
    }
    if (error) {
        VLOG_WARN_RL(&occ_rl, "%s: the NIC's key list failed: %s", c->nic,
                     error);
        occ_set(&c->error, error);
        c->keys_dirty = true;
        c->next_key_sync = time_msec() + OCC_RETRY_INTERVAL;
        return;
    }
    if (!c->key_file) {
        return;
    }
    a = json_array(msg->result);
    add = xzalloc(MAX(1, c->n_keys) * sizeof *add);
    del = xzalloc(MAX(1, a->n + c->n_keys) * sizeof *del);
    for (size_t i = 0; i < a->n; i++) {
        struct offload_token_key_info info;
        bool keep = false;
        char *e = offload_channel_key_info_from_json(a->elems[i], &info);

        if (e) {
            VLOG_WARN_RL(&occ_rl, "%s: bad key_list entry: %s", c->nic, e);
            free(e);
            continue;
        }
        for (size_t j = 0; j < c->n_keys; j++) {
            uint8_t fp[OFFLOAD_TOKEN_FINGERPRINT_LEN];

            if (c->keys[j].id != info.id) {
                continue;
            }
            offload_token_key_fingerprint(c->keys[j].key, fp);
            keep = (!memcmp(fp, info.fingerprint, sizeof fp)
                    && c->keys[j].not_after == info.not_after);
        }
        if (keep) {
            n_same++;
        } else {
            del[n_del++].id = info.id;
        }
    }
    for (size_t j = 0; j < c->n_keys; j++) {
        bool held = false;

        for (size_t i = 0; i < a->n; i++) {
            const struct json *id = (a->elems[i]->type == JSON_OBJECT
                                     ? shash_find_data(
                                         json_object(a->elems[i]), "id")
                                     : NULL);
            held |= (id && id->type == JSON_INTEGER
                     && json_integer(id) == c->keys[j].id);
        }
        /* Deleted above for a changed key: added again. */
        for (size_t i = 0; i < n_del; i++) {
            held &= del[i].id != c->keys[j].id;
        }
        if (!held) {
            add[n_add++] = c->keys[j];
        }
    }
    if (n_del) {
        jsonrpc_session_send(c->js, offload_channel_key_request_create(
                                 OFFLOAD_CHANNEL_KEY_DELETE, del, n_del));
        c->n_pending++;
        c->requests++;
    }
    if (n_add) {
        jsonrpc_session_send(c->js, offload_channel_key_request_create(
                                 OFFLOAD_CHANNEL_KEY_ADD, add, n_add));
        c->n_pending++;
        c->requests++;
    }
    if (n_add || n_del) {
        VLOG_INFO("%s: sealing keys: %"PRIuSIZE" added, %"PRIuSIZE
                  " deleted, %"PRIuSIZE" kept", c->nic, n_add, n_del,
                  n_same);
        offload_status_poke();
    }
    offload_token_keys_wipe(add, MAX(1, c->n_keys));
    free(del);
    c->n_keys_confirmed = c->n_keys;
}

static char *
occ_error_text(const struct jsonrpc_msg *msg)
{
    const struct json *e = msg->error;
    const struct json *details = (e && e->type == JSON_OBJECT
                                  ? shash_find_data(json_object(e),
                                                    "details") : NULL);

    return (details && details->type == JSON_STRING
            ? xstrdup(json_string(details)) : json_to_string(e, 0));
}

static void
occ_handle_dump(struct occ_client *c, const struct jsonrpc_msg *msg)
{
    struct nic_encap_mapping *have;
    size_t n_have, n;
    char *error;

    json_destroy(c->dump_id);
    c->dump_id = NULL;
    error = (msg->type == JSONRPC_ERROR ? occ_error_text(msg)
             : offload_channel_mappings_from_json(msg->result, false,
                                                  &have, &n_have));
    if (error) {
        VLOG_WARN_RL(&occ_rl, "%s: the NIC's mapping dump failed: %s",
                     c->nic, error);
        occ_set(&c->error, error);
        c->next_check = time_msec() + OCC_RETRY_INTERVAL;
        return;
    }
    nic_encap_mappings_sort(have, n_have);
    n = occ_push(c, have, n_have);
    free(have);
    if (c->state == OCC_SYNCING) {
        VLOG_INFO("%s: channel synced: %"PRIuSIZE" mappings, %"PRIuSIZE
                  " changed", c->nic, c->n_want, n);
        c->resyncs++;
    } else if (n) {
        VLOG_WARN("%s: the NIC's mappings differed from the database: "
                  "%"PRIuSIZE" repaired", c->nic, n);
        c->repaired += n;
    }
    if (c->state != OCC_SYNCED) {
        offload_status_poke();
    }
    c->state = OCC_SYNCED;
    c->next_check = time_msec() + OCC_CHECK_INTERVAL;
}

static void
occ_client_run(struct occ_client *c)
{
    jsonrpc_session_run(c->js);
    if (jsonrpc_session_get_seqno(c->js) != c->seqno) {
        c->seqno = jsonrpc_session_get_seqno(c->js);
        json_destroy(c->dump_id);
        c->dump_id = NULL;
        json_destroy(c->learned_id);
        c->learned_id = NULL;
        json_destroy(c->counters_id);
        c->counters_id = NULL;
        c->next_counters = 0;
        c->n_pending = 0;
        if (jsonrpc_session_is_connected(c->js)) {
            const char *peer = jsonrpc_session_get_id(c->js);

            VLOG_INFO("%s: channel connected to %s%s%s", c->nic, c->remote,
                      peer ? ", peer " : "", peer ? peer : "");
            c->connects++;
            c->state = OCC_SYNCING;
            offload_status_poke();
            occ_request_dump(c);
            c->learns = true;
            occ_request_learned(c);
            json_destroy(c->keys_id);
            c->keys_id = NULL;
            c->n_keys_confirmed = 0;
            if (c->key_file) {
                occ_request_keys(c);
            }
        } else {
            int e = jsonrpc_session_get_last_error(c->js);

            if (c->state != OCC_CONNECTING && e) {
                occ_set(&c->error, xasprintf("connection to %s lost: %s",
                                             c->remote,
                                             ovs_retval_to_string(e)));
            }
            c->state = OCC_CONNECTING;
            occ_learned_clear(c);
            offload_status_poke();
        }
    }
    for (int i = 0; i < 50 && jsonrpc_session_is_connected(c->js); i++) {
        struct jsonrpc_msg *msg = jsonrpc_session_recv(c->js);

        if (!msg) {
            break;
        }
        if (c->dump_id && msg->id && json_equal(msg->id, c->dump_id)
            && (msg->type == JSONRPC_REPLY || msg->type == JSONRPC_ERROR)) {
            occ_handle_dump(c, msg);
        } else if (c->keys_id && msg->id && json_equal(msg->id, c->keys_id)
                   && (msg->type == JSONRPC_REPLY
                       || msg->type == JSONRPC_ERROR)) {
            occ_handle_keys(c, msg);
        } else if (c->learned_id && msg->id
                   && json_equal(msg->id, c->learned_id)
                   && (msg->type == JSONRPC_REPLY
                       || msg->type == JSONRPC_ERROR)) {
            occ_handle_learned_dump(c, msg);
        } else if (c->counters_id && msg->id
                   && json_equal(msg->id, c->counters_id)
                   && (msg->type == JSONRPC_REPLY
                       || msg->type == JSONRPC_ERROR)) {
            json_destroy(c->counters_id);
            c->counters_id = NULL;
            json_destroy(c->nic_counters);
            c->nic_counters = (msg->type == JSONRPC_REPLY
                               && msg->result->type == JSON_OBJECT
                               ? json_clone(msg->result) : NULL);
        } else if (msg->type == JSONRPC_NOTIFY) {
            occ_handle_reports(c, msg);
        } else if (msg->type == JSONRPC_REPLY) {
            c->n_pending -= c->n_pending > 0;
        } else if (msg->type == JSONRPC_ERROR) {
            char *error = occ_error_text(msg);

            c->n_pending -= c->n_pending > 0;
            c->refused++;
            VLOG_WARN_RL(&occ_rl, "%s: the NIC refused a change: %s",
                         c->nic, error);
            occ_set(&c->error, error);
            /* The next check learns what the NIC holds and converges from
             * there; waiting a little keeps a NIC that refuses the same
             * change (a full table) from being asked in a loop. */
            c->next_check = MIN(c->next_check,
                                time_msec() + OCC_RETRY_INTERVAL);
            if (c->key_file) {
                c->keys_dirty = true;
                c->next_key_sync = time_msec() + OCC_RETRY_INTERVAL;
            }
        }
        jsonrpc_msg_destroy(msg);
    }
    if (c->state == OCC_SYNCED && jsonrpc_session_is_connected(c->js)) {
        if (!occ_mappings_equal(c->want, c->n_want, c->sent, c->n_sent)) {
            struct nic_encap_mapping *sent = c->sent;

            c->sent = NULL;
            occ_push(c, sent, c->n_sent);
            free(sent);
        } else if (!c->dump_id && !c->n_pending
                   && time_msec() >= c->next_check) {
            occ_request_dump(c);
            if (!c->learned_id) {
                occ_request_learned(c);
            }
            if (c->key_file && !c->keys_id) {
                occ_request_keys(c);
            }
        }
        if (c->key_file && c->keys_dirty && !c->keys_id && !c->n_pending
            && time_msec() >= c->next_key_sync) {
            occ_request_keys(c);
        }
        if (!c->counters_id && time_msec() >= c->next_counters) {
            occ_request(c, OFFLOAD_CHANNEL_COUNTERS, &c->counters_id);
            c->next_counters = time_msec() + OCC_COUNTERS_INTERVAL;
        }
    }
}

static void
occ_round(void)
{
    static unsigned int idl_seqno;
    struct ovsdb_idl *idl = offload_db_idl();
    const struct offrec_nic *row;
    struct shash_node *node;
    bool changed;

    if (!idl || !offload_db_is_served()) {
        /* Without the database the sessions go on with what they have. */
        SHASH_FOR_EACH (node, &occ_clients) {
            occ_client_run(node->data);
        }
        return;
    }
    changed = ovsdb_idl_get_seqno(idl) != idl_seqno;
    idl_seqno = ovsdb_idl_get_seqno(idl);
    SHASH_FOR_EACH (node, &occ_clients) {
        ((struct occ_client *) node->data)->seen = false;
    }
    OFFREC_NIC_FOR_EACH (row, idl) {
        struct occ_client *c;
        bool new = false;

        if (!row->channel || !row->channel[0]) {
            continue;
        }
        c = shash_find_data(&occ_clients, row->name);
        if (!c) {
            c = xzalloc(sizeof *c);
            c->nic = xstrdup(row->name);
            shash_add(&occ_clients, c->nic, c);
            new = true;
        }
        c->seen = true;
        occ_configure(c, row, changed || new);
    }
    SHASH_FOR_EACH_SAFE (node, &occ_clients) {
        struct occ_client *c = node->data;

        if (!c->seen) {
            VLOG_INFO("%s: control channel closed (no channel configured; "
                      "the NIC keeps its mappings)", c->nic);
            shash_delete(&occ_clients, node);
            occ_client_destroy(c);
        } else if (c->js) {
            occ_client_run(c);
        }
    }
}

void
offload_channel_run_run(void)
{
    occ_round();
}

void
offload_channel_run_wait(void)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &occ_clients) {
        struct occ_client *c = node->data;

        if (c->js) {
            jsonrpc_session_wait(c->js);
            jsonrpc_session_recv_wait(c->js);
            if (c->state == OCC_SYNCED) {
                poll_timer_wait_until(c->next_check);
                poll_timer_wait_until(c->next_counters);
            }
            if (c->key_file) {
                poll_timer_wait_until(c->keys_dirty
                                      ? MAX(c->next_key_sync,
                                            time_msec())
                                      : c->next_key_check);
            }
        }
    }
}

void
offload_channel_run_nic_status(const char *name, struct smap *status)
{
    struct occ_client *c = shash_find_data(&occ_clients, name);

    if (!c) {
        return;
    }
    smap_add(status, "channel_state", occ_state_name(c->state));
    if (c->js && jsonrpc_session_get_id(c->js)) {
        smap_add(status, "channel_peer", jsonrpc_session_get_id(c->js));
    }
    if (c->config_error || c->key_error || c->error) {
        smap_add(status, "channel_error",
                 c->config_error ? c->config_error
                 : c->key_error ? c->key_error : c->error);
    }
    smap_add_format(status, "channel_mappings", "%"PRIuSIZE"/%"PRIuSIZE,
                    c->state == OCC_SYNCED ? c->n_sent : 0, c->n_want);
    if (c->learns && c->state != OCC_CONNECTING) {
        smap_add_format(status, "channel_learned", "%"PRIuSIZE,
                        c->n_learned);
    }
    if (c->key_file) {
        struct ds ids = DS_EMPTY_INITIALIZER;

        for (size_t i = 0; c->n_keys_confirmed && i < c->n_keys; i++) {
            ds_put_format(&ids, "%s%"PRIu32, i ? "," : "", c->keys[i].id);
        }
        smap_add(status, "channel_keys", ds_cstr(&ids));
        ds_destroy(&ids);
    }
}

static struct json *
occ_client_json(const void *c_)
{
    const struct occ_client *c = c_;
    const char *peer = c->js ? jsonrpc_session_get_id(c->js) : NULL;
    struct json *j = json_object_create();
    struct json *maps = json_array_create_empty();
    struct json *counters = json_object_create();

    json_object_put_string(j, "nic", c->nic);
    json_object_put(j, "remote", (c->remote ? json_string_create(c->remote)
                                  : json_null_create()));
    json_object_put_string(j, "state", occ_state_name(c->state));
    json_object_put(j, "peer", (peer ? json_string_create(peer)
                                : json_null_create()));
    for (size_t i = 0; i < c->n_want; i++) {
        json_array_add(maps, offload_channel_mapping_to_json(&c->want[i],
                                                             false));
    }
    json_object_put(j, "mappings", maps);
    json_object_put(j, "confirmed", json_integer_create(
                        c->state == OCC_SYNCED ? c->n_sent : 0));
    json_object_put(j, "learned",
                    offload_channel_learned_to_json(c->learned,
                                                    c->n_learned));
    json_object_put(j, "nic_counters", (c->nic_counters
                                        ? json_clone(c->nic_counters)
                                        : json_null_create()));
#define OCC_COUNTER(NAME) \
    json_object_put(counters, #NAME, json_integer_create(c->NAME));
    OCC_COUNTER(connects) OCC_COUNTER(resyncs) OCC_COUNTER(requests)
    OCC_COUNTER(refused) OCC_COUNTER(repaired) OCC_COUNTER(learned_reports)
    OCC_COUNTER(dropped_reports) OCC_COUNTER(reports_refused)
#undef OCC_COUNTER
    json_object_put(j, "counters", counters);
    if (c->key_file) {
        struct json *keys = json_array_create_empty();

        for (size_t i = 0; i < c->n_keys; i++) {
            struct offload_token_key_info info = {
                .id = c->keys[i].id, .not_after = c->keys[i].not_after,
            };

            offload_token_key_fingerprint(c->keys[i].key, info.fingerprint);
            json_array_add(keys, offload_channel_key_info_to_json(&info));
        }
        json_object_put_string(j, "key_file", c->key_file);
        json_object_put(j, "keys", keys);
        json_object_put(j, "keys_confirmed",
                        json_integer_create(c->n_keys_confirmed));
        json_object_put(j, "key_error",
                        (c->key_error ? json_string_create(c->key_error)
                         : json_null_create()));
    }
    json_object_put(j, "config_error",
                    (c->config_error ? json_string_create(c->config_error)
                     : json_null_create()));
    json_object_put(j, "last_error", (c->error ? json_string_create(c->error)
                                      : json_null_create()));
    return j;
}

/* One object of integers of the NIC's counters, "NAME=N" each. */
static void
occ_counters_text(struct ds *s, const struct json *counters,
                  const char *member, const char *title)
{
    const struct json *o = (counters
                            ? shash_find_data(json_object(counters), member)
                            : NULL);
    const struct shash_node **nodes;

    if (!o || o->type != JSON_OBJECT) {
        return;
    }
    ds_put_cstr(s, title);
    nodes = shash_sort(json_object(o));
    for (size_t i = 0; i < shash_count(json_object(o)); i++) {
        const struct json *v = nodes[i]->data;

        if (v->type == JSON_INTEGER) {
            ds_put_format(s, " %s=%"PRId64, nodes[i]->name, json_integer(v));
        }
    }
    free(nodes);
    ds_put_char(s, '\n');
}

static void
occ_client_text(struct ds *s, const void *c_)
{
    const struct occ_client *c = c_;
    const char *peer = c->js ? jsonrpc_session_get_id(c->js) : NULL;

    ds_put_format(s, "%s: channel %s, %s\n", c->nic,
                  c->remote ? c->remote : "(none)",
                  occ_state_name(c->state));
    ds_put_format(s, "  peer: %s\n", peer ? peer : "(none)");
    ds_put_format(s, "  mappings: %"PRIuSIZE" configured, %"PRIuSIZE
                  " confirmed\n", c->n_want,
                  c->state == OCC_SYNCED ? c->n_sent : 0);
    for (size_t i = 0; i < c->n_want; i++) {
        ds_put_cstr(s, "    ");
        nic_encap_mapping_format(s, &c->want[i]);
        ds_put_char(s, '\n');
    }
    ds_put_format(s, "  learned: %"PRIuSIZE" (reports: %"PRIu64" learned, %"
                  PRIu64" dropped, %"PRIu64" refused)\n", c->n_learned,
                  c->learned_reports, c->dropped_reports,
                  c->reports_refused);
    for (size_t i = 0; i < c->n_learned; i++) {
        ds_put_cstr(s, "    ");
        nic_encap_mapping_format(s, &c->learned[i].m);
        ds_put_char(s, '\n');
    }
    occ_counters_text(s, c->nic_counters, "tokens", "  token frames:");
    occ_counters_text(s, c->nic_counters, "learning", "  NIC learning:");
    if (c->key_file) {
        ds_put_format(s, "  keys: %"PRIuSIZE" in %s, %"PRIuSIZE
                      " confirmed\n", c->n_keys, c->key_file,
                      c->n_keys_confirmed);
        for (size_t i = 0; i < c->n_keys; i++) {
            uint8_t fp[OFFLOAD_TOKEN_FINGERPRINT_LEN];

            offload_token_key_fingerprint(c->keys[i].key, fp);
            ds_put_format(s, "    id %"PRIu32" fingerprint ", c->keys[i].id);
            for (size_t k = 0; k < sizeof fp; k++) {
                ds_put_format(s, "%02"PRIx8, fp[k]);
            }
            ds_put_format(s, " not-after %"PRIu64"\n", c->keys[i].not_after);
        }
        ds_put_format(s, "  key error: %s\n",
                      c->key_error ? c->key_error : "(none)");
    }
    ds_put_format(s, "  connects %"PRIu64", resyncs %"PRIu64", requests %"
                  PRIu64", refused %"PRIu64", repaired %"PRIu64"\n",
                  c->connects, c->resyncs, c->requests, c->refused,
                  c->repaired);
    ds_put_format(s, "  config error: %s\n",
                  c->config_error ? c->config_error : "(none)");
    ds_put_format(s, "  last error: %s\n", c->error ? c->error : "(none)");
}

static void
occ_unixctl_show(struct unixctl_conn *conn, int argc_, const char *argv_[],
                 void *aux OVS_UNUSED)
{
    bool json;

    if (!unixctl_format_parse_only(conn, argc_, argv_, "offload/channel",
                                   &json)) {
        return;
    }
    unixctl_format_reply_items(conn, json, &occ_clients, "nics",
                               occ_client_json, occ_client_text,
                               "no NIC with a control channel "
                               "(NIC column channel)\n");
}

void
offload_channel_run_init(void)
{
    unixctl_command_register("offload/channel", "[--format text|json]", 0,
                             UNIXCTL_FORMAT_MAX_ARGS, occ_unixctl_show,
                             NULL);
}

void
offload_channel_run_exit(void)
{
    struct shash_node *node;

    SHASH_FOR_EACH_SAFE (node, &occ_clients) {
        occ_client_destroy(node->data);
        shash_delete(&occ_clients, node);
    }
}
