/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/nic-actions: header rewrites keep checksums right,
 * VLAN push/pop and tunnel encap/decap restore the original bytes, and
 * outputs happen in order with the packet as modified so far. */

#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "csum.h"
#include "dp-packet.h"
#include "lib/nic-actions.h"
#include "packets.h"
#include "tests/test-packets.h"
#include "tests/unit-tests.h"

#define MAX_OUT 4

struct capture {
    struct nic_exec_ctx ctx;
    struct dp_packet *pkts[MAX_OUT];
    uint32_t ports[MAX_OUT];
    bool to_host[MAX_OUT];
    uint32_t queues[MAX_OUT], marks[MAX_OUT];
    int n;
};

static void
capture_output(struct nic_exec_ctx *ctx, struct dp_packet *pkt,
               bool to_host, uint32_t port, uint32_t queue, uint32_t mark)
{
    struct capture *c = ctx->aux;

    ck_assert_int_lt(c->n, MAX_OUT);
    c->pkts[c->n] = pkt;
    c->ports[c->n] = port;
    c->to_host[c->n] = to_host;
    c->queues[c->n] = queue;
    c->marks[c->n] = mark;
    c->n++;
}

static void
capture_init(struct capture *c)
{
    memset(c, 0, sizeof *c);
    c->ctx.output = capture_output;
    c->ctx.aux = c;
}

static void
capture_destroy(struct capture *c)
{
    for (int i = 0; i < c->n; i++) {
        dp_packet_delete(c->pkts[i]);
    }
}

static struct dp_packet *
packet_from(const struct tp_frame *f)
{
    return dp_packet_clone_data_with_headroom(f->buf, f->len, 256);
}

static void
run(const struct tp_frame *f, const struct nic_action *acts, size_t n,
    struct capture *c)
{
    capture_init(c);
    nic_actions_execute(packet_from(f), 1, acts, n, &c->ctx);
}

START_TEST(test_actions_vlan_push_pop)
{
    struct tp_spec s = { .ip_version = 4, .proto = IPPROTO_UDP,
                         .src_port = 1, .dst_port = 2, .payload_len = 4 };
    struct nic_action acts[] = {
        { .type = NIC_ACT_PUSH_VLAN, .vlan_tci = htons(42) },
        { .type = NIC_ACT_OUTPUT, .port = 3 },
        { .type = NIC_ACT_POP_VLAN },
        { .type = NIC_ACT_OUTPUT, .port = 4 },
    };
    struct capture c;
    struct tp_frame f;
    const uint8_t *p;

    tp_build(&f, &s);
    run(&f, acts, 4, &c);
    ck_assert_int_eq(c.n, 2);
    ck_assert_uint_eq(c.ctx.n_outputs, 2);
    ck_assert(!c.ctx.dropped);
    ck_assert_uint_eq(c.ports[0], 3);
    ck_assert_uint_eq(dp_packet_size(c.pkts[0]), f.len + 4);
    p = dp_packet_data(c.pkts[0]);
    ck_assert_mem_eq(p, f.buf, 12);
    ck_assert_mem_eq(p + 12, "\x81\x00\x00\x2a", 4);
    ck_assert_mem_eq(p + 16, f.buf + 12, f.len - 12);
    /* After the pop, the second output is the original frame. */
    ck_assert_uint_eq(c.ports[1], 4);
    ck_assert_uint_eq(dp_packet_size(c.pkts[1]), f.len);
    ck_assert_mem_eq(dp_packet_data(c.pkts[1]), f.buf, f.len);
    capture_destroy(&c);
}
END_TEST

