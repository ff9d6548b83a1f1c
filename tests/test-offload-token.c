/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of sealed destinations (lib/offload-token.c): sealing and
 * opening, every failure reason, the key table, token frames. */

#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/offload-token.h"
#include "openvswitch/hmap.h"
#include "hash.h"
#include "tests/unit-tests.h"

#define NOW 1800000000ULL

static const uint8_t key1[OFFLOAD_TOKEN_KEY_LEN] = {
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
    0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
    0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
    0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
};
static uint8_t key2[OFFLOAD_TOKEN_KEY_LEN];

static void
setup_keys(void)
{
    for (int i = 0; i < OFFLOAD_TOKEN_KEY_LEN; i++) {
        key2[i] = 0xa0 ^ i;
    }
}

static struct offload_token
sample_token(bool v6, bool with_ip)
{
    struct offload_token t;

    memset(&t, 0, sizeof t);
    if (v6) {
        ck_assert(ipv6_parse("fd00::2", &t.remote));
    } else {
        t.remote = in6_addr_mapped_ipv4(htonl(0xc0a80102));
    }
    t.vni = 5001;
    t.tun_type = OFFLOAD_TOKEN_VXLAN;
    ck_assert(eth_addr_from_string("00:00:00:00:0b:01", &t.inner_mac));
    if (with_ip) {
        t.has_inner_ip = true;
        t.inner_ip = in6_addr_mapped_ipv4(htonl(0x0a000002));
    }
    t.expiry = NOW + 60;
    t.vf = 3;
    return t;
}

static void
assert_same_token(const struct offload_token *a, const struct offload_token *b)
{
    ck_assert(ipv6_addr_equals(&a->remote, &b->remote));
    ck_assert_uint_eq(a->vni, b->vni);
    ck_assert_uint_eq(a->tun_type, b->tun_type);
    ck_assert(eth_addr_equals(a->inner_mac, b->inner_mac));
    ck_assert_int_eq(a->has_inner_ip, b->has_inner_ip);
    ck_assert(ipv6_addr_equals(&a->inner_ip, &b->inner_ip));
    ck_assert_uint_eq(a->expiry, b->expiry);
    ck_assert_uint_eq(a->vf, b->vf);
}

START_TEST(test_seal_open)
{
    struct offload_token_keys keys;
    uint8_t tok[OFFLOAD_TOKEN_LEN];

    setup_keys();
    offload_token_keys_init(&keys);
    ck_assert_int_eq(offload_token_keys_add(&keys, 7, key1, 0), 0);
    for (int v6 = 0; v6 < 2; v6++) {
        for (int ip = 0; ip < 2; ip++) {
            struct offload_token t = sample_token(v6, ip), got;

            t.tun_type = ip ? OFFLOAD_TOKEN_GENEVE : OFFLOAD_TOKEN_VXLAN;
            ck_assert_int_eq(offload_token_seal(key1, 7, &t, tok), 0);
            ck_assert_uint_eq(tok[0], OFFLOAD_TOKEN_VERSION);
            ck_assert_int_eq(offload_token_open(&keys, tok, sizeof tok, 3,
                                                NOW, &got),
                             OFFLOAD_TOKEN_OK);
            assert_same_token(&t, &got);
        }
    }
    offload_token_keys_destroy(&keys);
}
END_TEST

START_TEST(test_seal_invalid)
{
    uint8_t tok[OFFLOAD_TOKEN_LEN];
    struct offload_token t;

    t = sample_token(false, false);
    t.vni = 1 << 24;
    ck_assert_int_eq(offload_token_seal(key1, 1, &t, tok), EINVAL);
    t = sample_token(false, false);
    t.tun_type = 9;
    ck_assert_int_eq(offload_token_seal(key1, 1, &t, tok), EINVAL);
    t = sample_token(false, false);
    t.remote = in6addr_any;
    ck_assert_int_eq(offload_token_seal(key1, 1, &t, tok), EINVAL);
    t = sample_token(false, false);
    t.inner_mac = eth_addr_broadcast;
    ck_assert_int_eq(offload_token_seal(key1, 1, &t, tok), EINVAL);
    t = sample_token(false, false);
    t.expiry = 0;
    ck_assert_int_eq(offload_token_seal(key1, 1, &t, tok), EINVAL);
}
END_TEST

