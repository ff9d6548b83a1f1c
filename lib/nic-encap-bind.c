/* SPDX-License-Identifier: Apache-2.0 */
/* Binding of rules' encap actions to the NIC's encapsulation mappings:
 * which inner destination a rule sends to, and whether the header it
 * pushes agrees with the mapping of that destination. */
#include <config.h>

#include "lib/nic-encap-bind.h"

#include <errno.h>
#include <string.h>

#include "hash.h"
#include "lib/nic-parse.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "util.h"

size_t
nic_encap_bind_dests(const struct nic_match *match,
                     const struct nic_action *acts, size_t n,
                     struct nic_encap_dest *dests, size_t max)
{
    const struct nic_flow_key *k = &match->key, *mk = &match->mask;
    struct nic_encap_dest cur;
    ovs_be16 dl_type = 0;
    size_t n_dests = 0;

    memset(&cur, 0, sizeof cur);
    if (nic_is_all_ones(&mk->dl_dst, sizeof mk->dl_dst)) {
        cur.mac = k->dl_dst;
    }
    if (nic_is_all_ones(&mk->dl_type, sizeof mk->dl_type)) {
        dl_type = k->dl_type;
    }
    if (dl_type == htons(ETH_TYPE_IP)
        && nic_is_all_ones(mk->nw_dst, 4)) {
        ovs_be32 ip4;

        memcpy(&ip4, k->nw_dst, 4);
        in6_addr_set_mapped_ipv4(&cur.ip, ip4);
    } else if (dl_type == htons(ETH_TYPE_IPV6)
               && nic_is_all_ones(mk->nw_dst, 16)) {
        memcpy(&cur.ip, k->nw_dst, 16);
    }

    for (size_t i = 0; i < n; i++) {
        const struct nic_action *a = &acts[i];

        if (a->type == NIC_ACT_SET_ETH_DST) {
            cur.mac = a->mac;
        } else if (a->type == NIC_ACT_SET_IPV4_DST
                   && dl_type == htons(ETH_TYPE_IP)) {
            in6_addr_set_mapped_ipv4(&cur.ip, a->ipv4);
        } else if (a->type == NIC_ACT_SET_IPV6_DST
                   && dl_type == htons(ETH_TYPE_IPV6)) {
            memcpy(&cur.ip, a->ipv6, 16);
        } else if (a->type == NIC_ACT_ENCAP) {
            if (n_dests < max) {
                dests[n_dests] = cur;
                if (eth_addr_is_zero(cur.mac)) {
                    memset(&dests[n_dests].ip, 0, sizeof cur.ip);
                }
            }
            n_dests++;
        }
    }
    return MIN(n_dests, max);
}

bool
nic_encap_bind_lookup(nic_encap_lookup_func *lookup, void *aux,
                      const struct nic_encap_dest *dest,
                      struct nic_encap_mapping *m)
{
    if (eth_addr_is_zero(dest->mac)) {
        return false;
    }
    if (!ipv6_addr_equals(&dest->ip, &in6addr_any)
        && lookup(aux, &dest->mac, &dest->ip, m)) {
        return true;
    }
    return lookup(aux, &dest->mac, &in6addr_any, m);
}

/* What an OVS tnl_push header says about where it goes. */
struct nic_encap_hdr_info {
    uint8_t type;
    uint32_t vni;
    struct in6_addr remote;
    const uint8_t *opts;
    size_t opts_len;
};

/* Parses the header of 'encap', which the translator has checked for
 * Ethernet + IPv4 (20 bytes) or IPv6 + UDP + 8 bytes of VXLAN or Geneve.
 * Returns false for a header too short for what it says. */
static bool
nic_encap_hdr_parse(const struct nic_action *encap,
                    struct nic_encap_hdr_info *info)
{
    const uint8_t *h = encap->encap.hdr;
    size_t len = encap->encap.len;
    size_t l4;

    memset(info, 0, sizeof *info);
    info->type = encap->encap.type;
    if (len < ETH_HEADER_LEN || len > sizeof encap->encap.hdr) {
        return false;
    }
    if (h[12] == 0x08 && h[13] == 0x00) {
        ovs_be32 ip4;

        l4 = ETH_HEADER_LEN + IP_HEADER_LEN;
        if (len < l4) {
            return false;
        }
        memcpy(&ip4, h + ETH_HEADER_LEN + 16, 4);
        in6_addr_set_mapped_ipv4(&info->remote, ip4);
    } else if (h[12] == 0x86 && h[13] == 0xdd) {
        l4 = ETH_HEADER_LEN + IPV6_HEADER_LEN;
        if (len < l4) {
            return false;
        }
        memcpy(&info->remote, h + ETH_HEADER_LEN + 24, 16);
    } else {
        return false;
    }

