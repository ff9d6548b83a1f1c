/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/nic-media: every medium that needs no root, opened by
 * its spec through the public API, sending, receiving and counting. */

#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csum.h"
#include "dp-packet.h"
#include "lib/nic.h"
#include "lib/nic-media.h"
#include "lib/nic-pktpool.h"
#include "tests/unit-tests.h"
#include "util.h"

/* A frame of 'len' bytes whose bytes say 'seed' and their offset, so that
 * a frame received whole and in order is told from any other. */
static struct dp_packet *
make_frame(size_t len, uint8_t seed)
{
    struct dp_packet *pkt = dp_packet_new(len);
    uint8_t *p = dp_packet_put_uninit(pkt, len);

    for (size_t i = 0; i < len; i++) {
        p[i] = seed + i;
    }
    return pkt;
}

static void
check_frame(struct dp_packet *pkt, size_t len, uint8_t seed)
{
    const uint8_t *p = dp_packet_data(pkt);

    ck_assert_uint_eq(dp_packet_size(pkt), len);
    for (size_t i = 0; i < len; i++) {
        ck_assert_uint_eq(p[i], (uint8_t) (seed + i));
    }
}

static struct nic_medium *
open_ok(const char *spec)
{
    struct nic_medium *m;
    char *error;

    ck_assert_int_eq(nic_medium_open(spec, &m, &error), 0);
    ck_assert_ptr_null(error);
    ck_assert_str_eq(nic_medium_spec(m), spec);
    return m;
}

static void
check_stats(const struct nic_medium *m, uint64_t rx_errors,
            uint64_t tx_errors)
{
    struct nic_medium_stats stats;

    nic_medium_get_stats(m, &stats);
    ck_assert_uint_eq(stats.rx_errors, rx_errors);
    ck_assert_uint_eq(stats.tx_errors, tx_errors);
}

/* Receives from 'm' until a frame arrives, running 'also' (the peer, which
 * may have to accept or flush first) in between; the test's timeout bounds
 * the wait. */
static struct dp_packet *
recv_one(struct nic_medium *m, struct nic_medium *also)
{
    for (;;) {
        struct dp_packet *pkt;

        nic_medium_run(m);
        if (nic_medium_recv(m, &pkt, 1) == 1) {
            return pkt;
        }
        if (also) {
            struct dp_packet *other;

            ck_assert_int_eq(nic_medium_recv(also, &other, 1), 0);
        }
        usleep(1000);
    }
}

