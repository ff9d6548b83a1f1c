/* SPDX-License-Identifier: Apache-2.0 */
/* Executes NIC rule actions on a packet, with the bytes that OVS's
 * odp_execute_actions() gives. */
#include <config.h>

#include "lib/nic-actions.h"

#include <errno.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "packets.h"
#include "lib/nic-parse.h"

/* How the actions work.  Each one gives the bytes that OVS's
 * odp_execute_actions() gives for the same ODP action, on every packet that
 * nic_parse() accepts: header offsets come from the parse of the packet as
 * received and move with VLAN pushes and pops, as dp_packet's offsets do in
 * OVS; a field is written only when its value changes and checksums are
 * fixed up exactly where and how OVS fixes them up, fragments and IPv6
 * routing headers included.  Only encapsulation re-parses. */
struct nic_exec_state {
    struct nic_flow_key key;
    struct nic_parse_offsets ofs;
    enum nic_parse_status status;
};

static void
nic_exec_reparse(struct dp_packet *pkt, uint32_t in_port,
                 struct nic_exec_state *s)
{
    s->status = nic_parse(dp_packet_data(pkt), dp_packet_size(pkt), in_port,
                          &s->key, &s->ofs);
}

static uint8_t *
nic_at(struct dp_packet *pkt, uint16_t ofs)
{
    return (uint8_t *) dp_packet_data(pkt) + ofs;
}

static ovs_be16
nic_read16(const uint8_t *p)
{
    ovs_be16 v;

    memcpy(&v, p, 2);
    return v;
}

static void
nic_write16(uint8_t *p, ovs_be16 v)
{
    memcpy(p, &v, 2);
}

/* Moves the header offsets after 'delta' bytes were added to (or removed
 * from) the L2 header. */
static void
nic_exec_shift(struct nic_exec_state *s, int delta)
{
    uint16_t *ofs[] = { &s->ofs.l3, &s->ofs.l4, &s->ofs.l3_end,
                        &s->ofs.tunnel, &s->ofs.inner_l2 };

    for (size_t i = 0; i < ARRAY_SIZE(ofs); i++) {
        if (*ofs[i] != UINT16_MAX) {
            *ofs[i] += delta;
        }
    }
}

int
nic_packet_push_vlan(struct dp_packet *pkt, ovs_be16 tpid, ovs_be16 tci)
{
    uint8_t *p;

    if (dp_packet_size(pkt) < 2 * ETH_ADDR_LEN) {
        return EINVAL;
    }
    p = dp_packet_push_uninit(pkt, VLAN_HEADER_LEN);
    memmove(p, p + VLAN_HEADER_LEN, 2 * ETH_ADDR_LEN);
    nic_write16(p + 12, tpid ? tpid : htons(ETH_TYPE_VLAN_8021Q));
    nic_write16(p + 14, tci & ~htons(NIC_VLAN_PRESENT));
    return 0;
}

/* Removes the outer tag.  Returns 0, or EAGAIN if there is none: as for
 * OVS, popping from an untagged packet leaves it as it is. */
int
nic_packet_pop_vlan(struct dp_packet *pkt)
{
    uint8_t *p = dp_packet_data(pkt);
    ovs_be16 type;

    if (dp_packet_size(pkt) < ETH_HEADER_LEN + VLAN_HEADER_LEN) {
        return EAGAIN;
    }
    type = nic_read16(p + 12);
    if (type != htons(ETH_TYPE_VLAN_8021Q)
        && type != htons(ETH_TYPE_VLAN_8021AD)) {
        return EAGAIN;
    }
    memmove(p + VLAN_HEADER_LEN, p, 2 * ETH_ADDR_LEN);
    dp_packet_pull(pkt, VLAN_HEADER_LEN);
    return 0;
}

/* Bytes of L4 data: from the L4 offset to the end of the IP datagram. */
static size_t
nic_l4_size(const struct nic_exec_state *s)
{
    return (s->ofs.l4 == UINT16_MAX || s->ofs.l3_end == UINT16_MAX
            || s->ofs.l3_end < s->ofs.l4
            ? 0 : s->ofs.l3_end - s->ofs.l4);
}

/* Whether the L4 header may be written for 'proto' ("set(tcp)" or
 * "set(udp)"): where OVS finds a TCP header with a sane data offset, or 8
 * bytes of UDP header, later IPv4 fragments included. */
