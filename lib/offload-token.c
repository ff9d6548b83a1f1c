/* SPDX-License-Identifier: Apache-2.0 */
/* Sealed destinations: sealing and opening tokens (AES-256-GCM through
 * OpenSSL's EVP interface), the NIC's key table and token frames. */
#include <config.h>

#include "lib/offload-token.h"

#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "openvswitch/util.h"
#include "ovs-atomic.h"
#include "ovs-thread.h"
#include "util.h"

struct offload_token_keyset {
    uint64_t gen;               /* Unique to this snapshot. */
    size_t n;
    struct offload_token_key keys[OFFLOAD_TOKEN_MAX_KEYS];  /* By id. */
};

static atomic_uint64_t offload_token_gen = ATOMIC_VAR_INIT(1);

static uint64_t
offload_token_next_gen(void)
{
    uint64_t gen;

    atomic_add(&offload_token_gen, 1, &gen);
    return gen;
}

const char *
offload_token_result_name(enum offload_token_result r)
{
    static const char *const names[] = {
#define OFFLOAD_TOKEN_RESULT(ENUM, NAME, DESC) NAME,
        OFFLOAD_TOKEN_RESULTS
#undef OFFLOAD_TOKEN_RESULT
    };

    return r < OFFLOAD_TOKEN_N_RESULTS ? names[r] : "unknown";
}

static bool
offload_token_addr_is_zero(const struct in6_addr *a)
{
    return ipv6_addr_equals(a, &in6addr_any);
}

char *
offload_token_check(const struct offload_token *t)
{
    if (t->tun_type != OFFLOAD_TOKEN_VXLAN
        && t->tun_type != OFFLOAD_TOKEN_GENEVE) {
        return xasprintf("unknown tunnel type %d", t->tun_type);
    }
    if (t->vni > 0xffffff) {
        return xasprintf("VNI %"PRIu32" is more than 24 bits", t->vni);
    }
    if (offload_token_addr_is_zero(&t->remote)) {
        return xstrdup("token without a remote host address");
    }
    if (eth_addr_is_zero(t->inner_mac)
        || eth_addr_is_multicast(t->inner_mac)) {
        return xstrdup("inner MAC must be a unicast address");
    }
    if (t->has_inner_ip && offload_token_addr_is_zero(&t->inner_ip)) {
        return xstrdup("inner IP bound but zero");
    }
    if (!t->expiry) {
        return xstrdup("token without an expiry");
    }
    return NULL;
}

static void
offload_token_put32(uint8_t *p, uint32_t x)
{
    ovs_be32 b = htonl(x);

    memcpy(p, &b, 4);
}

static uint32_t
offload_token_get32(const uint8_t *p)
{
    ovs_be32 b;

    memcpy(&b, p, 4);
    return ntohl(b);
}

static void
offload_token_encode(const struct offload_token *t,
                     uint8_t p[OFFLOAD_TOKEN_PLAIN_LEN])
{
    memset(p, 0, OFFLOAD_TOKEN_PLAIN_LEN);
    p[0] = t->has_inner_ip ? 1 : 0;
    p[1] = t->tun_type;
    p[2] = t->vf >> 8;
    p[3] = t->vf;
    offload_token_put32(p + 4, t->vni);
    offload_token_put32(p + 8, t->expiry >> 32);
    offload_token_put32(p + 12, t->expiry);
    memcpy(p + 16, &t->remote, 16);
    memcpy(p + 32, &t->inner_mac, ETH_ADDR_LEN);
    if (t->has_inner_ip) {
        memcpy(p + 38, &t->inner_ip, 16);
    }
    /* p[54], p[55]: reserved, zero. */
}

/* Returns false if the (authenticated) plaintext is not a valid token:
 * only a broken sealer makes one, but the NIC acts on none. */
static bool
offload_token_decode(const uint8_t p[OFFLOAD_TOKEN_PLAIN_LEN],
                     struct offload_token *t)
{
    char *error;

