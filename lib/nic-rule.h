/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_RULE_H
#define NIC_RULE_H 1

/* The NIC rule model: a masked match on struct nic_flow_key, a priority and
 * a list of actions.  This is what the offload engine translates datapath
 * flows into and what every NIC provider accepts. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/nic-parse.h"
#include "openvswitch/dynamic-string.h"

#define NIC_MAX_ACTIONS 16
#define NIC_ENCAP_MAX_LEN 128   /* Outer headers an encap action pushes. */

/* The encap header is an OVS tnl_push header and the NIC fills it in as
 * OVS's netdev_tnl_push_udp_header() does: IPv4 checksum updated from the
 * header's own, UDP source port from the inner packet's 5-tuple hash (the
 * RSS hash dpif-netdev computes) scaled into [sport_min, sport_max), UDP
 * checksum computed where the header's is nonzero. */
#define NIC_ENCAP_F_OVS 0x01

enum nic_action_type {
    NIC_ACT_OUTPUT,             /* Send out NIC port 'port'. */
    NIC_ACT_TO_HOST,            /* Send to the port's representor. */
    NIC_ACT_DROP,               /* Drop (counted as dropped by rule). */
    NIC_ACT_PUSH_VLAN,          /* Push a tag 'vlan_tci' with 'vlan_tpid'. */
    NIC_ACT_POP_VLAN,           /* Remove the outermost tag, if any. */
    NIC_ACT_SET_ETH_SRC,
    NIC_ACT_SET_ETH_DST,
    NIC_ACT_SET_IPV4_SRC,       /* With IP and L4 checksum fix-up. */
    NIC_ACT_SET_IPV4_DST,
    NIC_ACT_SET_IPV6_SRC,       /* With L4 checksum fix-up. */
    NIC_ACT_SET_IPV6_DST,
    NIC_ACT_SET_IP_TTL,         /* TTL or hop limit. */
    NIC_ACT_SET_TP_SRC,         /* TCP/UDP port, with checksum fix-up. */
    NIC_ACT_SET_TP_DST,
    NIC_ACT_ENCAP,              /* Push outer headers (VXLAN/Geneve). */
    NIC_ACT_DECAP,              /* Strip outer headers of a tunnel. */
    NIC_ACT_SET_QUEUE,          /* Receive queue for NIC_ACT_TO_HOST. */
    NIC_ACT_MARK,               /* Metadata mark passed to the host. */
    NIC_ACT_COUNT,              /* Count in an extra counter 'counter'. */
    NIC_ACT_TNL_POP,            /* OVS's tnl_pop: look the inner frame up as
                                 * arriving on tunnel port 'port'; if a rule
                                 * takes it, that rule's actions end the
                                 * packet, else it goes on unchanged. */
    NIC_N_ACTIONS
};

struct nic_action {
    enum nic_action_type type;
    union {
        uint32_t port;              /* NIC_ACT_OUTPUT, NIC_ACT_TNL_POP. */
        struct {                    /* NIC_ACT_PUSH_VLAN. */
            ovs_be16 vlan_tci;
            ovs_be16 vlan_tpid;     /* 0 means 802.1Q (0x8100). */
        };
        struct eth_addr mac;        /* NIC_ACT_SET_ETH_*. */
        ovs_be32 ipv4;              /* NIC_ACT_SET_IPV4_*. */
        uint8_t ipv6[16];           /* NIC_ACT_SET_IPV6_*. */
        uint8_t ttl;                /* NIC_ACT_SET_IP_TTL. */
        ovs_be16 tp_port;           /* NIC_ACT_SET_TP_*. */
        uint32_t queue;             /* NIC_ACT_SET_QUEUE. */
        uint32_t mark;              /* NIC_ACT_MARK. */
        uint32_t counter;           /* NIC_ACT_COUNT. */
        struct {                    /* NIC_ACT_ENCAP. */
            uint8_t type;           /* enum nic_tunnel_type. */
            uint8_t len;            /* Bytes in 'hdr'. */
            uint8_t flags;          /* NIC_ENCAP_F_*. */
            uint8_t vlan_limit;     /* NIC_ENCAP_F_OVS: OVS's vlan-limit,
                                     * which decides whether the hash sees
                                     * the L3 header behind the tags. */
            /* NIC_ENCAP_F_OVS: UDP source ports OVS picks from. */
            uint16_t sport_min, sport_max;
            /* Ethernet + IPv4/IPv6 + UDP + VXLAN/Geneve, ready to push;
             * lengths and checksums are filled in per packet. */
            uint8_t hdr[NIC_ENCAP_MAX_LEN];
        } encap;
    };
};

struct nic_match {
    struct nic_flow_key key;    /* Only bits set in 'mask' are relevant. */
    struct nic_flow_key mask;   /* 1-bits must match. */
};

/* A rule as its owner hands it to a NIC.  The actions are the owner's,
 * by pointer, so that a rule kept for later (the offload tracker keeps one
 * per flow) goes to the NIC as it is, without a copy into a 2 kB array of
 * NIC_MAX_ACTIONS; a NIC copies what it keeps. */
struct nic_rule_spec {
    struct nic_match match;
    uint32_t priority;          /* Higher wins in the wildcard table. */
    uint64_t cookie;            /* Owner's tag, e.g. a flow's UFID hash. */
    size_t n_actions;           /* 1 to NIC_MAX_ACTIONS. */
    const struct nic_action *actions;
};

void nic_match_init_catchall(struct nic_match *);
void nic_match_normalize(struct nic_match *);
bool nic_match_matches(const struct nic_match *, const struct nic_flow_key *);
bool nic_mask_is_subset(const struct nic_flow_key *mask,
                        const struct nic_flow_key *of);

/* Whether 'n' bytes at 'p' are all 0, or all 0xff (exact mask). */
bool nic_is_zero(const void *p, size_t n);
bool nic_is_all_ones(const void *p, size_t n);

int nic_rule_spec_validate(const struct nic_rule_spec *);
int nic_actions_validate(const struct nic_action *, size_t n);
const char *nic_action_type_to_string(enum nic_action_type);
void nic_match_format(struct ds *, const struct nic_match *);
void nic_actions_format(struct ds *, const struct nic_action *, size_t n);
char *nic_match_from_string(const char *, struct nic_match *)
    OVS_WARN_UNUSED_RESULT;
char *nic_actions_from_string(const char *, struct nic_action *,
                              size_t *n_actions) OVS_WARN_UNUSED_RESULT;

#endif /* nic-rule.h */