    const uint8_t *t = h + l4 + UDP_HEADER_LEN;
    if (len < l4 + UDP_HEADER_LEN + 8) {
        return false;
    }
    info->vni = ((uint32_t) t[4] << 16) | ((uint32_t) t[5] << 8) | t[6];
    /* Never NULL, so that a compare or copy of 0 bytes is defined. */
    info->opts = t + 8;
    if (info->type == NIC_TUNNEL_GENEVE) {
        info->opts_len = (t[0] & 0x3f) * 4;
        if (len < l4 + UDP_HEADER_LEN + 8 + info->opts_len) {
            return false;
        }
    }
    return true;
}

static const char *
nic_encap_bind_type_name(uint8_t type)
{
    return (type == NIC_TUNNEL_VXLAN ? "vxlan"
            : type == NIC_TUNNEL_GENEVE ? "geneve" : "other");
}

char *
nic_encap_bind_check(const struct nic_encap_mapping *m,
                     const struct nic_action *encap)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct nic_encap_hdr_info h;

    if (!nic_encap_hdr_parse(encap, &h)) {
        return xstrdup("the rule's tunnel header is malformed");
    }
    /* The first field that differs, short enough for a flow's reason. */
    ds_put_format(&s, ETH_ADDR_FMT" ", ETH_ADDR_ARGS(m->inner_mac));
    if (h.type != m->tun_type) {
        ds_put_format(&s, "is mapped to %s, the flow's header is %s",
                      nic_encap_bind_type_name(m->tun_type),
                      nic_encap_bind_type_name(h.type));
    } else if (!ipv6_addr_equals(&h.remote, &m->remote_ip)) {
        ds_put_cstr(&s, "is mapped to remote ");
        ipv6_format_mapped(&m->remote_ip, &s);
        ds_put_cstr(&s, ", the flow's header to ");
        ipv6_format_mapped(&h.remote, &s);
    } else if (h.vni != m->vni) {
        ds_put_format(&s, "is mapped to VNI %"PRIu32", the flow's header "
                      "has %"PRIu32, m->vni, h.vni);
    } else if (h.opts_len != m->opts_len
               || memcmp(h.opts, m->opts, h.opts_len)) {
        ds_put_format(&s, "is mapped with %d bytes of Geneve options, the "
                      "flow's header has %"PRIuSIZE" other ones",
                      m->opts_len, h.opts_len);
    } else {
        ds_destroy(&s);
        return NULL;
    }
    return ds_steal_cstr(&s);
}

bool
nic_encap_bind_mapping_of(const struct nic_action *encap,
                          const struct nic_encap_dest *dest,
                          struct nic_encap_mapping *m)
{
    struct nic_encap_hdr_info h;
    char *error;

    if (!nic_encap_hdr_parse(encap, &h)
        || h.opts_len > NIC_ENCAP_MAP_MAX_OPTS) {
        return false;
    }
    memset(m, 0, sizeof *m);
    m->inner_mac = dest->mac;
    m->inner_ip = dest->ip;
    m->tun_type = h.type;
    m->vni = h.vni;
    m->remote_ip = h.remote;
    m->opts_len = h.opts_len;
    memcpy(m->opts, h.opts, h.opts_len);
    error = nic_encap_mapping_check(m);
    free(error);
    return !error;
}

int
nic_encap_bind_rule(nic_encap_lookup_func *lookup, void *aux,
                    const struct nic_match *match,
                    const struct nic_action *acts, size_t n,
                    size_t *n_bound, char **whyp)
{
    struct nic_encap_dest dests[NIC_MAX_ACTIONS];
    size_t n_dests = nic_encap_bind_dests(match, acts, n, dests,
                                          ARRAY_SIZE(dests));
    size_t bound = 0, j = 0;

    if (whyp) {
        *whyp = NULL;
    }
    for (size_t i = 0; i < n && j < n_dests; i++) {
        struct nic_encap_mapping m;

        if (acts[i].type != NIC_ACT_ENCAP) {
            continue;
        }
        if (nic_encap_bind_lookup(lookup, aux, &dests[j++], &m)) {
            char *why = nic_encap_bind_check(&m, &acts[i]);

            if (why) {
                if (whyp) {
                    *whyp = why;
                } else {
                    free(why);
                }
                return EADDRNOTAVAIL;
            }
            bound++;
        }
    }
    if (n_bound) {
        *n_bound = bound;
    }
    return 0;
}

