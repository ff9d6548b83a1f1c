/* SPDX-License-Identifier: Apache-2.0 */
/* Random differential test of the NIC path against OVS: random megaflows
 * with random ODP actions are translated into NIC rules, random (also
 * malformed) frames go through OVS's flow_extract() + megaflow match +
 * odp_execute_actions() and through nic_parse() + the rule + the NIC's
 * actions, and the outputs must be the same bytes on the same ports.
 *
 * The NIC side is a backend: the NIC model (lib/nic-parse.c and
 * lib/nic-actions.c, which nicsim runs), and, where built and run as root,
 * the XDP backend's real eBPF program run by the kernel with
 * BPF_PROG_TEST_RUN on the same frames.
 *
 * SEED=N in the environment picks another seed (the default is fixed);
 * DIFF_ROUNDS=N runs N megaflows instead of the default. */

#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef HAVE_NIC_XDP
#include <net/if.h>
#include <sched.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>
#include "lib/nic-provider.h"
#include "lib/nic-xdp.h"
#include "lib/nic-xdp-abi.h"
#endif

#include "csum.h"
#include "dp-packet.h"
#include "flow.h"
#include "lib/nic-actions.h"
#include "lib/nic-encap-bind.h"
#include "lib/nic.h"
#include "lib/nic-parse.h"
#include "lib/offload-translate.h"
#include "netdev-native-tnl.h"
#include "netlink.h"
#include "odp-execute.h"
#include "odp-netlink.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "tests/unit-tests.h"

/* xorshift64*: a small, seedable generator, the same on every machine. */
static uint64_t diff_rng;

static uint32_t
rnd(void)
{
    diff_rng ^= diff_rng >> 12;
    diff_rng ^= diff_rng << 25;
    diff_rng ^= diff_rng >> 27;
    return (diff_rng * 2685821657736338717ULL) >> 32;
}

static uint32_t
rnd_n(uint32_t n)
{
    return rnd() % n;
}

static bool
chance(int percent)
{
    return rnd_n(100) < percent;
}

/* Frames. */

struct diff_frame {
    uint8_t buf[512];
    size_t len;
};

static void
put(struct diff_frame *f, const void *p, size_t n)
{
    if (f->len + n <= sizeof f->buf) {
        memcpy(f->buf + f->len, p, n);
        f->len += n;
    }
}

static void
put8(struct diff_frame *f, uint8_t v)
{
    put(f, &v, 1);
}

static void
put16(struct diff_frame *f, uint16_t v)
{
    ovs_be16 b = htons(v);

    put(f, &b, 2);
}

static void
put_rand(struct diff_frame *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        put8(f, rnd());
    }
}

static void
set16(struct diff_frame *f, size_t at, uint16_t v)
{
    if (at + 2 <= f->len) {
        f->buf[at] = v >> 8;
        f->buf[at + 1] = v;
    }
}

/* Few distinct values per field, so that random frames hit random
 * megaflows often. */
static void
put_mac(struct diff_frame *f)
{
    uint8_t mac[6] = { 0x50, 0x54, 0x00, 0x00, 0x00, 1 + rnd_n(3) };

    if (chance(5)) {
        mac[0] = 0xff;          /* Broadcast-ish. */
    }
    put(f, mac, 6);
}

static void
put_ip4(struct diff_frame *f)
{
    uint8_t ip[4] = { 10, 0, 0, 1 + rnd_n(3) };

    put(f, ip, 4);
}

static void
put_ip6(struct diff_frame *f)
{
    uint8_t ip[16] = { 0xfd, 0, [15] = 1 + rnd_n(3) };

    if (chance(10)) {
        ip[0] = 0xfe;
        ip[1] = 0x80;
    }
    put(f, ip, 16);
}

static uint16_t
pick_u16(const uint16_t *v, size_t n)
{
    return v[rnd_n(n)];
}

static void
put_l4(struct diff_frame *f, uint8_t proto)
{
    static const uint16_t ports[] = { 53, 80, 4789, 6081, 1000, 0 };

    switch (proto) {
    case IPPROTO_TCP: {
        static const uint8_t doffs[] = { 5, 5, 5, 6, 4, 0, 15 };
        uint16_t flags = chance(50) ? 0x002 : rnd_n(0x1000);

        put16(f, pick_u16(ports, ARRAY_SIZE(ports)));
        put16(f, pick_u16(ports, ARRAY_SIZE(ports)));
        put_rand(f, 8);
        put16(f, (doffs[rnd_n(ARRAY_SIZE(doffs))] << 12) | flags);
        put16(f, rnd());
        put16(f, rnd());                /* Checksum. */
        put16(f, 0);
        if ((f->buf[f->len - 8] >> 4) > 5) {
            put_rand(f, 4);             /* An option word. */
        }
        break;
    }
    case IPPROTO_UDP:
        put16(f, pick_u16(ports, ARRAY_SIZE(ports)));
        put16(f, pick_u16(ports, ARRAY_SIZE(ports)));
        put16(f, 8 + rnd_n(20));
        put16(f, chance(30) ? 0 : rnd());
        if (chance(20)) {
            put8(f, 0x08);              /* VXLAN flags with a VNI. */
            put_rand(f, 7);
        }
        break;
    case IPPROTO_ICMP:
    case IPPROTO_ICMPV6:
        put8(f, chance(50) ? 8 : (chance(50) ? 135 : rnd()));
        put8(f, chance(70) ? 0 : rnd());
        put16(f, rnd());
        if (chance(80)) {
            put_rand(f, 4);
        }
        break;
    case IPPROTO_SCTP:
    case IPPROTO_IGMP:
        put16(f, pick_u16(ports, ARRAY_SIZE(ports)));
        put16(f, pick_u16(ports, ARRAY_SIZE(ports)));
        put_rand(f, chance(80) ? 8 : 2);
        break;
    default:
        break;
    }
    put_rand(f, rnd_n(24));
}

static uint8_t
pick_proto(void)
{
    static const uint8_t protos[] = {
        IPPROTO_TCP, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_UDP, IPPROTO_ICMP,
        IPPROTO_ICMPV6, IPPROTO_SCTP, IPPROTO_IGMP, 47, 0xfd,
    };

    return protos[rnd_n(ARRAY_SIZE(protos))];
}

static void
put_ipv4(struct diff_frame *f)
{
    static const uint16_t frags[] = {
        0, 0, 0, 0x4000, 0x2000, 0x0010, 0x2010, 0x8000,
    };
    size_t l3 = f->len;
    int ihl = chance(90) ? 5 : (chance(50) ? 6 : rnd_n(16));
    uint8_t proto = pick_proto();

    put8(f, (chance(95) ? 0x40 : 0x60) | ihl);
    put8(f, chance(70) ? 0 : rnd());
    put16(f, 0);                        /* Total length, below. */
    put16(f, rnd());
    put16(f, frags[rnd_n(ARRAY_SIZE(frags))]);
    put8(f, chance(50) ? 64 : 1 + rnd_n(3));
    put8(f, proto);
    put16(f, 0);
    put_ip4(f);
    put_ip4(f);
    if (ihl > 5) {
        put_rand(f, (ihl - 5) * 4);
    }
    put_l4(f, proto);
    set16(f, l3 + 2, chance(90) ? f->len - l3 : rnd_n(f->len - l3 + 40));
    if (ihl >= 5 && l3 + ihl * 4 <= f->len) {
        ovs_be16 c = csum(f->buf + l3, ihl * 4);

        memcpy(f->buf + l3 + 10, &c, 2);
    }
    if (chance(10)) {
        put_rand(f, rnd_n(8));          /* Ethernet padding. */
    }
}

static void
put_ipv6(struct diff_frame *f)
{
    static const uint16_t offlgs[] = { 0x0001, 0, 0x0006, 0x0008, 0x0009 };
    static const uint8_t exts[] = {
        IPPROTO_HOPOPTS, IPPROTO_ROUTING, IPPROTO_FRAGMENT,
        IPPROTO_DSTOPTS, IPPROTO_AH,
    };
    size_t l3 = f->len;
    int n_ext = chance(60) ? 0 : 1 + rnd_n(3);
    uint8_t chain[4];

    for (int i = 0; i < n_ext; i++) {
        chain[i] = exts[rnd_n(ARRAY_SIZE(exts))];
    }
    chain[n_ext] = pick_proto();

    put16(f, 0x6000 | (chance(70) ? 0 : rnd_n(0x1000)));
    put16(f, chance(70) ? 0 : rnd());
    put16(f, 0);                        /* Payload length, below. */
    put8(f, chain[0]);
    put8(f, chance(50) ? 64 : 1 + rnd_n(3));
    put_ip6(f);
    put_ip6(f);
    for (int i = 0; i < n_ext; i++) {
        put8(f, chain[i + 1]);
        if (chain[i] == IPPROTO_FRAGMENT) {
            put8(f, 0);
            put16(f, offlgs[rnd_n(ARRAY_SIZE(offlgs))]);
            put_rand(f, 4);
        } else if (chain[i] == IPPROTO_AH) {
            put8(f, 1);                 /* (1 + 2) * 4 = 12 bytes. */
            put_rand(f, 10);
        } else if (chain[i] == IPPROTO_ROUTING) {
            put8(f, 0);
            put8(f, 0);
            put8(f, chance(50) ? 0 : 1);   /* Segments left. */
            put_rand(f, 4);
        } else {
            put8(f, 0);
            put_rand(f, 6);
        }
    }
    put_l4(f, chain[n_ext]);
    set16(f, l3 + 4, chance(90) ? f->len - l3 - 40 : rnd());
}