/* Every failure reason of offload_token_open(). */
START_TEST(test_open_reasons)
{
    struct offload_token t = sample_token(false, true), got;
    struct offload_token_keys keys;
    uint8_t tok[OFFLOAD_TOKEN_LEN], bad[OFFLOAD_TOKEN_LEN + 1];

    setup_keys();
    offload_token_keys_init(&keys);
    ck_assert_int_eq(offload_token_keys_add(&keys, 1, key1, NOW + 10), 0);
    ck_assert_int_eq(offload_token_seal(key1, 1, &t, tok), 0);

    /* Malformed: lengths, version. */
    ck_assert_int_eq(offload_token_open(&keys, tok, sizeof tok - 1, 3, NOW,
                                        &got), OFFLOAD_TOKEN_MALFORMED);
    memcpy(bad, tok, sizeof tok);
    bad[sizeof tok] = 0;
    ck_assert_int_eq(offload_token_open(&keys, bad, sizeof bad, 3, NOW,
                                        &got), OFFLOAD_TOKEN_MALFORMED);
    ck_assert_int_eq(offload_token_open(&keys, tok, 0, 3, NOW, &got),
                     OFFLOAD_TOKEN_MALFORMED);
    memcpy(bad, tok, sizeof tok);
    bad[0] = OFFLOAD_TOKEN_VERSION + 1;
    ck_assert_int_eq(offload_token_open(&keys, bad, sizeof tok, 3, NOW,
                                        &got), OFFLOAD_TOKEN_MALFORMED);

    /* Bad tag: a flipped tag bit, a key with the token's id but other
     * bits. */
    memcpy(bad, tok, sizeof tok);
    bad[sizeof tok - 1] ^= 0x80;
    ck_assert_int_eq(offload_token_open(&keys, bad, sizeof tok, 3, NOW,
                                        &got), OFFLOAD_TOKEN_BAD_TAG);

    /* Wrong VF, expired (valid up to and including its expiry). */
    ck_assert_int_eq(offload_token_open(&keys, tok, sizeof tok, 4, NOW,
                                        &got), OFFLOAD_TOKEN_WRONG_VF);

    /* The key's not-after passes before the token's expiry: retired. */
    ck_assert_int_eq(offload_token_open(&keys, tok, sizeof tok, 3, NOW + 11,
                                        &got), OFFLOAD_TOKEN_UNKNOWN_KEY);
    offload_token_keys_del(&keys, 1);
    ck_assert_int_eq(offload_token_keys_add(&keys, 1, key1, 0), 0);
    ck_assert_int_eq(offload_token_open(&keys, tok, sizeof tok, 3,
                                        t.expiry, &got), OFFLOAD_TOKEN_OK);
    ck_assert_int_eq(offload_token_open(&keys, tok, sizeof tok, 3,
                                        t.expiry + 1, &got),
                     OFFLOAD_TOKEN_EXPIRED);

    /* Unknown key: deleted, or never there. */
    ck_assert_int_eq(offload_token_keys_del(&keys, 1), 0);
    ck_assert_int_eq(offload_token_open(&keys, tok, sizeof tok, 3, NOW,
                                        &got), OFFLOAD_TOKEN_UNKNOWN_KEY);
    ck_assert_int_eq(offload_token_keys_add(&keys, 1, key2, 0), 0);
    ck_assert_int_eq(offload_token_open(&keys, tok, sizeof tok, 3, NOW,
                                        &got), OFFLOAD_TOKEN_BAD_TAG);
    offload_token_keys_destroy(&keys);
}
END_TEST

