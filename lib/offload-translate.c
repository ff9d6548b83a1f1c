/* SPDX-License-Identifier: Apache-2.0 */
/* Translation of datapath flows into NIC rules, with a reason where they
 * cannot be. */
#include <config.h>

#include "lib/offload-translate.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flow.h"
#include "netdev-native-tnl.h"
#include "netlink.h"
#include "odp-netlink.h"
#include "odp-util.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "packets.h"
#include "util.h"

/* How the translation works.
 *
 * Match: nic_parse() fills in every NIC key field with what OVS's
 * flow_extract() puts in the struct flow member of the same meaning, for
 * every frame it accepts (the rest go to the host).  So a megaflow field
 * that the NIC key has is copied with its mask, and the rule matches
 * exactly the packets of the megaflow that the NIC accepts.  The
 * exceptions are where one NIC field stands for several of OVS's (IPv4
 * and IPv6 addresses share nw_src/nw_dst; tcp_flags is also an ND option
 * type for OVS) and the bridge's vlan-limit 1 (see offload_match_l2()).
 * Whatever is left afterwards is a field the NIC cannot match, and the
 * flow stays in ovs-vswitchd with that field named.
 *
 * Actions: nic_actions_execute() runs the list in order and an output sends
 * the packet as modified so far (the last output hands over the packet
 * itself, earlier ones a copy), which is what ODP actions mean, and each
 * NIC action gives the bytes of the ODP action it comes from (see
 * lib/nic-actions.c), so ODP actions map one to one and in order.  What
 * the NIC has no action for stays on the host, named. */

/* Sets the reason and detail of 'out' unless one is already set, so that
 * the first problem found is the one reported.  Returns false to let
 * callers write "return offload_fail(...)". */
static bool OVS_PRINTF_FORMAT(3, 4)
offload_fail(struct offload_translation *out, enum offload_reason reason,
             const char *format, ...)
{
    if (out->reason == OFFLOAD_REASON_NONE) {
        va_list args;

        out->reason = reason;
        va_start(args, format);
        vsnprintf(out->detail, sizeof out->detail, format, args);
        va_end(args);
    }
    return false;
}

/* The megaflow as the translation sees it. */
struct offload_match_ctx {
    const struct flow *flow;
    const struct flow_wildcards *wc;    /* Original wildcards. */
    struct flow_wildcards left;         /* Bits not yet translated. */
    struct nic_match *nm;
    struct offload_translation *out;

    /* Facts derived from the megaflow that the actions depend on. */
    ovs_be16 dl_type;                   /* If matched exactly, else 0. */
    int nw_proto;                       /* If matched exactly, else -1. */
    bool tunnel;                        /* in_port is a tunnel port. */
};

static bool
offload_is_ip(const struct offload_match_ctx *c)
{
    return (c->dl_type == htons(ETH_TYPE_IP)
            || c->dl_type == htons(ETH_TYPE_IPV6));
}

static bool
offload_match_in_port(struct offload_match_ctx *c,
                      const struct offload_port_resolver *resolver)
{
    odp_port_t odp_port = c->flow->in_port.odp_port;
    uint32_t nic_port;

    if (c->wc->masks.in_port.odp_port != ODPP_NONE) {
        return offload_fail(c->out, OFFLOAD_REASON_MATCH, "in_port");
    }
    if (!resolver->resolve(resolver->aux, odp_port, &nic_port)) {
        const char *name = (resolver->name
                            ? resolver->name(resolver->aux, odp_port)
                            : NULL);

        if (name) {
            return offload_fail(c->out, OFFLOAD_REASON_PORT,
                                "in_port %s", name);
        }
        return offload_fail(c->out, OFFLOAD_REASON_PORT, "in_port port %"
                            PRIu32, odp_to_u32(odp_port));
    }
    c->nm->key.in_port = nic_port;
    c->nm->mask.in_port = UINT32_MAX;
    c->tunnel = nic_port_is_tunnel(nic_port);
    memset(&c->left.masks.in_port, 0, sizeof c->left.masks.in_port);
    return true;
}

/* Metadata that packets arriving from the NIC's media always have at its
 * initial value: the NIC can stand in for a megaflow that requires that
 * value, never for one that requires another. */
static bool
offload_match_metadata(struct offload_match_ctx *c)
{
    static const enum mf_field_id ct_fields[] = {
        MFF_CT_STATE, MFF_CT_ZONE, MFF_CT_MARK, MFF_CT_LABEL,
        MFF_CT_NW_PROTO, MFF_CT_NW_SRC, MFF_CT_NW_DST, MFF_CT_IPV6_SRC,
        MFF_CT_IPV6_DST, MFF_CT_TP_SRC, MFF_CT_TP_DST,
    };
    ovs_be32 pt_mask = c->wc->masks.packet_type;

    /* A partial mask that admits recirc_id 0 is as good as an exact 0. */
    if (c->flow->recirc_id & c->wc->masks.recirc_id) {
        return offload_fail(c->out, OFFLOAD_REASON_RECIRC,
                            "recirc_id=%#"PRIx32, c->flow->recirc_id);
    }
    c->left.masks.recirc_id = 0;

    /* The conntrack fields likewise: pkt_metadata_init() zeroes ct_state
     * and miniflow_extract() then leaves every ct_* field out, so they
     * are 0 for every packet from the NIC.  A match that requires 0 there
     * (OVN's "untracked" ct_state(0/0x3f), ct_mark(0/0x1)) holds for all
     * of them and the NIC rule need not look; any other never holds. */
    for (size_t i = 0; i < ARRAY_SIZE(ct_fields); i++) {
        const struct mf_field *mf = mf_from_id(ct_fields[i]);
        union mf_value value, mask;

        mf_get_value(mf, c->flow, &value);
        mf_get_mask(mf, c->wc, &mask);
        for (size_t j = 0; j < mf->n_bytes; j++) {
            if (value.b[j] & mask.b[j]) {
                return offload_fail(c->out, OFFLOAD_REASON_CT, "%s",
                                    mf->name);
            }
        }
    }
    c->left.masks.ct_state = 0;
    c->left.masks.ct_zone = 0;
    c->left.masks.ct_mark = 0;
    c->left.masks.ct_label = OVS_U128_ZERO;
    c->left.masks.ct_nw_proto = 0;
    c->left.masks.ct_nw_src = 0;
    c->left.masks.ct_nw_dst = 0;
    c->left.masks.ct_ipv6_src = in6addr_any;
    c->left.masks.ct_ipv6_dst = in6addr_any;
    c->left.masks.ct_tp_src = 0;
    c->left.masks.ct_tp_dst = 0;

    /* dp_hash, skb_priority and pkt_mark: pkt_metadata_init() zeroes
     * them too, and only actions after a recirculation set them.  An
     * exact-match flow (megaflows disabled) requires their 0. */
    if (c->flow->dp_hash & c->wc->masks.dp_hash) {
        return offload_fail(c->out, OFFLOAD_REASON_MATCH, "dp_hash");
    }
    if (c->flow->skb_priority & c->wc->masks.skb_priority) {
        return offload_fail(c->out, OFFLOAD_REASON_MATCH, "skb_priority");
    }
    if (c->flow->pkt_mark & c->wc->masks.pkt_mark) {
        return offload_fail(c->out, OFFLOAD_REASON_MATCH, "pkt_mark");
    }
    c->left.masks.dp_hash = 0;
    c->left.masks.skb_priority = 0;
    c->left.masks.pkt_mark = 0;

    if ((c->flow->packet_type ^ htonl(PT_ETH)) & pt_mask) {
        return offload_fail(c->out, OFFLOAD_REASON_MATCH, "packet_type");
    }
    c->left.masks.packet_type = 0;
    return true;
}

/* Whether (value & mask) of 'n' bytes is all 0. */
static bool
offload_masked_is_zero(const void *value_, const void *mask_, size_t n)
{
    const uint8_t *value = value_, *mask = mask_;

    for (size_t i = 0; i < n; i++) {
        if (value[i] & mask[i]) {
            return false;
        }
    }
    return true;
}

/* The tunnel metadata of a flow on a tunnel port: what OVS's tnl_pop
 * gives a packet, which nic_parse_decap() puts in the NIC key of the
 * decapsulated frame (IPv4 underlay, VXLAN or Geneve).  What tnl_pop
 * leaves at 0 (IPv6 addresses, GBP, ERSPAN, GTP-U) may be required to be
 * 0; a flow needing anything the NIC key does not hold stays on the host.
 */
