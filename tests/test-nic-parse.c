/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/nic-parse: every supported header, and malformed or
 * truncated frames, which must be classified without reading past the
 * end (the sanitizer build catches any overread). */

#include <config.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nic-parse.h"
#include "lib/nic-rule.h"
#include "packets.h"
#include "tests/test-packets.h"
#include "tests/unit-tests.h"

static enum nic_parse_status
parse(const struct tp_frame *f, size_t len, struct nic_flow_key *key,
      struct nic_parse_offsets *ofs)
{
    /* A heap copy of exactly 'len' bytes, so that ASan sees an overread. */
    uint8_t *copy = malloc(len ? len : 1);
    enum nic_parse_status st;

    memcpy(copy, f->buf, len);
    st = nic_parse(copy, len, 7, key, ofs);
    free(copy);
    return st;
}

START_TEST(test_parse_ipv4_tcp)
{
    struct tp_spec s = { .ip_version = 4, .proto = IPPROTO_TCP,
                         .src_port = 1234, .dst_port = 80,
                         .payload_len = 10 };
    struct nic_flow_key k;
    struct nic_parse_offsets o;
    struct tp_frame f;
    ovs_be32 a;

    tp_build(&f, &s);
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_OK);
    ck_assert_uint_eq(k.in_port, 7);
    ck_assert_uint_eq(ntohs(k.dl_type), ETH_TYPE_IP);
    ck_assert_uint_eq(k.nw_proto, IPPROTO_TCP);
    ck_assert_uint_eq(k.nw_ttl, 64);
    memcpy(&a, k.nw_src, 4);
    ck_assert_uint_eq(ntohl(a), 0x0a000001);
    memcpy(&a, k.nw_dst, 4);
    ck_assert_uint_eq(ntohl(a), 0x0a000002);
    ck_assert_uint_eq(ntohs(k.tp_src), 1234);
    ck_assert_uint_eq(ntohs(k.tp_dst), 80);
    ck_assert_uint_eq(ntohs(k.tcp_flags), 0x18);
    ck_assert_uint_eq(o.l3, 14);
    ck_assert_uint_eq(o.l4, 34);
    ck_assert_uint_eq(k.vlan_tci[0], 0);
}
END_TEST

START_TEST(test_parse_ipv4_options_udp)
{
    struct tp_spec s = { .ip_version = 4, .proto = IPPROTO_UDP,
                         .src_port = 53, .dst_port = 5353,
                         .ipv4_options_len = 8 };
    struct nic_flow_key k;
    struct nic_parse_offsets o;
    struct tp_frame f;

    tp_build(&f, &s);
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_OK);
    ck_assert_uint_eq(o.l4, 14 + 28);
    ck_assert_uint_eq(ntohs(k.tp_src), 53);
    ck_assert_uint_eq(ntohs(k.tp_dst), 5353);
}
END_TEST

START_TEST(test_parse_vlans)
{
    struct tp_spec s = { .ip_version = 4, .proto = IPPROTO_ICMP,
                         .n_vlans = 2, .vid = { 100, 200 } };
    struct nic_flow_key k;
    struct nic_parse_offsets o;
    struct tp_frame f;

    tp_build(&f, &s);
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_OK);
    ck_assert_uint_eq(o.n_vlans, 2);
    ck_assert_uint_eq(ntohs(k.vlan_tci[0]), 100 | NIC_VLAN_PRESENT);
    ck_assert_uint_eq(ntohs(k.vlan_tci[1]), 200 | NIC_VLAN_PRESENT);
    ck_assert_uint_eq(ntohs(k.dl_type), ETH_TYPE_IP);
    ck_assert_uint_eq(ntohs(k.tp_src), 8);     /* ICMP echo request. */
    ck_assert_uint_eq(o.l3, 22);
}
END_TEST

START_TEST(test_parse_three_vlans)
{
    struct tp_spec s = { .ip_version = 4, .proto = IPPROTO_ICMP,
                         .n_vlans = 2, .vid = { 1, 2 } };
    struct nic_flow_key k;
    struct nic_parse_offsets o;
    struct tp_frame f, g;

    tp_build(&f, &s);
    /* Insert a third tag after the MACs. */
    memcpy(g.buf, f.buf, 12);
    memcpy(g.buf + 12, "\x81\x00\x00\x03", 4);
    memcpy(g.buf + 16, f.buf + 12, f.len - 12);
    g.len = f.len + 4;
    /* As OVS with vlan-limit 2: two tags, then the third TPID is the
     * Ethertype, and nothing past it is parsed. */
    ck_assert_int_eq(parse(&g, g.len, &k, &o), NIC_PARSE_OK);
    ck_assert_uint_eq(o.n_vlans, 2);
    ck_assert_uint_eq(ntohs(k.dl_type), ETH_TYPE_VLAN_8021Q);
    ck_assert_uint_eq(ntohs(k.vlan_tpid[0]), ETH_TYPE_VLAN_8021Q);
    ck_assert_uint_eq(ntohs(k.vlan_tpid[1]), ETH_TYPE_VLAN_8021AD);
    ck_assert_uint_eq(k.nw_proto, 0);
}
END_TEST

