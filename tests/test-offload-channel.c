/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the NIC control channel: the message codec
 * (lib/offload-channel.c) and nicsim's endpoint (lib/nicsim-channel.c)
 * driven over a real TCP stream. */

#include <config.h>

#include <errno.h>
#include <string.h>

#include "jsonrpc.h"
#include "lib/nic.h"
#include "lib/nic-encap-map.h"
#include "lib/nicsim.h"
#include "lib/nicsim-channel.h"
#include "lib/offload-channel.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "stream.h"
#include "tests/unit-tests.h"
#include "timeval.h"

static struct nic_encap_mapping
mapping(const char *s)
{
    struct nic_encap_mapping m;
    char *error = nic_encap_mapping_from_string(s, &m);

    ck_assert_msg(!error, "%s: %s", s, error);
    return m;
}

static char *
from_json_text(const char *text, bool key_only, struct nic_encap_mapping *m)
{
    struct json *j = json_from_string(text);
    char *error;

    ck_assert_msg(j->type != JSON_STRING, "%s", text);
    error = offload_channel_mapping_from_json(j, key_only, m);
    json_destroy(j);
    return error;
}

static void
refused(const char *text, bool key_only, const char *msg)
{
    struct nic_encap_mapping m;
    char *error = from_json_text(text, key_only, &m);

    ck_assert_msg(error && strstr(error, msg), "%s: got \"%s\"", text,
                  error ? error : "no error");
    free(error);
}

START_TEST(test_mapping_json)
{
    static const char *const specs[] = {
        "mac=50:54:00:00:00:02 ip=10.0.0.2 type=geneve vni=5 "
        "remote=192.168.0.2 opts=0102030100000000",
        "mac=50:54:00:00:00:03 type=vxlan vni=16777215 remote=fd00::1",
    };

    for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
        struct nic_encap_mapping m = mapping(specs[i]), back;
        struct json *j = offload_channel_mapping_to_json(&m, false);
        char *error = offload_channel_mapping_from_json(j, false, &back);

        ck_assert_msg(!error, "%s", error);
        ck_assert(nic_encap_mapping_equal(&m, &back));
        json_destroy(j);

        /* The key alone. */
        j = offload_channel_mapping_to_json(&m, true);
        ck_assert_ptr_null(shash_find(json_object(j), "remote"));
        error = offload_channel_mapping_from_json(j, true, &back);
        ck_assert_msg(!error, "%s", error);
        ck_assert_int_eq(nic_encap_mapping_key_cmp(&m, &back), 0);
        json_destroy(j);
    }
}
END_TEST

START_TEST(test_mapping_json_refused)
{
    refused("[1]", false, "must be an object");
    refused("{\"mac\":\"50:54:00:00:00:02\",\"type\":\"vxlan\",\"vni\":1,"
            "\"remote\":\"1.2.3.4\",\"colour\":\"red\"}", false,
            "unknown key");
    refused("{\"mac\":\"50:54:00:00:00:02\",\"type\":\"vxlan\",\"vni\":\"1\","
            "\"remote\":\"1.2.3.4\"}", false, "vni: must be an integer");
    refused("{\"mac\":\"50:54:00:00:00:02\",\"type\":\"vxlan\",\"vni\":-1,"
            "\"remote\":\"1.2.3.4\"}", false, "vni: negative");
    refused("{\"mac\":\"50:54:00:00:00:02\",\"type\":\"vxlan\","
            "\"vni\":16777216,\"remote\":\"1.2.3.4\"}", false, "bad VNI");
    refused("{\"mac\":\"50:54:zz:00:00:00\",\"type\":\"vxlan\",\"vni\":1,"
            "\"remote\":\"1.2.3.4\"}", false, "bad MAC");
    refused("{\"mac\":\"50:54:00:00:00:02\",\"type\":\"gre\",\"vni\":1,"
            "\"remote\":\"1.2.3.4\"}", false, "not vxlan or geneve");
    refused("{\"mac\":\"50:54:00:00:00:02\",\"type\":\"vxlan\",\"vni\":1}",
            false, "remote");
    refused("{\"mac\":7,\"type\":\"vxlan\",\"vni\":1,"
            "\"remote\":\"1.2.3.4\"}", false, "must be a string");
    refused("{\"mac\":\"50:54:00:00:00:02\",\"vni\":1}", true,
            "only \"mac\" and \"ip\"");
    refused("{\"ip\":\"10.0.0.1\"}", true, "mac: missing");
    refused("{\"mac\":\"50:54:00:00:00:02\",\"type\":\"geneve\",\"vni\":1,"
            "\"remote\":\"1.2.3.4\",\"opts\":\"0g\"}", false, "opts");
}
END_TEST