/* The rules of one inner MAC. */
struct nic_encap_index_mac {
    struct hmap_node node;      /* In 'macs', by MAC. */
    struct eth_addr mac;
    struct hmap ids;            /* Of struct nic_encap_index_id, by id. */
};

struct nic_encap_index_id {
    struct hmap_node node;
    uint32_t id;
};

void
nic_encap_index_init(struct nic_encap_index *idx)
{
    hmap_init(&idx->macs);
}

void
nic_encap_index_clear(struct nic_encap_index *idx)
{
    struct nic_encap_index_mac *m;

    HMAP_FOR_EACH_POP (m, node, &idx->macs) {
        struct nic_encap_index_id *i;

        HMAP_FOR_EACH_POP (i, node, &m->ids) {
            free(i);
        }
        hmap_destroy(&m->ids);
        free(m);
    }
}

void
nic_encap_index_destroy(struct nic_encap_index *idx)
{
    nic_encap_index_clear(idx);
    hmap_destroy(&idx->macs);
}

static uint32_t
nic_encap_index_hash(const struct eth_addr *mac)
{
    return hash_bytes(mac, sizeof *mac, 0);
}

static struct nic_encap_index_mac *
nic_encap_index_find_mac(const struct nic_encap_index *idx,
                         const struct eth_addr *mac)
{
    struct nic_encap_index_mac *m;

    HMAP_FOR_EACH_WITH_HASH (m, node, nic_encap_index_hash(mac),
                             &idx->macs) {
        if (eth_addr_equals(m->mac, *mac)) {
            return m;
        }
    }
    return NULL;
}

static struct nic_encap_index_id *
nic_encap_index_find_id(const struct nic_encap_index_mac *m, uint32_t id)
{
    struct nic_encap_index_id *i;

    HMAP_FOR_EACH_WITH_HASH (i, node, hash_int(id, 0), &m->ids) {
        if (i->id == id) {
            return i;
        }
    }
    return NULL;
}

void
nic_encap_index_add(struct nic_encap_index *idx,
                    const struct nic_match *match,
                    const struct nic_action *acts, size_t n, uint32_t id)
{
    struct nic_encap_dest d[NIC_MAX_ACTIONS];
    size_t n_dests = nic_encap_bind_dests(match, acts, n, d, ARRAY_SIZE(d));

    for (size_t k = 0; k < n_dests; k++) {
        struct nic_encap_index_mac *m;
        struct nic_encap_index_id *i;

        if (eth_addr_is_zero(d[k].mac)) {
            continue;
        }
        m = nic_encap_index_find_mac(idx, &d[k].mac);
        if (!m) {
            m = xmalloc(sizeof *m);
            m->mac = d[k].mac;
            hmap_init(&m->ids);
            hmap_insert(&idx->macs, &m->node,
                        nic_encap_index_hash(&d[k].mac));
        }
        if (!nic_encap_index_find_id(m, id)) {
            i = xmalloc(sizeof *i);
            i->id = id;
            hmap_insert(&m->ids, &i->node, hash_int(id, 0));
        }
    }
}

void
nic_encap_index_remove(struct nic_encap_index *idx,
                       const struct nic_match *match,
                       const struct nic_action *acts, size_t n, uint32_t id)
{
    struct nic_encap_dest d[NIC_MAX_ACTIONS];
    size_t n_dests = nic_encap_bind_dests(match, acts, n, d, ARRAY_SIZE(d));

    for (size_t k = 0; k < n_dests; k++) {
        struct nic_encap_index_mac *m = nic_encap_index_find_mac(idx,
                                                                 &d[k].mac);
        struct nic_encap_index_id *i = m ? nic_encap_index_find_id(m, id)
                                       : NULL;

        if (i) {
            hmap_remove(&m->ids, &i->node);
            free(i);
            if (hmap_is_empty(&m->ids)) {
                hmap_remove(&idx->macs, &m->node);
                hmap_destroy(&m->ids);
                free(m);
            }
        }
    }
}

size_t
nic_encap_index_find(const struct nic_encap_index *idx,
                     const struct eth_addr *mac, uint32_t **idsp)
{
    const struct nic_encap_index_mac *m = nic_encap_index_find_mac(idx, mac);
    const struct nic_encap_index_id *i;
    size_t n = 0;

    *idsp = NULL;
    if (!m) {
        return 0;
    }
    *idsp = xmalloc(hmap_count(&m->ids) * sizeof **idsp);
    HMAP_FOR_EACH (i, node, &m->ids) {
        (*idsp)[n++] = i->id;
    }
    return n;
}
