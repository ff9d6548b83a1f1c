/* SPDX-License-Identifier: Apache-2.0 */
/* The NIC control channel's messages: parsing and validation of requests,
 * their construction, mappings in JSON, and the diff that a resync
 * sends. */
#include <config.h>

#include "lib/offload-channel.h"

#include <string.h>

#include <openssl/crypto.h>

#include "jsonrpc.h"
#include "lib/nic-parse.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/shash.h"
#include "packets.h"
#include "util.h"

static const char *const method_names[] = {
    [OFFLOAD_CHANNEL_ADD] = "mapping_add",
    [OFFLOAD_CHANNEL_MODIFY] = "mapping_modify",
    [OFFLOAD_CHANNEL_DELETE] = "mapping_delete",
    [OFFLOAD_CHANNEL_DUMP] = "mapping_dump",
    [OFFLOAD_CHANNEL_COUNTERS] = "counters",
    [OFFLOAD_CHANNEL_KEY_ADD] = "key_add",
    [OFFLOAD_CHANNEL_KEY_DELETE] = "key_delete",
    [OFFLOAD_CHANNEL_KEY_LIST] = "key_list",
    [OFFLOAD_CHANNEL_LEARNED_DUMP] = "learned_dump",
};

const char *
offload_channel_method_name(enum offload_channel_method m)
{
    return m < ARRAY_SIZE(method_names) ? method_names[m] : "unknown";
}

struct json *
offload_channel_mapping_to_json(const struct nic_encap_mapping *m,
                                bool key_only)
{
    struct json *j = json_object_create();
    struct ds s = DS_EMPTY_INITIALIZER;

    json_object_put_format(j, "mac", ETH_ADDR_FMT,
                           ETH_ADDR_ARGS(m->inner_mac));
    if (!ipv6_addr_equals(&m->inner_ip, &in6addr_any)) {
        ipv6_format_mapped(&m->inner_ip, &s);
        json_object_put_string(j, "ip", ds_cstr(&s));
        ds_clear(&s);
    }
    if (!key_only) {
        json_object_put_string(j, "type", (m->tun_type == NIC_TUNNEL_VXLAN
                                           ? "vxlan" : "geneve"));
        json_object_put(j, "vni", json_integer_create(m->vni));
        ipv6_format_mapped(&m->remote_ip, &s);
        json_object_put_string(j, "remote", ds_cstr(&s));
        ds_clear(&s);
        nic_encap_mapping_format_opts(&s, m);
        json_object_put_string(j, "opts", ds_cstr(&s));
    }
    ds_destroy(&s);
    return j;
}

char *
offload_channel_mapping_from_json(const struct json *j, bool key_only,
                                  struct nic_encap_mapping *m)
{
    struct shash_node *node;

    memset(m, 0, sizeof *m);
    if (j->type != JSON_OBJECT) {
        return xstrdup("a mapping must be an object");
    }
    SHASH_FOR_EACH (node, json_object(j)) {
        const struct json *v = node->data;
        bool key = !strcmp(node->name, "mac") || !strcmp(node->name, "ip");
        char *error;

        if (key_only && !key) {
            return xasprintf("%s: only \"mac\" and \"ip\" name a mapping",
                             node->name);
        }
        if (!strcmp(node->name, "vni")) {
            char num[24];

            if (v->type != JSON_INTEGER) {
                return xstrdup("vni: must be an integer");
            }
            snprintf(num, sizeof num, "%"PRId64, json_integer(v));
            error = (json_integer(v) < 0 ? xstrdup("vni: negative")
                     : nic_encap_mapping_set_field(m, node->name, num));
        } else if (v->type != JSON_STRING) {
            return xasprintf("%s: must be a string", node->name);
        } else {
            error = nic_encap_mapping_set_field(m, node->name,
                                                json_string(v));
        }
        if (error) {
            return error;
        }
    }
    if (key_only) {
        return (eth_addr_is_zero(m->inner_mac)
                ? xstrdup("mac: missing or zero") : NULL);
    }
    return nic_encap_mapping_check(m);
}