static void
put_arp(struct diff_frame *f)
{
    static const uint16_t ops[] = { 1, 2, 1, 2, 0x0101, 3 };

    put16(f, chance(85) ? 1 : 6);
    put16(f, chance(90) ? ETH_TYPE_IP : ETH_TYPE_IPV6);
    put8(f, chance(90) ? 6 : 8);
    put8(f, chance(90) ? 4 : 16);
    put16(f, pick_u16(ops, ARRAY_SIZE(ops)));
    put_mac(f);
    put_ip4(f);
    put_mac(f);
    put_ip4(f);
}

static void
diff_random_frame(struct diff_frame *f)
{
    static const uint16_t tpids[] = {
        ETH_TYPE_VLAN_8021Q, ETH_TYPE_VLAN_8021Q, ETH_TYPE_VLAN_8021AD,
    };
    static const uint16_t types[] = {
        ETH_TYPE_IP, ETH_TYPE_IP, ETH_TYPE_IP, ETH_TYPE_IPV6, ETH_TYPE_IPV6,
        ETH_TYPE_ARP, ETH_TYPE_RARP, ETH_TYPE_MPLS, 0x88b5, 0x0040,
    };
    int n_vlans = chance(50) ? 0 : chance(60) ? 1 : chance(70) ? 2 : 3;
    uint16_t type = pick_u16(types, ARRAY_SIZE(types));

    f->len = 0;
    put_mac(f);
    put_mac(f);
    for (int i = 0; i < n_vlans; i++) {
        put16(f, pick_u16(tpids, ARRAY_SIZE(tpids)));
        put16(f, (rnd_n(8) << 13)
                 | (chance(80) ? 10 + rnd_n(3) : rnd_n(4096)));
    }
    put16(f, type);
    switch (type) {
    case ETH_TYPE_IP:
        put_ipv4(f);
        break;
    case ETH_TYPE_IPV6:
        put_ipv6(f);
        break;
    case ETH_TYPE_ARP:
    case ETH_TYPE_RARP:
        put_arp(f);
        break;
    case 0x0040:
        /* An 802.3 length, with or without a SNAP header. */
        if (chance(50)) {
            static const uint8_t snap[] = { 0xaa, 0xaa, 3, 0, 0, 0 };

            put(f, snap, sizeof snap);
            put16(f, chance(80) ? ETH_TYPE_IP : 0x0100);
        }
        put_rand(f, 20);
        break;
    default:
        put_rand(f, rnd_n(40));
        break;
    }
}

/* A copy of 'seed' with a random defect: truncated, or a byte changed. */
static void
diff_mutate(struct diff_frame *f, const struct diff_frame *seed)
{
    *f = *seed;
    if (chance(30) && f->len) {
        f->len = rnd_n(f->len + 1);
    }
    if (chance(25) && f->len) {
        f->buf[rnd_n(MIN(f->len, 80))] ^= 1u << rnd_n(8);
    }
}

/* Megaflows and actions. */

static void
rand_mask(void *mask_, const void *cur OVS_UNUSED, size_t n)
{
    uint8_t *mask = mask_;
    int kind = rnd_n(10);

    for (size_t i = 0; i < n; i++) {
        mask[i] = (kind < 6 ? 0 : kind < 9 ? 0xff : (uint8_t) rnd());
    }
}

static void
diff_random_match(struct match *m, const struct flow *seed)
{
    struct flow_wildcards *wc = &m->wc;

    flow_wildcards_init_catchall(wc);
    m->flow = *seed;
    wc->masks.in_port.odp_port = u32_to_odp(UINT32_MAX);
    wc->masks.recirc_id = UINT32_MAX;
    wc->masks.packet_type = OVS_BE32_MAX;
#define DIFF_MASK(FIELD) rand_mask(&wc->masks.FIELD, &seed->FIELD, \
                                   sizeof wc->masks.FIELD)
    DIFF_MASK(dl_src);
    DIFF_MASK(dl_dst);
    DIFF_MASK(vlans[0]);
    DIFF_MASK(vlans[1]);
    DIFF_MASK(nw_src);
    DIFF_MASK(nw_dst);
    DIFF_MASK(ipv6_src);
    DIFF_MASK(ipv6_dst);
    DIFF_MASK(nw_proto);
    DIFF_MASK(nw_tos);
    DIFF_MASK(nw_ttl);
    DIFF_MASK(tp_src);
    DIFF_MASK(tp_dst);
    DIFF_MASK(tcp_flags);
#undef DIFF_MASK
    wc->masks.dl_type = chance(75) ? OVS_BE16_MAX : chance(80) ? 0 : rnd();
    wc->masks.nw_frag = chance(50) ? 0 : chance(70) ? FLOW_NW_FRAG_MASK
                                                   : 1 + rnd_n(3);
    wc->masks.tcp_flags &= htons(0x0fff);

    /* Conntrack fields, as "ct_state=-trk", "ct_mark=0", ... give them to
     * packets that have not been through conntrack: at 0 (the seed's
     * value), and now and then at a value no frame from the NIC has. */
    if (chance(30)) {
        static const uint8_t states[] = { 0x3f, 0x20, 0x21, 0x01, 0xff };

        wc->masks.ct_state = (chance(80) ? states[rnd_n(ARRAY_SIZE(states))]
                              : rnd());
        wc->masks.ct_mark = chance(50) ? 0 : chance(50) ? 1 : rnd();
        wc->masks.ct_zone = chance(70) ? 0 : UINT16_MAX;
        if (chance(20)) {
            wc->masks.ct_label.u64.lo = UINT64_MAX;
            wc->masks.ct_label.u64.hi = chance(50) ? UINT64_MAX : 0;
        }
        if (chance(10)) {
            wc->masks.ct_nw_proto = UINT8_MAX;
            wc->masks.ct_tp_dst = OVS_BE16_MAX;
        }
        if (chance(10)) {
            /* Bits outside the mask are not required. */
            m->flow.ct_state = rnd() & ~wc->masks.ct_state;
        } else if (chance(10)) {
            m->flow.ct_state = wc->masks.ct_state & (1u << rnd_n(8));
            m->flow.ct_mark = wc->masks.ct_mark & rnd();
        }
    }

    /* Mostly as OVS builds megaflows: fields only where their
     * prerequisites are matched, so that most of them translate. */
    if (chance(90)) {
        bool exact_type = wc->masks.dl_type == OVS_BE16_MAX;
        ovs_be16 t = seed->dl_type;

        if (!exact_type || (t != htons(ETH_TYPE_IP)
                            && t != htons(ETH_TYPE_ARP)
                            && t != htons(ETH_TYPE_RARP))) {
            wc->masks.nw_src = wc->masks.nw_dst = 0;
        }
        if (!exact_type || t != htons(ETH_TYPE_IPV6)) {
            memset(&wc->masks.ipv6_src, 0, sizeof wc->masks.ipv6_src);
            memset(&wc->masks.ipv6_dst, 0, sizeof wc->masks.ipv6_dst);
        }
        if (wc->masks.nw_proto != UINT8_MAX
            || seed->nw_proto == IPPROTO_ICMPV6) {
            wc->masks.tcp_flags = 0;
        }
        if (chance(70) && (seed->vlans[1].tci || seed->dl_type
                           == htons(ETH_TYPE_VLAN_8021Q))) {
            memset(&wc->masks.vlans[1], 0, sizeof wc->masks.vlans[1]);
        }
    }
}

