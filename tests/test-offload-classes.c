/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/offload-classes and lib/offload-syn-guard: the
 * classifier, token buckets, the priority scheduler and the SYN guard's
 * state machine, on a fake clock. */

#include <config.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lib/offload-classes.h"
#include "lib/offload-syn-auth.h"
#include "lib/offload-syn-guard.h"
#include "tests/unit-tests.h"
#include "util.h"

#define MS 1000000ULL                   /* Nanoseconds. */

static struct nic_match
tc_match(const char *s)
{
    struct nic_match m;
    char *error = nic_match_from_string(s, &m);

    ck_assert_msg(!error, "%s: %s", s, error);
    return m;
}

static struct nic_flow_key
tc_tcp_key(uint16_t dst_port, uint16_t flags)
{
    struct nic_flow_key k;

    memset(&k, 0, sizeof k);
    k.dl_type = htons(0x0800);
    k.nw_proto = IPPROTO_TCP;
    k.tp_dst = htons(dst_port);
    k.tcp_flags = htons(flags);
    return k;
}

static struct offload_class_config
tc_class(const char *name, uint32_t prio, uint32_t weight, uint32_t depth,
         uint64_t pps)
{
    struct offload_class_config c = {
        .queue = 0, .n_queues = 1, .priority = prio, .weight = weight,
        .depth = depth, .pps = pps,
    };
    ovs_strlcpy(c.name, name, sizeof c.name);
    return c;
}

START_TEST(test_tb_rate)
{
    struct offload_tb tb;
    int n = 0;

    offload_tb_init(&tb, 1000, 10, 0);
    /* The burst at once, then nothing until time passes. */
    for (int i = 0; i < 100; i++) {
        n += offload_tb_take(&tb, 0);
    }
    ck_assert_int_eq(n, 10);
    /* One second at 1000/s: 1000 more, never more than the burst saved. */
    n = 0;
    for (uint64_t t = 0; t < 1000 * MS; t += MS / 10) {
        n += offload_tb_take(&tb, t);
    }
    ck_assert_int_ge(n, 995);
    ck_assert_int_le(n, 1001);
    /* A long idle spell saves only the burst (and does not overflow). */
    n = 0;
    for (int i = 0; i < 100; i++) {
        n += offload_tb_take(&tb, UINT64_MAX / 2);
    }
    ck_assert_int_eq(n, 10);
}
END_TEST

START_TEST(test_classifier_priority)
{
    struct offload_classifier c;

    offload_classifier_init(&c, 0);
    struct nic_match syn = tc_match("dl_type=0x800,nw_proto=6,"
                                    "tcp_flags=0x2/0x12");
    struct nic_match web = tc_match("dl_type=0x800,nw_proto=6,tp_dst=80");
    ck_assert_int_eq(offload_classifier_add(&c, &web, 10, 2), 0);
    ck_assert_int_eq(offload_classifier_add(&c, &syn, 20, 1), 0);

    /* A SYN to port 80 matches both: the higher priority wins, whatever
     * the order of insertion. */
    struct nic_flow_key k = tc_tcp_key(80, 0x2);
    ck_assert_int_eq(offload_classifier_lookup(&c, &k), 1);
    k = tc_tcp_key(80, 0x12);            /* SYN-ACK: not the SYN rule. */
    ck_assert_int_eq(offload_classifier_lookup(&c, &k), 2);
    k = tc_tcp_key(80, 0x10);
    ck_assert_int_eq(offload_classifier_lookup(&c, &k), 2);
    k = tc_tcp_key(22, 0x10);
    ck_assert_int_eq(offload_classifier_lookup(&c, &k), 0);
    ck_assert_int_eq(c.n_default, 1);
    ck_assert_int_eq(c.rules[0].priority, 20);
    ck_assert_int_eq(c.rules[0].n_packets, 1);
    ck_assert_int_eq(c.rules[1].n_packets, 2);

    /* Duplicates refused, with their key bits outside the mask too. */
    struct nic_match dup = web;
    dup.key.tp_src = htons(5);
    ck_assert_int_eq(offload_classifier_add(&c, &dup, 10, 3), EEXIST);
    /* Same priority, overlapping, another class: the order would be
     * arbitrary, refused; another priority orders them, accepted. */
    struct nic_match tcp = tc_match("dl_type=0x800,nw_proto=6");
    ck_assert_int_eq(offload_classifier_add(&c, &tcp, 10, 3), EBUSY);
    ck_assert_int_eq(offload_classifier_add(&c, &tcp, 10, 2), 0);
    ck_assert_int_eq(offload_classifier_add(&c, &tcp, 5, 3), 0);
    struct nic_match udp = tc_match("dl_type=0x800,nw_proto=17");
    ck_assert(!offload_matches_overlap(&udp, &tcp));
    ck_assert_int_eq(offload_classifier_add(&c, &udp, 10, 3), 0);

    ck_assert_int_eq(offload_classifier_del(&c, &syn, 20), 0);
    ck_assert_int_eq(offload_classifier_del(&c, &syn, 20), ENOENT);
    k = tc_tcp_key(80, 0x2);
    ck_assert_int_eq(offload_classifier_lookup(&c, &k), 2);
    offload_classifier_destroy(&c);
}
END_TEST