START_TEST(test_parse_arp)
{
    struct tp_spec s = { .ip_version = 0 };
    struct nic_flow_key k;
    struct nic_parse_offsets o;
    struct tp_frame f;
    ovs_be32 a;

    tp_build(&f, &s);
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_OK);
    ck_assert_uint_eq(ntohs(k.dl_type), ETH_TYPE_ARP);
    ck_assert_uint_eq(k.nw_proto, 1);
    memcpy(&a, k.nw_dst, 4);
    ck_assert_uint_eq(ntohl(a), 0x0a000002);
    /* A short ARP has no ARP fields, for OVS as for the NIC. */
    ck_assert_int_eq(parse(&f, f.len - 1, &k, &o), NIC_PARSE_OK);
    ck_assert_uint_eq(k.nw_proto, 0);
    ck_assert(nic_is_zero(k.nw_dst, 16));
}
END_TEST

START_TEST(test_parse_ipv6_ext)
{
    struct tp_spec s = { .ip_version = 6, .proto = IPPROTO_TCP,
                         .src_port = 40000, .dst_port = 22,
                         .ipv6_n_ext = 2 };
    struct nic_flow_key k;
    struct nic_parse_offsets o;
    struct tp_frame f;
    uint8_t want[16];

    tp_build(&f, &s);
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_OK);
    ck_assert_uint_eq(k.nw_proto, IPPROTO_TCP);
    ck_assert_uint_eq(o.l4, 14 + 40 + 16);
    ck_assert_uint_eq(ntohs(k.tp_dst), 22);
    inet_pton(AF_INET6, "2001:db8::2", want);
    ck_assert_mem_eq(k.nw_dst, want, 16);
}
END_TEST

START_TEST(test_parse_ipv6_ext_chain_too_long)
{
    struct tp_spec s = { .ip_version = 6, .proto = IPPROTO_UDP,
                         .ipv6_n_ext = 9 };
    struct nic_flow_key k;
    struct nic_parse_offsets o;
    struct tp_frame f;

    tp_build(&f, &s);
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_BAD_IPV6_EXT);
}
END_TEST

START_TEST(test_parse_ipv4_fragments)
{
    struct tp_spec s = { .ip_version = 4, .proto = IPPROTO_UDP,
                         .src_port = 1, .dst_port = 2 };
    struct nic_flow_key k;
    struct nic_parse_offsets o;
    struct tp_frame f;

    tp_build(&f, &s);
    f.buf[f.l3 + 6] = 0x20;     /* MF, offset 0. */
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_OK);
    ck_assert_uint_eq(k.nw_frag, NIC_FRAG_FIRST);
    ck_assert_uint_eq(ntohs(k.tp_dst), 2);

    f.buf[f.l3 + 7] = 0x10;     /* Offset 128: no L4 header here. */
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_OK);
    ck_assert_uint_eq(k.nw_frag, NIC_FRAG_ANY | NIC_FRAG_LATER);
    ck_assert_uint_eq(k.tp_dst, 0);
    ck_assert_uint_eq(o.l4, f.l4);      /* Where OVS's l4_ofs is too. */
}
END_TEST

START_TEST(test_parse_vxlan_and_geneve)
{
    struct tp_spec s = { .ip_version = 4, .proto = IPPROTO_UDP,
                         .src_port = 49152, .dst_port = NIC_VXLAN_PORT,
                         .payload_len = 8 + 14 };
    struct nic_flow_key k;
    struct nic_parse_offsets o;
    struct tp_frame f;
    size_t tun;

    tp_build(&f, &s);
    tun = f.l4 + 8;
    memset(f.buf + tun, 0, 8);
    f.buf[tun] = 0x08;
    f.buf[tun + 4] = 0x12;
    f.buf[tun + 5] = 0x34;
    f.buf[tun + 6] = 0x56;
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_OK);
    ck_assert_uint_eq(k.tun_type, NIC_TUNNEL_VXLAN);
    ck_assert_uint_eq(k.tun_vni, 0x123456);
    ck_assert_uint_eq(o.inner_l2, tun + 8);

    /* VXLAN without the I flag is plain UDP. */
    f.buf[tun] = 0;
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_OK);
    ck_assert_uint_eq(k.tun_type, NIC_TUNNEL_NONE);

    /* Geneve with 4 bytes of options. */
    s.dst_port = NIC_GENEVE_PORT;
    tp_build(&f, &s);
    memset(f.buf + tun, 0, 12);
    f.buf[tun] = 1;             /* opt len 1 word */
    f.buf[tun + 6] = 9;
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_OK);
    ck_assert_uint_eq(k.tun_type, NIC_TUNNEL_GENEVE);
    ck_assert_uint_eq(k.tun_vni, 9);
    ck_assert_uint_eq(o.inner_l2, tun + 12);

    /* Options longer than the frame. */
    f.buf[tun] = 0x3f;
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_TRUNC_TUNNEL);
}
END_TEST