/* An authentic plaintext that is not a token (a reserved byte set) is
 * malformed, not acted on. */
START_TEST(test_open_bad_plaintext)
{
    uint8_t tok[OFFLOAD_TOKEN_LEN], plain[OFFLOAD_TOKEN_PLAIN_LEN];
    struct offload_token_keys keys;
    struct offload_token got;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int outl;

    memset(tok, 0, sizeof tok);
    tok[0] = OFFLOAD_TOKEN_VERSION;
    tok[4] = 1;                             /* Key id 1. */
    memset(tok + 5, 0x55, OFFLOAD_TOKEN_NONCE_LEN);
    memset(plain, 0, sizeof plain);
    plain[1] = OFFLOAD_TOKEN_VXLAN;
    plain[3] = 3;
    plain[15] = 0xff;                       /* Expiry. */
    plain[31] = 1;                          /* Remote ::1. */
    plain[37] = 1;                          /* Inner MAC. */
    plain[55] = 1;                          /* Reserved: not zero. */
    ck_assert(EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key1,
                                 tok + 5));
    ck_assert(EVP_EncryptUpdate(ctx, NULL, &outl, tok,
                                OFFLOAD_TOKEN_AAD_LEN));
    ck_assert(EVP_EncryptUpdate(ctx, tok + OFFLOAD_TOKEN_AAD_LEN, &outl,
                                plain, sizeof plain));
    ck_assert(EVP_EncryptFinal_ex(ctx, tok + OFFLOAD_TOKEN_AAD_LEN + outl,
                                  &outl));
    ck_assert(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG,
                                  OFFLOAD_TOKEN_TAG_LEN,
                                  tok + OFFLOAD_TOKEN_AAD_LEN
                                  + OFFLOAD_TOKEN_PLAIN_LEN));
    EVP_CIPHER_CTX_free(ctx);

    offload_token_keys_init(&keys);
    ck_assert_int_eq(offload_token_keys_add(&keys, 1, key1, 0), 0);
    ck_assert_int_eq(offload_token_open(&keys, tok, sizeof tok, 3, 1, &got),
                     OFFLOAD_TOKEN_MALFORMED);
    offload_token_keys_destroy(&keys);
}
END_TEST

/* Any flipped bit, anywhere in the token, and the token opens nothing:
 * the version byte is malformed, the key id names no key, the rest fails
 * the tag. */
START_TEST(test_flipped_bits)
{
    struct offload_token t = sample_token(true, true), got;
    struct offload_token_keys keys;
    uint8_t tok[OFFLOAD_TOKEN_LEN];

    offload_token_keys_init(&keys);
    ck_assert_int_eq(offload_token_keys_add(&keys, 0x01020304, key1, 0), 0);
    ck_assert_int_eq(offload_token_seal(key1, 0x01020304, &t, tok), 0);
    for (size_t i = 0; i < sizeof tok; i++) {
        for (int bit = 0; bit < 8; bit++) {
            enum offload_token_result want = (i == 0
                                              ? OFFLOAD_TOKEN_MALFORMED
                                              : i < 5
                                              ? OFFLOAD_TOKEN_UNKNOWN_KEY
                                              : OFFLOAD_TOKEN_BAD_TAG);

            tok[i] ^= 1 << bit;
            ck_assert_msg(offload_token_open(&keys, tok, sizeof tok, 3, NOW,
                                             &got) == want,
                          "byte %zu bit %d", i, bit);
            tok[i] ^= 1 << bit;
        }
    }
    ck_assert_int_eq(offload_token_open(&keys, tok, sizeof tok, 3, NOW,
                                        &got), OFFLOAD_TOKEN_OK);
    offload_token_keys_destroy(&keys);
}
END_TEST

struct nonce_node {
    struct hmap_node node;
    uint8_t nonce[OFFLOAD_TOKEN_NONCE_LEN];
};

/* The same token sealed many times: never the same nonce, never the same
 * bytes. */
