/* SPDX-License-Identifier: Apache-2.0 */
/* Builders of test frames with correct lengths and checksums. */
#include <config.h>

#include "tests/test-packets.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "lib/nic-parse.h"
#include "lib/nic-rule.h"
#include "packets.h"

static size_t
tp_put(struct tp_frame *f, const void *p, size_t n)
{
    size_t at = f->len;

    memcpy(f->buf + f->len, p, n);
    f->len += n;
    return at;
}

static void
tp_put16(struct tp_frame *f, uint16_t v)
{
    ovs_be16 b = htons(v);

    tp_put(f, &b, 2);
}

static void
tp_set16(struct tp_frame *f, size_t at, uint16_t v)
{
    ovs_be16 b = htons(v);

    memcpy(f->buf + at, &b, 2);
}

static uint32_t
tp_pseudo(const uint8_t *frame, size_t l3, int v6, uint8_t proto,
          size_t l4_len)
{
    uint32_t p = 0;

    if (v6) {
        p = csum_continue(p, frame + l3 + 8, 32);
    } else {
        p = csum_continue(p, frame + l3 + 12, 8);
    }
    p = csum_add16(p, htons(proto));
    p = csum_add16(p, htons(l4_len));
    return p;
}

void
tp_build(struct tp_frame *f, const struct tp_spec *s)
{
    struct eth_addr src, dst;
    uint8_t sip[16] = { 0 }, dip[16] = { 0 };
    int v6 = s->ip_version == 6;
    size_t l4_len = 0, ip_len_at = 0;

    memset(f, 0, sizeof *f);
    eth_addr_from_string(s->src_mac ? s->src_mac : "50:54:00:00:00:01",
                         &src);
    eth_addr_from_string(s->dst_mac ? s->dst_mac : "50:54:00:00:00:02",
                         &dst);
    tp_put(f, &dst, 6);
    tp_put(f, &src, 6);
    for (int i = 0; i < s->n_vlans; i++) {
        tp_put16(f, i == 0 && s->n_vlans == 2 ? ETH_TYPE_VLAN_8021AD
                                             : ETH_TYPE_VLAN_8021Q);
        tp_put16(f, s->vid[i]);
    }
    if (!s->ip_version) {
        uint8_t arp[28] = { 0, 1, 8, 0, 6, 4, 0, 1 };

        tp_put16(f, ETH_TYPE_ARP);
        memcpy(arp + 8, &src, 6);
        inet_pton(AF_INET, s->src_ip ? s->src_ip : "10.0.0.1", arp + 14);
        inet_pton(AF_INET, s->dst_ip ? s->dst_ip : "10.0.0.2", arp + 24);
        f->l3 = tp_put(f, arp, sizeof arp);
        return;
    }

    inet_pton(v6 ? AF_INET6 : AF_INET,
              s->src_ip ? s->src_ip : (v6 ? "2001:db8::1" : "10.0.0.1"), sip);
    inet_pton(v6 ? AF_INET6 : AF_INET,
              s->dst_ip ? s->dst_ip : (v6 ? "2001:db8::2" : "10.0.0.2"), dip);
    tp_put16(f, v6 ? ETH_TYPE_IPV6 : ETH_TYPE_IP);
    f->l3 = f->len;
    if (v6) {
        uint8_t h[40] = { 0x60 };

        h[6] = s->ipv6_n_ext ? IPPROTO_DSTOPTS : s->proto;
        h[7] = 64;
        memcpy(h + 8, sip, 16);
        memcpy(h + 24, dip, 16);
        tp_put(f, h, sizeof h);
        ip_len_at = f->l3 + 4;
        for (int i = 0; i < s->ipv6_n_ext; i++) {
            uint8_t ext[8] = { i + 1 < s->ipv6_n_ext ? IPPROTO_DSTOPTS
                                                     : s->proto, 0,
                               1, 4, 0, 0, 0, 0 };   /* PadN option. */
            tp_put(f, ext, sizeof ext);
        }
    } else {
        uint8_t h[60] = { 0x45 };
        size_t ihl = 20 + s->ipv4_options_len;

        h[0] = 0x40 | (ihl / 4);
        h[8] = 64;
        h[9] = s->proto;
        memcpy(h + 12, sip, 4);
        memcpy(h + 16, dip, 4);
        for (size_t i = 20; i < ihl; i++) {
            h[i] = 1;           /* NOP options. */
        }
        tp_put(f, h, ihl);
        ip_len_at = f->l3 + 2;
    }

    f->l4 = f->len;
    if (s->proto == IPPROTO_TCP) {
        uint8_t h[20] = { 0 };

        h[12] = 5 << 4;
        h[13] = 0x18;           /* PSH|ACK */
        tp_put(f, h, sizeof h);
        tp_set16(f, f->l4, s->src_port);
        tp_set16(f, f->l4 + 2, s->dst_port);
    } else if (s->proto == IPPROTO_UDP) {
        tp_put16(f, s->src_port);
        tp_put16(f, s->dst_port);
        tp_put16(f, 0);
        tp_put16(f, 0);
    } else if (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6) {
        uint8_t h[8] = { v6 ? 128 : 8, 0 };

        tp_put(f, h, sizeof h);
    }
    for (size_t i = 0; i < s->payload_len; i++) {
        uint8_t b = i;

        tp_put(f, &b, 1);
    }
    l4_len = f->len - f->l4;
    tp_set16(f, ip_len_at, v6 ? f->len - f->l3 - 40 : f->len - f->l3);
    if (!v6) {
        size_t ihl = (f->buf[f->l3] & 0xf) * 4;
        ovs_be16 c = csum(f->buf + f->l3, ihl);

        memcpy(f->buf + f->l3 + 10, &c, 2);
    }
    if (s->proto == IPPROTO_UDP) {
        tp_set16(f, f->l4 + 4, l4_len);
    }
    tp_set_l4_checksum(f, s->proto);
}

