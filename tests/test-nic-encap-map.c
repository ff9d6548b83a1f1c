/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the NIC's encapsulation mapping table
 * (lib/nic-encap-map.c) and of nicsim's, through the lib/nic.h
 * wrappers, and of the binding of rules to it (lib/nic-encap-bind.c). */

#include <config.h>

#include <errno.h>
#include <string.h>

#include "lib/nic.h"
#include "lib/nic-encap-bind.h"
#include "lib/nic-encap-map.h"
#include "lib/nic-parse.h"
#include "lib/nicsim.h"
#include "lib/offload-state.h"
#include "openvswitch/dynamic-string.h"
#include "tests/test-packets.h"
#include "tests/unit-tests.h"

static void
parse_ok(const char *s, struct nic_encap_mapping *m)
{
    char *error = nic_encap_mapping_from_string(s, m);

    ck_assert_msg(!error, "%s: %s", s, error);
}

static void
parse_fails(const char *s, const char *msg)
{
    struct nic_encap_mapping m;
    char *error = nic_encap_mapping_from_string(s, &m);

    ck_assert_msg(error && strstr(error, msg), "%s: got \"%s\"", s,
                  error ? error : "no error");
    free(error);
}

START_TEST(test_parse_format)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct nic_encap_mapping m;

    parse_ok("mac=50:54:00:00:00:02,ip=10.0.0.2,type=geneve,vni=100,"
             "remote=192.168.0.2,opts=0102800100010002", &m);
    ck_assert_int_eq(m.tun_type, NIC_TUNNEL_GENEVE);
    ck_assert_uint_eq(m.vni, 100);
    ck_assert_int_eq(m.opts_len, 8);
    nic_encap_mapping_format(&s, &m);
    ck_assert_str_eq(ds_cstr(&s), "mac=50:54:00:00:00:02 ip=10.0.0.2 "
                     "type=geneve vni=100 remote=192.168.0.2 "
                     "opts=0102800100010002");
    ds_clear(&s);
    parse_ok("mac=50:54:00:00:00:03 type=vxlan vni=0xffffff "
             "remote=fd00::2", &m);
    nic_encap_mapping_format(&s, &m);
    ck_assert_str_eq(ds_cstr(&s), "mac=50:54:00:00:00:03 type=vxlan "
                     "vni=16777215 remote=fd00::2");
    ds_destroy(&s);

    parse_fails("type=vxlan vni=1 remote=1.1.1.1", "without an inner MAC");
    parse_fails("mac=50:54:00:00:00:02 type=gre vni=1 remote=1.1.1.1",
                "not vxlan or geneve");
    parse_fails("mac=50:54:00:00:00:02 type=vxlan vni=16777216 "
                "remote=1.1.1.1", "bad VNI");
    parse_fails("mac=50:54:00:00:00:02 type=vxlan vni=1", "remote");
    parse_fails("mac=50:54:00:00:00:02 type=vxlan vni=1 remote=1.1.1.1 "
                "opts=01028001", "options on a VXLAN mapping");
    /* A TLV that claims one more word than there is. */
    parse_fails("mac=50:54:00:00:00:02 type=geneve vni=1 remote=1.1.1.1 "
                "opts=01028002aabbccdd", "runs past");
    parse_fails("mac=50:54:00:00:00:02 type=geneve vni=1 remote=1.1.1.1 "
                "opts=010280", "multiple of 4");
    parse_fails("mac=50:54:00:00:00:02 type=geneve vni=1 remote=1.1.1.x",
                "bad IP address");
    parse_fails("mac=50:54:00:00:00:02 colour=red", "unknown key");
}
END_TEST