static char *
parse_text(const char *text, struct offload_channel_request *req)
{
    struct json *j = json_from_string(text);
    struct jsonrpc_msg *msg;
    char *error = jsonrpc_msg_from_json(j, &msg);

    ck_assert_msg(!error, "%s: %s", text, error);
    error = offload_channel_request_parse(msg, req);
    jsonrpc_msg_destroy(msg);
    return error;
}

static void
request_refused(const char *text, const char *msg)
{
    struct offload_channel_request req;
    char *error = parse_text(text, &req);

    ck_assert_msg(error && strstr(error, msg), "%s: got \"%s\"", text,
                  error ? error : "no error");
    ck_assert_ptr_null(req.maps);
    free(error);
}

#define M2 "{\"mac\":\"50:54:00:00:00:02\",\"type\":\"vxlan\",\"vni\":1," \
    "\"remote\":\"1.2.3.4\"}"
#define M3 "{\"mac\":\"50:54:00:00:00:03\",\"type\":\"vxlan\",\"vni\":1," \
    "\"remote\":\"1.2.3.5\"}"

START_TEST(test_request_parse)
{
    struct offload_channel_request req;
    char *error;

    error = parse_text("{\"id\":1,\"method\":\"mapping_add\",\"params\":["
                       M2 "," M3 "]}", &req);
    ck_assert_msg(!error, "%s", error);
    ck_assert_int_eq(req.method, OFFLOAD_CHANNEL_ADD);
    ck_assert_uint_eq(req.n_maps, 2);
    offload_channel_request_destroy(&req);

    error = parse_text("{\"id\":1,\"method\":\"mapping_delete\",\"params\":"
                       "[{\"mac\":\"50:54:00:00:00:02\"}]}", &req);
    ck_assert_msg(!error, "%s", error);
    ck_assert_int_eq(req.method, OFFLOAD_CHANNEL_DELETE);
    ck_assert_uint_eq(req.n_maps, 1);
    offload_channel_request_destroy(&req);

    error = parse_text("{\"id\":1,\"method\":\"mapping_dump\",\"params\":[]}",
                       &req);
    ck_assert_msg(!error, "%s", error);
    ck_assert_int_eq(req.method, OFFLOAD_CHANNEL_DUMP);

    request_refused("{\"id\":1,\"method\":\"mapping_frob\",\"params\":[]}",
                    "unknown method");
    request_refused("{\"id\":1,\"method\":\"counters\",\"params\":[1]}",
                    "takes no parameters");
    request_refused("{\"id\":1,\"method\":\"mapping_add\",\"params\":["
                    M2 "," M2 "]}", "given twice");
    request_refused("{\"id\":1,\"method\":\"mapping_add\",\"params\":["
                    M2 ",[]]}", "mapping 1: a mapping must be an object");
    request_refused("{\"id\":1,\"method\":\"mapping_delete\",\"params\":["
                    M2 "]}", "only \"mac\" and \"ip\"");
    request_refused("{\"id\":null,\"method\":\"mapping_add\",\"params\":["
                    M2 "]}", "expected a request");
}
END_TEST

#define K1 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

