/* SPDX-License-Identifier: Apache-2.0 */
/* The XDP backend's pipeline, run by the kernel on each NIC port's
 * interface: the parser of lib/nic-parse.c, the exact and wildcard rule
 * tables, the actions of lib/nic-actions.c and the port counters. */

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "lib/nic-xdp-abi.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Rule tables: one hash map per mask, in an array of maps; mask 0 is the
 * exact table. */
struct nic_xdp_subtable {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(map_flags, BPF_F_NO_PREALLOC);
    __uint(max_entries, NIC_XDP_EXACT_CAPACITY);
    __uint(key_size, sizeof(struct nic_xdp_key));
    __uint(value_size, sizeof(struct nic_xdp_rule));
};

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
    __uint(max_entries, NIC_XDP_MAX_MASKS);
    __type(key, __u32);
    __array(values, struct nic_xdp_subtable);
} nic_xdp_subtables SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, NIC_XDP_MAX_MASKS);
    __type(key, __u32);
    __type(value, struct nic_xdp_mask);
} nic_xdp_masks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, NIC_XDP_RULE_SLOTS);
    __type(key, __u32);
    __type(value, struct nic_xdp_counter);
} nic_xdp_rule_stats SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, NIC_XDP_N_SLOTS);
    __type(key, __u32);                     /* ifindex. */
    __type(value, struct nic_xdp_port_info);
} nic_xdp_ports SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_DEVMAP);
    __uint(max_entries, NIC_XDP_N_SLOTS);
    __type(key, __u32);
    __type(value, __u32);
} nic_xdp_tx SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_XSKMAP);
    __uint(max_entries, NIC_XDP_N_SLOTS * NIC_XDP_MAX_QUEUES);
    __type(key, __u32);
    __type(value, __u32);
} nic_xdp_xsks SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, NIC_XDP_N_SLOTS);
    __type(key, __u32);
    __type(value, struct nic_xdp_port_stats);
} nic_xdp_port_stats SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct nic_xdp_trace);
} nic_xdp_trace SEC(".maps");

/* Per-CPU scratch space: the key and a masked copy are too big for the
 * 512-byte stack together with the rest. */
struct nic_xdp_scratch {
    struct nic_xdp_key key;
    struct nic_xdp_key masked;
};

struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, struct nic_xdp_scratch);
} nic_xdp_scratch SEC(".maps");

#define NIC_XDP_NONE 0xffff
#define ETH_TYPE_MIN 0x600
#define FLOW_DL_TYPE_NONE 0x5ff
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_AH_ 51
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_ROUTING_ 43
#define IPPROTO_SCTP_ 132

enum {
    NIC_XDP_PARSE_OK,
    NIC_XDP_PARSE_RUNT,
    NIC_XDP_PARSE_BAD,
};

struct nic_xdp_ofs {
    __u32 len;          /* Frame length. */
    __u32 l3, l4, l3_end;
};

static __always_inline int
nic_xdp_load(struct xdp_md *ctx, __u32 ofs, void *buf, __u32 n,
             __u32 end)
{
    if (ofs > end || end - ofs < n) {
        return -1;
    }
    return bpf_xdp_load_bytes(ctx, ofs, buf, n);
}

static __always_inline int
nic_xdp_is_ipv6_ext(__u8 nh)
{
    return nh == 0 || nh == 43 || nh == 44 || nh == 60 || nh == 51;
}

/* L4 fields as OVS extracts them (lib/nic-parse.c, nic_parse_l4()). */
static __always_inline void
nic_xdp_parse_l4(struct xdp_md *ctx, struct nic_xdp_key *key, __u32 ofs,
                 __u32 end)
{
    __u8 h[14];

    if (key->nw_proto == IPPROTO_TCP) {
        if (!nic_xdp_load(ctx, ofs, h, 14, end)) {
            __u16 ctl = ((__u16) h[12] << 8) | h[13];
            __u32 hdr_len = (ctl >> 12) * 4;

            if (hdr_len >= 20 && end - ofs >= hdr_len) {
                __builtin_memcpy(&key->tp_src, h, 2);
                __builtin_memcpy(&key->tp_dst, h + 2, 2);
                key->tcp_flags = bpf_htons(ctl & 0x0fff);
            }
        }
    } else if (key->nw_proto == IPPROTO_UDP
               || key->nw_proto == IPPROTO_SCTP_) {
        if (!nic_xdp_load(ctx, ofs, h, key->nw_proto == IPPROTO_UDP ? 8 : 12,
                          end)) {
            __builtin_memcpy(&key->tp_src, h, 2);
            __builtin_memcpy(&key->tp_dst, h + 2, 2);
        }
    } else if (key->nw_proto == IPPROTO_ICMP || key->nw_proto == 2
               || key->nw_proto == IPPROTO_ICMPV6_) {
        if (!nic_xdp_load(ctx, ofs, h, 8, end)) {
            key->tp_src = bpf_htons(h[0]);
            key->tp_dst = bpf_htons(h[1]);
        }
    }
}

