/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/offload-admission: rate meters, admission order and
 * the hysteresis that keeps similar flows from trading places. */

#include <config.h>

#include "lib/offload-admission.h"
#include "tests/unit-tests.h"
#include "util.h"

START_TEST(test_policy_names)
{
    enum offload_policy p;

    ck_assert(offload_policy_from_string("value", &p));
    ck_assert_int_eq(p, OFFLOAD_POLICY_VALUE);
    ck_assert(offload_policy_from_string("first-come", &p));
    ck_assert_int_eq(p, OFFLOAD_POLICY_FIRST_COME);
    ck_assert(!offload_policy_from_string("Value", &p));
    ck_assert(!offload_policy_from_string("", &p));
    ck_assert_str_eq(offload_policy_to_string(OFFLOAD_POLICY_FIRST_COME),
                     "first-come");
}
END_TEST

START_TEST(test_rate_meter)
{
    struct offload_rate r;

    offload_rate_init(&r, 0, 1000);
    offload_rate_update(&r, 100, 2000);     /* 100 packets in 1 s. */
    ck_assert(r.pps > 99.9 && r.pps < 100.1);
    offload_rate_update(&r, 100, 3000);     /* Idle second: decays. */
    ck_assert(r.pps > 49.9 && r.pps < 50.1);
    offload_rate_update(&r, 100, 3000);     /* No time passed: no change. */
    ck_assert(r.pps > 49.9 && r.pps < 50.1);
    /* A counter that restarts (new rule) is not a negative rate. */
    offload_rate_update(&r, 20, 4000);
    ck_assert(r.pps > 34.9 && r.pps < 35.1);
}
END_TEST

static struct offload_candidate
cand(double pps, long long int first_seen, size_t idx)
{
    return (struct offload_candidate) {
        .pps = pps, .first_seen = first_seen, .idx = idx,
    };
}

START_TEST(test_sort_orders)
{
    struct offload_admission_params value = {
        .policy = OFFLOAD_POLICY_VALUE, .hysteresis = 1.25,
    };
    struct offload_admission_params fc = {
        .policy = OFFLOAD_POLICY_FIRST_COME,
    };
    struct offload_candidate c[] = {
        cand(10, 3, 0), cand(500, 2, 1), cand(10, 1, 2), cand(0, 0, 3),
    };

    offload_admission_sort_candidates(&value, c, ARRAY_SIZE(c));
    ck_assert_uint_eq(c[0].idx, 1);
    ck_assert_uint_eq(c[1].idx, 2);         /* Equal rate: older first. */
    ck_assert_uint_eq(c[2].idx, 0);
    ck_assert_uint_eq(c[3].idx, 3);

    offload_admission_sort_candidates(&fc, c, ARRAY_SIZE(c));
    for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
        ck_assert_int_eq(c[i].first_seen, i);
    }

    offload_admission_sort_victims(c, ARRAY_SIZE(c));
    ck_assert_uint_eq(c[0].idx, 3);
    ck_assert_uint_eq(c[3].idx, 1);
}
END_TEST

START_TEST(test_swaps_hysteresis)
{
    struct offload_admission_params p = {
        .policy = OFFLOAD_POLICY_VALUE, .hysteresis = 1.25,
    };
    /* Heaviest first / lightest first, as the sorts leave them. */
    struct offload_candidate cands[] = {
        cand(1000, 0, 0), cand(130, 0, 1), cand(100, 0, 2),
    };
    struct offload_candidate victims[] = {
        cand(10, 0, 3), cand(100, 0, 4), cand(100, 0, 5),
    };

    /* 1000 beats 10 by far; 130 is not 1.25 x 100 (plus noise): similar
     * rates stay put. */
    ck_assert_uint_eq(offload_admission_swaps(&p, cands, 3, victims, 3), 1);

    p.hysteresis = 1.0;
    ck_assert_uint_eq(offload_admission_swaps(&p, cands, 3, victims, 3), 2);

    /* Slow flows: 15 against 10 packets/s is within counting noise. */
    struct offload_candidate slow = cand(15, 0, 6), slower = cand(10, 0, 7);
    ck_assert_uint_eq(offload_admission_swaps(&p, &slow, 1, &slower, 1), 0);
    slow.pps = 17;
    ck_assert_uint_eq(offload_admission_swaps(&p, &slow, 1, &slower, 1), 1);

    /* The threshold keeps slow flows out even with a free victim. */
    p.min_pps = 200;
    ck_assert_uint_eq(offload_admission_swaps(&p, cands, 3, victims, 3), 1);
    ck_assert(!offload_admission_eligible(&p, 199));
    ck_assert(offload_admission_eligible(&p, 200));

    /* first-come never evicts, and has no threshold. */
    p.policy = OFFLOAD_POLICY_FIRST_COME;
    ck_assert_uint_eq(offload_admission_swaps(&p, cands, 3, victims, 3), 0);
    ck_assert(offload_admission_eligible(&p, 0));

    /* Fewer victims than candidates. */
    p.policy = OFFLOAD_POLICY_VALUE;
    p.min_pps = 0;
    ck_assert_uint_eq(offload_admission_swaps(&p, cands, 3, victims, 0), 0);
}
END_TEST

Suite *
offload_admission_suite(void)
{
    Suite *s = suite_create("offload-admission");
    TCase *tc = tcase_create("admission");

    tcase_add_test(tc, test_policy_names);
    tcase_add_test(tc, test_rate_meter);
    tcase_add_test(tc, test_sort_orders);
    tcase_add_test(tc, test_swaps_hysteresis);
    suite_add_tcase(s, tc);
    return s;
}