START_TEST(test_class_config_check)
{
    struct offload_class_config c = tc_class("a", 3, 1, 64, 0);
    char *error;

    ck_assert_ptr_null(offload_class_config_check(&c, 4));
    c.queue = 3;
    c.n_queues = 2;
    error = offload_class_config_check(&c, 4);
    ck_assert_ptr_nonnull(error);
    ck_assert(strstr(error, "4 receive queues"));
    free(error);
    c = tc_class("a", 8, 1, 64, 0);
    error = offload_class_config_check(&c, 0);
    ck_assert_ptr_nonnull(error);
    free(error);
    c = tc_class("a", 1, 0, 64, 0);
    error = offload_class_config_check(&c, 0);
    ck_assert_ptr_nonnull(error);
    free(error);
    c = tc_class("", 1, 1, 64, 0);
    error = offload_class_config_check(&c, 0);
    ck_assert_ptr_nonnull(error);
    free(error);
}
END_TEST

static void
tc_conserved(const struct offload_sched *s)
{
    for (size_t i = 0; i < s->n_classes; i++) {
        ck_assert_msg(offload_class_stats_conserved(&s->classes[i].stats),
                      "class %zu", i);
    }
}

/* A slow consumer: every ms 8 packets arrive in each of three classes and
 * the host takes 10.  The high class gets all it offers, the two low
 * ones share the rest 3:1 by weight, and drop the excess at their ring. */
START_TEST(test_sched_slow_consumer)
{
    struct offload_sched s;
    struct offload_class_config hi = tc_class("hi", 6, 1, 16, 0);
    struct offload_class_config lo_a = tc_class("lo-a", 1, 3, 16, 0);
    struct offload_class_config lo_b = tc_class("lo-b", 1, 1, 16, 0);
    size_t ihi, ia, ib;
    uint64_t got[3] = { 0, 0, 0 };
    intptr_t tag = 1;

    offload_sched_init(&s);
    ck_assert_int_eq(offload_sched_add_class(&s, &lo_a, 0, &ia), 0);
    ck_assert_int_eq(offload_sched_add_class(&s, &hi, 0, &ihi), 0);
    ck_assert_int_eq(offload_sched_add_class(&s, &lo_b, 0, &ib), 0);
    ck_assert_int_eq(offload_sched_add_class(&s, &hi, 0, &ihi), EEXIST);

    for (uint64_t t = 0; t < 1000; t++) {
        size_t idx[3] = { ihi, ia, ib };
        for (int k = 0; k < 8; k++) {
            for (int j = 0; j < 3; j++) {
                enum offload_class_drop reason;
                offload_sched_enqueue(&s, idx[j], (void *) tag++, t * MS,
                                      &reason);
            }
        }
        void *pkts[10];
        uint32_t classes[10];
        size_t n = offload_sched_dequeue(&s, pkts, classes, 10);
        ck_assert_int_eq(n, 10);
        for (size_t i = 0; i < n; i++) {
            got[classes[i] == ihi ? 0 : classes[i] == ia ? 1 : 2]++;
        }
        tc_conserved(&s);
    }
    ck_assert_int_eq(got[0], 8000);     /* All of the high class. */
    ck_assert_int_eq(s.classes[ihi].stats.drops[OFFLOAD_CLASS_DROP_RING_FULL],
                     0);
    /* 2 per ms left for the low ones, 3:1. */
    ck_assert_int_ge(got[1], 1450);
    ck_assert_int_le(got[1], 1550);
    ck_assert_int_ge(got[2], 450);
    ck_assert_int_le(got[2], 550);
    ck_assert_int_gt(s.classes[ia].stats.drops[OFFLOAD_CLASS_DROP_RING_FULL],
                     6000);
    ck_assert_int_gt(s.classes[ib].stats.drops[OFFLOAD_CLASS_DROP_RING_FULL],
                     7000);
    /* Both low rings full but for the 2 just taken. */
    ck_assert_int_eq(offload_sched_backlog(&s), 30);
    uint32_t queued_a = s.classes[ia].count;
    offload_sched_destroy(&s, NULL, NULL);
    ck_assert_int_eq(s.classes[ia].stats.drops[OFFLOAD_CLASS_DROP_FLUSHED],
                     queued_a);
    tc_conserved(&s);
}
END_TEST

