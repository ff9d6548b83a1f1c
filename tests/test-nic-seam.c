/* SPDX-License-Identifier: Apache-2.0 */
/* The NIC seam without nicsim: a backend of a few dozen lines ("testnic",
 * rules in an array, no optional members) behind lib/nic.h, and the
 * offload engine driving it.  This program links the engine and the NIC
 * model only, so it also proves that they need no backend. */

#include <config.h>

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp-packet.h"
#include "lib/nic-provider.h"
#include "lib/offload-engine.h"
#include "lib/offload-translate.h"
#include "odp-util.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "packets.h"

/* The test backend: one NIC, eight rule slots, counters that tests set. */
struct testnic {
    struct nic up;
    int refs;
    struct {
        bool used;
        struct nic_rule_spec spec;     /* Actions in 'actions'. */
        struct nic_action actions[NIC_MAX_ACTIONS];
        uint64_t packets;
    } rules[8];
    unsigned int n_adds, n_dels;
};

static struct testnic testnic;
static const struct nic_class testnic_class;

static int
testnic_open(const char *name, struct nic **nicp)
{
    if (strcmp(name, "t0")) {
        return ENODEV;
    }
    if (!testnic.refs++) {
        nic_init(&testnic.up, &testnic_class, name);
    }
    *nicp = &testnic.up;
    return 0;
}

static void
testnic_close(struct nic *nic OVS_UNUSED)
{
    if (!--testnic.refs) {
        nic_uninit(&testnic.up);
    }
}

static void
testnic_get_caps(const struct nic *nic OVS_UNUSED, struct nic_caps *caps)
{
    caps->n_uplinks = 1;
    caps->n_vfs = 1;
    caps->wildcard_capacity = ARRAY_SIZE(testnic.rules);
    caps->actions = (1u << NIC_ACT_OUTPUT) | (1u << NIC_ACT_DROP);
    memset(&caps->matchable, 0xff, sizeof caps->matchable);
}

static int
testnic_rule_add(struct nic *nic OVS_UNUSED,
                 const struct nic_rule_spec *spec, uint32_t *idp)
{
    for (uint32_t i = 0; i < ARRAY_SIZE(testnic.rules); i++) {
        if (!testnic.rules[i].used) {
            testnic.rules[i].used = true;
            /* The caller owns 'spec''s actions: keep a copy, as a NIC
             * does. */
            testnic.rules[i].spec = *spec;
            memcpy(testnic.rules[i].actions, spec->actions,
                   spec->n_actions * sizeof *spec->actions);
            testnic.rules[i].spec.actions = testnic.rules[i].actions;
            testnic.rules[i].packets = 0;
            testnic.n_adds++;
            *idp = i + 1;
            return 0;
        }
    }
    return ENOSPC;
}

static int
testnic_rule_del(struct nic *nic OVS_UNUSED, uint32_t id)
{
    if (!id || id > ARRAY_SIZE(testnic.rules) || !testnic.rules[id - 1].used) {
        return ENOENT;
    }
    testnic.rules[id - 1].used = false;
    testnic.n_dels++;
    return 0;
}

static int
testnic_rule_query(struct nic *nic OVS_UNUSED, uint32_t id,
                   struct nic_rule_stats *st)
{
    if (!id || id > ARRAY_SIZE(testnic.rules) || !testnic.rules[id - 1].used) {
        return ENOENT;
    }
    st->n_packets = testnic.rules[id - 1].packets;
    st->n_bytes = st->n_packets * 64;
    st->table = NIC_TABLE_WILDCARD;
    return 0;
}

static int
testnic_port_attach(struct nic *nic OVS_UNUSED,
                    const struct nic_port_config *pc OVS_UNUSED,
                    char **errorp OVS_UNUSED)
{
    return 0;
}

static void
testnic_port_detach(struct nic *nic OVS_UNUSED, uint32_t port OVS_UNUSED)
{
}