char *
offload_channel_mappings_from_json(const struct json *j, bool key_only,
                                   struct nic_encap_mapping **mapsp,
                                   size_t *np)
{
    const struct json_array *a;

    *mapsp = NULL;
    *np = 0;
    if (j->type != JSON_ARRAY) {
        return xstrdup("mappings must be an array");
    }
    a = json_array(j);
    if (a->n > OFFLOAD_CHANNEL_MAX_BATCH) {
        return xasprintf("%"PRIuSIZE" mappings in one message (at most %d)",
                         a->n, OFFLOAD_CHANNEL_MAX_BATCH);
    }
    *mapsp = xmalloc(MAX(1, a->n) * sizeof **mapsp);
    for (size_t i = 0; i < a->n; i++) {
        char *error = offload_channel_mapping_from_json(a->elems[i], key_only,
                                                        &(*mapsp)[i]);
        if (error) {
            char *msg = xasprintf("mapping %"PRIuSIZE": %s", i, error);

            free(error);
            free(*mapsp);
            *mapsp = NULL;
            return msg;
        }
    }
    *np = a->n;
    return NULL;
}

/* Every byte as two hex digits (OVS's ds_put_hex() drops leading zeros). */
static void
put_hex(struct ds *s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ds_put_format(s, "%02"PRIx8, p[i]);
    }
}

struct json *
offload_channel_key_to_json(const struct offload_token_key *k, bool id_only)
{
    struct json *j = json_object_create();

    json_object_put(j, "id", json_integer_create(k->id));
    if (!id_only) {
        struct ds s = DS_EMPTY_INITIALIZER;

        put_hex(&s, k->key, sizeof k->key);
        json_object_put_string(j, "key", ds_cstr(&s));
        OPENSSL_cleanse(s.string, s.length);
        ds_destroy(&s);
        if (k->not_after) {
            json_object_put(j, "not_after",
                            json_integer_create(k->not_after));
        }
    }
    return j;
}

struct json *
offload_channel_key_info_to_json(const struct offload_token_key_info *k)
{
    struct json *j = json_object_create();
    struct ds s = DS_EMPTY_INITIALIZER;

    json_object_put(j, "id", json_integer_create(k->id));
    json_object_put(j, "not_after", json_integer_create(k->not_after));
    put_hex(&s, k->fingerprint, sizeof k->fingerprint);
    json_object_put_string(j, "fingerprint", ds_cstr(&s));
    ds_destroy(&s);
    return j;
}

static char *
key_int_member(const struct json *j, const char *name, bool required,
               long long int max, long long int *valuep)
{
    const struct json *v = shash_find_data(json_object(j), name);

    *valuep = 0;
    if (!v) {
        return required ? xasprintf("%s: missing", name) : NULL;
    }
    if (v->type != JSON_INTEGER) {
        return xasprintf("%s: must be an integer", name);
    }
    if (json_integer(v) < 0 || json_integer(v) > max) {
        return xasprintf("%s: out of range", name);
    }
    *valuep = json_integer(v);
    return NULL;
}

char *
offload_channel_key_info_from_json(const struct json *j,
                                   struct offload_token_key_info *k)
{
    const struct json *fp;
    long long int v;
    char *error;

    memset(k, 0, sizeof *k);
    if (j->type != JSON_OBJECT) {
        return xstrdup("a key must be an object");
    }
    error = key_int_member(j, "id", true, UINT32_MAX, &v);
    if (error) {
        return error;
    }
    k->id = v;
    error = key_int_member(j, "not_after", false, LLONG_MAX, &v);
    if (error) {
        return error;
    }
    k->not_after = v;
    fp = shash_find_data(json_object(j), "fingerprint");
    if (!fp || fp->type != JSON_STRING
        || strlen(json_string(fp)) != 2 * sizeof k->fingerprint) {
        return xstrdup("fingerprint: missing or not 16 hex digits");
    }
    for (size_t i = 0; i < sizeof k->fingerprint; i++) {
        bool ok;

        k->fingerprint[i] = hexits_value(json_string(fp) + 2 * i, 2, &ok);
        if (!ok) {
            return xstrdup("fingerprint: not hex");
        }
    }
    return NULL;
}