START_TEST(test_nic_media_bad_specs)
{
    static const struct {
        const char *spec;
        int error;
        const char *message;
    } cases[] = {
#ifdef HAVE_NIC_XDP
#define UNKNOWN(SPEC) \
        { SPEC, EINVAL, "unknown medium \"" SPEC "\" (use afpacket:IF, " \
          "afxdp:IF, punix:PATH, unix:PATH, pcap:RX,TX, gen:N,LEN or none)" }
#else
#define UNKNOWN(SPEC) \
        { SPEC, EINVAL, "unknown medium \"" SPEC "\" (use afpacket:IF, " \
          "punix:PATH, unix:PATH, pcap:RX,TX, gen:N,LEN or none " \
          "(afxdp:IF: not built, no XDP))" }
#endif
        UNKNOWN("carrier-pigeon:1"),
        UNKNOWN("none:x"),
        UNKNOWN("afpacket:"),
        UNKNOWN("afpacket"),
        UNKNOWN("afxdp:"),
        UNKNOWN("gen"),
        UNKNOWN("unix:"),
        UNKNOWN(""),
#undef UNKNOWN
        { "afpacket:no-such-if0", ENODEV, "no interface no-such-if0" },
#ifdef HAVE_NIC_XDP
        { "afxdp:no-such-if0", ENODEV, "no interface no-such-if0" },
#endif
        { "pcap:-,x.pcap,append", EINVAL,
          "pcap wants RX,TX[,overwrite], not \"-,x.pcap,append\"" },
        { "pcap:/nonexistent/rx.pcap", ENOENT,
          "cannot read pcap file /nonexistent/rx.pcap" },
        { "gen:1,64,10,50", EINVAL,
          "gen's elephant share (N,LEN,PPS,E) wants 0 <= E <= 100 percent "
          "and N >= 2 flows with E > 0, not \"1,64,10,50\"" },
        { "gen:4,64,10,101", EINVAL,
          "gen's elephant share (N,LEN,PPS,E) wants 0 <= E <= 100 percent "
          "and N >= 2 flows with E > 0, not \"4,64,10,101\"" },
        { "gen:1,64,abc", EINVAL,
          "gen wants N,LEN[,PPS] with 1 <= N <= 16777216, "
          "60 <= LEN <= 9000 and 1 <= PPS <= 100000000, all decimal, "
          "not \"1,64,abc\"" },
        { "punix:/nonexistent/sock", ENOENT,
          "cannot listen on punix:/nonexistent/sock: "
          "No such file or directory" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        /* Not NULL before, so that the assertion below sees it reset. */
        struct nic_medium *m = (struct nic_medium *) &cases;
        char *error;

        ck_assert_int_eq(nic_medium_open(cases[i].spec, &m, &error),
                         cases[i].error);
        ck_assert_ptr_null(m);
        ck_assert_str_eq(error, cases[i].message);
        free(error);
    }
}
END_TEST

START_TEST(test_nic_media_none)
{
    struct nic_medium *m = open_ok("none");
    struct dp_packet *pkts[2] = { make_frame(60, 1), make_frame(100, 2) };
    uint64_t bytes;

    nic_medium_run(m);
    ck_assert_int_eq(nic_medium_recv(m, pkts, 2), 0);
    ck_assert_int_eq(nic_medium_send(m, pkts[0]), 0);
    ck_assert_int_eq(nic_medium_send_batch(m, pkts, 2, &bytes), 2);
    ck_assert_uint_eq(bytes, 160);
    ck_assert(nic_medium_link_up(m));
    ck_assert_uint_eq(nic_medium_gen_n_flows(m), 0);
    check_stats(m, 0, 0);
    nic_medium_close(m);
    dp_packet_delete(pkts[0]);
    dp_packet_delete(pkts[1]);
}
END_TEST

START_TEST(test_nic_media_gen)
{
    struct nic_medium *m = open_ok("gen:4,64");
    struct dp_packet *pkts[8];
    uint64_t bytes;

    ck_assert_uint_eq(nic_medium_gen_n_flows(m), 4);
    ck_assert(nic_medium_link_up(m));
    ck_assert_int_eq(nic_medium_recv(m, pkts, 8), 8);
    for (int i = 0; i < 8; i++) {
        const uint8_t *p = dp_packet_data(pkts[i]);

        /* UDP over IPv4 to 11.0.0.FLOW, flows in turn, header checksum
         * right. */
        ck_assert_uint_eq(dp_packet_size(pkts[i]), 64);
        ck_assert_uint_eq(p[23], 17);
        ck_assert_uint_eq(p[30], 11);
        ck_assert_uint_eq(p[33], i % 4);
        ck_assert_uint_eq(csum(p + 14, 20), 0);
    }
    ck_assert_int_eq(nic_medium_send_batch(m, pkts, 8, &bytes), 8);
    ck_assert_uint_eq(bytes, 8 * 64);
    check_stats(m, 0, 0);
    for (int i = 0; i < 8; i++) {
        dp_packet_delete(pkts[i]);
    }
    nic_medium_close(m);

    /* At one frame per second, none is due yet. */
    m = open_ok("gen:1,60,1");
    ck_assert_int_eq(nic_medium_recv(m, pkts, 8), 0);
    nic_medium_close(m);

    /* An elephant of 50 %: every other frame is flow 0, the others the
     * mice 1..3 in turn. */
    m = open_ok("gen:4,64,100000000,50");
    static const int flows[8] = { 1, 0, 2, 0, 3, 0, 1, 0 };
    int got = 0;
    while (got < 8) {
        int n = nic_medium_recv(m, pkts + got, 8 - got);
        ck_assert_int_ge(n, 0);
        got += n;
    }
    for (int i = 0; i < 8; i++) {
        ck_assert_uint_eq(((const uint8_t *) dp_packet_data(pkts[i]))[33],
                          flows[i]);
        dp_packet_delete(pkts[i]);
    }
    nic_medium_close(m);
}
END_TEST

START_TEST(test_nic_media_pcap)
{
    static const size_t lens[] = { 60, 1514, 9000 };
    char dir[] = "/tmp/test-nic-media-XXXXXX";
    struct dp_packet *pkts[ARRAY_SIZE(lens) + 1];
    struct nic_medium *m;
    char *path, *spec;
    uint64_t bytes;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    path = xasprintf("%s/frames.pcap", dir);

    /* Written one by one and in a batch... */
    spec = xasprintf("pcap:-,%s", path);
    m = open_ok(spec);
    for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
        pkts[i] = make_frame(lens[i], i);
    }
    ck_assert_int_eq(nic_medium_send(m, pkts[0]), 0);
    ck_assert_int_eq(nic_medium_send_batch(m, pkts + 1, 2, &bytes), 2);
    ck_assert_uint_eq(bytes, lens[1] + lens[2]);
    for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
        dp_packet_delete(pkts[i]);
    }
    /* ...and one more than the pipeline takes, which pcap can hold. */
    pkts[0] = make_frame(UINT16_MAX, 0);
    ck_assert_int_eq(nic_medium_send(m, pkts[0]), 0);
    dp_packet_delete(pkts[0]);
    check_stats(m, 0, 0);
    nic_medium_close(m);
    free(spec);

    /* ...read back in order, the long one dropped and counted. */
    spec = xasprintf("pcap:%s,-", path);
    m = open_ok(spec);
    ck_assert_int_eq(nic_medium_recv(m, pkts, ARRAY_SIZE(pkts)),
                     ARRAY_SIZE(lens));
    for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
        check_frame(pkts[i], lens[i], i);
        dp_packet_delete(pkts[i]);
    }
    ck_assert_int_eq(nic_medium_recv(m, pkts, ARRAY_SIZE(pkts)), 0);
    check_stats(m, 1, 0);
    nic_medium_close(m);
    free(spec);

    unlink(path);
    free(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_nic_media_stream)
{
    char dir[] = "/tmp/test-nic-media-XXXXXX";
    struct nic_medium *listener, *connector;
    struct dp_packet *pkt, *got;
    char *path, *spec;
    int n_failed = 0;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    path = xasprintf("%s/sock", dir);
    spec = xasprintf("punix:%s", path);
    listener = open_ok(spec);
    free(spec);
    spec = xasprintf("unix:%s", path);
    connector = open_ok(spec);
    free(spec);

    /* Not connected yet: refused and counted. */
    pkt = make_frame(60, 7);
    ck_assert_int_eq(nic_medium_send(connector, pkt), ENOTCONN);
    check_stats(connector, 0, 1);

    /* The connection comes about in the media's recv. */
    while (nic_medium_send(connector, pkt)) {
        struct dp_packet *none;

        n_failed++;
        ck_assert_int_eq(nic_medium_recv(connector, &none, 1), 0);
        ck_assert_int_eq(nic_medium_recv(listener, &none, 1), 0);
        usleep(1000);
    }
    check_stats(connector, 0, 1 + n_failed);
    got = recv_one(listener, connector);
    check_frame(got, 60, 7);
    dp_packet_delete(got);
    dp_packet_delete(pkt);

    /* The other way, in a batch, and a frame the pipeline cannot take. */
    struct dp_packet *pkts[3] = {
        make_frame(1514, 1), make_frame(UINT16_MAX, 2), make_frame(61, 3),
    };
    uint64_t bytes;

    ck_assert_int_eq(nic_medium_send_batch(listener, pkts, 3, &bytes), 3);
    ck_assert_uint_eq(bytes, 1514 + UINT16_MAX + 61);
    got = recv_one(connector, listener);
    check_frame(got, 1514, 1);
    dp_packet_delete(got);
    got = recv_one(connector, listener);
    check_frame(got, 61, 3);
    dp_packet_delete(got);
    check_stats(connector, 1, 1 + n_failed);
    check_stats(listener, 0, 0);
    ck_assert(nic_medium_link_up(listener));
    for (int i = 0; i < 3; i++) {
        dp_packet_delete(pkts[i]);
    }

    nic_medium_close(connector);
    nic_medium_close(listener);
    unlink(path);
    free(path);
    rmdir(dir);
}
END_TEST