/* VXLAN or Geneve after UDP (lib/nic-parse.c, nic_parse_udp_tunnel()). */
static __always_inline int
nic_xdp_parse_tunnel(struct xdp_md *ctx, struct nic_xdp_key *key,
                     __u32 l4, __u32 end)
{
    __u8 h[8];
    __u32 hdr_len = 8, type;

    if (key->nw_proto != IPPROTO_UDP || end - l4 < 8) {
        return NIC_XDP_PARSE_OK;
    }
    if (key->tp_dst == bpf_htons(4789)) {
        type = 1;
    } else if (key->tp_dst == bpf_htons(6081)) {
        type = 2;
    } else {
        return NIC_XDP_PARSE_OK;
    }
    if (nic_xdp_load(ctx, l4 + 8, h, 8, end)) {
        return NIC_XDP_PARSE_BAD;
    }
    if (type == 1) {
        if (!(h[0] & 0x08)) {
            return NIC_XDP_PARSE_OK;
        }
    } else {
        if (h[0] >> 6) {
            return NIC_XDP_PARSE_OK;
        }
        hdr_len += (h[0] & 0x3f) * 4;
        if (end - (l4 + 8) < hdr_len) {
            return NIC_XDP_PARSE_BAD;
        }
    }
    key->tun_type = type;
    key->tun_vni = ((__u32) h[4] << 16) | ((__u32) h[5] << 8) | h[6];
    return NIC_XDP_PARSE_OK;
}

static __always_inline int
nic_xdp_parse_ipv4(struct xdp_md *ctx, struct nic_xdp_key *key,
                   struct nic_xdp_ofs *o, __u32 ofs)
{
    __u8 ip[20];
    __u32 ihl, tot_len, avail = o->len - ofs;
    __u16 frag;

    if (nic_xdp_load(ctx, ofs, ip, 20, o->len)) {
        return NIC_XDP_PARSE_BAD;
    }
    ihl = (ip[0] & 0x0f) * 4;
    tot_len = ((__u32) ip[2] << 8) | ip[3];
    if (ihl < 20 || avail < ihl) {
        return NIC_XDP_PARSE_BAD;
    }
    if (tot_len > avail || ihl > tot_len) {
        return NIC_XDP_PARSE_BAD;
    }
    key->nw_tos = ip[1];
    key->nw_ttl = ip[8];
    key->nw_proto = ip[9];
    __builtin_memcpy(key->nw_src, ip + 12, 4);
    __builtin_memcpy(key->nw_dst, ip + 16, 4);
    frag = ((__u16) ip[6] << 8) | ip[7];
    if (frag & 0x3fff) {
        key->nw_frag = 1;
        if (frag & 0x1fff) {
            key->nw_frag |= 2;
        }
    }
    o->l3_end = ofs + tot_len;
    o->l4 = ofs + ihl;
    if (!(key->nw_frag & 2)) {
        nic_xdp_parse_l4(ctx, key, o->l4, o->l3_end);
        return nic_xdp_parse_tunnel(ctx, key, o->l4, o->l3_end);
    }
    return NIC_XDP_PARSE_OK;
}

static __always_inline int
nic_xdp_parse_ipv6(struct xdp_md *ctx, struct nic_xdp_key *key,
                   struct nic_xdp_ofs *o, __u32 ofs)
{
    __u8 ip6[40];
    __u32 payload_len, avail = o->len - ofs, end;
    __u8 nh;
    int i;

    if (nic_xdp_load(ctx, ofs, ip6, 40, o->len)) {
        return NIC_XDP_PARSE_BAD;
    }
    payload_len = ((__u32) ip6[4] << 8) | ip6[5];
    if (40 + payload_len > avail) {
        return NIC_XDP_PARSE_BAD;
    }
    key->nw_tos = ((ip6[0] & 0x0f) << 4) | (ip6[1] >> 4);
    key->nw_ttl = ip6[7];
    __builtin_memcpy(key->nw_src, ip6 + 8, 16);
    __builtin_memcpy(key->nw_dst, ip6 + 24, 16);
    nh = ip6[6];
    end = ofs + 40 + payload_len;
    o->l3_end = end;
    ofs += 40;