static bool
offload_match_tunnel(struct offload_match_ctx *c)
{
    const uint16_t nic_flags = (FLOW_TNL_F_DONT_FRAGMENT | FLOW_TNL_F_CSUM
                                | FLOW_TNL_F_KEY | FLOW_TNL_F_OAM);
    const struct flow_tnl *f = &c->flow->tunnel;
    const struct flow_tnl *m = &c->wc->masks.tunnel;
    struct nic_flow_key *k = &c->nm->key, *mk = &c->nm->mask;
    uint64_t id = ntohll(f->tun_id & m->tun_id);
    bool udpif = f->flags & FLOW_TNL_F_UDPIF;

    if (!c->tunnel) {
        return true;
    }
    if (id >> 24) {
        return offload_fail(c->out, OFFLOAD_REASON_MATCH,
                            "tun_id beyond 24 bits");
    }
    k->tun_vni = id;
    mk->tun_vni = ntohll(m->tun_id) & 0xffffff;
    k->tun_src = f->ip_src & m->ip_src;
    mk->tun_src = m->ip_src;
    k->tun_dst = f->ip_dst & m->ip_dst;
    mk->tun_dst = m->ip_dst;
    k->tun_tos = f->ip_tos & m->ip_tos;
    mk->tun_tos = m->ip_tos;
    k->tun_ttl = f->ip_ttl & m->ip_ttl;
    mk->tun_ttl = m->ip_ttl;
    k->tun_tp_src = f->tp_src & m->tp_src;
    mk->tun_tp_src = m->tp_src;
    k->tun_tp_dst = f->tp_dst & m->tp_dst;
    mk->tun_tp_dst = m->tp_dst;

    if (!offload_masked_is_zero(&f->ipv6_src, &m->ipv6_src, 16)
        || !offload_masked_is_zero(&f->ipv6_dst, &m->ipv6_dst, 16)) {
        return offload_fail(c->out, OFFLOAD_REASON_MATCH,
                            "tunnel IPv6 underlay");
    }
    if (!offload_masked_is_zero(&f->gbp_id, &m->gbp_id,
                                offsetof(struct flow_tnl, pad1)
                                - offsetof(struct flow_tnl, gbp_id))) {
        return offload_fail(c->out, OFFLOAD_REASON_MATCH,
                            "tunnel gbp/erspan/gtpu");
    }
    if (m->flags & ~(nic_flags | FLOW_TNL_F_UDPIF)) {
        return offload_fail(c->out, OFFLOAD_REASON_MATCH,
                            "tunnel flags %#"PRIx16, m->flags);
    }
    k->tun_flags = f->flags & m->flags & nic_flags;
    mk->tun_flags = m->flags & nic_flags;
    if (m->flags & FLOW_TNL_F_UDPIF) {
        /* Raw Geneve options: tnl_pop of Geneve, never of VXLAN. */
        k->tun_type = udpif ? NIC_TUNNEL_GENEVE : NIC_TUNNEL_VXLAN;
        mk->tun_type = UINT8_MAX;
    }

    /* Geneve options, in OVS's raw ("UDPIF") form as tnl_pop leaves them:
     * their length, and their first bytes. */
    const struct tun_metadata *fm = &f->metadata, *mm = &m->metadata;
    if (udpif) {
        uint64_t rest = mm->present.map;

        memset(&rest, 0, sizeof mm->present.len);
        if (rest || !nic_is_zero(mm->opts.u8 + NIC_TUN_OPTS_LEN,
                                 sizeof mm->opts.u8 - NIC_TUN_OPTS_LEN)) {
            return offload_fail(c->out, OFFLOAD_REASON_MATCH,
                                "geneve options beyond %d bytes",
                                NIC_TUN_OPTS_LEN);
        }
        k->tun_opts_len = fm->present.len & mm->present.len;
        mk->tun_opts_len = mm->present.len;
        for (int i = 0; i < NIC_TUN_OPTS_LEN; i++) {
            ((uint8_t *) k->tun_opts)[i] = fm->opts.u8[i] & mm->opts.u8[i];
        }
        memcpy(mk->tun_opts, mm->opts.u8, NIC_TUN_OPTS_LEN);
    } else if (mm->present.map
               || !nic_is_zero(mm->opts.u8, sizeof mm->opts.u8)) {
        return offload_fail(c->out, OFFLOAD_REASON_MATCH, "tun_metadata");
    }
    memset(&c->left.masks.tunnel, 0, sizeof c->left.masks.tunnel);
    return true;
}

/* Whether the megaflow matches anything that OVS extracts after the VLAN
 * tags: the Ethertype, L3 or L4. */
static bool
offload_matches_past_l2(const struct flow_wildcards *wc)
{
    struct flow_wildcards past = *wc;

    memset(&past.masks, 0, offsetof(struct flow, dl_type));
    memset(&past.masks.vlans, 0, sizeof past.masks.vlans);
    memset(&past.masks.dl_dst, 0, sizeof past.masks.dl_dst);
    memset(&past.masks.dl_src, 0, sizeof past.masks.dl_src);
    return !flow_wildcards_is_catchall(&past);
}

/* The NIC parses up to two tags, as OVS does with vlan-limit 2.  With
 * vlan-limit 1, OVS stops after the first tag and takes what follows as
 * the Ethertype: a second tag is then "dl_type 0x8100" and hides L3 from
 * OVS, where the NIC would see through it.  So a rule that looks past L2
 * also requires "no second tag" in the NIC, which OVS's view of those
 * packets cannot contradict, and a megaflow that wants a TPID as its
 * Ethertype (a deeper stack) stays on the host. */
static bool
offload_match_l2(struct offload_match_ctx *c)
{
    const struct flow *f = c->flow;
    const struct flow_wildcards *wc = c->wc;
    struct nic_flow_key *k = &c->nm->key, *m = &c->nm->mask;
    ovs_be16 type_mask = wc->masks.dl_type;
    int limit = flow_vlan_limit;

    k->dl_src = f->dl_src;
    m->dl_src = wc->masks.dl_src;
    k->dl_dst = f->dl_dst;
    m->dl_dst = wc->masks.dl_dst;
    c->left.masks.dl_src = eth_addr_zero;
    c->left.masks.dl_dst = eth_addr_zero;

    /* The NIC decodes the Ethertype as OVS does (802.3 lengths become
     * SNAP types or FLOW_DL_TYPE_NONE), so any value and mask carry
     * over. */
    k->dl_type = f->dl_type & type_mask;
    m->dl_type = type_mask;
    if (type_mask == OVS_BE16_MAX) {
        c->dl_type = f->dl_type;
    }
    c->left.masks.dl_type = 0;

    BUILD_ASSERT_DECL(VLAN_CFI == NIC_VLAN_PRESENT);
    BUILD_ASSERT_DECL(FLOW_MAX_VLAN_HEADERS == 2);
    for (int i = 0; i < FLOW_MAX_VLAN_HEADERS; i++) {
        ovs_be16 tci_mask = wc->masks.vlans[i].tci;
        ovs_be16 tpid_mask = wc->masks.vlans[i].tpid;
        ovs_be16 tci = f->vlans[i].tci & tci_mask;
        ovs_be16 tpid = f->vlans[i].tpid & tpid_mask;

        c->left.masks.vlans[i].qtag = 0;
        if (i >= limit) {
            /* OVS never fills this tag in: a match on "zero" is always
             * true, any other can never be. */
            if (tci || tpid) {
                return offload_fail(c->out, OFFLOAD_REASON_MATCH,
                                    "vlan_tci%d (beyond vlan-limit %d)",
                                    i, limit);
            }
            continue;
        }
        k->vlan_tci[i] = tci;
        m->vlan_tci[i] = tci_mask;
        k->vlan_tpid[i] = tpid;
        m->vlan_tpid[i] = tpid_mask;
    }

    if (limit < FLOW_MAX_VLAN_HEADERS && offload_matches_past_l2(wc)) {
        ovs_be16 t = f->dl_type & type_mask;

        if (type_mask && (type_mask != OVS_BE16_MAX
                          || t == htons(ETH_TYPE_VLAN_8021Q)
                          || t == htons(ETH_TYPE_VLAN_8021AD))) {
            return offload_fail(c->out, OFFLOAD_REASON_MATCH,
                                "dl_type=%#"PRIx16"/%#"PRIx16" with "
                                "vlan-limit %d", ntohs(t), ntohs(type_mask),
                                limit);
        }
        k->vlan_tci[limit] = 0;
        m->vlan_tci[limit] |= htons(NIC_VLAN_PRESENT);
    }
    return true;
}