/* Parses one key of key_add (or, with 'id_only', of key_delete). */
static char *
key_from_json(const struct json *j, bool id_only, struct offload_token_key *k)
{
    struct shash_node *node;
    long long int id, not_after;
    const struct json *hex;
    char ids[16], nas[24];
    char *error;

    memset(k, 0, sizeof *k);
    if (j->type != JSON_OBJECT) {
        return xstrdup("a key must be an object");
    }
    SHASH_FOR_EACH (node, json_object(j)) {
        if (strcmp(node->name, "id")
            && (id_only || (strcmp(node->name, "key")
                            && strcmp(node->name, "not_after")))) {
            return xasprintf("%s: unknown member", node->name);
        }
    }
    error = key_int_member(j, "id", true, UINT32_MAX, &id);
    if (!error && !id_only) {
        error = key_int_member(j, "not_after", false, LLONG_MAX,
                               &not_after);
    }
    if (error) {
        return error;
    }
    if (id_only) {
        k->id = id;
        return NULL;
    }
    hex = shash_find_data(json_object(j), "key");
    if (!hex || hex->type != JSON_STRING) {
        return xstrdup("key: missing or not a string");
    }
    snprintf(ids, sizeof ids, "%lld", id);
    snprintf(nas, sizeof nas, "%lld", not_after);
    return offload_token_key_parse(ids, json_string(hex),
                                   not_after ? nas : NULL, k);
}

static char *
keys_from_json(const struct json *params, bool id_only,
               struct offload_token_key **keysp, size_t *np)
{
    const struct json_array *a = json_array(params);

    *keysp = NULL;
    *np = 0;
    if (a->n > OFFLOAD_TOKEN_MAX_KEYS) {
        return xasprintf("%"PRIuSIZE" keys in one message (a NIC holds %d)",
                         a->n, OFFLOAD_TOKEN_MAX_KEYS);
    }
    *keysp = xzalloc(MAX(1, a->n) * sizeof **keysp);
    *np = a->n;
    for (size_t i = 0; i < a->n; i++) {
        char *error = key_from_json(a->elems[i], id_only, &(*keysp)[i]);

        if (error) {
            char *msg = xasprintf("key %"PRIuSIZE": %s", i, error);

            free(error);
            return msg;
        }
        for (size_t j = 0; j < i; j++) {
            if ((*keysp)[j].id == (*keysp)[i].id) {
                return xasprintf("key id %"PRIu32" given twice",
                                 (*keysp)[i].id);
            }
        }
    }
    return NULL;
}

/* A request names each inner destination once, so that its outcome does
 * not depend on the order the NIC applies it in. */
static char *
offload_channel_check_unique(const struct nic_encap_mapping *maps, size_t n)
{
    struct nic_encap_mapping *sorted = xmemdup(maps, MAX(1, n)
                                               * sizeof *maps);
    char *error = NULL;

    nic_encap_mappings_sort(sorted, n);
    for (size_t i = 1; i < n && !error; i++) {
        if (!nic_encap_mapping_key_cmp(&sorted[i - 1], &sorted[i])) {
            struct ds s = DS_EMPTY_INITIALIZER;

            nic_encap_mapping_format(&s, &sorted[i]);
            error = xasprintf("inner destination given twice: %s",
                              ds_cstr(&s));
            ds_destroy(&s);
        }
    }
    free(sorted);
    return error;
}

char *
offload_channel_request_parse(const struct jsonrpc_msg *msg,
                              struct offload_channel_request *req)
{
    const struct json *params = msg->params;
    size_t i;
    char *error;