    for (i = 0; i < 9; i++) {
        __u8 ext[8];
        __u32 ext_len;

        if (!nic_xdp_is_ipv6_ext(nh)) {
            break;
        }
        if (i >= 8 || nic_xdp_load(ctx, ofs, ext, 8, end)) {
            return NIC_XDP_PARSE_BAD;
        }
        if (nh == IPPROTO_FRAGMENT_) {
            __u16 offlg = ((__u16) ext[2] << 8) | ext[3];

            nh = ext[0];
            ofs += 8;
            if (offlg) {
                key->nw_frag = 1;
                if (offlg & 0xfff8) {
                    key->nw_frag |= 2;
                    key->nw_proto = IPPROTO_FRAGMENT_;
                    o->l4 = ofs;
                    return NIC_XDP_PARSE_OK;
                }
            }
            continue;
        } else if (nh == IPPROTO_AH_) {
            ext_len = ((__u32) ext[1] + 2) * 4;
        } else {
            ext_len = ((__u32) ext[1] + 1) * 8;
        }
        if (end - ofs < ext_len) {
            return NIC_XDP_PARSE_BAD;
        }
        nh = ext[0];
        ofs += ext_len;
    }
    key->nw_proto = nh;
    o->l4 = ofs;
    nic_xdp_parse_l4(ctx, key, ofs, end);
    return nic_xdp_parse_tunnel(ctx, key, ofs, end);
}

static __always_inline void
nic_xdp_parse_arp(struct xdp_md *ctx, struct nic_xdp_key *key, __u32 ofs,
                  __u32 len)
{
    __u8 arp[28];

    if (nic_xdp_load(ctx, ofs, arp, 28, len)) {
        return;
    }
    if (arp[0] == 0 && arp[1] == 1 && arp[2] == 0x08 && arp[3] == 0
        && arp[4] == 6 && arp[5] == 4) {
        __builtin_memcpy(key->nw_src, arp + 14, 4);
        __builtin_memcpy(key->nw_dst, arp + 24, 4);
        key->nw_proto = arp[6] ? 0 : arp[7];
    }
}

static __always_inline int
nic_xdp_parse(struct xdp_md *ctx, struct nic_xdp_key *key,
              struct nic_xdp_ofs *o)
{
    __u8 eth[14];
    __u32 ofs = 12;
    __u16 type;
    int i;

    o->l3 = o->l4 = o->l3_end = NIC_XDP_NONE;
    if (nic_xdp_load(ctx, 0, eth, 14, o->len)) {
        return NIC_XDP_PARSE_RUNT;
    }
    __builtin_memcpy(key->dl_dst, eth, 6);
    __builtin_memcpy(key->dl_src, eth + 6, 6);

    /* Up to two tags, each only if it is there whole with the Ethertype
     * after it; what follows is the Ethertype, a TPID included. */
    type = ((__u16) eth[12] << 8) | eth[13];
    for (i = 0; i < 2; i++) {
        __u8 tag[6];

        if ((type != ETH_P_8021Q && type != ETH_P_8021AD)
            || nic_xdp_load(ctx, ofs, tag, 6, o->len)) {
            break;
        }
        key->vlan_tpid[i] = bpf_htons(type);
        key->vlan_tci[i] = bpf_htons((((__u16) tag[2] << 8) | tag[3])
                                     | 0x1000);
        type = ((__u16) tag[4] << 8) | tag[5];
        ofs += 4;
    }
    /* The Ethertype, or the SNAP type of an 802.3 frame. */
    ofs += 2;
    if (type < ETH_TYPE_MIN) {
        __u8 snap[8];

        if (nic_xdp_load(ctx, ofs, snap, 8, o->len)
            || snap[0] != 0xaa || snap[1] != 0xaa || snap[2] != 3
            || snap[3] || snap[4] || snap[5]) {
            type = FLOW_DL_TYPE_NONE;
        } else {
            type = ((__u16) snap[6] << 8) | snap[7];
            ofs += 8;
            if (type < ETH_TYPE_MIN) {
                type = FLOW_DL_TYPE_NONE;
            }
        }
    }
    key->dl_type = bpf_htons(type);
    o->l3 = ofs;