/* FIFO order within a class; strict priority across an uneven backlog. */
START_TEST(test_sched_order)
{
    struct offload_sched s;
    struct offload_class_config hi = tc_class("hi", 5, 1, 8, 0);
    struct offload_class_config lo = tc_class("lo", 0, 1, 8, 0);
    enum offload_class_drop reason;
    size_t ihi, ilo;
    void *pkts[16];

    offload_sched_init(&s);
    ck_assert_int_eq(offload_sched_add_class(&s, &lo, 0, &ilo), 0);
    ck_assert_int_eq(offload_sched_add_class(&s, &hi, 0, &ihi), 0);
    for (intptr_t i = 1; i <= 4; i++) {
        ck_assert(offload_sched_enqueue(&s, ilo, (void *) i, 0, &reason));
    }
    for (intptr_t i = 11; i <= 13; i++) {
        ck_assert(offload_sched_enqueue(&s, ihi, (void *) i, 0, &reason));
    }
    ck_assert_int_eq(offload_sched_dequeue(&s, pkts, NULL, 5), 5);
    intptr_t want[] = { 11, 12, 13, 1, 2 };
    for (size_t i = 0; i < 5; i++) {
        ck_assert_int_eq((intptr_t) pkts[i], want[i]);
    }
    ck_assert_int_eq(offload_sched_dequeue(&s, pkts, NULL, 16), 2);
    ck_assert_int_eq((intptr_t) pkts[0], 3);
    ck_assert_int_eq(offload_sched_dequeue(&s, pkts, NULL, 16), 0);
    offload_sched_destroy(&s, NULL, NULL);
}
END_TEST

/* A rate-limited class drops what is over its rate, counted as such,
 * even with an eager consumer. */
START_TEST(test_sched_rate_limit)
{
    struct offload_sched s;
    struct offload_class_config syn = tc_class("syn", 0, 1, 1024, 100);
    enum offload_class_drop reason;
    size_t idx, delivered = 0;
    void *pkts[64];

    syn.burst = 5;
    offload_sched_init(&s);
    ck_assert_int_eq(offload_sched_add_class(&s, &syn, 0, &idx), 0);
    /* 10000 packets/s for a second. */
    for (uint64_t t = 0; t < 10000; t++) {
        offload_sched_enqueue(&s, idx, (void *) 1, t * MS / 10, &reason);
        delivered += offload_sched_dequeue(&s, pkts, NULL, 64);
    }
    ck_assert_int_ge(delivered, 100);
    ck_assert_int_le(delivered, 106);
    ck_assert_int_eq(s.classes[idx].stats.drops[OFFLOAD_CLASS_DROP_RATE],
                     10000 - delivered);
    ck_assert_int_eq(reason, OFFLOAD_CLASS_DROP_RATE);
    tc_conserved(&s);
    offload_sched_destroy(&s, NULL, NULL);
}
END_TEST

/* SYN guard. */

static struct offload_syn_guard_config
tg_config(void)
{
    struct offload_syn_guard_config cfg;

    offload_syn_guard_config_default(&cfg);
    cfg.enabled = true;
    cfg.port_pps = 1000;
    cfg.dst_pps = 500;
    cfg.window_ms = 100;
    cfg.engage_ms = 300;
    cfg.calm_ms = 1000;
    cfg.release_pct = 50;
    return cfg;
}

