/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/offload-verify: the host's path (OVS's own action
 * executor) and the NIC's (lib/nic-actions) agree on translated rules, and
 * a NIC that sends the wrong bytes, to the wrong port or for the wrong
 * packets is caught. */

#include <config.h>

#include <netinet/in.h>
#include <string.h>

#include "dp-packet.h"
#include "flow.h"
#include "lib/nic-actions.h"
#include "lib/offload-translate.h"
#include "lib/offload-verify.h"
#include "odp-util.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "tests/test-packets.h"
#include "tests/unit-tests.h"

#define VF0 NIC_PORT_VF_BASE

static bool
ver_resolve(const void *aux OVS_UNUSED, odp_port_t odp, uint32_t *port)
{
    switch (odp_to_u32(odp)) {
    case 1: *port = VF0; return true;
    case 2: *port = 0; return true;
    case 3: *port = VF0 + 1; return true;
    default: return false;
    }
}

static const struct offload_port_resolver ver_resolver = {
    .resolve = ver_resolve,
};

/* Collects what the NIC executor outputs into a sample. */
struct ver_exec {
    struct nic_exec_ctx ctx;
    struct nic_sample *sample;
};

static void
ver_output(struct nic_exec_ctx *ctx, struct dp_packet *pkt, bool to_host,
           uint32_t port, uint32_t queue OVS_UNUSED, uint32_t mark OVS_UNUSED)
{
    struct nic_sample *s = CONTAINER_OF(ctx, struct ver_exec, ctx)->sample;

    ck_assert_uint_lt(s->n_outputs, NIC_SAMPLE_MAX_OUTPUTS);
    s->outputs[s->n_outputs++] = (struct nic_sample_output) {
        .port = port, .to_host = to_host, .pkt = pkt,
    };
}

/* Builds a TCP packet from vf0, its megaflow (exact on what the actions
 * need), translates 'actions' and runs the NIC executor on it, leaving
 * the outcome in '*sample'. */
static void
ver_run(const char *actions, struct match *match, struct ofpbuf *acts,
        struct nic_sample *sample)
{
    struct tp_spec spec = {
        .ip_version = 4, .proto = IPPROTO_TCP, .src_ip = "10.0.0.1",
        .dst_ip = "10.0.0.2", .src_port = 1000, .dst_port = 80,
        .payload_len = 30,
    };
    struct offload_translation xl;
    struct nic_caps caps;
    struct tp_frame f;
    struct flow flow;

    tp_build(&f, &spec);
    memset(sample, 0, sizeof *sample);
    sample->in_port = VF0;
    sample->pkt = dp_packet_clone_data(f.buf, f.len);

    struct dp_packet *pkt = dp_packet_clone(sample->pkt);
    pkt_metadata_init(&pkt->md, u32_to_odp(1));
    flow_extract(pkt, &flow);
    match_init_catchall(match);
    match->flow.in_port.odp_port = u32_to_odp(1);
    match->wc.masks.in_port.odp_port = ODPP_NONE;
    match_set_recirc_id(match, 0);
    match_set_dl_type(match, htons(ETH_TYPE_IP));
    match_set_nw_proto(match, IPPROTO_TCP);
    match_set_nw_frag_masked(match, 0, FLOW_NW_FRAG_MASK);
    match_set_nw_dst(match, flow.nw_dst);
    match_set_tp_dst(match, flow.tp_dst);
    match_set_nw_ttl(match, flow.nw_ttl);
    /* The datapath flow is the first packet's flow under the mask. */
    match->flow = flow;
    match->flow.recirc_id = 0;

    ofpbuf_init(acts, 64);
    ck_assert_int_eq(odp_actions_from_string(actions, NULL, acts), 0);
    memset(&caps, 0, sizeof caps);
    caps.actions = UINT32_MAX;
    memset(&caps.matchable, 0xff, sizeof caps.matchable);
    offload_translate(match, acts->data, acts->size, &caps, &ver_resolver,
                      7, 0, &xl);
    ck_assert_msg(xl.kind == OFFLOAD_KIND_FULL, "%s: %s %s", actions,
                  offload_reason_name(xl.reason), xl.detail);

    struct ver_exec x = { .ctx.output = ver_output, .sample = sample };
    nic_actions_execute(pkt, VF0, xl.spec.actions, xl.spec.n_actions,
                        &x.ctx);
    sample->dropped = x.ctx.dropped;
}

static enum offload_verify_outcome
ver_check(const struct nic_sample *s, const struct match *m,
          const struct ofpbuf *acts)
{
    char why[160];

    return offload_verify_sample(s, m, acts->data, acts->size,
                                 u32_to_odp(1), &ver_resolver, why,
                                 sizeof why);
}

