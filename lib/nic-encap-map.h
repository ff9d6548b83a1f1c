/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_ENCAP_MAP_H
#define NIC_ENCAP_MAP_H 1

/* The NIC's encapsulation mapping table: which tunnel (remote endpoint,
 * tunnel type, VNI, Geneve options) carries the traffic to an inner
 * destination (a VM's MAC, and optionally its IP, on a logical network).
 * The model and a table that backends can embed; callers use the
 * nic_encap_map_*() wrappers of lib/nic.h. */

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/thread.h"
#include "openvswitch/types.h"
#include "packets.h"

#define NIC_ENCAP_MAP_MAX_OPTS 252      /* Geneve options, in bytes. */
#define NIC_ENCAP_MAP_DEFAULT_CAPACITY 4096

struct nic_encap_mapping {
    /* The key: the inner destination. */
    struct eth_addr inner_mac;
    struct in6_addr inner_ip;   /* IPv4-mapped for IPv4; all-zero: any. */

    /* The tunnel to it. */
    uint8_t tun_type;           /* NIC_TUNNEL_VXLAN or NIC_TUNNEL_GENEVE. */
    uint8_t opts_len;           /* Bytes in 'opts' (Geneve only). */
    uint32_t vni;               /* 24 bits. */
    struct in6_addr remote_ip;  /* Tunnel endpoint; IPv4-mapped for IPv4. */
    uint8_t opts[NIC_ENCAP_MAP_MAX_OPTS];  /* Geneve option TLVs. */
};

/* Returns NULL if 'm' is a valid mapping, otherwise a malloc'd message. */
char *nic_encap_mapping_check(const struct nic_encap_mapping *)
    OVS_WARN_UNUSED_RESULT;
void nic_encap_mapping_format(struct ds *, const struct nic_encap_mapping *);
void nic_encap_mapping_format_opts(struct ds *,
                                   const struct nic_encap_mapping *);

/* Parses "mac=MAC [ip=IP] type=vxlan|geneve vni=N remote=IP
 * [opts=HEX]" (comma or space separated).  Returns NULL or a malloc'd
 * error. */
char *nic_encap_mapping_from_string(const char *, struct nic_encap_mapping *)
    OVS_WARN_UNUSED_RESULT;

/* Sets the field 'key' ("mac", "ip", "type", "vni", "remote" or "opts")
 * of 'm' from its text 'value'.  Returns NULL or a malloc'd error. */
char *nic_encap_mapping_set_field(struct nic_encap_mapping *m,
                                  const char *key, const char *value)
    OVS_WARN_UNUSED_RESULT;
/* Orders mappings by inner destination (MAC, then IP), as dumps are. */
int nic_encap_mapping_key_cmp(const struct nic_encap_mapping *,
                              const struct nic_encap_mapping *);
void nic_encap_mappings_sort(struct nic_encap_mapping *, size_t n);
/* Whether two mappings are the same, key and tunnel. */
bool nic_encap_mapping_equal(const struct nic_encap_mapping *,
                             const struct nic_encap_mapping *);

/* A table of mappings with a capacity, for backends.  Thread safe. */
struct nic_encap_map {
    struct ovs_mutex mutex;
    struct hmap entries OVS_GUARDED;
    size_t capacity;
};

void nic_encap_map_init(struct nic_encap_map *, size_t capacity);
void nic_encap_map_destroy(struct nic_encap_map *);
void nic_encap_map_clear(struct nic_encap_map *);
int nic_encap_map_put(struct nic_encap_map *,
                      const struct nic_encap_mapping *);
int nic_encap_map_remove(struct nic_encap_map *, const struct eth_addr *,
                         const struct in6_addr *);
bool nic_encap_map_find(struct nic_encap_map *, const struct eth_addr *,
                        const struct in6_addr *, struct nic_encap_mapping *);
size_t nic_encap_map_list(struct nic_encap_map *,
                          struct nic_encap_mapping **);

#endif /* nic-encap-map.h */