    memset(t, 0, sizeof *t);
    if (p[0] & ~1 || p[54] || p[55]) {
        return false;
    }
    t->has_inner_ip = p[0] & 1;
    t->tun_type = p[1];
    t->vf = (p[2] << 8) | p[3];
    t->vni = offload_token_get32(p + 4);
    t->expiry = ((uint64_t) offload_token_get32(p + 8) << 32)
                | offload_token_get32(p + 12);
    memcpy(&t->remote, p + 16, 16);
    memcpy(&t->inner_mac, p + 32, ETH_ADDR_LEN);
    memcpy(&t->inner_ip, p + 38, 16);
    if (!t->has_inner_ip && !offload_token_addr_is_zero(&t->inner_ip)) {
        return false;
    }
    error = offload_token_check(t);
    free(error);
    return !error;
}

/* Cipher contexts per thread: contexts cannot be shared, and one made per
 * token would cost an allocation on the data path.  An opener keeps one
 * per key of the snapshot it last used, with the key schedule done, so
 * that a token costs only its own nonce and data.  The thread's first
 * open under a new snapshot wipes them (EVP_CIPHER_CTX_reset() clears the
 * key schedule), so a deleted key lingers only in threads that have not
 * opened a token since. */
struct offload_token_tls {
    EVP_CIPHER_CTX *seal;
    uint64_t gen;               /* Of the snapshot 'open' is keyed for. */
    EVP_CIPHER_CTX *open[OFFLOAD_TOKEN_MAX_KEYS];
    bool ready[OFFLOAD_TOKEN_MAX_KEYS];
};

static void
offload_token_tls_free(void *tls_)
{
    struct offload_token_tls *tls = tls_;

    EVP_CIPHER_CTX_free(tls->seal);
    for (size_t i = 0; i < OFFLOAD_TOKEN_MAX_KEYS; i++) {
        EVP_CIPHER_CTX_free(tls->open[i]);
    }
    free(tls);
}

static struct offload_token_tls *
offload_token_tls(void)
{
    static struct ovsthread_once once = OVSTHREAD_ONCE_INITIALIZER;
    static ovsthread_key_t key;
    struct offload_token_tls *tls;

    if (ovsthread_once_start(&once)) {
        ovsthread_key_create(&key, offload_token_tls_free);
        ovsthread_once_done(&once);
    }
    tls = ovsthread_getspecific(key);
    if (!tls) {
        tls = xzalloc(sizeof *tls);
        tls->seal = EVP_CIPHER_CTX_new();
        for (size_t i = 0; i < OFFLOAD_TOKEN_MAX_KEYS; i++) {
            tls->open[i] = EVP_CIPHER_CTX_new();
            if (!tls->open[i] || !tls->seal) {
                offload_token_tls_free(tls);
                return NULL;
            }
        }
        ovsthread_setspecific(key, tls);
    }
    return tls;
}

static EVP_CIPHER_CTX *
offload_token_ctx(void)
{
    struct offload_token_tls *tls = offload_token_tls();

    return tls ? tls->seal : NULL;
}

/* Returns this thread's context for key 'i' of 'set', keyed, or NULL. */
static EVP_CIPHER_CTX *
offload_token_open_ctx(const struct offload_token_keyset *set, size_t i)
{
    struct offload_token_tls *tls = offload_token_tls();

    if (!tls) {
        return NULL;
    }
    if (tls->gen != set->gen) {
        for (size_t j = 0; j < OFFLOAD_TOKEN_MAX_KEYS; j++) {
            if (tls->ready[j]) {
                EVP_CIPHER_CTX_reset(tls->open[j]);
                tls->ready[j] = false;
            }
        }
        tls->gen = set->gen;
    }
    if (!tls->ready[i]) {
        if (!EVP_DecryptInit_ex(tls->open[i], EVP_aes_256_gcm(), NULL,
                                set->keys[i].key, NULL)) {
            EVP_CIPHER_CTX_reset(tls->open[i]);
            return NULL;
        }
        tls->ready[i] = true;
    }
    return tls->open[i];
}

