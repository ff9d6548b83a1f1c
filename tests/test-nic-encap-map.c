/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the NIC's encapsulation mapping table
 * (lib/nic-encap-map.c) and of nicsim's, through the lib/nic.h
 * wrappers. */

#include <config.h>

#include <errno.h>
#include <string.h>

#include "lib/nic.h"
#include "lib/nic-encap-map.h"
#include "lib/nic-parse.h"
#include "lib/nicsim.h"
#include "openvswitch/dynamic-string.h"
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

Suite *
nic_encap_map_suite(void)
{
    Suite *s = suite_create("nic-encap-map");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_parse_format);
    tcase_add_test(tc, test_table);
    tcase_add_test(tc, test_nicsim);
    suite_add_tcase(s, tc);
    return s;
}