START_TEST(test_actions_set_fields_fix_checksums)
{
    static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
    struct tp_spec s = { .ip_version = 4, .proto = protos[_i],
                         .src_port = 1000, .dst_port = 2000,
                         .payload_len = 33 };
    struct nic_action acts[] = {
        { .type = NIC_ACT_SET_IPV4_SRC, .ipv4 = htonl(0xc0a80001) },
        { .type = NIC_ACT_SET_IPV4_DST, .ipv4 = htonl(0xc0a80002) },
        { .type = NIC_ACT_SET_TP_SRC, .tp_port = htons(3333) },
        { .type = NIC_ACT_SET_TP_DST, .tp_port = htons(4444) },
        { .type = NIC_ACT_SET_IP_TTL, .ttl = 5 },
        { .type = NIC_ACT_SET_ETH_DST,
          .mac = ETH_ADDR_C(aa, bb, cc, dd, ee, ff) },
        { .type = NIC_ACT_OUTPUT, .port = 1 },
    };
    struct tp_spec want_s = s;
    struct tp_frame f, want;
    struct capture c;

    tp_build(&f, &s);
    ck_assert(tp_checksums_ok(f.buf, f.len));
    run(&f, acts, ARRAY_SIZE(acts), &c);
    ck_assert_int_eq(c.n, 1);

    /* The same packet built from scratch with the new fields. */
    want_s.src_ip = "192.168.0.1";
    want_s.dst_ip = "192.168.0.2";
    want_s.src_port = 3333;
    want_s.dst_port = 4444;
    want_s.dst_mac = "aa:bb:cc:dd:ee:ff";
    tp_build(&want, &want_s);
    want.buf[want.l3 + 8] = 5;
    {
        /* TTL change: recompute the expected IP checksum from scratch. */
        uint8_t *ip = want.buf + want.l3;

        ip[10] = ip[11] = 0;
        ovs_be16 cs = csum(ip, 20);
        memcpy(ip + 10, &cs, 2);
    }
    ck_assert_uint_eq(dp_packet_size(c.pkts[0]), want.len);
    ck_assert(tp_checksums_ok(dp_packet_data(c.pkts[0]), want.len));
    ck_assert_mem_eq(dp_packet_data(c.pkts[0]), want.buf, want.len);
    capture_destroy(&c);
}
END_TEST

START_TEST(test_actions_set_ipv6)
{
    struct tp_spec s = { .ip_version = 6, .proto = IPPROTO_TCP,
                         .src_port = 5, .dst_port = 6, .payload_len = 7 };
    struct nic_action acts[2] = {
        { .type = NIC_ACT_SET_IPV6_DST },
        { .type = NIC_ACT_OUTPUT, .port = 2 },
    };
    struct tp_frame f, want;
    struct capture c;
    struct tp_spec want_s = s;

    inet_pton(AF_INET6, "fd00::99", acts[0].ipv6);
    tp_build(&f, &s);
    run(&f, acts, 2, &c);
    want_s.dst_ip = "fd00::99";
    tp_build(&want, &want_s);
    ck_assert_int_eq(c.n, 1);
    ck_assert(tp_checksums_ok(dp_packet_data(c.pkts[0]), want.len));
    ck_assert_mem_eq(dp_packet_data(c.pkts[0]), want.buf, want.len);
    capture_destroy(&c);
}
END_TEST