static bool
offload_match_l3(struct offload_match_ctx *c)
{
    const struct flow *f = c->flow;
    const struct flow_wildcards *wc = c->wc;
    struct nic_flow_key *k = &c->nm->key, *m = &c->nm->mask;
    bool is_ip6 = c->dl_type == htons(ETH_TYPE_IPV6);
    bool is_ip4_or_arp = (c->dl_type == htons(ETH_TYPE_IP)
                          || c->dl_type == htons(ETH_TYPE_ARP)
                          || c->dl_type == htons(ETH_TYPE_RARP));
    uint8_t proto_mask = wc->masks.nw_proto;

    /* nw_proto, nw_tos, nw_ttl and nw_frag: the NIC fills them in as OVS
     * does for every kind of frame (ARP opcodes and the IPPROTO_FRAGMENT
     * of later IPv6 fragments included), with OVS's nw_frag bits. */
    k->nw_proto = f->nw_proto & proto_mask;
    m->nw_proto = proto_mask;
    k->nw_tos = f->nw_tos & wc->masks.nw_tos;
    m->nw_tos = wc->masks.nw_tos;
    k->nw_ttl = f->nw_ttl & wc->masks.nw_ttl;
    m->nw_ttl = wc->masks.nw_ttl;
    k->nw_frag = f->nw_frag & wc->masks.nw_frag & FLOW_NW_FRAG_MASK;
    m->nw_frag = wc->masks.nw_frag & FLOW_NW_FRAG_MASK;
    c->left.masks.nw_proto = 0;
    c->left.masks.nw_tos = 0;
    c->left.masks.nw_ttl = 0;
    c->left.masks.nw_frag &= ~FLOW_NW_FRAG_MASK;
    c->nw_proto = proto_mask == UINT8_MAX ? f->nw_proto : -1;

    /* OVS 3.1's commit_set_nw_action() skips the L3 rewrites of a flow
     * whose nw_proto is 0 (malformed IP, or protocol 0) and does them for
     * others, without un-wildcarding nw_proto either way: two megaflows,
     * one with the rewrite and one without, then cover the same packets,
     * and dpif-netdev's result depends on which it looks up first.  The
     * NIC, which would pick the more specific, takes only the packets that
     * agree with the flow's own translation: nw_proto 0 here, and for a
     * flow with an L3 rewrite, its own nw_proto (offload_pin_proto()). */
    if ((is_ip4_or_arp || is_ip6) && c->dl_type != htons(ETH_TYPE_ARP)
        && c->dl_type != htons(ETH_TYPE_RARP)
        && !proto_mask && !f->nw_proto) {
        k->nw_proto = 0;
        m->nw_proto = UINT8_MAX;
    }

    /* IPv4 addresses and ARP SPA/TPA share flow.nw_src/nw_dst in OVS and
     * nw_src/nw_dst[0..3] on the NIC, where IPv6 addresses use all 16
     * bytes: only an exact Ethertype says which. */
    if (is_ip4_or_arp) {
        ovs_be32 src = f->nw_src & wc->masks.nw_src;
        ovs_be32 dst = f->nw_dst & wc->masks.nw_dst;

        memcpy(k->nw_src, &src, 4);
        memcpy(m->nw_src, &wc->masks.nw_src, 4);
        memcpy(k->nw_dst, &dst, 4);
        memcpy(m->nw_dst, &wc->masks.nw_dst, 4);
        c->left.masks.nw_src = 0;
        c->left.masks.nw_dst = 0;
    } else if (is_ip6) {
        for (int i = 0; i < 16; i++) {
            k->nw_src[i] = (f->ipv6_src.s6_addr[i]
                            & wc->masks.ipv6_src.s6_addr[i]);
            k->nw_dst[i] = (f->ipv6_dst.s6_addr[i]
                            & wc->masks.ipv6_dst.s6_addr[i]);
        }
        memcpy(m->nw_src, &wc->masks.ipv6_src, 16);
        memcpy(m->nw_dst, &wc->masks.ipv6_dst, 16);
        memset(&c->left.masks.ipv6_src, 0, sizeof c->left.masks.ipv6_src);
        memset(&c->left.masks.ipv6_dst, 0, sizeof c->left.masks.ipv6_dst);
    }
    return true;
}

static bool
offload_match_l4(struct offload_match_ctx *c)
{
    const struct flow *f = c->flow;
    const struct flow_wildcards *wc = c->wc;
    struct nic_flow_key *k = &c->nm->key, *m = &c->nm->mask;

    /* The NIC fills in tp_src/tp_dst as OVS does, for every protocol OVS
     * knows (TCP with a sane data offset, UDP, SCTP, ICMP, IGMP, ICMPv6, in
     * either IP version), zero elsewhere. */
    k->tp_src = f->tp_src & wc->masks.tp_src;
    m->tp_src = wc->masks.tp_src;
    k->tp_dst = f->tp_dst & wc->masks.tp_dst;
    m->tp_dst = wc->masks.tp_dst;
    c->left.masks.tp_src = 0;
    c->left.masks.tp_dst = 0;

    /* OVS reuses tcp_flags for the option type of an ICMPv6 neighbour
     * discovery packet, which the NIC does not decode. */
    if (wc->masks.tcp_flags) {
        if (c->nw_proto < 0 || c->nw_proto == IPPROTO_ICMPV6) {
            return offload_fail(c->out, OFFLOAD_REASON_MATCH, "tcp_flags");
        }
        k->tcp_flags = f->tcp_flags & wc->masks.tcp_flags;
        m->tcp_flags = wc->masks.tcp_flags;
        c->left.masks.tcp_flags = 0;
    }
    return true;
}

/* Names a field of 'left' that is still matched, preferring one whose
 * prerequisites the flow meets (so ARP flows say "arp_spa", not
 * "ip_src"). */
static bool
offload_match_leftover(struct offload_match_ctx *c)
{
    const struct mf_field *first = NULL;

    for (int id = 0; id < MFF_N_IDS; id++) {
        const struct mf_field *mf = mf_from_id(id);

        if (!mf_is_all_wild(mf, &c->left)) {
            if (mf_are_prereqs_ok(mf, c->flow, NULL)) {
                return offload_fail(c->out, OFFLOAD_REASON_MATCH, "%s",
                                    mf->name);
            }
            first = first ? first : mf;
        }
    }
    if (first) {
        return offload_fail(c->out, OFFLOAD_REASON_MATCH, "%s", first->name);
    }
    if (!flow_wildcards_is_catchall(&c->left)) {
        /* A struct flow member that meta-flow does not name. */
        if (!nic_is_zero(&c->left.masks.tunnel,
                             sizeof c->left.masks.tunnel)) {
            return offload_fail(c->out, OFFLOAD_REASON_MATCH, "tunnel");
        }
        if (c->left.masks.igmp_group_ip4) {
            return offload_fail(c->out, OFFLOAD_REASON_MATCH,
                                "igmp_group_ip4");
        }
        return offload_fail(c->out, OFFLOAD_REASON_MATCH, "unnamed field");
    }
    return true;
}

/* Names the first field of NIC mask 'm' outside 'caps'. */
static const char *
offload_nic_field_outside(const struct nic_flow_key *m,
                          const struct nic_flow_key *caps)
{
#define NIC_FIELD(NAME) { #NAME, offsetof(struct nic_flow_key, NAME), \
                          sizeof ((struct nic_flow_key *) 0)->NAME }
    static const struct {
        const char *name;
        size_t ofs, len;
    } fields[] = {
        NIC_FIELD(in_port), NIC_FIELD(tun_vni), NIC_FIELD(dl_dst),
        NIC_FIELD(dl_src), NIC_FIELD(dl_type), NIC_FIELD(tun_type),
        NIC_FIELD(vlan_tci), NIC_FIELD(nw_proto), NIC_FIELD(nw_tos),
        NIC_FIELD(nw_ttl), NIC_FIELD(nw_frag), NIC_FIELD(nw_src),
        NIC_FIELD(nw_dst), NIC_FIELD(tp_src), NIC_FIELD(tp_dst),
        NIC_FIELD(tcp_flags), NIC_FIELD(tun_src), NIC_FIELD(tun_dst),
        NIC_FIELD(tun_flags), NIC_FIELD(tun_tos), NIC_FIELD(tun_ttl),
        NIC_FIELD(tun_tp_src), NIC_FIELD(tun_tp_dst),
        NIC_FIELD(tun_opts_len), NIC_FIELD(tun_opts),
    };