    memset(req, 0, sizeof *req);
    if (msg->type != JSONRPC_REQUEST) {
        return xasprintf("expected a request, got a %s",
                         jsonrpc_msg_type_to_string(msg->type));
    }
    for (i = 0; i < ARRAY_SIZE(method_names); i++) {
        if (!strcmp(msg->method, method_names[i])) {
            break;
        }
    }
    if (i == ARRAY_SIZE(method_names)) {
        return xasprintf("unknown method \"%s\"", msg->method);
    }
    req->method = i;
    if (!params || params->type != JSON_ARRAY) {
        return xstrdup("params must be an array");
    }
    if (req->method == OFFLOAD_CHANNEL_KEY_ADD
        || req->method == OFFLOAD_CHANNEL_KEY_DELETE) {
        error = keys_from_json(params,
                               req->method == OFFLOAD_CHANNEL_KEY_DELETE,
                               &req->keys, &req->n_keys);
        if (error) {
            offload_channel_request_destroy(req);
        }
        return error;
    }
    if (req->method == OFFLOAD_CHANNEL_DUMP
        || req->method == OFFLOAD_CHANNEL_COUNTERS
        || req->method == OFFLOAD_CHANNEL_KEY_LIST
        || req->method == OFFLOAD_CHANNEL_LEARNED_DUMP) {
        return (json_array(params)->n
                ? xasprintf("%s takes no parameters", msg->method) : NULL);
    }
    error = offload_channel_mappings_from_json(
        params, req->method == OFFLOAD_CHANNEL_DELETE, &req->maps,
        &req->n_maps);
    if (!error) {
        error = offload_channel_check_unique(req->maps, req->n_maps);
    }
    if (error) {
        offload_channel_request_destroy(req);
    }
    return error;
}

void
offload_channel_request_destroy(struct offload_channel_request *req)
{
    free(req->maps);
    req->maps = NULL;
    req->n_maps = 0;
    if (req->keys) {
        OPENSSL_cleanse(req->keys, req->n_keys * sizeof *req->keys);
        free(req->keys);
    }
    req->keys = NULL;
    req->n_keys = 0;
}

struct jsonrpc_msg *
offload_channel_request_create(enum offload_channel_method method,
                               const struct nic_encap_mapping *maps,
                               size_t n_maps)
{
    struct json *params = json_array_create_empty();

    if (method == OFFLOAD_CHANNEL_ADD || method == OFFLOAD_CHANNEL_MODIFY
        || method == OFFLOAD_CHANNEL_DELETE) {
        for (size_t i = 0; i < n_maps; i++) {
            json_array_add(params, offload_channel_mapping_to_json(
                               &maps[i], method == OFFLOAD_CHANNEL_DELETE));
        }
    }
    return jsonrpc_create_request(offload_channel_method_name(method),
                                  params, NULL);
}

struct jsonrpc_msg *
offload_channel_key_request_create(enum offload_channel_method method,
                                   const struct offload_token_key *keys,
                                   size_t n_keys)
{
    struct json *params = json_array_create_empty();

    for (size_t i = 0; i < n_keys; i++) {
        json_array_add(params, offload_channel_key_to_json(
                           &keys[i], method == OFFLOAD_CHANNEL_KEY_DELETE));
    }
    return jsonrpc_create_request(offload_channel_method_name(method),
                                  params, NULL);
}

struct jsonrpc_msg *
offload_channel_learn_notify_create(const struct nic_learn_event *events,
                                    size_t n)
{
    bool dropped = n && events[0].type == NIC_LEARN_DROPPED;
    struct json *params = json_array_create_empty();

    for (size_t i = 0; i < n; i++) {
        const struct nic_learn_event *ev = &events[i];
        struct json *j = json_object_create();

        json_object_put(j, "mapping",
                        offload_channel_mapping_to_json(&ev->m, false));
        if (ev->type == NIC_LEARN_MOVED) {
            json_object_put(j, "moved_from",
                            offload_channel_mapping_to_json(&ev->prev,
                                                            false));
        } else if (ev->type == NIC_LEARN_DROPPED) {
            json_object_put_string(j, "reason",
                                   nic_learn_drop_reason_name(ev->reason));
        }
        json_array_add(params, j);
    }
    return jsonrpc_create_notify(dropped ? OFFLOAD_CHANNEL_DROPPED
                                 : OFFLOAD_CHANNEL_LEARNED, params);
}