START_TEST(test_table)
{
    struct nic_encap_mapping m, *list, got;
    struct nic_encap_map map;
    struct in6_addr any = in6addr_any;

    nic_encap_map_init(&map, 2);
    parse_ok("mac=50:54:00:00:00:09 type=vxlan vni=1 remote=1.1.1.1", &m);
    ck_assert_int_eq(nic_encap_map_put(&map, &m), 0);
    parse_ok("mac=50:54:00:00:00:02 type=vxlan vni=2 remote=1.1.1.2", &m);
    ck_assert_int_eq(nic_encap_map_put(&map, &m), 0);
    /* Full; replacing an existing destination still works. */
    parse_ok("mac=50:54:00:00:00:03 type=vxlan vni=3 remote=1.1.1.3", &m);
    ck_assert_int_eq(nic_encap_map_put(&map, &m), ENOSPC);
    parse_ok("mac=50:54:00:00:00:02 type=geneve vni=7 remote=1.1.1.7", &m);
    ck_assert_int_eq(nic_encap_map_put(&map, &m), 0);
    ck_assert(nic_encap_map_find(&map, &m.inner_mac, &any, &got));
    ck_assert_uint_eq(got.vni, 7);
    /* An invalid mapping does not replace a good one. */
    m.vni = 1u << 24;
    ck_assert_int_eq(nic_encap_map_put(&map, &m), EINVAL);
    ck_assert(nic_encap_map_find(&map, &m.inner_mac, &any, &got));
    ck_assert_uint_eq(got.vni, 7);

    ck_assert_uint_eq(nic_encap_map_list(&map, &list), 2);
    ck_assert_int_eq(list[0].inner_mac.ea[5], 2);   /* Sorted. */
    ck_assert_int_eq(list[1].inner_mac.ea[5], 9);
    free(list);

    ck_assert_int_eq(nic_encap_map_remove(&map, &m.inner_mac, &any), 0);
    ck_assert_int_eq(nic_encap_map_remove(&map, &m.inner_mac, &any),
                     ENOENT);
    ck_assert(!nic_encap_map_find(&map, &m.inner_mac, &any, &got));
    nic_encap_map_destroy(&map);
}
END_TEST