#undef NIC_FIELD
    const uint8_t *mp = (const uint8_t *) m;
    const uint8_t *cp = (const uint8_t *) caps;

    for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
        for (size_t j = 0; j < fields[i].len; j++) {
            size_t o = fields[i].ofs + j;

            if (mp[o] & ~cp[o]) {
                return fields[i].name;
            }
        }
    }
    return "unknown";
}

static bool
offload_translate_match(struct offload_match_ctx *c,
                        const struct nic_caps *caps,
                        const struct offload_port_resolver *resolver)
{
    if (!offload_match_in_port(c, resolver)
        || !offload_match_metadata(c)
        || !offload_match_tunnel(c)
        || !offload_match_l2(c)
        || !offload_match_l3(c)
        || !offload_match_l4(c)
        || !offload_match_leftover(c)) {
        return false;
    }
    nic_match_normalize(c->nm);
    if (!nic_mask_is_subset(&c->nm->mask, &caps->matchable)) {
        return offload_fail(c->out, OFFLOAD_REASON_MATCH, "%s",
                            offload_nic_field_outside(&c->nm->mask,
                                                      &caps->matchable));
    }
    return true;
}

/* Actions. */

static const char *
offload_odp_action_name(enum ovs_action_attr type)
{
    switch (type) {
    case OVS_ACTION_ATTR_OUTPUT: return "output";
    case OVS_ACTION_ATTR_USERSPACE: return "userspace";
    case OVS_ACTION_ATTR_SET: return "set";
    case OVS_ACTION_ATTR_PUSH_VLAN: return "push_vlan";
    case OVS_ACTION_ATTR_POP_VLAN: return "pop_vlan";
    case OVS_ACTION_ATTR_SAMPLE: return "sample";
    case OVS_ACTION_ATTR_RECIRC: return "recirc";
    case OVS_ACTION_ATTR_HASH: return "hash";
    case OVS_ACTION_ATTR_PUSH_MPLS: return "push_mpls";
    case OVS_ACTION_ATTR_POP_MPLS: return "pop_mpls";
    case OVS_ACTION_ATTR_SET_MASKED: return "set";
    case OVS_ACTION_ATTR_CT: return "ct";
    case OVS_ACTION_ATTR_TRUNC: return "trunc";
    case OVS_ACTION_ATTR_PUSH_ETH: return "push_eth";
    case OVS_ACTION_ATTR_POP_ETH: return "pop_eth";
    case OVS_ACTION_ATTR_CT_CLEAR: return "ct_clear";
    case OVS_ACTION_ATTR_PUSH_NSH: return "push_nsh";
    case OVS_ACTION_ATTR_POP_NSH: return "pop_nsh";
    case OVS_ACTION_ATTR_METER: return "meter";
    case OVS_ACTION_ATTR_CLONE: return "clone";
    case OVS_ACTION_ATTR_CHECK_PKT_LEN: return "check_pkt_len";
    case OVS_ACTION_ATTR_ADD_MPLS: return "add_mpls";
    case OVS_ACTION_ATTR_TUNNEL_PUSH: return "tnl_push";
    case OVS_ACTION_ATTR_TUNNEL_POP: return "tnl_pop";
    case OVS_ACTION_ATTR_DROP: return "drop";
    case OVS_ACTION_ATTR_LB_OUTPUT: return "lb_output";
    case OVS_ACTION_ATTR_UNSPEC:
    case __OVS_ACTION_ATTR_MAX:
    default:
        return NULL;
    }
}

static const char *
offload_odp_key_name(enum ovs_key_attr type)
{
    switch (type) {
    case OVS_KEY_ATTR_ENCAP: return "encap";
    case OVS_KEY_ATTR_PRIORITY: return "skb_priority";
    case OVS_KEY_ATTR_IN_PORT: return "in_port";
    case OVS_KEY_ATTR_ETHERNET: return "eth";
    case OVS_KEY_ATTR_VLAN: return "vlan";
    case OVS_KEY_ATTR_ETHERTYPE: return "eth_type";
    case OVS_KEY_ATTR_IPV4: return "ipv4";
    case OVS_KEY_ATTR_IPV6: return "ipv6";
    case OVS_KEY_ATTR_TCP: return "tcp";
    case OVS_KEY_ATTR_UDP: return "udp";
    case OVS_KEY_ATTR_ICMP: return "icmp";
    case OVS_KEY_ATTR_ICMPV6: return "icmpv6";
    case OVS_KEY_ATTR_ARP: return "arp";
    case OVS_KEY_ATTR_ND: return "nd";
    case OVS_KEY_ATTR_SKB_MARK: return "skb_mark";
    case OVS_KEY_ATTR_TUNNEL: return "tunnel";
    case OVS_KEY_ATTR_SCTP: return "sctp";
    case OVS_KEY_ATTR_TCP_FLAGS: return "tcp_flags";
    case OVS_KEY_ATTR_DP_HASH: return "dp_hash";
    case OVS_KEY_ATTR_RECIRC_ID: return "recirc_id";
    case OVS_KEY_ATTR_MPLS: return "mpls";
    case OVS_KEY_ATTR_CT_STATE: return "ct_state";
    case OVS_KEY_ATTR_CT_ZONE: return "ct_zone";
    case OVS_KEY_ATTR_CT_MARK: return "ct_mark";
    case OVS_KEY_ATTR_CT_LABELS: return "ct_label";
    case OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4: return "ct_tuple4";
    case OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6: return "ct_tuple6";
    case OVS_KEY_ATTR_NSH: return "nsh";
    case OVS_KEY_ATTR_PACKET_TYPE: return "packet_type";
    case OVS_KEY_ATTR_ND_EXTENSIONS: return "nd_ext";
    case OVS_KEY_ATTR_TUNNEL_INFO:
    case OVS_KEY_ATTR_UNSPEC:
    case __OVS_KEY_ATTR_MAX:
    default:
        return NULL;
    }
}

struct offload_action_ctx {
    const struct offload_match_ctx *m;
    const struct nic_caps *caps;
    const struct offload_port_resolver *resolver;
    struct nic_rule_spec *spec;
    struct offload_translation *out;
    bool encapped;              /* After a tnl_push: only outputs follow. */
};

/* Appends an action of 'type' to the rule, or fails with 'what' (the ODP
 * action it comes from) if the NIC cannot do it or the list is full. */
static struct nic_action *
offload_put(struct offload_action_ctx *c, enum nic_action_type type,
            const char *what)
{
    struct nic_action *a;

    if (!(c->caps->actions & (1u << type))) {
        offload_fail(c->out, OFFLOAD_REASON_ACTION, "%s", what);
        return NULL;
    }
    if (c->spec->n_actions >= NIC_MAX_ACTIONS) {
        offload_fail(c->out, OFFLOAD_REASON_ACTION, "too many actions");
        return NULL;
    }
    a = &c->out->actions[c->spec->n_actions++];
    memset(a, 0, sizeof *a);
    a->type = type;
    return a;
}

static bool
offload_output(struct offload_action_ctx *c, odp_port_t odp_port)
{
    const struct offload_port_resolver *r = c->resolver;
    struct nic_action *a;
    uint32_t nic_port;

    if (!r->resolve(r->aux, odp_port, &nic_port)) {
        const char *name = r->name ? r->name(r->aux, odp_port) : NULL;

        if (name) {
            return offload_fail(c->out, OFFLOAD_REASON_PORT, "%s", name);
        }
        return offload_fail(c->out, OFFLOAD_REASON_PORT, "port %"PRIu32,
                            odp_to_u32(odp_port));
    }
    a = offload_put(c, NIC_ACT_OUTPUT, "output");
    if (!a) {
        return false;
    }
    a->port = nic_port;
    return true;
}

static bool
offload_push_vlan(struct offload_action_ctx *c,
                  const struct ovs_action_push_vlan *vlan)
{
    struct nic_action *a = offload_put(c, NIC_ACT_PUSH_VLAN, "push_vlan");

    if (!a) {
        return false;
    }
    /* Both OVS and the NIC clear the CFI/"present" bit when writing the
     * tag, so the TCI is passed as is, and the TPID too. */
    a->vlan_tci = vlan->vlan_tci;
    a->vlan_tpid = vlan->vlan_tpid;
    return true;
}