/* Feeds 'pps' SYNs per second from 'from' to 'to' ms, to 'n_dsts'
 * destinations in turn; returns the number of state changes. */
static int
tg_feed(struct offload_syn_guard *g, uint64_t pps, uint32_t n_dsts,
        uint64_t from, uint64_t to)
{
    int changes = 0;
    uint64_t n = 0;

    for (uint64_t t = from; t < to; t++) {
        uint64_t due = (t - from + 1) * pps / 1000;
        for (; n < due; n++) {
            struct offload_syn_dst dst = { .port = 80 };
            dst.addr[0] = 10;
            dst.addr[3] = 1 + n % n_dsts;
            offload_syn_guard_count(g, &dst, t);
        }
        changes += offload_syn_guard_run(g, t);
    }
    return changes;
}

START_TEST(test_guard_engage_release)
{
    struct offload_syn_guard_config cfg = tg_config();
    struct offload_syn_guard g;

    offload_syn_guard_init(&g, &cfg, 0);
    ck_assert_int_eq(g.state, OFFLOAD_SYN_GUARD_CALM);

    /* Below the thresholds (spread over 4 destinations): stays calm. */
    ck_assert_int_eq(tg_feed(&g, 900, 4, 0, 2000), 0);
    ck_assert_int_eq(g.state, OFFLOAD_SYN_GUARD_CALM);

    /* A 200 ms burst above: suspect, then back to calm, not engaged. */
    tg_feed(&g, 5000, 16, 2000, 2200);
    tg_feed(&g, 0, 1, 2200, 2500);
    ck_assert_int_eq(g.state, OFFLOAD_SYN_GUARD_CALM);
    ck_assert_int_eq(g.n_engaged, 0);

    /* A flood: engaged within engage_ms plus a window. */
    tg_feed(&g, 20000, 64, 3000, 3400);
    ck_assert(offload_syn_guard_engaged(&g));
    ck_assert_int_eq(g.n_engaged, 1);
    const struct offload_syn_guard_transition *t = offload_syn_guard_last(&g);
    ck_assert_int_eq(t->to, OFFLOAD_SYN_GUARD_ENGAGED);
    ck_assert_int_ge(t->port_pps, 19000);
    ck_assert_int_le(t->time_ms, 3400);
    tg_feed(&g, 20000, 64, 3400, 5000);
    ck_assert_int_eq(g.state, OFFLOAD_SYN_GUARD_ENGAGED);

    /* Hysteresis: 800/s is below the threshold but above 50% of it. */
    tg_feed(&g, 800, 8, 5000, 8000);
    ck_assert_int_eq(g.state, OFFLOAD_SYN_GUARD_ENGAGED);
    /* Calm for less than calm_ms: releasing, still engaged. */
    tg_feed(&g, 100, 1, 8000, 8500);
    ck_assert_int_eq(g.state, OFFLOAD_SYN_GUARD_RELEASING);
    ck_assert(offload_syn_guard_engaged(&g));
    /* The flood back: engaged again, not counted as a new engagement. */
    tg_feed(&g, 20000, 64, 8500, 8700);
    ck_assert_int_eq(g.state, OFFLOAD_SYN_GUARD_ENGAGED);
    ck_assert_int_eq(g.n_engaged, 1);
    /* Calm long enough: released. */
    tg_feed(&g, 100, 1, 8700, 10000);
    ck_assert_int_eq(g.state, OFFLOAD_SYN_GUARD_CALM);
    ck_assert(!offload_syn_guard_engaged(&g));

    t = offload_syn_guard_last(&g);
    ck_assert_int_eq(t->from, OFFLOAD_SYN_GUARD_RELEASING);
    ck_assert_int_eq(t->to, OFFLOAD_SYN_GUARD_CALM);

    struct ds ds = DS_EMPTY_INITIALIZER;
    offload_syn_guard_format(&ds, &g);
    ck_assert(strstr(ds_cstr(&ds), "releasing -> calm"));
    ck_assert(strstr(ds_cstr(&ds), "engaged 1 times"));
    ds_destroy(&ds);
}
END_TEST

/* One destination above its own threshold engages the guard although
 * the port's rate is below the port's. */
