/* SPDX-License-Identifier: Apache-2.0 */
/* SYN authentication by cookie challenge (see offload-syn-auth.h). */

#include <config.h>

#include "lib/offload-syn-auth.h"

#include <errno.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "hash.h"
#include "util.h"

#define OFFLOAD_NS_PER_MS 1000000ULL

void
offload_syn_auth_config_default(struct offload_syn_auth_config *cfg)
{
    *cfg = (struct offload_syn_auth_config) {
        .enabled = false,
        .ttl_s = 300,
        .pps = 100000,
    };
}

char *
offload_syn_auth_config_check(const struct offload_syn_auth_config *cfg)
{
    if (cfg->ttl_s < 1 || cfg->ttl_s > 86400) {
        return xasprintf("SYN authentication lifetime %"PRIu32" s is not 1 "
                         "to 86400", cfg->ttl_s);
    }
    if (cfg->pps < 1 || cfg->pps > 1000000000) {
        return xasprintf("SYN authentication rate %"PRIu64"/s is not 1 to "
                         "1000000000", cfg->pps);
    }
    return NULL;
}

static void
offload_syn_auth_set_tb(struct offload_syn_auth *a, uint64_t now_ns)
{
    offload_tb_init(&a->tb, a->cfg.pps, a->cfg.pps / 10 + 1, now_ns);
}

int
offload_syn_auth_init(struct offload_syn_auth *a,
                      const struct offload_syn_auth_config *cfg,
                      const struct offload_syn_auth *old, uint64_t now_ns)
{
    memset(a, 0, sizeof *a);
    a->cfg = *cfg;
    if (old && old->mac) {
        memcpy(a->key, old->key, sizeof a->key);
        memcpy(a->sources, old->sources, sizeof a->sources);
        a->stats = old->stats;
    } else if (RAND_bytes(a->key, sizeof a->key) != 1) {
        return EIO;
    }

    EVP_MAC *mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
    if (!mac) {
        OPENSSL_cleanse(a->key, sizeof a->key);
        return ENOTSUP;
    }
    a->mac = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    if (!a->mac) {
        OPENSSL_cleanse(a->key, sizeof a->key);
        return ENOMEM;
    }
    offload_syn_auth_set_tb(a, now_ns);
    return 0;
}

void
offload_syn_auth_destroy(struct offload_syn_auth *a)
{
    if (a && a->mac) {
        EVP_MAC_CTX_free(a->mac);
        a->mac = NULL;
        OPENSSL_cleanse(a->key, sizeof a->key);
    }
}

static uint32_t
offload_syn_auth_cookie_slot(const struct offload_syn_auth *a,
                             const struct offload_syn_auth_tuple *t,
                             uint64_t slot)
{
    uint8_t msg[16 + 16 + 2 + 2 + 8];
    size_t outsize = 8;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &outsize),
        OSSL_PARAM_END,
    };
    uint8_t out[8];
    size_t outl = 0;

    memcpy(msg, t->src, 16);
    memcpy(msg + 16, t->dst, 16);
    msg[32] = t->src_port >> 8;
    msg[33] = t->src_port;
    msg[34] = t->dst_port >> 8;
    msg[35] = t->dst_port;
    for (int i = 0; i < 8; i++) {
        msg[36 + i] = slot >> (56 - 8 * i);
    }
    /* The key again each time: for SipHash that is only its four state
     * words, and it leaves nothing of one cookie in the next. */
    if (!EVP_MAC_init(a->mac, a->key, sizeof a->key, params)
        || !EVP_MAC_update(a->mac, msg, sizeof msg)
        || !EVP_MAC_final(a->mac, out, &outl, sizeof out) || outl != 8) {
        /* No cookie can be made: one that no RST is likely to carry. */
        return 0;
    }
    return ((uint32_t) out[0] << 24 | (uint32_t) out[1] << 16
            | (uint32_t) out[2] << 8 | out[3]);
}

uint32_t
offload_syn_auth_cookie(const struct offload_syn_auth *a,
                        const struct offload_syn_auth_tuple *t,
                        uint64_t now_ms)
{
    return offload_syn_auth_cookie_slot(a, t,
                                        now_ms / OFFLOAD_SYN_AUTH_SLOT_MS);
}

static uint32_t
offload_syn_auth_slot_of(const uint8_t addr[16])
{
    return hash_bytes(addr, 16, 0) % OFFLOAD_SYN_AUTH_SOURCES;
}