START_TEST(test_nonce_unique)
{
    struct offload_token t = sample_token(false, false);
    struct hmap seen = HMAP_INITIALIZER(&seen);
    struct nonce_node *n;
    enum { N = 20000 };

    for (int i = 0; i < N; i++) {
        uint8_t tok[OFFLOAD_TOKEN_LEN];
        uint32_t h;

        ck_assert_int_eq(offload_token_seal(key1, 1, &t, tok), 0);
        h = hash_bytes(tok + 5, OFFLOAD_TOKEN_NONCE_LEN, 0);
        HMAP_FOR_EACH_WITH_HASH (n, node, h, &seen) {
            ck_assert(memcmp(n->nonce, tok + 5, OFFLOAD_TOKEN_NONCE_LEN));
        }
        n = xmalloc(sizeof *n);
        memcpy(n->nonce, tok + 5, OFFLOAD_TOKEN_NONCE_LEN);
        hmap_insert(&seen, &n->node, h);
    }
    ck_assert_uint_eq(hmap_count(&seen), N);
    HMAP_FOR_EACH_POP (n, node, &seen) {
        free(n);
    }
    hmap_destroy(&seen);
}
END_TEST

/* Rotation: two keys active at once, each opening its own tokens; the
 * table's limits and listing. */
START_TEST(test_keys)
{
    struct offload_token t = sample_token(false, false), got;
    struct offload_token_key_info *info;
    struct offload_token_keys keys;
    uint8_t tok1[OFFLOAD_TOKEN_LEN], tok2[OFFLOAD_TOKEN_LEN];

    setup_keys();
    offload_token_keys_init(&keys);
    ck_assert_int_eq(offload_token_keys_add(&keys, 2, key2, NOW + 100), 0);
    ck_assert_int_eq(offload_token_keys_add(&keys, 1, key1, 0), 0);
    ck_assert_int_eq(offload_token_keys_add(&keys, 1, key2, 0), EEXIST);
    ck_assert_int_eq(offload_token_seal(key1, 1, &t, tok1), 0);
    ck_assert_int_eq(offload_token_seal(key2, 2, &t, tok2), 0);
    ck_assert_int_eq(offload_token_open(&keys, tok1, sizeof tok1, 3, NOW,
                                        &got), OFFLOAD_TOKEN_OK);
    ck_assert_int_eq(offload_token_open(&keys, tok2, sizeof tok2, 3, NOW,
                                        &got), OFFLOAD_TOKEN_OK);
    /* The key id is authenticated: key 2's token relabelled as key 1's. */
    tok2[4] = 1;
    ck_assert_int_eq(offload_token_open(&keys, tok2, sizeof tok2, 3, NOW,
                                        &got), OFFLOAD_TOKEN_BAD_TAG);
    tok2[4] = 2;

    ck_assert_uint_eq(offload_token_keys_list(&keys, &info), 2);
    ck_assert_uint_eq(info[0].id, 1);
    ck_assert_uint_eq(info[0].not_after, 0);
    ck_assert_uint_eq(info[1].id, 2);
    ck_assert_uint_eq(info[1].not_after, NOW + 100);
    free(info);

    /* Old key retired: its tokens stop, the new key's go on. */
    ck_assert_int_eq(offload_token_keys_del(&keys, 1), 0);
    ck_assert_int_eq(offload_token_keys_del(&keys, 1), ENOENT);
    ck_assert_int_eq(offload_token_open(&keys, tok1, sizeof tok1, 3, NOW,
                                        &got), OFFLOAD_TOKEN_UNKNOWN_KEY);
    ck_assert_int_eq(offload_token_open(&keys, tok2, sizeof tok2, 3, NOW,
                                        &got), OFFLOAD_TOKEN_OK);

    for (uint32_t id = 10; id < 10 + OFFLOAD_TOKEN_MAX_KEYS - 1; id++) {
        ck_assert_int_eq(offload_token_keys_add(&keys, id, key1, 0), 0);
    }
    ck_assert_int_eq(offload_token_keys_add(&keys, 99, key1, 0), ENOSPC);
    offload_token_keys_clear(&keys);
    ck_assert_uint_eq(offload_token_keys_list(&keys, &info), 0);
    free(info);
    ck_assert_int_eq(offload_token_open(&keys, tok2, sizeof tok2, 3, NOW,
                                        &got), OFFLOAD_TOKEN_UNKNOWN_KEY);
    offload_token_keys_destroy(&keys);
}
END_TEST