/* Checks that object 'j' has only members named in 'names' (NULL
 * terminated).  Returns NULL or a malloc'd reason. */
static char *
learn_check_members(const struct json *j, const char *const names[])
{
    struct shash_node *node;

    if (j->type != JSON_OBJECT) {
        return xstrdup("a report must be an object");
    }
    SHASH_FOR_EACH (node, json_object(j)) {
        size_t i;

        for (i = 0; names[i] && strcmp(names[i], node->name); i++) {
            continue;
        }
        if (!names[i]) {
            return xasprintf("unknown member \"%s\"", node->name);
        }
    }
    return NULL;
}

static char *
learn_mapping_member(const struct json *j, const char *name, bool required,
                     struct nic_encap_mapping *m, bool *present)
{
    const struct json *v = shash_find_data(json_object(j), name);

    *present = v != NULL;
    if (!v) {
        memset(m, 0, sizeof *m);
        return required ? xasprintf("\"%s\" missing", name) : NULL;
    }
    return offload_channel_mapping_from_json(v, false, m);
}

static char *
learn_event_from_json(const struct json *j, bool dropped,
                      struct nic_learn_event *ev)
{
    static const char *const learned_names[] = { "mapping", "moved_from",
                                                 NULL };
    static const char *const dropped_names[] = { "mapping", "reason", NULL };
    bool present;
    char *error;

    memset(ev, 0, sizeof *ev);
    error = learn_check_members(j, dropped ? dropped_names : learned_names);
    if (!error) {
        error = learn_mapping_member(j, "mapping", true, &ev->m, &present);
    }
    if (error) {
        return error;
    }
    if (!dropped) {
        error = learn_mapping_member(j, "moved_from", false, &ev->prev,
                                     &present);
        ev->type = present ? NIC_LEARN_MOVED : NIC_LEARN_LEARNED;
        if (!error && present
            && !eth_addr_equals(ev->prev.inner_mac, ev->m.inner_mac)) {
            error = xstrdup("moved_from names another MAC");
        }
        return error;
    }

    const struct json *r = shash_find_data(json_object(j), "reason");
    ev->type = NIC_LEARN_DROPPED;
    if (!r || r->type != JSON_STRING) {
        return xstrdup("reason: missing or not a string");
    }
    for (int i = NIC_LEARN_AGED; i <= NIC_LEARN_CLEARED; i++) {
        if (!strcmp(json_string(r), nic_learn_drop_reason_name(i))) {
            ev->reason = i;
            return NULL;
        }
    }
    return xasprintf("reason: unknown \"%s\"", json_string(r));
}

char *
offload_channel_learn_notify_parse(const struct jsonrpc_msg *msg,
                                   struct nic_learn_event **eventsp,
                                   size_t *np)
{
    const struct json_array *a;
    bool dropped;

    *eventsp = NULL;
    *np = 0;
    if (msg->type != JSONRPC_NOTIFY) {
        return xasprintf("expected a notification, got a %s",
                         jsonrpc_msg_type_to_string(msg->type));
    }
    if (!strcmp(msg->method, OFFLOAD_CHANNEL_DROPPED)) {
        dropped = true;
    } else if (!strcmp(msg->method, OFFLOAD_CHANNEL_LEARNED)) {
        dropped = false;
    } else {
        return xasprintf("unknown notification \"%s\"", msg->method);
    }
    if (!msg->params || msg->params->type != JSON_ARRAY) {
        return xstrdup("params must be an array");
    }
    a = json_array(msg->params);
    if (a->n > OFFLOAD_CHANNEL_MAX_BATCH) {
        return xasprintf("%"PRIuSIZE" reports in one message (at most %d)",
                         a->n, OFFLOAD_CHANNEL_MAX_BATCH);
    }
    *eventsp = xmalloc(MAX(1, a->n) * sizeof **eventsp);
    for (size_t i = 0; i < a->n; i++) {
        char *error = learn_event_from_json(a->elems[i], dropped,
                                            &(*eventsp)[i]);

        if (error) {
            char *reason = xasprintf("report %"PRIuSIZE": %s", i, error);

            free(error);
            free(*eventsp);
            *eventsp = NULL;
            return reason;
        }
    }
    *np = a->n;
    return NULL;
}