static bool
offload_pop_vlan(struct offload_action_ctx *c)
{
    /* Like OVS, the NIC leaves an untagged packet alone. */
    return offload_put(c, NIC_ACT_POP_VLAN, "pop_vlan") != NULL;
}

/* Classifies a (key, mask) field of a set action: 1 if entirely set, 0 if
 * untouched, -1 if partially set. */
static int
offload_set_part(const void *mask, size_t n)
{
    return (nic_is_all_ones(mask, n) ? 1
            : nic_is_zero(mask, n) ? 0
            : -1);
}

/* True if a set action may leave a field alone: with a masked set, the
 * mask covers none of it; with a plain set, which rewrites every field,
 * the new value equals the one the megaflow pins. */
static bool
offload_set_keeps(bool masked, const void *mask, size_t n,
                  const void *new, const void *cur, const void *cur_mask)
{
    if (masked) {
        return nic_is_zero(mask, n);
    }
    return nic_is_all_ones(cur_mask, n) && !memcmp(new, cur, n);
}

static uint8_t
offload_odp_frag_to_flow(uint8_t odp_frag)
{
    return (odp_frag == OVS_FRAG_TYPE_FIRST ? FLOW_NW_FRAG_ANY
            : odp_frag == OVS_FRAG_TYPE_LATER ? FLOW_NW_FRAG_MASK
            : 0);
}

static bool
offload_set_eth(struct offload_action_ctx *c, const struct ovs_key_ethernet *k,
                const struct ovs_key_ethernet *mask)
{
    int src = mask ? offload_set_part(&mask->eth_src, ETH_ADDR_LEN) : 1;
    int dst = mask ? offload_set_part(&mask->eth_dst, ETH_ADDR_LEN) : 1;
    struct nic_action *a;

    if (src < 0) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION, "set(eth(src))");
    }
    if (dst < 0) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION, "set(eth(dst))");
    }
    if (src) {
        a = offload_put(c, NIC_ACT_SET_ETH_SRC, "set(eth(src))");
        if (!a) {
            return false;
        }
        memcpy(&a->mac, &k->eth_src, ETH_ADDR_LEN);
    }
    if (dst) {
        a = offload_put(c, NIC_ACT_SET_ETH_DST, "set(eth(dst))");
        if (!a) {
            return false;
        }
        memcpy(&a->mac, &k->eth_dst, ETH_ADDR_LEN);
    }
    return true;
}

/* See offload_match_l3(): an L3 rewrite in a megaflow that wildcards
 * nw_proto is right only for packets whose nw_proto is as nonzero as the
 * flow's, so the NIC takes only those with the flow's own nw_proto. */
static void
offload_pin_proto(const struct match *match, const struct nlattr *actions,
                  size_t actions_len, struct nic_match *nm)
{
    const struct nlattr *a;
    size_t left;

    if (match->wc.masks.nw_proto) {
        return;
    }
    NL_ATTR_FOR_EACH_UNSAFE (a, left, actions, actions_len) {
        enum ovs_action_attr type = nl_attr_type(a);

        if ((type == OVS_ACTION_ATTR_SET || type == OVS_ACTION_ATTR_SET_MASKED)
            && nl_attr_get_size(a) >= NLA_HDRLEN) {
            enum ovs_key_attr key = nl_attr_type(nl_attr_get(a));

            if (key == OVS_KEY_ATTR_IPV4 || key == OVS_KEY_ATTR_IPV6) {
                nm->key.nw_proto = match->flow.nw_proto;
                nm->mask.nw_proto = UINT8_MAX;
                return;
            }
        }
    }
}

/* VLAN tags and megaflows that overlap.  OVS's translation of a push or
 * pop leaves unmatched whether the packet has a tag more than the flow it
 * came from (flow_push_vlan_uninit() and flow_pop_vlan() un-wildcard only
 * the tags that flow had), so with vlan-limit 2 the megaflow of a
 * single-tagged packet also holds double-tagged ones, for which OVS's
 * own translation differs: a push onto two tags overflows struct flow's
 * two slots, and commit_vlan_action() pops both and pushes back all but
 * the innermost ("pop,pop,push,push"), where the single-tagged flow's
 * actions keep it.  dpif-netdev then runs whichever of the two megaflows
 * its classifier finds first, so the NIC cannot know which result is
 * OVS's for those packets: both rules leave them to the host.  The wider
 * flow takes only packets with its own number of tags
 * (offload_pin_vlans()); the one whose actions pop both of its tags stays
 * on the host (offload_check_vlan_overlap()), not even partially, since a
 * mark would make dpif-netdev run that flow where its classifier might
 * not. */

/* Whether 'actions' push or pop a VLAN tag. */
static bool
offload_actions_change_vlans(const struct nlattr *actions,
                             size_t actions_len)
{
    const struct nlattr *a;
    size_t left;

    NL_ATTR_FOR_EACH_UNSAFE (a, left, actions, actions_len) {
        enum ovs_action_attr type = nl_attr_type(a);

        if (type == OVS_ACTION_ATTR_PUSH_VLAN
            || type == OVS_ACTION_ATTR_POP_VLAN) {
            return true;
        }
    }
    return false;
}

/* The number of outer tags that megaflow 'match' requires present. */
static int
offload_n_pinned_vlans(const struct match *match)
{
    int n = 0;

    while (n < FLOW_MAX_VLAN_HEADERS
           && match->wc.masks.vlans[n].tci & htons(VLAN_CFI)
           && match->flow.vlans[n].tci & htons(VLAN_CFI)) {
        n++;
    }
    return n;
}

/* See above: a flow that pushes or pops tags takes only packets with as
 * many tags as its own (up to the vlan-limit), where its actions are
 * those of OVS's translation. */
static void
offload_pin_vlans(const struct match *match, const struct nlattr *actions,
                  size_t actions_len, struct nic_match *nm)
{
    if (!offload_actions_change_vlans(actions, actions_len)) {
        return;
    }
    for (int i = 0; i < flow_vlan_limit; i++) {
        bool present = (match->flow.vlans[i].tci & htons(VLAN_CFI)) != 0;

        if (!(match->wc.masks.vlans[i].tci & htons(VLAN_CFI))) {
            nm->mask.vlan_tci[i] |= htons(NIC_VLAN_PRESENT);
            if (present) {
                nm->key.vlan_tci[i] |= htons(NIC_VLAN_PRESENT);
            } else {
                nm->key.vlan_tci[i] &= ~htons(NIC_VLAN_PRESENT);
            }
        }
        if (!present) {
            break;
        }
    }
}

/* See above: a flow with two tags whose actions pop both of them (the
 * trace of a push that overflowed, or of two pops) stays on the host, as
 * the single-tagged flow of a packet with its outer tag may hold the same
 * packets with actions that keep the inner one. */
static bool
offload_check_vlan_overlap(const struct match *match,
                           const struct nlattr *actions, size_t actions_len,
                           struct offload_translation *out)
{
    int orig = offload_n_pinned_vlans(match);
    int pushed = 0;
    const struct nlattr *a;
    size_t left;

    if (orig < FLOW_MAX_VLAN_HEADERS || flow_vlan_limit < orig) {
        return true;
    }
    NL_ATTR_FOR_EACH_UNSAFE (a, left, actions, actions_len) {
        enum ovs_action_attr type = nl_attr_type(a);

        if (type == OVS_ACTION_ATTR_PUSH_VLAN) {
            pushed++;
        } else if (type == OVS_ACTION_ATTR_POP_VLAN) {
            if (pushed) {
                pushed--;
            } else if (--orig == 0) {
                return offload_fail(out, OFFLOAD_REASON_MATCH,
                                    "vlan_tci1 (both tags popped: a "
                                    "single-tagged megaflow may hold "
                                    "these packets)");
            }
        }
    }
    return true;
}

