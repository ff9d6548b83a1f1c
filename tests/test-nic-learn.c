/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of the table of mappings a NIC learns on decapsulation
 * (lib/nic-learn.c): learning, refresh, moves, aging, the bound and the
 * report queue, and nicsim's through the lib/nic.h wrappers. */

#include <config.h>

#include <errno.h>
#include <string.h>

#include "lib/nic.h"
#include "lib/nic-learn.h"
#include "lib/nic-parse.h"
#include "lib/nicsim.h"
#include "packets.h"
#include "tests/unit-tests.h"

static struct eth_addr
learn_mac(int last)
{
    return (struct eth_addr) { { { 0x50, 0x54, 0, 0, 0, last } } };
}

static struct in6_addr
learn_ip(int last)
{
    struct in6_addr ip;

    in6_addr_set_mapped_ipv4(&ip, htonl(0xc0a80000 | last));
    return ip;
}

static void
learn_see(struct nic_learn_table *t, int mac, int remote, uint32_t vni,
          long long int now)
{
    struct eth_addr m = learn_mac(mac);
    struct in6_addr r = learn_ip(remote);

    nic_learn_observe(t, &m, NIC_TUNNEL_GENEVE, vni, &r, now);
}

/* Takes every queued report and checks that they are, in order, 'want'
 * ("learned:MAC-LAST:REMOTE-LAST", "moved:...", "dropped:...:REASON"). */
static void
learn_expect(struct nic_learn_table *t, long long int now,
             const char *const want[], size_t n_want)
{
    struct nic_learn_event ev[8];
    size_t n = nic_learn_poll(t, now, ev, ARRAY_SIZE(ev));

    ck_assert_uint_eq(n, n_want);
    for (size_t i = 0; i < n; i++) {
        char got[64];

        if (ev[i].type == NIC_LEARN_DROPPED) {
            snprintf(got, sizeof got, "dropped:%d:%s", ev[i].m.inner_mac.ea[5],
                     nic_learn_drop_reason_name(ev[i].reason));
        } else {
            snprintf(got, sizeof got, "%s:%d:%d",
                     nic_learn_event_name(ev[i].type),
                     ev[i].m.inner_mac.ea[5], ev[i].m.remote_ip.s6_addr[15]);
        }
        ck_assert_str_eq(got, want[i]);
        ck_assert(ipv6_addr_equals(&ev[i].m.inner_ip, &in6addr_any));
        ck_assert_uint_eq(ev[i].m.opts_len, 0);
    }
}

START_TEST(test_learn_move_age)
{
    struct nic_learn_table t;
    struct nic_learn_stats st;
    struct nic_learned *l;

    nic_learn_init(&t);
    learn_see(&t, 2, 92, 5, 1000);
    learn_see(&t, 2, 92, 5, 1500);          /* A refresh: no report. */
    learn_see(&t, 3, 93, 5, 1500);
    learn_expect(&t, 1500, (const char *[]) { "learned:2:92",
                                              "learned:3:93" }, 2);
    ck_assert_uint_eq(nic_learn_dump(&t, 2000, &l), 2);
    ck_assert_int_eq(l[0].m.inner_mac.ea[5], 2);
    ck_assert_uint_eq(l[0].packets, 2);
    ck_assert_int_eq(l[0].age_ms, 500);
    ck_assert_uint_eq(l[0].m.vni, 5);
    ck_assert_uint_eq(l[0].m.tun_type, NIC_TUNNEL_GENEVE);
    free(l);

    /* Behind another host, or on another VNI: a move, with the old
     * tunnel in the report. */
    learn_see(&t, 2, 99, 5, 2000);
    learn_see(&t, 3, 93, 6, 2000);
    struct nic_learn_event ev[4];
    ck_assert_uint_eq(nic_learn_poll(&t, 2000, ev, 4), 2);
    ck_assert_int_eq(ev[0].type, NIC_LEARN_MOVED);
    ck_assert_int_eq(ev[0].m.remote_ip.s6_addr[15], 99);
    ck_assert_int_eq(ev[0].prev.remote_ip.s6_addr[15], 92);
    ck_assert_uint_eq(ev[1].m.vni, 6);
    ck_assert_uint_eq(ev[1].prev.vni, 5);

    /* Aging: an entry goes max_age after it was last seen, not before. */
    struct nic_learn_config cfg = { .enabled = true, .capacity = 8,
                                    .max_age_ms = 1000 };
    nic_learn_set_config(&t, &cfg);
    learn_see(&t, 3, 93, 6, 2600);
    learn_expect(&t, 2999, NULL, 0);
    learn_expect(&t, 3000, (const char *[]) { "dropped:2:aged" }, 1);
    learn_expect(&t, 3599, NULL, 0);
    learn_expect(&t, 3600, (const char *[]) { "dropped:3:aged" }, 1);

    nic_learn_get_stats(&t, &st);
    ck_assert_uint_eq(st.learned, 2);
    ck_assert_uint_eq(st.moved, 2);
    ck_assert_uint_eq(st.aged, 2);
    ck_assert_uint_eq(st.n_entries, 0);
    nic_learn_destroy(&t);
}
END_TEST

