#include <config.h>

#include "lib/nic-parse.h"

#include <string.h>

#include "byte-order.h"
#include "packets.h"

/* A cursor over the frame; every read checks the remaining length first. */
struct nic_cursor {
    const uint8_t *base;
    size_t len;
    size_t ofs;
};

static inline bool
nic_cursor_has(const struct nic_cursor *c, size_t n)
{
    return c->len - c->ofs >= n;
}

static inline ovs_be16
nic_get_be16(const struct nic_cursor *c, size_t at)
{
    ovs_be16 v;

    memcpy(&v, c->base + c->ofs + at, sizeof v);
    return v;
}

static enum nic_parse_status nic_parse_l4(struct nic_cursor *,
                                          struct nic_flow_key *,
                                          struct nic_parse_offsets *);

static enum nic_parse_status
nic_parse_ipv4(struct nic_cursor *c, struct nic_flow_key *key,
               struct nic_parse_offsets *ofs)
{
    const uint8_t *ip;
    size_t ihl, tot_len;
    uint16_t frag;

    if (!nic_cursor_has(c, IP_HEADER_LEN)) {
        return NIC_PARSE_TRUNC_IP;
    }
    ip = c->base + c->ofs;
    ihl = (ip[0] & 0x0f) * 4;
    tot_len = ntohs(nic_get_be16(c, 2));
    if ((ip[0] >> 4) != 4 || ihl < IP_HEADER_LEN || tot_len < ihl) {
        return NIC_PARSE_BAD_IP;
    }
    if (!nic_cursor_has(c, ihl)) {
        return NIC_PARSE_TRUNC_IP;
    }
    if (!nic_cursor_has(c, tot_len)) {
        return NIC_PARSE_BAD_IP;
    }
    key->nw_tos = ip[1];
    key->nw_ttl = ip[8];
    key->nw_proto = ip[9];
    memcpy(key->nw_src, ip + 12, 4);
    memcpy(key->nw_dst, ip + 16, 4);
    frag = ntohs(nic_get_be16(c, 6));
    if (frag & IP_FRAG_OFF_MASK) {
        key->nw_frag = NIC_FRAG_LATER;
    } else if (frag & IP_MORE_FRAGMENTS) {
        key->nw_frag = NIC_FRAG_FIRST;
    }
    /* Ethernet padding after the IP datagram is not L4 data. */
    c->len = c->ofs + tot_len;
    c->ofs += ihl;
    if (key->nw_frag == NIC_FRAG_LATER) {
        return NIC_PARSE_OK;
    }
    return nic_parse_l4(c, key, ofs);
}

static bool
nic_is_ipv6_ext(uint8_t nh)
{
    return (nh == IPPROTO_HOPOPTS || nh == IPPROTO_ROUTING
            || nh == IPPROTO_FRAGMENT || nh == IPPROTO_DSTOPTS
            || nh == IPPROTO_AH);
}

static enum nic_parse_status
nic_parse_ipv6(struct nic_cursor *c, struct nic_flow_key *key,
               struct nic_parse_offsets *ofs)
{
    const uint8_t *ip6;
    size_t payload_len;
    uint8_t nh;

    if (!nic_cursor_has(c, IPV6_HEADER_LEN)) {
        return NIC_PARSE_TRUNC_IP;
    }
    ip6 = c->base + c->ofs;
    if ((ip6[0] >> 4) != 6) {
        return NIC_PARSE_BAD_IP;
    }
    payload_len = ntohs(nic_get_be16(c, 4));
    if (!nic_cursor_has(c, IPV6_HEADER_LEN + payload_len)) {
        return NIC_PARSE_BAD_IP;
    }
    key->nw_tos = ((ip6[0] & 0x0f) << 4) | (ip6[1] >> 4);
    key->nw_ttl = ip6[7];
    memcpy(key->nw_src, ip6 + 8, 16);
    memcpy(key->nw_dst, ip6 + 24, 16);
    nh = ip6[6];
    c->len = c->ofs + IPV6_HEADER_LEN + payload_len;
    c->ofs += IPV6_HEADER_LEN;

