/* SPDX-License-Identifier: Apache-2.0 */
/* The NIC's packet parser, which extracts what OVS's flow_extract() does. */
#include <config.h>

#include "lib/nic-parse.h"

#include <string.h>

#include "byte-order.h"
#include "openvswitch/flow.h"
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

static void nic_parse_l4(const struct nic_cursor *, struct nic_flow_key *);
static enum nic_parse_status nic_parse_udp_tunnel(struct nic_cursor *,
                                                  struct nic_flow_key *,
                                                  struct nic_parse_offsets *);

/* Every check below is one that OVS's flow_extract() makes too, with the
 * same outcome: a frame that fails one of OVS's sanity checks gets a
 * status other than NIC_PARSE_OK, and so goes to the host; one that
 * passes them gets the fields that OVS extracts, no more, no less. */

static enum nic_parse_status
nic_parse_ipv4(struct nic_cursor *c, struct nic_flow_key *key,
               struct nic_parse_offsets *ofs)
{
    const uint8_t *ip;
    size_t ihl, tot_len, avail = c->len - c->ofs;
    uint16_t frag;

    if (!nic_cursor_has(c, IP_HEADER_LEN)) {
        return NIC_PARSE_TRUNC_IP;
    }
    ip = c->base + c->ofs;
    ihl = (ip[0] & 0x0f) * 4;
    tot_len = ntohs(nic_get_be16(c, 2));
    /* OVS does not look at the version nibble. */
    if (ihl < IP_HEADER_LEN || avail < ihl) {
        return NIC_PARSE_TRUNC_IP;
    }
    if (tot_len > avail || ihl > tot_len || avail - tot_len > UINT16_MAX) {
        return NIC_PARSE_BAD_IP;
    }
    key->nw_tos = ip[1];
    key->nw_ttl = ip[8];
    key->nw_proto = ip[9];
    memcpy(key->nw_src, ip + 12, 4);
    memcpy(key->nw_dst, ip + 16, 4);
    frag = ntohs(nic_get_be16(c, 6));
    if (frag & (IP_MORE_FRAGMENTS | IP_FRAG_OFF_MASK)) {
        key->nw_frag = NIC_FRAG_ANY;
        if (frag & IP_FRAG_OFF_MASK) {
            key->nw_frag |= NIC_FRAG_LATER;
        }
    }
    /* Ethernet padding after the IP datagram is not L4 data. */
    c->len = c->ofs + tot_len;
    ofs->l3_end = c->len;
    c->ofs += ihl;
    ofs->l4 = c->ofs;
    if (!(key->nw_frag & NIC_FRAG_LATER)) {
        nic_parse_l4(c, key);
        return nic_parse_udp_tunnel(c, key, ofs);
    }
    return NIC_PARSE_OK;
}

static enum nic_parse_status
nic_parse_ipv6(struct nic_cursor *c, struct nic_flow_key *key,
               struct nic_parse_offsets *ofs)
{
    const uint8_t *ip6;
    size_t payload_len, avail = c->len - c->ofs;
    uint8_t nh;

    if (!nic_cursor_has(c, IPV6_HEADER_LEN)) {
        return NIC_PARSE_TRUNC_IP;
    }
    ip6 = c->base + c->ofs;
    payload_len = ntohs(nic_get_be16(c, 4));
    if (IPV6_HEADER_LEN + payload_len > avail
        || avail - (IPV6_HEADER_LEN + payload_len) > UINT16_MAX) {
        return NIC_PARSE_BAD_IP;
    }
    key->nw_tos = ((ip6[0] & 0x0f) << 4) | (ip6[1] >> 4);
    key->nw_ttl = ip6[7];
    memcpy(key->nw_src, ip6 + 8, 16);
    memcpy(key->nw_dst, ip6 + 24, 16);
    nh = ip6[6];
    c->len = c->ofs + IPV6_HEADER_LEN + payload_len;
    ofs->l3_end = c->len;
    c->ofs += IPV6_HEADER_LEN;

