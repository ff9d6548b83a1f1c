/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/offload-engine (and the tracker under it) against a
 * real nicsim NIC: rules follow the flows offered, counters flow back,
 * full tables, eviction by value, rules lost in a reset come back, ports
 * going away and hw-offload turned off leave no stale rule. */

#include <config.h>

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "dp-packet.h"
#include "lib/nicsim.h"
#include "lib/offload-engine.h"
#include "lib/offload-tracker.h"
#include "lib/offload-translate.h"
#include "netlink.h"
#include "odp-util.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "sset.h"
#include "tests/test-packets.h"
#include "tests/unit-tests.h"

#define UPLINK 0
#define VF0 NIC_PORT_VF_BASE
#define VF1 (NIC_PORT_VF_BASE + 1)

/* Datapath ports: 1 -> vf0, 2 -> uplink0, 3 -> vf1; 9 is elsewhere. */
static bool
eng_resolve(const void *aux OVS_UNUSED, odp_port_t odp, uint32_t *port)
{
    switch (odp_to_u32(odp)) {
    case 1: *port = VF0; return true;
    case 2: *port = UPLINK; return true;
    case 3: *port = VF1; return true;
    default: return false;
    }
}

static const struct offload_port_resolver eng_resolver = {
    .resolve = eng_resolve,
};

static struct nic *
eng_setup(enum offload_policy policy, size_t wildcard_capacity)
{
    struct nicsim_config cfg = {
        .n_uplinks = 1, .n_vfs = 2, .n_engines = 1,
        .exact_capacity = 0, .wildcard_capacity = wildcard_capacity,
    };
    uint32_t ports[] = { UPLINK, VF0, VF1 };
    struct offload_engine_config ec;
    struct nic *nic;

    offload_engine_clear();
    ck_assert_int_eq(nicsim_create("eng0", &cfg, &nic), 0);
    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        struct nic_port_config pc = {
            .port = ports[i], .medium = "none", .n_rxq = 1,
        };
        char *error = NULL;

        ck_assert_int_eq(nic_port_attach(nic, &pc, &error), 0);
    }
    offload_engine_config_init(&ec);
    ec.enabled = true;
    ec.policy = policy;
    offload_engine_set_config(&ec);
    return nic;
}

static void
eng_teardown(struct nic *nic)
{
    offload_engine_clear();
    nic_close(nic);
}

static ovs_u128
eng_ufid(uint32_t n)
{
    ovs_u128 u = { .u32 = { n, 0x5eed, n * 7, 1 } };
    return u;
}

/* The datapath's name of vf0, for port policy; a test may rename it, as
 * when another interface takes vf0's place. */
static const char *eng_port_name = "vm0";

/* Offers the megaflow "UDP to port 'tp_dst' from vf0" with ODP 'actions'
 * (a string as dpctl prints them).  Returns the state it ends in. */
static enum offload_state
eng_put(struct nic *nic, uint32_t n, uint16_t tp_dst, const char *actions,
        long long int now)
{
    struct offload_translation xl;
    struct ofpbuf acts;
    struct match match;
    ovs_u128 ufid = eng_ufid(n);

    match_init_catchall(&match);
    match_set_recirc_id(&match, 0);
    match.flow.in_port.odp_port = u32_to_odp(1);
    match.wc.masks.in_port.odp_port = ODPP_NONE;
    match_set_dl_type(&match, htons(ETH_TYPE_IP));
    match_set_nw_proto(&match, IPPROTO_UDP);
    match_set_nw_frag_masked(&match, 0, FLOW_NW_FRAG_MASK);
    match_set_tp_dst(&match, htons(tp_dst));

    ofpbuf_init(&acts, 64);
    ck_assert_int_eq(odp_actions_from_string(actions, NULL, &acts), 0);
    struct nic_caps caps;
    nic_get_caps(nic, &caps);
    offload_translate(&match, acts.data, acts.size, &caps, &eng_resolver,
                      100 + n, ufid.u64.lo, &xl);

    struct offload_put put = {
        .ufid = &ufid, .match = &match, .actions = acts.data,
        .actions_len = acts.size, .in_port = u32_to_odp(1), .nic = nic,
        .nic_port = VF0, .mark = 100 + n, .xlate = &xl,
        .port_name = eng_port_name,
    };
    enum offload_state state = offload_engine_flow_put(&put, now);
    ofpbuf_uninit(&acts);
    return state;
}