int
offload_token_seal(const uint8_t key[OFFLOAD_TOKEN_KEY_LEN], uint32_t key_id,
                   const struct offload_token *t,
                   uint8_t out[OFFLOAD_TOKEN_LEN])
{
    uint8_t plain[OFFLOAD_TOKEN_PLAIN_LEN];
    EVP_CIPHER_CTX *ctx;
    char *error;
    int outl, ok;

    error = offload_token_check(t);
    if (error) {
        free(error);
        return EINVAL;
    }
    ctx = offload_token_ctx();
    if (!ctx) {
        return EIO;
    }
    out[0] = OFFLOAD_TOKEN_VERSION;
    offload_token_put32(out + 1, key_id);
    if (RAND_bytes(out + 5, OFFLOAD_TOKEN_NONCE_LEN) != 1) {
        return EIO;
    }
    offload_token_encode(t, plain);
    ok = (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, out + 5)
          && EVP_EncryptUpdate(ctx, NULL, &outl, out, OFFLOAD_TOKEN_AAD_LEN)
          && EVP_EncryptUpdate(ctx, out + OFFLOAD_TOKEN_AAD_LEN, &outl,
                               plain, sizeof plain)
          && outl == sizeof plain
          && EVP_EncryptFinal_ex(ctx, out + OFFLOAD_TOKEN_AAD_LEN + outl,
                                 &outl)
          && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
                                 OFFLOAD_TOKEN_TAG_LEN,
                                 out + OFFLOAD_TOKEN_AAD_LEN
                                 + OFFLOAD_TOKEN_PLAIN_LEN));
    OPENSSL_cleanse(plain, sizeof plain);
    return ok ? 0 : EIO;
}

/* The key table. */

static void
offload_token_keyset_free(struct offload_token_keyset *set)
{
    if (set) {
        OPENSSL_cleanse(set, sizeof *set);
        free(set);
    }
}

void
offload_token_keys_init(struct offload_token_keys *keys)
{
    struct offload_token_keyset *set = xzalloc(sizeof *set);

    set->gen = offload_token_next_gen();
    ovs_mutex_init(&keys->mutex);
    ovsrcu_init(&keys->set, set);
}

void
offload_token_keys_destroy(struct offload_token_keys *keys)
{
    /* No reader is left: the owner stopped its engines. */
    offload_token_keyset_free(ovsrcu_get_protected(
                                  struct offload_token_keyset *,
                                  &keys->set));
    ovs_mutex_destroy(&keys->mutex);
}

/* Publishes 'new' in place of the current snapshot (the caller holds the
 * mutex). */
static void
offload_token_keys_publish(struct offload_token_keys *keys,
                           struct offload_token_keyset *new)
    OVS_REQUIRES(keys->mutex)
{
    struct offload_token_keyset *old
        = ovsrcu_get_protected(struct offload_token_keyset *, &keys->set);

    ovsrcu_set(&keys->set, new);
    ovsrcu_postpone(offload_token_keyset_free, old);
}

static struct offload_token_keyset *
offload_token_keys_copy(struct offload_token_keys *keys)
    OVS_REQUIRES(keys->mutex)
{
    struct offload_token_keyset *set = xmalloc(sizeof *set);

    *set = *ovsrcu_get_protected(struct offload_token_keyset *, &keys->set);
    set->gen = offload_token_next_gen();
    return set;
}

int
offload_token_keys_add(struct offload_token_keys *keys, uint32_t id,
                       const uint8_t key[OFFLOAD_TOKEN_KEY_LEN],
                       uint64_t not_after)
{
    struct offload_token_keyset *set;
    size_t i;
    int error = 0;

    ovs_mutex_lock(&keys->mutex);
    set = offload_token_keys_copy(keys);
    for (i = 0; i < set->n && set->keys[i].id < id; i++) {
        continue;
    }
    if (i < set->n && set->keys[i].id == id) {
        error = EEXIST;
    } else if (set->n >= OFFLOAD_TOKEN_MAX_KEYS) {
        error = ENOSPC;
    } else {
        memmove(&set->keys[i + 1], &set->keys[i],
                (set->n - i) * sizeof set->keys[0]);
        set->keys[i].id = id;
        set->keys[i].not_after = not_after;
        memcpy(set->keys[i].key, key, OFFLOAD_TOKEN_KEY_LEN);
        set->n++;
        offload_token_keys_publish(keys, set);
        set = NULL;
    }
    offload_token_keyset_free(set);
    ovs_mutex_unlock(&keys->mutex);
    return error;
}

int
offload_token_keys_del(struct offload_token_keys *keys, uint32_t id)
{
    struct offload_token_keyset *set;
    int error = ENOENT;

    ovs_mutex_lock(&keys->mutex);
    set = offload_token_keys_copy(keys);
    for (size_t i = 0; i < set->n; i++) {
        if (set->keys[i].id == id) {
            memmove(&set->keys[i], &set->keys[i + 1],
                    (set->n - i - 1) * sizeof set->keys[0]);
            set->n--;
            memset(&set->keys[set->n], 0, sizeof set->keys[0]);
            offload_token_keys_publish(keys, set);
            set = NULL;
            error = 0;
            break;
        }
    }
    offload_token_keyset_free(set);
    ovs_mutex_unlock(&keys->mutex);
    return error;
}