/* An IPv4 UDP frame to 00:00:00:00:0b:01 / 10.0.0.2. */
static size_t
inner_frame(uint8_t *f)
{
    static const uint8_t frame[] = {
        0x00, 0x00, 0x00, 0x00, 0x0b, 0x01, 0x00, 0x00, 0x00, 0x00, 0x0a,
        0x01, 0x08, 0x00,
        0x45, 0x00, 0x00, 0x1e, 0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x00,
        0x00, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02,
        0x04, 0xd2, 0x16, 0x2e, 0x00, 0x0a, 0x00, 0x00, 'h', 'i',
    };

    memcpy(f, frame, sizeof frame);
    return sizeof frame;
}

START_TEST(test_frames)
{
    struct offload_token t = sample_token(false, true), got;
    uint8_t tok[OFFLOAD_TOKEN_LEN], inner[64], frame[256];
    struct eth_addr dst = eth_addr_broadcast, src;
    struct offload_token_keys keys;
    size_t inner_len = inner_frame(inner), len, ofs;

    ck_assert(eth_addr_from_string("00:00:00:00:0a:01", &src));
    offload_token_keys_init(&keys);
    ck_assert_int_eq(offload_token_keys_add(&keys, 1, key1, 0), 0);
    ck_assert_int_eq(offload_token_seal(key1, 1, &t, tok), 0);
    len = offload_token_frame_build(&dst, &src, tok, inner, inner_len,
                                    frame);
    ck_assert_uint_eq(len, OFFLOAD_TOKEN_FRAME_OVERHEAD + inner_len);
    ck_assert_int_eq(offload_token_frame_open(&keys, frame, len, 3, NOW,
                                              &got, &ofs),
                     OFFLOAD_TOKEN_OK);
    ck_assert_uint_eq(ofs, OFFLOAD_TOKEN_FRAME_OVERHEAD);
    ck_assert(!memcmp(frame + ofs, inner, inner_len));

    /* Framing errors. */
    ck_assert_int_eq(offload_token_frame_open(&keys, frame, 17, 3, NOW,
                                              &got, &ofs),
                     OFFLOAD_TOKEN_MALFORMED);
    ck_assert_int_eq(offload_token_frame_open(&keys, frame,
                                              OFFLOAD_TOKEN_FRAME_OVERHEAD
                                              + 13, 3, NOW, &got, &ofs),
                     OFFLOAD_TOKEN_MALFORMED);
    frame[12] = 0x08;
    ck_assert_int_eq(offload_token_frame_open(&keys, frame, len, 3, NOW,
                                              &got, &ofs),
                     OFFLOAD_TOKEN_MALFORMED);
    frame[12] = 0x88;
    frame[14] = 2;
    ck_assert_int_eq(offload_token_frame_open(&keys, frame, len, 3, NOW,
                                              &got, &ofs),
                     OFFLOAD_TOKEN_MALFORMED);
    frame[14] = 1;
    frame[16] = 0xff;                       /* Token runs past the end. */
    ck_assert_int_eq(offload_token_frame_open(&keys, frame, len, 3, NOW,
                                              &got, &ofs),
                     OFFLOAD_TOKEN_MALFORMED);
    frame[16] = 0;
    frame[17] = OFFLOAD_TOKEN_LEN - 1;      /* Token too short. */
    ck_assert_int_eq(offload_token_frame_open(&keys, frame, len, 3, NOW,
                                              &got, &ofs),
                     OFFLOAD_TOKEN_MALFORMED);
    frame[17] = OFFLOAD_TOKEN_LEN;

    /* The inner frame to another MAC, or another IP. */
    frame[OFFLOAD_TOKEN_FRAME_OVERHEAD + 5] ^= 1;
    ck_assert_int_eq(offload_token_frame_open(&keys, frame, len, 3, NOW,
                                              &got, &ofs),
                     OFFLOAD_TOKEN_WRONG_DST);
    frame[OFFLOAD_TOKEN_FRAME_OVERHEAD + 5] ^= 1;
    frame[OFFLOAD_TOKEN_FRAME_OVERHEAD + 14 + 19] = 3;
    ck_assert_int_eq(offload_token_frame_open(&keys, frame, len, 3, NOW,
                                              &got, &ofs),
                     OFFLOAD_TOKEN_WRONG_DST);
    frame[OFFLOAD_TOKEN_FRAME_OVERHEAD + 14 + 19] = 2;
    frame[OFFLOAD_TOKEN_FRAME_OVERHEAD + 12] = 0x86;   /* Not IP. */
    ck_assert_int_eq(offload_token_frame_open(&keys, frame, len, 3, NOW,
                                              &got, &ofs),
                     OFFLOAD_TOKEN_WRONG_DST);
    frame[OFFLOAD_TOKEN_FRAME_OVERHEAD + 12] = 0x08;
    /* Truncated IPv4 header with the IP bound. */
    ck_assert_int_eq(offload_token_frame_open(&keys, frame,
                                              OFFLOAD_TOKEN_FRAME_OVERHEAD
                                              + 20, 3, NOW, &got, &ofs),
                     OFFLOAD_TOKEN_MALFORMED);
    /* The token's own failures come through. */
    ck_assert_int_eq(offload_token_frame_open(&keys, frame, len, 2, NOW,
                                              &got, &ofs),
                     OFFLOAD_TOKEN_WRONG_VF);
    ck_assert_int_eq(offload_token_frame_open(&keys, frame, len, 3,
                                              t.expiry + 1, &got, &ofs),
                     OFFLOAD_TOKEN_EXPIRED);
    ck_assert_int_eq(offload_token_frame_open(&keys, frame, len, 3, NOW,
                                              &got, &ofs),
                     OFFLOAD_TOKEN_OK);
    offload_token_keys_destroy(&keys);
}
END_TEST