static struct offload_flow_status
eng_status(uint32_t n)
{
    struct offload_flow_status st;
    ovs_u128 ufid = eng_ufid(n);

    ck_assert_int_eq(offload_engine_flow_get(&ufid, &st), 0);
    return st;
}

static void
eng_send(struct nic *nic, uint16_t tp_dst, int n)
{
    for (int i = 0; i < n; i++) {
        struct tp_spec spec = {
            .ip_version = 4, .proto = IPPROTO_UDP, .src_ip = "10.0.0.1",
            .dst_ip = "10.0.0.2", .src_port = 1000, .dst_port = tp_dst,
            .payload_len = 18,
        };
        struct tp_frame f;

        tp_build(&f, &spec);
        struct dp_packet *pkt = dp_packet_clone_data(f.buf, f.len);
        nicsim_process(nic, VF0, &pkt, 1);
    }
}

static size_t
eng_n_rules(struct nic *nic)
{
    struct nic_rule_dump *rules;
    size_t n;

    ck_assert_int_eq(nic_rule_dump(nic, &rules, &n), 0);

    free(rules);
    return n;
}

START_TEST(test_put_get_del)
{
    struct nic *nic = eng_setup(OFFLOAD_POLICY_VALUE, 8);

    ck_assert_int_eq(eng_put(nic, 1, 53, "2", 0), OFFLOAD_STATE_OFFLOADED);
    ck_assert_uint_eq(eng_n_rules(nic), 1);
    ck_assert_uint_eq(offload_engine_n_installed(nic), 1);

    /* The NIC's counters are the flow's. */
    eng_send(nic, 53, 3);
    struct offload_flow_status st = eng_status(1);
    ck_assert(st.installed);
    ck_assert_int_eq(st.kind, OFFLOAD_KIND_FULL);
    ck_assert_uint_eq(st.hw_packets, 3);
    ck_assert(st.hw_used > 0);

    /* New actions for the same flow: replaced in place. */
    ck_assert_int_eq(eng_put(nic, 1, 53, "3", 0), OFFLOAD_STATE_OFFLOADED);
    struct nic_rule_dump *rules;
    size_t n;

    ck_assert_int_eq(nic_rule_dump(nic, &rules, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(rules[0].actions[0].type, NIC_ACT_OUTPUT);
    ck_assert_uint_eq(rules[0].actions[0].port, VF1);
    free(rules);
    eng_send(nic, 53, 2);
    ck_assert_uint_eq(eng_status(1).hw_packets, 5);

    ovs_u128 ufid = eng_ufid(1);
    ck_assert_int_eq(offload_engine_flow_del(&ufid, &st), 0);
    ck_assert_uint_eq(st.hw_packets, 5);
    ck_assert_uint_eq(eng_n_rules(nic), 0);
    ck_assert_int_eq(offload_engine_flow_del(&ufid, &st), ENOENT);
    ck_assert_int_eq(offload_engine_flow_get(&ufid, &st), ENOENT);
    eng_teardown(nic);
}
END_TEST

START_TEST(test_partial_and_software)
{
    struct nic *nic = eng_setup(OFFLOAD_POLICY_VALUE, 8);

    /* Output to a port elsewhere: the NIC marks, the host acts. */
    ck_assert_int_eq(eng_put(nic, 1, 53, "9", 0), OFFLOAD_STATE_PARTIAL);
    struct nic_rule_dump *rules;
    size_t n;

    ck_assert_int_eq(nic_rule_dump(nic, &rules, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(rules[0].actions[0].type, NIC_ACT_MARK);
    ck_assert_uint_eq(rules[0].actions[0].mark, 101);
    free(rules);
    /* Its packets are counted by the datapath, not twice. */
    eng_send(nic, 53, 2);
    ck_assert_uint_eq(eng_status(1).hw_packets, 0);

    /* Recirculation: partial too, with its reason. */
    ck_assert_int_eq(eng_put(nic, 2, 54, "recirc(1)", 0),
                     OFFLOAD_STATE_PARTIAL);
    struct offload_flow_explanation x;
    ovs_u128 ufid = eng_ufid(2);
    ck_assert(offload_engine_explain(&ufid, &x));
    ck_assert_int_eq(x.reason, OFFLOAD_REASON_RECIRC);
    ck_assert_int_eq(x.kind, OFFLOAD_KIND_PARTIAL);
    ck_assert_str_eq(x.queue, "rss");
    offload_flow_explanation_destroy(&x);
    eng_teardown(nic);
}
END_TEST

START_TEST(test_first_come_full)
{
    struct nic *nic = eng_setup(OFFLOAD_POLICY_FIRST_COME, 2);

    ck_assert_int_eq(eng_put(nic, 1, 1, "2", 0), OFFLOAD_STATE_OFFLOADED);
    ck_assert_int_eq(eng_put(nic, 2, 2, "2", 0), OFFLOAD_STATE_OFFLOADED);
    ck_assert_int_eq(eng_put(nic, 3, 3, "2", 0), OFFLOAD_STATE_SOFTWARE);
    ovs_u128 u3 = eng_ufid(3);
    for (int t = 1; t <= 5; t++) {
        offload_engine_note_datapath_packets(&u3, 1000 * t);
        offload_engine_run(1000 * t);
    }
    ck_assert(!eng_status(3).installed);
    ck_assert(eng_status(1).installed && eng_status(2).installed);

    /* A freed entry goes to the waiting flow. */
    ovs_u128 u1 = eng_ufid(1);
    ck_assert_int_eq(offload_engine_flow_del(&u1, NULL), 0);
    offload_engine_run(6000);
    ck_assert(eng_status(3).installed);
    eng_teardown(nic);
}
END_TEST

START_TEST(test_value_evicts_lightest)
{
    struct nic *nic = eng_setup(OFFLOAD_POLICY_VALUE, 2);

    ck_assert_int_eq(eng_put(nic, 1, 1, "2", 0), OFFLOAD_STATE_OFFLOADED);
    ck_assert_int_eq(eng_put(nic, 2, 2, "2", 0), OFFLOAD_STATE_OFFLOADED);
    ck_assert_int_eq(eng_put(nic, 3, 3, "2", 0), OFFLOAD_STATE_SOFTWARE);
    eng_send(nic, 2, 50);               /* Flow 2: 50 packets/s. */
    offload_engine_run(1000);

    /* Flow 3 at 60/s takes the entry of idle flow 1; flow 2, still
     * measured at 25/s, is not the lightest. */
    ovs_u128 u3 = eng_ufid(3);
    offload_engine_note_datapath_packets(&u3, 60);
    offload_engine_run(2000);
    ck_assert(eng_status(3).installed);
    ck_assert(!eng_status(1).installed);
    ck_assert(eng_status(2).installed);

    struct offload_flow_explanation x;
    ovs_u128 u1 = eng_ufid(1);
    ck_assert(offload_engine_explain(&u1, &x));
    ck_assert_str_eq(x.detail, "evicted by a heavier flow");
    ck_assert(!x.installed);
    offload_flow_explanation_destroy(&x);
    eng_teardown(nic);
}
END_TEST

/* The rate 'explain' shows for flow 'n'. */
static double
eng_pps(uint32_t n)
{
    struct offload_flow_explanation x;
    ovs_u128 ufid = eng_ufid(n);

    ck_assert(offload_engine_explain(&ufid, &x));
    double pps = x.pps;
    offload_flow_explanation_destroy(&x);
    return pps;
}

START_TEST(test_rate_flows_round_robin)
{
    struct nic *nic = eng_setup(OFFLOAD_POLICY_VALUE, 2);

    ck_assert_int_eq(eng_put(nic, 1, 1, "2", 0), OFFLOAD_STATE_OFFLOADED);
    ck_assert_int_eq(eng_put(nic, 2, 2, "2", 0), OFFLOAD_STATE_OFFLOADED);
    ck_assert_int_eq(eng_put(nic, 3, 3, "2", 0), OFFLOAD_STATE_SOFTWARE);
    ck_assert_int_eq(eng_put(nic, 4, 4, "2", 0), OFFLOAD_STATE_SOFTWARE);
    ovs_u128 u3 = eng_ufid(3), u4 = eng_ufid(4);

    /* Only the waiting flows, each once however large the room. */
    struct hmap_position pos = { 0, 0 };
    ovs_u128 ufids[8];
    ck_assert_uint_eq(offload_engine_rate_flows(&pos, ufids, 8), 2);
    ck_assert(ovs_u128_equals(ufids[0], u3) || ovs_u128_equals(ufids[1], u3));
    ck_assert(ovs_u128_equals(ufids[0], u4) || ovs_u128_equals(ufids[1], u4));

    /* One per call: the next call goes on to the other flow. */
    memset(&pos, 0, sizeof pos);
    ck_assert_uint_eq(offload_engine_rate_flows(&pos, &ufids[0], 1), 1);
    ck_assert_uint_eq(offload_engine_rate_flows(&pos, &ufids[1], 1), 1);
    ck_assert(!ovs_u128_equals(ufids[0], ufids[1]));

    /* A count read now and then is sampled over the time since the last
     * read: no decay between reads, no burst at them.  (Before 2 s, when
     * the NIC's flows may first be evicted.) */
    offload_engine_note_datapath_packets(&u3, 100);
    offload_engine_run(500);
    ck_assert(eng_pps(3) > 199.9 && eng_pps(3) < 200.1);
    offload_engine_run(1000);
    offload_engine_run(1500);
    ck_assert(eng_pps(3) > 199.9 && eng_pps(3) < 200.1);
    offload_engine_note_datapath_packets(&u3, 380);
    offload_engine_run(1900);
    ck_assert(eng_pps(3) > 199.9 && eng_pps(3) < 200.1);
    eng_teardown(nic);
}
END_TEST

START_TEST(test_reset_recovery)
{
    struct nic *nic = eng_setup(OFFLOAD_POLICY_VALUE, 8);

    ck_assert_int_eq(eng_put(nic, 1, 1, "2", 0), OFFLOAD_STATE_OFFLOADED);
    eng_send(nic, 1, 4);
    offload_engine_run(1000);
    ck_assert_int_eq(nic_reset(nic), 0);
    ck_assert_uint_eq(eng_n_rules(nic), 0);
    offload_engine_run(2000);
    ck_assert_uint_eq(eng_n_rules(nic), 1);
    struct offload_flow_status st = eng_status(1);
    ck_assert(st.installed);
    /* Counts from before the reset are kept. */
    eng_send(nic, 1, 1);
    ck_assert_uint_eq(eng_status(1).hw_packets, 5);

    /* An insertion failure is retried (reinstalling tries once, the
     * rebalancer once more in the same round, then each round). */
    ck_assert_int_eq(nic_reset(nic), 0);
    nicsim_fail_next_inserts(nic, 2);
    offload_engine_run(3000);
    ck_assert_int_eq(eng_status(1).state, OFFLOAD_STATE_FAILED);
    offload_engine_run(4000);
    ck_assert_int_eq(eng_status(1).state, OFFLOAD_STATE_OFFLOADED);
    eng_teardown(nic);
}
END_TEST

START_TEST(test_port_flush_and_disable)
{
    struct nic *nic = eng_setup(OFFLOAD_POLICY_VALUE, 8);
    struct offload_engine_config ec;

    ck_assert_int_eq(eng_put(nic, 1, 1, "2", 0), OFFLOAD_STATE_OFFLOADED);
    ck_assert_int_eq(eng_put(nic, 2, 2, "3", 0), OFFLOAD_STATE_OFFLOADED);

    /* vf1 goes away: the rule sending to it goes, the other stays. */
    offload_engine_flush_port(nic, VF1);
    ck_assert(!eng_status(2).installed);
    ck_assert_int_eq(eng_status(2).state, OFFLOAD_STATE_SOFTWARE);
    ck_assert(eng_status(1).installed);
    offload_engine_run(1000);
    ck_assert(!eng_status(2).installed);

    /* A port the flows come in on: they are forgotten, since the datapath
     * will not say when they go. */
    ck_assert_int_eq(eng_put(nic, 4, 4, "2", 0), OFFLOAD_STATE_OFFLOADED);
    offload_engine_flush_port(nic, VF0);
    struct offload_flow_status st;
    ovs_u128 u4 = eng_ufid(4);
    ck_assert_int_eq(offload_engine_flow_get(&u4, &st), ENOENT);
    ck_assert_uint_eq(eng_n_rules(nic), 0);
    ck_assert_int_eq(eng_put(nic, 1, 1, "2", 0), OFFLOAD_STATE_OFFLOADED);

    /* Port policy. */
    struct sset names = SSET_INITIALIZER(&names);
    sset_add(&names, "vm0");
    offload_engine_set_excluded_ports(&names);
    ck_assert_uint_eq(eng_n_rules(nic), 0);
    sset_clear(&names);
    offload_engine_set_excluded_ports(&names);
    sset_destroy(&names);
    offload_engine_run(2000);
    ck_assert(eng_status(1).installed);

    /* hw-offload off and on.  What the NIC carried stays in the flow's
     * statistics: they must never go back. */
    eng_send(nic, 1, 3);
    ck_assert_uint_eq(eng_status(1).hw_packets, 3);
    offload_engine_get_config(&ec);
    ec.enabled = false;
    offload_engine_set_config(&ec);
    ck_assert_uint_eq(eng_n_rules(nic), 0);
    ck_assert(!eng_status(1).installed);
    ck_assert_uint_eq(eng_status(1).hw_packets, 3);
    ck_assert_int_eq(eng_put(nic, 3, 3, "2", 0), OFFLOAD_STATE_SOFTWARE);
    offload_engine_run(3000);
    ck_assert_uint_eq(eng_n_rules(nic), 0);
    ec.enabled = true;
    offload_engine_set_config(&ec);
    offload_engine_run(4000);
    ck_assert_uint_eq(eng_n_rules(nic), 2);
    eng_teardown(nic);
}
END_TEST

/* Port policy is the engine's alone: it names ports, a flow learns it
 * from the port it comes in on whenever it is offered or the policy
 * changes, and a port that goes takes its binding with it. */
START_TEST(test_port_policy_in_engine)
{
    struct nic *nic = eng_setup(OFFLOAD_POLICY_VALUE, 8);
    struct sset names = SSET_INITIALIZER(&names);

    /* Excluded before any flow is offered: the first offer stays on the
     * host with the reason. */
    sset_add(&names, "vm0");
    offload_engine_set_excluded_ports(&names);
    ck_assert(offload_engine_port_is_excluded("vm0"));
    ck_assert(!offload_engine_port_is_excluded("vm1"));
    ck_assert_int_eq(eng_put(nic, 1, 1, "2", 0), OFFLOAD_STATE_SOFTWARE);
    ovs_u128 u1 = eng_ufid(1);
    struct offload_flow_explanation x;
    ck_assert(offload_engine_explain(&u1, &x));
    ck_assert_ptr_nonnull(strstr(x.detail, "offload=false"));
    offload_flow_explanation_destroy(&x);
    ck_assert_uint_eq(eng_n_rules(nic), 0);

    /* The same set again changes nothing; another port's name does not
     * touch vm0's flows. */
    offload_engine_set_excluded_ports(&names);
    ck_assert_int_eq(eng_status(1).state, OFFLOAD_STATE_SOFTWARE);
    sset_clear(&names);
    sset_add(&names, "vm1");
    offload_engine_set_excluded_ports(&names);
    ck_assert(eng_status(1).installed);

    /* Excluded again, then vf0's port goes: its flows are forgotten and
     * so is its name, so that an interface taking vf0's place is not
     * held by vm0's policy. */
    sset_add(&names, "vm0");
    offload_engine_set_excluded_ports(&names);
    ck_assert(!eng_status(1).installed);
    offload_engine_flush_port(nic, VF0);
    eng_port_name = "vm5";
    ck_assert_int_eq(eng_put(nic, 2, 2, "2", 0), OFFLOAD_STATE_OFFLOADED);
    eng_port_name = "vm0";
    ck_assert_int_eq(eng_put(nic, 3, 3, "2", 0), OFFLOAD_STATE_SOFTWARE);

    /* The policy outlives the flows it covers until it is changed. */
    offload_engine_flush_port(nic, VF0);
    ck_assert(offload_engine_port_is_excluded("vm0"));
    sset_destroy(&names);
    eng_teardown(nic);
    ck_assert(!offload_engine_port_is_excluded("vm0"));
}
END_TEST

/* The tracker's cookie index: the NIC reports rules by cookie, and a
 * flow must be found from it without walking every flow.  The index only
 * compares NIC pointers, so two addresses stand for two NICs. */
START_TEST(test_tracker_cookie_index)
{
    static char nic_a, nic_b;
    struct nic *a = (struct nic *) &nic_a, *b = (struct nic *) &nic_b;
    enum { N = 10000 };
    struct offload_tracker t;

    offload_tracker_init(&t);
    for (uint32_t i = 0; i < N; i++) {
        ovs_u128 ufid = eng_ufid(i);
        struct offload_flow *flow = offload_tracker_insert(&t, &ufid,
                                                           i % 2 ? b : a, 0);

        ck_assert_ptr_eq(offload_tracker_find_by_cookie(
                             &t, offload_flow_get_nic(flow),
                             offload_flow_cookie(flow)),
                         flow);
    }
    for (uint32_t i = 0; i < N; i++) {
        ovs_u128 ufid = eng_ufid(i);
        struct offload_flow *flow = offload_tracker_find(&t, &ufid);
        struct nic *other = i % 2 ? a : b;

        ck_assert_ptr_nonnull(flow);
        ck_assert_ptr_eq(offload_tracker_find_by_cookie(
                             &t, offload_flow_get_nic(flow), ufid.u64.lo),
                         flow);
        /* The same cookie on the other NIC is another rule. */
        ck_assert_ptr_null(offload_tracker_find_by_cookie(&t, other,
                                                          ufid.u64.lo));
    }

    /* Every other flow deleted: gone from the index, the rest still
     * found. */
    for (uint32_t i = 0; i < N; i += 2) {
        ovs_u128 ufid = eng_ufid(i);

        offload_tracker_remove(&t, offload_tracker_find(&t, &ufid));
    }
    for (uint32_t i = 0; i < N; i++) {
        ovs_u128 ufid = eng_ufid(i);
        struct nic *nic = i % 2 ? b : a;
        struct offload_flow *flow = offload_tracker_find_by_cookie(
            &t, nic, ufid.u64.lo);

        if (i % 2) {
            ck_assert_ptr_nonnull(flow);
            ck_assert(ovs_u128_equals(*offload_flow_get_ufid(flow), ufid));
        } else {
            ck_assert_ptr_null(flow);
        }
    }
    ck_assert_uint_eq(offload_tracker_count(&t), N / 2);
    offload_tracker_destroy(&t);
}
END_TEST

/* Every change the engine makes to a tracked flow, through the tracker's
 * functions: the datapath flow, the rule (a copy of the translation's),
 * install and modify bookkeeping, counters, state counts. */
START_TEST(test_tracker_flow_changes)
{
    static char nic_a;
    struct nic *a = (struct nic *) &nic_a;
    struct offload_tracker t;
    ovs_u128 ufid = eng_ufid(1);
    struct offload_flow *flow;

    offload_tracker_init(&t);
    flow = offload_tracker_insert(&t, &ufid, a, 100);
    ck_assert_int_eq(offload_flow_get_state(flow), OFFLOAD_STATE_PENDING);
    ck_assert_uint_eq(offload_tracker_n_in_state(&t, OFFLOAD_STATE_PENDING),
                      1);
    ck_assert_int_eq(offload_flow_get_created(flow), 100);
    ck_assert(!offload_flow_is_installed(flow));

    /* The datapath flow, copied. */
    struct match m;
    struct flow inside, outside;
    struct ofpbuf odp;
    size_t len;

    match_init_catchall(&m);
    match_set_dl_type(&m, htons(ETH_TYPE_IP));
    ofpbuf_init(&odp, 0);
    nl_msg_put_odp_port(&odp, OVS_ACTION_ATTR_OUTPUT, u32_to_odp(2));
    offload_flow_set_datapath(flow, &m, odp.data, odp.size, u32_to_odp(1),
                              VF0, 5);
    ofpbuf_uninit(&odp);
    ck_assert_uint_eq(odp_to_u32(offload_flow_get_in_port(flow)), 1);
    ck_assert_uint_eq(offload_flow_get_nic_port(flow), VF0);
    ck_assert_uint_eq(offload_flow_get_actions(flow, &len)->nla_type,
                      OVS_ACTION_ATTR_OUTPUT);
    ck_assert_uint_eq(len, NLA_HDRLEN + sizeof(uint32_t));
    memset(&inside, 0, sizeof inside);
    inside.dl_type = htons(ETH_TYPE_IP);
    outside = inside;
    outside.dl_type = htons(ETH_TYPE_ARP);
    ck_assert_ptr_eq(offload_tracker_find_by_flow(&t, &inside), flow);
    ck_assert_ptr_null(offload_tracker_find_by_flow(&t, &outside));

    /* The rule: the tracker's own exact-size copy, with the flow's
     * cookie whatever the translation said. */
    struct offload_translation xl;
    const struct offload_rule *rule;

    memset(&xl, 0, sizeof xl);
    xl.kind = OFFLOAD_KIND_FULL;
    xl.spec.n_actions = 1;
    xl.spec.actions = xl.actions;
    xl.spec.cookie = 99;
    xl.actions[0].type = NIC_ACT_OUTPUT;
    xl.actions[0].port = UPLINK;
    offload_flow_set_rule(flow, &xl);
    memset(&xl, 0, sizeof xl);
    rule = offload_flow_get_rule(flow);
    ck_assert_int_eq(rule->kind, OFFLOAD_KIND_FULL);
    ck_assert_uint_eq(rule->spec.cookie, ufid.u64.lo);
    ck_assert_uint_eq(rule->spec.n_actions, 1);
    ck_assert_int_eq(rule->spec.actions[0].type, NIC_ACT_OUTPUT);

    /* Installed, counted, modified in place and by replacement. */
    struct nic_rule_stats st = { .n_packets = 10, .n_bytes = 1000 };
    uint64_t packets, bytes;
    long long int used;

    ck_assert(offload_flow_record_install(flow, 7, 200));
    ck_assert(offload_flow_is_installed(flow));
    ck_assert_uint_eq(offload_flow_get_rule_id(flow), 7);
    ck_assert_int_eq(offload_flow_get_installed_at(flow), 200);
    offload_flow_note_rule_stats(flow, &st, 250);
    st.n_packets = 12;
    st.n_bytes = 1200;
    offload_flow_note_rule_stats(flow, &st, 260);
    offload_flow_record_modify(flow, 7, false);
    st.n_packets = 13;
    st.n_bytes = 1300;
    offload_flow_note_rule_stats(flow, &st, 270);
    offload_flow_record_modify(flow, 8, true);
    st.n_packets = 1;
    st.n_bytes = 100;
    offload_flow_note_rule_stats(flow, &st, 280);
    ck_assert_uint_eq(offload_flow_get_rule_id(flow), 8);
    offload_flow_get_full_stats(flow, &packets, &bytes, &used);
    ck_assert_uint_eq(packets, 14);
    ck_assert_uint_eq(bytes, 1400);
    ck_assert_int_eq(used, 280);

    /* The datapath's count includes what the NIC carried. */
    offload_flow_note_datapath_packets(flow, 20);
    ck_assert_uint_eq(offload_flow_total_packets(flow), 20);
    offload_flow_update_rate(flow, 1000);
    offload_flow_update_rate(flow, 2000);
    ck_assert(offload_flow_get_pps(flow) >= 0);

    /* Gone from the NIC: a second install is not the first. */
    offload_flow_record_uninstall(flow);
    ck_assert(!offload_flow_is_installed(flow));
    ck_assert(!offload_flow_record_install(flow, 9, 300));
    offload_flow_record_uninstall(flow);
    offload_flow_record_error(flow, EIO);
    ck_assert_int_eq(offload_flow_get_error(flow), EIO);

    /* State counts follow; the rule can be dropped with a reason. */
    uint64_t by_reason[OFFLOAD_N_REASONS];

    offload_tracker_set_state(&t, flow, OFFLOAD_STATE_SOFTWARE,
                              OFFLOAD_REASON_PORT, "port removed");
    ck_assert_uint_eq(offload_tracker_n_in_state(&t, OFFLOAD_STATE_PENDING),
                      0);
    ck_assert_uint_eq(offload_tracker_n_in_state(&t, OFFLOAD_STATE_SOFTWARE),
                      1);
    offload_tracker_count_reasons(&t, by_reason);
    ck_assert_uint_eq(by_reason[OFFLOAD_REASON_PORT], 1);
    offload_flow_clear_rule(flow, OFFLOAD_REASON_PORT, "port removed");
    ck_assert_int_eq(rule->kind, OFFLOAD_KIND_NONE);
    ck_assert_int_eq(rule->reason, OFFLOAD_REASON_PORT);
    ck_assert_str_eq(rule->detail, "port removed");
    ck_assert_uint_eq(rule->spec.n_actions, 0);
    offload_flow_set_excluded(flow, true);
    ck_assert(offload_flow_is_excluded(flow));

    /* Listing by UFID, and a walk that removes every flow it visits. */
    for (uint32_t i = 5; i > 1; i--) {
        ovs_u128 u = { .u64 = { i, 0 } };

        offload_tracker_insert(&t, &u, a, 0);
    }
    size_t n;
    struct offload_flow **flows = offload_tracker_list(&t, true, &n);
    ck_assert_uint_eq(n, 5);
    for (size_t i = 1; i < n; i++) {
        const ovs_u128 *x = offload_flow_get_ufid(flows[i - 1]);
        const ovs_u128 *y = offload_flow_get_ufid(flows[i]);

        ck_assert(x->u64.hi < y->u64.hi
                  || (x->u64.hi == y->u64.hi && x->u64.lo < y->u64.lo));
    }
    free(flows);

    struct offload_flow *next;
    size_t n_visited = 0;
    OFFLOAD_TRACKER_FOR_EACH (flow, next, &t) {
        offload_tracker_remove(&t, flow);
        n_visited++;
    }
    ck_assert_uint_eq(n_visited, 5);
    ck_assert_uint_eq(offload_tracker_count(&t), 0);
    offload_tracker_destroy(&t);
}
END_TEST

/* The engine's copy of a flow by cookie goes through the index. */
START_TEST(test_copy_flow_by_cookie)
{
    struct nic *nic = eng_setup(OFFLOAD_POLICY_VALUE, 8);
    ovs_u128 u1 = eng_ufid(1), ufid;
    enum offload_kind kind;
    struct ofpbuf actions;
    struct match match;
    odp_port_t in_port;

    ck_assert_int_eq(eng_put(nic, 1, 1, "2", 0), OFFLOAD_STATE_OFFLOADED);
    ofpbuf_init(&actions, 0);
    ck_assert(offload_engine_copy_flow(nic, u1.u64.lo, &match, &actions,
                                       &in_port, &ufid, &kind));
    ck_assert(ovs_u128_equals(ufid, u1));
    ck_assert_uint_eq(odp_to_u32(in_port), 1);
    ck_assert_int_eq(kind, OFFLOAD_KIND_FULL);
    ck_assert_uint_gt(actions.size, 0);

    ck_assert_int_eq(offload_engine_flow_del(&u1, NULL), 0);
    ofpbuf_clear(&actions);
    ck_assert(!offload_engine_copy_flow(nic, u1.u64.lo, &match, &actions,
                                        &in_port, &ufid, &kind));
    ofpbuf_uninit(&actions);
    eng_teardown(nic);
}
END_TEST

Suite *
offload_engine_suite(void)
{
    Suite *s = suite_create("offload-engine");
    TCase *tc = tcase_create("engine");

    tcase_add_test(tc, test_put_get_del);
    tcase_add_test(tc, test_partial_and_software);
    tcase_add_test(tc, test_first_come_full);
    tcase_add_test(tc, test_value_evicts_lightest);
    tcase_add_test(tc, test_rate_flows_round_robin);
    tcase_add_test(tc, test_reset_recovery);
    tcase_add_test(tc, test_port_flush_and_disable);
    tcase_add_test(tc, test_port_policy_in_engine);
    tcase_add_test(tc, test_tracker_cookie_index);
    tcase_add_test(tc, test_tracker_flow_changes);
    tcase_add_test(tc, test_copy_flow_by_cookie);
    suite_add_tcase(s, tc);
    return s;
}