/* A set_masked action; OVS wants the key's bits inside the mask. */
static void
put_set_masked(struct ofpbuf *buf, enum ovs_key_attr type, const void *k,
               const void *mk, size_t n)
{
    size_t ofs = nl_msg_start_nested(buf, OVS_ACTION_ATTR_SET_MASKED);
    uint8_t *p = nl_msg_put_unspec_uninit(buf, type, 2 * n);

    for (size_t i = 0; i < n; i++) {
        p[i] = ((const uint8_t *) k)[i] & ((const uint8_t *) mk)[i];
        p[n + i] = ((const uint8_t *) mk)[i];
    }
    nl_msg_end_nested(buf, ofs);
}

static void
diff_random_actions(struct ofpbuf *buf, const struct flow *f)
{
    int n = 1 + rnd_n(4);

    for (int i = 0; i < n; i++) {
        int kind = rnd_n(12);

        if (kind < 4) {
            nl_msg_put_odp_port(buf, OVS_ACTION_ATTR_OUTPUT,
                                u32_to_odp(1 + rnd_n(3)));
        } else if (kind == 4) {
            struct ovs_action_push_vlan vlan = {
                .vlan_tpid = htons(chance(70) ? ETH_TYPE_VLAN_8021Q
                                              : ETH_TYPE_VLAN_8021AD),
                .vlan_tci = htons(VLAN_CFI | rnd_n(0x10000)),
            };

            nl_msg_put_unspec(buf, OVS_ACTION_ATTR_PUSH_VLAN, &vlan,
                              sizeof vlan);
        } else if (kind == 5) {
            nl_msg_put_flag(buf, OVS_ACTION_ATTR_POP_VLAN);
        } else if (kind == 6) {
            struct ovs_key_ethernet k, mk;

            memset(&k, 0, sizeof k);
            memset(&mk, 0, sizeof mk);
            k.eth_src = (struct eth_addr) {{{ 0x02, 0, 0, 0, 0, rnd() }}};
            k.eth_dst = (struct eth_addr) {{{ 0x02, 0, 0, 0, 1, rnd() }}};
            if (chance(50)) {
                mk.eth_src = eth_addr_exact;
            } else {
                mk.eth_dst = eth_addr_exact;
            }
            put_set_masked(buf, OVS_KEY_ATTR_ETHERNET, &k, &mk,
                                     sizeof k);
        } else if (kind == 7 || kind == 8) {
            struct ovs_key_ipv4 k, mk;

            memset(&k, 0, sizeof k);
            memset(&mk, 0, sizeof mk);
            k.ipv4_src = htonl(0x0a000001 + rnd_n(4));
            k.ipv4_dst = htonl(0x0a000001 + rnd_n(4));
            k.ipv4_ttl = rnd_n(3) + 63;
            switch (rnd_n(3)) {
            case 0: mk.ipv4_src = OVS_BE32_MAX; break;
            case 1: mk.ipv4_dst = OVS_BE32_MAX; break;
            default: mk.ipv4_ttl = UINT8_MAX; break;
            }
            put_set_masked(buf, OVS_KEY_ATTR_IPV4, &k, &mk,
                                     sizeof k);
        } else if (kind == 9) {
            struct ovs_key_ipv6 k, mk;

            memset(&k, 0, sizeof k);
            memset(&mk, 0, sizeof mk);
            k.ipv6_src.s6_addr[0] = k.ipv6_dst.s6_addr[0] = 0xfd;
            k.ipv6_src.s6_addr[15] = 1 + rnd_n(4);
            k.ipv6_dst.s6_addr[15] = 1 + rnd_n(4);
            k.ipv6_hlimit = 63 + rnd_n(3);
            switch (rnd_n(3)) {
            case 0: memset(&mk.ipv6_src, 0xff, 16); break;
            case 1: memset(&mk.ipv6_dst, 0xff, 16); break;
            default: mk.ipv6_hlimit = UINT8_MAX; break;
            }
            put_set_masked(buf, OVS_KEY_ATTR_IPV6, &k, &mk,
                                     sizeof k);
        } else if (kind == 10) {
            struct ovs_key_tcp k, mk;   /* Same layout as ovs_key_udp. */
            bool udp = f->nw_proto == IPPROTO_UDP ? chance(90) : chance(10);

            k.tcp_src = htons(rnd_n(3) + 1000);
            k.tcp_dst = htons(rnd_n(3) + 80);
            mk.tcp_src = chance(50) ? OVS_BE16_MAX : 0;
            mk.tcp_dst = mk.tcp_src ? 0 : OVS_BE16_MAX;
            put_set_masked(buf, udp ? OVS_KEY_ATTR_UDP
                                              : OVS_KEY_ATTR_TCP,
                                     &k, &mk, sizeof k);
        } else {
            nl_msg_put_odp_port(buf, OVS_ACTION_ATTR_OUTPUT,
                                u32_to_odp(1 + rnd_n(3)));
        }
    }
}

/* Tunnel actions: what OVS's native tunnelling emits for output to a
 * VXLAN or Geneve port, clone(tnl_push(...), output(uplink)) or the bare
 * tnl_push + output, with a random outer header (IPv4 or IPv6, UDP
 * checksum on or off, Geneve options, sometimes too long for the NIC),
 * after a random prefix (a VF output, a rewrite) and now and then with an
 * action the NIC must refuse after the push. */
static size_t
diff_tunnel_header(uint8_t *h, bool *vxlanp)
{
    bool ipv6 = chance(30), vxlan = chance(40);
    bool udp_csum = ipv6 || chance(30);
    uint32_t vni = rnd_n(3) ? 100 + rnd_n(4) : rnd() & 0xffffff;
    size_t n = 0, l3, l4;

    memset(h, 0, TNL_PUSH_HEADER_SIZE);
    memcpy(h, (uint8_t []) { 0x02, 0, 0, 0, 0xaa, rnd() }, 6);
    memcpy(h + 6, (uint8_t []) { 0x02, 0, 0, 0, 0xbb, rnd() }, 6);
    h[12] = ipv6 ? 0x86 : 0x08;
    h[13] = ipv6 ? 0xdd : 0x00;
    l3 = n = ETH_HEADER_LEN;
    if (ipv6) {
        h[l3] = 0x60;
        h[l3 + 6] = IPPROTO_UDP;
        h[l3 + 7] = 64;
        h[l3 + 8] = h[l3 + 24] = 0xfd;
        h[l3 + 23] = 1 + rnd_n(4);
        h[l3 + 39] = 1 + rnd_n(4);
        n += IPV6_HEADER_LEN;
    } else {
        ovs_be16 c;

        h[l3] = 0x45;
        h[l3 + 1] = rnd_n(4) << 2;
        h[l3 + 6] = chance(70) ? 0x40 : 0;   /* DF, as OVS's df_default. */
        h[l3 + 8] = 64;
        h[l3 + 9] = IPPROTO_UDP;
        memcpy(h + l3 + 12, (uint8_t []) { 192, 168, 0, 1 + rnd_n(4) }, 4);
        memcpy(h + l3 + 16, (uint8_t []) { 192, 168, 0, 1 + rnd_n(4) }, 4);
        c = csum(h + l3, IP_HEADER_LEN);
        memcpy(h + l3 + 10, &c, 2);
        n += IP_HEADER_LEN;
    }
    l4 = n;
    h[l4 + 2] = (vxlan ? NIC_VXLAN_PORT : NIC_GENEVE_PORT) >> 8;
    h[l4 + 3] = (vxlan ? NIC_VXLAN_PORT : NIC_GENEVE_PORT) & 0xff;
    if (udp_csum) {
        /* OVS's mark that the checksum is to be computed. */
        h[l4 + 6] = h[l4 + 7] = 0xff;
    }
    n += UDP_HEADER_LEN;
    if (vxlan) {
        h[n] = 0x08;
        n += 4;
    } else {
        int n_opts = chance(50) ? 0 : 1 + rnd_n(4);
        size_t base = n;

        h[n + 1] = 0;
        h[n + 2] = 0x65;
        h[n + 3] = 0x58;
        n += 4;
        memcpy(h + n, &(ovs_be32) { htonl(vni << 8) }, 4);
        n += 4;
        for (int i = 0; i < n_opts; i++) {
            int words = rnd_n(8);

            if (n + 4 + 4 * words > TNL_PUSH_HEADER_SIZE) {
                break;
            }
            h[n] = 0x01;                /* OVN's option class 0x0102. */
            h[n + 1] = 0x02;
            h[n + 2] = 0x80 | rnd_n(3);
            h[n + 3] = words;
            for (int w = 0; w < 4 * words; w++) {
                h[n + 4 + w] = rnd();
            }
            n += 4 + 4 * words;
        }
        h[base] = (n - base - 8) / 4;
        *vxlanp = false;
        return n;
    }
    memcpy(h + n, &(ovs_be32) { htonl(vni << 8) }, 4);
    n += 4;
    *vxlanp = true;
    return n;
}

