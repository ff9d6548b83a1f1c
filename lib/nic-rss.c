/* SPDX-License-Identifier: Apache-2.0 */
/* Toeplitz RSS hashing and indirection for the NIC's receive queues. */
#include <config.h>

#include "lib/nic-rss.h"

#include <errno.h>
#include <string.h>

const uint8_t nic_rss_default_key[NIC_RSS_KEY_LEN] = {
    0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2,
    0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0,
    0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4,
    0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c,
    0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* For every set bit i of the input (most significant first), XORs in the
 * 32 key bits that start at bit i.  The window slides one key bit per input
 * bit; key bits past the end read as zero. */
uint32_t
nic_rss_toeplitz(const uint8_t *key, size_t key_len,
                 const void *data_, size_t len)
{
    const uint8_t *data = data_;
    uint32_t hash = 0;
    uint32_t window = 0;
    size_t next_key_byte = 0;

    for (int i = 0; i < 4; i++) {
        window = (window << 8) | (next_key_byte < key_len
                                  ? key[next_key_byte++] : 0);
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t next = next_key_byte < key_len ? key[next_key_byte++] : 0;

        for (int bit = 7; bit >= 0; bit--) {
            if (data[i] & (1u << bit)) {
                hash ^= window;
            }
            window = (window << 1) | ((next >> bit) & 1);
        }
    }
    return hash;
}

void
nic_rss_init(struct nic_rss *rss, uint16_t n_queues)
{
    memcpy(rss->key, nic_rss_default_key, sizeof rss->key);
    rss->n_queues = 0;
    nic_rss_set_n_queues(rss, n_queues ? n_queues : 1);
}

int
nic_rss_set_key(struct nic_rss *rss, const uint8_t *key, size_t key_len)
{
    if (key_len != NIC_RSS_KEY_LEN) {
        return EINVAL;
    }
    memcpy(rss->key, key, key_len);
    return 0;
}

/* Replaces the indirection table.  'n' must divide the table size; shorter
 * tables repeat, as drivers do for `ethtool -X ... equal N`. */
int
nic_rss_set_reta(struct nic_rss *rss, const uint16_t *reta, size_t n)
{
    if (!n || n > NIC_RSS_RETA_SIZE || NIC_RSS_RETA_SIZE % n) {
        return EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (reta[i] >= rss->n_queues) {
            return EINVAL;
        }
    }
    for (size_t i = 0; i < NIC_RSS_RETA_SIZE; i++) {
        rss->reta[i] = reta[i % n];
    }
    return 0;
}

/* Changes the number of queues and spreads the table evenly over them. */
int
nic_rss_set_n_queues(struct nic_rss *rss, uint16_t n_queues)
{
    if (!n_queues || n_queues > NIC_RSS_RETA_SIZE) {
        return EINVAL;
    }
    rss->n_queues = n_queues;
    for (size_t i = 0; i < NIC_RSS_RETA_SIZE; i++) {
        rss->reta[i] = i % n_queues;
    }
    return 0;
}

static size_t
nic_rss_put_ports(uint8_t *p, const uint16_t *src_port,
                  const uint16_t *dst_port)
{
    if (!src_port || !dst_port) {
        return 0;
    }
    memcpy(p, src_port, 2);
    memcpy(p + 2, dst_port, 2);
    return 4;
}

size_t
nic_rss_input_ipv4(uint8_t buf[12], uint32_t src, uint32_t dst,
                   const uint16_t *src_port, const uint16_t *dst_port)
{
    memcpy(buf, &src, 4);
    memcpy(buf + 4, &dst, 4);
    return 8 + nic_rss_put_ports(buf + 8, src_port, dst_port);
}

size_t
nic_rss_input_ipv6(uint8_t buf[36], const uint8_t src[16],
                   const uint8_t dst[16], const uint16_t *src_port,
                   const uint16_t *dst_port)
{
    memcpy(buf, src, 16);
    memcpy(buf + 16, dst, 16);
    return 32 + nic_rss_put_ports(buf + 32, src_port, dst_port);
}