START_TEST(test_request_keys)
{
    struct offload_channel_request req;
    char *error;

    error = parse_text("{\"id\":1,\"method\":\"key_add\",\"params\":["
                       "{\"id\":7,\"key\":\"" K1 "\",\"not_after\":99},"
                       "{\"id\":8,\"key\":\"" K1 "\"}]}", &req);
    ck_assert_msg(!error, "%s", error);
    ck_assert_int_eq(req.method, OFFLOAD_CHANNEL_KEY_ADD);
    ck_assert_uint_eq(req.n_keys, 2);
    ck_assert_uint_eq(req.keys[0].id, 7);
    ck_assert_uint_eq(req.keys[0].not_after, 99);
    ck_assert_uint_eq(req.keys[0].key[31], 0x1f);
    ck_assert_uint_eq(req.keys[1].not_after, 0);
    offload_channel_request_destroy(&req);
    ck_assert_ptr_null(req.keys);

    error = parse_text("{\"id\":1,\"method\":\"key_delete\",\"params\":"
                       "[{\"id\":7}]}", &req);
    ck_assert_msg(!error, "%s", error);
    ck_assert_uint_eq(req.n_keys, 1);
    offload_channel_request_destroy(&req);

    request_refused("{\"id\":1,\"method\":\"key_add\",\"params\":["
                    "{\"id\":7,\"key\":\"00\"}]}", "hex digits expected");
    request_refused("{\"id\":1,\"method\":\"key_add\",\"params\":["
                    "{\"id\":7,\"key\":\"" K1 "\"},"
                    "{\"id\":7,\"key\":\"" K1 "\"}]}", "given twice");
    request_refused("{\"id\":1,\"method\":\"key_add\",\"params\":["
                    "{\"id\":-1,\"key\":\"" K1 "\"}]}", "out of range");
    request_refused("{\"id\":1,\"method\":\"key_add\",\"params\":["
                    "{\"id\":1,\"key\":\"" K1 "\",\"colour\":1}]}",
                    "unknown member");
    request_refused("{\"id\":1,\"method\":\"key_delete\",\"params\":["
                    "{\"id\":1,\"key\":\"" K1 "\"}]}", "unknown member");
    request_refused("{\"id\":1,\"method\":\"key_delete\",\"params\":"
                    "[1,2,3,4,5,6,7,8,9]}", "a NIC holds 8");
    request_refused("{\"id\":1,\"method\":\"key_list\",\"params\":[1]}",
                    "takes no parameters");
}
END_TEST

static char *
reports_text(const char *text, struct nic_learn_event **ev, size_t *n)
{
    struct json *j = json_from_string(text);
    struct jsonrpc_msg *msg;
    char *error = jsonrpc_msg_from_json(j, &msg);

    ck_assert_msg(!error, "%s: %s", text, error);
    error = offload_channel_learn_notify_parse(msg, ev, n);
    jsonrpc_msg_destroy(msg);
    return error;
}

static void
reports_refused(const char *text, const char *msg)
{
    struct nic_learn_event *ev;
    char *error;
    size_t n;

    error = reports_text(text, &ev, &n);
    ck_assert_msg(error && strstr(error, msg), "%s: got \"%s\"", text,
                  error ? error : "no error");
    ck_assert_ptr_null(ev);
    ck_assert_uint_eq(n, 0);
    free(error);
}

/* The NIC's reports of learned and dropped mappings, and its learned
 * dump, through their encoding and back; what the host refuses. */