static void
diff_random_tunnel_actions(struct ofpbuf *buf, const struct flow *f)
{
    struct ovs_action_push_tnl d;
    size_t clone_ofs = 0;
    bool vxlan, clone = chance(70);

    if (chance(30)) {
        diff_random_actions(buf, f);
    }
    memset(&d, 0, sizeof d);
    d.header_len = diff_tunnel_header((uint8_t *) d.header, &vxlan);
    d.tnl_port = u32_to_odp(vxlan ? 4789 : 6081);
    d.out_port = u32_to_odp(100);
    d.tnl_type = (chance(3) ? OVS_VPORT_TYPE_GRE
                  : vxlan ? OVS_VPORT_TYPE_VXLAN : OVS_VPORT_TYPE_GENEVE);
    if (clone) {
        clone_ofs = nl_msg_start_nested(buf, OVS_ACTION_ATTR_CLONE);
    }
    nl_msg_put_unspec(buf, OVS_ACTION_ATTR_TUNNEL_PUSH, &d,
                      offsetof(struct ovs_action_push_tnl, header)
                      + d.header_len);
    if (chance(5)) {
        nl_msg_put_flag(buf, OVS_ACTION_ATTR_POP_VLAN);
    }
    nl_msg_put_odp_port(buf, OVS_ACTION_ATTR_OUTPUT, u32_to_odp(2));
    if (clone) {
        nl_msg_end_nested(buf, clone_ofs);
        if (chance(5)) {
            nl_msg_put_odp_port(buf, OVS_ACTION_ATTR_OUTPUT, u32_to_odp(1));
        }
    }
}

/* Running both paths. */

struct diff_output {
    uint32_t port;                      /* NIC port number. */
    struct dp_packet *pkt;
};

struct diff_outputs {
    struct diff_output out[16];
    size_t n;
};

static void
diff_outputs_clear(struct diff_outputs *o)
{
    for (size_t i = 0; i < o->n; i++) {
        dp_packet_delete(o->out[i].pkt);
    }
    o->n = 0;
}

static uint32_t
diff_odp_to_nic(uint32_t odp)
{
    return (odp == 1 ? NIC_PORT_VF_BASE : odp == 2 ? 0
            : NIC_PORT_VF_BASE + 1);
}

static bool
diff_resolve(const void *aux OVS_UNUSED, odp_port_t odp_port,
             uint32_t *nic_port)
{
    uint32_t p = odp_to_u32(odp_port);

    if (p < 1 || p > 3) {
        return false;
    }
    *nic_port = diff_odp_to_nic(p);
    return true;
}

static struct diff_outputs *ovs_outputs;
static unsigned long diff_encap_rules;  /* Rules with an encap installed. */
static unsigned long diff_ct_rules;     /* Rules from a ct_* match. */

/* The RSS hash dpif-netdev gives a packet it receives from a port that
 * sets none (as NIC representors do), which OVS's tnl_push turns into the
 * UDP source port. */
static void
diff_ovs_set_rss(struct dp_packet *pkt)
{
    struct {
        struct miniflow mf;
        uint64_t buf[FLOW_U64S];
    } m;

    miniflow_extract(pkt, &m.mf);
    dp_packet_set_rss_hash(pkt, miniflow_hash_5tuple(&m.mf, 0));
}

/* tnl_push as dpif-netdev's push_tnl_action() runs it for a UDP tunnel
 * port. */
static void
diff_ovs_tnl_push(struct dp_packet_batch *batch, const struct nlattr *a)
{
    const struct ovs_action_push_tnl *d = nl_attr_get(a);
    struct dp_packet *pkt;

    DP_PACKET_BATCH_FOR_EACH (i, pkt, batch) {
        netdev_tnl_push_udp_header(NULL, pkt, d);
        pkt_metadata_init(&pkt->md, d->out_port);
    }
}

static void
diff_ovs_execute(void *dp OVS_UNUSED, struct dp_packet_batch *batch,
                 const struct nlattr *a, bool steal)
{
    struct dp_packet *pkt;

    if (nl_attr_type(a) == OVS_ACTION_ATTR_TUNNEL_PUSH) {
        diff_ovs_tnl_push(batch, a);
    }
    DP_PACKET_BATCH_FOR_EACH (i, pkt, batch) {
        if (nl_attr_type(a) == OVS_ACTION_ATTR_OUTPUT
            && ovs_outputs->n < ARRAY_SIZE(ovs_outputs->out)) {
            struct diff_output *o = &ovs_outputs->out[ovs_outputs->n++];

            o->port = diff_odp_to_nic(odp_to_u32(nl_attr_get_odp_port(a)));
            o->pkt = dp_packet_clone(pkt);
        }
    }
    if (steal) {
        dp_packet_delete_batch(batch, true);
    }
}

static void
diff_nic_output(struct nic_exec_ctx *ctx, struct dp_packet *pkt,
                bool to_host OVS_UNUSED, uint32_t port,
                uint32_t queue OVS_UNUSED, uint32_t mark OVS_UNUSED)
{
    struct diff_outputs *o = ctx->aux;

    if (o->n < ARRAY_SIZE(o->out)) {
        o->out[o->n].port = port;
        o->out[o->n++].pkt = pkt;
    } else {
        dp_packet_delete(pkt);
    }
}

/* Whether OVS puts 'frame' into the megaflow 'm'. */
static bool
diff_ovs_matches(const struct match *m, struct dp_packet *pkt,
                 struct flow *flow)
{
    const uint64_t *fw = (const uint64_t *) flow;
    const uint64_t *mw = (const uint64_t *) &m->flow;
    const uint64_t *ww = (const uint64_t *) &m->wc.masks;

    pkt_metadata_init(&pkt->md, u32_to_odp(1));
    flow_extract(pkt, flow);
    for (size_t i = 0; i < FLOW_U64S; i++) {
        if ((fw[i] ^ mw[i]) & ww[i]) {
            return false;
        }
    }
    return true;
}

static void
diff_report(struct ds *s, const struct diff_frame *f, const struct match *m,
            const struct ofpbuf *acts, const struct offload_translation *t,
            const struct diff_outputs *ovs, const struct diff_outputs *nic)
{
    ds_put_format(s, "vlan-limit %d\nframe (%"PRIuSIZE" bytes): ",
                  flow_vlan_limit, f->len);
    for (size_t i = 0; i < f->len; i++) {
        ds_put_format(s, "%02x", f->buf[i]);
    }
    ds_put_cstr(s, "\nmegaflow: ");
    match_format(m, NULL, s, OFP_DEFAULT_PRIORITY);
    ds_put_cstr(s, "\nactions: ");
    format_odp_actions(s, acts->data, acts->size, NULL);
    ds_put_format(s, "\nNIC rule (%s): ", offload_kind_to_string(t->kind));
    nic_match_format(s, &t->spec.match);
    ds_put_cstr(s, " actions=");
    nic_actions_format(s, t->spec.actions, t->spec.n_actions);
    for (int side = 0; side < 2; side++) {
        const struct diff_outputs *o = side ? nic : ovs;

        ds_put_format(s, "\n%s outputs: %"PRIuSIZE, side ? "NIC" : "OVS",
                      o ? o->n : 0);
        for (size_t i = 0; o && i < o->n; i++) {
            const uint8_t *p = dp_packet_data(o->out[i].pkt);

            ds_put_format(s, "\n  port %"PRIu32": ", o->out[i].port);
            for (size_t j = 0; j < dp_packet_size(o->out[i].pkt); j++) {
                ds_put_format(s, "%02x", p[j]);
            }
        }
    }
}

/* The NIC side of the comparison. */
struct diff_backend {
    const char *name;
    void (*get_caps)(struct diff_backend *, struct nic_caps *);

    /* Installs 'spec'.  Returns false if the backend refuses it (as the
     * offload engine would leave such a flow on the host). */
    bool (*install)(struct diff_backend *, const struct nic_rule_spec *);
    void (*uninstall)(struct diff_backend *);

    /* Runs frame 'f' arriving on the rule's in_port: returns whether it
     * hit the rule, with what went out in 'out'.  Sets '*error' (with a
     * report in 's') if the backend itself is inconsistent. */
    bool (*run)(struct diff_backend *, const struct diff_frame *f,
                const struct nic_rule_spec *, struct diff_outputs *out,
                bool *error, struct ds *s);
    void *aux;
    unsigned long refused;
};