void
offload_token_keys_clear(struct offload_token_keys *keys)
{
    struct offload_token_keyset *set = xzalloc(sizeof *set);

    set->gen = offload_token_next_gen();
    ovs_mutex_lock(&keys->mutex);
    offload_token_keys_publish(keys, set);
    ovs_mutex_unlock(&keys->mutex);
}

void
offload_token_key_fingerprint(const uint8_t key[OFFLOAD_TOKEN_KEY_LEN],
                              uint8_t fp[OFFLOAD_TOKEN_FINGERPRINT_LEN])
{
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;

    if (!EVP_Digest(key, OFFLOAD_TOKEN_KEY_LEN, md, &len, EVP_sha256(), NULL)
        || len < OFFLOAD_TOKEN_FINGERPRINT_LEN) {
        memset(fp, 0, OFFLOAD_TOKEN_FINGERPRINT_LEN);
        return;
    }
    memcpy(fp, md, OFFLOAD_TOKEN_FINGERPRINT_LEN);
    OPENSSL_cleanse(md, sizeof md);
}

size_t
offload_token_keys_list(struct offload_token_keys *keys,
                        struct offload_token_key_info **infop)
{
    const struct offload_token_keyset *set;
    struct offload_token_key_info *info;
    size_t n;

    ovs_mutex_lock(&keys->mutex);
    set = ovsrcu_get_protected(struct offload_token_keyset *, &keys->set);
    n = set->n;
    info = xmalloc(MAX(1, n) * sizeof *info);
    for (size_t i = 0; i < n; i++) {
        info[i].id = set->keys[i].id;
        info[i].not_after = set->keys[i].not_after;
        offload_token_key_fingerprint(set->keys[i].key, info[i].fingerprint);
    }
    ovs_mutex_unlock(&keys->mutex);
    *infop = info;
    return n;
}

/* Opening. */

enum offload_token_result
offload_token_open(struct offload_token_keys *keys, const uint8_t *tok,
                   size_t len, uint16_t vf, uint64_t now,
                   struct offload_token *t)
{
    const struct offload_token_keyset *set;
    const struct offload_token_key *k = NULL;
    size_t ki = 0;
    uint8_t plain[OFFLOAD_TOKEN_PLAIN_LEN];
    uint8_t tag[OFFLOAD_TOKEN_TAG_LEN];
    EVP_CIPHER_CTX *ctx;
    uint32_t id;
    bool ok;
    int outl;

    if (len != OFFLOAD_TOKEN_LEN || tok[0] != OFFLOAD_TOKEN_VERSION) {
        return OFFLOAD_TOKEN_MALFORMED;
    }
    id = offload_token_get32(tok + 1);
    set = ovsrcu_get(struct offload_token_keyset *, &keys->set);
    for (size_t i = 0; i < set->n; i++) {
        if (set->keys[i].id == id) {
            k = &set->keys[i];
            ki = i;
            break;
        }
    }
    if (!k || (k->not_after && now > k->not_after)) {
        return OFFLOAD_TOKEN_UNKNOWN_KEY;
    }

    ctx = offload_token_open_ctx(set, ki);
    if (!ctx) {
        return OFFLOAD_TOKEN_BAD_TAG;   /* Nothing opens: fail closed. */
    }
    /* The tag is copied: OpenSSL wants a non-const pointer. */
    memcpy(tag, tok + OFFLOAD_TOKEN_AAD_LEN + OFFLOAD_TOKEN_PLAIN_LEN,
           sizeof tag);
    ok = (EVP_DecryptInit_ex(ctx, NULL, NULL, NULL, tok + 5)
          && EVP_DecryptUpdate(ctx, NULL, &outl, tok, OFFLOAD_TOKEN_AAD_LEN)
          && EVP_DecryptUpdate(ctx, plain, &outl,
                               tok + OFFLOAD_TOKEN_AAD_LEN, sizeof plain)
          && outl == sizeof plain
          && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, sizeof tag, tag)
          && EVP_DecryptFinal_ex(ctx, plain + outl, &outl) > 0);
    if (!ok) {
        OPENSSL_cleanse(plain, sizeof plain);
        return OFFLOAD_TOKEN_BAD_TAG;
    }
    ok = offload_token_decode(plain, t);
    OPENSSL_cleanse(plain, sizeof plain);
    if (!ok) {
        return OFFLOAD_TOKEN_MALFORMED;
    }
    if (t->vf != vf) {
        return OFFLOAD_TOKEN_WRONG_VF;
    }
    if (now > t->expiry) {
        return OFFLOAD_TOKEN_EXPIRED;
    }
    return OFFLOAD_TOKEN_OK;
}

