/* SPDX-License-Identifier: Apache-2.0 */
/* The NIC's encapsulation mapping table: the mapping model (checks,
 * formatting, parsing) and a table that NIC backends embed. */
#include <config.h>

#include "lib/nic-encap-map.h"

#include <errno.h>
#include <string.h>

#include "hash.h"
#include "lib/nic-parse.h"
#include "openvswitch/util.h"
#include "util.h"

struct nic_encap_map_entry {
    struct hmap_node node;      /* In 'entries', by nic_encap_map_hash(). */
    struct nic_encap_mapping m;
};

static uint32_t
nic_encap_map_hash(const struct eth_addr *mac, const struct in6_addr *ip)
{
    return hash_bytes(ip, sizeof *ip, hash_bytes(mac, sizeof *mac, 0));
}

char *
nic_encap_mapping_check(const struct nic_encap_mapping *m)
{
    if (eth_addr_is_zero(m->inner_mac)) {
        return xstrdup("mapping without an inner MAC");
    }
    if (m->tun_type != NIC_TUNNEL_VXLAN && m->tun_type != NIC_TUNNEL_GENEVE) {
        return xasprintf("unknown tunnel type %d", m->tun_type);
    }
    if (m->vni > 0xffffff) {
        return xasprintf("VNI %"PRIu32" is more than 24 bits", m->vni);
    }
    if (ipv6_addr_equals(&m->remote_ip, &in6addr_any)) {
        return xstrdup("mapping without a remote tunnel endpoint");
    }
    if (m->opts_len && m->tun_type != NIC_TUNNEL_GENEVE) {
        return xstrdup("options on a VXLAN mapping");
    }
    if (m->opts_len % 4 || m->opts_len > NIC_ENCAP_MAP_MAX_OPTS) {
        return xasprintf("%d bytes of Geneve options (a multiple of 4, up "
                         "to %d)", m->opts_len, NIC_ENCAP_MAP_MAX_OPTS);
    }
    /* The options are TLVs that must fill 'opts_len' exactly. */
    for (size_t ofs = 0; ofs < m->opts_len; ) {
        size_t len = 4 + 4 * (m->opts[ofs + 3] & 0x1f);

        if (ofs + len > m->opts_len) {
            return xasprintf("Geneve option at byte %"PRIuSIZE" runs past "
                             "the options", ofs);
        }
        ofs += len;
    }
    return NULL;
}

/* The Geneve options as hex digits, as "opts=" takes them. */
void
nic_encap_mapping_format_opts(struct ds *s, const struct nic_encap_mapping *m)
{
    for (size_t i = 0; i < m->opts_len; i++) {
        ds_put_format(s, "%02x", m->opts[i]);
    }
}

static void
nic_encap_ip_format(struct ds *s, const struct in6_addr *ip)
{
    ipv6_format_mapped(ip, s);
}

void
nic_encap_mapping_format(struct ds *s, const struct nic_encap_mapping *m)
{
    ds_put_format(s, "mac="ETH_ADDR_FMT, ETH_ADDR_ARGS(m->inner_mac));
    if (!ipv6_addr_equals(&m->inner_ip, &in6addr_any)) {
        ds_put_cstr(s, " ip=");
        nic_encap_ip_format(s, &m->inner_ip);
    }
    ds_put_format(s, " type=%s vni=%"PRIu32" remote=",
                  m->tun_type == NIC_TUNNEL_VXLAN ? "vxlan" : "geneve",
                  m->vni);
    nic_encap_ip_format(s, &m->remote_ip);
    if (m->opts_len) {
        ds_put_cstr(s, " opts=");
        nic_encap_mapping_format_opts(s, m);
    }
}

static char *
nic_encap_parse_ip(const char *name, const char *v, struct in6_addr *ip)
{
    ovs_be32 ip4;

    if (ip_parse(v, &ip4)) {
        *ip = in6_addr_mapped_ipv4(ip4);
        return NULL;
    }
    if (ipv6_parse(v, ip)) {
        return NULL;
    }
    return xasprintf("%s: bad IP address \"%s\"", name, v);
}