    if (type == ETH_P_IP) {
        return nic_xdp_parse_ipv4(ctx, key, o, ofs);
    } else if (type == ETH_P_IPV6) {
        return nic_xdp_parse_ipv6(ctx, key, o, ofs);
    } else if (type == ETH_P_ARP || type == ETH_P_RARP) {
        nic_xdp_parse_arp(ctx, key, ofs, o->len);
    }
    return NIC_XDP_PARSE_OK;
}

/* Tables. */

static __always_inline int
nic_xdp_equal(const __u8 *a, const __u8 *b, int n)
{
    for (int i = 0; i < n; i++) {
        if (a[i] != b[i]) {
            return 0;
        }
    }
    return 1;
}

static __always_inline void
nic_xdp_mask_key(struct nic_xdp_key *dst, const struct nic_xdp_key *key,
                 const struct nic_xdp_key *mask)
{
    const __u64 *k = (const __u64 *) key, *m = (const __u64 *) mask;
    __u64 *d = (__u64 *) dst;

#pragma unroll
    for (int i = 0; i < NIC_XDP_KEY_WORDS; i++) {
        d[i] = k[i] & m[i];
    }
}

static __always_inline struct nic_xdp_rule *
nic_xdp_lookup_mask(__u32 idx, struct nic_xdp_scratch *s)
{
    struct nic_xdp_mask *m = bpf_map_lookup_elem(&nic_xdp_masks, &idx);
    void *subtable;

    if (!m || !m->n_rules) {
        return NULL;
    }
    subtable = bpf_map_lookup_elem(&nic_xdp_subtables, &idx);
    if (!subtable) {
        return NULL;
    }
    nic_xdp_mask_key(&s->masked, &s->key, &m->mask);
    return bpf_map_lookup_elem(subtable, &s->masked);
}

/* The exact table first, then the highest-priority wildcard match. */
static __always_inline struct nic_xdp_rule *
nic_xdp_lookup(struct nic_xdp_scratch *s)
{
    struct nic_xdp_rule *best = nic_xdp_lookup_mask(0, s);

    if (best) {
        return best;
    }
    for (__u32 i = 1; i < NIC_XDP_MAX_MASKS; i++) {
        struct nic_xdp_rule *r = nic_xdp_lookup_mask(i, s);

        if (r && (!best || r->priority > best->priority)) {
            best = r;
        }
    }
    return best;
}

/* Checksums, updated incrementally as OVS's recalc_csum16() does (RFC
 * 1624, folded to 16 bits), so that the bytes come out the same. */
static __always_inline __u16
nic_xdp_csum16(__u16 csum, __u16 old, __u16 new)
{
    __u32 sum = (__u16) ~csum + (__u32) (__u16) ~old + new;

    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return ~sum;
}

static __always_inline __u16
nic_xdp_csum32(__u16 csum, const __u8 *old, const __u8 *new)
{
    __u16 o0, o1, n0, n1;

    __builtin_memcpy(&o0, old, 2);
    __builtin_memcpy(&o1, old + 2, 2);
    __builtin_memcpy(&n0, new, 2);
    __builtin_memcpy(&n1, new + 2, 2);
    return nic_xdp_csum16(nic_xdp_csum16(csum, o0, n0), o1, n1);
}

struct nic_xdp_exec {
    struct nic_xdp_ofs o;
    __u32 parse_ok;
    __u16 dl_type;      /* Network order, from the parse. */
    __u8 nw_proto;
};

static __always_inline int
nic_xdp_has_l3(struct xdp_md *ctx, const struct nic_xdp_exec *x, __u32 n)
{
    return x->parse_ok && x->o.l3 != NIC_XDP_NONE
           && x->o.l3 + n <= bpf_xdp_get_buff_len(ctx);
}

static __always_inline __u32
nic_xdp_l4_size(const struct nic_xdp_exec *x)
{
    if (x->o.l4 == NIC_XDP_NONE || x->o.l3_end == NIC_XDP_NONE
        || x->o.l3_end < x->o.l4) {
        return 0;
    }
    return x->o.l3_end - x->o.l4;
}

/* The offset of the L4 checksum to update, or 0 for none
 * (lib/nic-actions.c, nic_l4_csum()). */
static __always_inline __u32
nic_xdp_l4_csum(struct xdp_md *ctx, const struct nic_xdp_exec *x,
                __u8 proto, int ipv6)
{
    __u32 l4_size = nic_xdp_l4_size(x);
    __u16 c;

    if (!l4_size) {
        return 0;
    }
    if (proto == IPPROTO_TCP && l4_size >= 20) {
        return x->o.l4 + 16;
    } else if (proto == IPPROTO_UDP && l4_size >= 8) {
        if (bpf_xdp_load_bytes(ctx, x->o.l4 + 6, &c, 2) || !c) {
            return 0;
        }
        return x->o.l4 + 6;
    } else if (ipv6 && proto == IPPROTO_ICMPV6_ && l4_size >= 4) {
        return x->o.l4 + 2;
    }
    return 0;
}