START_TEST(test_learned_reports)
{
    struct nic_learn_event ev[3], *got;
    struct jsonrpc_msg *msg;
    struct nic_learned l[2], *lgot;
    struct json *j;
    char *error;
    size_t n;

    memset(ev, 0, sizeof ev);
    ev[0].m = mapping("mac=50:54:00:00:00:09 type=vxlan vni=123 "
                      "remote=1.1.2.92");
    ev[0].type = NIC_LEARN_LEARNED;
    ev[1] = ev[0];
    ev[1].type = NIC_LEARN_MOVED;
    ev[1].prev = ev[0].m;
    ev[1].m = mapping("mac=50:54:00:00:00:09 type=geneve vni=7 "
                      "remote=fd00::5");
    msg = offload_channel_learn_notify_create(ev, 2);
    ck_assert_str_eq(msg->method, OFFLOAD_CHANNEL_LEARNED);
    ck_assert_int_eq(msg->type, JSONRPC_NOTIFY);
    error = offload_channel_learn_notify_parse(msg, &got, &n);
    ck_assert_msg(!error, "%s", error);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(got[0].type, NIC_LEARN_LEARNED);
    ck_assert(nic_encap_mapping_equal(&got[0].m, &ev[0].m));
    ck_assert_int_eq(got[1].type, NIC_LEARN_MOVED);
    ck_assert(nic_encap_mapping_equal(&got[1].m, &ev[1].m));
    ck_assert(nic_encap_mapping_equal(&got[1].prev, &ev[0].m));
    free(got);
    jsonrpc_msg_destroy(msg);

    ev[2] = ev[0];
    ev[2].type = NIC_LEARN_DROPPED;
    ev[2].reason = NIC_LEARN_EVICTED;
    msg = offload_channel_learn_notify_create(&ev[2], 1);
    ck_assert_str_eq(msg->method, OFFLOAD_CHANNEL_DROPPED);
    error = offload_channel_learn_notify_parse(msg, &got, &n);
    ck_assert_msg(!error, "%s", error);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(got[0].type, NIC_LEARN_DROPPED);
    ck_assert_int_eq(got[0].reason, NIC_LEARN_EVICTED);
    free(got);
    jsonrpc_msg_destroy(msg);

    reports_refused("{\"method\":\"mapping_learned\",\"params\":[],"
                    "\"id\":1}", "expected a notification");
    reports_refused("{\"method\":\"mapping_forgot\",\"params\":[],"
                    "\"id\":null}", "unknown notification");
    reports_refused("{\"method\":\"mapping_learned\",\"params\":[{}],"
                    "\"id\":null}", "\"mapping\" missing");
    reports_refused("{\"method\":\"mapping_learned\",\"params\":[{"
                    "\"mapping\":" M2 ",\"reason\":\"aged\"}],"
                    "\"id\":null}", "unknown member \"reason\"");
    reports_refused("{\"method\":\"mapping_learned\",\"params\":[{"
                    "\"mapping\":" M2 ",\"moved_from\":" M3 "}],"
                    "\"id\":null}", "moved_from names another MAC");
    reports_refused("{\"method\":\"mapping_dropped\",\"params\":[{"
                    "\"mapping\":" M2 ",\"reason\":\"bored\"}],"
                    "\"id\":null}", "reason: unknown \"bored\"");
    reports_refused("{\"method\":\"mapping_dropped\",\"params\":[{"
                    "\"mapping\":" M2 "}],\"id\":null}",
                    "reason: missing");
    reports_refused("{\"method\":\"mapping_dropped\",\"params\":[{"
                    "\"mapping\":{\"mac\":\"50:54:00:00:00:02\"},"
                    "\"reason\":\"aged\"}],\"id\":null}",
                    "unknown tunnel type");

    /* The learned dump. */
    memset(l, 0, sizeof l);
    l[0].m = ev[0].m;
    l[0].age_ms = 1500;
    l[0].packets = 3;
    l[1].m = ev[1].m;
    l[1].m.inner_mac.ea[5] = 10;
    j = offload_channel_learned_to_json(l, 2);
    error = offload_channel_learned_from_json(j, &lgot, &n);
    ck_assert_msg(!error, "%s", error);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(lgot[0].age_ms, 1500);
    ck_assert_uint_eq(lgot[0].packets, 3);
    ck_assert(nic_encap_mapping_equal(&lgot[1].m, &l[1].m));
    free(lgot);
    json_destroy(j);
    j = json_from_string("[{\"mapping\":" M2 ",\"age_ms\":-1,"
                         "\"packets\":0}]");
    error = offload_channel_learned_from_json(j, &lgot, &n);
    ck_assert(error && strstr(error, "non-negative"));
    ck_assert_ptr_null(lgot);
    free(error);
    json_destroy(j);

    /* learned_dump is a request without parameters. */
    struct offload_channel_request req;
    error = parse_text("{\"method\":\"learned_dump\",\"params\":[],"
                       "\"id\":1}", &req);
    ck_assert_msg(!error, "%s", error);
    ck_assert_int_eq(req.method, OFFLOAD_CHANNEL_LEARNED_DUMP);
    request_refused("{\"method\":\"learned_dump\",\"params\":[1],"
                    "\"id\":1}", "takes no parameters");
}
END_TEST

START_TEST(test_request_batch_limit)
{
    struct json *params = json_array_create_empty();
    struct offload_channel_request req;
    struct nic_encap_mapping m = mapping("mac=50:54:00:00:00:02 type=vxlan "
                                         "vni=1 remote=1.2.3.4");
    struct jsonrpc_msg *msg;
    char *error;

    for (int i = 0; i <= OFFLOAD_CHANNEL_MAX_BATCH; i++) {
        json_array_add(params, offload_channel_mapping_to_json(&m, false));
    }
    msg = jsonrpc_create_request("mapping_add", params, NULL);
    error = offload_channel_request_parse(msg, &req);
    ck_assert_msg(error && strstr(error, "in one message"), "%s", error);
    free(error);
    jsonrpc_msg_destroy(msg);
}
END_TEST