static int
testnic_port_stats(struct nic *nic OVS_UNUSED, uint32_t port,
                   struct nic_port_stats *st OVS_UNUSED)
{
    return port == 0 || port == NIC_PORT_VF_BASE ? 0 : EINVAL;
}

static int
testnic_host_recv(struct nic *nic OVS_UNUSED, uint32_t port OVS_UNUSED,
                  uint32_t queue OVS_UNUSED,
                  struct dp_packet **pkts OVS_UNUSED,
                  int max OVS_UNUSED)
{
    return 0;
}

static void
testnic_host_recv_wait(struct nic *nic OVS_UNUSED, uint32_t port OVS_UNUSED,
                       uint32_t queue OVS_UNUSED)
{
}

static int
testnic_host_send(struct nic *nic OVS_UNUSED, uint32_t port OVS_UNUSED,
                  struct dp_packet **pkts, int n)
{
    for (int i = 0; i < n; i++) {
        dp_packet_delete(pkts[i]);
    }
    return 0;
}

/* Every optional member left out, on purpose. */
static const struct nic_class testnic_class = {
    .type = "testnic",
    .open = testnic_open,
    .close = testnic_close,
    .get_caps = testnic_get_caps,
    .port_attach = testnic_port_attach,
    .port_detach = testnic_port_detach,
    .rule_add = testnic_rule_add,
    .rule_del = testnic_rule_del,
    .rule_query = testnic_rule_query,
    .port_stats = testnic_port_stats,
    .host_recv = testnic_host_recv,
    .host_recv_wait = testnic_host_recv_wait,
    .host_send = testnic_host_send,
};

/* Datapath port 1 is vf0, 2 the uplink. */
static bool
seam_resolve(const void *aux OVS_UNUSED, odp_port_t odp_port,
             uint32_t *nic_port)
{
    uint32_t p = odp_to_u32(odp_port);

    *nic_port = p == 1 ? NIC_PORT_VF_BASE : 0;
    return p == 1 || p == 2;
}

static enum offload_state
seam_put(struct nic *nic, const ovs_u128 *ufid, const char *actions)
{
    static const struct offload_port_resolver resolver = {
        .resolve = seam_resolve,
    };
    struct offload_translation xl;
    struct nic_caps caps;
    struct ofpbuf acts;
    struct match match;

    match_init_catchall(&match);
    match_set_recirc_id(&match, 0);
    match.flow.in_port.odp_port = u32_to_odp(1);
    match.wc.masks.in_port.odp_port = ODPP_NONE;
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    ofpbuf_init(&acts, 64);
    ck_assert_int_eq(odp_actions_from_string(actions, NULL, &acts), 0);
    nic_get_caps(nic, &caps);
    offload_translate(&match, acts.data, acts.size, &caps, &resolver, 0,
                      ufid->u64.lo, &xl);

    struct offload_put put = {
        .ufid = ufid, .match = &match, .actions = acts.data,
        .actions_len = acts.size, .in_port = u32_to_odp(1), .nic = nic,
        .nic_port = NIC_PORT_VF_BASE, .xlate = &xl,
    };
    enum offload_state state = offload_engine_flow_put(&put, 1000);
    ofpbuf_uninit(&acts);
    return state;
}

static int
seam_n_rules(void)
{
    int n = 0;

    for (size_t i = 0; i < ARRAY_SIZE(testnic.rules); i++) {
        n += testnic.rules[i].used;
    }
    return n;
}