START_TEST(test_key_parse)
{
    struct offload_token_key k;
    char hex[65];
    char *error;

    for (int i = 0; i < 32; i++) {
        snprintf(hex + 2 * i, 3, "%02x", key1[i]);
    }
    error = offload_token_key_parse("5", hex, "1900000000", &k);
    ck_assert_msg(!error, "%s", error);
    ck_assert_uint_eq(k.id, 5);
    ck_assert_uint_eq(k.not_after, 1900000000);
    ck_assert(!memcmp(k.key, key1, sizeof key1));
    error = offload_token_key_parse("5", hex, NULL, &k);
    ck_assert(!error);
    ck_assert_uint_eq(k.not_after, 0);

    error = offload_token_key_parse("x", hex, NULL, &k);
    ck_assert(error && strstr(error, "key id"));
    free(error);
    error = offload_token_key_parse("4294967296", hex, NULL, &k);
    ck_assert(error);
    free(error);
    error = offload_token_key_parse("1", "abcd", NULL, &k);
    ck_assert(error && strstr(error, "hex digits expected"));
    free(error);
    hex[10] = 'g';
    error = offload_token_key_parse("1", hex, NULL, &k);
    ck_assert(error && strstr(error, "bad hex"));
    free(error);
    hex[10] = '0';
    error = offload_token_key_parse("1", hex, "soon", &k);
    ck_assert(error && strstr(error, "not-after"));
    free(error);
}
END_TEST