/* A poll of an empty table leaves no aging due; what is learned later
 * must still age (and the poll loop be woken for it). */
START_TEST(test_learn_age_after_empty)
{
    struct nic_learn_table t;

    nic_learn_init(&t);
    learn_expect(&t, 0, NULL, 0);
    learn_see(&t, 4, 94, 5, 1000);
    learn_expect(&t, 1000, (const char *[]) { "learned:4:94" }, 1);
    learn_expect(&t, 1000 + NIC_LEARN_DEFAULT_MAX_AGE_MS - 1, NULL, 0);
    learn_expect(&t, 1000 + NIC_LEARN_DEFAULT_MAX_AGE_MS,
                 (const char *[]) { "dropped:4:aged" }, 1);
    nic_learn_destroy(&t);
}
END_TEST

START_TEST(test_learn_bounds)
{
    struct nic_learn_config cfg = { .enabled = true, .capacity = 2,
                                    .max_age_ms = 100000 };
    struct nic_learn_event *ev;
    struct nic_learn_table t;
    struct nic_learn_stats st;
    size_t n;

    nic_learn_init(&t);
    nic_learn_set_config(&t, &cfg);
    learn_see(&t, 1, 91, 5, 100);
    learn_see(&t, 2, 92, 5, 200);
    learn_see(&t, 1, 91, 5, 300);           /* 2 is now the oldest. */
    learn_see(&t, 3, 93, 5, 400);
    learn_expect(&t, 400, (const char *[]) { "learned:1:91", "learned:2:92",
                                             "dropped:2:evicted",
                                             "learned:3:93" }, 4);
    /* Multicast and zero sources teach nothing. */
    struct eth_addr bcast = eth_addr_broadcast, zero = eth_addr_zero;
    struct in6_addr r = learn_ip(9);
    nic_learn_observe(&t, &bcast, NIC_TUNNEL_VXLAN, 1, &r, 500);
    nic_learn_observe(&t, &zero, NIC_TUNNEL_VXLAN, 1, &r, 500);
    learn_expect(&t, 500, NULL, 0);

    /* The queue is bounded: the oldest reports go, counted. */
    cfg.capacity = NIC_LEARN_MAX_REPORTS * 2;
    nic_learn_set_config(&t, &cfg);
    for (int i = 0; i < NIC_LEARN_MAX_REPORTS + 10; i++) {
        struct eth_addr m = { { { 0x52, 0, 0, 0, i >> 8, i } } };

        nic_learn_observe(&t, &m, NIC_TUNNEL_VXLAN, 1, &r, 600);
    }
    ev = xcalloc(NIC_LEARN_MAX_REPORTS + 10, sizeof *ev);
    n = nic_learn_poll(&t, 600, ev, NIC_LEARN_MAX_REPORTS + 10);
    ck_assert_uint_eq(n, NIC_LEARN_MAX_REPORTS);
    ck_assert_int_eq(ev[0].m.inner_mac.ea[5], 10);  /* 0-9 lost. */
    nic_learn_get_stats(&t, &st);
    ck_assert_uint_eq(st.reports_lost, 10);
    ck_assert_uint_eq(st.n_entries, NIC_LEARN_MAX_REPORTS + 12);

    /* A smaller capacity evicts; off clears, and learns nothing more. */
    cfg.capacity = 4;
    nic_learn_set_config(&t, &cfg);
    n = nic_learn_poll(&t, 700, ev, NIC_LEARN_MAX_REPORTS + 10);
    ck_assert_uint_eq(n, NIC_LEARN_MAX_REPORTS);    /* Of ~1030 drops. */
    nic_learn_poll(&t, 700, ev, NIC_LEARN_MAX_REPORTS + 10);
    nic_learn_get_stats(&t, &st);
    ck_assert_uint_eq(st.n_entries, 4);
    cfg.enabled = false;
    nic_learn_set_config(&t, &cfg);
    learn_see(&t, 7, 97, 5, 800);
    n = nic_learn_poll(&t, 800, ev, 8);
    ck_assert_uint_eq(n, 4);
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_eq(ev[i].type, NIC_LEARN_DROPPED);
        ck_assert_int_eq(ev[i].reason, NIC_LEARN_CLEARED);
    }
    nic_learn_get_stats(&t, &st);
    ck_assert_uint_eq(st.n_entries, 0);
    free(ev);
    nic_learn_destroy(&t);
}
END_TEST