START_TEST(test_seam_open)
{
    struct nic *nic;

    ck_assert_int_eq(nic_open("nope:t0", "testnic", &nic), ENOENT);
    ck_assert_int_eq(nic_open("t1", "testnic", &nic), ENODEV);
    ck_assert_int_eq(nic_open("testnic:t0", "other", &nic), 0);
    ck_assert_str_eq(nic_get_type(nic), "testnic");
    ck_assert_str_eq(nic_get_name(nic), "t0");

    /* The optional members' fallbacks. */
    struct nic_queue_stats qs;
    bool up = false;

    ck_assert_int_eq(nic_reset(nic), EOPNOTSUPP);
    ck_assert_int_eq(nic_queue_stats(nic, 0, 0, &qs), EOPNOTSUPP);
    ck_assert_int_eq(nic_rss_set(nic, 0, NULL, NULL, 0), EOPNOTSUPP);
    ck_assert_int_eq(nic_filter_del(nic, 0, 1), EOPNOTSUPP);
    ck_assert_int_eq(nic_port_link(nic, 0, &up), 0);
    ck_assert(up);
    ck_assert_int_eq(nic_inject(nic, 0, dp_packet_new(64)), EOPNOTSUPP);
    ck_assert_int_eq(nic_sample_start(nic, 1, 10), EOPNOTSUPP);
    ck_assert_uint_eq(nic_sample_count(nic), 0);
    nic_close(nic);
    ck_assert_int_eq(testnic.refs, 0);
}
END_TEST

START_TEST(test_seam_engine)
{
    struct offload_engine_config ec;
    struct offload_flow_status st;
    ovs_u128 ufid = { .u64 = { 42, 7 } };
    struct nic *nic;

    ck_assert_int_eq(nic_open("testnic:t0", NULL, &nic), 0);
    offload_engine_config_init(&ec);
    ec.enabled = true;
    ec.policy = OFFLOAD_POLICY_FIRST_COME;
    offload_engine_set_config(&ec);

    /* Offloaded into the test backend. */
    ck_assert_int_eq(seam_put(nic, &ufid, "2"), OFFLOAD_STATE_OFFLOADED);
    ck_assert_int_eq(seam_n_rules(), 1);
    ck_assert_int_eq(testnic.rules[0].spec.actions[0].type, NIC_ACT_OUTPUT);
    testnic.rules[0].packets = 5;
    ck_assert_int_eq(offload_engine_flow_get(&ufid, &st), 0);
    ck_assert_uint_eq(st.hw_packets, 5);

    /* New actions: the backend cannot modify, so lib/nic.c deletes and
     * adds; the engine keeps the counts it had. */
    ck_assert_int_eq(seam_put(nic, &ufid, "drop"), OFFLOAD_STATE_OFFLOADED);
    ck_assert_int_eq(seam_n_rules(), 1);
    ck_assert_uint_eq(testnic.n_dels, 1);
    ck_assert_uint_eq(testnic.n_adds, 2);
    uint32_t i = testnic.rules[0].used ? 0 : 1;
    ck_assert_int_eq(testnic.rules[i].spec.actions[0].type, NIC_ACT_DROP);
    testnic.rules[i].packets = 2;
    ck_assert_int_eq(offload_engine_flow_get(&ufid, &st), 0);
    ck_assert_uint_eq(st.hw_packets, 7);

    /* An action the backend lacks stays on the host, with its reason. */
    ovs_u128 ufid2 = { .u64 = { 43, 7 } };
    ck_assert_int_eq(seam_put(nic, &ufid2, "push_vlan(vid=5,pcp=0),2"),
                     OFFLOAD_STATE_SOFTWARE);

    ck_assert_int_eq(offload_engine_flow_del(&ufid, &st), 0);
    ck_assert_int_eq(seam_n_rules(), 0);
    offload_engine_clear();
    nic_close(nic);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("nic-seam");
    TCase *tc = tcase_create("testnic");
    SRunner *runner;
    int n_failed;

    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_ERR);
    nic_class_register(&testnic_class);
    tcase_add_test(tc, test_seam_open);
    tcase_add_test(tc, test_seam_engine);
    suite_add_tcase(s, tc);
    runner = srunner_create(s);
    srunner_run_all(runner, CK_NORMAL);
    n_failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
