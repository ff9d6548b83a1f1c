/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/nic-rss: the Toeplitz hash against Microsoft's RSS
 * verification suite, and the indirection table. */

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nic.h"
#include "lib/nic-rss.h"
#include "packets.h"
#include "tests/unit-tests.h"

struct rss_vector4 {
    const char *src, *dst;
    uint16_t src_port, dst_port;
    uint32_t hash_ip, hash_tcp;
};

/* "Verifying the RSS Hash Calculation", Microsoft RSS specification. */
static const struct rss_vector4 rss_vectors4[] = {
    { "66.9.149.187", "161.142.100.80", 2794, 1766, 0x323e8fc2, 0x51ccc178 },
    { "199.92.111.2", "65.69.140.83", 14230, 4739, 0xd718262a, 0xc626b0ea },
    { "24.19.198.95", "12.22.207.184", 12898, 38024, 0xd2d0a5de, 0x5c2b394a },
    { "38.27.205.30", "209.142.163.6", 48228, 2217, 0x82989176, 0xafc7327f },
    { "153.39.163.191", "202.188.127.2", 44251, 1303,
      0x5d1809c5, 0x10e828a2 },
};

struct rss_vector6 {
    const char *src, *dst;
    uint16_t src_port, dst_port;
    uint32_t hash_ip, hash_tcp;
};

static const struct rss_vector6 rss_vectors6[] = {
    { "3ffe:2501:200:1fff::7", "3ffe:2501:200:3::1", 2794, 1766,
      0x2cc18cd5, 0x40207d3d },
    { "3ffe:501:8::260:97ff:fe40:efab", "ff02::1", 14230, 4739,
      0x0f0c461c, 0xdde51bbf },
    { "3ffe:1900:4545:3:200:f8ff:fe21:67cf", "fe80::200:f8ff:fe21:67cf",
      44251, 38024, 0x4b61e985, 0x02d1feef },
};

START_TEST(test_rss_ipv4_vectors)
{
    const struct rss_vector4 *v = &rss_vectors4[_i];
    struct in_addr src, dst;
    uint16_t sp = htons(v->src_port), dp = htons(v->dst_port);
    uint8_t buf[12];
    size_t n;

    ck_assert_int_eq(inet_pton(AF_INET, v->src, &src), 1);
    ck_assert_int_eq(inet_pton(AF_INET, v->dst, &dst), 1);

    n = nic_rss_input_ipv4(buf, src.s_addr, dst.s_addr, NULL, NULL);
    ck_assert_uint_eq(n, 8);
    ck_assert_uint_eq(nic_rss_toeplitz(nic_rss_default_key,
                                       NIC_RSS_KEY_LEN, buf, n),
                      v->hash_ip);

    n = nic_rss_input_ipv4(buf, src.s_addr, dst.s_addr, &sp, &dp);
    ck_assert_uint_eq(n, 12);
    ck_assert_uint_eq(nic_rss_toeplitz(nic_rss_default_key,
                                       NIC_RSS_KEY_LEN, buf, n),
                      v->hash_tcp);
}
END_TEST

START_TEST(test_rss_ipv6_vectors)
{
    const struct rss_vector6 *v = &rss_vectors6[_i];
    uint8_t src[16], dst[16], buf[36];
    uint16_t sp = htons(v->src_port), dp = htons(v->dst_port);
    size_t n;

    ck_assert_int_eq(inet_pton(AF_INET6, v->src, src), 1);
    ck_assert_int_eq(inet_pton(AF_INET6, v->dst, dst), 1);

    n = nic_rss_input_ipv6(buf, src, dst, NULL, NULL);
    ck_assert_uint_eq(n, 32);
    ck_assert_uint_eq(nic_rss_toeplitz(nic_rss_default_key,
                                       NIC_RSS_KEY_LEN, buf, n),
                      v->hash_ip);

    n = nic_rss_input_ipv6(buf, src, dst, &sp, &dp);
    ck_assert_uint_eq(n, 36);
    ck_assert_uint_eq(nic_rss_toeplitz(nic_rss_default_key,
                                       NIC_RSS_KEY_LEN, buf, n),
                      v->hash_tcp);
}
END_TEST

/* The hash of a host flow from 'src':'sp' to 'dst':'dp'. */
static uint32_t
rss_host_flow_hash(int af, const char *src, const char *dst, uint16_t sp,
                   uint16_t dp, const uint8_t *key)
{
    struct nic_host_flow hf;

    memset(&hf, 0, sizeof hf);
    hf.dl_type = htons(af == AF_INET ? ETH_TYPE_IP : ETH_TYPE_IPV6);
    hf.nw_proto = IPPROTO_TCP;
    ck_assert_int_eq(inet_pton(af, src, hf.nw_src), 1);
    ck_assert_int_eq(inet_pton(af, dst, hf.nw_dst), 1);
    hf.tp_src = htons(sp);
    hf.tp_dst = htons(dp);
    return nic_host_flow_rss_hash(&hf, key);
}

/* A host flow's hash, as the CPU aligner computes it to find its
 * indirection entry, is the NIC's: the specification's TCP vectors. */