START_TEST(test_guard_per_destination)
{
    struct offload_syn_guard_config cfg = tg_config();
    struct offload_syn_guard g;

    offload_syn_guard_init(&g, &cfg, 0);
    tg_feed(&g, 900, 1, 0, 1000);
    ck_assert(offload_syn_guard_engaged(&g));
    const struct offload_syn_guard_transition *t = offload_syn_guard_last(&g);
    ck_assert_int_ge(t->dst_pps, 800);
    ck_assert_int_eq(t->dst.addr[3], 1);
    ck_assert_int_eq(t->dst.port, 80);

    /* Disabled: off at once, and a flood changes nothing. */
    cfg.enabled = false;
    offload_syn_guard_set(&g, &cfg, 1000);
    ck_assert_int_eq(g.state, OFFLOAD_SYN_GUARD_OFF);
    ck_assert_int_eq(tg_feed(&g, 50000, 4, 1000, 2000), 0);
    ck_assert(!offload_syn_guard_engaged(&g));
}
END_TEST

START_TEST(test_guard_config_check)
{
    struct offload_syn_guard_config cfg = tg_config();
    char *error;

    ck_assert_ptr_null(offload_syn_guard_config_check(&cfg));
    cfg.release_pct = 0;
    error = offload_syn_guard_config_check(&cfg);
    ck_assert_ptr_nonnull(error);
    free(error);
    cfg = tg_config();
    cfg.window_ms = 5;
    error = offload_syn_guard_config_check(&cfg);
    ck_assert_ptr_nonnull(error);
    free(error);
    cfg = tg_config();
    cfg.port_pps = 0;
    error = offload_syn_guard_config_check(&cfg);
    ck_assert_ptr_nonnull(error);
    free(error);
}
END_TEST

/* SYN authentication. */

static struct offload_syn_auth *
ta_create(uint32_t ttl_s, uint64_t pps, const struct offload_syn_auth *old)
{
    struct offload_syn_auth_config cfg;
    struct offload_syn_auth *a = xmalloc(sizeof *a);

    offload_syn_auth_config_default(&cfg);
    cfg.enabled = true;
    cfg.ttl_s = ttl_s;
    cfg.pps = pps;
    ck_assert_int_eq(offload_syn_auth_init(a, &cfg, old, 0), 0);
    return a;
}

static void
ta_free(struct offload_syn_auth *a)
{
    offload_syn_auth_destroy(a);
    free(a);
}

static struct offload_syn_auth_tuple
ta_tuple(uint32_t src, uint16_t sport)
{
    struct offload_syn_auth_tuple t = { .src_port = sport, .dst_port = 80 };

    t.src[0] = 10; t.src[1] = 2;
    t.src[2] = src >> 8; t.src[3] = src;
    t.dst[0] = 10; t.dst[1] = 1; t.dst[2] = 0; t.dst[3] = 1;
    return t;
}

#define TA_MS 1000000ULL

START_TEST(test_auth_challenge_validates)
{
    struct offload_syn_auth *a = ta_create(60, 1000, NULL);
    struct offload_syn_auth_tuple t = ta_tuple(1, 40000);
    struct offload_syn_auth_tuple other = ta_tuple(2, 40000);
    struct offload_syn_auth_tuple port = ta_tuple(1, 40001);
    struct offload_syn_auth_stats st;
    uint32_t ack;

    ck_assert_int_eq(offload_syn_auth_syn(a, &t, 1000, 10 * TA_MS, &ack),
                     OFFLOAD_SYN_AUTH_CHALLENGE);
    ck_assert_uint_ne(ack, 1001);
    ck_assert(!offload_syn_auth_is_valid(a, t.src, 10));

    /* Wrong numbers, and the right one for another connection, do not
     * validate: the cookie binds the 4-tuple. */
    ck_assert(!offload_syn_auth_rst(a, &t, ack + 2, 20 * TA_MS));
    ck_assert(!offload_syn_auth_rst(a, &other, ack, 20 * TA_MS));
    ck_assert(!offload_syn_auth_rst(a, &port, ack, 20 * TA_MS));
    ck_assert(!offload_syn_auth_is_valid(a, other.src, 20));

    ck_assert(offload_syn_auth_rst(a, &t, ack, 20 * TA_MS));
    ck_assert(offload_syn_auth_is_valid(a, t.src, 20));
    /* Any connection of a validated source passes. */
    ck_assert_int_eq(offload_syn_auth_syn(a, &port, 5, 30 * TA_MS, &ack),
                     OFFLOAD_SYN_AUTH_PASS);

    offload_syn_auth_get_stats(a, 30, &st);
    ck_assert_uint_eq(st.challenged, 1);
    ck_assert_uint_eq(st.validated, 1);
    ck_assert_uint_eq(st.passed, 1);
    ck_assert_uint_eq(st.limited, 0);
    ck_assert_uint_eq(st.n_sources, 1);

    /* The lifetime ends: challenged again. */
    ck_assert(offload_syn_auth_is_valid(a, t.src, 20 + 59999));
    ck_assert(!offload_syn_auth_is_valid(a, t.src, 20 + 60000));
    ck_assert_int_eq(offload_syn_auth_syn(a, &t, 7, 60020 * TA_MS, &ack),
                     OFFLOAD_SYN_AUTH_CHALLENGE);
    offload_syn_auth_get_stats(a, 60020, &st);
    ck_assert_uint_eq(st.n_sources, 0);
    ta_free(a);
}
END_TEST