START_TEST(test_diff)
{
    struct nic_encap_mapping want[] = {
        mapping("mac=50:54:00:00:00:01 type=vxlan vni=1 remote=1.1.1.1"),
        mapping("mac=50:54:00:00:00:02 type=vxlan vni=2 remote=1.1.1.1"),
        mapping("mac=50:54:00:00:00:04 type=geneve vni=4 remote=1.1.1.4"),
    };
    struct nic_encap_mapping have[] = {
        mapping("mac=50:54:00:00:00:02 type=vxlan vni=2 remote=1.1.1.9"),
        mapping("mac=50:54:00:00:00:03 type=vxlan vni=3 remote=1.1.1.1"),
        mapping("mac=50:54:00:00:00:04 type=geneve vni=4 remote=1.1.1.4"),
    };
    struct offload_channel_diff d;

    offload_channel_diff(want, 3, have, 3, &d);
    ck_assert_uint_eq(d.n_add, 1);
    ck_assert(nic_encap_mapping_equal(&d.add[0], &want[0]));
    ck_assert_uint_eq(d.n_modify, 1);
    ck_assert(nic_encap_mapping_equal(&d.modify[0], &want[1]));
    ck_assert_uint_eq(d.n_delete, 1);
    ck_assert(nic_encap_mapping_equal(&d.delete[0], &have[1]));
    offload_channel_diff_destroy(&d);

    offload_channel_diff(want, 3, want, 3, &d);
    ck_assert_uint_eq(d.n_add + d.n_modify + d.n_delete, 0);
    offload_channel_diff_destroy(&d);

    offload_channel_diff(NULL, 0, have, 3, &d);
    ck_assert_uint_eq(d.n_delete, 3);
    ck_assert_uint_eq(d.n_add + d.n_modify, 0);
    offload_channel_diff_destroy(&d);
}
END_TEST

/* A NIC with an endpoint on an ephemeral TCP port, and a client. */
struct endpoint {
    struct nic *nic;
    struct jsonrpc *rpc;
    char target[64];
};

static void
endpoint_open(struct endpoint *ep, const char *name)
{
    struct nicsim_config cfg = {
        .n_uplinks = 1, .n_vfs = 1, .n_engines = 1,
        .exact_capacity = 8, .wildcard_capacity = 8,
    };
    struct json *status;
    struct stream *stream;
    char *error;

    ck_assert_int_eq(nicsim_create(name, &cfg, &ep->nic), 0);
    ck_assert_int_eq(nicsim_channel_listen(ep->nic, "ptcp:0:127.0.0.1",
                                           &error), 0);
    ck_assert_int_eq(nicsim_channel_to_json(ep->nic, &status), 0);
    snprintf(ep->target, sizeof ep->target, "tcp:127.0.0.1:%"PRId64,
             json_integer(shash_find_data(json_object(status), "port")));
    json_destroy(status);
    ck_assert_int_eq(stream_open(ep->target, &stream, 0), 0);
    ep->rpc = jsonrpc_open(stream);
}

static void
endpoint_close(struct endpoint *ep)
{
    if (ep->rpc) {
        jsonrpc_close(ep->rpc);
    }
    ck_assert_int_eq(nicsim_channel_close(ep->nic), 0);
    ck_assert_int_eq(nicsim_channel_close(ep->nic), ENOENT);
    nic_close(ep->nic);
}

/* Runs the endpoint and the client until the client has an answer or its
 * connection ends (then NULL, with '*errorp' the reason). */
static struct jsonrpc_msg *
endpoint_wait(struct endpoint *ep, int *errorp)
{
    long long int deadline = time_msec() + 30000;

    for (;;) {
        struct jsonrpc_msg *msg;
        int error;

        nicsim_channel_run();
        jsonrpc_run(ep->rpc);
        error = jsonrpc_recv(ep->rpc, &msg);
        if (!error) {
            *errorp = 0;
            return msg;
        } else if (error != EAGAIN) {
            *errorp = error;
            return NULL;
        }
        ck_assert_msg(time_msec() < deadline, "no answer from the NIC");
        nicsim_channel_wait();
        jsonrpc_wait(ep->rpc);
        jsonrpc_recv_wait(ep->rpc);
        poll_block();
    }
}

