/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_RSS_H
#define NIC_RSS_H 1

/* Receive-side scaling: the Toeplitz hash and the indirection table that
 * spread a NIC port's received flows over its receive queues, as Microsoft's
 * RSS specification describes and real NICs implement. */

#include <stddef.h>
#include <stdint.h>

#define NIC_RSS_KEY_LEN 40      /* Bytes of hash key (enough for IPv6+L4). */
#define NIC_RSS_RETA_SIZE 128   /* Entries of the indirection table. */

struct nic_rss {
    uint8_t key[NIC_RSS_KEY_LEN];
    uint16_t reta[NIC_RSS_RETA_SIZE];   /* Hash low bits -> queue index. */
    uint16_t n_queues;                  /* Queues the table may name. */
};

/* The key of Microsoft's RSS verification suite, used by default as most
 * NIC drivers do. */
extern const uint8_t nic_rss_default_key[NIC_RSS_KEY_LEN];

uint32_t nic_rss_toeplitz(const uint8_t *key, size_t key_len,
                          const void *data, size_t len);

void nic_rss_init(struct nic_rss *, uint16_t n_queues);
int nic_rss_set_key(struct nic_rss *, const uint8_t *key, size_t key_len);
int nic_rss_set_reta(struct nic_rss *, const uint16_t *reta, size_t n);
int nic_rss_set_n_queues(struct nic_rss *, uint16_t n_queues);

/* Input of the hash for IPv4/IPv6 with or without L4 ports, in the byte
 * order the specification gives: source address, destination address,
 * source port, destination port (all in network byte order). */
size_t nic_rss_input_ipv4(uint8_t buf[12], uint32_t src, uint32_t dst,
                          const uint16_t *src_port, const uint16_t *dst_port);
size_t nic_rss_input_ipv6(uint8_t buf[36], const uint8_t src[16],
                          const uint8_t dst[16], const uint16_t *src_port,
                          const uint16_t *dst_port);

static inline uint16_t
nic_rss_queue(const struct nic_rss *rss, uint32_t hash)
{
    return rss->reta[hash % NIC_RSS_RETA_SIZE];
}

#endif /* nic-rss.h */
