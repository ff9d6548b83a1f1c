/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of datapath-offload/dpif-netdev-ufid: a megaflow's UFID
 * depends on its masked match alone. */

#include <config.h>

#include <string.h>

#include "datapath-offload/dpif-netdev-ufid.h"
#include "odp-util.h"
#include "openvswitch/match.h"
#include "packets.h"
#include "tests/unit-tests.h"

static void
ufid_match(struct match *m, ovs_be32 nw_dst, ovs_be16 tp_src)
{
    match_init_catchall(m);
    m->flow.in_port.odp_port = u32_to_odp(2);
    m->wc.masks.in_port.odp_port = ODPP_NONE;
    match_set_dl_type(m, htons(ETH_TYPE_IP));
    match_set_nw_proto(m, IPPROTO_UDP);
    match_set_nw_dst_masked(m, nw_dst, htonl(0xffffff00));
    /* Not in the mask: must not count. */
    m->flow.tp_src = tp_src;
}

START_TEST(test_ufid_masked_match_only)
{
    struct match a, b;
    ovs_u128 ua, ub;

    ufid_match(&a, htonl(0x0a000001), htons(1));
    ufid_match(&b, htonl(0x0a000002), htons(2));
    dpif_netdev_ufid_from_megaflow(&a, &ua);
    dpif_netdev_ufid_from_megaflow(&b, &ub);
    ck_assert(ovs_u128_equals(ua, ub));
    ck_assert(!ovs_u128_is_zero(ua));

    /* A masked bit that differs, or a wider mask, is another megaflow. */
    ufid_match(&b, htonl(0x0a000101), htons(1));
    dpif_netdev_ufid_from_megaflow(&b, &ub);
    ck_assert(!ovs_u128_equals(ua, ub));
    ufid_match(&b, htonl(0x0a000001), htons(1));
    match_set_tp_src(&b, htons(1));
    dpif_netdev_ufid_from_megaflow(&b, &ub);
    ck_assert(!ovs_u128_equals(ua, ub));
}
END_TEST

Suite *
dpif_netdev_ufid_suite(void)
{
    Suite *s = suite_create("dpif-netdev-ufid");
    TCase *tc = tcase_create("ufid");

    tcase_add_test(tc, test_ufid_masked_match_only);
    suite_add_tcase(s, tc);
    return s;
}