static struct jsonrpc_msg *
call(struct endpoint *ep, enum offload_channel_method method,
     const struct nic_encap_mapping *maps, size_t n)
{
    struct jsonrpc_msg *reply;
    int error;

    ck_assert_int_eq(jsonrpc_send(ep->rpc, offload_channel_request_create(
                                      method, maps, n)), 0);
    reply = endpoint_wait(ep, &error);
    ck_assert_msg(reply, "connection ended: %s", ovs_strerror(error));
    return reply;
}

static void
call_ok(struct endpoint *ep, enum offload_channel_method method,
        const struct nic_encap_mapping *maps, size_t n)
{
    struct jsonrpc_msg *reply = call(ep, method, maps, n);

    ck_assert_int_eq(reply->type, JSONRPC_REPLY);
    jsonrpc_msg_destroy(reply);
}

static void
call_refused(struct endpoint *ep, enum offload_channel_method method,
             const struct nic_encap_mapping *maps, size_t n, const char *msg)
{
    struct jsonrpc_msg *reply = call(ep, method, maps, n);
    char *s;

    ck_assert_int_eq(reply->type, JSONRPC_ERROR);
    s = json_to_string(reply->error, 0);
    ck_assert_msg(strstr(s, msg), "%s", s);
    free(s);
    jsonrpc_msg_destroy(reply);
}

static size_t
table_size(struct nic *nic)
{
    struct nic_encap_mapping *maps;
    size_t n;

    ck_assert_int_eq(nic_encap_map_dump(nic, &maps, &n), 0);
    free(maps);
    return n;
}

static uint64_t
counter(struct nic *nic, const char *name)
{
    struct json *j, *c;
    uint64_t v;

    ck_assert_int_eq(nicsim_channel_to_json(nic, &j), 0);
    c = shash_find_data(json_object(j), "counters");
    v = json_integer(shash_find_data(json_object(c), name));
    json_destroy(j);
    return v;
}

START_TEST(test_endpoint_changes)
{
    struct nic_encap_mapping a = mapping("mac=50:54:00:00:00:02 type=vxlan "
                                         "vni=1 remote=1.2.3.4");
    struct nic_encap_mapping b = mapping("mac=50:54:00:00:00:03 type=geneve "
                                         "vni=7 remote=1.2.3.5");
    struct nic_encap_mapping two[2] = { b, a }, *maps;
    struct jsonrpc_msg *reply;
    struct endpoint ep;
    char *error;
    size_t n;

    endpoint_open(&ep, "channel-t0");
    call_ok(&ep, OFFLOAD_CHANNEL_ADD, &a, 1);
    ck_assert_uint_eq(table_size(ep.nic), 1);

    /* All or nothing: 'a' is there already, so 'b' is not added. */
    call_refused(&ep, OFFLOAD_CHANNEL_ADD, two, 2, "already mapped");
    ck_assert_uint_eq(table_size(ep.nic), 1);
    call_refused(&ep, OFFLOAD_CHANNEL_MODIFY, &b, 1, "no such mapping");
    call_refused(&ep, OFFLOAD_CHANNEL_DELETE, &b, 1, "no such mapping");

    a.vni = 99;
    call_ok(&ep, OFFLOAD_CHANNEL_MODIFY, &a, 1);
    call_ok(&ep, OFFLOAD_CHANNEL_ADD, &b, 1);
    reply = call(&ep, OFFLOAD_CHANNEL_DUMP, NULL, 0);
    ck_assert_int_eq(reply->type, JSONRPC_REPLY);
    error = offload_channel_mappings_from_json(reply->result, false, &maps,
                                               &n);
    ck_assert_msg(!error, "%s", error);
    ck_assert_uint_eq(n, 2);
    ck_assert(nic_encap_mapping_equal(&maps[0], &a));
    ck_assert(nic_encap_mapping_equal(&maps[1], &b));
    free(maps);
    jsonrpc_msg_destroy(reply);

    call_ok(&ep, OFFLOAD_CHANNEL_DELETE, two, 2);
    ck_assert_uint_eq(table_size(ep.nic), 0);

    ck_assert_uint_eq(counter(ep.nic, "added"), 2);
    ck_assert_uint_eq(counter(ep.nic, "modified"), 1);
    ck_assert_uint_eq(counter(ep.nic, "deleted"), 2);
    ck_assert_uint_eq(counter(ep.nic, "refused"), 3);
    ck_assert_uint_eq(counter(ep.nic, "accepted"), 1);
    endpoint_close(&ep);
}
END_TEST

