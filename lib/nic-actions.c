#include <config.h>

#include "lib/nic-actions.h"

#include <errno.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "packets.h"
#include "lib/nic-parse.h"

/* Parsed view of the packet, refreshed after every action that moves
 * headers (VLAN push/pop, encap, decap). */
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

int
nic_packet_push_vlan(struct dp_packet *pkt, ovs_be16 tci)
{
    uint8_t *p;

    if (dp_packet_size(pkt) < ETH_HEADER_LEN) {
        return EINVAL;
    }
    p = dp_packet_push_uninit(pkt, VLAN_HEADER_LEN);
    memmove(p, p + VLAN_HEADER_LEN, 2 * ETH_ADDR_LEN);
    nic_write16(p + 12, htons(ETH_TYPE_VLAN_8021Q));
    nic_write16(p + 14, tci & ~htons(NIC_VLAN_PRESENT));
    return 0;
}

int
nic_packet_pop_vlan(struct dp_packet *pkt)
{
    uint8_t *p = dp_packet_data(pkt);
    ovs_be16 type;

    if (dp_packet_size(pkt) < ETH_HEADER_LEN + VLAN_HEADER_LEN) {
        return EINVAL;
    }
    type = nic_read16(p + 12);
    if (type != htons(ETH_TYPE_VLAN_8021Q)
        && type != htons(ETH_TYPE_VLAN_8021AD)) {
        return EINVAL;
    }
    memmove(p + VLAN_HEADER_LEN, p, 2 * ETH_ADDR_LEN);
    dp_packet_pull(pkt, VLAN_HEADER_LEN);
    return 0;
}

/* Offset of the L4 checksum for TCP and UDP, 0 if none applies. */
static size_t
nic_l4_csum_ofs(const struct nic_exec_state *s)
{
    if (s->ofs.l4 == UINT16_MAX || s->key.nw_frag == NIC_FRAG_LATER) {
        return 0;
    }
    return (s->key.nw_proto == IPPROTO_TCP ? s->ofs.l4 + 16
            : s->key.nw_proto == IPPROTO_UDP ? s->ofs.l4 + 6
            : 0);
}

/* Updates the L4 checksum for a changed 32-bit word of the pseudo header
 * or L4 header.  A UDP checksum of zero means "none" and stays so. */
static void
nic_fix_l4_csum32(struct dp_packet *pkt, const struct nic_exec_state *s,
                  ovs_be32 old, ovs_be32 new)
{
    size_t ofs = nic_l4_csum_ofs(s);
    ovs_be16 csum;

    if (!ofs || ofs + 2 > dp_packet_size(pkt)) {
        return;
    }
    csum = nic_read16(nic_at(pkt, ofs));
    if (s->key.nw_proto == IPPROTO_UDP && !csum) {
        return;
    }
    csum = recalc_csum32(csum, old, new);
    if (s->key.nw_proto == IPPROTO_UDP && !csum) {
        csum = htons(0xffff);
    }
    nic_write16(nic_at(pkt, ofs), csum);
}

static bool
nic_is_ipv4(const struct nic_exec_state *s)
{
    return s->key.dl_type == htons(ETH_TYPE_IP) && s->ofs.l3 != UINT16_MAX
           && s->status == NIC_PARSE_OK;
}

static bool
nic_is_ipv6(const struct nic_exec_state *s)
{
    return s->key.dl_type == htons(ETH_TYPE_IPV6) && s->ofs.l3 != UINT16_MAX
           && s->status == NIC_PARSE_OK;
}

static bool
nic_set_ipv4_addr(struct dp_packet *pkt, struct nic_exec_state *s,
                  bool src, ovs_be32 addr)
{
    uint8_t *ip;
    ovs_be32 old;

    if (!nic_is_ipv4(s)) {
        return false;
    }
    ip = nic_at(pkt, s->ofs.l3);
    memcpy(&old, ip + (src ? 12 : 16), 4);
    memcpy(ip + (src ? 12 : 16), &addr, 4);
    nic_write16(ip + 10, recalc_csum32(nic_read16(ip + 10), old, addr));
    nic_fix_l4_csum32(pkt, s, old, addr);
    memcpy(src ? s->key.nw_src : s->key.nw_dst, &addr, 4);
    return true;
}