START_TEST(test_auth_slots)
{
    struct offload_syn_auth *a = ta_create(60, 1000, NULL);
    struct offload_syn_auth_tuple t = ta_tuple(3, 1234);
    uint64_t slot = OFFLOAD_SYN_AUTH_SLOT_MS;
    uint32_t ack;

    /* A challenge answered in the next slot still counts; two slots
     * later it has expired. */
    ck_assert_int_eq(offload_syn_auth_syn(a, &t, 1, (slot - 1) * TA_MS,
                                          &ack),
                     OFFLOAD_SYN_AUTH_CHALLENGE);
    ck_assert(!offload_syn_auth_rst(a, &t, ack, (3 * slot) * TA_MS));
    ck_assert(offload_syn_auth_rst(a, &t, ack, (2 * slot - 1) * TA_MS));

    /* A cookie that equals the client's ISN + 1 is never sent: the
     * client would take the SYN-ACK as the server's. */
    struct offload_syn_auth_tuple u = ta_tuple(4, 1234);
    uint32_t c = offload_syn_auth_cookie(a, &u, 10 * slot);
    ck_assert_int_eq(offload_syn_auth_syn(a, &u, c - 1, 10 * slot * TA_MS,
                                          &ack),
                     OFFLOAD_SYN_AUTH_LIMITED);
    ck_assert_int_eq(offload_syn_auth_syn(a, &u, c, 10 * slot * TA_MS,
                                          &ack),
                     OFFLOAD_SYN_AUTH_CHALLENGE);
    ck_assert_uint_eq(ack, c);
    /* Only the cookie itself answers. */
    ck_assert(!offload_syn_auth_rst(a, &u, c ^ 1, 10 * slot * TA_MS));
    ck_assert(offload_syn_auth_rst(a, &u, ack, 10 * slot * TA_MS));
    ta_free(a);
}
END_TEST