static struct jsonrpc_msg *
call_keys(struct endpoint *ep, enum offload_channel_method method,
          const struct offload_token_key *keys, size_t n)
{
    struct jsonrpc_msg *reply;
    int error;

    ck_assert_int_eq(jsonrpc_send(ep->rpc,
                                  offload_channel_key_request_create(
                                      method, keys, n)), 0);
    reply = endpoint_wait(ep, &error);
    ck_assert_msg(reply, "connection ended: %s", ovs_strerror(error));
    return reply;
}

/* The NIC's key list, as ids and fingerprints. */
static size_t
list_keys(struct endpoint *ep, struct offload_token_key_info *info)
{
    struct jsonrpc_msg *reply = call(ep, OFFLOAD_CHANNEL_KEY_LIST, NULL, 0);
    size_t n;

    ck_assert_int_eq(reply->type, JSONRPC_REPLY);
    n = json_array(reply->result)->n;
    for (size_t i = 0; i < n; i++) {
        char *error = offload_channel_key_info_from_json(
            json_array(reply->result)->elems[i], &info[i]);
        ck_assert_msg(!error, "%s", error);
    }
    jsonrpc_msg_destroy(reply);
    return n;
}

START_TEST(test_endpoint_keys)
{
    struct offload_token_key keys[OFFLOAD_TOKEN_MAX_KEYS + 1];
    struct offload_token_key_info info[OFFLOAD_TOKEN_MAX_KEYS];
    uint8_t fp[OFFLOAD_TOKEN_FINGERPRINT_LEN];
    struct jsonrpc_msg *reply;
    struct endpoint ep;
    char *s;

    memset(keys, 0, sizeof keys);
    for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
        keys[i].id = 10 + i;
        memset(keys[i].key, i + 1, sizeof keys[i].key);
    }
    keys[1].not_after = 4000000000ULL;
    endpoint_open(&ep, "channel-t3");

    reply = call_keys(&ep, OFFLOAD_CHANNEL_KEY_ADD, keys, 2);
    ck_assert_int_eq(reply->type, JSONRPC_REPLY);
    jsonrpc_msg_destroy(reply);
    ck_assert_uint_eq(list_keys(&ep, info), 2);
    ck_assert_uint_eq(info[0].id, 10);
    ck_assert_uint_eq(info[1].not_after, 4000000000ULL);
    offload_token_key_fingerprint(keys[1].key, fp);
    ck_assert(!memcmp(info[1].fingerprint, fp, sizeof fp));
    offload_token_key_fingerprint(keys[0].key, fp);
    ck_assert(memcmp(info[1].fingerprint, fp, sizeof fp));

    /* All or nothing: key 11 exists, so 12 is not added; 9 keys do not
     * fit in 8. */
    reply = call_keys(&ep, OFFLOAD_CHANNEL_KEY_ADD, keys + 1, 2);
    ck_assert_int_eq(reply->type, JSONRPC_ERROR);
    s = json_to_string(reply->error, 0);
    ck_assert_msg(strstr(s, "key 11 exists"), "%s", s);
    free(s);
    jsonrpc_msg_destroy(reply);
    reply = call_keys(&ep, OFFLOAD_CHANNEL_KEY_ADD, keys + 2, 7);
    ck_assert_int_eq(reply->type, JSONRPC_ERROR);
    jsonrpc_msg_destroy(reply);
    ck_assert_uint_eq(list_keys(&ep, info), 2);

    reply = call_keys(&ep, OFFLOAD_CHANNEL_KEY_DELETE, keys + 1, 2);
    ck_assert_int_eq(reply->type, JSONRPC_ERROR);
    jsonrpc_msg_destroy(reply);
    reply = call_keys(&ep, OFFLOAD_CHANNEL_KEY_DELETE, keys, 2);
    ck_assert_int_eq(reply->type, JSONRPC_REPLY);
    jsonrpc_msg_destroy(reply);
    ck_assert_uint_eq(list_keys(&ep, info), 0);
    ck_assert_uint_eq(counter(ep.nic, "keys_added"), 2);
    ck_assert_uint_eq(counter(ep.nic, "keys_deleted"), 2);
    endpoint_close(&ep);
}
END_TEST