/* What a consumer of a packet can see of it: all that
 * dp_packet_new_with_headroom() sets, and the bytes. */
static void
check_like_fresh(struct dp_packet *p, const void *data, size_t size,
                 size_t headroom)
{
    struct dp_packet *fresh = dp_packet_clone_data_with_headroom(data, size,
                                                                 headroom);

    ck_assert_uint_eq(dp_packet_size(p), size);
    ck_assert_uint_eq(dp_packet_headroom(p), headroom);
    ck_assert(!memcmp(dp_packet_data(p), data, size));
    ck_assert_uint_eq(p->source, fresh->source);
    ck_assert_uint_eq(p->packet_type, fresh->packet_type);
    ck_assert_uint_eq(p->md.in_port.odp_port, fresh->md.in_port.odp_port);
    ck_assert_uint_eq(p->md.recirc_id, fresh->md.recirc_id);
    ck_assert_uint_eq(p->md.pkt_mark, fresh->md.pkt_mark);
    ck_assert_uint_eq(p->md.skb_priority, fresh->md.skb_priority);
    ck_assert_uint_eq(p->md.dp_hash, fresh->md.dp_hash);
    ck_assert_uint_eq(p->l2_5_ofs, fresh->l2_5_ofs);
    ck_assert_uint_eq(p->l3_ofs, fresh->l3_ofs);
    ck_assert_uint_eq(p->l4_ofs, fresh->l4_ofs);
    ck_assert_uint_eq(dp_packet_get_cutlen(p), dp_packet_get_cutlen(fresh));
    /* OVS resets only the flags it knows (the rest is left as malloc()
     * gave it). */
    ck_assert_uint_eq(*dp_packet_ol_flags_ptr(p) & DP_PACKET_OL_SUPPORTED_MASK,
                      (*dp_packet_ol_flags_ptr(fresh)
                       & DP_PACKET_OL_SUPPORTED_MASK));
    dp_packet_delete(fresh);
}

