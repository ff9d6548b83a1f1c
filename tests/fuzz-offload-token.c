/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the NIC's token opener (lib/offload-token.c) on
 * arbitrary bytes, as a token and as a token frame, and on a valid token
 * frame with the input mixed into it.  ASan catches any read past the
 * input; the checks catch a forgery (a changed token that opens). */

#include <config.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/offload-token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW 1800000000ULL

static struct offload_token_keys keys;
static uint8_t good[OFFLOAD_TOKEN_FRAME_OVERHEAD + 64];
static size_t good_len;

static void
fuzz_init(void)
{
    static const uint8_t key[OFFLOAD_TOKEN_KEY_LEN] = { 1, 2, 3, 4, 5 };
    uint8_t tok[OFFLOAD_TOKEN_LEN], inner[64];
    struct offload_token t;

    memset(&t, 0, sizeof t);
    t.remote = in6_addr_mapped_ipv4(htonl(0x01010101));
    t.vni = 7;
    t.tun_type = OFFLOAD_TOKEN_VXLAN;
    t.inner_mac = (struct eth_addr) { { { 0, 0, 0, 0, 0x0b, 1 } } };
    t.expiry = FUZZ_NOW + 60;
    t.vf = 1;
    offload_token_keys_init(&keys);
    if (offload_token_keys_add(&keys, 9, key, 0)
        || offload_token_seal(key, 9, &t, tok)) {
        abort();
    }
    memset(inner, 0, sizeof inner);
    memcpy(inner, &t.inner_mac, ETH_ADDR_LEN);
    good_len = offload_token_frame_build(&eth_addr_broadcast, &t.inner_mac,
                                         tok, inner, sizeof inner, good);
}

static void
check_frame(const uint8_t *frame, size_t size)
{
    struct offload_token t;
    size_t ofs = SIZE_MAX;

    if (offload_token_frame_open(&keys, frame, size, 1, FUZZ_NOW, &t, &ofs)
        == OFFLOAD_TOKEN_OK
        && (ofs > size || size - ofs < ETH_HEADER_LEN
            || memcmp(frame + ETH_HEADER_LEN, good + ETH_HEADER_LEN,
                      OFFLOAD_TOKEN_FRAME_HDR_LEN + OFFLOAD_TOKEN_LEN))) {
        /* Opened, but not the one token sealed: a forgery. */
        abort();
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool inited;
    struct offload_token t;
    uint8_t *copy;

    if (!inited) {
        fuzz_init();
        inited = true;
    }
    if (offload_token_open(&keys, data, size, 1, FUZZ_NOW, &t)
        == OFFLOAD_TOKEN_OK
        && (size != OFFLOAD_TOKEN_LEN
            || memcmp(data, good + ETH_HEADER_LEN
                      + OFFLOAD_TOKEN_FRAME_HDR_LEN, size))) {
        abort();
    }
    check_frame(data, size);

    /* The valid frame with the input XORed in, cut to the input's length
     * when it is shorter than the frame. */
    copy = malloc(good_len + size);
    memcpy(copy, good, good_len);
    memset(copy + good_len, 0, size);
    for (size_t i = 0; i < size; i++) {
        copy[i] ^= data[i];
    }
    check_frame(copy, size < good_len ? size : good_len + size);
    free(copy);
    return 0;
}