    /* Extension headers; a bound on their number keeps a crafted chain
     * from costing unbounded time. */
    for (int i = 0; nic_is_ipv6_ext(nh); i++) {
        const uint8_t *ext;
        size_t ext_len;

        if (i >= 8 || !nic_cursor_has(c, 8)) {
            return NIC_PARSE_BAD_IPV6_EXT;
        }
        ext = c->base + c->ofs;
        if (nh == IPPROTO_FRAGMENT) {
            uint16_t off = ntohs(nic_get_be16(c, 2));

            ext_len = 8;
            if (off & 0xfff8) {
                key->nw_frag = NIC_FRAG_LATER;
            } else if (off & 1) {
                key->nw_frag = NIC_FRAG_FIRST;
            }
        } else if (nh == IPPROTO_AH) {
            ext_len = (ext[1] + 2) * 4;
        } else {
            ext_len = (ext[1] + 1) * 8;
        }
        if (!nic_cursor_has(c, ext_len)) {
            return NIC_PARSE_BAD_IPV6_EXT;
        }
        nh = ext[0];
        c->ofs += ext_len;
        if (key->nw_frag == NIC_FRAG_LATER) {
            break;
        }
    }
    key->nw_proto = nh;
    if (key->nw_frag == NIC_FRAG_LATER) {
        return NIC_PARSE_OK;
    }
    return nic_parse_l4(c, key, ofs);
}

static enum nic_parse_status
nic_parse_tunnel(struct nic_cursor *c, struct nic_flow_key *key,
                 struct nic_parse_offsets *ofs, enum nic_tunnel_type type)
{
    const uint8_t *h;
    size_t hdr_len = 8;

    if (!nic_cursor_has(c, 8)) {
        return NIC_PARSE_TRUNC_TUNNEL;
    }
    h = c->base + c->ofs;
    if (type == NIC_TUNNEL_VXLAN) {
        if (!(h[0] & 0x08)) {
            /* No valid VNI: an ordinary UDP datagram to port 4789. */
            return NIC_PARSE_OK;
        }
    } else {
        /* Geneve: version 0, options length in 4-byte words. */
        if (h[0] >> 6) {
            return NIC_PARSE_OK;
        }
        hdr_len += (h[0] & 0x3f) * 4;
        if (!nic_cursor_has(c, hdr_len)) {
            return NIC_PARSE_TRUNC_TUNNEL;
        }
    }
    key->tun_type = type;
    key->tun_vni = ((uint32_t) h[4] << 16) | ((uint32_t) h[5] << 8) | h[6];
    ofs->tunnel = c->ofs;
    ofs->inner_l2 = c->ofs + hdr_len;
    return NIC_PARSE_OK;
}

static enum nic_parse_status
nic_parse_l4(struct nic_cursor *c, struct nic_flow_key *key,
             struct nic_parse_offsets *ofs)
{
    ofs->l4 = c->ofs;
    switch (key->nw_proto) {
    case IPPROTO_TCP:
        if (!nic_cursor_has(c, TCP_HEADER_LEN)) {
            return NIC_PARSE_TRUNC_L4;
        }
        key->tp_src = nic_get_be16(c, 0);
        key->tp_dst = nic_get_be16(c, 2);
        key->tcp_flags = htons(ntohs(nic_get_be16(c, 12)) & 0x0fff);
        return NIC_PARSE_OK;

    case IPPROTO_UDP:
        if (!nic_cursor_has(c, UDP_HEADER_LEN)) {
            return NIC_PARSE_TRUNC_L4;
        }
        key->tp_src = nic_get_be16(c, 0);
        key->tp_dst = nic_get_be16(c, 2);
        c->ofs += UDP_HEADER_LEN;
        if (key->tp_dst == htons(NIC_VXLAN_PORT)) {
            return nic_parse_tunnel(c, key, ofs, NIC_TUNNEL_VXLAN);
        } else if (key->tp_dst == htons(NIC_GENEVE_PORT)) {
            return nic_parse_tunnel(c, key, ofs, NIC_TUNNEL_GENEVE);
        }
        return NIC_PARSE_OK;

    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        if (!nic_cursor_has(c, 4)) {
            return NIC_PARSE_TRUNC_L4;
        }
        key->tp_src = htons(c->base[c->ofs]);
        key->tp_dst = htons(c->base[c->ofs + 1]);
        return NIC_PARSE_OK;

    default:
        ofs->l4 = UINT16_MAX;
        return NIC_PARSE_OK;
    }
}