START_TEST(test_auth_rate_and_carry_over)
{
    /* 100 challenges a second, a burst of 11. */
    struct offload_syn_auth *a = ta_create(60, 100, NULL);
    struct offload_syn_auth_stats st;
    int n_challenged = 0, n_limited = 0;
    uint32_t ack, first_ack = 0;

    for (int i = 0; i < 50; i++) {
        struct offload_syn_auth_tuple t = ta_tuple(100 + i, 5000);
        enum offload_syn_auth_verdict v
            = offload_syn_auth_syn(a, &t, i, 1000 * TA_MS, &ack);

        if (v == OFFLOAD_SYN_AUTH_CHALLENGE) {
            if (!n_challenged) {
                first_ack = ack;
            }
            n_challenged++;
        } else {
            ck_assert_int_eq(v, OFFLOAD_SYN_AUTH_LIMITED);
            n_limited++;
        }
    }
    ck_assert_int_eq(n_challenged, 11);
    ck_assert_int_eq(n_limited, 39);
    /* 10 ms later, one more token. */
    struct offload_syn_auth_tuple t = ta_tuple(999, 5000);
    ck_assert_int_eq(offload_syn_auth_syn(a, &t, 0, 1010 * TA_MS, &ack),
                     OFFLOAD_SYN_AUTH_CHALLENGE);
    offload_syn_auth_get_stats(a, 1010, &st);
    ck_assert_uint_eq(st.challenged, 12);
    ck_assert_uint_eq(st.limited, 39);

    /* A reconfiguration keeps the key: a challenge sent before it is
     * still recognised after it, with the counters. */
    struct offload_syn_auth *b = ta_create(30, 1000, a);
    struct offload_syn_auth_tuple t0 = ta_tuple(100, 5000);
    ta_free(a);
    ck_assert(offload_syn_auth_rst(b, &t0, first_ack, 1020 * TA_MS));
    offload_syn_auth_get_stats(b, 1020, &st);
    ck_assert_uint_eq(st.challenged, 12);
    ck_assert_uint_eq(st.validated, 1);
    ck_assert_uint_eq(b->tb.rate, 1000);
    ta_free(b);

    /* A fresh port has its own key. */
    struct offload_syn_auth *c = ta_create(30, 1000, NULL);
    ck_assert(!offload_syn_auth_rst(c, &t0, first_ack, 1020 * TA_MS));
    ta_free(c);
}
END_TEST

START_TEST(test_auth_table_full)
{
    struct offload_syn_auth *a = ta_create(600, 1000000000, NULL);
    struct offload_syn_auth_stats st;
    int n = 3 * OFFLOAD_SYN_AUTH_SOURCES;

    for (int i = 0; i < n; i++) {
        struct offload_syn_auth_tuple t = ta_tuple(i, 1);
        uint32_t ack;

        t.src[1] = i >> 16;
        ck_assert_int_eq(offload_syn_auth_syn(a, &t, 0, TA_MS, &ack),
                         OFFLOAD_SYN_AUTH_CHALLENGE);
        ck_assert(offload_syn_auth_rst(a, &t, ack, (1 + i / 1000) * TA_MS));
    }
    offload_syn_auth_get_stats(a, 1000, &st);
    ck_assert_uint_eq(st.validated, n);
    /* Full: every slot taken, each newcomer pushed an unexpired one out,
     * and the latest one is in. */
    ck_assert_uint_eq(st.n_sources, OFFLOAD_SYN_AUTH_SOURCES);
    ck_assert_uint_eq(st.evicted, n - OFFLOAD_SYN_AUTH_SOURCES);
    struct offload_syn_auth_tuple last = ta_tuple(n - 1, 1);
    last.src[1] = (n - 1) >> 16;
    ck_assert(offload_syn_auth_is_valid(a, last.src, 1000));
    ta_free(a);
}
END_TEST

START_TEST(test_auth_config_check)
{
    struct offload_syn_auth_config cfg;
    char *error;

    offload_syn_auth_config_default(&cfg);
    ck_assert_ptr_null(offload_syn_auth_config_check(&cfg));
    cfg.ttl_s = 0;
    error = offload_syn_auth_config_check(&cfg);
    ck_assert_ptr_nonnull(strstr(error, "lifetime 0 s"));
    free(error);
    cfg.ttl_s = 300;
    cfg.pps = 0;
    error = offload_syn_auth_config_check(&cfg);
    ck_assert_ptr_nonnull(strstr(error, "rate 0/s"));
    free(error);
}
END_TEST

Suite *
offload_classes_suite(void)
{
    Suite *s = suite_create("offload-classes");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_tb_rate);
    tcase_add_test(tc, test_classifier_priority);
    tcase_add_test(tc, test_class_config_check);
    tcase_add_test(tc, test_sched_slow_consumer);
    tcase_add_test(tc, test_sched_order);
    tcase_add_test(tc, test_sched_rate_limit);
    tcase_add_test(tc, test_guard_engage_release);
    tcase_add_test(tc, test_guard_per_destination);
    tcase_add_test(tc, test_guard_config_check);
    tcase_add_test(tc, test_auth_challenge_validates);
    tcase_add_test(tc, test_auth_slots);
    tcase_add_test(tc, test_auth_rate_and_carry_over);
    tcase_add_test(tc, test_auth_table_full);
    tcase_add_test(tc, test_auth_config_check);
    suite_add_tcase(s, tc);
    return s;
}
