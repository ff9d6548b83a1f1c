/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the control channel's request parser, and the host's
 * parsers of the NIC's learned-mapping reports and dumps, on arbitrary
 * bytes, as the endpoints read them (JSON, then JSON-RPC, then the
 * channel's own checks).  ASan and UBSan catch bad reads; the checks below
 * catch an accepted request that breaks the parser's promises. */

#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc.h"
#include "lib/nic-encap-map.h"
#include "lib/offload-channel.h"
#include "openvswitch/json.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bytes consumed one at a time; zeros once they run out. */
struct reader {
    const uint8_t *p;
    size_t n;
};

static uint8_t
next(struct reader *r)
{
    if (!r->n) {
        return 0;
    }
    r->n--;
    return *r->p++;
}

/* A JSON value built from the bytes, shaped like the parameters of a
 * request, so that the fuzzer (whose feedback comes only from this
 * project's code, not from OVS's JSON parser) reaches the channel's own
 * checks. */
static struct json *
build_value(struct reader *r, int depth)
{
    static const char *const keys[] = {
        "mac", "ip", "type", "vni", "remote", "opts", "colour", "id", "key",
        "not_after", "mapping", "moved_from", "reason", "age_ms", "packets",
    };
    static const char *const words[] = {
        "50:54:00:00:00:02", "50:54:00:00:00:03", "00:00:00:00:00:00",
        "10.0.0.1", "fd00::1", "1.2.3.4", "vxlan", "geneve", "gre",
        "0102030100000000", "01020301", "zz", "",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "aged", "evicted", "cleared",
    };
    uint8_t kind = next(r);

    switch (kind % 5) {
    case 0:
        if (depth < 3) {
            struct json *o = json_object_create();

            for (int i = next(r) % 8; i > 0; i--) {
                json_object_put(o, keys[next(r) % ARRAY_SIZE(keys)],
                                build_value(r, depth + 1));
            }
            return o;
        }
        /* Fall through. */
    case 1:
        if (depth < 3) {
            struct json *a = json_array_create_empty();

            for (int i = next(r) % 4; i > 0; i--) {
                json_array_add(a, build_value(r, depth + 1));
            }
            return a;
        }
        /* Fall through. */
    case 2:
        return json_string_create(words[next(r) % ARRAY_SIZE(words)]);
    case 3: {
        int32_t v = (int32_t) ((uint32_t) next(r) << 24
                               | (uint32_t) next(r) << 16
                               | (uint32_t) next(r) << 8 | next(r));
        return json_integer_create(kind & 0x80 ? v : v & 0x1ffffff);
    }
    default:
        return json_null_create();
    }
}

static struct jsonrpc_msg *
build_request(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {
        "mapping_add", "mapping_modify", "mapping_delete", "mapping_dump",
        "counters", "echo", "mapping_frob", "key_add", "key_delete",
        "key_list", "learned_dump", OFFLOAD_CHANNEL_LEARNED,
        OFFLOAD_CHANNEL_DROPPED,
    };
    struct reader r = { data, size };
    const char *method = methods[next(&r) % ARRAY_SIZE(methods)];
    struct json *params = json_array_create_empty();

    for (int i = next(&r) % 6; i > 0; i--) {
        json_array_add(params, build_value(&r, 1));
    }
    return (!strcmp(method, OFFLOAD_CHANNEL_LEARNED)
            || !strcmp(method, OFFLOAD_CHANNEL_DROPPED)
            ? jsonrpc_create_notify(method, params)
            : jsonrpc_create_request(method, params, NULL));
}

static void check_request(const struct jsonrpc_msg *);
static void check_reports(const struct jsonrpc_msg *);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = xmemdup0((const char *) data, size);
    struct json *json = json_from_string(text);
    struct jsonrpc_msg *msg;
    char *error;

    free(text);
    msg = build_request(data, size);
    check_request(msg);
    check_reports(msg);
    jsonrpc_msg_destroy(msg);

    /* The bytes as the wire would carry them. */
    if (json->type == JSON_STRING) {
        json_destroy(json);
        return 0;
    }
    error = jsonrpc_msg_from_json(json, &msg);   /* Takes 'json'. */
    if (error) {
        free(error);
        return 0;
    }
    check_request(msg);
    check_reports(msg);
    jsonrpc_msg_destroy(msg);
    return 0;
}