START_TEST(test_rss_host_flow_hash)
{
    for (size_t i = 0; i < ARRAY_SIZE(rss_vectors4); i++) {
        const struct rss_vector4 *v = &rss_vectors4[i];

        ck_assert_uint_eq(rss_host_flow_hash(AF_INET, v->src, v->dst,
                                             v->src_port, v->dst_port, NULL),
                          v->hash_tcp);
        ck_assert_uint_eq(rss_host_flow_hash(AF_INET, v->src, v->dst,
                                             v->src_port, v->dst_port,
                                             nic_rss_default_key),
                          v->hash_tcp);
    }
    for (size_t i = 0; i < ARRAY_SIZE(rss_vectors6); i++) {
        const struct rss_vector6 *v = &rss_vectors6[i];

        ck_assert_uint_eq(rss_host_flow_hash(AF_INET6, v->src, v->dst,
                                             v->src_port, v->dst_port, NULL),
                          v->hash_tcp);
    }

    /* Its name and match. */
    struct nic_host_flow hf;
    struct nic_match m;
    memset(&hf, 0, sizeof hf);
    hf.dl_type = htons(ETH_TYPE_IP);
    hf.nw_proto = IPPROTO_UDP;
    ck_assert_int_eq(inet_pton(AF_INET, "10.0.1.100", hf.nw_src), 1);
    ck_assert_int_eq(inet_pton(AF_INET, "10.0.1.1", hf.nw_dst), 1);
    hf.tp_src = htons(1000);
    hf.tp_dst = htons(7);
    char *name = nic_host_flow_name(&hf);
    ck_assert_str_eq(name, "udp 10.0.1.100:1000>10.0.1.1:7");
    free(name);
    nic_host_flow_match(&hf, &m);
    ck_assert(m.key.tp_src == htons(1000) && m.mask.tp_src == OVS_BE16_MAX);
    ck_assert_uint_eq(m.mask.nw_src[3], 0xff);
    ck_assert_uint_eq(m.mask.nw_src[4], 0);
    uint64_t id = nic_host_flow_id(&hf);
    hf.tp_src = htons(1001);
    ck_assert(nic_host_flow_id(&hf) != id);
}
END_TEST

START_TEST(test_rss_empty_input)
{
    ck_assert_uint_eq(nic_rss_toeplitz(nic_rss_default_key,
                                       NIC_RSS_KEY_LEN, "", 0), 0);
}
END_TEST

START_TEST(test_rss_reta_spread)
{
    struct nic_rss rss;
    unsigned int per_queue[4] = { 0 };

    nic_rss_init(&rss, 4);
    for (uint32_t h = 0; h < NIC_RSS_RETA_SIZE; h++) {
        uint16_t q = nic_rss_queue(&rss, h);

        ck_assert_uint_lt(q, 4);
        per_queue[q]++;
    }
    for (int q = 0; q < 4; q++) {
        ck_assert_uint_eq(per_queue[q], NIC_RSS_RETA_SIZE / 4);
    }
    /* Only the low 7 bits of the hash select the entry. */
    ck_assert_uint_eq(nic_rss_queue(&rss, 0x12345680),
                      nic_rss_queue(&rss, 0x00000000));
}
END_TEST

START_TEST(test_rss_reta_set)
{
    static const uint16_t two[] = { 3, 1 };
    static const uint16_t bad_queue[] = { 0, 4 };
    static const uint16_t three[] = { 0, 1, 2 };
    struct nic_rss rss;

    nic_rss_init(&rss, 4);
    ck_assert_int_eq(nic_rss_set_reta(&rss, two, 2), 0);
    for (uint32_t h = 0; h < NIC_RSS_RETA_SIZE; h++) {
        ck_assert_uint_eq(nic_rss_queue(&rss, h), h % 2 ? 1 : 3);
    }
    /* Rejected tables leave the previous one in force. */
    ck_assert_int_eq(nic_rss_set_reta(&rss, bad_queue, 2), EINVAL);
    ck_assert_int_eq(nic_rss_set_reta(&rss, three, 3), EINVAL);
    ck_assert_int_eq(nic_rss_set_reta(&rss, two, 0), EINVAL);
    ck_assert_uint_eq(nic_rss_queue(&rss, 0), 3);
}
END_TEST

START_TEST(test_rss_bad_config)
{
    struct nic_rss rss;
    uint8_t key[NIC_RSS_KEY_LEN] = { 0 };

    nic_rss_init(&rss, 0);
    ck_assert_uint_eq(rss.n_queues, 1);
    ck_assert_int_eq(nic_rss_set_n_queues(&rss, 0), EINVAL);
    ck_assert_int_eq(nic_rss_set_n_queues(&rss, 129), EINVAL);
    ck_assert_int_eq(nic_rss_set_key(&rss, key, 10), EINVAL);
    ck_assert_int_eq(nic_rss_set_key(&rss, key, sizeof key), 0);
    ck_assert_uint_eq(nic_rss_toeplitz(rss.key, sizeof rss.key,
                                       "abcd", 4), 0);
}
END_TEST

Suite *
nic_rss_suite(void)
{
    Suite *s = suite_create("nic-rss");
    TCase *tc = tcase_create("toeplitz");

    tcase_add_loop_test(tc, test_rss_ipv4_vectors, 0,
                        sizeof rss_vectors4 / sizeof *rss_vectors4);
    tcase_add_loop_test(tc, test_rss_ipv6_vectors, 0,
                        sizeof rss_vectors6 / sizeof *rss_vectors6);
    tcase_add_test(tc, test_rss_empty_input);
    tcase_add_test(tc, test_rss_host_flow_hash);
    suite_add_tcase(s, tc);

    tc = tcase_create("indirection");
    tcase_add_test(tc, test_rss_reta_spread);
    tcase_add_test(tc, test_rss_reta_set);
    tcase_add_test(tc, test_rss_bad_config);
    suite_add_tcase(s, tc);
    return s;
}