static bool
nic_l4_header_ok(struct dp_packet *pkt, const struct nic_exec_state *s,
                 uint8_t proto)
{
    size_t l4_size = nic_l4_size(s);

    if (proto == IPPROTO_TCP) {
        size_t hdr_len;

        if (l4_size < TCP_HEADER_LEN) {
            return false;
        }
        hdr_len = (nic_at(pkt, s->ofs.l4)[12] >> 4) * 4;
        return hdr_len >= TCP_HEADER_LEN && hdr_len <= l4_size;
    }
    return proto == IPPROTO_UDP && l4_size >= UDP_HEADER_LEN;
}

/* The L4 checksum of 'proto' that an address change must fix up, or NULL:
 * TCP and UDP (a zero UDP checksum means "none"), and for IPv6 also
 * ICMPv6, each when OVS sees at least its fixed header. */
static uint8_t *
nic_l4_csum(struct dp_packet *pkt, const struct nic_exec_state *s,
            uint8_t proto, bool ipv6)
{
    size_t l4_size = nic_l4_size(s);
    uint8_t *l4;

    if (!l4_size) {
        return NULL;
    }
    l4 = nic_at(pkt, s->ofs.l4);
    if (proto == IPPROTO_TCP && l4_size >= TCP_HEADER_LEN) {
        return l4 + 16;
    } else if (proto == IPPROTO_UDP && l4_size >= UDP_HEADER_LEN) {
        return nic_read16(l4 + 6) ? l4 + 6 : NULL;
    } else if (ipv6 && proto == IPPROTO_ICMPV6 && l4_size >= 4) {
        return l4 + 2;
    }
    return NULL;
}

static void
nic_fix_udp_zero(uint8_t *csum, uint8_t proto)
{
    if (proto == IPPROTO_UDP && !nic_read16(csum)) {
        nic_write16(csum, htons(0xffff));
    }
}

static bool
nic_has_l3(struct dp_packet *pkt, const struct nic_exec_state *s,
           size_t len)
{
    return (s->status == NIC_PARSE_OK && s->ofs.l3 != UINT16_MAX
            && s->ofs.l3 + len <= dp_packet_size(pkt));
}

static bool
nic_set_ipv4_addr(struct dp_packet *pkt, struct nic_exec_state *s,
                  bool src, ovs_be32 addr)
{
    uint8_t *ip, *csum;
    ovs_be32 old;

    if (!nic_has_l3(pkt, s, IP_HEADER_LEN)) {
        return false;
    }
    ip = nic_at(pkt, s->ofs.l3);
    memcpy(&old, ip + (src ? 12 : 16), 4);
    if (old == addr) {
        return true;
    }
    csum = nic_l4_csum(pkt, s, ip[9], false);
    if (csum) {
        nic_write16(csum, recalc_csum32(nic_read16(csum), old, addr));
        nic_fix_udp_zero(csum, ip[9]);
    }
    nic_write16(ip + 10, recalc_csum32(nic_read16(ip + 10), old, addr));
    memcpy(ip + (src ? 12 : 16), &addr, 4);
    return true;
}

/* Walks the IPv6 extension headers between L3 and L4 as OVS does before
 * rewriting an address, and says which L4 checksum the rewrite touches:
 * '*proto' is the last next-header value seen, '*csum_ok' is false after a
 * fragment header that is not a first fragment with more to come, and the
 * return value is true if a routing header with segments left was found
 * (the destination then does not enter the L4 checksum). */
static bool
nic_ipv6_walk(struct dp_packet *pkt, const struct nic_exec_state *s,
              uint8_t *proto, bool *csum_ok)
{
    const uint8_t *p = nic_at(pkt, s->ofs.l3);
    size_t remaining = s->ofs.l4 - s->ofs.l3;

    *proto = 0;
    *csum_ok = true;
    if (s->ofs.l4 == UINT16_MAX || remaining < IPV6_HEADER_LEN) {
        return false;
    }
    *proto = p[6];
    p += IPV6_HEADER_LEN;
    remaining -= IPV6_HEADER_LEN;
    while (nic_is_ipv6_ext_proto(*proto)) {
        size_t len;

        if (remaining < 8) {
            return false;
        }
        if (*proto == IPPROTO_AH) {
            len = (p[1] + 2) * 4;
        } else if (*proto == IPPROTO_FRAGMENT) {
            uint16_t offlg = ntohs(nic_read16(p + 2));

            *csum_ok = !(offlg & 0xfff8) && (offlg & 1);
            len = 8;
        } else if (*proto == IPPROTO_ROUTING && p[3] > 0) {
            return true;
        } else {
            len = (p[1] + 1) * 8;
        }
        *proto = p[0];
        if (remaining < len) {
            return false;
        }
        remaining -= len;
        p += len;
    }
    return false;
}