struct json *
offload_channel_learned_to_json(const struct nic_learned *l, size_t n)
{
    struct json *a = json_array_create_empty();

    for (size_t i = 0; i < n; i++) {
        struct json *j = json_object_create();

        json_object_put(j, "mapping",
                        offload_channel_mapping_to_json(&l[i].m, false));
        json_object_put(j, "age_ms", json_integer_create(l[i].age_ms));
        json_object_put(j, "packets", json_integer_create(l[i].packets));
        json_array_add(a, j);
    }
    return a;
}

static char *
learned_from_json(const struct json *j, struct nic_learned *l)
{
    static const char *const names[] = { "mapping", "age_ms", "packets",
                                         NULL };
    const struct json *age, *packets;
    bool present;
    char *error;

    memset(l, 0, sizeof *l);
    error = learn_check_members(j, names);
    if (!error) {
        error = learn_mapping_member(j, "mapping", true, &l->m, &present);
    }
    if (error) {
        return error;
    }
    age = shash_find_data(json_object(j), "age_ms");
    packets = shash_find_data(json_object(j), "packets");
    if (!age || age->type != JSON_INTEGER || json_integer(age) < 0
        || !packets || packets->type != JSON_INTEGER
        || json_integer(packets) < 0) {
        return xstrdup("age_ms and packets: non-negative integers");
    }
    l->age_ms = json_integer(age);
    l->packets = json_integer(packets);
    return NULL;
}

char *
offload_channel_learned_from_json(const struct json *j,
                                  struct nic_learned **lp, size_t *np)
{
    const struct json_array *a;

    *lp = NULL;
    *np = 0;
    if (j->type != JSON_ARRAY) {
        return xstrdup("learned mappings must be an array");
    }
    a = json_array(j);
    *lp = xmalloc(MAX(1, a->n) * sizeof **lp);
    for (size_t i = 0; i < a->n; i++) {
        char *error = learned_from_json(a->elems[i], &(*lp)[i]);

        if (error) {
            char *reason = xasprintf("learned %"PRIuSIZE": %s", i, error);

            free(error);
            free(*lp);
            *lp = NULL;
            return reason;
        }
    }
    *np = a->n;
    return NULL;
}

static void
diff_push(struct nic_encap_mapping **a, size_t *n,
          const struct nic_encap_mapping *m)
{
    *a = xrealloc(*a, (*n + 1) * sizeof **a);
    (*a)[(*n)++] = *m;
}

void
offload_channel_diff(const struct nic_encap_mapping *want, size_t n_want,
                     const struct nic_encap_mapping *have, size_t n_have,
                     struct offload_channel_diff *d)
{
    size_t i = 0, j = 0;

    memset(d, 0, sizeof *d);
    while (i < n_want || j < n_have) {
        int c = (i == n_want ? 1 : j == n_have ? -1
                 : nic_encap_mapping_key_cmp(&want[i], &have[j]));

        if (c < 0) {
            diff_push(&d->add, &d->n_add, &want[i++]);
        } else if (c > 0) {
            diff_push(&d->delete, &d->n_delete, &have[j++]);
        } else {
            if (!nic_encap_mapping_equal(&want[i], &have[j])) {
                diff_push(&d->modify, &d->n_modify, &want[i]);
            }
            i++;
            j++;
        }
    }
}

void
offload_channel_diff_destroy(struct offload_channel_diff *d)
{
    free(d->add);
    free(d->modify);
    free(d->delete);
    memset(d, 0, sizeof *d);
}