/* Whether the NIC model's parser puts 'f' into 'spec'. */
static bool
diff_model_hit(const struct diff_frame *f, const struct nic_rule_spec *spec)
{
    struct nic_parse_offsets ofs;
    struct nic_flow_key key;

    return (nic_parse(f->buf, f->len, NIC_PORT_VF_BASE, &key, &ofs)
            == NIC_PARSE_OK
            && nic_match_matches(&spec->match, &key));
}

static void
diff_model_caps(struct diff_backend *b OVS_UNUSED, struct nic_caps *caps)
{
    memset(caps, 0, sizeof *caps);
    caps->actions = (1u << NIC_N_ACTIONS) - 1;
    memset(&caps->matchable, 0xff, sizeof caps->matchable);
}

static bool
diff_model_install(struct diff_backend *b OVS_UNUSED,
                   const struct nic_rule_spec *spec OVS_UNUSED)
{
    return true;
}

static void
diff_model_uninstall(struct diff_backend *b OVS_UNUSED)
{
}

static bool
diff_model_run(struct diff_backend *b OVS_UNUSED, const struct diff_frame *f,
               const struct nic_rule_spec *spec, struct diff_outputs *out,
               bool *error OVS_UNUSED, struct ds *s OVS_UNUSED)
{
    struct nic_exec_ctx ctx = { .output = diff_nic_output, .aux = out };

    if (!diff_model_hit(f, spec)) {
        return false;
    }
    nic_actions_execute(dp_packet_clone_data(f->buf, f->len),
                        NIC_PORT_VF_BASE, spec->actions, spec->n_actions,
                        &ctx);
    return true;
}

static struct diff_backend diff_model_backend = {
    .name = "model",
    .get_caps = diff_model_caps,
    .install = diff_model_install,
    .uninstall = diff_model_uninstall,
    .run = diff_model_run,
};

/* The NIC model with an encapsulation mapping table that binds rules as
 * nicsim does (lib/nic-encap-bind.h): per encap rule, its destination
 * gets no mapping, the one its header agrees with, or one that differs in
 * one field, which must be refused; a bound rule's output is compared
 * with OVS's like any other. */
static struct nic_encap_map diff_map;
static unsigned long diff_bound, diff_bind_refused;

static bool
diff_map_lookup(void *map, const struct eth_addr *mac,
                const struct in6_addr *ip, struct nic_encap_mapping *m)
{
    return nic_encap_map_find(map, mac, ip, m);
}

/* Changes one field of 'm' so that no header agreeing with the original
 * agrees with it, keeping it a valid mapping. */
static void
diff_map_perturb__(struct nic_encap_mapping *m)
{
    switch (random_range(m->opts_len > 4 ? 4 : 3)) {
    case 0:
        m->vni = (m->vni + 1 + random_range(0xfffe)) & 0xffffff;
        break;
    case 1:
        m->remote_ip.s6_addr[15] ^= 1 + random_range(0xfe);
        break;
    case 2:
        m->tun_type = (m->tun_type == NIC_TUNNEL_VXLAN
                       ? NIC_TUNNEL_GENEVE : NIC_TUNNEL_VXLAN);
        m->opts_len = 0;
        break;
    default:
        m->opts[4 + random_range(m->opts_len - 4)] ^= 0x5a;
        break;
    }
}

static void
diff_map_perturb(struct nic_encap_mapping *m)
{
    struct nic_encap_mapping orig = *m;
    char *error;

    /* A flipped option byte may be a length, which makes it invalid. */
    do {
        *m = orig;
        diff_map_perturb__(m);
        error = nic_encap_mapping_check(m);
        free(error);
    } while (error);
}

static bool
diff_mapped_install(struct diff_backend *b OVS_UNUSED,
                    const struct nic_rule_spec *spec)
{
    struct nic_encap_dest d[NIC_MAX_ACTIONS];
    size_t n_dests = nic_encap_bind_dests(&spec->match, spec->actions,
                                          spec->n_actions, d, ARRAY_SIZE(d));
    size_t want_bound = 0, n_bound, j = 0;
    bool want_refused = false;
    char *why;
    int error;

    nic_encap_map_clear(&diff_map);
    for (size_t i = 0; i < spec->n_actions && j < n_dests; i++) {
        struct nic_encap_mapping m, old;
        int choice;

        if (spec->actions[i].type != NIC_ACT_ENCAP) {
            continue;
        }
        if (!nic_encap_bind_mapping_of(&spec->actions[i], &d[j], &m)
            || nic_encap_map_find(&diff_map, &m.inner_mac, &m.inner_ip,
                                  &old)) {
            j++;
            continue;
        }
        j++;
        choice = random_range(3);
        if (choice == 1) {
            want_bound++;
        } else if (choice == 2) {
            diff_map_perturb(&m);
            want_refused = true;
        }
        if (choice) {
            ck_assert_int_eq(nic_encap_map_put(&diff_map, &m), 0);
        }
    }
    error = nic_encap_bind_rule(diff_map_lookup, &diff_map, &spec->match,
                                spec->actions, spec->n_actions, &n_bound,
                                &why);
    if (want_refused) {
        ck_assert_msg(error == EADDRNOTAVAIL && why,
                      "a mapping that differs in one field bound a rule");
        free(why);
        diff_bind_refused++;
        return false;
    }
    ck_assert_msg(!error, "refused: %s", why);
    ck_assert_uint_eq(n_bound, want_bound);
    diff_bound += n_bound;
    return true;
}

static struct diff_backend diff_mapped_backend = {
    .name = "model with mappings",
    .get_caps = diff_model_caps,
    .install = diff_mapped_install,
    .uninstall = diff_model_uninstall,
    .run = diff_model_run,
};

struct diff_counts {
    unsigned long translated, nic_hits, compared_outputs;
};

/* Runs 'n_frames' frames through megaflow 'm' with actions 'acts' on
 * both paths.  Returns false with a report in 's' on a difference. */
static bool
diff_one_flow(struct diff_backend *b, const struct match *m,
              const struct ofpbuf *acts, const struct diff_frame *seed,
              int n_frames, struct diff_counts *counts, struct ds *s)
{
    static const struct offload_port_resolver resolver = {
        .resolve = diff_resolve,
    };
    struct offload_translation t;
    struct nic_caps caps;
    bool ok = true;

    b->get_caps(b, &caps);
    offload_translate(m, acts->data, acts->size, &caps, &resolver,
                      chance(20) ? 5 : 0, 1, &t);
    if (t.kind == OFFLOAD_KIND_NONE) {
        if (getenv("DIFF_VERBOSE")) {
            fprintf(stderr, "refused: %s %s\n",
                    offload_reason_name(t.reason), t.detail);
        }
        return true;
    }
    if (!b->install(b, &t.spec)) {
        b->refused++;
        return true;
    }
    counts->translated++;
    for (size_t i = 0; i < t.spec.n_actions; i++) {
        diff_encap_rules += t.spec.actions[i].type == NIC_ACT_ENCAP;
    }
    diff_ct_rules += (m->wc.masks.ct_state || m->wc.masks.ct_mark
                      || m->wc.masks.ct_zone
                      || !ovs_u128_is_zero(m->wc.masks.ct_label)
                      || m->wc.masks.ct_nw_proto);

    for (int i = 0; i < n_frames && ok; i++) {
        struct diff_outputs ovs = { .n = 0 }, nic = { .n = 0 };
        struct diff_frame f;
        struct flow flow;
        bool ovs_hit, nic_hit, error = false;

        if (i == 0) {
            f = *seed;
        } else if (chance(70)) {
            diff_mutate(&f, seed);
        } else {
            diff_random_frame(&f);
        }
        nic_hit = b->run(b, &f, &t.spec, &nic, &error, s);
        if (error) {
            diff_report(s, &f, m, acts, &t, NULL, &nic);
            diff_outputs_clear(&nic);
            b->uninstall(b);
            return false;
        }

        struct dp_packet *pkt = dp_packet_clone_data(f.buf, f.len);
        ovs_hit = diff_ovs_matches(m, pkt, &flow);
        if (nic_hit && !ovs_hit) {
            ds_put_cstr(s, "NIC rule matches a frame outside its "
                        "megaflow\n");
            diff_report(s, &f, m, acts, &t, NULL, NULL);
            dp_packet_delete(pkt);
            diff_outputs_clear(&nic);
            b->uninstall(b);
            return false;
        }
        if (!nic_hit || t.kind != OFFLOAD_KIND_FULL) {
            dp_packet_delete(pkt);
            diff_outputs_clear(&nic);
            counts->nic_hits += nic_hit;
            continue;
        }
        counts->nic_hits++;

        struct dp_packet_batch batch;
        ovs_outputs = &ovs;
        dp_packet_batch_init_packet(&batch, pkt);
        diff_ovs_set_rss(pkt);
        odp_execute_actions(NULL, &batch, true, acts->data, acts->size,
                            diff_ovs_execute);

        if (ovs.n != nic.n) {
            ok = false;
        }
        for (size_t j = 0; ok && j < ovs.n; j++) {
            if (ovs.out[j].port != nic.out[j].port
                || dp_packet_size(ovs.out[j].pkt)
                   != dp_packet_size(nic.out[j].pkt)
                || memcmp(dp_packet_data(ovs.out[j].pkt),
                          dp_packet_data(nic.out[j].pkt),
                          dp_packet_size(ovs.out[j].pkt))) {
                ok = false;
            }
        }
        counts->compared_outputs += ovs.n;
        if (!ok) {
            ds_put_cstr(s, "NIC and OVS outputs differ\n");
            diff_report(s, &f, m, acts, &t, &ovs, &nic);
        }
        diff_outputs_clear(&ovs);
        diff_outputs_clear(&nic);
    }
    b->uninstall(b);
    return ok;
}

