/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the XDP NIC backend through the NIC interface: its
 * capabilities, rule tables in BPF maps (exact, wildcard masks, full
 * tables), actions it refuses, rule and port counters of its real program
 * run by the kernel with BPF_PROG_TEST_RUN, and port attachment errors.
 * They need root (loading BPF); otherwise, or without the backend, each
 * says why and passes without checking. */

#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lib/nic.h"
#include "tests/unit-tests.h"

#ifdef HAVE_NIC_XDP
#include <net/if.h>
#include <sched.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "lib/nic-provider.h"
#include "lib/nic-xdp.h"
#include "lib/nic-xdp-abi.h"
#include "util.h"

/* Opens XDP NIC 'name', or returns NULL (and says why) where the program
 * cannot be loaded. */
static struct nic *
xdpt_open(const char *name)
{
    struct nic *nic;
    int error;

    if (geteuid()) {
        fprintf(stderr, "nic-xdp: skipped: loading BPF needs root\n");
        return NULL;
    }
    nic_class_register(&nic_xdp_class);
    error = nic_open(name, "xdp", &nic);
    if (error) {
        fprintf(stderr, "nic-xdp: skipped: cannot load the XDP program: "
                "%s\n", ovs_strerror(error));
        return NULL;
    }
    return nic;
}

static int
xdpt_add(struct nic *nic, const char *match, const char *actions,
         uint32_t priority, uint32_t *idp)
{
    struct nic_action acts[NIC_MAX_ACTIONS];
    struct nic_rule_spec spec;
    char *error;

    memset(&spec, 0, sizeof spec);
    error = nic_match_from_string(match, &spec.match);
    ck_assert_msg(!error, "%s", error);
    error = nic_actions_from_string(actions, acts, &spec.n_actions);
    ck_assert_msg(!error, "%s", error);
    spec.actions = acts;
    spec.priority = priority;
    return nic_rule_add(nic, &spec, idp);
}

/* Runs a 60-byte frame of Ethertype 'type' into VF 0 ("lo" stands for
 * its interface) on this CPU.  Returns the XDP verdict, with the trace. */
static uint32_t
xdpt_run(struct nic *nic, uint16_t type, struct nic_xdp_trace_info *tr,
         uint8_t *out, uint32_t *out_len)
{
    uint8_t frame[60] = { 0x50, 0x54, 0, 0, 0, 2, 0x50, 0x54, 0, 0, 0, 1,
                          type >> 8, type & 0xff };
    uint8_t buf[128];
    struct xdp_md md = { .ingress_ifindex = if_nametoindex("lo"),
                         .data_end = sizeof frame };
    LIBBPF_OPTS(bpf_test_run_opts, opts,
                .data_in = frame, .data_size_in = sizeof frame,
                .data_out = out ? out : buf,
                .data_size_out = sizeof buf,
                .ctx_in = &md, .ctx_size_in = sizeof md, .repeat = 1);

    ck_assert_int_eq(bpf_prog_test_run_opts(nic_xdp_prog_fd(nic), &opts),
                     0);
    ck_assert_int_eq(nic_xdp_get_trace(nic, tr), 0);
    if (out_len) {
        *out_len = opts.data_size_out;
    }
    return opts.retval;
}

static void
xdpt_pin_cpu(void)
{
    cpu_set_t cpus;

    CPU_ZERO(&cpus);
    CPU_SET(sched_getcpu(), &cpus);
    sched_setaffinity(0, sizeof cpus, &cpus);
}
#endif

START_TEST(test_xdp_caps)
{
#ifdef HAVE_NIC_XDP
    struct nic *nic = xdpt_open("xdp:xdpt-caps");
    struct nic_caps caps;

    if (!nic) {
        return;
    }
    nic_get_caps(nic, &caps);
    ck_assert_uint_eq(caps.n_uplinks, NIC_MAX_UPLINKS);
    ck_assert_uint_eq(caps.n_vfs, NIC_MAX_VFS);
    ck_assert_uint_eq(caps.exact_capacity, NIC_XDP_EXACT_CAPACITY);
    ck_assert_uint_eq(caps.wildcard_capacity, NIC_XDP_WILDCARD_CAPACITY);
    ck_assert(caps.actions & (1u << NIC_ACT_OUTPUT));
    ck_assert(caps.actions & (1u << NIC_ACT_SET_IPV6_DST));
    /* What the program cannot do stays on the host, with its reason. */
    ck_assert(!(caps.actions & (1u << NIC_ACT_ENCAP)));
    ck_assert(!(caps.actions & (1u << NIC_ACT_DECAP)));
    ck_assert(!(caps.actions & (1u << NIC_ACT_SET_QUEUE)));
    ck_assert(!(caps.actions & (1u << NIC_ACT_MARK)));
    nic_close(nic);
#else
    fprintf(stderr, "nic-xdp: skipped: the XDP backend is not built\n");
#endif
}
END_TEST