    /* Extension headers, read as OVS reads them (only their first 8 bytes
     * must be there to be looked at); a bound on their number keeps a
     * crafted chain from costing unbounded time, and a frame past the
     * bound goes to the host. */
    for (int i = 0; nic_is_ipv6_ext_proto(nh); i++) {
        const uint8_t *ext;
        size_t ext_len;

        if (i >= 8 || !nic_cursor_has(c, 8)) {
            return NIC_PARSE_BAD_IPV6_EXT;
        }
        ext = c->base + c->ofs;
        if (nh == IPPROTO_FRAGMENT) {
            uint16_t offlg = ntohs(nic_get_be16(c, 2));

            ext_len = 8;
            nh = ext[0];
            c->ofs += ext_len;
            if (offlg) {
                /* Any nonzero offset/flags word makes it a fragment for
                 * OVS, reserved bits alone included; an atomic fragment
                 * (all zero) is not one. */
                key->nw_frag = NIC_FRAG_ANY;
                if (offlg & 0xfff8) {
                    key->nw_frag |= NIC_FRAG_LATER;
                    key->nw_proto = IPPROTO_FRAGMENT;
                    ofs->l4 = c->ofs;
                    return NIC_PARSE_OK;
                }
            }
            continue;
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
    }
    key->nw_proto = nh;
    ofs->l4 = c->ofs;
    nic_parse_l4(c, key);
    return nic_parse_udp_tunnel(c, key, ofs);
}

/* A VXLAN or Geneve header after UDP: the NIC's own business (OVS's
 * flow_extract() does not look), so it never changes the key fields OVS
 * has; a truncated one sends the frame to the host. */
static enum nic_parse_status
nic_parse_udp_tunnel(struct nic_cursor *c, struct nic_flow_key *key,
                     struct nic_parse_offsets *ofs)
{
    enum nic_tunnel_type type;
    const uint8_t *h;
    size_t hdr_len = 8;

    if (key->nw_proto != IPPROTO_UDP || ofs->l4 == UINT16_MAX
        || c->len - ofs->l4 < UDP_HEADER_LEN) {
        return NIC_PARSE_OK;
    }
    if (key->tp_dst == htons(NIC_VXLAN_PORT)) {
        type = NIC_TUNNEL_VXLAN;
    } else if (key->tp_dst == htons(NIC_GENEVE_PORT)) {
        type = NIC_TUNNEL_GENEVE;
    } else {
        return NIC_PARSE_OK;
    }
    c->ofs = ofs->l4 + UDP_HEADER_LEN;
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

/* L4 fields as OVS extracts them: keyed on the protocol alone, whatever
 * the IP version (ICMP in IPv6 is ICMP to OVS), and left zero when the
 * header is too short -- which is not an error for OVS either. */
static void
nic_parse_l4(const struct nic_cursor *c, struct nic_flow_key *key)
{
    switch (key->nw_proto) {
    case IPPROTO_TCP:
        if (nic_cursor_has(c, TCP_HEADER_LEN)) {
            uint16_t ctl = ntohs(nic_get_be16(c, 12));
            size_t hdr_len = (ctl >> 12) * 4;

            if (hdr_len >= TCP_HEADER_LEN && nic_cursor_has(c, hdr_len)) {
                key->tp_src = nic_get_be16(c, 0);
                key->tp_dst = nic_get_be16(c, 2);
                key->tcp_flags = htons(ctl & 0x0fff);
            }
        }
        break;

    case IPPROTO_UDP:
    case IPPROTO_SCTP:
        if (nic_cursor_has(c, key->nw_proto == IPPROTO_UDP
                              ? UDP_HEADER_LEN : SCTP_HEADER_LEN)) {
            key->tp_src = nic_get_be16(c, 0);
            key->tp_dst = nic_get_be16(c, 2);
        }
        break;

    case IPPROTO_ICMP:
    case IPPROTO_IGMP:
    case IPPROTO_ICMPV6:
        /* ICMP, IGMP and ICMPv6 headers as OVS reads them: 8 bytes. */
        if (nic_cursor_has(c, 8)) {
            key->tp_src = htons(c->base[c->ofs]);
            key->tp_dst = htons(c->base[c->ofs + 1]);
        }
        break;

    default:
        break;
    }
}

static void
nic_parse_arp(struct nic_cursor *c, struct nic_flow_key *key)
{
    const uint8_t *arp;

    /* A short ARP, or one that is not Ethernet/IPv4, has no fields for
     * OVS: not an error. */
    if (!nic_cursor_has(c, ARP_ETH_HEADER_LEN)) {
        return;
    }
    arp = c->base + c->ofs;
    if (nic_get_be16(c, 0) == htons(1)
        && nic_get_be16(c, 2) == htons(ETH_TYPE_IP)
        && arp[4] == ETH_ADDR_LEN && arp[5] == 4) {
        uint16_t op = ntohs(nic_get_be16(c, 6));

        memcpy(key->nw_src, arp + 14, 4);
        memcpy(key->nw_dst, arp + 24, 4);
        /* OVS keeps the opcode only when it fits in nw_proto. */
        key->nw_proto = op <= 0xff ? op : 0;
    }
}

/* The Ethertype at the cursor, as OVS decodes it: a length field (802.3)
 * becomes the SNAP type, or FLOW_DL_TYPE_NONE without a SNAP header. */
static ovs_be16
nic_parse_ethertype(struct nic_cursor *c)
{
    static const uint8_t snap[] = { 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00 };
    ovs_be16 type = nic_get_be16(c, 0);

    c->ofs += 2;
    if (ntohs(type) >= ETH_TYPE_MIN) {
        return type;
    }
    if (!nic_cursor_has(c, 8) || memcmp(c->base + c->ofs, snap, 6)) {
        return htons(FLOW_DL_TYPE_NONE);
    }
    type = nic_get_be16(c, 6);
    c->ofs += 8;
    return ntohs(type) >= ETH_TYPE_MIN ? type : htons(FLOW_DL_TYPE_NONE);
}

enum nic_parse_status
nic_parse(const void *frame, size_t len, uint32_t in_port,
          struct nic_flow_key *key, struct nic_parse_offsets *ofs)
{
    struct nic_cursor c = { .base = frame, .len = len, .ofs = 0 };
    ovs_be16 type;