void
tp_set_l4_checksum(struct tp_frame *f, uint8_t proto)
{
    bool v6 = f->buf[f->l3] >> 4 == 6;
    size_t l4_len = f->len - f->l4;

    if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
        size_t at = f->l4 + (proto == IPPROTO_TCP ? 16 : 6);
        uint32_t p;
        ovs_be16 c;

        memset(f->buf + at, 0, 2);
        p = tp_pseudo(f->buf, f->l3, v6, proto, l4_len);
        c = csum_finish(csum_continue(p, f->buf + f->l4, l4_len));
        if (proto == IPPROTO_UDP && !c) {
            c = htons(0xffff);
        }
        memcpy(f->buf + at, &c, 2);
    }
}

int
tp_checksums_ok(const uint8_t *frame, size_t len)
{
    size_t l3 = 14;
    uint16_t type = (frame[12] << 8) | frame[13];
    int v6;
    size_t l4, l4_len;
    uint8_t proto;

    while (type == ETH_TYPE_VLAN_8021Q || type == ETH_TYPE_VLAN_8021AD) {
        type = (frame[l3 + 2] << 8) | frame[l3 + 3];
        l3 += 4;
    }
    v6 = type == ETH_TYPE_IPV6;
    if (!v6) {
        size_t ihl = (frame[l3] & 0xf) * 4;

        if (csum(frame + l3, ihl)) {
            return 0;
        }
        l4 = l3 + ihl;
        proto = frame[l3 + 9];
        l4_len = ((frame[l3 + 2] << 8) | frame[l3 + 3]) - ihl;
    } else {
        l4 = l3 + 40;
        proto = frame[l3 + 6];
        l4_len = (frame[l3 + 4] << 8) | frame[l3 + 5];
    }
    if (l4 + l4_len > len) {
        return 0;
    }
    if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
        uint32_t p = tp_pseudo(frame, l3, v6, proto, l4_len);

        if (proto == IPPROTO_UDP && !frame[l4 + 6] && !frame[l4 + 7]) {
            return 1;
        }
        return csum_finish(csum_continue(p, frame + l4, l4_len)) == 0;
    }
    return 1;
}

void
tp_encap_action(struct nic_action *a, uint8_t type, uint32_t src,
                uint32_t dst, uint32_t vni, const uint8_t *opts,
                size_t opts_len)
{
    bool vxlan = type == NIC_TUNNEL_VXLAN;
    uint8_t *h = a->encap.hdr;
    ovs_be32 ip;
    ovs_be16 sum;

    memset(a, 0, sizeof *a);
    a->type = NIC_ACT_ENCAP;
    a->encap.type = type;
    a->encap.flags = NIC_ENCAP_F_OVS;
    a->encap.vlan_limit = 1;
    a->encap.sport_min = 32768;
    a->encap.sport_max = 61000;
    memcpy(h, "\xf8\xbc\x12\x44\x34\xb6\x02\x00\x00\x01\x02\x58\x08\x00", 14);
    memcpy(h + 14, "\x45\x00\x00\x00\x00\x00\x40\x00\x40\x11\x00\x00", 12);
    ip = htonl(src);
    memcpy(h + 26, &ip, 4);
    ip = htonl(dst);
    memcpy(h + 30, &ip, 4);
    sum = csum(h + 14, 20);
    memcpy(h + 24, &sum, 2);
    memcpy(h + 34, vxlan ? "\x00\x00\x12\xb5" : "\x00\x00\x17\xc1", 4);
    h[42] = vxlan ? 0x08 : opts_len / 4;
    h[44] = vxlan ? 0 : 0x65;
    h[45] = vxlan ? 0 : 0x58;
    h[46] = vni >> 16;
    h[47] = vni >> 8;
    h[48] = vni;
    if (!vxlan && opts_len) {
        memcpy(h + 50, opts, opts_len);
    }
    a->encap.len = 50 + (vxlan ? 0 : opts_len);
}