static bool
offload_set_ipv4(struct offload_action_ctx *c, const struct ovs_key_ipv4 *k,
                 const struct ovs_key_ipv4 *mask)
{
    const struct flow *f = c->m->flow;
    const struct flow_wildcards *wc = c->m->wc;
    uint8_t frag = offload_odp_frag_to_flow(k->ipv4_frag);
    uint8_t frag_mask = wc->masks.nw_frag & FLOW_NW_FRAG_MASK;
    int src = mask ? offload_set_part(&mask->ipv4_src, 4) : 1;
    int dst = mask ? offload_set_part(&mask->ipv4_dst, 4) : 1;
    int ttl = mask ? offload_set_part(&mask->ipv4_ttl, 1) : 1;
    struct nic_action *a;

    if (c->m->dl_type != htons(ETH_TYPE_IP)) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION, "set(ipv4)");
    }
    if (!offload_set_keeps(mask != NULL, mask ? &mask->ipv4_tos : NULL, 1,
                           &k->ipv4_tos, &f->nw_tos, &wc->masks.nw_tos)) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION, "set(ipv4(tos))");
    }
    if (!offload_set_keeps(mask != NULL, mask ? &mask->ipv4_proto : NULL, 1,
                           &k->ipv4_proto, &f->nw_proto,
                           &wc->masks.nw_proto)) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "set(ipv4(proto))");
    }
    if (!(mask ? !mask->ipv4_frag
          : frag_mask == FLOW_NW_FRAG_MASK && frag == f->nw_frag)) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "set(ipv4(frag))");
    }
    if (src < 0 || dst < 0 || ttl < 0) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION, "set(ipv4(%s))",
                            src < 0 ? "src" : dst < 0 ? "dst" : "ttl");
    }
    if (src) {
        a = offload_put(c, NIC_ACT_SET_IPV4_SRC, "set(ipv4(src))");
        if (!a) {
            return false;
        }
        a->ipv4 = k->ipv4_src;
    }
    if (dst) {
        a = offload_put(c, NIC_ACT_SET_IPV4_DST, "set(ipv4(dst))");
        if (!a) {
            return false;
        }
        a->ipv4 = k->ipv4_dst;
    }
    if (ttl) {
        a = offload_put(c, NIC_ACT_SET_IP_TTL, "set(ipv4(ttl))");
        if (!a) {
            return false;
        }
        a->ttl = k->ipv4_ttl;
    }
    return true;
}

static bool
offload_set_ipv6(struct offload_action_ctx *c, const struct ovs_key_ipv6 *k,
                 const struct ovs_key_ipv6 *mask)
{
    const struct flow *f = c->m->flow;
    const struct flow_wildcards *wc = c->m->wc;
    uint8_t frag = offload_odp_frag_to_flow(k->ipv6_frag);
    uint8_t frag_mask = wc->masks.nw_frag & FLOW_NW_FRAG_MASK;
    int src = mask ? offload_set_part(&mask->ipv6_src, 16) : 1;
    int dst = mask ? offload_set_part(&mask->ipv6_dst, 16) : 1;
    int hlimit = mask ? offload_set_part(&mask->ipv6_hlimit, 1) : 1;
    struct nic_action *a;

    if (c->m->dl_type != htons(ETH_TYPE_IPV6)) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION, "set(ipv6)");
    }
    if (!offload_set_keeps(mask != NULL, mask ? &mask->ipv6_label : NULL, 4,
                           &k->ipv6_label, &f->ipv6_label,
                           &wc->masks.ipv6_label)) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "set(ipv6(label))");
    }
    if (!offload_set_keeps(mask != NULL, mask ? &mask->ipv6_tclass : NULL, 1,
                           &k->ipv6_tclass, &f->nw_tos, &wc->masks.nw_tos)) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "set(ipv6(tclass))");
    }
    if (!offload_set_keeps(mask != NULL, mask ? &mask->ipv6_proto : NULL, 1,
                           &k->ipv6_proto, &f->nw_proto,
                           &wc->masks.nw_proto)) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "set(ipv6(proto))");
    }
    if (!(mask ? !mask->ipv6_frag
          : frag_mask == FLOW_NW_FRAG_MASK && frag == f->nw_frag)) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "set(ipv6(frag))");
    }
    if (src < 0 || dst < 0 || hlimit < 0) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION, "set(ipv6(%s))",
                            src < 0 ? "src" : dst < 0 ? "dst" : "hlimit");
    }
    if (src) {
        a = offload_put(c, NIC_ACT_SET_IPV6_SRC, "set(ipv6(src))");
        if (!a) {
            return false;
        }
        memcpy(a->ipv6, &k->ipv6_src, 16);
    }
    if (dst) {
        a = offload_put(c, NIC_ACT_SET_IPV6_DST, "set(ipv6(dst))");
        if (!a) {
            return false;
        }
        memcpy(a->ipv6, &k->ipv6_dst, 16);
    }
    if (hlimit) {
        a = offload_put(c, NIC_ACT_SET_IP_TTL, "set(ipv6(hlimit))");
        if (!a) {
            return false;
        }
        a->ttl = k->ipv6_hlimit;
    }
    return true;
}

/* TCP and UDP ports.  'k' and 'mask' point to struct ovs_key_tcp or
 * ovs_key_udp, which have the same layout. */
static bool
offload_set_ports(struct offload_action_ctx *c, const char *name,
                  uint8_t proto, const ovs_be16 k[2], const ovs_be16 *mask)
{
    int src = mask ? offload_set_part(&mask[0], 2) : 1;
    int dst = mask ? offload_set_part(&mask[1], 2) : 1;
    struct nic_action *a;

    /* The NIC picks TCP or UDP by the protocol it parsed, so the megaflow
     * must pin it; then it writes where OVS writes, later IPv4 fragments
     * whose payload looks like the header included. */
    if ((c->m->dl_type != htons(ETH_TYPE_IP)
         && c->m->dl_type != htons(ETH_TYPE_IPV6))
        || c->m->nw_proto != proto) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION, "set(%s)", name);
    }
    if (src < 0 || dst < 0) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION, "set(%s(%s))",
                            name, src < 0 ? "src" : "dst");
    }
    if (src) {
        a = offload_put(c, NIC_ACT_SET_TP_SRC, "set(tp_src)");
        if (!a) {
            return false;
        }
        a->tp_port = k[0];
    }
    if (dst) {
        a = offload_put(c, NIC_ACT_SET_TP_DST, "set(tp_dst)");
        if (!a) {
            return false;
        }
        a->tp_port = k[1];
    }
    return true;
}

/* OVS_ACTION_ATTR_SET ('masked' false) or SET_MASKED ('masked' true),
 * whose payload is one key attribute (followed by its mask). */
static bool
offload_set(struct offload_action_ctx *c, const struct nlattr *attr,
            bool masked)
{
    const struct nlattr *key = nl_attr_get(attr);
    enum ovs_key_attr type;
    const void *data, *mask;
    size_t size;

    if (nl_attr_get_size(attr) < NLA_HDRLEN
        || nl_attr_get_size(attr) < key->nla_len) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION, "set(malformed)");
    }
    type = nl_attr_type(key);
    data = nl_attr_get(key);
    size = nl_attr_get_size(key);
    if (masked) {
        size /= 2;
    }
    mask = masked ? (const uint8_t *) data + size : NULL;

#define OFFLOAD_SIZE_OK(STRUCT) (size == sizeof(STRUCT))
    switch (type) {
    case OVS_KEY_ATTR_ETHERNET:
        if (OFFLOAD_SIZE_OK(struct ovs_key_ethernet)) {
            return offload_set_eth(c, data, mask);
        }
        break;
    case OVS_KEY_ATTR_IPV4:
        if (OFFLOAD_SIZE_OK(struct ovs_key_ipv4)) {
            return offload_set_ipv4(c, data, mask);
        }
        break;
    case OVS_KEY_ATTR_IPV6:
        if (OFFLOAD_SIZE_OK(struct ovs_key_ipv6)) {
            return offload_set_ipv6(c, data, mask);
        }
        break;
    case OVS_KEY_ATTR_TCP:
        if (OFFLOAD_SIZE_OK(struct ovs_key_tcp)) {
            return offload_set_ports(c, "tcp", IPPROTO_TCP, data, mask);
        }
        break;
    case OVS_KEY_ATTR_UDP:
        if (OFFLOAD_SIZE_OK(struct ovs_key_udp)) {
            return offload_set_ports(c, "udp", IPPROTO_UDP, data, mask);
        }
        break;
    case OVS_KEY_ATTR_UNSPEC:
    case OVS_KEY_ATTR_ENCAP:
    case OVS_KEY_ATTR_PRIORITY:
    case OVS_KEY_ATTR_IN_PORT:
    case OVS_KEY_ATTR_VLAN:
    case OVS_KEY_ATTR_ETHERTYPE:
    case OVS_KEY_ATTR_ICMP:
    case OVS_KEY_ATTR_ICMPV6:
    case OVS_KEY_ATTR_ARP:
    case OVS_KEY_ATTR_ND:
    case OVS_KEY_ATTR_SKB_MARK:
    case OVS_KEY_ATTR_TUNNEL:
    case OVS_KEY_ATTR_SCTP:
    case OVS_KEY_ATTR_TCP_FLAGS:
    case OVS_KEY_ATTR_DP_HASH:
    case OVS_KEY_ATTR_RECIRC_ID:
    case OVS_KEY_ATTR_MPLS:
    case OVS_KEY_ATTR_CT_STATE:
    case OVS_KEY_ATTR_CT_ZONE:
    case OVS_KEY_ATTR_CT_MARK:
    case OVS_KEY_ATTR_CT_LABELS:
    case OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV4:
    case OVS_KEY_ATTR_CT_ORIG_TUPLE_IPV6:
    case OVS_KEY_ATTR_NSH:
    case OVS_KEY_ATTR_PACKET_TYPE:
    case OVS_KEY_ATTR_ND_EXTENSIONS:
    case OVS_KEY_ATTR_TUNNEL_INFO:
    case __OVS_KEY_ATTR_MAX:
    default: {
        const char *name = offload_odp_key_name(type);

        if (name) {
            return offload_fail(c->out, OFFLOAD_REASON_ACTION, "set(%s)",
                                name);
        }
        return offload_fail(c->out, OFFLOAD_REASON_ACTION, "set(key%d)",
                            (int) type);
    }
    }