static __always_inline int
nic_xdp_fix_l4(struct xdp_md *ctx, __u32 at, __u8 proto, const __u8 *old,
               const __u8 *new, int words)
{
    __u16 c;

    if (!at || bpf_xdp_load_bytes(ctx, at, &c, 2)) {
        return 0;
    }
    for (int i = 0; i < 4; i++) {
        if (i < words) {
            c = nic_xdp_csum32(c, old + 4 * i, new + 4 * i);
        }
    }
    if (proto == IPPROTO_UDP && !c) {
        c = 0xffff;
    }
    return bpf_xdp_store_bytes(ctx, at, &c, 2);
}

static __always_inline int
nic_xdp_set_ipv4(struct xdp_md *ctx, struct nic_xdp_exec *x, int src,
                 __be32 addr)
{
    __u8 ip[20];
    __u32 at;
    __u16 c;

    if (!nic_xdp_has_l3(ctx, x, 20)
        || bpf_xdp_load_bytes(ctx, x->o.l3, ip, 20)) {
        return 0;
    }
    at = src ? 12 : 16;
    if (nic_xdp_equal(ip + at, (const __u8 *) &addr, 4)) {
        return 1;
    }
    nic_xdp_fix_l4(ctx, nic_xdp_l4_csum(ctx, x, ip[9], 0), ip[9], ip + at,
                   (const __u8 *) &addr, 1);
    __builtin_memcpy(&c, ip + 10, 2);
    c = nic_xdp_csum32(c, ip + at, (const __u8 *) &addr);
    bpf_xdp_store_bytes(ctx, x->o.l3 + 10, &c, 2);
    bpf_xdp_store_bytes(ctx, x->o.l3 + at, &addr, 4);
    return 1;
}

/* The upper-layer protocol of an IPv6 packet and whether its checksum
 * may be updated (lib/nic-actions.c, nic_ipv6_walk()).  Returns 1 if a
 * routing header with segments left was found. */
static __always_inline int
nic_xdp_ipv6_walk(struct xdp_md *ctx, const struct nic_xdp_exec *x,
                  __u8 *proto, int *csum_ok)
{
    __u32 ofs, remaining;
    __u8 p[8];

    *proto = 0;
    *csum_ok = 1;
    if (x->o.l4 == NIC_XDP_NONE || x->o.l4 - x->o.l3 < 40) {
        return 0;
    }
    remaining = x->o.l4 - x->o.l3 - 40;
    ofs = x->o.l3 + 40;
    if (bpf_xdp_load_bytes(ctx, x->o.l3 + 6, proto, 1)) {
        return 0;
    }
    for (int i = 0; i < 9; i++) {
        __u32 len;

        if (!nic_xdp_is_ipv6_ext(*proto)) {
            break;
        }
        if (remaining < 8 || bpf_xdp_load_bytes(ctx, ofs, p, 8)) {
            return 0;
        }
        if (*proto == IPPROTO_AH_) {
            len = ((__u32) p[1] + 2) * 4;
        } else if (*proto == IPPROTO_FRAGMENT_) {
            __u16 offlg = ((__u16) p[2] << 8) | p[3];

            *csum_ok = !(offlg & 0xfff8) && (offlg & 1);
            len = 8;
        } else if (*proto == IPPROTO_ROUTING_ && p[3] > 0) {
            return 1;
        } else {
            len = ((__u32) p[1] + 1) * 8;
        }
        *proto = p[0];
        if (remaining < len) {
            return 0;
        }
        remaining -= len;
        ofs += len;
    }
    return 0;
}

static __always_inline int
nic_xdp_set_ipv6(struct xdp_md *ctx, struct nic_xdp_exec *x, int src,
                 const __u8 *addr)
{
    __u8 old[16], proto;
    int csum_ok, routed;
    __u32 at;

    if (!nic_xdp_has_l3(ctx, x, 40)) {
        return 0;
    }
    at = x->o.l3 + (src ? 8 : 24);
    if (bpf_xdp_load_bytes(ctx, at, old, 16)) {
        return 0;
    }
    if (nic_xdp_equal(old, addr, 16)) {
        return 1;
    }
    routed = nic_xdp_ipv6_walk(ctx, x, &proto, &csum_ok);
    if (csum_ok && (src || !routed)) {
        nic_xdp_fix_l4(ctx, nic_xdp_l4_csum(ctx, x, proto, 1), proto, old,
                       addr, 4);
    }
    bpf_xdp_store_bytes(ctx, at, (void *) addr, 16);
    return 1;
}