static char *
read_text(const char *text, struct offload_token_key **keys, size_t *n)
{
    char path[] = "/tmp/offload-token-keys-XXXXXX";
    int fd = mkstemp(path);
    char *error;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), strlen(text));
    close(fd);
    error = offload_token_key_file_read(path, keys, n);
    unlink(path);
    return error;
}

START_TEST(test_key_file)
{
    static const char k1[] =
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
    struct offload_token_key *keys;
    char text[512];
    char *error;
    size_t n;

    snprintf(text, sizeof text, "# keys\n1 %s\n\n  2 %s 1700000000 # old\n",
             k1, k1);
    error = read_text(text, &keys, &n);
    ck_assert_msg(!error, "%s", error);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(keys[0].id, 1);
    ck_assert_uint_eq(keys[1].not_after, 1700000000);
    ck_assert_uint_eq(keys[1].key[1], 1);
    offload_token_keys_wipe(keys, n);

    snprintf(text, sizeof text, "1 %s\n1 %s\n", k1, k1);
    error = read_text(text, &keys, &n);
    ck_assert_msg(error && strstr(error, ":2: key id 1 given twice"), "%s",
                  error);
    ck_assert_ptr_null(keys);
    free(error);

    error = read_text("1\n", &keys, &n);
    ck_assert_msg(error && strstr(error, ":1: expected ID HEX64"), "%s",
                  error);
    free(error);

    error = offload_token_key_file_read("/nonexistent/keys", &keys, &n);
    ck_assert_msg(error && strstr(error, "cannot open"), "%s", error);
    free(error);
}
END_TEST

START_TEST(test_key_fingerprint)
{
    uint8_t a[OFFLOAD_TOKEN_KEY_LEN] = { 1 }, b[OFFLOAD_TOKEN_KEY_LEN] = { 2 };
    uint8_t fa[OFFLOAD_TOKEN_FINGERPRINT_LEN], fb[sizeof fa], fa2[sizeof fa];
    /* SHA-256 of 32 zero bytes starts 66687aadf862bd77. */
    static const uint8_t zero_fp[] = { 0x66, 0x68, 0x7a, 0xad,
                                       0xf8, 0x62, 0xbd, 0x77 };
    uint8_t z[OFFLOAD_TOKEN_KEY_LEN] = { 0 }, fz[sizeof fa];

    offload_token_key_fingerprint(a, fa);
    offload_token_key_fingerprint(b, fb);
    offload_token_key_fingerprint(a, fa2);
    ck_assert(memcmp(fa, fb, sizeof fa));
    ck_assert(!memcmp(fa, fa2, sizeof fa));
    offload_token_key_fingerprint(z, fz);
    ck_assert(!memcmp(fz, zero_fp, sizeof fz));
}
END_TEST

START_TEST(test_result_names)
{
    ck_assert_str_eq(offload_token_result_name(OFFLOAD_TOKEN_OK), "ok");
    ck_assert_str_eq(offload_token_result_name(OFFLOAD_TOKEN_BAD_TAG),
                     "bad-tag");
    ck_assert_str_eq(offload_token_result_name(OFFLOAD_TOKEN_WRONG_DST),
                     "wrong-dst");
    ck_assert_str_eq(offload_token_result_name(OFFLOAD_TOKEN_N_RESULTS),
                     "unknown");
}
END_TEST

Suite *
offload_token_suite(void)
{
    Suite *s = suite_create("offload-token");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_seal_open);
    tcase_add_test(tc, test_seal_invalid);
    tcase_add_test(tc, test_open_reasons);
    tcase_add_test(tc, test_open_bad_plaintext);
    tcase_add_test(tc, test_flipped_bits);
    tcase_add_test(tc, test_nonce_unique);
    tcase_add_test(tc, test_keys);
    tcase_add_test(tc, test_frames);
    tcase_add_test(tc, test_key_parse);
    tcase_add_test(tc, test_result_names);
    tcase_add_test(tc, test_key_file);
    tcase_add_test(tc, test_key_fingerprint);
    suite_add_tcase(s, tc);
    return s;
}