START_TEST(test_xdp_tables)
{
#ifdef HAVE_NIC_XDP
    struct nic *nic = xdpt_open("xdp:xdpt-tables");
    uint32_t ids[NIC_XDP_MAX_MASKS], id;
    struct nic_rule_stats st;
    char match[64];

    if (!nic) {
        return;
    }
    /* One wildcard mask per rule, until the masks run out: a full table
     * for admission. */
    for (int i = 0; i < NIC_XDP_MAX_MASKS - 1; i++) {
        snprintf(match, sizeof match, "in_port=vf0,tp_src=0/%d", 1 << i);
        ck_assert_int_eq(xdpt_add(nic, match, "drop", 1, &ids[i]), 0);
        ck_assert_int_eq(nic_rule_query(nic, ids[i], &st), 0);
        ck_assert_int_eq(st.table, NIC_TABLE_WILDCARD);
    }
    ck_assert_int_eq(xdpt_add(nic, "in_port=vf0,tp_dst=0/1", "drop", 1,
                              &id), ENOSPC);
    /* Same mask, another key: no new mask needed. */
    ck_assert_int_eq(xdpt_add(nic, "in_port=vf0,tp_src=1/1", "drop", 1,
                              &id), 0);
    ck_assert_int_eq(xdpt_add(nic, "in_port=vf0,tp_src=1/1", "drop", 1,
                              &id), EEXIST);
    ck_assert_int_eq(nic_rule_del(nic, ids[3]), 0);
    ck_assert_int_eq(nic_rule_del(nic, ids[3]), ENOENT);
    ck_assert_int_eq(nic_rule_query(nic, ids[3], &st), ENOENT);
    ck_assert_int_eq(xdpt_add(nic, "in_port=vf0,tp_dst=0/1", "drop", 1,
                              &id), 0);

    /* What XDP cannot do: refused as a capability (EOPNOTSUPP), so the
     * flow stays on the host with a reason rather than as an error. */
    ck_assert_int_eq(xdpt_add(nic, "in_port=vf1", "output:vf0,output:vf2",
                              1, &id), EOPNOTSUPP);
    /* Nothing after a drop: invalid for any NIC. */
    ck_assert_int_eq(xdpt_add(nic, "in_port=vf1", "drop,pop_vlan", 1, &id),
                     EINVAL);
    ck_assert_int_eq(xdpt_add(nic, "in_port=vf1", "mark:5,host", 1,
                              &id), EOPNOTSUPP);

    ck_assert_int_eq(nic_reset(nic), 0);
    ck_assert_int_eq(nic_rule_query(nic, ids[0], &st), ENOENT);
    nic_close(nic);
#endif
}
END_TEST