static uint64_t
diff_env(const char *name, uint64_t dflt)
{
    const char *v = getenv(name);

    return v && *v ? strtoull(v, NULL, 0) : dflt;
}

typedef void diff_actions_gen(struct ofpbuf *, const struct flow *);

static void
diff_run_with(struct diff_backend *b, int rounds, diff_actions_gen *gen)
{
    uint64_t seed = diff_env("SEED", 20261201);
    struct diff_counts counts = { 0, 0, 0 };
    int saved_limit = flow_vlan_limit;
    struct ds s = DS_EMPTY_INITIALIZER;

    odp_execute_init();
    diff_rng = seed * 0x9e3779b97f4a7c15ULL | 1;
    for (int r = 0; r < rounds; r++) {
        struct diff_frame f;
        struct dp_packet *pkt;
        struct ofpbuf acts;
        struct match m;
        struct flow flow;

        flow_limit_vlans(chance(50) ? 1 : 2);
        diff_random_frame(&f);
        pkt = dp_packet_clone_data(f.buf, f.len);
        pkt_metadata_init(&pkt->md, u32_to_odp(1));
        flow_extract(pkt, &flow);
        dp_packet_delete(pkt);
        diff_random_match(&m, &flow);

        ofpbuf_init(&acts, 64);
        gen(&acts, &flow);
        if (!diff_one_flow(b, &m, &acts, &f, 64, &counts, &s)) {
            flow_limit_vlans(saved_limit);
            ck_abort_msg("%s: seed %"PRIu64", round %d: %s", b->name, seed, r,
                         ds_cstr(&s));
        }
        ofpbuf_uninit(&acts);
    }
    flow_limit_vlans(saved_limit);
    ds_destroy(&s);
    fprintf(stderr, "differential (%s): seed %"PRIu64": %d megaflows, %lu "
            "translated, %lu refused by the backend, %lu NIC hits, %lu "
            "outputs compared\n", b->name, seed, rounds, counts.translated,
            b->refused, counts.nic_hits, counts.compared_outputs);
    /* A run that hardly reaches the NIC path proves nothing. */
    ck_assert_uint_ge(counts.translated, rounds / 10);
    ck_assert_uint_ge(counts.compared_outputs, rounds);
}

static void
diff_run(struct diff_backend *b, int rounds)
{
    diff_run_with(b, rounds, diff_random_actions);
}

START_TEST(test_differential)
{
    int rounds = diff_env("DIFF_ROUNDS", 4000);

    diff_ct_rules = 0;
    diff_run(&diff_model_backend, rounds);
    fprintf(stderr, "differential (model): %lu rules from megaflows with "
            "ct_* matches\n", diff_ct_rules);
    ck_assert_uint_ge(diff_ct_rules, rounds / 20);
}
END_TEST

/* Tunnel encapsulation on the NIC model: the same frames, tnl_push action
 * lists. */
START_TEST(test_differential_tunnel_encap)
{
    int rounds = diff_env("DIFF_ROUNDS", 3000);

    diff_encap_rules = 0;
    diff_run_with(&diff_model_backend, rounds, diff_random_tunnel_actions);
    fprintf(stderr, "differential (tunnel): %lu rules with encap\n",
            diff_encap_rules);
    ck_assert_uint_ge(diff_encap_rules, rounds / 10);
}
END_TEST

/* Tunnel encapsulation bound to the NIC's mapping table. */
START_TEST(test_differential_tunnel_mapped)
{
    int rounds = diff_env("DIFF_ROUNDS", 2000);

    nic_encap_map_init(&diff_map, 16);
    diff_bound = diff_bind_refused = 0;
    diff_run_with(&diff_mapped_backend, rounds, diff_random_tunnel_actions);
    fprintf(stderr, "differential (tunnel, mapped): %lu rules bound, %lu "
            "refused\n", diff_bound, diff_bind_refused);
    ck_assert_uint_ge(diff_bound, rounds / 50);
    ck_assert_uint_ge(diff_bind_refused, rounds / 50);
    nic_encap_map_destroy(&diff_map);
}
END_TEST

/* Decapsulation (the recirc-id route): an uplink megaflow whose action is
 * tnl_pop(7) becomes a NIC rule that looks the decapsulated frame up as
 * arriving on the NIC's tunnel port 7, where a random inner megaflow
 * (tunnel metadata and inner fields, random actions) is a rule of its own.
 * Frames: the seed encapsulated by OVS's own tnl_push, with other VNIs,
 * headers and inner frames, and corrupted (bits, UDP checksum,
 * truncation).  OVS's side is dpif-netdev's: the outer megaflow, OVS's
 * netdev_vxlan/geneve_pop_header(), flow_extract() on the tunnel port, the
 * inner megaflow, its actions.  Whatever the NIC decapsulates and forwards
 * must be what OVS outputs, byte for byte; the rest goes to the host. */
#define DIFF_TNL_ODP 7

static bool
diff_decap_resolve(const void *aux, odp_port_t odp_port, uint32_t *nic_port)
{
    if (odp_to_u32(odp_port) == DIFF_TNL_ODP) {
        *nic_port = NIC_PORT_TUNNEL_BASE + DIFF_TNL_ODP;
        return true;
    }
    return diff_resolve(aux, odp_port, nic_port);
}

/* 'inner' encapsulated with header 'd' by OVS's tnl_push, into 'f'. */
static void
diff_encap(struct diff_frame *f, const struct diff_frame *inner,
           const struct ovs_action_push_tnl *d)
{
    struct dp_packet *pkt = dp_packet_clone_data(inner->buf, inner->len);

    pkt_metadata_init(&pkt->md, u32_to_odp(1));
    diff_ovs_set_rss(pkt);
    netdev_tnl_push_udp_header(NULL, pkt, d);
    f->len = MIN(dp_packet_size(pkt), sizeof f->buf);
    memcpy(f->buf, dp_packet_data(pkt), f->len);
    dp_packet_delete(pkt);
}

static bool
diff_flow_in(const struct match *m, const struct flow *flow)
{
    const uint64_t *fw = (const uint64_t *) flow;
    const uint64_t *mw = (const uint64_t *) &m->flow;
    const uint64_t *ww = (const uint64_t *) &m->wc.masks;

    for (size_t i = 0; i < FLOW_U64S; i++) {
        if ((fw[i] ^ mw[i]) & ww[i]) {
            return false;
        }
    }
    return true;
}

/* OVS: 'f' on the uplink (datapath port 2) through the outer megaflow and
 * tnl_pop.  Returns the decapsulated packet, with its flow in '*inner', or
 * NULL if the outer megaflow does not hold it or tnl_pop drops it. */
static struct dp_packet *
diff_ovs_pop(const struct diff_frame *f, const struct match *outer,
             struct flow *inner, bool *outer_hit)
{
    struct dp_packet *pkt = dp_packet_clone_data(f->buf, f->len);
    struct flow flow;

    pkt_metadata_init(&pkt->md, u32_to_odp(2));
    flow_extract(pkt, &flow);
    *outer_hit = diff_flow_in(outer, &flow);
    if (!*outer_hit) {
        dp_packet_delete(pkt);
        return NULL;
    }
    pkt = (flow.tp_dst == htons(NIC_VXLAN_PORT)
           ? netdev_vxlan_pop_header(pkt) : netdev_geneve_pop_header(pkt));
    if (pkt) {
        pkt->md.in_port.odp_port = u32_to_odp(DIFF_TNL_ODP);
        flow_extract(pkt, inner);
    }
    return pkt;
}