static bool
nic_set_ipv6_addr(struct dp_packet *pkt, struct nic_exec_state *s,
                  bool src, const uint8_t addr[16])
{
    bool csum_ok, routed;
    uint8_t *p, *csum;
    uint8_t proto;

    if (!nic_has_l3(pkt, s, IPV6_HEADER_LEN)) {
        return false;
    }
    p = nic_at(pkt, s->ofs.l3 + (src ? 8 : 24));
    if (!memcmp(p, addr, 16)) {
        return true;
    }
    routed = nic_ipv6_walk(pkt, s, &proto, &csum_ok);
    csum = (csum_ok && (src || !routed)
            ? nic_l4_csum(pkt, s, proto, true) : NULL);
    if (csum) {
        ovs_be16 c = nic_read16(csum);

        for (int i = 0; i < 4; i++) {
            ovs_be32 old, new;

            memcpy(&old, p + 4 * i, 4);
            memcpy(&new, addr + 4 * i, 4);
            c = recalc_csum32(c, old, new);
        }
        nic_write16(csum, c);
        nic_fix_udp_zero(csum, proto);
    }
    memcpy(p, addr, 16);
    return true;
}

static bool
nic_set_ttl(struct dp_packet *pkt, struct nic_exec_state *s, uint8_t ttl)
{
    uint8_t *ip;

    if (s->key.dl_type == htons(ETH_TYPE_IP)
        && nic_has_l3(pkt, s, IP_HEADER_LEN)) {
        ip = nic_at(pkt, s->ofs.l3);
        if (ip[8] != ttl) {
            nic_write16(ip + 10, recalc_csum16(nic_read16(ip + 10),
                                               htons(ip[8] << 8),
                                               htons(ttl << 8)));
            ip[8] = ttl;
        }
    } else if (s->key.dl_type == htons(ETH_TYPE_IPV6)
               && nic_has_l3(pkt, s, IPV6_HEADER_LEN)) {
        nic_at(pkt, s->ofs.l3)[7] = ttl;
    } else {
        return false;
    }
    return true;
}

/* set(tcp) or set(udp) of one port, chosen by the protocol of the packet
 * as parsed.  Where OVS finds no header it leaves the packet alone, and so
 * does the NIC; only a packet of neither protocol is refused. */
static bool
nic_set_tp_port(struct dp_packet *pkt, struct nic_exec_state *s, bool src,
                ovs_be16 port)
{
    uint8_t proto = s->key.nw_proto;
    uint8_t *l4, *csum;
    ovs_be16 old;

    if (s->status != NIC_PARSE_OK
        || (proto != IPPROTO_TCP && proto != IPPROTO_UDP)) {
        return false;
    }
    if (!nic_l4_header_ok(pkt, s, proto)) {
        return true;
    }
    l4 = nic_at(pkt, s->ofs.l4);
    old = nic_read16(l4 + (src ? 0 : 2));
    if (old == port) {
        return true;
    }
    csum = l4 + (proto == IPPROTO_TCP ? 16 : 6);
    if (proto == IPPROTO_TCP || nic_read16(csum)) {
        nic_write16(csum, recalc_csum16(nic_read16(csum), old, port));
        nic_fix_udp_zero(csum, proto);
    }
    nic_write16(l4 + (src ? 0 : 2), port);
    return true;
}

/* The UDP source port OVS's tnl_push gives: dpif-netdev's RSS hash of the
 * packet as received (flow_hash_5tuple(), the fields 'inner' holds as
 * flow_extract() does) scaled into the port range. */
