/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_TOKEN_H
#define OFFLOAD_TOKEN_H 1

/* Sealed destinations: a token is an AES-256-GCM seal of a tunnel
 * destination (remote host address, VNI, inner destination, expiry, the
 * VF it is bound to) that only the NIC, which holds the key, can open.  A
 * VM hands the NIC frames that carry a token and an inner frame
 * (utilities/ovs-offload-token.1 defines the framing); the NIC opens the
 * token and tunnels the inner frame to the remote host, so that neither
 * the VM nor the host's datapath ever sees the physical address.
 *
 * Token bytes (all integers big-endian):
 *
 *   version (1) | key id (4) | nonce (12) | ciphertext (56) | tag (16)
 *
 * The first 17 bytes, in clear, are the AEAD's additional data.  The
 * plaintext:
 *
 *   flags (1) | tunnel type (1) | VF (2) | VNI (4) | expiry (8) |
 *   remote (16) | inner MAC (6) | inner IP (16) | reserved, zero (2)
 *
 * with IPv4 addresses IPv4-mapped and flags bit 0 set if the token binds
 * the inner IP.  Pure logic: OpenSSL's EVP interface does the AEAD. */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/thread.h"
#include "openvswitch/types.h"
#include "ovs-rcu.h"
#include "packets.h"

#define OFFLOAD_TOKEN_VERSION 1
#define OFFLOAD_TOKEN_KEY_LEN 32
#define OFFLOAD_TOKEN_NONCE_LEN 12
#define OFFLOAD_TOKEN_TAG_LEN 16
#define OFFLOAD_TOKEN_AAD_LEN (1 + 4 + OFFLOAD_TOKEN_NONCE_LEN)
#define OFFLOAD_TOKEN_PLAIN_LEN 56
#define OFFLOAD_TOKEN_LEN (OFFLOAD_TOKEN_AAD_LEN + OFFLOAD_TOKEN_PLAIN_LEN \
                           + OFFLOAD_TOKEN_TAG_LEN)

/* Keys a NIC holds at once: rotation needs two (the old one until every
 * token sealed with it has expired, and the new one). */
#define OFFLOAD_TOKEN_MAX_KEYS 8

/* Tunnel types, the values of enum nic_tunnel_type. */
#define OFFLOAD_TOKEN_VXLAN 1
#define OFFLOAD_TOKEN_GENEVE 2

/* What a token says. */
struct offload_token {
    struct in6_addr remote;     /* Remote host; IPv4-mapped for IPv4. */
    uint32_t vni;               /* 24 bits. */
    uint8_t tun_type;           /* OFFLOAD_TOKEN_VXLAN or _GENEVE. */
    struct eth_addr inner_mac;  /* The inner frame's destination MAC. */
    bool has_inner_ip;
    struct in6_addr inner_ip;   /* If 'has_inner_ip'; IPv4-mapped. */
    uint64_t expiry;            /* Absolute, seconds since the epoch. */
    uint16_t vf;                /* The VF that may send it. */
};

/* Results of opening a token (and of a token frame: WRONG_DST). */
#define OFFLOAD_TOKEN_RESULTS                                           \
    OFFLOAD_TOKEN_RESULT(OK, "ok", "opened")                            \
    OFFLOAD_TOKEN_RESULT(MALFORMED, "malformed",                        \
                         "bad length, version or framing")              \
    OFFLOAD_TOKEN_RESULT(UNKNOWN_KEY, "unknown-key",                    \
                         "no active key with the token's key id")       \
    OFFLOAD_TOKEN_RESULT(BAD_TAG, "bad-tag",                            \
                         "authentication failed")                       \
    OFFLOAD_TOKEN_RESULT(WRONG_VF, "wrong-vf",                          \
                         "bound to another VF")                         \
    OFFLOAD_TOKEN_RESULT(EXPIRED, "expired", "past its expiry")         \
    OFFLOAD_TOKEN_RESULT(WRONG_DST, "wrong-dst",                        \
                         "inner frame not to the token's destination")

enum offload_token_result {
#define OFFLOAD_TOKEN_RESULT(ENUM, NAME, DESC) OFFLOAD_TOKEN_##ENUM,
    OFFLOAD_TOKEN_RESULTS
#undef OFFLOAD_TOKEN_RESULT
    OFFLOAD_TOKEN_N_RESULTS
};

const char *offload_token_result_name(enum offload_token_result);

/* Returns NULL if 't' can be sealed, otherwise a malloc'd message. */
char *offload_token_check(const struct offload_token *)
    OVS_WARN_UNUSED_RESULT;

/* Seals 't' with 'key' under 'key_id' and a fresh random nonce into
 * 'out'.  Returns 0, EINVAL (offload_token_check() fails) or EIO (OpenSSL
 * failed). */
int offload_token_seal(const uint8_t key[OFFLOAD_TOKEN_KEY_LEN],
                       uint32_t key_id, const struct offload_token *,
                       uint8_t out[OFFLOAD_TOKEN_LEN]);