START_TEST(test_nic_and_host_agree)
{
    static const char *const cases[] = {
        "2",
        "3,2",
        "set(ipv4(dst=192.168.1.1)),2",
        "set(tcp(dst=443)),set(ipv4(ttl=9)),3",
        "push_vlan(vid=100,pcp=3),2",
        "set(eth(src=02:00:00:00:00:99)),2,set(ipv4(src=1.2.3.4)),3",
        "drop",
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct nic_sample s;
        struct ofpbuf acts;
        struct match m;

        ver_run(cases[i], &m, &acts, &s);
        ck_assert_msg(ver_check(&s, &m, &acts) == OFFLOAD_VERIFY_EQUAL,
                      "%s", cases[i]);
        nic_samples_free(xmemdup(&s, sizeof s), 1);
        ofpbuf_uninit(&acts);
    }
}
END_TEST

START_TEST(test_differences_caught)
{
    struct nic_sample s;
    struct ofpbuf acts;
    struct match m;

    /* A flipped byte in what the NIC sent. */
    ver_run("set(ipv4(dst=192.168.1.1)),2", &m, &acts, &s);
    ((uint8_t *) dp_packet_data(s.outputs[0].pkt))[40] ^= 1;
    ck_assert_int_eq(ver_check(&s, &m, &acts), OFFLOAD_VERIFY_BYTES_DIFF);

    /* The right bytes on the wrong port. */
    ((uint8_t *) dp_packet_data(s.outputs[0].pkt))[40] ^= 1;
    ck_assert_int_eq(ver_check(&s, &m, &acts), OFFLOAD_VERIFY_EQUAL);
    s.outputs[0].port = VF0 + 1;
    ck_assert_int_eq(ver_check(&s, &m, &acts), OFFLOAD_VERIFY_PORT_DIFF);
    s.outputs[0].port = 0;

    /* A packet the datapath flow does not cover. */
    ((uint8_t *) dp_packet_data(s.pkt))[37] ^= 1;     /* TCP dst port. */
    ck_assert_int_eq(ver_check(&s, &m, &acts), OFFLOAD_VERIFY_MATCH_DIFF);
    ((uint8_t *) dp_packet_data(s.pkt))[37] ^= 1;

    /* The NIC sent nothing. */
    s.n_outputs = 0;
    ck_assert_int_eq(ver_check(&s, &m, &acts), OFFLOAD_VERIFY_PORT_DIFF);
    s.n_outputs = 1;
    nic_samples_free(xmemdup(&s, sizeof s), 1);
    ofpbuf_uninit(&acts);

    /* Report totals. */
    struct offload_verify_report r;
    offload_verify_report_init(&r);
    offload_verify_report_add(&r, OFFLOAD_VERIFY_EQUAL, "f1", "");
    offload_verify_report_add(&r, OFFLOAD_VERIFY_BYTES_DIFF, "f2", "x");
    offload_verify_report_add(&r, OFFLOAD_VERIFY_UNCHECKABLE, "f3", "y");
    ck_assert_uint_eq(offload_verify_report_differences(&r), 1);
    ck_assert_uint_eq(offload_verify_report_compared(&r), 2);
    ck_assert_int_eq(offload_verify_report_verdict(&r), OFFLOAD_VERIFY_DIFFER);
    ck_assert_uint_eq(r.n_examples, 2);
    ck_assert_str_eq(r.examples[0], "f2: bytes-differ: x");
    offload_verify_report_destroy(&r);
}
END_TEST

/* No difference is not agreement when nothing was compared: samples whose
 * flow went, or that could not be checked, give no verdict. */
START_TEST(test_no_verdict_without_comparisons)
{
    struct offload_verify_report r;

    offload_verify_report_init(&r);
    ck_assert_int_eq(offload_verify_report_verdict(&r),
                     OFFLOAD_VERIFY_NO_VERDICT);
    r.n_samples = 5;
    r.n_unknown = 4;
    offload_verify_report_add(&r, OFFLOAD_VERIFY_UNCHECKABLE, "f1", "y");
    ck_assert_uint_eq(offload_verify_report_differences(&r), 0);
    ck_assert_uint_eq(offload_verify_report_compared(&r), 0);
    ck_assert_int_eq(offload_verify_report_verdict(&r),
                     OFFLOAD_VERIFY_NO_VERDICT);
    ck_assert_str_eq(offload_verify_verdict_name(
                         offload_verify_report_verdict(&r)), "none");

    offload_verify_report_add(&r, OFFLOAD_VERIFY_EQUAL, "f2", "");
    ck_assert_uint_eq(offload_verify_report_compared(&r), 1);
    ck_assert_int_eq(offload_verify_report_verdict(&r), OFFLOAD_VERIFY_AGREE);
    offload_verify_report_destroy(&r);
}
END_TEST

Suite *
offload_verify_suite(void)
{
    Suite *s = suite_create("offload-verify");
    TCase *tc = tcase_create("verify");

    tcase_add_test(tc, test_nic_and_host_agree);
    tcase_add_test(tc, test_differences_caught);
    tcase_add_test(tc, test_no_verdict_without_comparisons);
    suite_add_tcase(s, tc);
    return s;
}