/* A full table evicts least recently seen first, over many evictions that
 * share one scan of candidates: refreshed entries stay, entries refreshed
 * after the scan are skipped, and a shrink evicts in the same order. */
START_TEST(test_learn_evict_order)
{
    struct nic_learn_config cfg = { .enabled = true, .capacity = 200,
                                    .max_age_ms = 1000000 };
    struct nic_learn_event *ev = xcalloc(1024, sizeof *ev);
    struct nic_learn_table t;
    struct nic_learn_stats st;
    size_t n;

    nic_learn_init(&t);
    nic_learn_set_config(&t, &cfg);
    for (int i = 0; i < 200; i++) {
        struct eth_addr m = { { { 0x52, 0, 0, 0, 0, i } } };
        struct in6_addr r = learn_ip(1);

        nic_learn_observe(&t, &m, NIC_TUNNEL_GENEVE, 5, &r, 1000 + i);
    }
    for (int i = 0; i < 50; i++) {             /* 0-49 seen again. */
        struct eth_addr m = { { { 0x52, 0, 0, 0, 0, i } } };
        struct in6_addr r = learn_ip(1);

        nic_learn_observe(&t, &m, NIC_TUNNEL_GENEVE, 5, &r, 2000 + i);
    }
    nic_learn_poll(&t, 3000, ev, 1024);
    /* New sources 200-299 evict 50-149, in that order; 60 is seen again
     * after the first eviction (the candidates are taken by then). */
    for (int i = 200; i < 300; i++) {
        struct eth_addr m = { { { 0x52, 0, 0, 0, i >> 8, i } } };
        struct in6_addr r = learn_ip(2);

        nic_learn_observe(&t, &m, NIC_TUNNEL_GENEVE, 5, &r, 3000 + i);
        if (i == 200) {
            struct eth_addr m60 = { { { 0x52, 0, 0, 0, 0, 60 } } };
            struct in6_addr r1 = learn_ip(1);

            nic_learn_observe(&t, &m60, NIC_TUNNEL_GENEVE, 5, &r1, 3100);
        }
    }
    n = nic_learn_poll(&t, 4000, ev, 1024);
    ck_assert_uint_eq(n, 200);                  /* 100 learned, 100 gone. */
    for (size_t i = 0, want = 50; i < n; i++) {
        if (ev[i].type == NIC_LEARN_DROPPED) {
            ck_assert_int_eq(ev[i].reason, NIC_LEARN_EVICTED);
            ck_assert_int_eq(ev[i].m.inner_mac.ea[4], 0);
            ck_assert_uint_eq(ev[i].m.inner_mac.ea[5], want);
            want += want == 59 ? 2 : 1;         /* 60 stays. */
        }
    }
    /* Shrinking to 10 keeps the 10 newest: 290-299. */
    cfg.capacity = 10;
    nic_learn_set_config(&t, &cfg);
    n = nic_learn_poll(&t, 5000, ev, 1024);
    ck_assert_uint_eq(n, 190);
    nic_learn_get_stats(&t, &st);
    ck_assert_uint_eq(st.n_entries, 10);
    ck_assert_uint_eq(st.evicted, 290);
    struct nic_learned *l;
    n = nic_learn_dump(&t, 5000, &l);
    ck_assert_uint_eq(n, 10);
    for (size_t i = 0; i < n; i++) {            /* By MAC: 290 first. */
        int mac = (l[i].m.inner_mac.ea[4] << 8) | l[i].m.inner_mac.ea[5];

        ck_assert_int_eq(mac, 290 + (int) i);
    }
    free(l);
    free(ev);
    nic_learn_destroy(&t);
}
END_TEST

