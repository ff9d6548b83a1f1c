/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_XDP_ABI_H
#define NIC_XDP_ABI_H 1

/* What the XDP backend's eBPF program (lib/nic-xdp.bpf.c) and its
 * user-space side (lib/nic-xdp.c) agree on: map layouts, action codes and
 * counter indices.  Included by both, so it uses kernel types only. */

#include <linux/types.h>

/* Ports: uplinks 0..NIC_XDP_MAX_UPLINKS-1 are slots 0..3, VF N is slot
 * NIC_XDP_MAX_UPLINKS + N. */
#define NIC_XDP_MAX_UPLINKS 4
#define NIC_XDP_MAX_VFS 64
#define NIC_XDP_N_SLOTS (NIC_XDP_MAX_UPLINKS + NIC_XDP_MAX_VFS)
#define NIC_XDP_MAX_QUEUES 16       /* AF_XDP sockets per port. */

/* Rule tables: mask 0 is the exact table, masks 1.. the wildcard one. */
#define NIC_XDP_MAX_MASKS 16
#define NIC_XDP_EXACT_CAPACITY 8192
#define NIC_XDP_WILDCARD_CAPACITY 4096
#define NIC_XDP_RULE_SLOTS (NIC_XDP_EXACT_CAPACITY \
                            + NIC_XDP_WILDCARD_CAPACITY)
#define NIC_XDP_MAX_ACTIONS 16

/* The key, field for field the layout of struct nic_flow_key (lib/
 * nic-parse.h), which lib/nic-xdp.c checks at build time. */
struct nic_xdp_key {
    __u32 in_port;
    __u32 tun_vni;
    __u8 dl_dst[6];
    __u8 dl_src[6];
    __be16 dl_type;
    __u8 tun_type;
    __u8 pad1;
    __be16 vlan_tci[2];
    __u8 nw_proto;
    __u8 nw_tos;
    __u8 nw_ttl;
    __u8 nw_frag;
    __u8 nw_src[16];
    __u8 nw_dst[16];
    __be16 tp_src;
    __be16 tp_dst;
    __be16 tcp_flags;
    __u16 pad2;
    __be16 vlan_tpid[2];
    __u32 pad3;
    __u8 tun_md[32];            /* Decapsulated tunnel metadata: unused. */
} __attribute__((aligned(8)));
#define NIC_XDP_KEY_WORDS (sizeof(struct nic_xdp_key) / 8)

enum nic_xdp_act {
    NIC_XDP_ACT_OUTPUT = 1,     /* Redirect to slot 'u.slot' (devmap). */
    NIC_XDP_ACT_TO_HOST,        /* To the input port's AF_XDP socket. */
    NIC_XDP_ACT_DROP,
    NIC_XDP_ACT_PUSH_VLAN,
    NIC_XDP_ACT_POP_VLAN,
    NIC_XDP_ACT_SET_ETH_SRC,
    NIC_XDP_ACT_SET_ETH_DST,
    NIC_XDP_ACT_SET_IPV4_SRC,
    NIC_XDP_ACT_SET_IPV4_DST,
    NIC_XDP_ACT_SET_IPV6_SRC,
    NIC_XDP_ACT_SET_IPV6_DST,
    NIC_XDP_ACT_SET_TTL,
    NIC_XDP_ACT_SET_TP_SRC,
    NIC_XDP_ACT_SET_TP_DST,
};

struct nic_xdp_action {
    __u32 type;                 /* enum nic_xdp_act. */
    union {
        __u32 slot;
        struct {
            __be16 tci;         /* Without the present bit. */
            __be16 tpid;
        } vlan;
        __u8 mac[6];
        __be32 ipv4;
        __u8 ipv6[16];
        __u8 ttl;
        __be16 tp;
    } u;
};

struct nic_xdp_rule {
    __u32 slot;                 /* Index in the rule counters. */
    __u32 priority;
    __u32 n_actions;
    __u32 pad;
    struct nic_xdp_action acts[NIC_XDP_MAX_ACTIONS];
};

struct nic_xdp_mask {
    struct nic_xdp_key mask;
    __u32 n_rules;              /* 0: unused. */
    __u32 pad;
};

struct nic_xdp_counter {
    __u64 packets;
    __u64 bytes;
};

struct nic_xdp_port_info {
    __u32 slot;
    __u32 port_no;              /* NIC port number (lib/nic.h). */
};

/* Per port, per CPU.  The host[] and drop[] indices are those of
 * enum nic_host_reason and enum nic_drop_reason (lib/nic.h), checked at
 * build time by lib/nic-xdp.c. */
#define NIC_XDP_HOST_MISS 0
#define NIC_XDP_HOST_RULE 1
#define NIC_XDP_HOST_PARSE 2
#define NIC_XDP_N_HOST 4
#define NIC_XDP_DROP_RUNT 0
#define NIC_XDP_DROP_RULE 2
#define NIC_XDP_DROP_ACTION 3
#define NIC_XDP_DROP_NO_PORT 4
#define NIC_XDP_DROP_NO_REPRESENTOR 6
#define NIC_XDP_N_DROP 19

struct nic_xdp_port_stats {
    __u64 rx_packets, rx_bytes;
    __u64 fwd_packets;
    __u64 host[NIC_XDP_N_HOST];
    __u64 drop[NIC_XDP_N_DROP];
    __u64 tx_packets, tx_bytes;     /* Redirected out of this port. */
};

/* What the program did with the last packet on this CPU, for tests run
 * with BPF_PROG_TEST_RUN. */
enum nic_xdp_verdict {
    NIC_XDP_V_NONE,
    NIC_XDP_V_OUTPUT,
    NIC_XDP_V_HOST,
    NIC_XDP_V_DROP,
    NIC_XDP_V_PASS,             /* Not one of the NIC's ports. */
};

struct nic_xdp_trace {
    __u32 verdict;
    __u32 reason;               /* Host or drop reason. */
    __u32 out_slot;
    __u32 rule_slot;            /* UINT32_MAX: no rule. */
};

#endif /* nic-xdp-abi.h */