/* The inner megaflow, as OVS's tnl_wc_init() shapes its tunnel part. */
static void
diff_decap_match(struct match *m, const struct flow *inner)
{
    struct flow_tnl *t = &m->wc.masks.tunnel;

    diff_random_match(m, inner);
    t->tun_id = OVS_BE64_MAX;
    t->ip_src = t->ip_dst = OVS_BE32_MAX;
    t->flags = (FLOW_TNL_F_DONT_FRAGMENT | FLOW_TNL_F_CSUM | FLOW_TNL_F_KEY
                | (chance(30) ? FLOW_TNL_F_OAM : 0)
                | (chance(50) ? FLOW_TNL_F_UDPIF : 0));
    t->ip_tos = UINT8_MAX;
    if (chance(10)) {
        t->ip_ttl = UINT8_MAX;
    }
    if (chance(10)) {
        t->tp_dst = OVS_BE16_MAX;
    }
    if (inner->tunnel.flags & FLOW_TNL_F_UDPIF && chance(70)) {
        /* OVN's: one option, the top bit of its data wildcarded. */
        int len = chance(90) ? MIN(8, inner->tunnel.metadata.present.len)
                             : inner->tunnel.metadata.present.len;

        t->metadata.present.len = UINT8_MAX;
        memset(t->metadata.opts.u8, 0xff, len);
        if (len == 8 && chance(50)) {
            t->metadata.opts.u8[4] = 0x7f;
        }
    }
}

static bool
diff_decap_round(int round, struct diff_counts *counts,
                 unsigned long *n_decap, struct ds *s)
{
    static const struct offload_port_resolver resolver = {
        .resolve = diff_decap_resolve,
    };
    struct ovs_action_push_tnl d;
    struct offload_translation to, ti;
    struct diff_frame inner_seed, seed;
    struct match outer, inner;
    struct flow flow, iflow;
    struct dp_packet *pkt;
    struct ofpbuf acts, pop;
    struct nic_caps caps;
    bool vxlan, hit, ok = true;

    diff_random_frame(&inner_seed);
    memset(&d, 0, sizeof d);
    d.header_len = diff_tunnel_header((uint8_t *) d.header, &vxlan);
    d.tnl_type = vxlan ? OVS_VPORT_TYPE_VXLAN : OVS_VPORT_TYPE_GENEVE;
    d.tnl_port = u32_to_odp(DIFF_TNL_ODP);
    d.out_port = u32_to_odp(2);
    diff_encap(&seed, &inner_seed, &d);

    /* The outer megaflow: what the tunnel's receive flow matches. */
    pkt = dp_packet_clone_data(seed.buf, seed.len);
    pkt_metadata_init(&pkt->md, u32_to_odp(2));
    flow_extract(pkt, &flow);
    dp_packet_delete(pkt);
    match_init_catchall(&outer);
    outer.flow = flow;
    outer.wc.masks.in_port.odp_port = u32_to_odp(UINT32_MAX);
    outer.wc.masks.recirc_id = UINT32_MAX;
    outer.wc.masks.packet_type = OVS_BE32_MAX;
    outer.wc.masks.dl_type = OVS_BE16_MAX;
    outer.wc.masks.nw_proto = UINT8_MAX;
    outer.wc.masks.nw_frag = FLOW_NW_FRAG_MASK;
    outer.wc.masks.tp_dst = OVS_BE16_MAX;
    if (flow.dl_type == htons(ETH_TYPE_IP)) {
        outer.wc.masks.nw_dst = OVS_BE32_MAX;
    } else {
        memset(&outer.wc.masks.ipv6_dst, 0xff, 16);
    }
    match_init(&outer, &outer.flow, &outer.wc);
    ofpbuf_init(&pop, 16);
    nl_msg_put_u32(&pop, OVS_ACTION_ATTR_TUNNEL_POP, DIFF_TNL_ODP);
    diff_model_caps(NULL, &caps);
    offload_translate(&outer, pop.data, pop.size, &caps, &resolver, 5, 1,
                      &to);
    ofpbuf_uninit(&pop);
    ck_assert_msg(to.kind == OFFLOAD_KIND_PARTIAL
                  && to.spec.n_actions == 3
                  && to.actions[1].type == NIC_ACT_TNL_POP,
                  "round %d: outer tnl_pop flow: %s %s", round,
                  offload_reason_name(to.reason), to.detail);

    pkt = diff_ovs_pop(&seed, &outer, &iflow, &hit);
    if (!pkt) {
        return true;            /* E.g. a seed inner frame OVS drops. */
    }
    dp_packet_delete(pkt);
    diff_decap_match(&inner, &iflow);
    ofpbuf_init(&acts, 64);
    diff_random_actions(&acts, &iflow);
    offload_translate(&inner, acts.data, acts.size, &caps, &resolver, 0, 1,
                      &ti);
    if (ti.kind != OFFLOAD_KIND_FULL) {
        ofpbuf_uninit(&acts);
        return true;
    }
    counts->translated++;

    for (int i = 0; i < 64 && ok; i++) {
        struct diff_outputs ovs = { .n = 0 }, nic = { .n = 0 };
        struct nic_parse_offsets ofs, iofs;
        struct nic_flow_key key, ikey;
        struct diff_frame f, in = inner_seed;
        struct ovs_action_push_tnl d2 = d;
        bool nic_outer, nic_took = false, ovs_took;
        size_t at = 0;

        if (i && chance(50)) {
            if (chance(60)) {
                diff_mutate(&in, &inner_seed);
            } else {
                diff_random_frame(&in);
            }
        }
        if (i && chance(30)) {
            /* Another VNI (the right one for another flow, or none): the
             * low byte of VXLAN's last word, of the word after Geneve's
             * first. */
            size_t geneve = (d.header[12] == 0x86 ? 54 : 34) + 8;
            uint8_t *h = ((uint8_t *) d2.header
                          + (vxlan ? d2.header_len - 4 : geneve + 4));

            h[2] ^= 1 + rnd_n(7);
        } else if (i && chance(10)) {
            bool vx2;

            d2.header_len = diff_tunnel_header((uint8_t *) d2.header, &vx2);
            d2.tnl_type = vx2 ? OVS_VPORT_TYPE_VXLAN : OVS_VPORT_TYPE_GENEVE;
        }
        diff_encap(&f, &in, &d2);
        if (i && chance(25)) {
            int what = rnd_n(3);

            if (what == 0) {
                f.buf[rnd_n(MIN(f.len, 90))] ^= 1u << rnd_n(8);
            } else if (what == 1 && f.len > 42) {
                f.buf[40 + rnd_n(2)] ^= 1u << rnd_n(8);  /* UDP csum. */
            } else {
                f.len = rnd_n(f.len + 1);
            }
        }

        /* The NIC: the outer rule, then its tnl_pop's second lookup. */
        nic_outer = (nic_parse(f.buf, f.len, 0, &key, &ofs) == NIC_PARSE_OK
                     && nic_match_matches(&to.spec.match, &key));
        if (nic_outer) {
            at = nic_parse_decap(f.buf, f.len, &key, &ofs,
                                 NIC_PORT_TUNNEL_BASE + DIFF_TNL_ODP,
                                 &ikey, &iofs);
            nic_took = at && nic_match_matches(&ti.spec.match, &ikey);
        }

        pkt = diff_ovs_pop(&f, &outer, &flow, &hit);
        if (nic_outer && !hit) {
            ds_put_cstr(s, "NIC outer rule matches a frame outside its "
                        "megaflow\n");
            ok = false;
        }
        ovs_took = pkt && diff_flow_in(&inner, &flow);
        if (nic_took && !ovs_took) {
            ds_put_format(s, "NIC decapsulates a frame that OVS %s\n",
                          pkt ? "puts in another inner megaflow"
                              : "drops");
            ok = false;
        }
        if (ok && nic_took) {
            struct nic_exec_ctx ctx = { .output = diff_nic_output,
                                        .aux = &nic };
            struct dp_packet_batch batch;

            (*n_decap)++;
            nic_actions_execute(dp_packet_clone_data(f.buf + at,
                                                     f.len - at),
                                NIC_PORT_TUNNEL_BASE + DIFF_TNL_ODP,
                                ti.spec.actions, ti.spec.n_actions, &ctx);
            ovs_outputs = &ovs;
            dp_packet_batch_init_packet(&batch, pkt);
            pkt = NULL;
            odp_execute_actions(NULL, &batch, true, acts.data, acts.size,
                                diff_ovs_execute);
            ok = ovs.n == nic.n;
            for (size_t j = 0; ok && j < ovs.n; j++) {
                ok = (ovs.out[j].port == nic.out[j].port
                      && dp_packet_size(ovs.out[j].pkt)
                         == dp_packet_size(nic.out[j].pkt)
                      && !memcmp(dp_packet_data(ovs.out[j].pkt),
                                 dp_packet_data(nic.out[j].pkt),
                                 dp_packet_size(ovs.out[j].pkt)));
            }
            counts->compared_outputs += ovs.n;
            if (!ok) {
                ds_put_cstr(s, "NIC and OVS outputs differ after "
                            "decapsulation\n");
            }
        }
        if (!ok) {
            diff_report(s, &f, &inner, &acts, &ti, &ovs, &nic);
        }
        dp_packet_delete(pkt);
        diff_outputs_clear(&ovs);
        diff_outputs_clear(&nic);
    }
    ofpbuf_uninit(&acts);
    return ok;
}