static enum nic_parse_status
nic_parse_arp(struct nic_cursor *c, struct nic_flow_key *key)
{
    const uint8_t *arp;

    if (!nic_cursor_has(c, ARP_ETH_HEADER_LEN)) {
        return NIC_PARSE_TRUNC_ARP;
    }
    arp = c->base + c->ofs;
    /* Only Ethernet/IPv4 ARP carries addresses we match on. */
    if (arp[4] == ETH_ADDR_LEN && arp[5] == 4) {
        key->nw_proto = arp[7];
        memcpy(key->nw_src, arp + 14, 4);
        memcpy(key->nw_dst, arp + 24, 4);
    }
    return NIC_PARSE_OK;
}

enum nic_parse_status
nic_parse(const void *frame, size_t len, uint32_t in_port,
          struct nic_flow_key *key, struct nic_parse_offsets *ofs)
{
    struct nic_cursor c = { .base = frame, .len = len, .ofs = 0 };
    ovs_be16 type;

    memset(key, 0, sizeof *key);
    ofs->l3 = ofs->l4 = ofs->tunnel = ofs->inner_l2 = UINT16_MAX;
    ofs->n_vlans = 0;
    key->in_port = in_port;

    if (!nic_cursor_has(&c, ETH_HEADER_LEN)) {
        return NIC_PARSE_RUNT;
    }
    memcpy(&key->dl_dst, c.base, ETH_ADDR_LEN);
    memcpy(&key->dl_src, c.base + ETH_ADDR_LEN, ETH_ADDR_LEN);
    type = nic_get_be16(&c, 12);
    c.ofs = ETH_HEADER_LEN;

    while (type == htons(ETH_TYPE_VLAN_8021Q)
           || type == htons(ETH_TYPE_VLAN_8021AD)) {
        if (ofs->n_vlans >= 2) {
            return NIC_PARSE_TOO_MANY_VLANS;
        }
        if (!nic_cursor_has(&c, VLAN_HEADER_LEN)) {
            return NIC_PARSE_TRUNC_VLAN;
        }
        key->vlan_tci[ofs->n_vlans++] = nic_get_be16(&c, 0)
                                        | htons(NIC_VLAN_PRESENT);
        type = nic_get_be16(&c, 2);
        c.ofs += VLAN_HEADER_LEN;
    }
    key->dl_type = type;
    ofs->l3 = c.ofs;

    switch (ntohs(type)) {
    case ETH_TYPE_IP:
        return nic_parse_ipv4(&c, key, ofs);
    case ETH_TYPE_IPV6:
        return nic_parse_ipv6(&c, key, ofs);
    case ETH_TYPE_ARP:
        return nic_parse_arp(&c, key);
    default:
        ofs->l3 = UINT16_MAX;
        return NIC_PARSE_OK;
    }
}

const char *
nic_parse_status_to_string(enum nic_parse_status status)
{
    static const char *const names[] = {
#define NIC_PARSE_STATUS(ENUM, DESC) DESC,
        NIC_PARSE_STATUSES
#undef NIC_PARSE_STATUS
    };

    return status < NIC_N_PARSE_STATUS ? names[status] : "unknown";
}