    memset(key, 0, sizeof *key);
    ofs->l3 = ofs->l4 = ofs->l3_end = UINT16_MAX;
    ofs->tunnel = ofs->inner_l2 = UINT16_MAX;
    ofs->n_vlans = 0;
    key->in_port = in_port;

    /* The NIC's buffers, like OVS's offsets, are 16-bit. */
    if (len > UINT16_MAX) {
        return NIC_PARSE_BAD_IP;
    }
    if (!nic_cursor_has(&c, ETH_HEADER_LEN)) {
        return NIC_PARSE_RUNT;
    }
    memcpy(&key->dl_dst, c.base, ETH_ADDR_LEN);
    memcpy(&key->dl_src, c.base + ETH_ADDR_LEN, ETH_ADDR_LEN);
    c.ofs = 2 * ETH_ADDR_LEN;

    /* Up to two tags, each only if it is there whole with the Ethertype
     * after it; what follows is the Ethertype, a TPID included. */
    for (;;) {
        type = nic_get_be16(&c, 0);
        if (ofs->n_vlans >= 2
            || (type != htons(ETH_TYPE_VLAN_8021Q)
                && type != htons(ETH_TYPE_VLAN_8021AD))
            || !nic_cursor_has(&c, VLAN_HEADER_LEN + 2)) {
            break;
        }
        key->vlan_tpid[ofs->n_vlans] = type;
        key->vlan_tci[ofs->n_vlans++] = nic_get_be16(&c, 2)
                                        | htons(NIC_VLAN_PRESENT);
        c.ofs += VLAN_HEADER_LEN;
    }
    key->dl_type = type = nic_parse_ethertype(&c);
    ofs->l3 = c.ofs;