static __always_inline int
nic_xdp_set_ttl(struct xdp_md *ctx, struct nic_xdp_exec *x, __u8 ttl)
{
    if (x->dl_type == bpf_htons(ETH_P_IP) && nic_xdp_has_l3(ctx, x, 20)) {
        __u8 ip[12];
        __u16 c;

        if (bpf_xdp_load_bytes(ctx, x->o.l3, ip, 12)) {
            return 0;
        }
        if (ip[8] != ttl) {
            __u16 o = bpf_htons((__u16) ip[8] << 8);
            __u16 n = bpf_htons((__u16) ttl << 8);

            __builtin_memcpy(&c, ip + 10, 2);
            c = nic_xdp_csum16(c, o, n);
            bpf_xdp_store_bytes(ctx, x->o.l3 + 10, &c, 2);
            bpf_xdp_store_bytes(ctx, x->o.l3 + 8, &ttl, 1);
        }
        return 1;
    } else if (x->dl_type == bpf_htons(ETH_P_IPV6)
               && nic_xdp_has_l3(ctx, x, 40)) {
        bpf_xdp_store_bytes(ctx, x->o.l3 + 7, &ttl, 1);
        return 1;
    }
    return 0;
}

static __always_inline int
nic_xdp_set_tp(struct xdp_md *ctx, struct nic_xdp_exec *x, int src,
               __be16 port)
{
    __u8 proto = x->nw_proto;
    __u32 l4_size = nic_xdp_l4_size(x);
    __u8 h[20];
    __u16 old, c;
    __u32 csum_at;

    if (!x->parse_ok || (proto != IPPROTO_TCP && proto != IPPROTO_UDP)) {
        return 0;
    }
    if (proto == IPPROTO_TCP) {
        __u32 hdr_len;

        if (l4_size < 20 || bpf_xdp_load_bytes(ctx, x->o.l4, h, 20)) {
            return 1;
        }
        hdr_len = (h[12] >> 4) * 4;
        if (hdr_len < 20 || hdr_len > l4_size) {
            return 1;
        }
        csum_at = 16;
    } else {
        if (l4_size < 8 || bpf_xdp_load_bytes(ctx, x->o.l4, h, 8)) {
            return 1;
        }
        csum_at = 6;
    }
    __builtin_memcpy(&old, h + (src ? 0 : 2), 2);
    if (old == port) {
        return 1;
    }
    if (proto == IPPROTO_TCP) {
        __builtin_memcpy(&c, h + 16, 2);
    } else {
        __builtin_memcpy(&c, h + 6, 2);
    }
    if (proto == IPPROTO_TCP || c) {
        c = nic_xdp_csum16(c, old, port);
        if (proto == IPPROTO_UDP && !c) {
            c = 0xffff;
        }
        bpf_xdp_store_bytes(ctx, x->o.l4 + csum_at, &c, 2);
    }
    bpf_xdp_store_bytes(ctx, x->o.l4 + (src ? 0 : 2), &port, 2);
    return 1;
}

static __always_inline void
nic_xdp_shift(struct nic_xdp_exec *x, int delta)
{
    if (x->o.l3 != NIC_XDP_NONE) {
        x->o.l3 += delta;
    }
    if (x->o.l4 != NIC_XDP_NONE) {
        x->o.l4 += delta;
    }
    if (x->o.l3_end != NIC_XDP_NONE) {
        x->o.l3_end += delta;
    }
}

static __always_inline int
nic_xdp_push_vlan(struct xdp_md *ctx, const struct nic_xdp_action *a)
{
    __u8 macs[12];
    __be16 tag[2];

    if (bpf_xdp_get_buff_len(ctx) < 12
        || bpf_xdp_load_bytes(ctx, 0, macs, 12)
        || bpf_xdp_adjust_head(ctx, -4)
        || bpf_xdp_store_bytes(ctx, 0, macs, 12)) {
        return 0;
    }
    tag[0] = a->u.vlan.tpid ? a->u.vlan.tpid : bpf_htons(ETH_P_8021Q);
    tag[1] = a->u.vlan.tci & bpf_htons(~0x1000);
    return !bpf_xdp_store_bytes(ctx, 12, tag, 4);
}