/* The engines' packet pool: a reused packet is one dp_packet_new() would
 * give, whatever was done to it before; a buffer made for a small frame
 * carries a full-sized one; too small a buffer (for a jumbo) is not used;
 * what does not fit the pool is freed (no leak under valgrind/ASan). */
START_TEST(test_nic_pktpool)
{
    uint8_t frame[64], big[9000];
    unsigned long long reused, allocated, reused0, allocated0;
    struct dp_packet *a, *b, *many[300];
    uint32_t mark;

    for (size_t i = 0; i < sizeof big; i++) {
        big[i] = i * 7;
    }
    memcpy(frame, big + 100, sizeof frame);
    /* Other tests in the same process may have used the pool. */
    nic_pktpool_stats(&reused0, &allocated0);

    a = nic_pktpool_clone_data(frame, sizeof frame, 64);
    check_like_fresh(a, frame, sizeof frame, 64);
    nic_pktpool_stats(&reused, &allocated);
    ck_assert_uint_eq(reused - reused0, 0);
    ck_assert_uint_eq(allocated - allocated0, 1);

    /* Used as the pipeline uses packets, then given back. */
    a->md.in_port.odp_port = 5;
    a->md.pkt_mark = 9;
    dp_packet_set_flow_mark(a, 77);
    a->l3_ofs = 14;
    dp_packet_push_uninit(a, 4);
    dp_packet_set_cutlen(a, 10);
    nic_pktpool_free(a);

    b = nic_pktpool_clone_data(big + 3, 60, 32);
    ck_assert_ptr_eq(a, b);
    check_like_fresh(b, big + 3, 60, 32);
    ck_assert(!dp_packet_has_flow_mark(b, &mark));
    nic_pktpool_stats(&reused, &allocated);
    ck_assert_uint_eq(reused - reused0, 1);
    ck_assert_uint_eq(allocated - allocated0, 1);
    nic_pktpool_free(b);

    /* Made for 64 bytes, it carries a 1518-byte frame. */
    b = nic_pktpool_clone_data(big + 1, 1518, 64);
    ck_assert_ptr_eq(a, b);
    check_like_fresh(b, big + 1, 1518, 64);
    nic_pktpool_stats(&reused, &allocated);
    ck_assert_uint_eq(reused - reused0, 2);
    ck_assert_uint_eq(allocated - allocated0, 1);
    nic_pktpool_free(b);

    /* Too small for a jumbo frame: freed, a new one made. */
    b = nic_pktpool_clone_data(big, sizeof big, 64);
    check_like_fresh(b, big, sizeof big, 64);
    nic_pktpool_stats(&reused, &allocated);
    ck_assert_uint_eq(reused - reused0, 2);
    ck_assert_uint_eq(allocated - allocated0, 2);
    dp_packet_delete(b);        /* Pool packets need not go back. */

    for (size_t i = 0; i < ARRAY_SIZE(many); i++) {
        many[i] = nic_pktpool_clone_data(frame, sizeof frame, 64);
    }
    nic_pktpool_free_batch(many, ARRAY_SIZE(many));
    nic_pktpool_free(NULL);
}
END_TEST

Suite *
nic_media_suite(void)
{
    Suite *s = suite_create("nic-media");
    TCase *tc = tcase_create("media");

    tcase_add_test(tc, test_nic_media_bad_specs);
    tcase_add_test(tc, test_nic_media_none);
    tcase_add_test(tc, test_nic_media_gen);
    tcase_add_test(tc, test_nic_media_pcap);
    tcase_add_test(tc, test_nic_media_stream);
    tcase_add_test(tc, test_nic_pktpool);
    suite_add_tcase(s, tc);
    return s;
}