char *
nic_encap_mapping_set_field(struct nic_encap_mapping *m, const char *key,
                            const char *v)
{
    if (!strcmp(key, "mac")) {
        if (!eth_addr_from_string(v, &m->inner_mac)) {
            return xasprintf("mac: bad MAC \"%s\"", v);
        }
    } else if (!strcmp(key, "ip")) {
        return nic_encap_parse_ip(key, v, &m->inner_ip);
    } else if (!strcmp(key, "remote")) {
        return nic_encap_parse_ip(key, v, &m->remote_ip);
    } else if (!strcmp(key, "type")) {
        m->tun_type = (!strcmp(v, "vxlan") ? NIC_TUNNEL_VXLAN
                       : !strcmp(v, "geneve") ? NIC_TUNNEL_GENEVE : 0);
        if (!m->tun_type) {
            return xasprintf("type: \"%s\" is not vxlan or geneve", v);
        }
    } else if (!strcmp(key, "vni")) {
        unsigned long long vni;

        if (!str_to_ullong(v, 0, &vni) || vni > 0xffffff) {
            return xasprintf("vni: bad VNI \"%s\"", v);
        }
        m->vni = vni;
    } else if (!strcmp(key, "opts")) {
        size_t n = strlen(v) / 2;

        if (strlen(v) % 2 || n > NIC_ENCAP_MAP_MAX_OPTS) {
            return xasprintf("opts: bad length");
        }
        for (size_t i = 0; i < n; i++) {
            bool ok;

            m->opts[i] = hexits_value(v + 2 * i, 2, &ok);
            if (!ok) {
                return xasprintf("opts: bad hex \"%s\"", v);
            }
        }
        m->opts_len = n;
    } else {
        return xasprintf("%s: unknown key", key);
    }
    return NULL;
}

char *
nic_encap_mapping_from_string(const char *s_, struct nic_encap_mapping *m)
{
    char *s = xstrdup(s_), *save = NULL, *error = NULL;

    memset(m, 0, sizeof *m);
    for (char *tok = strtok_r(s, ", ", &save); tok && !error;
         tok = strtok_r(NULL, ", ", &save)) {
        char *v = strchr(tok, '=');

        if (!v) {
            error = xasprintf("%s: expected KEY=VALUE", tok);
            break;
        }
        *v++ = '\0';
        error = nic_encap_mapping_set_field(m, tok, v);
    }
    free(s);
    if (!error) {
        error = nic_encap_mapping_check(m);
    }
    return error;
}

void
nic_encap_map_init(struct nic_encap_map *map, size_t capacity)
{
    ovs_mutex_init(&map->mutex);
    hmap_init(&map->entries);
    map->capacity = capacity;
}

void
nic_encap_map_clear(struct nic_encap_map *map)
{
    struct nic_encap_map_entry *e;

    ovs_mutex_lock(&map->mutex);
    HMAP_FOR_EACH_POP (e, node, &map->entries) {
        free(e);
    }
    ovs_mutex_unlock(&map->mutex);
}

void
nic_encap_map_destroy(struct nic_encap_map *map)
{
    nic_encap_map_clear(map);
    hmap_destroy(&map->entries);
    ovs_mutex_destroy(&map->mutex);
}

static struct nic_encap_map_entry *
nic_encap_map_lookup(struct nic_encap_map *map, const struct eth_addr *mac,
                     const struct in6_addr *ip)
    OVS_REQUIRES(map->mutex)
{
    struct nic_encap_map_entry *e;

    HMAP_FOR_EACH_WITH_HASH (e, node, nic_encap_map_hash(mac, ip),
                             &map->entries) {
        if (eth_addr_equals(e->m.inner_mac, *mac)
            && ipv6_addr_equals(&e->m.inner_ip, ip)) {
            return e;
        }
    }
    return NULL;
}

