#ifndef NIC_PARSE_H
#define NIC_PARSE_H 1

/* The NIC's packet parser: extracts the fields that NIC rules match on
 * from a frame, never reading past its end.  Frames it cannot parse get a
 * status that says why, which the pipeline counts. */

#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"
#include "openvswitch/types.h"
#include "openvswitch/util.h"

#define NIC_VXLAN_PORT 4789
#define NIC_GENEVE_PORT 6081
#define NIC_VLAN_PRESENT 0x1000    /* Set in vlan_tci[] when a tag exists. */

/* nw_frag values. */
enum nic_frag {
    NIC_FRAG_NONE = 0,
    NIC_FRAG_FIRST = 1,         /* Offset 0, more fragments follow. */
    NIC_FRAG_LATER = 2,         /* Non-zero offset: no L4 header. */
};

/* Tunnel encapsulation seen on the outer headers. */
enum nic_tunnel_type {
    NIC_TUNNEL_NONE = 0,
    NIC_TUNNEL_VXLAN = 1,
    NIC_TUNNEL_GENEVE = 2,
};

/* What rules match on.  Fixed size, made of whole 64-bit words and
 * aligned as such, so that masking and hashing are word loops.  Multi-byte
 * fields are in network byte order as on the wire, except in_port and
 * tun_vni. */
OVS_ALIGNED_STRUCT(8, nic_flow_key) {
    uint32_t in_port;           /* NIC port the frame arrived on. */
    uint32_t tun_vni;           /* VXLAN/Geneve VNI, if tun_type. */

    struct eth_addr dl_dst;
    struct eth_addr dl_src;
    ovs_be16 dl_type;           /* Ethertype after the VLAN tags. */
    uint8_t tun_type;           /* enum nic_tunnel_type. */
    uint8_t pad1;

    ovs_be16 vlan_tci[2];       /* Outer, inner; NIC_VLAN_PRESENT if any. */
    uint8_t nw_proto;           /* IP protocol, or ARP opcode (low byte). */
    uint8_t nw_tos;             /* DSCP and ECN. */
    uint8_t nw_ttl;             /* TTL or hop limit. */
    uint8_t nw_frag;            /* enum nic_frag. */

    uint8_t nw_src[16];         /* IPv4 (first 4 bytes), IPv6, ARP SPA. */
    uint8_t nw_dst[16];         /* IPv4 (first 4 bytes), IPv6, ARP TPA. */

    ovs_be16 tp_src;            /* L4 port, or ICMP type (low byte). */
    ovs_be16 tp_dst;            /* L4 port, or ICMP code (low byte). */
    ovs_be16 tcp_flags;
    uint16_t pad2;
};
BUILD_ASSERT_DECL(sizeof(struct nic_flow_key) % 8 == 0);
BUILD_ASSERT_DECL(__alignof__(struct nic_flow_key) == 8);
#define NIC_FLOW_KEY_WORDS (sizeof(struct nic_flow_key) / 8)

/* Why a frame could not be fully parsed.  Order matters only for display. */
#define NIC_PARSE_STATUSES                                              \
    NIC_PARSE_STATUS(OK, "ok")                                          \
    NIC_PARSE_STATUS(RUNT, "runt frame (shorter than Ethernet header)") \
    NIC_PARSE_STATUS(TRUNC_VLAN, "truncated VLAN tag")                  \
    NIC_PARSE_STATUS(TOO_MANY_VLANS, "more than two VLAN tags")         \
    NIC_PARSE_STATUS(TRUNC_ARP, "truncated ARP")                        \
    NIC_PARSE_STATUS(TRUNC_IP, "truncated IP header")                   \
    NIC_PARSE_STATUS(BAD_IP, "bad IP version, header or total length")  \
    NIC_PARSE_STATUS(BAD_IPV6_EXT, "bad or truncated IPv6 extension")   \
    NIC_PARSE_STATUS(TRUNC_L4, "truncated L4 header")                   \
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
    uint16_t l4;                /* TCP/UDP/ICMP header. */
    uint16_t tunnel;            /* VXLAN/Geneve header. */
    uint16_t inner_l2;          /* Encapsulated Ethernet frame. */
    uint16_t n_vlans;           /* VLAN tags after the MACs. */
};

enum nic_parse_status nic_parse(const void *frame, size_t len,
                                uint32_t in_port, struct nic_flow_key *,
                                struct nic_parse_offsets *);
const char *nic_parse_status_to_string(enum nic_parse_status);

#endif /* nic-parse.h */