START_TEST(test_nicsim)
{
    struct nicsim_config cfg = {
        .n_uplinks = 1, .n_vfs = 1, .n_engines = 1,
        .exact_capacity = 8, .wildcard_capacity = 8,
    };
    struct nic_encap_mapping m, *list;
    struct nic *nic;
    char *error;
    size_t n;

    ck_assert_int_eq(nicsim_create("encap-map-t0", &cfg, &nic), 0);
    parse_ok("mac=50:54:00:00:00:02 ip=10.0.0.2 type=geneve vni=5 "
             "remote=192.168.0.2", &m);
    ck_assert_int_eq(nic_encap_map_set(nic, &m, &error), 0);
    ck_assert(!error);
    m.remote_ip = in6addr_any;
    ck_assert_int_eq(nic_encap_map_set(nic, &m, &error), EINVAL);
    ck_assert(error && strstr(error, "remote"));
    free(error);

    ck_assert_int_eq(nic_encap_map_dump(nic, &list, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(list[0].vni, 5);
    free(list);

    /* The IP is part of the key. */
    ck_assert_int_eq(nic_encap_map_del(nic, &m.inner_mac, &in6addr_any),
                     ENOENT);
    /* A reset loses the mappings, as it loses rules. */
    ck_assert_int_eq(nic_reset(nic), 0);
    ck_assert_int_eq(nic_encap_map_dump(nic, &list, &n), 0);
    ck_assert_uint_eq(n, 0);
    free(list);
    nic_close(nic);
}
END_TEST

static void
bind_encap(struct nic_action *a, uint8_t type, uint32_t remote, uint32_t vni,
           const uint8_t *opts, size_t opts_len)
{
    tp_encap_action(a, type, 0xc0a80001, remote, vni, opts, opts_len);
}

/* A rule of VF 0 to inner MAC 50:54:00:00:00:LAST (exact dl_dst unless
 * LAST is 0), encapsulated by 'encap' and sent out of uplink 0. */
static void
bind_rule(struct nic_rule_spec *spec, struct nic_action acts[2],
          uint8_t last, const struct nic_action *encap)
{
    memset(spec, 0, sizeof *spec);
    nic_match_init_catchall(&spec->match);
    spec->match.key.in_port = NIC_PORT_VF_BASE;
    memset(&spec->match.mask.in_port, 0xff, sizeof spec->match.mask.in_port);
    if (last) {
        spec->match.key.dl_dst = (struct eth_addr) {
            { { 0x50, 0x54, 0, 0, 0, last } } };
        memset(&spec->match.mask.dl_dst, 0xff, sizeof spec->match.mask.dl_dst);
    }
    acts[0] = *encap;
    acts[1] = (struct nic_action) { .type = NIC_ACT_OUTPUT,
                                    .port = 0 };
    spec->actions = acts;
    spec->n_actions = 2;
    spec->priority = 1;
}

START_TEST(test_bind_dests)
{
    struct nic_action acts[4], encap;
    struct nic_encap_dest d[2];
    struct nic_rule_spec spec;
    ovs_be32 ip = htonl(0x0a000002);
    struct in6_addr want;

    bind_encap(&encap, NIC_TUNNEL_VXLAN, 0xc0a80002, 5, NULL, 0);
    bind_rule(&spec, acts, 2, &encap);
    ck_assert_uint_eq(nic_encap_bind_dests(&spec.match, acts, 2, d, 2), 1);
    ck_assert_int_eq(d[0].mac.ea[5], 2);
    ck_assert(ipv6_addr_equals(&d[0].ip, &in6addr_any));

    /* An exact IPv4 destination is part of it; a set before the encap
     * changes it, one after does not. */
    spec.match.key.dl_type = htons(ETH_TYPE_IP);
    spec.match.mask.dl_type = OVS_BE16_MAX;
    memcpy(spec.match.key.nw_dst, &ip, 4);
    memset(spec.match.mask.nw_dst, 0xff, 4);
    acts[0] = (struct nic_action) { .type = NIC_ACT_SET_ETH_DST,
                                    .mac = { { { 0x50, 0x54, 0, 0, 0, 7 } } }
                                  };
    acts[1] = encap;
    acts[2] = (struct nic_action) { .type = NIC_ACT_SET_ETH_DST,
                                    .mac = { { { 0x50, 0x54, 0, 0, 0, 8 } } }
                                  };
    acts[3] = (struct nic_action) { .type = NIC_ACT_OUTPUT,
                                    .port = 0 };
    ck_assert_uint_eq(nic_encap_bind_dests(&spec.match, acts, 4, d, 2), 1);
    ck_assert_int_eq(d[0].mac.ea[5], 7);
    in6_addr_set_mapped_ipv4(&want, ip);
    ck_assert(ipv6_addr_equals(&d[0].ip, &want));
    /* The index files the rule under the MAC it sends to, not the one a
     * set after the encap writes. */
    struct nic_encap_index idx;
    uint32_t *ids;

    nic_encap_index_init(&idx);
    nic_encap_index_add(&idx, &spec.match, acts, 4, 1);
    ck_assert_uint_eq(nic_encap_index_find(&idx, &acts[0].mac, &ids), 1);
    free(ids);
    ck_assert_uint_eq(nic_encap_index_find(&idx, &acts[2].mac, &ids), 0);
    nic_encap_index_destroy(&idx);

    /* A rule that leaves the destination MAC open binds to nothing. */
    bind_rule(&spec, acts, 0, &encap);
    ck_assert_uint_eq(nic_encap_bind_dests(&spec.match, acts, 2, d, 2), 1);
    ck_assert(eth_addr_is_zero(d[0].mac));
    /* No encap, no destination. */
    ck_assert_uint_eq(nic_encap_bind_dests(&spec.match, acts + 1, 1, d, 2),
                      0);
}
END_TEST

START_TEST(test_bind_check)
{
    static const uint8_t opts[8] = { 0x01, 0x02, 0x80, 0x01,
                                     0x00, 0x01, 0x00, 0x02 };
    struct nic_encap_mapping m;
    struct nic_action a;
    char *why;

    parse_ok("mac=50:54:00:00:00:02 type=geneve vni=100 "
             "remote=192.168.0.2 opts=0102800100010002", &m);
    bind_encap(&a, NIC_TUNNEL_GENEVE, 0xc0a80002, 100, opts, 8);
    ck_assert_ptr_null(nic_encap_bind_check(&m, &a));

    /* Each difference is one, said in a flow reason's few words. */
    bind_encap(&a, NIC_TUNNEL_GENEVE, 0xc0a80003, 100, opts, 8);
    why = nic_encap_bind_check(&m, &a);
    ck_assert_str_eq(why, "50:54:00:00:00:02 is mapped to remote "
                     "192.168.0.2, the flow's header to 192.168.0.3");
    ck_assert_uint_lt(strlen(why), OFFLOAD_DETAIL_LEN);
    free(why);
    bind_encap(&a, NIC_TUNNEL_GENEVE, 0xc0a80002, 101, opts, 8);
    why = nic_encap_bind_check(&m, &a);
    ck_assert_str_eq(why, "50:54:00:00:00:02 is mapped to VNI 100, the "
                     "flow's header has 101");
    free(why);
    bind_encap(&a, NIC_TUNNEL_GENEVE, 0xc0a80002, 100, opts, 4);
    why = nic_encap_bind_check(&m, &a);
    ck_assert_str_eq(why, "50:54:00:00:00:02 is mapped with 8 bytes of "
                     "Geneve options, the flow's header has 4 other ones");
    free(why);
    bind_encap(&a, NIC_TUNNEL_VXLAN, 0xc0a80002, 100, NULL, 0);
    why = nic_encap_bind_check(&m, &a);
    ck_assert_str_eq(why, "50:54:00:00:00:02 is mapped to geneve, the "
                     "flow's header is vxlan");
    free(why);
    /* A header too short for its options is not taken for agreement. */
    bind_encap(&a, NIC_TUNNEL_GENEVE, 0xc0a80002, 100, opts, 8);
    a.encap.len = 54;
    why = nic_encap_bind_check(&m, &a);
    ck_assert_msg(why && strstr(why, "malformed"), "%s",
                  why ? why : "agrees");
    free(why);
}
END_TEST

START_TEST(test_bind_index)
{
    struct nic_action a2[2], a3[2], to2, to3;
    struct nic_rule_spec r2, r3;
    struct nic_encap_index idx;
    struct eth_addr mac2 = { { { 0x50, 0x54, 0, 0, 0, 2 } } };
    uint32_t *ids;

    bind_encap(&to2, NIC_TUNNEL_VXLAN, 0xc0a80002, 5, NULL, 0);
    bind_encap(&to3, NIC_TUNNEL_VXLAN, 0xc0a80003, 5, NULL, 0);
    bind_rule(&r2, a2, 2, &to2);
    bind_rule(&r3, a3, 3, &to3);
    nic_encap_index_init(&idx);
    nic_encap_index_add(&idx, &r2.match, a2, 2, 7);
    nic_encap_index_add(&idx, &r2.match, a2, 2, 7);     /* Once only. */
    nic_encap_index_add(&idx, &r2.match, a2, 2, 8);
    nic_encap_index_add(&idx, &r3.match, a3, 2, 9);
    ck_assert_uint_eq(nic_encap_index_find(&idx, &mac2, &ids), 2);
    ck_assert_uint_eq(ids[0] + ids[1], 15);
    free(ids);
    nic_encap_index_remove(&idx, &r2.match, a2, 2, 7);
    nic_encap_index_remove(&idx, &r2.match, a2, 2, 7);  /* Gone already. */
    ck_assert_uint_eq(nic_encap_index_find(&idx, &mac2, &ids), 1);
    ck_assert_uint_eq(ids[0], 8);
    free(ids);
    nic_encap_index_remove(&idx, &r2.match, a2, 2, 8);
    ck_assert_uint_eq(nic_encap_index_find(&idx, &mac2, &ids), 0);
    ck_assert_ptr_null(ids);
    /* A rule that leaves the MAC open is under none. */
    bind_rule(&r2, a2, 0, &to2);
    nic_encap_index_add(&idx, &r2.match, a2, 2, 10);
    ck_assert_uint_eq(hmap_count(&idx.macs), 1);
    nic_encap_index_destroy(&idx);
}
END_TEST

static uint64_t
bind_removed(struct nic *nic)
{
    struct nicsim_info info;

    nicsim_get_info(nic, &info);
    return info.n_encap_removed;
}

/* nicsim binds rules to its mappings: a disagreeing rule is refused, a
 * mapping change removes the rules that stop agreeing, in one step. */
START_TEST(test_bind_nicsim)
{
    struct nicsim_config cfg = {
        .n_uplinks = 1, .n_vfs = 1, .n_engines = 1,
        .exact_capacity = 8, .wildcard_capacity = 8,
    };
    struct nic_action acts2[2], acts3[2], acts_open[2], to2, to3;
    struct nic_rule_spec r2, r3, r_open;
    uint32_t id2, id3, id_open, id;
    struct nic_rule_stats st;
    struct nic_encap_mapping m;
    struct nicsim_info info;
    struct nic *nic;
    uint64_t seq;
    char *error;

    ck_assert_int_eq(nicsim_create("encap-bind-t0", &cfg, &nic), 0);
    bind_encap(&to2, NIC_TUNNEL_VXLAN, 0xc0a80002, 5, NULL, 0);
    bind_encap(&to3, NIC_TUNNEL_VXLAN, 0xc0a80003, 5, NULL, 0);
    bind_rule(&r2, acts2, 2, &to2);        /* MAC ...:02 via 192.168.0.2 */
    bind_rule(&r3, acts3, 3, &to3);        /* MAC ...:03 via 192.168.0.3 */
    bind_rule(&r_open, acts_open, 0, &to3);
    r_open.priority = 0;

    /* Without mappings every rule is unbound and taken. */
    ck_assert_int_eq(nic_rule_add(nic, &r2, &id2), 0);
    ck_assert_int_eq(nic_rule_add(nic, &r_open, &id_open), 0);

    /* A mapping that agrees keeps the rule; one for a MAC no rule sends
     * to removes nothing. */
    seq = nic_encap_map_seq(nic);
    parse_ok("mac=50:54:00:00:00:02 type=vxlan vni=5 remote=192.168.0.2",
             &m);
    ck_assert_int_eq(nic_encap_map_set(nic, &m, &error), 0);
    ck_assert_uint_ne(nic_encap_map_seq(nic), seq);
    ck_assert_int_eq(nic_rule_query(nic, id2, &st), 0);
    ck_assert_uint_eq(bind_removed(nic), 0);

    /* ...:03 mapped elsewhere: the rule to it is refused, with a reason
     * the host can read. */
    parse_ok("mac=50:54:00:00:00:03 type=vxlan vni=5 remote=192.168.0.9",
             &m);
    ck_assert_int_eq(nic_encap_map_set(nic, &m, &error), 0);
    ck_assert_int_eq(nic_rule_add(nic, &r3, &id3), EADDRNOTAVAIL);
    error = nic_encap_map_explain(nic, &r3);
    ck_assert_msg(error && strstr(error, "remote 192.168.0.9")
                  && strstr(error, "header to 192.168.0.3"), "%s",
                  error ? error : "agrees");
    free(error);
    ck_assert_ptr_null(nic_encap_map_explain(nic, &r2));
    /* A modify to actions that disagree is refused too; the rule keeps
     * its actions. */
    struct nic_rule_spec r2_to3 = r2;
    bool replaced;

    r2_to3.actions = acts3;
    ck_assert_int_eq(nic_rule_modify(nic, &id2, &r2_to3, &replaced),
                     EADDRNOTAVAIL);
    ck_assert_int_eq(nic_rule_query(nic, id2, &st), 0);
    nicsim_get_info(nic, &info);
    ck_assert_uint_eq(info.n_encap_refused, 2);

    /* Moving ...:02 elsewhere takes its rule out at once; the rule that
     * leaves the MAC open is bound to nothing and stays. */
    parse_ok("mac=50:54:00:00:00:02 type=vxlan vni=5 remote=192.168.0.7",
             &m);
    seq = nic_encap_map_seq(nic);
    ck_assert_int_eq(nic_encap_map_set(nic, &m, &error), 0);
    ck_assert_uint_ne(nic_encap_map_seq(nic), seq);
    ck_assert_int_eq(nic_rule_query(nic, id2, &st), ENOENT);
    ck_assert_int_eq(nic_rule_query(nic, id_open, &st), 0);
    ck_assert_uint_eq(bind_removed(nic), 1);
    ck_assert_int_eq(nic_rule_add(nic, &r2, &id), EADDRNOTAVAIL);

    /* Deleting the mapping unbinds: the header OVS built is taken again. */
    ck_assert_int_eq(nic_encap_map_del(nic, &m.inner_mac, &in6addr_any), 0);
    ck_assert_int_eq(nic_rule_add(nic, &r2, &id2), 0);
    /* A mapping of MAC and IP is only for rules that fix that IP. */
    parse_ok("mac=50:54:00:00:00:02 ip=10.0.0.2 type=vxlan vni=5 "
             "remote=192.168.0.7", &m);
    ck_assert_int_eq(nic_encap_map_set(nic, &m, &error), 0);
    ck_assert_int_eq(nic_rule_query(nic, id2, &st), 0);
    ck_assert_uint_eq(bind_removed(nic), 1);

    /* A reset loses the mappings and changes the sequence. */
    seq = nic_encap_map_seq(nic);
    ck_assert_int_eq(nic_reset(nic), 0);
    ck_assert_uint_ne(nic_encap_map_seq(nic), seq);
    ck_assert_int_eq(nic_rule_add(nic, &r3, &id3), 0);
    nic_close(nic);
}
END_TEST

Suite *
nic_encap_map_suite(void)
{
    Suite *s = suite_create("nic-encap-map");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_parse_format);
    tcase_add_test(tc, test_table);
    tcase_add_test(tc, test_nicsim);
    tcase_add_test(tc, test_bind_dests);
    tcase_add_test(tc, test_bind_check);
    tcase_add_test(tc, test_bind_index);
    tcase_add_test(tc, test_bind_nicsim);
    suite_add_tcase(s, tc);
    return s;
}