static const struct offload_syn_auth_source *
offload_syn_auth_find(const struct offload_syn_auth *a,
                      const uint8_t addr[16], uint64_t now_ms)
{
    uint32_t h = offload_syn_auth_slot_of(addr);

    for (int i = 0; i < OFFLOAD_SYN_AUTH_PROBE; i++) {
        const struct offload_syn_auth_source *s
            = &a->sources[(h + i) % OFFLOAD_SYN_AUTH_SOURCES];

        if (s->expires_ms > now_ms && !memcmp(s->addr, addr, 16)) {
            return s;
        }
    }
    return NULL;
}

bool
offload_syn_auth_is_valid(const struct offload_syn_auth *a,
                          const uint8_t addr[16], uint64_t now_ms)
{
    return offload_syn_auth_find(a, addr, now_ms) != NULL;
}

/* Validates 'addr' until 'now_ms' + the lifetime: its own slot if it has
 * one, else a free or expired one, else the one that expires first. */
static void
offload_syn_auth_add(struct offload_syn_auth *a, const uint8_t addr[16],
                     uint64_t now_ms)
{
    uint32_t h = offload_syn_auth_slot_of(addr);
    struct offload_syn_auth_source *victim = NULL;

    for (int i = 0; i < OFFLOAD_SYN_AUTH_PROBE; i++) {
        struct offload_syn_auth_source *s
            = &a->sources[(h + i) % OFFLOAD_SYN_AUTH_SOURCES];

        if (s->expires_ms && !memcmp(s->addr, addr, 16)) {
            victim = s;
            break;
        }
        if (!victim || s->expires_ms < victim->expires_ms) {
            victim = s;
        }
    }
    if (victim->expires_ms > now_ms && memcmp(victim->addr, addr, 16)) {
        a->stats.evicted++;
    }
    memcpy(victim->addr, addr, 16);
    victim->expires_ms = now_ms + a->cfg.ttl_s * 1000ULL;
}

enum offload_syn_auth_verdict
offload_syn_auth_syn(struct offload_syn_auth *a,
                     const struct offload_syn_auth_tuple *t, uint32_t isn,
                     uint64_t now_ns, uint32_t *ackp)
{
    uint64_t now_ms = now_ns / OFFLOAD_NS_PER_MS;

    if (offload_syn_auth_is_valid(a, t->src, now_ms)) {
        a->stats.passed++;
        return OFFLOAD_SYN_AUTH_PASS;
    }
    if (!offload_tb_take(&a->tb, now_ns)) {
        a->stats.limited++;
        return OFFLOAD_SYN_AUTH_LIMITED;
    }

    uint32_t cookie = offload_syn_auth_cookie(a, t, now_ms);
    if (OVS_UNLIKELY(cookie == isn + 1)) {
        /* The client would take this SYN-ACK as the server's and open a
         * connection the host never saw (one SYN in 2^32). */
        a->stats.limited++;
        return OFFLOAD_SYN_AUTH_LIMITED;
    }
    *ackp = cookie;
    a->stats.challenged++;
    return OFFLOAD_SYN_AUTH_CHALLENGE;
}

bool
offload_syn_auth_rst(struct offload_syn_auth *a,
                     const struct offload_syn_auth_tuple *t, uint32_t seq,
                     uint64_t now_ns)
{
    uint64_t now_ms = now_ns / OFFLOAD_NS_PER_MS;
    uint64_t slot = now_ms / OFFLOAD_SYN_AUTH_SLOT_MS;

    for (int back = 0; back < 2 && back <= slot; back++) {
        uint32_t c = offload_syn_auth_cookie_slot(a, t, slot - back);

        if (seq == c) {
            offload_syn_auth_add(a, t->src, now_ms);
            a->stats.validated++;
            return true;
        }
    }
    return false;
}

void
offload_syn_auth_get_stats(const struct offload_syn_auth *a, uint64_t now_ms,
                           struct offload_syn_auth_stats *st)
{
    *st = a->stats;
    st->n_sources = 0;
    for (size_t i = 0; i < OFFLOAD_SYN_AUTH_SOURCES; i++) {
        st->n_sources += a->sources[i].expires_ms > now_ms;
    }
}

void
offload_syn_auth_format(struct ds *ds,
                        const struct offload_syn_auth_config *cfg,
                        const struct offload_syn_auth_stats *st)
{
    if (!cfg->enabled) {
        ds_put_cstr(ds, "  SYN authentication: off\n");
        return;
    }
    ds_put_format(ds, "  SYN authentication: on (challenges at most "
                  "%"PRIu64"/s, sources valid %"PRIu32" s)\n",
                  cfg->pps, cfg->ttl_s);
    ds_put_format(ds, "    challenged %"PRIu64", over rate %"PRIu64", "
                  "validated %"PRIu64", passed %"PRIu64", sources %"PRIu32
                  ", evicted %"PRIu64"\n", st->challenged, st->limited,
                  st->validated, st->passed, st->n_sources, st->evicted);
}