static bool
events_equal(const struct nic_learn_event *a, const struct nic_learn_event *b)
{
    return (a->type == b->type && nic_encap_mapping_equal(&a->m, &b->m)
            && (a->type != NIC_LEARN_MOVED
                || nic_encap_mapping_equal(&a->prev, &b->prev))
            && (a->type != NIC_LEARN_DROPPED || a->reason == b->reason));
}

/* The host's side: a report the parser accepts survives its own encoding,
 * and the params as a learned_dump result either parse or are refused
 * holding nothing. */
static void
check_reports(const struct jsonrpc_msg *msg)
{
    struct nic_learn_event *ev, *back;
    struct nic_learned *l;
    size_t n, n_back;
    char *error;

    error = offload_channel_learn_notify_parse(msg, &ev, &n);
    if (error) {
        if (ev || n) {
            abort();
        }
        free(error);
    } else {
        bool dropped = n && ev[0].type == NIC_LEARN_DROPPED;

        for (size_t i = 0; i < n; i++) {
            if ((ev[i].type == NIC_LEARN_DROPPED) != dropped) {
                abort();        /* One notification, one kind. */
            }
        }
        struct jsonrpc_msg *again = offload_channel_learn_notify_create(ev,
                                                                        n);
        error = offload_channel_learn_notify_parse(again, &back, &n_back);
        if (error || n_back != n
            || (n && strcmp(again->method, msg->method))) {
            abort();
        }
        for (size_t i = 0; i < n; i++) {
            if (!events_equal(&ev[i], &back[i])) {
                abort();
            }
        }
        jsonrpc_msg_destroy(again);
        free(back);
        free(ev);
    }
    if (msg->params) {
        error = offload_channel_learned_from_json(msg->params, &l, &n);
        if (error) {
            if (l || n) {
                abort();
            }
            free(error);
        } else {
            struct json *j = offload_channel_learned_to_json(l, n);
            struct nic_learned *l2;
            size_t n2;

            error = offload_channel_learned_from_json(j, &l2, &n2);
            if (error || n2 != n) {
                abort();
            }
            for (size_t i = 0; i < n; i++) {
                if (!nic_encap_mapping_equal(&l[i].m, &l2[i].m)
                    || l[i].age_ms != l2[i].age_ms
                    || l[i].packets != l2[i].packets) {
                    abort();
                }
            }
            json_destroy(j);
            free(l2);
            free(l);
        }
    }
}

static void
check_request(const struct jsonrpc_msg *msg)
{
    struct offload_channel_request req;
    char *error;

    error = offload_channel_request_parse(msg, &req);
    if (error) {
        if (req.maps || req.n_maps || req.keys || req.n_keys) {
            abort();            /* A refusal holds nothing. */
        }
        free(error);
    } else {
        if (req.n_maps > OFFLOAD_CHANNEL_MAX_BATCH
            || req.n_keys > OFFLOAD_TOKEN_MAX_KEYS) {
            abort();
        }
        for (size_t i = 0; i < req.n_keys; i++) {
            for (size_t j = 0; j < i; j++) {
                if (req.keys[i].id == req.keys[j].id) {
                    abort();    /* Duplicate ids are refused. */
                }
            }
        }
        for (size_t i = 0; i < req.n_maps; i++) {
            bool key_only = req.method == OFFLOAD_CHANNEL_DELETE;
            struct json *j = offload_channel_mapping_to_json(&req.maps[i],
                                                             key_only);
            struct nic_encap_mapping back;
            char *e = offload_channel_mapping_from_json(j, key_only, &back);

            /* What was accepted survives its own encoding. */
            if (e || nic_encap_mapping_key_cmp(&back, &req.maps[i])
                || (!key_only
                    && !nic_encap_mapping_equal(&back, &req.maps[i]))) {
                abort();
            }
            json_destroy(j);
            if (i && !nic_encap_mapping_key_cmp(&req.maps[i - 1],
                                                &req.maps[i])) {
                abort();        /* Duplicates are refused. */
            }
        }
        offload_channel_request_destroy(&req);
    }
}