/* Adds 'm' or replaces the mapping of its inner destination.  Returns 0,
 * EINVAL for an invalid mapping, or ENOSPC when the table is full. */
int
nic_encap_map_put(struct nic_encap_map *map,
                  const struct nic_encap_mapping *m)
{
    struct nic_encap_map_entry *e;
    char *error = nic_encap_mapping_check(m);
    int ret = 0;

    if (error) {
        free(error);
        return EINVAL;
    }
    ovs_mutex_lock(&map->mutex);
    e = nic_encap_map_lookup(map, &m->inner_mac, &m->inner_ip);
    if (e) {
        e->m = *m;
    } else if (hmap_count(&map->entries) >= map->capacity) {
        ret = ENOSPC;
    } else {
        e = xmalloc(sizeof *e);
        e->m = *m;
        hmap_insert(&map->entries, &e->node,
                    nic_encap_map_hash(&m->inner_mac, &m->inner_ip));
    }
    ovs_mutex_unlock(&map->mutex);
    return ret;
}

/* Returns 0, or ENOENT if there is no such mapping. */
int
nic_encap_map_remove(struct nic_encap_map *map, const struct eth_addr *mac,
                     const struct in6_addr *ip)
{
    struct nic_encap_map_entry *e;

    ovs_mutex_lock(&map->mutex);
    e = nic_encap_map_lookup(map, mac, ip);
    if (e) {
        hmap_remove(&map->entries, &e->node);
        free(e);
    }
    ovs_mutex_unlock(&map->mutex);
    return e ? 0 : ENOENT;
}

bool
nic_encap_map_find(struct nic_encap_map *map, const struct eth_addr *mac,
                   const struct in6_addr *ip, struct nic_encap_mapping *m)
{
    struct nic_encap_map_entry *e;

    ovs_mutex_lock(&map->mutex);
    e = nic_encap_map_lookup(map, mac, ip);
    if (e) {
        *m = e->m;
    }
    ovs_mutex_unlock(&map->mutex);
    return e != NULL;
}

int
nic_encap_mapping_key_cmp(const struct nic_encap_mapping *a,
                          const struct nic_encap_mapping *b)
{
    int c = memcmp(&a->inner_mac, &b->inner_mac, sizeof a->inner_mac);

    return c ? c : memcmp(&a->inner_ip, &b->inner_ip, sizeof a->inner_ip);
}

static int
nic_encap_mapping_cmp(const void *a, const void *b)
{
    return nic_encap_mapping_key_cmp(a, b);
}

bool
nic_encap_mapping_equal(const struct nic_encap_mapping *a,
                        const struct nic_encap_mapping *b)
{
    return (!nic_encap_mapping_key_cmp(a, b)
            && a->tun_type == b->tun_type && a->vni == b->vni
            && ipv6_addr_equals(&a->remote_ip, &b->remote_ip)
            && a->opts_len == b->opts_len
            && !memcmp(a->opts, b->opts, a->opts_len));
}

void
nic_encap_mappings_sort(struct nic_encap_mapping *maps, size_t n)
{
    qsort(maps, n, sizeof *maps, nic_encap_mapping_cmp);
}

/* Returns the number of mappings and a malloc'd array of them, sorted by
 * inner MAC then IP, in '*mp'. */
size_t
nic_encap_map_list(struct nic_encap_map *map, struct nic_encap_mapping **mp)
{
    struct nic_encap_map_entry *e;
    size_t n = 0;

    ovs_mutex_lock(&map->mutex);
    *mp = xmalloc(MAX(1, hmap_count(&map->entries)) * sizeof **mp);
    HMAP_FOR_EACH (e, node, &map->entries) {
        (*mp)[n++] = e->m;
    }
    ovs_mutex_unlock(&map->mutex);
    nic_encap_mappings_sort(*mp, n);
    return n;
}
