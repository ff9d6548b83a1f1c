/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_SYN_AUTH_H
#define OFFLOAD_SYN_AUTH_H 1

/* SYN authentication while the SYN guard is engaged: pure logic on a
 * caller's clock.
 *
 * A SYN from a source not yet validated is not given to the host: the NIC
 * answers it with a SYN-ACK whose acknowledgement number is a keyed
 * cookie of the connection (and never the one the client expects).  A
 * real client's TCP, in SYN-SENT, answers an unacceptable ACK with a RST
 * whose sequence number is that acknowledgement (RFC 9293 3.10.7.3); the
 * NIC recognises its cookie there, consumes the RST and validates the
 * source address for 'ttl_s' seconds.  The client's next SYN (its
 * retransmission, one RTO later) then passes to the host as if the guard
 * were not engaged.  Spoofed sources never see the SYN-ACK, so a flood
 * from random sources stays in the NIC and costs the host nothing.
 *
 * The cookie is SipHash-2-4 (OpenSSL's EVP_MAC "SIPHASH") of the 4-tuple
 * and a time slot under a random per-port key; a RST is accepted for the
 * current or the previous slot.  Challenges are rate limited so that the
 * NIC cannot be made to send more than 'pps' SYN-ACKs a second; SYNs over
 * that rate take the guard's class as without authentication. */

#include <stdbool.h>
#include <stdint.h>

#include "lib/offload-classes.h"
#include "openvswitch/dynamic-string.h"

#define OFFLOAD_SYN_AUTH_SOURCES 4096   /* Validated sources kept. */
#define OFFLOAD_SYN_AUTH_PROBE 8        /* Slots a source may take. */
#define OFFLOAD_SYN_AUTH_SLOT_MS 8000   /* A cookie's time slot. */

struct evp_mac_ctx_st;

struct offload_syn_auth_config {
    bool enabled;
    uint32_t ttl_s;                     /* 1..86400. */
    uint64_t pps;                       /* Challenges a second, >= 1. */
};

void offload_syn_auth_config_default(struct offload_syn_auth_config *);
/* NULL or a malloc'd message on what is wrong. */
char *offload_syn_auth_config_check(const struct offload_syn_auth_config *)
    OVS_WARN_UNUSED_RESULT;

/* A TCP connection as the client's SYN names it. */
struct offload_syn_auth_tuple {
    uint8_t src[16], dst[16];           /* IPv4 in the first 4 bytes. */
    uint16_t src_port, dst_port;        /* Host byte order. */
    bool is_ipv6;
};

enum offload_syn_auth_verdict {
    OFFLOAD_SYN_AUTH_PASS,              /* Validated: classify as usual. */
    OFFLOAD_SYN_AUTH_CHALLENGE,         /* Answer with the cookie. */
    OFFLOAD_SYN_AUTH_LIMITED,           /* Over the challenge rate. */
};

struct offload_syn_auth_stats {
    uint64_t challenged;                /* SYN-ACK challenges sent. */
    uint64_t limited;                   /* SYNs over the challenge rate. */
    uint64_t passed;                    /* SYNs of validated sources. */
    uint64_t validated;                 /* RSTs that carried a cookie. */
    uint64_t evicted;                   /* Sources pushed out, unexpired. */
    uint32_t n_sources;                 /* Validated now (unexpired). */
};

struct offload_syn_auth_source {
    uint8_t addr[16];
    uint64_t expires_ms;                /* 0: a free slot. */
};

struct offload_syn_auth {
    struct offload_syn_auth_config cfg;
    uint8_t key[16];
    struct evp_mac_ctx_st *mac;
    struct offload_tb tb;               /* Challenges. */
    struct offload_syn_auth_source sources[OFFLOAD_SYN_AUTH_SOURCES];
    struct offload_syn_auth_stats stats;
};

/* Starts with a fresh random key and no validated source; 'old' (may be
 * NULL) carries the key, sources and counters over a reconfiguration.
 * Returns 0 or a positive errno value (no randomness, no SipHash). */
int offload_syn_auth_init(struct offload_syn_auth *,
                          const struct offload_syn_auth_config *,
                          const struct offload_syn_auth *old,
                          uint64_t now_ns);
void offload_syn_auth_destroy(struct offload_syn_auth *);

/* The cookie of 't' in the slot of 'now_ms'. */
uint32_t offload_syn_auth_cookie(const struct offload_syn_auth *,
                                 const struct offload_syn_auth_tuple *t,
                                 uint64_t now_ms);

/* A SYN of 't' with initial sequence 'isn'.  For a challenge, '*ackp' is
 * the acknowledgement number to send, the cookie.  Should the cookie be
 * 'isn' + 1, the client would accept it: that SYN is not challenged but
 * counted over the rate. */
enum offload_syn_auth_verdict offload_syn_auth_syn(
    struct offload_syn_auth *, const struct offload_syn_auth_tuple *t,
    uint32_t isn, uint64_t now_ns, uint32_t *ackp);

/* A RST without ACK of 't' (as the SYN named the connection) with
 * sequence 'seq'.  Returns true if it answers a challenge: its source is
 * then validated and the RST is the NIC's, not the host's. */
bool offload_syn_auth_rst(struct offload_syn_auth *,
                          const struct offload_syn_auth_tuple *t,
                          uint32_t seq, uint64_t now_ns);

/* Whether 'addr' is a validated source at 'now_ms'. */
bool offload_syn_auth_is_valid(const struct offload_syn_auth *,
                               const uint8_t addr[16], uint64_t now_ms);

/* The counters, with 'n_sources' counted at 'now_ms'. */
void offload_syn_auth_get_stats(const struct offload_syn_auth *,
                                uint64_t now_ms,
                                struct offload_syn_auth_stats *);
void offload_syn_auth_format(struct ds *,
                             const struct offload_syn_auth_config *,
                             const struct offload_syn_auth_stats *);

#endif /* offload-syn-auth.h */
