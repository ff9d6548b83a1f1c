/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_PARSE_H
#define NIC_PARSE_H 1

/* The NIC's packet parser: extracts the fields that NIC rules match on
 * from a frame, never reading past its end.  Frames it cannot parse get a
 * status that says why, which the pipeline counts. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"
#include "openvswitch/types.h"
#include "openvswitch/util.h"

#define NIC_VXLAN_PORT 4789
#define NIC_GENEVE_PORT 6081
#define NIC_VLAN_PRESENT 0x1000    /* Set in vlan_tci[] when a tag exists. */

/* nw_frag bits, with the values and meaning of OVS's FLOW_NW_FRAG_*, so
 * that a megaflow's nw_frag value and mask carry over unchanged: none is 0,
 * a first fragment NIC_FRAG_ANY, a later one NIC_FRAG_ANY | NIC_FRAG_LATER.
 */
enum nic_frag {
    NIC_FRAG_NONE = 0,
    NIC_FRAG_ANY = 1,           /* A fragment (any nonzero offset/flags). */
    NIC_FRAG_LATER = 2,         /* Non-zero offset: no L4 header. */
};
#define NIC_FRAG_FIRST NIC_FRAG_ANY

/* Tunnel encapsulation seen on the outer headers. */
enum nic_tunnel_type {
    NIC_TUNNEL_NONE = 0,
    NIC_TUNNEL_VXLAN = 1,
    NIC_TUNNEL_GENEVE = 2,
};

/* What rules match on.  Fixed size, made of whole 64-bit words and
 * aligned as such, so that masking and hashing are word loops.  Multi-byte
 * fields are in network byte order as on the wire, except in_port and
 * tun_vni.
 *
 * The contract with the offload engine: for every frame that nic_parse()
 * accepts (NIC_PARSE_OK), each field below holds exactly what OVS's
 * flow_extract() puts in the struct flow member of the same meaning, with
 * up to two VLAN tags parsed (OVS's vlan-limit 2; the translator narrows
 * rules for vlan-limit 1).  Frames it does not accept go to the host, where
 * OVS classifies them itself.  That is what makes a translated rule match
 * exactly the packets of its megaflow. */
OVS_ALIGNED_STRUCT(8, nic_flow_key) {
    uint32_t in_port;           /* NIC port the frame arrived on. */
    uint32_t tun_vni;           /* VXLAN/Geneve VNI, if tun_type. */

    struct eth_addr dl_dst;
    struct eth_addr dl_src;
    ovs_be16 dl_type;           /* Ethertype after the VLAN tags. */
    uint8_t tun_type;           /* enum nic_tunnel_type. */
    uint8_t pad1;

    ovs_be16 vlan_tci[2];       /* Outer, inner; NIC_VLAN_PRESENT if any. */
    uint8_t nw_proto;           /* IP protocol (IPPROTO_FRAGMENT for a later
                                 * IPv6 fragment), or ARP opcode if <256. */
    uint8_t nw_tos;             /* DSCP and ECN. */
    uint8_t nw_ttl;             /* TTL or hop limit. */
    uint8_t nw_frag;            /* enum nic_frag. */

    uint8_t nw_src[16];         /* IPv4 (first 4 bytes), IPv6, ARP SPA. */
    uint8_t nw_dst[16];         /* IPv4 (first 4 bytes), IPv6, ARP TPA. */

    ovs_be16 tp_src;            /* TCP/UDP/SCTP port, ICMP/IGMP type. */
    ovs_be16 tp_dst;            /* TCP/UDP/SCTP port, ICMP/IGMP code. */
    ovs_be16 tcp_flags;
    uint16_t pad2;

    ovs_be16 vlan_tpid[2];      /* TPID of each tag in vlan_tci[], or 0. */
    uint32_t pad3;

    /* A decapsulated frame's tunnel metadata, as OVS's tnl_pop puts it in
     * struct flow_tnl (IPv4 underlay only); 0 for frames from the wire,
     * whose tun_vni and tun_type above describe their own headers. */
    ovs_be32 tun_src;
    ovs_be32 tun_dst;
    uint16_t tun_flags;         /* OVS's FLOW_TNL_F_* (host order). */
    uint8_t tun_tos;
    uint8_t tun_ttl;
    ovs_be16 tun_tp_src;
    ovs_be16 tun_tp_dst;
    uint8_t tun_opts_len;       /* Geneve options' length in bytes. */
    uint8_t pad4[7];
    ovs_be32 tun_opts[2];       /* Their first NIC_TUN_OPTS_LEN bytes. */
};
#define NIC_TUN_OPTS_LEN 8
BUILD_ASSERT_DECL(sizeof(struct nic_flow_key) % 8 == 0);
BUILD_ASSERT_DECL(__alignof__(struct nic_flow_key) == 8);
#define NIC_FLOW_KEY_WORDS (sizeof(struct nic_flow_key) / 8)

/* Why a frame could not be fully parsed.  Order matters only for display. */
#define NIC_PARSE_STATUSES                                              \
    NIC_PARSE_STATUS(OK, "ok")                                          \
    NIC_PARSE_STATUS(RUNT, "runt frame (shorter than Ethernet header)") \
    NIC_PARSE_STATUS(TRUNC_IP, "truncated IP header")                   \
    NIC_PARSE_STATUS(BAD_IP, "bad IP header or total length")           \
    NIC_PARSE_STATUS(BAD_IPV6_EXT, "bad or truncated IPv6 extension")   \
    NIC_PARSE_STATUS(TRUNC_TUNNEL, "truncated tunnel header")

enum nic_parse_status {
#define NIC_PARSE_STATUS(ENUM, DESC) NIC_PARSE_##ENUM,
    NIC_PARSE_STATUSES
#undef NIC_PARSE_STATUS
    NIC_N_PARSE_STATUS
};

/* Where the headers are, as byte offsets from the frame start; UINT16_MAX
 * when absent. */
struct nic_parse_offsets {
    uint16_t l3;                /* IP or ARP header. */
    uint16_t l4;                /* After the IP header and IPv6 extensions,
                                 * later fragments included (as OVS's
                                 * l4_ofs). */
    uint16_t l3_end;            /* End of the IP datagram (before any
                                 * Ethernet padding). */
    uint16_t tunnel;            /* VXLAN/Geneve header. */
    uint16_t inner_l2;          /* Encapsulated Ethernet frame. */
    uint16_t n_vlans;           /* VLAN tags after the MACs. */
};

/* Whether IPv6 next-header 'nh' is an extension header that OVS walks
 * over (hop-by-hop, routing, fragment, destination options, AH). */
static inline bool
nic_is_ipv6_ext_proto(uint8_t nh)
{
    return (nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51);
}

enum nic_parse_status nic_parse(const void *frame, size_t len,
                                uint32_t in_port, struct nic_flow_key *,
                                struct nic_parse_offsets *);
size_t nic_parse_decap(const void *frame, size_t len,
                       const struct nic_flow_key *outer,
                       const struct nic_parse_offsets *outer_ofs,
                       uint32_t tunnel_port, struct nic_flow_key *inner,
                       struct nic_parse_offsets *inner_ofs);
const char *nic_parse_status_to_string(enum nic_parse_status);

#endif /* nic-parse.h */