    switch (ntohs(type)) {
    case ETH_TYPE_IP:
        return nic_parse_ipv4(&c, key, ofs);
    case ETH_TYPE_IPV6:
        return nic_parse_ipv6(&c, key, ofs);
    case ETH_TYPE_ARP:
    case ETH_TYPE_RARP:
        nic_parse_arp(&c, key);
        return NIC_PARSE_OK;
    default:
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

/* One's complement sum of 'n' bytes at 'p', folded but not inverted. */
static uint32_t
nic_sum(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += (p[i] << 8) | p[i + 1];
    }
    if (n & 1) {
        sum += p[n - 1] << 8;
    }
    return sum;
}

static uint16_t
nic_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

/* What OVS's tnl_pop (netdev_vxlan_pop_header(), netdev_geneve_pop_header())
 * makes of outer frame 'frame', which nic_parse() gave 'outer' and
 * 'outer_ofs', and what the recirculated packet's flow then is: the inner
 * frame's key as arriving on 'tunnel_port', with the tunnel metadata.
 * Returns the offset of the inner frame, or 0 where the NIC leaves the
 * frame to the host: whatever OVS would drop (bad IP or UDP checksum,
 * truncation, IP options, VXLAN flags, Geneve version or protocol) and
 * whatever the NIC does not carry (VLAN tags or an IPv6 underlay, a
 * fragment, Ethernet padding, Geneve options longer than
 * NIC_TUN_OPTS_LEN, an inner frame it cannot parse). */
size_t
nic_parse_decap(const void *frame_, size_t len,
                const struct nic_flow_key *outer,
                const struct nic_parse_offsets *ofs, uint32_t tunnel_port,
                struct nic_flow_key *inner,
                struct nic_parse_offsets *inner_ofs)
{
    const uint8_t *frame = frame_;
    const uint8_t *ip, *udp, *h;
    size_t hdr_len, inner_at;
    uint16_t flags = FLOW_TNL_F_KEY;
    ovs_be32 opts[NIC_TUN_OPTS_LEN / 4] = { 0 };
    size_t opts_len = 0;

    if (outer->tun_type == NIC_TUNNEL_NONE || ofs->n_vlans
        || outer->dl_type != htons(ETH_TYPE_IP) || outer->nw_frag
        || ofs->l3 != ETH_HEADER_LEN || ofs->l3_end != len
        || ofs->l4 != ETH_HEADER_LEN + IP_HEADER_LEN
        || len < ofs->l4 + UDP_HEADER_LEN + 8) {
        return 0;
    }
    ip = frame + ofs->l3;
    if (nic_fold(nic_sum(0, ip, IP_HEADER_LEN)) != 0xffff) {
        return 0;
    }
    udp = frame + ofs->l4;
    if (udp[6] || udp[7]) {
        /* The UDP checksum over the rest of the frame, as OVS checks it
         * (no padding here, so that is the datagram). */
        size_t ulen = len - ofs->l4;
        uint32_t sum = nic_sum(0, ip + 12, 8);

        sum += IPPROTO_UDP + ulen;
        if (nic_fold(nic_sum(sum, udp, ulen)) != 0xffff) {
            return 0;
        }
        flags |= FLOW_TNL_F_CSUM;
    }

    h = udp + UDP_HEADER_LEN;
    hdr_len = 8;
    if (outer->tun_type == NIC_TUNNEL_VXLAN) {
        /* Exactly "VNI present", and the VNI's reserved byte 0. */
        if (h[0] != 0x08 || h[1] || h[2] || h[3] || h[7]) {
            return 0;
        }
    } else {
        opts_len = (h[0] & 0x3f) * 4;
        hdr_len += opts_len;
        if (h[0] >> 6 || h[2] != 0x65 || h[3] != 0x58
            || opts_len > NIC_TUN_OPTS_LEN
            || ofs->l4 + UDP_HEADER_LEN + hdr_len > len) {
            return 0;
        }
        if (h[1] & 0x80) {
            flags |= FLOW_TNL_F_OAM;
        }
        memcpy(opts, h + 8, opts_len);
    }
    inner_at = ofs->l4 + UDP_HEADER_LEN + hdr_len;

    /* The inner frame's own fields, which nic_parse() zeroes first. */
    struct nic_flow_key k;
    if (nic_parse(frame + inner_at, len - inner_at, tunnel_port, &k,
                  inner_ofs) != NIC_PARSE_OK) {
        return 0;
    }
    k.tun_type = outer->tun_type;
    k.tun_vni = ((uint32_t) h[4] << 16) | ((uint32_t) h[5] << 8) | h[6];
    memcpy(&k.tun_src, ip + 12, 4);
    memcpy(&k.tun_dst, ip + 16, 4);
    k.tun_tos = ip[1];
    k.tun_ttl = ip[8];
    memcpy(&k.tun_tp_src, udp, 2);
    memcpy(&k.tun_tp_dst, udp + 2, 2);
    k.tun_flags = flags;
    k.tun_opts_len = opts_len;
    memcpy(k.tun_opts, opts, sizeof k.tun_opts);
    *inner = k;
    return inner_at;
}