START_TEST(test_actions_encap_decap)
{
    struct tp_spec inner_s = { .ip_version = 4, .proto = IPPROTO_ICMP,
                               .payload_len = 20 };
    struct tp_spec outer_s = { .ip_version = 4, .proto = IPPROTO_UDP,
                               .src_ip = "192.0.2.1", .dst_ip = "192.0.2.2",
                               .src_port = 50000,
                               .dst_port = NIC_VXLAN_PORT };
    struct nic_action encap[2] = { { .type = NIC_ACT_ENCAP },
                                   { .type = NIC_ACT_TO_HOST } };
    struct nic_action decap[3] = { { .type = NIC_ACT_DECAP },
                                   { .type = NIC_ACT_MARK, .mark = 77 },
                                   { .type = NIC_ACT_OUTPUT, .port = 9 } };
    struct tp_frame inner, outer, tunneled;
    struct capture c;
    struct nic_flow_key k;
    struct nic_parse_offsets o;
    size_t hlen;

    tp_build(&inner, &inner_s);
    tp_build(&outer, &outer_s);     /* Eth+IPv4+UDP, then VXLAN: */
    hlen = outer.len + 8;
    memcpy(encap[0].encap.hdr, outer.buf, outer.len);
    memset(encap[0].encap.hdr + outer.len, 0, 8);
    encap[0].encap.hdr[outer.len] = 0x08;
    encap[0].encap.hdr[outer.len + 6] = 5;    /* VNI 5 */
    encap[0].encap.type = NIC_TUNNEL_VXLAN;
    encap[0].encap.len = hlen;

    run(&inner, encap, 2, &c);
    ck_assert_int_eq(c.n, 1);
    ck_assert(c.to_host[0]);
    ck_assert_uint_eq(dp_packet_size(c.pkts[0]), hlen + inner.len);
    ck_assert_int_eq(nic_parse(dp_packet_data(c.pkts[0]),
                               dp_packet_size(c.pkts[0]), 1, &k, &o),
                     NIC_PARSE_OK);
    ck_assert_uint_eq(k.tun_type, NIC_TUNNEL_VXLAN);
    ck_assert_uint_eq(k.tun_vni, 5);
    ck_assert(tp_checksums_ok(dp_packet_data(c.pkts[0]),
                              dp_packet_size(c.pkts[0])));
    memcpy(tunneled.buf, dp_packet_data(c.pkts[0]),
           dp_packet_size(c.pkts[0]));
    tunneled.len = dp_packet_size(c.pkts[0]);
    capture_destroy(&c);

    run(&tunneled, decap, 3, &c);
    ck_assert_int_eq(c.n, 1);
    ck_assert_uint_eq(c.marks[0], 77);
    ck_assert_uint_eq(c.queues[0], UINT32_MAX);
    ck_assert_uint_eq(dp_packet_size(c.pkts[0]), inner.len);
    ck_assert_mem_eq(dp_packet_data(c.pkts[0]), inner.buf, inner.len);
    capture_destroy(&c);

    /* Decap of a packet that is not tunneled is a counted failure. */
    run(&inner, decap, 3, &c);
    ck_assert_int_eq(c.n, 0);
    ck_assert(c.ctx.malformed);
    ck_assert(c.ctx.dropped);
}
END_TEST

START_TEST(test_actions_drop_and_no_output)
{
    struct tp_spec s = { .ip_version = 4, .proto = IPPROTO_UDP };
    struct nic_action drop[1] = { { .type = NIC_ACT_DROP } };
    struct nic_action none[2] = { { .type = NIC_ACT_COUNT, .counter = 1 },
                                  { .type = NIC_ACT_SET_QUEUE, .queue = 3 } };
    struct nic_action q[3] = { { .type = NIC_ACT_SET_QUEUE, .queue = 3 },
                               { .type = NIC_ACT_TO_HOST } };
    struct nic_action pop[2] = { { .type = NIC_ACT_POP_VLAN },
                                 { .type = NIC_ACT_OUTPUT, .port = 1 } };
    struct tp_frame f;
    struct capture c;

    tp_build(&f, &s);
    run(&f, drop, 1, &c);
    ck_assert(c.ctx.dropped && !c.ctx.malformed && c.n == 0);
    run(&f, none, 2, &c);
    ck_assert(c.ctx.dropped && c.n == 0);
    run(&f, q, 2, &c);
    ck_assert_int_eq(c.n, 1);
    ck_assert_uint_eq(c.queues[0], 3);
    capture_destroy(&c);
    /* Pop of an untagged frame leaves it alone, as in OVS. */
    run(&f, pop, 2, &c);
    ck_assert(!c.ctx.malformed && c.n == 1);
    ck_assert_uint_eq(dp_packet_size(c.pkts[0]), f.len);
    ck_assert(!memcmp(dp_packet_data(c.pkts[0]), f.buf, f.len));
    capture_destroy(&c);
}
END_TEST

Suite *
nic_actions_suite(void)
{
    Suite *s = suite_create("nic-actions");
    TCase *tc = tcase_create("actions");

    tcase_add_test(tc, test_actions_vlan_push_pop);
    tcase_add_loop_test(tc, test_actions_set_fields_fix_checksums, 0, 2);
    tcase_add_test(tc, test_actions_set_ipv6);
    tcase_add_test(tc, test_actions_encap_decap);
    tcase_add_test(tc, test_actions_drop_and_no_output);
    suite_add_tcase(s, tc);
    return s;
}