/* Returns 1 if a tag was popped. */
static __always_inline int
nic_xdp_pop_vlan(struct xdp_md *ctx)
{
    __u8 h[14];
    __u16 type;

    if (bpf_xdp_get_buff_len(ctx) < 18 || bpf_xdp_load_bytes(ctx, 0, h, 14)) {
        return 0;
    }
    type = ((__u16) h[12] << 8) | h[13];
    if (type != ETH_P_8021Q && type != ETH_P_8021AD) {
        return 0;
    }
    if (bpf_xdp_store_bytes(ctx, 4, h, 12) || bpf_xdp_adjust_head(ctx, 4)) {
        return 0;
    }
    return 1;
}

static __always_inline void
nic_xdp_count_port(__u32 slot, int which, __u32 idx, __u64 len)
{
    struct nic_xdp_port_stats *st;

    st = bpf_map_lookup_elem(&nic_xdp_port_stats, &slot);
    if (!st) {
        return;
    }
    if (which == 0) {
        st->fwd_packets++;
    } else if (which == 1) {
        if (idx < NIC_XDP_N_HOST) {
            st->host[idx]++;
        }
    } else if (which == 2) {
        if (idx < NIC_XDP_N_DROP) {
            st->drop[idx]++;
        }
    } else {
        st->tx_packets++;
        st->tx_bytes += len;
    }
}

static __always_inline void
nic_xdp_set_trace(__u32 verdict, __u32 reason, __u32 out, __u32 rule)
{
    __u32 zero = 0;
    struct nic_xdp_trace *t = bpf_map_lookup_elem(&nic_xdp_trace, &zero);

    if (t) {
        t->verdict = verdict;
        t->reason = reason;
        t->out_slot = out;
        t->rule_slot = rule;
    }
}

static __always_inline int
nic_xdp_drop(__u32 slot, __u32 reason, __u32 rule)
{
    nic_xdp_count_port(slot, 2, reason, 0);
    nic_xdp_set_trace(NIC_XDP_V_DROP, reason, 0, rule);
    return XDP_DROP;
}

static __always_inline int
nic_xdp_to_host(struct xdp_md *ctx, __u32 slot, __u32 reason, __u32 rule)
{
    __u32 q = ctx->rx_queue_index;
    __u32 idx = slot * NIC_XDP_MAX_QUEUES + q;

    /* No socket on this queue: the representor is not open. */
    if (q >= NIC_XDP_MAX_QUEUES || !bpf_map_lookup_elem(&nic_xdp_xsks, &idx)) {
        return nic_xdp_drop(slot, NIC_XDP_DROP_NO_REPRESENTOR, rule);
    }
    nic_xdp_count_port(slot, 1, reason, 0);
    nic_xdp_set_trace(NIC_XDP_V_HOST, reason, 0, rule);
    return bpf_redirect_map(&nic_xdp_xsks, idx, XDP_DROP);
}

/* Applies one non-terminal action.  Returns 1 on success, 0 if it could
 * not apply (the packet is then dropped as action-failed). */
__attribute__((noinline)) int
nic_xdp_exec_action(struct xdp_md *ctx, const struct nic_xdp_action *a,
                    struct nic_xdp_exec *x)
{
    int ok = 1;

    if (!ctx || !a || !x) {
        return 0;
    }
    switch (a->type) {
    case NIC_XDP_ACT_PUSH_VLAN:
        ok = nic_xdp_push_vlan(ctx, a);
        if (ok) {
            nic_xdp_shift(x, 4);
        }
        break;
    case NIC_XDP_ACT_POP_VLAN:
        if (nic_xdp_pop_vlan(ctx)) {
            nic_xdp_shift(x, -4);
        }
        break;
    case NIC_XDP_ACT_SET_ETH_SRC:
    case NIC_XDP_ACT_SET_ETH_DST:
        ok = (bpf_xdp_get_buff_len(ctx) >= 14
              && !bpf_xdp_store_bytes(ctx, a->type
                                      == NIC_XDP_ACT_SET_ETH_DST ? 0 : 6,
                                      (void *) a->u.mac, 6));
        break;
    case NIC_XDP_ACT_SET_IPV4_SRC:
    case NIC_XDP_ACT_SET_IPV4_DST:
        ok = nic_xdp_set_ipv4(ctx, x,
                              a->type == NIC_XDP_ACT_SET_IPV4_SRC,
                              a->u.ipv4);
        break;
    case NIC_XDP_ACT_SET_IPV6_SRC:
    case NIC_XDP_ACT_SET_IPV6_DST:
        ok = nic_xdp_set_ipv6(ctx, x,
                              a->type == NIC_XDP_ACT_SET_IPV6_SRC,
                              a->u.ipv6);
        break;
    case NIC_XDP_ACT_SET_TTL:
        ok = nic_xdp_set_ttl(ctx, x, a->u.ttl);
        break;
    case NIC_XDP_ACT_SET_TP_SRC:
    case NIC_XDP_ACT_SET_TP_DST:
        ok = nic_xdp_set_tp(ctx, x, a->type == NIC_XDP_ACT_SET_TP_SRC,
                            a->u.tp);
        break;
    default:
        ok = 0;
        break;
    }
    return ok;
}