/* The key table.  Readers (a NIC's engine threads) open tokens without a
 * lock, on an RCU snapshot; writers (the control path) serialize on the
 * mutex.  Key material is wiped when a snapshot is freed. */
struct offload_token_key {
    uint32_t id;
    uint64_t not_after;         /* Seconds since the epoch; 0: no limit. */
    uint8_t key[OFFLOAD_TOKEN_KEY_LEN];
};

struct offload_token_keyset;

struct offload_token_keys {
    struct ovs_mutex mutex;
    OVSRCU_TYPE(struct offload_token_keyset *) set;
};

/* A key as it may be shown: never the key itself. */
#define OFFLOAD_TOKEN_FINGERPRINT_LEN 8
struct offload_token_key_info {
    uint32_t id;
    uint64_t not_after;
    /* The first bytes of the key's SHA-256: tells two keys apart (a
     * resync over the control channel, an operator comparing key files)
     * without telling anything of either. */
    uint8_t fingerprint[OFFLOAD_TOKEN_FINGERPRINT_LEN];
};

void offload_token_key_fingerprint(const uint8_t key[OFFLOAD_TOKEN_KEY_LEN],
                                   uint8_t fp[OFFLOAD_TOKEN_FINGERPRINT_LEN]);

void offload_token_keys_init(struct offload_token_keys *);
void offload_token_keys_destroy(struct offload_token_keys *);
/* Returns 0, EEXIST (a key with that id: delete it first, so that a key
 * id never silently changes meaning) or ENOSPC (OFFLOAD_TOKEN_MAX_KEYS). */
int offload_token_keys_add(struct offload_token_keys *, uint32_t id,
                           const uint8_t key[OFFLOAD_TOKEN_KEY_LEN],
                           uint64_t not_after);
/* Returns 0 or ENOENT. */
int offload_token_keys_del(struct offload_token_keys *, uint32_t id);
void offload_token_keys_clear(struct offload_token_keys *);
/* Returns the number of keys and a malloc'd array, sorted by id. */
size_t offload_token_keys_list(struct offload_token_keys *,
                               struct offload_token_key_info **);

/* Opens the 'len' bytes at 'tok' sent by VF 'vf' at time 'now' (seconds
 * since the epoch) with 'keys'.  A key past its not-after opens nothing
 * (unknown-key).  On OFFLOAD_TOKEN_OK fills in '*t'. */
enum offload_token_result offload_token_open(
    struct offload_token_keys *, const uint8_t *tok, size_t len,
    uint16_t vf, uint64_t now, struct offload_token *t);

/* Token frames: Ethernet header with EtherType OFFLOAD_TOKEN_ETHERTYPE,
 * a 4-byte token header (version, zero, token length), the token, then
 * the inner Ethernet frame. */
#define OFFLOAD_TOKEN_ETHERTYPE 0x88b5
#define OFFLOAD_TOKEN_FRAME_VERSION 1
#define OFFLOAD_TOKEN_FRAME_HDR_LEN 4
#define OFFLOAD_TOKEN_FRAME_OVERHEAD (14 + OFFLOAD_TOKEN_FRAME_HDR_LEN \
                                      + OFFLOAD_TOKEN_LEN)

/* Opens token frame 'frame' of 'len' bytes, as offload_token_open() does,
 * and checks that the inner frame is to the token's destination (its MAC,
 * and if bound its IPv4 or IPv6 destination).  On OFFLOAD_TOKEN_OK fills
 * in '*t' and the inner frame's offset in '*inner_ofs'. */
enum offload_token_result offload_token_frame_open(
    struct offload_token_keys *, const uint8_t *frame, size_t len,
    uint16_t vf, uint64_t now, struct offload_token *t, size_t *inner_ofs);

/* Writes a token frame from 'src' to 'dst' carrying 'token' and 'inner'
 * ('inner_len' bytes) into 'out', which must have room for
 * OFFLOAD_TOKEN_FRAME_OVERHEAD + 'inner_len' bytes.  Returns its
 * length. */
size_t offload_token_frame_build(const struct eth_addr *dst,
                                 const struct eth_addr *src,
                                 const uint8_t token[OFFLOAD_TOKEN_LEN],
                                 const uint8_t *inner, size_t inner_len,
                                 uint8_t *out);

/* Key files: one key a line, "ID HEX64 [NOT-AFTER]", '#' comments.
 * Parses one line's text into '*k'; returns NULL or a malloc'd error. */
char *offload_token_key_parse(const char *id, const char *hex,
                              const char *not_after,
                              struct offload_token_key *k)
    OVS_WARN_UNUSED_RESULT;
/* Reads every key of key file 'path' into '*keysp' (malloc'd, in file
 * order; wipe with offload_token_keys_wipe()).  A malformed line or an id
 * given twice refuses the file: returns a malloc'd error naming the line,
 * with nothing in '*keysp'. */
char *offload_token_key_file_read(const char *path,
                                  struct offload_token_key **keysp,
                                  size_t *np)
    OVS_WARN_UNUSED_RESULT;
void offload_token_keys_wipe(struct offload_token_key *, size_t n);

#endif /* offload-token.h */