/* Token frames. */

/* Whether the inner frame 'f' of 'len' (at least ETH_HEADER_LEN) bytes
 * is to 't''s destination. */
static enum offload_token_result
offload_token_check_inner(const struct offload_token *t, const uint8_t *f,
                          size_t len)
{
    struct in6_addr dst;
    ovs_be16 type;

    if (memcmp(f, &t->inner_mac, ETH_ADDR_LEN)) {
        return OFFLOAD_TOKEN_WRONG_DST;
    }
    if (!t->has_inner_ip) {
        return OFFLOAD_TOKEN_OK;
    }
    memcpy(&type, f + 12, 2);
    if (type == htons(ETH_TYPE_IP)) {
        ovs_be32 ip4;

        if (len < ETH_HEADER_LEN + IP_HEADER_LEN
            || f[ETH_HEADER_LEN] >> 4 != 4) {
            return OFFLOAD_TOKEN_MALFORMED;
        }
        memcpy(&ip4, f + ETH_HEADER_LEN + 16, 4);
        dst = in6_addr_mapped_ipv4(ip4);
    } else if (type == htons(ETH_TYPE_IPV6)) {
        if (len < ETH_HEADER_LEN + IPV6_HEADER_LEN
            || f[ETH_HEADER_LEN] >> 4 != 6) {
            return OFFLOAD_TOKEN_MALFORMED;
        }
        memcpy(&dst, f + ETH_HEADER_LEN + 24, 16);
    } else {
        return OFFLOAD_TOKEN_WRONG_DST;
    }
    return (ipv6_addr_equals(&dst, &t->inner_ip)
            ? OFFLOAD_TOKEN_OK : OFFLOAD_TOKEN_WRONG_DST);
}

enum offload_token_result
offload_token_frame_open(struct offload_token_keys *keys,
                         const uint8_t *frame, size_t len, uint16_t vf,
                         uint64_t now, struct offload_token *t,
                         size_t *inner_ofs)
{
    const uint8_t *h = frame + ETH_HEADER_LEN;
    enum offload_token_result r;
    size_t tok_len, ofs;

    if (len < ETH_HEADER_LEN + OFFLOAD_TOKEN_FRAME_HDR_LEN
        || frame[12] != OFFLOAD_TOKEN_ETHERTYPE >> 8
        || frame[13] != (OFFLOAD_TOKEN_ETHERTYPE & 0xff)
        || h[0] != OFFLOAD_TOKEN_FRAME_VERSION || h[1]) {
        return OFFLOAD_TOKEN_MALFORMED;
    }
    tok_len = (h[2] << 8) | h[3];
    ofs = ETH_HEADER_LEN + OFFLOAD_TOKEN_FRAME_HDR_LEN + tok_len;
    if (ofs > len || len - ofs < ETH_HEADER_LEN) {
        return OFFLOAD_TOKEN_MALFORMED;
    }
    r = offload_token_open(keys, h + OFFLOAD_TOKEN_FRAME_HDR_LEN, tok_len,
                           vf, now, t);
    if (r == OFFLOAD_TOKEN_OK) {
        r = offload_token_check_inner(t, frame + ofs, len - ofs);
    }
    if (r == OFFLOAD_TOKEN_OK) {
        *inner_ofs = ofs;
    }
    return r;
}