START_TEST(test_differential_decap)
{
    uint64_t seed = diff_env("SEED", 20261201);
    int rounds = diff_env("DIFF_ROUNDS", 3000);
    struct diff_counts counts = { 0, 0, 0 };
    struct ds s = DS_EMPTY_INITIALIZER;
    unsigned long n_decap = 0;
    int saved_limit = flow_vlan_limit;

    odp_execute_init();
    diff_rng = seed * 0x9e3779b97f4a7c15ULL | 1;
    for (int r = 0; r < rounds; r++) {
        flow_limit_vlans(chance(50) ? 1 : 2);
        if (!diff_decap_round(r, &counts, &n_decap, &s)) {
            flow_limit_vlans(saved_limit);
            ck_abort_msg("decap: seed %"PRIu64", round %d: %s", seed, r,
                         ds_cstr(&s));
        }
    }
    flow_limit_vlans(saved_limit);
    ds_destroy(&s);
    fprintf(stderr, "differential (decap): seed %"PRIu64": %d rounds, %lu "
            "inner flows translated, %lu frames decapsulated by the NIC, "
            "%lu outputs compared\n", seed, rounds, counts.translated,
            n_decap, counts.compared_outputs);
    ck_assert_uint_ge(counts.translated, rounds / 10);
    ck_assert_uint_ge(n_decap, rounds);
}
END_TEST

#ifdef HAVE_NIC_XDP
/* The XDP backend's program, run by the kernel with BPF_PROG_TEST_RUN:
 * frames arrive on "lo" made to count as VF 0 (as in_port), outputs are
 * read back from the program's verdict, trace and output data. */
struct diff_xdp {
    struct nic *nic;
    int prog_fd;
    uint32_t rule_id;
    bool installed;
    unsigned long runs, model_disagreements;
};

static void
diff_xdp_caps(struct diff_backend *b, struct nic_caps *caps)
{
    struct diff_xdp *x = b->aux;

    nic_get_caps(x->nic, caps);
}

static bool
diff_xdp_install(struct diff_backend *b, const struct nic_rule_spec *spec)
{
    struct diff_xdp *x = b->aux;
    int error = nic_rule_add(x->nic, spec, &x->rule_id);

    /* EOPNOTSUPP: e.g. two outputs, which XDP cannot do: the flow stays
     * on the host (reason nic-capability).  The generator's rules are all
     * valid, so nothing else may fail. */
    ck_assert_msg(!error || error == EOPNOTSUPP, "rule_add: %s",
                  ovs_strerror(error));
    x->installed = !error;
    return x->installed;
}

static void
diff_xdp_uninstall(struct diff_backend *b)
{
    struct diff_xdp *x = b->aux;

    if (x->installed) {
        ck_assert_int_eq(nic_rule_del(x->nic, x->rule_id), 0);
        x->installed = false;
    }
}

static bool
diff_xdp_run(struct diff_backend *b, const struct diff_frame *f,
             const struct nic_rule_spec *spec, struct diff_outputs *out,
             bool *error, struct ds *s)
{
    struct diff_xdp *x = b->aux;
    /* data_end: the frame's length, as the kernel wants it. */
    struct xdp_md md = { .ingress_ifindex = if_nametoindex("lo"),
                         .data_end = f->len };
    uint8_t data_out[sizeof f->buf + 64];
    LIBBPF_OPTS(bpf_test_run_opts, opts,
                .data_in = f->buf, .data_size_in = f->len,
                .data_out = data_out, .data_size_out = sizeof data_out,
                .ctx_in = &md, .ctx_size_in = sizeof md,
                .repeat = 1);
    struct nic_xdp_trace_info tr;
    bool model_hit = diff_model_hit(f, spec), hit;

    if (f->len < ETH_HEADER_LEN) {
        /* The kernel takes no shorter frame to run: a runt, dropped. */
        return false;
    }
    x->runs++;
    ck_assert_msg(!bpf_prog_test_run_opts(x->prog_fd, &opts),
                  "BPF_PROG_TEST_RUN: %s", ovs_strerror(errno));
    ck_assert_int_eq(nic_xdp_get_trace(x->nic, &tr), 0);
    hit = tr.rule_id == x->rule_id;
    if (hit != model_hit) {
        /* The program's parser and the model's disagree. */
        ds_put_format(s, "XDP program %s the rule, the NIC model %s "
                      "(verdict %"PRIu32" reason %"PRIu32")\n",
                      hit ? "hit" : "missed", model_hit ? "hits" : "misses",
                      tr.verdict, tr.reason);
        *error = true;
        return false;
    }
    if (!hit) {
        return false;
    }
    if (tr.verdict == NIC_XDP_V_OUTPUT) {
        ck_assert_int_eq(opts.retval, XDP_REDIRECT);
        out->out[out->n].port = tr.out_port;
        out->out[out->n++].pkt = dp_packet_clone_data(data_out,
                                                      opts.data_size_out);
    } else {
        ck_assert_int_eq(opts.retval, XDP_DROP);
        if (getenv("DIFF_VERBOSE")) {
            fprintf(stderr, "XDP program dropped a frame (%s)\n",
                    nic_drop_reason_name(tr.reason));
        }
    }
    return true;
}

static void
diff_xdp_test(void)
{
    static const uint32_t ports[] = {
        0, NIC_PORT_VF_BASE + 1, NIC_PORT_VF_BASE,  /* in_port last. */
    };
    struct diff_xdp x = { .nic = NULL };
    struct diff_backend b = {
        .name = "xdp",
        .get_caps = diff_xdp_caps,
        .install = diff_xdp_install,
        .uninstall = diff_xdp_uninstall,
        .run = diff_xdp_run,
        .aux = &x,
    };
    cpu_set_t cpus, saved;
    int error;

    if (geteuid()) {
        fprintf(stderr, "differential (xdp): skipped: BPF_PROG_TEST_RUN "
                "needs root\n");
        return;
    }
    nic_class_register(&nic_xdp_class);
    error = nic_open("xdp:diffxdp", NULL, &x.nic);
    if (error) {
        fprintf(stderr, "differential (xdp): skipped: cannot load the XDP "
                "program: %s\n", ovs_strerror(error));
        return;
    }
    x.prog_fd = nic_xdp_prog_fd(x.nic);
    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        ck_assert_int_eq(nic_xdp_port_set_ifindex(x.nic, ports[i],
                                                  if_nametoindex("lo")), 0);
    }
    /* The program's trace is per CPU: stay on one. */
    sched_getaffinity(0, sizeof saved, &saved);
    CPU_ZERO(&cpus);
    CPU_SET(sched_getcpu(), &cpus);
    sched_setaffinity(0, sizeof cpus, &cpus);
    diff_run(&b, diff_env("DIFF_XDP_ROUNDS", 1500));
    sched_setaffinity(0, sizeof saved, &saved);
    fprintf(stderr, "differential (xdp): %lu frames through the kernel\n",
            x.runs);
    ck_assert_uint_gt(x.runs, 0);
    nic_close(x.nic);
}
#endif

START_TEST(test_differential_xdp)
{
#ifdef HAVE_NIC_XDP
    diff_xdp_test();
#else
    fprintf(stderr, "differential (xdp): skipped: the XDP backend is not "
            "built (configure found no libbpf/libxdp/clang)\n");
#endif
}
END_TEST

Suite *
offload_differential_suite(void)
{
    Suite *s = suite_create("offload-differential");
    TCase *tc = tcase_create("random");

    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_differential);
    suite_add_tcase(s, tc);

    tc = tcase_create("tunnel");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_differential_tunnel_encap);
    tcase_add_test(tc, test_differential_tunnel_mapped);
    tcase_add_test(tc, test_differential_decap);
    suite_add_tcase(s, tc);

    tc = tcase_create("xdp");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_differential_xdp);
    suite_add_tcase(s, tc);
    return s;
}