#undef OFFLOAD_SIZE_OK
    return offload_fail(c->out, OFFLOAD_REASON_ACTION, "set(%s(malformed))",
                        offload_odp_key_name(type));
}

/* tnl_push of a VXLAN or Geneve header as OVS's native tunnelling builds
 * it: the NIC pushes the same header and fills it in as
 * netdev_tnl_push_udp_header() does (NIC_ENCAP_F_OVS).  Other tunnel
 * types, IPv4 headers with options and headers longer than the NIC's
 * template stay on the host. */
static bool
offload_tnl_push(struct offload_action_ctx *c, const struct nlattr *attr)
{
    const struct ovs_action_push_tnl *d = nl_attr_get(attr);
    size_t size = nl_attr_get_size(attr);
    size_t fixed = offsetof(struct ovs_action_push_tnl, header);
    const uint8_t *h;
    struct nic_action *a;
    uint8_t type;
    size_t l4;

    if (size < fixed || d->header_len > size - fixed
        || d->header_len > sizeof d->header) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "tnl_push(malformed)");
    }
    if (d->tnl_type == OVS_VPORT_TYPE_VXLAN) {
        type = NIC_TUNNEL_VXLAN;
    } else if (d->tnl_type == OVS_VPORT_TYPE_GENEVE) {
        type = NIC_TUNNEL_GENEVE;
    } else {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "tnl_push(type %"PRIu32")", d->tnl_type);
    }
    if (d->header_len > NIC_ENCAP_MAX_LEN) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "tnl_push(header of %"PRIu32" bytes, the NIC "
                            "pushes up to %d)", d->header_len,
                            NIC_ENCAP_MAX_LEN);
    }
    h = (const uint8_t *) d->header;
    if (d->header_len < ETH_HEADER_LEN + IP_HEADER_LEN + UDP_HEADER_LEN + 8) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "tnl_push(short header)");
    }
    if (h[12] == 0x08 && h[13] == 0x00) {
        /* OVS counts an IPv4 header as 20 bytes when it fills it in. */
        if (h[ETH_HEADER_LEN] != 0x45
            || h[ETH_HEADER_LEN + 9] != IPPROTO_UDP) {
            return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                                "tnl_push(IPv4 options or not UDP)");
        }
        l4 = ETH_HEADER_LEN + IP_HEADER_LEN;
    } else if (h[12] == 0x86 && h[13] == 0xdd) {
        l4 = ETH_HEADER_LEN + IPV6_HEADER_LEN;
        if (h[ETH_HEADER_LEN + 6] != IPPROTO_UDP) {
            return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                                "tnl_push(IPv6 extension or not UDP)");
        }
    } else {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "tnl_push(not IP)");
    }
    if (l4 + UDP_HEADER_LEN + 8 > d->header_len) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "tnl_push(short header)");
    }
    if (tnl_udp_port_max <= tnl_udp_port_min) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "tnl_push(empty source port range)");
    }
    a = offload_put(c, NIC_ACT_ENCAP, "tnl_push");
    if (!a) {
        return false;
    }
    a->encap.type = type;
    a->encap.len = d->header_len;
    a->encap.flags = NIC_ENCAP_F_OVS;
    /* Read now: a later tnl/egress_port_range does not revalidate. */
    a->encap.sport_min = tnl_udp_port_min;
    a->encap.sport_max = tnl_udp_port_max;
    a->encap.vlan_limit = flow_vlan_limit;
    memcpy(a->encap.hdr, h, d->header_len);
    c->encapped = true;
    return true;
}

static bool offload_translate_list(struct offload_action_ctx *,
                                   const struct nlattr *, size_t,
                                   bool *dropped);

/* clone(...) as the last action: the original packet is not used after
 * it, so the NIC runs the clone's actions on the packet itself, as OVS's
 * odp_execute_clone() does for a last action.  A clone followed by more
 * actions would need the packet as it was before the clone. */
static bool
offload_clone(struct offload_action_ctx *c, const struct nlattr *a,
              size_t left, bool *dropped)
{
    if (left > NLA_ALIGN(a->nla_len)) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION,
                            "clone followed by actions");
    }
    return offload_translate_list(c, nl_attr_get(a), nl_attr_get_size(a),
                                  dropped);
}

/* Translates the actions in 'actions' into the rule's; sets '*dropped'
 * when one of them ends the list for the packet (a drop). */
static bool
offload_translate_list(struct offload_action_ctx *c,
                       const struct nlattr *actions, size_t actions_len,
                       bool *dropped)
{
    const struct nlattr *a;
    size_t left;

    NL_ATTR_FOR_EACH_UNSAFE (a, left, actions, actions_len) {
        enum ovs_action_attr type = nl_attr_type(a);
        const char *name = offload_odp_action_name(type);
        bool ok;

        if (c->encapped && type != OVS_ACTION_ATTR_OUTPUT) {
            /* They would apply to the outer headers, whose fields the
             * match does not describe. */
            return (name
                    ? offload_fail(c->out, OFFLOAD_REASON_ACTION,
                                   "%s after tnl_push", name)
                    : offload_fail(c->out, OFFLOAD_REASON_ACTION,
                                   "action%d after tnl_push", (int) type));
        }
        switch (type) {
        case OVS_ACTION_ATTR_OUTPUT:
            ok = offload_output(c, nl_attr_get_odp_port(a));
            break;
        case OVS_ACTION_ATTR_PUSH_VLAN:
            ok = (nl_attr_get_size(a) == sizeof(struct ovs_action_push_vlan)
                  ? offload_push_vlan(c, nl_attr_get(a))
                  : offload_fail(c->out, OFFLOAD_REASON_ACTION,
                                 "push_vlan(malformed)"));
            break;
        case OVS_ACTION_ATTR_POP_VLAN:
            ok = offload_pop_vlan(c);
            break;
        case OVS_ACTION_ATTR_SET:
            ok = offload_set(c, a, false);
            break;
        case OVS_ACTION_ATTR_SET_MASKED:
            ok = offload_set(c, a, true);
            break;
        case OVS_ACTION_ATTR_DROP:
            /* Ends the action list in OVS as on the NIC. */
            ok = offload_put(c, NIC_ACT_DROP, "drop") != NULL;
            *dropped = true;
            break;
        case OVS_ACTION_ATTR_CLONE:
            ok = offload_clone(c, a, left, dropped);
            break;
        case OVS_ACTION_ATTR_TUNNEL_PUSH:
            ok = offload_tnl_push(c, a);
            break;
        case OVS_ACTION_ATTR_RECIRC:
            ok = offload_fail(c->out, OFFLOAD_REASON_RECIRC, "recirc(%#"
                              PRIx32")", nl_attr_get_u32(a));
            break;
        case OVS_ACTION_ATTR_CT:
        case OVS_ACTION_ATTR_CT_CLEAR:
            ok = offload_fail(c->out, OFFLOAD_REASON_CT, "%s", name);
            break;
        case OVS_ACTION_ATTR_UNSPEC:
        case OVS_ACTION_ATTR_USERSPACE:
        case OVS_ACTION_ATTR_SAMPLE:
        case OVS_ACTION_ATTR_HASH:
        case OVS_ACTION_ATTR_PUSH_MPLS:
        case OVS_ACTION_ATTR_POP_MPLS:
        case OVS_ACTION_ATTR_TRUNC:
        case OVS_ACTION_ATTR_PUSH_ETH:
        case OVS_ACTION_ATTR_POP_ETH:
        case OVS_ACTION_ATTR_PUSH_NSH:
        case OVS_ACTION_ATTR_POP_NSH:
        case OVS_ACTION_ATTR_METER:
        case OVS_ACTION_ATTR_CHECK_PKT_LEN:
        case OVS_ACTION_ATTR_ADD_MPLS:
        case OVS_ACTION_ATTR_TUNNEL_POP:
        case OVS_ACTION_ATTR_LB_OUTPUT:
        case __OVS_ACTION_ATTR_MAX:
        default:
            ok = (name
                  ? offload_fail(c->out, OFFLOAD_REASON_ACTION, "%s", name)
                  : offload_fail(c->out, OFFLOAD_REASON_ACTION,
                                 "action%d", (int) type));
            break;
        }
        if (!ok) {
            return false;
        }
        if (*dropped) {
            return true;
        }
    }
    if (left) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION, "malformed");
    }
    return true;
}