static ovs_be16
nic_encap_src_port(const struct nic_action *a,
                   const struct nic_exec_state *s)
{
    const struct nic_flow_key *inner = &s->key;
    struct flow flow;
    uint32_t hash;

    memset(&flow, 0, sizeof flow);
    /* Behind more tags than OVS parses, OVS sees a TPID as dl_type: no
     * L3 fields in the hash. */
    flow.dl_type = (s->ofs.n_vlans > a->encap.vlan_limit
                    ? htons(ETH_TYPE_VLAN_8021Q) : inner->dl_type);
    if (inner->dl_type == htons(ETH_TYPE_IPV6)) {
        memcpy(&flow.ipv6_src, inner->nw_src, 16);
        memcpy(&flow.ipv6_dst, inner->nw_dst, 16);
    } else {
        memcpy(&flow.nw_src, inner->nw_src, 4);
        memcpy(&flow.nw_dst, inner->nw_dst, 4);
    }
    flow.nw_proto = inner->nw_proto;
    flow.tp_src = inner->tp_src;
    flow.tp_dst = inner->tp_dst;
    hash = flow_hash_5tuple(&flow, 0);
    return htons((((uint64_t) hash * (a->encap.sport_max
                                      - a->encap.sport_min)) >> 32)
                 + a->encap.sport_min);
}

/* Pushes the encap template and fills in the per-packet lengths and the
 * outer IPv4 checksum.  Without NIC_ENCAP_F_OVS the outer UDP checksum is
 * left zero (RFC 7348); with it, see nic-rule.h. */
static bool
nic_encap(struct dp_packet *pkt, const struct nic_action *a,
          const struct nic_exec_state *s)
{
    bool ovs = a->encap.flags & NIC_ENCAP_F_OVS;
    size_t inner_len = dp_packet_size(pkt);
    uint8_t *h = dp_packet_push_uninit(pkt, a->encap.len);
    ovs_be16 type;
    size_t l3 = ETH_HEADER_LEN, l4;
    size_t udp_len;
    uint8_t *udp;

    memcpy(h, a->encap.hdr, a->encap.len);
    type = nic_read16(h + 12);
    if (type == htons(ETH_TYPE_IP)) {
        size_t ihl = (h[l3] & 0x0f) * 4;
        ovs_be16 tot_len = htons(a->encap.len - l3 + inner_len);

        l4 = l3 + ihl;
        nic_write16(h + l3 + 2, tot_len);
        if (ovs) {
            /* OVS's header has tot_len 0 and the checksum for it. */
            nic_write16(h + l3 + 10, recalc_csum16(nic_read16(h + l3 + 10),
                                                   0, tot_len));
        } else {
            nic_write16(h + l3 + 10, 0);
            nic_write16(h + l3 + 10, csum(h + l3, ihl));
        }
    } else if (type == htons(ETH_TYPE_IPV6)) {
        l4 = l3 + IPV6_HEADER_LEN;
        nic_write16(h + l3 + 4, htons(a->encap.len - l4 + inner_len));
    } else {
        dp_packet_pull(pkt, a->encap.len);
        return false;
    }
    if (l4 + UDP_HEADER_LEN > a->encap.len) {
        dp_packet_pull(pkt, a->encap.len);
        return false;
    }
    udp = h + l4;
    udp_len = a->encap.len - l4 + inner_len;
    nic_write16(udp + 4, htons(udp_len));
    if (!ovs) {
        nic_write16(udp + 6, 0);
        return true;
    }
    nic_write16(udp, nic_encap_src_port(a, s));
    if (nic_read16(udp + 6)) {
        uint32_t sum;
        ovs_be16 c;

        sum = (type == htons(ETH_TYPE_IP)
               ? packet_csum_pseudoheader(ALIGNED_CAST(struct ip_header *,
                                                       h + l3))
               : packet_csum_pseudoheader6(
                   ALIGNED_CAST(struct ovs_16aligned_ip6_hdr *, h + l3)));
        c = csum_finish(csum_continue(sum, udp, udp_len));
        nic_write16(udp + 6, c ? c : htons(0xffff));
    }
    return true;
}

void
nic_actions_execute(struct dp_packet *pkt, uint32_t in_port,
                    const struct nic_action *acts, size_t n,
                    struct nic_exec_ctx *ctx)
{
    struct nic_exec_state s;
    uint32_t queue = UINT32_MAX, mark = 0;
    size_t last_output = SIZE_MAX;

