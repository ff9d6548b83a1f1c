#include <config.h>

#include "lib/nic-rule.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "packets.h"

void
nic_match_init_catchall(struct nic_match *m)
{
    memset(m, 0, sizeof *m);
}

/* Clears key bits that the mask does not cover, so that equal matches
 * compare and hash equal. */
void
nic_match_normalize(struct nic_match *m)
{
    uint64_t *k = (uint64_t *) &m->key;
    const uint64_t *mk = (const uint64_t *) &m->mask;

    for (size_t i = 0; i < NIC_FLOW_KEY_WORDS; i++) {
        k[i] &= mk[i];
    }
}

bool
nic_match_matches(const struct nic_match *m, const struct nic_flow_key *key)
{
    const uint64_t *mk = (const uint64_t *) &m->mask;
    const uint64_t *rk = (const uint64_t *) &m->key;
    const uint64_t *pk = (const uint64_t *) key;

    for (size_t i = 0; i < NIC_FLOW_KEY_WORDS; i++) {
        if ((pk[i] & mk[i]) != rk[i]) {
            return false;
        }
    }
    return true;
}

/* True if every bit of 'mask' is also set in 'of'. */
bool
nic_mask_is_subset(const struct nic_flow_key *mask,
                   const struct nic_flow_key *of)
{
    const uint64_t *a = (const uint64_t *) mask;
    const uint64_t *b = (const uint64_t *) of;

    for (size_t i = 0; i < NIC_FLOW_KEY_WORDS; i++) {
        if (a[i] & ~b[i]) {
            return false;
        }
    }
    return true;
}

/* Returns 0 if the rule can be installed, EINVAL otherwise: no actions, too
 * many, an unknown type, a bad encap header, or actions after a terminal
 * drop. */
int
nic_rule_spec_validate(const struct nic_rule_spec *spec)
{
    if (!spec->n_actions || spec->n_actions > NIC_MAX_ACTIONS) {
        return EINVAL;
    }
    for (size_t i = 0; i < spec->n_actions; i++) {
        const struct nic_action *a = &spec->actions[i];

        if (a->type >= NIC_N_ACTIONS) {
            return EINVAL;
        }
        if (a->type == NIC_ACT_DROP && i != spec->n_actions - 1) {
            return EINVAL;
        }
        if (a->type == NIC_ACT_ENCAP
            && (a->encap.len < ETH_HEADER_LEN + IP_HEADER_LEN
                                + UDP_HEADER_LEN + 8
                || a->encap.len > NIC_ENCAP_MAX_LEN
                || (a->encap.type != NIC_TUNNEL_VXLAN
                    && a->encap.type != NIC_TUNNEL_GENEVE))) {
            return EINVAL;
        }
    }
    return 0;
}

const char *
nic_action_type_to_string(enum nic_action_type type)
{
    static const char *const names[NIC_N_ACTIONS] = {
        [NIC_ACT_OUTPUT] = "output",
        [NIC_ACT_TO_HOST] = "host",
        [NIC_ACT_DROP] = "drop",
        [NIC_ACT_PUSH_VLAN] = "push_vlan",
        [NIC_ACT_POP_VLAN] = "pop_vlan",
        [NIC_ACT_SET_ETH_SRC] = "set_eth_src",
        [NIC_ACT_SET_ETH_DST] = "set_eth_dst",
        [NIC_ACT_SET_IPV4_SRC] = "set_ipv4_src",
        [NIC_ACT_SET_IPV4_DST] = "set_ipv4_dst",
        [NIC_ACT_SET_IPV6_SRC] = "set_ipv6_src",
        [NIC_ACT_SET_IPV6_DST] = "set_ipv6_dst",
        [NIC_ACT_SET_IP_TTL] = "set_ttl",
        [NIC_ACT_SET_TP_SRC] = "set_tp_src",
        [NIC_ACT_SET_TP_DST] = "set_tp_dst",
        [NIC_ACT_ENCAP] = "encap",
        [NIC_ACT_DECAP] = "decap",
        [NIC_ACT_SET_QUEUE] = "set_queue",
        [NIC_ACT_MARK] = "mark",
        [NIC_ACT_COUNT] = "count",
    };

    return type < NIC_N_ACTIONS ? names[type] : "unknown";
}

static bool
nic_is_zero(const void *p_, size_t n)
{
    const uint8_t *p = p_;

    for (size_t i = 0; i < n; i++) {
        if (p[i]) {
            return false;
        }
    }
    return true;
}

static bool
nic_is_all_ones(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0xff) {
            return false;
        }
    }
    return true;
}

static void
nic_format_ip(struct ds *s, const char *name, const struct nic_flow_key *k,
              const struct nic_flow_key *m, bool src)
{
    const uint8_t *v = src ? k->nw_src : k->nw_dst;
    const uint8_t *mv = src ? m->nw_src : m->nw_dst;
    char buf[INET6_ADDRSTRLEN];
    bool v6 = k->dl_type == htons(ETH_TYPE_IPV6);

    if (nic_is_zero(mv, 16)) {
        return;
    }
    inet_ntop(v6 ? AF_INET6 : AF_INET, v, buf, sizeof buf);
    ds_put_format(s, "%s=%s", name, buf);
    if (!nic_is_all_ones(mv, v6 ? 16 : 4)) {
        inet_ntop(v6 ? AF_INET6 : AF_INET, mv, buf, sizeof buf);
        ds_put_format(s, "/%s", buf);
    }
    ds_put_char(s, ',');
}