SEC("xdp")
int
nic_xdp_main(struct xdp_md *ctx)
{
    __u32 ifindex = ctx->ingress_ifindex, zero = 0, slot, rule_slot;
    struct nic_xdp_port_info *pi;
    struct nic_xdp_port_stats *st;
    struct nic_xdp_scratch *s;
    struct nic_xdp_counter *rc;
    struct nic_xdp_rule *rule;
    struct nic_xdp_exec x;
    __u64 len;
    int status;

    pi = bpf_map_lookup_elem(&nic_xdp_ports, &ifindex);
    s = bpf_map_lookup_elem(&nic_xdp_scratch, &zero);
    if (!pi || !s) {
        nic_xdp_set_trace(NIC_XDP_V_PASS, 0, 0, 0);
        return XDP_PASS;
    }
    slot = pi->slot;
    len = bpf_xdp_get_buff_len(ctx);
    st = bpf_map_lookup_elem(&nic_xdp_port_stats, &slot);
    if (st) {
        st->rx_packets++;
        st->rx_bytes += len;
    }

    __builtin_memset(&s->key, 0, sizeof s->key);
    s->key.in_port = pi->port_no;
    __builtin_memset(&x, 0, sizeof x);
    x.o.len = len;
    status = nic_xdp_parse(ctx, &s->key, &x.o);
    if (status == NIC_XDP_PARSE_RUNT) {
        return nic_xdp_drop(slot, NIC_XDP_DROP_RUNT, ~0u);
    } else if (status != NIC_XDP_PARSE_OK) {
        return nic_xdp_to_host(ctx, slot, NIC_XDP_HOST_PARSE, ~0u);
    }
    x.parse_ok = 1;
    x.dl_type = s->key.dl_type;
    x.nw_proto = s->key.nw_proto;

    rule = nic_xdp_lookup(s);
    if (!rule) {
        return nic_xdp_to_host(ctx, slot, NIC_XDP_HOST_MISS, ~0u);
    }
    rule_slot = rule->slot;
    rc = bpf_map_lookup_elem(&nic_xdp_rule_stats, &rule_slot);
    if (rc) {
        rc->packets++;
        rc->bytes += len;
    }

    for (int i = 0; i < NIC_XDP_MAX_ACTIONS; i++) {
        const struct nic_xdp_action *a = &rule->acts[i];

        if (i >= rule->n_actions) {
            break;
        }
        switch (a->type) {
        case NIC_XDP_ACT_OUTPUT: {
            __u32 out = a->u.slot;

            if (!bpf_map_lookup_elem(&nic_xdp_tx, &out)) {
                return nic_xdp_drop(slot, NIC_XDP_DROP_NO_PORT, rule_slot);
            }
            if (st) {
                st->fwd_packets++;
            }
            nic_xdp_count_port(out, 3, 0, bpf_xdp_get_buff_len(ctx));
            nic_xdp_set_trace(NIC_XDP_V_OUTPUT, 0, out, rule_slot);
            return bpf_redirect_map(&nic_xdp_tx, out, XDP_DROP);
        }
        case NIC_XDP_ACT_TO_HOST:
            return nic_xdp_to_host(ctx, slot, NIC_XDP_HOST_RULE, rule_slot);
        case NIC_XDP_ACT_DROP:
            return nic_xdp_drop(slot, NIC_XDP_DROP_RULE, rule_slot);
        default:
            /* A global function is verified once, not once per action
             * slot of every path through the loop. */
            if (!nic_xdp_exec_action(ctx, a, &x)) {
                return nic_xdp_drop(slot, NIC_XDP_DROP_ACTION, rule_slot);
            }
            break;
        }
    }
    /* No output action: the rule consumed the packet. */
    return nic_xdp_drop(slot, NIC_XDP_DROP_RULE, rule_slot);
}