static bool
offload_translate_actions(struct offload_action_ctx *c,
                          const struct nlattr *actions, size_t actions_len)
{
    bool dropped = false;

    if (!offload_translate_list(c, actions, actions_len, &dropped)) {
        return false;
    }
    if (dropped) {
        return true;
    }

    /* Rewrites after the last output cannot change what leaves the NIC,
     * but could make the NIC count the packet as malformed instead of
     * dropped by the rule; leave them out. */
    while (c->spec->n_actions
           && c->spec->actions[c->spec->n_actions - 1].type
              != NIC_ACT_OUTPUT) {
        c->spec->n_actions--;
    }
    if (!c->spec->n_actions) {
        /* No output at all (an empty list included): a drop. */
        return offload_put(c, NIC_ACT_DROP, "drop") != NULL;
    }
    return true;
}

/* A flow whose only action is tnl_pop(N) on a NIC port, where N is a
 * tunnel port that the resolver maps to the NIC's tunnel port 'P': the
 * recirc-id route of decapsulation.  The NIC rule marks the packet, looks
 * the decapsulated frame up as arriving on P (where the flows of tunnel
 * port N are: their own rules), and sends the packet as it came to the
 * host, marked for this flow, when no such rule takes it.  Returns false
 * if the actions are not that, with a reason if the NIC cannot do it. */
static bool
offload_translate_tnl_pop(struct offload_action_ctx *c, uint32_t mark,
                          const struct nlattr *actions, size_t actions_len)
{
    uint32_t need = ((1u << NIC_ACT_MARK) | (1u << NIC_ACT_TNL_POP)
                     | (1u << NIC_ACT_TO_HOST));
    const struct offload_port_resolver *r = c->resolver;
    struct nic_action *acts = c->out->actions;
    uint32_t port;

    if (actions_len != NL_A_U32_SIZE
        || nl_attr_type(actions) != OVS_ACTION_ATTR_TUNNEL_POP
        || nl_attr_get_size(actions) != sizeof(uint32_t)) {
        return false;
    }
    if (!mark || (c->caps->actions & need) != need
        || !r->resolve(r->aux, nl_attr_get_odp_port(actions), &port)
        || !nic_port_is_tunnel(port)) {
        return offload_fail(c->out, OFFLOAD_REASON_ACTION, "tnl_pop");
    }
    memset(acts, 0, 3 * sizeof acts[0]);
    acts[0].type = NIC_ACT_MARK;
    acts[0].mark = mark;
    acts[1].type = NIC_ACT_TNL_POP;
    acts[1].port = port;
    acts[2].type = NIC_ACT_TO_HOST;
    acts[2].port = c->spec->match.key.in_port;
    c->spec->n_actions = 3;
    /* Partial by design: what the inner frame becomes is the inner
     * flow's rule (or the host's, when that one is not offloaded). */
    offload_fail(c->out, OFFLOAD_REASON_DECAP, "tnl_pop");
    return true;
}

static uint32_t
offload_mask_bits(const struct nic_flow_key *mask)
{
    const uint64_t *w = (const uint64_t *) mask;
    uint32_t n = 0;

    for (size_t i = 0; i < NIC_FLOW_KEY_WORDS; i++) {
        n += count_1bits(w[i]);
    }
    return n;
}

void
offload_translate(const struct match *match,
                  const struct nlattr *actions, size_t actions_len,
                  const struct nic_caps *caps,
                  const struct offload_port_resolver *resolver,
                  uint32_t mark, uint64_t cookie,
                  struct offload_translation *out)
{
    struct nic_rule_spec *spec = &out->spec;
    struct offload_match_ctx mc;
    struct offload_action_ctx ac;

    memset(out, 0, sizeof *out);
    out->kind = OFFLOAD_KIND_NONE;
    out->reason = OFFLOAD_REASON_NONE;
    spec->actions = out->actions;

    memset(&mc, 0, sizeof mc);
    mc.flow = &match->flow;
    mc.wc = &match->wc;
    mc.left = match->wc;
    mc.nm = &spec->match;
    mc.out = out;
    nic_match_init_catchall(&spec->match);
    if (!offload_translate_match(&mc, caps, resolver)
        || !offload_check_vlan_overlap(match, actions, actions_len, out)) {
        goto none;
    }
    if (offload_is_ip(&mc)) {
        offload_pin_proto(match, actions, actions_len, &spec->match);
    }
    offload_pin_vlans(match, actions, actions_len, &spec->match);
    if (!nic_mask_is_subset(&spec->match.mask, &caps->matchable)) {
        offload_fail(out, OFFLOAD_REASON_MATCH, "%s",
                     offload_nic_field_outside(&spec->match.mask,
                                               &caps->matchable));
        goto none;
    }
    spec->priority = offload_mask_bits(&spec->match.mask);
    spec->cookie = cookie;

    memset(&ac, 0, sizeof ac);
    ac.m = &mc;
    ac.caps = caps;
    ac.resolver = resolver;
    ac.spec = spec;
    ac.out = out;
    if (offload_translate_tnl_pop(&ac, mark, actions, actions_len)) {
        out->kind = OFFLOAD_KIND_PARTIAL;
    } else if (out->reason == OFFLOAD_REASON_NONE
               && offload_translate_actions(&ac, actions, actions_len)) {
        out->kind = OFFLOAD_KIND_FULL;
    } else {
        uint32_t need = (1u << NIC_ACT_MARK) | (1u << NIC_ACT_TO_HOST);

        /* The NIC still classifies the flow and tells the host which one
         * it is, which spares ovs-vswitchd the lookup.  Not for a flow on
         * a tunnel port: a decapsulated frame that no rule takes goes to
         * the host as it came, for the flow that decapsulates it. */
        if (!mark || (caps->actions & need) != need || mc.tunnel) {
            goto none;
        }
        spec->n_actions = 2;
        memset(out->actions, 0, 2 * sizeof out->actions[0]);
        out->actions[0].type = NIC_ACT_MARK;
        out->actions[0].mark = mark;
        out->actions[1].type = NIC_ACT_TO_HOST;
        out->actions[1].port = spec->match.key.in_port;
        out->kind = OFFLOAD_KIND_PARTIAL;
    }

    if (nic_rule_spec_validate(spec)) {
        out->reason = OFFLOAD_REASON_NONE;
        offload_fail(out, OFFLOAD_REASON_ACTION, "rejected by the NIC model");
        goto none;
    }
    return;

none:
    out->kind = OFFLOAD_KIND_NONE;
    memset(spec, 0, sizeof *spec);
    if (out->reason == OFFLOAD_REASON_NONE) {
        /* Cannot happen: every failure path names its reason. */
        offload_fail(out, OFFLOAD_REASON_MATCH, "unknown");
    }
}

const char *
offload_kind_to_string(enum offload_kind kind)
{
    switch (kind) {
    case OFFLOAD_KIND_NONE:
        return "none";
    case OFFLOAD_KIND_PARTIAL:
        return "partial";
    case OFFLOAD_KIND_FULL:
        return "full";
    default:
        return "unknown";
    }
}
