/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_CHANNEL_H
#define OFFLOAD_CHANNEL_H 1

/* The protocol of the NIC's control channel: JSON-RPC messages that add,
 * modify, delete and dump the NIC's encapsulation mappings, carried over
 * OVS's stream layer (SSL in production).  Pure logic, shared by the NIC's
 * endpoint (lib/nicsim-channel.c), the host's client
 * (vswitchd-ext/offload-channel-run.c) and ovs-offload-channel(8). */

#include <stdbool.h>
#include <stddef.h>

#include "lib/nic-encap-map.h"
#include "lib/nic-learn.h"
#include "lib/offload-token.h"

struct json;
struct jsonrpc_msg;

/* A message larger than this closes the connection: the parser would
 * otherwise buffer whatever a peer sends. */
#define OFFLOAD_CHANNEL_MAX_MSG_BYTES (4 * 1024 * 1024)
/* Mappings in one request. */
#define OFFLOAD_CHANNEL_MAX_BATCH 16384

enum offload_channel_method {
    OFFLOAD_CHANNEL_ADD,        /* "mapping_add": new inner destinations. */
    OFFLOAD_CHANNEL_MODIFY,     /* "mapping_modify": existing ones. */
    OFFLOAD_CHANNEL_DELETE,     /* "mapping_delete": keys only. */
    OFFLOAD_CHANNEL_DUMP,       /* "mapping_dump": no parameters. */
    OFFLOAD_CHANNEL_COUNTERS,   /* "counters": no parameters. */
    OFFLOAD_CHANNEL_KEY_ADD,    /* "key_add": sealing keys, new ids. */
    OFFLOAD_CHANNEL_KEY_DELETE, /* "key_delete": ids. */
    OFFLOAD_CHANNEL_KEY_LIST,   /* "key_list": ids, expiries and
                                 * fingerprints, never a key. */
    OFFLOAD_CHANNEL_LEARNED_DUMP,   /* "learned_dump": the mappings the NIC
                                     * learned on decapsulation. */
};

const char *offload_channel_method_name(enum offload_channel_method);

/* A parsed request: its method and, for add/modify/delete, its mappings
 * (for delete only inner_mac and inner_ip are set), or for key_add and
 * key_delete its keys (for key_delete only the ids). */
struct offload_channel_request {
    enum offload_channel_method method;
    struct nic_encap_mapping *maps;
    size_t n_maps;
    struct offload_token_key *keys;
    size_t n_keys;
};

/* Parses and validates request 'msg'.  Returns NULL or a malloc'd reason;
 * on error '*req' holds nothing to free.  A request is all or nothing:
 * one bad mapping, or one key given twice, refuses it whole. */
char *offload_channel_request_parse(const struct jsonrpc_msg *msg,
                                    struct offload_channel_request *req)
    OVS_WARN_UNUSED_RESULT;
/* Frees what 'req' holds, wiping key material. */
void offload_channel_request_destroy(struct offload_channel_request *);

/* A request message for 'method' carrying 'maps' (ignored for dump and
 * counters). */
struct jsonrpc_msg *offload_channel_request_create(
    enum offload_channel_method, const struct nic_encap_mapping *maps,
    size_t n_maps);

/* One mapping as a JSON object {"mac", "ip"?, "type", "vni", "remote",
 * "opts"?} (only "mac" and "ip" when 'key_only'), and back.  The parser
 * refuses unknown members, wrong types and invalid mappings. */
struct json *offload_channel_mapping_to_json(const struct nic_encap_mapping *,
                                             bool key_only);
char *offload_channel_mapping_from_json(const struct json *, bool key_only,
                                        struct nic_encap_mapping *)
    OVS_WARN_UNUSED_RESULT;
/* An array of them, e.g. a dump's result: '*mapsp' is malloc'd. */
char *offload_channel_mappings_from_json(const struct json *, bool key_only,
                                         struct nic_encap_mapping **mapsp,
                                         size_t *np)
    OVS_WARN_UNUSED_RESULT;

/* Sealing keys: {"id", "key" (64 hex digits), "not_after"?} (only "id"
 * when 'id_only'), and the key_list entries {"id", "not_after",
 * "fingerprint"}. */
struct json *offload_channel_key_to_json(const struct offload_token_key *,
                                         bool id_only);
struct json *offload_channel_key_info_to_json(
    const struct offload_token_key_info *);
char *offload_channel_key_info_from_json(const struct json *,
                                         struct offload_token_key_info *)
    OVS_WARN_UNUSED_RESULT;
/* A request message for key_add or key_delete carrying 'keys'. */
struct jsonrpc_msg *offload_channel_key_request_create(
    enum offload_channel_method, const struct offload_token_key *keys,
    size_t n_keys);

/* The NIC's reports of what it learns on decapsulation, notifications
 * (JSON-RPC requests without an id) from the NIC to its clients:
 * "mapping_learned" with params [{"mapping": M, "moved_from"?: M}...] for
 * new and moved inner sources, "mapping_dropped" with params [{"mapping":
 * M, "reason": "aged"|"evicted"|"cleared"}...].  The create function makes
 * one notification of 'n' events that are all drops or all not. */
#define OFFLOAD_CHANNEL_LEARNED "mapping_learned"
#define OFFLOAD_CHANNEL_DROPPED "mapping_dropped"
struct jsonrpc_msg *offload_channel_learn_notify_create(
    const struct nic_learn_event *, size_t n);
/* Parses either notification into a malloc'd array '*eventsp'.  Returns
 * NULL or a malloc'd reason (then '*eventsp' is NULL). */
char *offload_channel_learn_notify_parse(const struct jsonrpc_msg *,
                                         struct nic_learn_event **eventsp,
                                         size_t *np)
    OVS_WARN_UNUSED_RESULT;
/* A learned_dump result: [{"mapping": M, "age_ms": N, "packets": N}...],
 * and back. */
struct json *offload_channel_learned_to_json(const struct nic_learned *,
                                             size_t n);
char *offload_channel_learned_from_json(const struct json *,
                                        struct nic_learned **lp, size_t *np)
    OVS_WARN_UNUSED_RESULT;

/* What turns 'have' into 'want' (both sorted): mappings to add, to modify
 * (with their new tunnel) and keys to delete, each a malloc'd array. */
struct offload_channel_diff {
    struct nic_encap_mapping *add, *modify, *delete;
    size_t n_add, n_modify, n_delete;
};
void offload_channel_diff(const struct nic_encap_mapping *want, size_t n_want,
                          const struct nic_encap_mapping *have, size_t n_have,
                          struct offload_channel_diff *);
void offload_channel_diff_destroy(struct offload_channel_diff *);

#endif /* offload-channel.h */