START_TEST(test_parse_malformed_ipv4)
{
    struct tp_spec s = { .ip_version = 4, .proto = IPPROTO_TCP };
    struct nic_flow_key k;
    struct nic_parse_offsets o;
    struct tp_frame f;

    tp_build(&f, &s);
    f.buf[f.l3] = 0x44;         /* IHL 16 bytes < 20. */
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_TRUNC_IP);
    f.buf[f.l3] = 0x65;         /* Version 6 in an IPv4 ethertype: OVS does
                                 * not look at the version, nor does the
                                 * NIC. */
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_OK);
    f.buf[f.l3] = 0x4f;         /* IHL 60 > the frame's IP bytes. */
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_TRUNC_IP);
    tp_build(&f, &s);
    f.buf[f.l3 + 2] = 0xff;     /* Total length beyond the frame. */
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_BAD_IP);
}
END_TEST

/* Every truncation of every kind of frame parses to some status without
 * reading past the end. */
START_TEST(test_parse_every_truncation)
{
    static const struct tp_spec specs[] = {
        { .ip_version = 4, .proto = IPPROTO_TCP, .n_vlans = 2 },
        { .ip_version = 4, .proto = IPPROTO_UDP, .ipv4_options_len = 4 },
        { .ip_version = 4, .proto = IPPROTO_ICMP },
        { .ip_version = 6, .proto = IPPROTO_UDP, .ipv6_n_ext = 2 },
        { .ip_version = 6, .proto = IPPROTO_ICMPV6, .n_vlans = 1 },
        { .ip_version = 0 },
    };
    const struct tp_spec *s = &specs[_i];
    struct nic_flow_key k;
    struct nic_parse_offsets o;
    struct tp_frame f;

    tp_build(&f, s);
    ck_assert_int_eq(parse(&f, f.len, &k, &o), NIC_PARSE_OK);
    for (size_t len = 0; len < f.len; len++) {
        enum nic_parse_status st = parse(&f, len, &k, &o);

        ck_assert_int_lt(st, NIC_N_PARSE_STATUS);
        if (len < ETH_HEADER_LEN) {
            ck_assert_int_eq(st, NIC_PARSE_RUNT);
        } else if (s->ip_version && len > ETH_HEADER_LEN + 4 * s->n_vlans) {
            /* The IP length field now claims more than is there. */
            ck_assert_int_ne(st, NIC_PARSE_OK);
        }
    }
}
END_TEST

START_TEST(test_parse_status_names)
{
    for (int i = 0; i < NIC_N_PARSE_STATUS; i++) {
        ck_assert_ptr_nonnull(nic_parse_status_to_string(i));
    }
    ck_assert_str_eq(nic_parse_status_to_string(NIC_N_PARSE_STATUS),
                     "unknown");
}
END_TEST

Suite *
nic_parse_suite(void)
{
    Suite *s = suite_create("nic-parse");
    TCase *tc = tcase_create("well-formed");

    tcase_add_test(tc, test_parse_ipv4_tcp);
    tcase_add_test(tc, test_parse_ipv4_options_udp);
    tcase_add_test(tc, test_parse_vlans);
    tcase_add_test(tc, test_parse_arp);
    tcase_add_test(tc, test_parse_ipv6_ext);
    tcase_add_test(tc, test_parse_ipv4_fragments);
    tcase_add_test(tc, test_parse_vxlan_and_geneve);
    tcase_add_test(tc, test_parse_status_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_add_test(tc, test_parse_three_vlans);
    tcase_add_test(tc, test_parse_ipv6_ext_chain_too_long);
    tcase_add_test(tc, test_parse_malformed_ipv4);
    tcase_add_loop_test(tc, test_parse_every_truncation, 0, 6);
    suite_add_tcase(s, tc);
    return s;
}