    memset(&s, 0, sizeof s);
    s.status = NIC_PARSE_RUNT;
    ctx->n_outputs = 0;
    ctx->dropped = false;
    ctx->malformed = false;
    for (size_t i = 0; i < n; i++) {
        if (acts[i].type == NIC_ACT_OUTPUT
            || acts[i].type == NIC_ACT_TO_HOST) {
            last_output = i;
        }
    }
    /* Most rules only output: parse only if an action needs fields, and
     * then the packet as received, whose offsets OVS's actions use too. */
    for (size_t i = 0; i < n; i++) {
        enum nic_action_type t = acts[i].type;

        if (t != NIC_ACT_OUTPUT && t != NIC_ACT_TO_HOST && t != NIC_ACT_DROP
            && t != NIC_ACT_SET_QUEUE && t != NIC_ACT_MARK
            && t != NIC_ACT_COUNT) {
            nic_exec_reparse(pkt, in_port, &s);
            break;
        }
    }

    for (size_t i = 0; i < n; i++) {
        const struct nic_action *a = &acts[i];
        bool ok = true;

        switch (a->type) {
        case NIC_ACT_OUTPUT:
        case NIC_ACT_TO_HOST: {
            struct dp_packet *out = (i == last_output
                                     ? pkt : dp_packet_clone(pkt));

            ctx->output(ctx, out, a->type == NIC_ACT_TO_HOST, a->port,
                        queue, mark);
            ctx->n_outputs++;
            if (i == last_output) {
                return;
            }
            break;
        }
        case NIC_ACT_DROP:
            ctx->dropped = true;
            dp_packet_delete(pkt);
            return;
        case NIC_ACT_PUSH_VLAN:
            ok = !nic_packet_push_vlan(pkt, a->vlan_tpid, a->vlan_tci);
            if (ok) {
                nic_exec_shift(&s, VLAN_HEADER_LEN);
            }
            break;
        case NIC_ACT_POP_VLAN:
            if (!nic_packet_pop_vlan(pkt)) {
                nic_exec_shift(&s, -VLAN_HEADER_LEN);
            }
            break;
        case NIC_ACT_SET_ETH_SRC:
        case NIC_ACT_SET_ETH_DST:
            if (dp_packet_size(pkt) < ETH_HEADER_LEN) {
                ok = false;
            } else {
                memcpy(nic_at(pkt, a->type == NIC_ACT_SET_ETH_DST ? 0 : 6),
                       &a->mac, ETH_ADDR_LEN);
            }
            break;
        case NIC_ACT_SET_IPV4_SRC:
        case NIC_ACT_SET_IPV4_DST:
            ok = nic_set_ipv4_addr(pkt, &s, a->type == NIC_ACT_SET_IPV4_SRC,
                                   a->ipv4);
            break;
        case NIC_ACT_SET_IPV6_SRC:
        case NIC_ACT_SET_IPV6_DST:
            ok = nic_set_ipv6_addr(pkt, &s, a->type == NIC_ACT_SET_IPV6_SRC,
                                   a->ipv6);
            break;
        case NIC_ACT_SET_IP_TTL:
            ok = nic_set_ttl(pkt, &s, a->ttl);
            break;
        case NIC_ACT_SET_TP_SRC:
        case NIC_ACT_SET_TP_DST:
            ok = nic_set_tp_port(pkt, &s, a->type == NIC_ACT_SET_TP_SRC,
                                 a->tp_port);
            break;
        case NIC_ACT_ENCAP:
            ok = nic_encap(pkt, a, &s);
            nic_exec_reparse(pkt, in_port, &s);
            break;
        case NIC_ACT_DECAP:
            if (s.key.tun_type == NIC_TUNNEL_NONE
                || s.ofs.inner_l2 > dp_packet_size(pkt)) {
                ok = false;
            } else {
                dp_packet_pull(pkt, s.ofs.inner_l2);
                nic_exec_reparse(pkt, in_port, &s);
            }
            break;
        case NIC_ACT_TNL_POP:
            if (ctx->tnl_pop && ctx->tnl_pop(ctx, pkt, a->port, &s.key,
                                             &s.ofs)) {
                return;
            }
            break;
        case NIC_ACT_SET_QUEUE:
            queue = a->queue;
            break;
        case NIC_ACT_MARK:
            mark = a->mark;
            break;
        case NIC_ACT_COUNT:
            /* Counted by the pipeline, which owns the counters. */
            break;
        case NIC_N_ACTIONS:
        default:
            ok = false;
            break;
        }
        if (!ok) {
            ctx->malformed = true;
            ctx->dropped = true;
            dp_packet_delete(pkt);
            return;
        }
    }
    /* No output action: the rule consumed the packet. */
    ctx->dropped = true;
    dp_packet_delete(pkt);
}