/* A full table mid-request puts back what the request had added. */
START_TEST(test_endpoint_full_table)
{
    struct nic_encap_mapping *maps = xcalloc(NIC_ENCAP_MAP_DEFAULT_CAPACITY
                                             + 1, sizeof *maps);
    struct endpoint ep;

    for (size_t i = 0; i <= NIC_ENCAP_MAP_DEFAULT_CAPACITY; i++) {
        maps[i] = mapping("mac=50:54:00:00:00:02 type=vxlan vni=1 "
                          "remote=1.2.3.4");
        maps[i].inner_mac.ea[4] = i >> 8;
        maps[i].inner_mac.ea[5] = i;
    }
    endpoint_open(&ep, "channel-t1");
    call_ok(&ep, OFFLOAD_CHANNEL_ADD, maps, 1);
    call_refused(&ep, OFFLOAD_CHANNEL_ADD, maps + 1,
                 NIC_ENCAP_MAP_DEFAULT_CAPACITY, "mapping table full");
    ck_assert_uint_eq(table_size(ep.nic), 1);
    endpoint_close(&ep);
    free(maps);
}
END_TEST

/* Bytes that are not JSON, and a message that never ends, close the
 * connection; the endpoint goes on serving. */
START_TEST(test_endpoint_bad_streams)
{
    struct nic_encap_mapping a = mapping("mac=50:54:00:00:00:02 type=vxlan "
                                         "vni=1 remote=1.2.3.4");
    struct jsonrpc_msg *reply;
    struct stream *stream;
    struct endpoint ep;
    char *junk;
    int error;

    endpoint_open(&ep, "channel-t2");
    jsonrpc_close(ep.rpc);
    ck_assert_int_eq(stream_open_block(stream_open(ep.target, &stream, 0),
                                       -1, &stream), 0);
    ck_assert_int_eq(stream_send(stream, "{]]]", 4), 4);
    ep.rpc = jsonrpc_open(stream);
    reply = endpoint_wait(&ep, &error);
    ck_assert_ptr_null(reply);
    jsonrpc_close(ep.rpc);

    /* An open string that grows past the limit. */
    ck_assert_int_eq(stream_open(ep.target, &stream, 0), 0);
    ep.rpc = jsonrpc_open(stream);
    junk = xmalloc(OFFLOAD_CHANNEL_MAX_MSG_BYTES + 2);
    memset(junk, 'x', OFFLOAD_CHANNEL_MAX_MSG_BYTES + 1);
    junk[OFFLOAD_CHANNEL_MAX_MSG_BYTES + 1] = '\0';
    ck_assert_int_eq(jsonrpc_send(ep.rpc, jsonrpc_create_notify(
                                      "mapping_add", json_array_create_1(
                                          json_string_create_nocopy(junk)))),
                     0);
    reply = endpoint_wait(&ep, &error);
    ck_assert_ptr_null(reply);
    ck_assert_uint_eq(counter(ep.nic, "oversized"), 1);
    jsonrpc_close(ep.rpc);

    /* Still serving. */
    ck_assert_int_eq(stream_open(ep.target, &stream, 0), 0);
    ep.rpc = jsonrpc_open(stream);
    call_ok(&ep, OFFLOAD_CHANNEL_ADD, &a, 1);
    ck_assert_uint_eq(table_size(ep.nic), 1);
    endpoint_close(&ep);
}
END_TEST

Suite *
offload_channel_suite(void)
{
    Suite *s = suite_create("offload-channel");
    TCase *tc = tcase_create("codec");
    TCase *ep = tcase_create("endpoint");

    tcase_add_test(tc, test_mapping_json);
    tcase_add_test(tc, test_mapping_json_refused);
    tcase_add_test(tc, test_request_parse);
    tcase_add_test(tc, test_request_keys);
    tcase_add_test(tc, test_request_batch_limit);
    tcase_add_test(tc, test_learned_reports);
    tcase_add_test(tc, test_diff);
    suite_add_tcase(s, tc);
    tcase_set_timeout(ep, 60);
    tcase_add_test(ep, test_endpoint_changes);
    tcase_add_test(ep, test_endpoint_keys);
    tcase_add_test(ep, test_endpoint_full_table);
    tcase_add_test(ep, test_endpoint_bad_streams);
    suite_add_tcase(s, ep);
    return s;
}
