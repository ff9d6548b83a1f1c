/* SPDX-License-Identifier: Apache-2.0 */
/* NIC rules: matching, validation and their text syntax. */
#include <config.h>

#include "lib/nic-rule.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nic.h"
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

/* Returns 0 if the actions can be installed, EINVAL otherwise: none, too
 * many, an unknown type, a bad encap header, or actions after a terminal
 * drop. */
int
nic_actions_validate(const struct nic_action *actions, size_t n)
{
    if (!n || n > NIC_MAX_ACTIONS) {
        return EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        const struct nic_action *a = &actions[i];

        if (a->type >= NIC_N_ACTIONS) {
            return EINVAL;
        }
        if (a->type == NIC_ACT_DROP && i != n - 1) {
            return EINVAL;
        }
        if (a->type == NIC_ACT_TNL_POP && !nic_port_is_tunnel(a->port)) {
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

/* Returns 0 if the rule can be installed, EINVAL otherwise (its actions,
 * as nic_actions_validate() says). */
int
nic_rule_spec_validate(const struct nic_rule_spec *spec)
{
    return nic_actions_validate(spec->actions, spec->n_actions);
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
        [NIC_ACT_TNL_POP] = "tnl_pop",
    };

    return type < NIC_N_ACTIONS ? names[type] : "unknown";
}

bool
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

bool
nic_is_all_ones(const void *p_, size_t n)
{
    const uint8_t *p = p_;

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
    bool v6 = (k->dl_type == htons(ETH_TYPE_IPV6)
               || !nic_is_zero(mv + 4, 12));

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

static void
nic_format_mac(struct ds *s, const char *name, const struct eth_addr *v,
               const struct eth_addr *mv)
{
    if (!eth_addr_is_zero(*mv)) {
        ds_put_format(s, "%s="ETH_ADDR_FMT, name, ETH_ADDR_ARGS(*v));
        if (!eth_addr_equals(*mv, eth_addr_exact)) {
            ds_put_format(s, "/"ETH_ADDR_FMT, ETH_ADDR_ARGS(*mv));
        }
        ds_put_char(s, ',');
    }
}

/* Integer fields that format and parse as "name=value[/mask]". */
struct nic_int_field {
    const char *name;
    size_t ofs, len;            /* In struct nic_flow_key; len 1, 2 or 4. */
    bool be;                    /* Network byte order. */
    bool hex;
};

#define NIC_INT_FIELD(NAME, MEMBER, BE, HEX)                            \
    { NAME, offsetof(struct nic_flow_key, MEMBER),                      \
      sizeof ((struct nic_flow_key *) 0)->MEMBER, BE, HEX }
static const struct nic_int_field nic_int_fields[] = {
    NIC_INT_FIELD("tun_vni", tun_vni, false, false),
    NIC_INT_FIELD("dl_type", dl_type, true, true),
    NIC_INT_FIELD("vlan_tci0", vlan_tci[0], true, true),
    NIC_INT_FIELD("vlan_tci1", vlan_tci[1], true, true),
    NIC_INT_FIELD("nw_proto", nw_proto, false, false),
    NIC_INT_FIELD("nw_tos", nw_tos, false, false),
    NIC_INT_FIELD("nw_ttl", nw_ttl, false, false),
    NIC_INT_FIELD("nw_frag", nw_frag, false, false),
    NIC_INT_FIELD("tp_src", tp_src, true, false),
    NIC_INT_FIELD("tp_dst", tp_dst, true, false),
    NIC_INT_FIELD("tcp_flags", tcp_flags, true, true),
    NIC_INT_FIELD("vlan_tpid0", vlan_tpid[0], true, true),
    NIC_INT_FIELD("vlan_tpid1", vlan_tpid[1], true, true),
    NIC_INT_FIELD("tun_src", tun_src, true, true),
    NIC_INT_FIELD("tun_dst", tun_dst, true, true),
    NIC_INT_FIELD("tun_flags", tun_flags, false, true),
    NIC_INT_FIELD("tun_tos", tun_tos, false, false),
    NIC_INT_FIELD("tun_ttl", tun_ttl, false, false),
    NIC_INT_FIELD("tun_tp_src", tun_tp_src, true, false),
    NIC_INT_FIELD("tun_tp_dst", tun_tp_dst, true, false),
    NIC_INT_FIELD("tun_opts_len", tun_opts_len, false, false),
    NIC_INT_FIELD("tun_opts0", tun_opts[0], true, true),
    NIC_INT_FIELD("tun_opts1", tun_opts[1], true, true),
};
#undef NIC_INT_FIELD

static uint32_t
nic_int_field_get(const struct nic_int_field *f, const struct nic_flow_key *k)
{
    const uint8_t *p = (const uint8_t *) k + f->ofs;
    uint32_t v = 0;

    if (f->be) {
        for (size_t i = 0; i < f->len; i++) {
            v = (v << 8) | p[i];
        }
    } else {
        memcpy(&v, p, f->len);   /* 1 byte, or a host-order uint32_t. */
    }
    return v;
}

static void
nic_int_field_set(const struct nic_int_field *f, struct nic_flow_key *k,
                  uint32_t v)
{
    uint8_t *p = (uint8_t *) k + f->ofs;

    if (f->be) {
        for (size_t i = f->len; i-- > 0; v >>= 8) {
            p[i] = v;
        }
    } else {
        memcpy(p, &v, f->len);
    }
}

static uint32_t
nic_int_field_max(const struct nic_int_field *f)
{
    return f->len == 4 ? UINT32_MAX : (1u << (8 * f->len)) - 1;
}

/* Formats the match as "field=value[/mask],...", only masked fields, and
 * every mask that is not exact: what it prints, nic_match_from_string()
 * reads back as the same match. */
void
nic_match_format(struct ds *s, const struct nic_match *m)
{
    const struct nic_flow_key *k = &m->key, *mk = &m->mask;
    size_t start = s->length;

    if (mk->in_port) {
        char name[16];

        nic_port_to_string(k->in_port, name, sizeof name);
        ds_put_format(s, "in_port=%s,", name);
    }
    for (size_t i = 0; i < ARRAY_SIZE(nic_int_fields); i++) {
        const struct nic_int_field *f = &nic_int_fields[i];
        uint32_t v = nic_int_field_get(f, k);
        uint32_t mv = nic_int_field_get(f, mk);

        /* MACs and addresses in their places among the integers. */
        if (f->ofs == offsetof(struct nic_flow_key, dl_type)) {
            nic_format_mac(s, "dl_src", &k->dl_src, &mk->dl_src);
            nic_format_mac(s, "dl_dst", &k->dl_dst, &mk->dl_dst);
        } else if (f->ofs == offsetof(struct nic_flow_key, tp_src)) {
            nic_format_ip(s, "nw_src", k, mk, true);
            nic_format_ip(s, "nw_dst", k, mk, false);
        }
        if (!mv) {
            continue;
        }
        /* The common VLAN matches keep their short forms. */
        if (f->ofs == offsetof(struct nic_flow_key, vlan_tci[0])
            || f->ofs == offsetof(struct nic_flow_key, vlan_tci[1])) {
            int tag = f->ofs != offsetof(struct nic_flow_key, vlan_tci[0]);

            if (mv == (VLAN_VID_MASK | NIC_VLAN_PRESENT)
                && v & NIC_VLAN_PRESENT) {
                ds_put_format(s, "vlan%d=%"PRIu32",", tag,
                              v & VLAN_VID_MASK);
                continue;
            } else if (mv == NIC_VLAN_PRESENT && !v) {
                ds_put_format(s, "vlan%d=none,", tag);
                continue;
            }
        }
        if (f->hex) {
            ds_put_format(s, "%s=0x%0*"PRIx32, f->name, (int) f->len * 2, v);
        } else {
            ds_put_format(s, "%s=%"PRIu32, f->name, v);
        }
        if (mv != nic_int_field_max(f)) {
            ds_put_format(s, "/0x%0*"PRIx32, (int) f->len * 2, mv);
        }
        ds_put_char(s, ',');
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
        case NIC_ACT_TNL_POP: {
            char name[16];

            nic_port_to_string(a->port, name, sizeof name);
            ds_put_format(s, ":%s", name);
            break;
        }
        case NIC_ACT_PUSH_VLAN:
            ds_put_format(s, ":%"PRIu16, vlan_tci_to_vid(a->vlan_tci));
            if (a->vlan_tci & htons(~VLAN_VID_MASK & ~NIC_VLAN_PRESENT)) {
                ds_put_format(s, ":pcp=%d", vlan_tci_to_pcp(a->vlan_tci));
            }
            if (a->vlan_tpid
                && a->vlan_tpid != htons(ETH_TYPE_VLAN_8021Q)) {
                ds_put_format(s, ":tpid=%#06"PRIx16, ntohs(a->vlan_tpid));
            }
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

/* Parsing of the textual forms that nic_match_format() and
 * nic_actions_format() print, for unixctl commands and tests. */

static bool
nic_parse_uint(const char *s, unsigned long long max, unsigned long long *v)
{
    char *end;

    if (!*s || *s == '-') {
        return false;
    }
    errno = 0;
    *v = strtoull(s, &end, 0);
    return !errno && !*end && *v <= max;
}

/* Parses "ADDR" or "ADDR/MASK" or "ADDR/PREFIX" of family 'af'. */
static bool
nic_parse_ip_masked(const char *s, int af, uint8_t *addr, uint8_t *mask)
{
    size_t len = af == AF_INET ? 4 : 16;
    char *copy = xstrdup(s);
    char *slash = strchr(copy, '/');
    bool ok;

    if (slash) {
        *slash++ = '\0';
    }
    ok = inet_pton(af, copy, addr) == 1;
    if (ok && slash) {
        unsigned long long plen;

        if (inet_pton(af, slash, mask) == 1) {
            /* explicit mask */
        } else if (nic_parse_uint(slash, len * 8, &plen)) {
            memset(mask, 0, len);
            for (size_t i = 0; i < plen; i++) {
                mask[i / 8] |= 0x80 >> (i % 8);
            }
        } else {
            ok = false;
        }
    } else if (ok) {
        memset(mask, 0xff, len);
    }
    free(copy);
    return ok;
}

static const struct nic_int_field *
nic_int_field_by_name(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(nic_int_fields); i++) {
        if (!strcmp(nic_int_fields[i].name, name)) {
            return &nic_int_fields[i];
        }
    }
    return NULL;
}

/* Parses a comma-separated match such as
 * "in_port=vf0,udp,nw_dst=10.0.0.0/8,tp_dst=53".  Returns NULL, or an
 * error message the caller must free. */
char *
nic_match_from_string(const char *str, struct nic_match *m)
{
    char *copy = xstrdup(str);
    char *save = NULL, *error = NULL;

    nic_match_init_catchall(m);
    for (char *tok = strtok_r(copy, ", ", &save); tok && !error;
         tok = strtok_r(NULL, ", ", &save)) {
        char *value = strchr(tok, '=');
        unsigned long long v;
        struct nic_flow_key *k = &m->key, *mk = &m->mask;

        if (value) {
            *value++ = '\0';
        }
        if (!strcmp(tok, "any")) {
            continue;
        } else if (!value && (!strcmp(tok, "ip") || !strcmp(tok, "tcp")
                              || !strcmp(tok, "udp")
                              || !strcmp(tok, "icmp"))) {
            k->dl_type = htons(ETH_TYPE_IP);
            mk->dl_type = OVS_BE16_MAX;
            if (strcmp(tok, "ip")) {
                k->nw_proto = (!strcmp(tok, "tcp") ? IPPROTO_TCP
                               : !strcmp(tok, "udp") ? IPPROTO_UDP
                               : IPPROTO_ICMP);
                mk->nw_proto = UINT8_MAX;
            }
        } else if (!value && (!strcmp(tok, "ipv6") || !strcmp(tok, "arp"))) {
            k->dl_type = htons(!strcmp(tok, "arp") ? ETH_TYPE_ARP
                               : ETH_TYPE_IPV6);
            mk->dl_type = OVS_BE16_MAX;
        } else if (!value) {
            error = xasprintf("%s: unknown match keyword", tok);
        } else if (!strcmp(tok, "in_port")) {
            uint32_t port;

            if (!nic_port_from_string(value, &port)) {
                error = xasprintf("%s: bad port (want uplinkN or vfN)",
                                  value);
            } else {
                k->in_port = port;
                mk->in_port = UINT32_MAX;
            }
        } else if (!strcmp(tok, "dl_src") || !strcmp(tok, "dl_dst")) {
            struct eth_addr mac, mask = eth_addr_exact;
            char *slash = strchr(value, '/');

            if (slash) {
                *slash++ = '\0';
            }
            if (!eth_addr_from_string(value, &mac)
                || (slash && !eth_addr_from_string(slash, &mask))) {
                error = xasprintf("%s: bad MAC address or mask", value);
            } else if (!strcmp(tok, "dl_src")) {
                k->dl_src = mac;
                mk->dl_src = mask;
            } else {
                k->dl_dst = mac;
                mk->dl_dst = mask;
            }
        } else if (nic_int_field_by_name(tok)) {
            const struct nic_int_field *f = nic_int_field_by_name(tok);
            char *slash = strchr(value, '/');
            unsigned long long mv = nic_int_field_max(f);

            if (slash) {
                *slash++ = '\0';
            }
            if (!nic_parse_uint(value, nic_int_field_max(f), &v)
                || (slash && !nic_parse_uint(slash, nic_int_field_max(f),
                                             &mv))) {
                error = xasprintf("%s: bad %s (0 to %"PRIu32", with an "
                                  "optional /mask)", value, tok,
                                  nic_int_field_max(f));
            } else {
                nic_int_field_set(f, k, v);
                nic_int_field_set(f, mk, mv);
            }
        } else if (!strcmp(tok, "vlan") || !strcmp(tok, "vlan0")
                   || !strcmp(tok, "vlan1")) {
            int i = !strcmp(tok, "vlan1");

            if (!strcmp(value, "none")) {
                k->vlan_tci[i] = 0;
                mk->vlan_tci[i] = htons(NIC_VLAN_PRESENT);
            } else if (!nic_parse_uint(value, 4095, &v)) {
                error = xasprintf("%s: bad VLAN id (0 to 4095 or none)",
                                  value);
            } else {
                k->vlan_tci[i] = htons(v | NIC_VLAN_PRESENT);
                mk->vlan_tci[i] = htons(VLAN_VID_MASK | NIC_VLAN_PRESENT);
            }
        } else if (!strcmp(tok, "nw_src") || !strcmp(tok, "nw_dst")) {
            bool src = !strcmp(tok, "nw_src");
            bool v6 = strchr(value, ':') != NULL;

            if (!nic_parse_ip_masked(value, v6 ? AF_INET6 : AF_INET,
                                     src ? k->nw_src : k->nw_dst,
                                     src ? mk->nw_src : mk->nw_dst)) {
                error = xasprintf("%s: bad IP address or mask", value);
            }
        } else {
            error = xasprintf("%s: unknown match field", tok);
        }
    }
    free(copy);
    if (!error) {
        nic_match_normalize(m);
    }
    return error;
}

/* Parses actions such as "pop_vlan,set_tp_dst:8080,output:vf2".  Returns
 * NULL, or an error message the caller must free. */
char *
nic_actions_from_string(const char *str, struct nic_action *acts,
                        size_t *n_actsp)
{
    char *copy = xstrdup(str);
    char *save = NULL, *error = NULL;
    size_t n = 0;

    for (char *tok = strtok_r(copy, ", ", &save); tok && !error;
         tok = strtok_r(NULL, ", ", &save)) {
        char *arg = strchr(tok, ':');
        struct nic_action *a;
        unsigned long long v;
        int t;

        if (n >= NIC_MAX_ACTIONS) {
            error = xasprintf("more than %d actions", NIC_MAX_ACTIONS);
            break;
        }
        a = &acts[n];
        memset(a, 0, sizeof *a);
        /* "set_eth_dst:aa:bb:..." keeps its colons in the argument. */
        if (arg) {
            *arg++ = '\0';
        }
        for (t = 0; t < NIC_N_ACTIONS; t++) {
            if (!strcmp(tok, nic_action_type_to_string(t))) {
                break;
            }
        }
        if (t == NIC_N_ACTIONS || t == NIC_ACT_ENCAP) {
            error = xasprintf("%s: unknown action", tok);
            break;
        }
        a->type = t;
        switch (a->type) {
        case NIC_ACT_TO_HOST:
        case NIC_ACT_DROP:
        case NIC_ACT_POP_VLAN:
        case NIC_ACT_DECAP:
            if (arg) {
                error = xasprintf("%s takes no argument", tok);
            }
            break;
        case NIC_ACT_OUTPUT:
            if (!arg || !nic_port_from_string(arg, &a->port)) {
                error = xasprintf("output wants a port (uplinkN or vfN)");
            }
            break;
        case NIC_ACT_TNL_POP:
            if (!arg || !nic_port_from_string(arg, &a->port)
                || !nic_port_is_tunnel(a->port)) {
                error = xasprintf("tnl_pop wants a tunnel port (tunnelN)");
            }
            break;
        case NIC_ACT_PUSH_VLAN: {
            /* "push_vlan:VID[:pcp=N][:tpid=T]". */
            char *opt = arg ? strchr(arg, ':') : NULL;

            if (opt) {
                *opt++ = '\0';
            }
            if (!arg || !nic_parse_uint(arg, 4095, &v)) {
                error = xasprintf("push_vlan wants a VLAN id");
                break;
            }
            a->vlan_tci = htons(v);
            while (opt && !error) {
                char *next = strchr(opt, ':');

                if (next) {
                    *next++ = '\0';
                }
                if (!strncmp(opt, "pcp=", 4)
                    && nic_parse_uint(opt + 4, 7, &v)) {
                    a->vlan_tci |= htons(v << VLAN_PCP_SHIFT);
                } else if (!strncmp(opt, "tpid=", 5)
                           && nic_parse_uint(opt + 5, UINT16_MAX, &v)
                           && v >= ETH_TYPE_MIN) {
                    a->vlan_tpid = htons(v);
                } else {
                    error = xasprintf("push_vlan: %s: want pcp=0..7 or "
                                      "tpid=ETHERTYPE", opt);
                }
                opt = next;
            }
            break;
        }
        case NIC_ACT_SET_ETH_SRC:
        case NIC_ACT_SET_ETH_DST:
            if (!arg || !eth_addr_from_string(arg, &a->mac)) {
                error = xasprintf("%s wants a MAC address", tok);
            }
            break;
        case NIC_ACT_SET_IPV4_SRC:
        case NIC_ACT_SET_IPV4_DST:
            if (!arg || inet_pton(AF_INET, arg, &a->ipv4) != 1) {
                error = xasprintf("%s wants an IPv4 address", tok);
            }
            break;
        case NIC_ACT_SET_IPV6_SRC:
        case NIC_ACT_SET_IPV6_DST:
            if (!arg || inet_pton(AF_INET6, arg, a->ipv6) != 1) {
                error = xasprintf("%s wants an IPv6 address", tok);
            }
            break;
        case NIC_ACT_SET_IP_TTL:
            if (!arg || !nic_parse_uint(arg, UINT8_MAX, &v)) {
                error = xasprintf("set_ttl wants 0 to 255");
            } else {
                a->ttl = v;
            }
            break;
        case NIC_ACT_SET_TP_SRC:
        case NIC_ACT_SET_TP_DST:
            if (!arg || !nic_parse_uint(arg, UINT16_MAX, &v)) {
                error = xasprintf("%s wants a port number", tok);
            } else {
                a->tp_port = htons(v);
            }
            break;
        case NIC_ACT_SET_QUEUE:
        case NIC_ACT_MARK:
        case NIC_ACT_COUNT:
            if (!arg || !nic_parse_uint(arg, UINT32_MAX, &v)) {
                error = xasprintf("%s wants a number", tok);
            } else {
                a->queue = v;   /* Same storage as mark and counter. */
            }
            break;
        case NIC_ACT_ENCAP:
        case NIC_N_ACTIONS:
        default:
            OVS_NOT_REACHED();
        }
        n++;
    }
    free(copy);
    if (!error && !n) {
        error = xstrdup("no actions");
    }
    *n_actsp = n;
    return error;
}