START_TEST(test_xdp_counters)
{
#ifdef HAVE_NIC_XDP
    struct nic *nic = xdpt_open("xdp:xdpt-counters");
    struct nic_xdp_trace_info tr;
    struct nic_port_stats ps;
    struct nic_rule_stats st;
    uint32_t id, wid, len;
    uint8_t out[128];
    bool replaced;

    if (!nic) {
        return;
    }
    xdpt_pin_cpu();
    ck_assert_int_eq(nic_xdp_port_set_ifindex(nic, 0,
                                              if_nametoindex("lo")), 0);
    ck_assert_int_eq(nic_xdp_port_set_ifindex(nic, NIC_PORT_VF_BASE,
                                              if_nametoindex("lo")), 0);

    /* A miss: to the host, which has no socket here. */
    ck_assert_int_eq(xdpt_run(nic, 0x88b5, &tr, NULL, NULL), XDP_DROP);
    ck_assert_int_eq(tr.verdict, NIC_XDP_V_DROP);
    ck_assert_int_eq(tr.reason, NIC_DROP_NO_REPRESENTOR);

    /* A wildcard rule, and a higher-priority one that wins. */
    ck_assert_int_eq(xdpt_add(nic, "in_port=vf0", "output:uplink0", 1,
                              &wid), 0);
    ck_assert_int_eq(xdpt_add(nic, "in_port=vf0,dl_type=0x88b5",
                              "set_eth_src:00:11:22:33:44:55,output:uplink0",
                              10, &id), 0);
    ck_assert_int_eq(xdpt_run(nic, 0x88b5, &tr, out, &len), XDP_REDIRECT);
    ck_assert_int_eq(tr.rule_id, id);
    ck_assert_int_eq(tr.out_port, 0);
    ck_assert_int_eq(len, 60);
    ck_assert_int_eq(out[6], 0x00);
    ck_assert_int_eq(out[11], 0x55);
    ck_assert_int_eq(xdpt_run(nic, 0x88b6, &tr, NULL, NULL), XDP_REDIRECT);
    ck_assert_int_eq(tr.rule_id, wid);

    ck_assert_int_eq(nic_rule_query(nic, id, &st), 0);
    ck_assert_uint_eq(st.n_packets, 1);
    ck_assert_uint_eq(st.n_bytes, 60);

    /* Modified in place: the counters stay. */
    {
        struct nic_action acts[1] = { { .type = NIC_ACT_DROP } };
        struct nic_rule_spec spec;

        memset(&spec, 0, sizeof spec);
        ck_assert(!nic_match_from_string("in_port=vf0,dl_type=0x88b5",
                                         &spec.match));
        spec.priority = 10;
        spec.actions = acts;
        spec.n_actions = 1;
        ck_assert_int_eq(nic_rule_modify(nic, &id, &spec, &replaced), 0);
        ck_assert(!replaced);
    }
    ck_assert_int_eq(xdpt_run(nic, 0x88b5, &tr, NULL, NULL), XDP_DROP);
    ck_assert_int_eq(tr.reason, NIC_DROP_RULE);
    ck_assert_int_eq(nic_rule_query(nic, id, &st), 0);
    ck_assert_uint_eq(st.n_packets, 2);

    /* Conservation on the port. */
    ck_assert_int_eq(nic_port_stats(nic, NIC_PORT_VF_BASE, &ps), 0);
    ck_assert_uint_eq(ps.rx_packets, 4);
    ck_assert_uint_eq(ps.rx_packets, ps.fwd_packets
                      + nic_port_stats_to_host(&ps)
                      + nic_port_stats_dropped(&ps));
    ck_assert_uint_eq(ps.fwd_packets, 2);
    ck_assert_uint_eq(ps.drop[NIC_DROP_RULE], 1);
    ck_assert_int_eq(nic_port_stats(nic, 0, &ps), 0);
    ck_assert_uint_eq(ps.tx_packets, 2);
    nic_close(nic);
#endif
}
END_TEST

START_TEST(test_xdp_attach_errors)
{
#ifdef HAVE_NIC_XDP
    struct nic *nic = xdpt_open("xdp:xdpt-attach");
    struct nic_port_config pc = { .port = NIC_PORT_VF_BASE, .n_rxq = 1 };
    char *error_s = NULL;

    if (!nic) {
        return;
    }
    pc.medium = "afpacket:lo";
    ck_assert_int_eq(nic_port_attach(nic, &pc, &error_s), EINVAL);
    ck_assert(strstr(error_s, "xdp:IFNAME"));
    free(error_s);
    pc.medium = "xdp:xdpt-no-such-if";
    ck_assert_int_eq(nic_port_attach(nic, &pc, &error_s), ENODEV);
    ck_assert(strstr(error_s, "no such interface"));
    free(error_s);
    pc.medium = "none";
    pc.n_rxq = 0;
    ck_assert_int_eq(nic_port_attach(nic, &pc, &error_s), EINVAL);
    free(error_s);
    pc.n_rxq = 1;
    ck_assert_int_eq(nic_port_attach(nic, &pc, &error_s), 0);
    ck_assert_int_eq(nic_port_attach(nic, &pc, &error_s), EBUSY);
    free(error_s);
    nic_port_detach(nic, NIC_PORT_VF_BASE);
    ck_assert_int_eq(nic_port_attach(nic, &pc, &error_s), 0);
    pc.port = 99;
    ck_assert_int_eq(nic_port_attach(nic, &pc, &error_s), EINVAL);
    free(error_s);
    nic_close(nic);
#endif
}
END_TEST

Suite *
nic_xdp_suite(void)
{
    Suite *s = suite_create("nic-xdp");
    TCase *tc = tcase_create("xdp");

    tcase_add_test(tc, test_xdp_caps);
    tcase_add_test(tc, test_xdp_tables);
    tcase_add_test(tc, test_xdp_counters);
    tcase_add_test(tc, test_xdp_attach_errors);
    suite_add_tcase(s, tc);
    return s;
}