/* Formats the match as "field=value[/mask],...", only masked fields. */
void
nic_match_format(struct ds *s, const struct nic_match *m)
{
    const struct nic_flow_key *k = &m->key, *mk = &m->mask;
    size_t start = s->length;

    if (mk->in_port) {
        ds_put_format(s, "in_port=%"PRIu32",", k->in_port);
    }
    if (mk->tun_vni) {
        ds_put_format(s, "tun_vni=%"PRIu32",", k->tun_vni);
    }
    if (!eth_addr_is_zero(mk->dl_src)) {
        ds_put_format(s, "dl_src="ETH_ADDR_FMT",", ETH_ADDR_ARGS(k->dl_src));
    }
    if (!eth_addr_is_zero(mk->dl_dst)) {
        ds_put_format(s, "dl_dst="ETH_ADDR_FMT",", ETH_ADDR_ARGS(k->dl_dst));
    }
    if (mk->dl_type) {
        ds_put_format(s, "dl_type=0x%04"PRIx16",", ntohs(k->dl_type));
    }
    for (int i = 0; i < 2; i++) {
        if (mk->vlan_tci[i]) {
            ds_put_format(s, "vlan%d=", i);
            if (k->vlan_tci[i] & htons(NIC_VLAN_PRESENT)) {
                ds_put_format(s, "%"PRIu16",",
                              vlan_tci_to_vid(k->vlan_tci[i]));
            } else {
                ds_put_cstr(s, "none,");
            }
        }
    }
    if (mk->nw_proto) {
        ds_put_format(s, "nw_proto=%"PRIu8",", k->nw_proto);
    }
    if (mk->nw_tos) {
        ds_put_format(s, "nw_tos=%"PRIu8",", k->nw_tos);
    }
    if (mk->nw_ttl) {
        ds_put_format(s, "nw_ttl=%"PRIu8",", k->nw_ttl);
    }
    if (mk->nw_frag) {
        ds_put_format(s, "nw_frag=%"PRIu8",", k->nw_frag);
    }
    nic_format_ip(s, "nw_src", k, mk, true);
    nic_format_ip(s, "nw_dst", k, mk, false);
    if (mk->tp_src) {
        ds_put_format(s, "tp_src=%"PRIu16",", ntohs(k->tp_src));
    }
    if (mk->tp_dst) {
        ds_put_format(s, "tp_dst=%"PRIu16",", ntohs(k->tp_dst));
    }
    if (mk->tcp_flags) {
        ds_put_format(s, "tcp_flags=0x%03"PRIx16",", ntohs(k->tcp_flags));
    }
    if (s->length == start) {
        ds_put_cstr(s, "any");
    } else {
        ds_chomp(s, ',');
    }
}

void
nic_actions_format(struct ds *s, const struct nic_action *acts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct nic_action *a = &acts[i];
        char buf[INET6_ADDRSTRLEN];

        if (i) {
            ds_put_char(s, ',');
        }
        ds_put_cstr(s, nic_action_type_to_string(a->type));
        switch (a->type) {
        case NIC_ACT_OUTPUT:
            ds_put_format(s, ":%"PRIu32, a->port);
            break;
        case NIC_ACT_PUSH_VLAN:
            ds_put_format(s, ":%"PRIu16, vlan_tci_to_vid(a->vlan_tci));
            break;
        case NIC_ACT_SET_ETH_SRC:
        case NIC_ACT_SET_ETH_DST:
            ds_put_format(s, ":"ETH_ADDR_FMT, ETH_ADDR_ARGS(a->mac));
            break;
        case NIC_ACT_SET_IPV4_SRC:
        case NIC_ACT_SET_IPV4_DST:
            ds_put_format(s, ":"IP_FMT, IP_ARGS(a->ipv4));
            break;
        case NIC_ACT_SET_IPV6_SRC:
        case NIC_ACT_SET_IPV6_DST:
            inet_ntop(AF_INET6, a->ipv6, buf, sizeof buf);
            ds_put_format(s, ":%s", buf);
            break;
        case NIC_ACT_SET_IP_TTL:
            ds_put_format(s, ":%"PRIu8, a->ttl);
            break;
        case NIC_ACT_SET_TP_SRC:
        case NIC_ACT_SET_TP_DST:
            ds_put_format(s, ":%"PRIu16, ntohs(a->tp_port));
            break;
        case NIC_ACT_ENCAP:
            ds_put_format(s, ":%s/%"PRIu8"B",
                          a->encap.type == NIC_TUNNEL_VXLAN
                          ? "vxlan" : "geneve", a->encap.len);
            break;
        case NIC_ACT_SET_QUEUE:
            ds_put_format(s, ":%"PRIu32, a->queue);
            break;
        case NIC_ACT_MARK:
            ds_put_format(s, ":%"PRIu32, a->mark);
            break;
        case NIC_ACT_COUNT:
            ds_put_format(s, ":%"PRIu32, a->counter);
            break;
        case NIC_ACT_TO_HOST:
        case NIC_ACT_DROP:
        case NIC_ACT_POP_VLAN:
        case NIC_ACT_DECAP:
        case NIC_N_ACTIONS:
        default:
            break;
        }
    }
}