START_TEST(test_learn_config)
{
    struct nic_learn_config cfg;
    char *error;

    nic_learn_config_default(&cfg);
    ck_assert_ptr_null(nic_learn_config_check(&cfg));
    cfg.capacity = 0;
    error = nic_learn_config_check(&cfg);
    ck_assert(error && strstr(error, "capacity 0"));
    free(error);
    nic_learn_config_default(&cfg);
    cfg.max_age_ms = 99;
    error = nic_learn_config_check(&cfg);
    ck_assert(error && strstr(error, "max-age 99 ms"));
    free(error);
}
END_TEST

/* nicsim learns through its class; a NIC reset clears what it learned. */
START_TEST(test_learn_nicsim)
{
    struct nicsim_config ncfg = {
        .n_uplinks = 1, .n_vfs = 1, .n_engines = 1,
        .exact_capacity = 8, .wildcard_capacity = 8,
    };
    struct nic_learn_config cfg;
    struct nic_learn_stats st;
    struct nic_learned *l;
    struct nic *nic;
    char *error;
    size_t n;

    ck_assert_int_eq(nicsim_create("learn-t0", &ncfg, &nic), 0);
    ck_assert_int_eq(nic_learned_get(nic, &st), 0);
    ck_assert(st.config.enabled);
    ck_assert_uint_eq(st.config.max_age_ms, NIC_LEARN_DEFAULT_MAX_AGE_MS);
    nic_learn_config_default(&cfg);
    cfg.capacity = 0;
    ck_assert_int_eq(nic_learned_set_config(nic, &cfg, &error), EINVAL);
    ck_assert(error && strstr(error, "capacity"));
    free(error);
    ck_assert_int_eq(nic_learned_dump(nic, &l, &n), 0);
    ck_assert_uint_eq(n, 0);
    free(l);
    nic_close(nic);
}
END_TEST

Suite *
nic_learn_suite(void)
{
    Suite *s = suite_create("nic-learn");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_learn_move_age);
    tcase_add_test(tc, test_learn_age_after_empty);
    tcase_add_test(tc, test_learn_bounds);
    tcase_add_test(tc, test_learn_evict_order);
    tcase_add_test(tc, test_learn_config);
    tcase_add_test(tc, test_learn_nicsim);
    suite_add_tcase(s, tc);
    return s;
}