size_t
offload_token_frame_build(const struct eth_addr *dst,
                          const struct eth_addr *src,
                          const uint8_t token[OFFLOAD_TOKEN_LEN],
                          const uint8_t *inner, size_t inner_len,
                          uint8_t *out)
{
    uint8_t *h = out + ETH_HEADER_LEN;

    memcpy(out, dst, ETH_ADDR_LEN);
    memcpy(out + 6, src, ETH_ADDR_LEN);
    out[12] = OFFLOAD_TOKEN_ETHERTYPE >> 8;
    out[13] = OFFLOAD_TOKEN_ETHERTYPE & 0xff;
    h[0] = OFFLOAD_TOKEN_FRAME_VERSION;
    h[1] = 0;
    h[2] = OFFLOAD_TOKEN_LEN >> 8;
    h[3] = OFFLOAD_TOKEN_LEN & 0xff;
    memcpy(h + OFFLOAD_TOKEN_FRAME_HDR_LEN, token, OFFLOAD_TOKEN_LEN);
    memcpy(out + OFFLOAD_TOKEN_FRAME_OVERHEAD, inner, inner_len);
    return OFFLOAD_TOKEN_FRAME_OVERHEAD + inner_len;
}

/* Key files. */

char *
offload_token_key_parse(const char *id, const char *hex,
                        const char *not_after, struct offload_token_key *k)
{
    unsigned long long x;

    memset(k, 0, sizeof *k);
    if (!str_to_ullong(id, 10, &x) || x > UINT32_MAX) {
        return xasprintf("bad key id \"%s\" (0 to %"PRIu32")", id,
                         UINT32_MAX);
    }
    k->id = x;
    if (strlen(hex) != 2 * OFFLOAD_TOKEN_KEY_LEN) {
        return xasprintf("key %"PRIu32": %d hex digits expected",
                         k->id, 2 * OFFLOAD_TOKEN_KEY_LEN);
    }
    for (size_t i = 0; i < OFFLOAD_TOKEN_KEY_LEN; i++) {
        bool ok;

        k->key[i] = hexits_value(hex + 2 * i, 2, &ok);
        if (!ok) {
            OPENSSL_cleanse(k->key, sizeof k->key);
            return xasprintf("key %"PRIu32": bad hex digits", k->id);
        }
    }
    if (not_after && !str_to_ullong(not_after, 10, &x)) {
        OPENSSL_cleanse(k->key, sizeof k->key);
        return xasprintf("key %"PRIu32": bad not-after \"%s\" (seconds "
                         "since the epoch)", k->id, not_after);
    }
    k->not_after = not_after ? x : 0;
    return NULL;
}

void
offload_token_keys_wipe(struct offload_token_key *keys, size_t n)
{
    if (keys) {
        OPENSSL_cleanse(keys, n * sizeof *keys);
        free(keys);
    }
}

char *
offload_token_key_file_read(const char *path, struct offload_token_key **keysp,
                            size_t *np)
{
    struct offload_token_key *keys = NULL;
    char *error = NULL;
    char line[512];
    int lineno = 0;
    size_t n = 0;
    FILE *f;

    *keysp = NULL;
    *np = 0;
    f = fopen(path, "r");
    if (!f) {
        return xasprintf("%s: cannot open (%s)", path, ovs_strerror(errno));
    }
    while (!error && fgets(line, sizeof line, f)) {
        char *save = NULL, *id, *hex, *not_after, *e;
        struct offload_token_key k;

        lineno++;
        line[strcspn(line, "#\n")] = '\0';
        id = strtok_r(line, " \t", &save);
        if (!id) {
            continue;
        }
        hex = strtok_r(NULL, " \t", &save);
        not_after = strtok_r(NULL, " \t", &save);
        if (!hex || strtok_r(NULL, " \t", &save)) {
            error = xasprintf("%s:%d: expected ID HEX64 [NOT-AFTER]", path,
                              lineno);
            break;
        }
        e = offload_token_key_parse(id, hex, not_after, &k);
        OPENSSL_cleanse(line, sizeof line);
        if (e) {
            error = xasprintf("%s:%d: %s", path, lineno, e);
            free(e);
            break;
        }
        for (size_t i = 0; i < n && !error; i++) {
            if (keys[i].id == k.id) {
                error = xasprintf("%s:%d: key id %"PRIu32" given twice",
                                  path, lineno, k.id);
            }
        }
        if (!error) {
            keys = xrealloc(keys, (n + 1) * sizeof *keys);
            keys[n++] = k;
        }
        OPENSSL_cleanse(&k, sizeof k);
    }
    OPENSSL_cleanse(line, sizeof line);
    fclose(f);
    if (error) {
        offload_token_keys_wipe(keys, n);
        return error;
    }
    *keysp = keys;
    *np = n;
    return NULL;
}