static bool
nic_set_ipv6_addr(struct dp_packet *pkt, struct nic_exec_state *s,
                  bool src, const uint8_t addr[16])
{
    uint8_t *p;

    if (!nic_is_ipv6(s)) {
        return false;
    }
    p = nic_at(pkt, s->ofs.l3 + (src ? 8 : 24));
    for (int i = 0; i < 4; i++) {
        ovs_be32 old, new;

        memcpy(&old, p + 4 * i, 4);
        memcpy(&new, addr + 4 * i, 4);
        nic_fix_l4_csum32(pkt, s, old, new);
    }
    memcpy(p, addr, 16);
    memcpy(src ? s->key.nw_src : s->key.nw_dst, addr, 16);
    return true;
}

static bool
nic_set_ttl(struct dp_packet *pkt, struct nic_exec_state *s, uint8_t ttl)
{
    uint8_t *ip;

    if (nic_is_ipv4(s)) {
        ovs_be16 old, new;

        ip = nic_at(pkt, s->ofs.l3);
        old = nic_read16(ip + 8);
        ip[8] = ttl;
        new = nic_read16(ip + 8);
        nic_write16(ip + 10, recalc_csum16(nic_read16(ip + 10), old, new));
    } else if (nic_is_ipv6(s)) {
        nic_at(pkt, s->ofs.l3)[7] = ttl;
    } else {
        return false;
    }
    s->key.nw_ttl = ttl;
    return true;
}

static bool
nic_set_tp_port(struct dp_packet *pkt, struct nic_exec_state *s, bool src,
                ovs_be16 port)
{
    uint8_t *l4;
    ovs_be16 old;
    size_t csum_ofs = nic_l4_csum_ofs(s);

    if (!csum_ofs) {
        return false;
    }
    l4 = nic_at(pkt, s->ofs.l4);
    old = nic_read16(l4 + (src ? 0 : 2));
    nic_write16(l4 + (src ? 0 : 2), port);
    /* The same fix-up as a 32-bit change whose other half is unchanged. */
    nic_fix_l4_csum32(pkt, s, (OVS_FORCE ovs_be32) old,
                      (OVS_FORCE ovs_be32) port);
    if (src) {
        s->key.tp_src = port;
    } else {
        s->key.tp_dst = port;
    }
    return true;
}

/* Pushes the encap template and fills in the per-packet lengths and the
 * outer IPv4 checksum.  The outer UDP checksum is left zero (RFC 7348). */
static bool
nic_encap(struct dp_packet *pkt, const struct nic_action *a)
{
    size_t inner_len = dp_packet_size(pkt);
    uint8_t *h = dp_packet_push_uninit(pkt, a->encap.len);
    ovs_be16 type;
    size_t l3 = ETH_HEADER_LEN, l4;

    memcpy(h, a->encap.hdr, a->encap.len);
    type = nic_read16(h + 12);
    if (type == htons(ETH_TYPE_IP)) {
        size_t ihl = (h[l3] & 0x0f) * 4;

        l4 = l3 + ihl;
        nic_write16(h + l3 + 2, htons(a->encap.len - l3 + inner_len));
        nic_write16(h + l3 + 10, 0);
        nic_write16(h + l3 + 10, csum(h + l3, ihl));
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
    nic_write16(h + l4 + 4, htons(a->encap.len - l4 + inner_len));
    nic_write16(h + l4 + 6, 0);
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

    ctx->n_outputs = 0;
    ctx->dropped = false;
    ctx->malformed = false;
    for (size_t i = 0; i < n; i++) {
        if (acts[i].type == NIC_ACT_OUTPUT
            || acts[i].type == NIC_ACT_TO_HOST) {
            last_output = i;
        }
    }
    /* Most rules only output: parse only once an action needs fields. */
    bool parsed = false;

    for (size_t i = 0; i < n; i++) {
        const struct nic_action *a = &acts[i];
        bool ok = true;

        if (!parsed && a->type != NIC_ACT_OUTPUT
            && a->type != NIC_ACT_TO_HOST && a->type != NIC_ACT_DROP
            && a->type != NIC_ACT_SET_QUEUE && a->type != NIC_ACT_MARK
            && a->type != NIC_ACT_COUNT) {
            nic_exec_reparse(pkt, in_port, &s);
            parsed = true;
        }

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
            ok = !nic_packet_push_vlan(pkt, a->vlan_tci);
            nic_exec_reparse(pkt, in_port, &s);
            break;
        case NIC_ACT_POP_VLAN:
            ok = !nic_packet_pop_vlan(pkt);
            nic_exec_reparse(pkt, in_port, &s);
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
            ok = nic_encap(pkt, a);
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
