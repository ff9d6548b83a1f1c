/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/offload-cpus: the mapping of each mode, refused
 * configurations, re-distribution of a hot CPU (and not of a spike), and
 * the pmd-auto-lb model. */

#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/offload-cpus.h"
#include "openvswitch/dynamic-string.h"
#include "tests/unit-tests.h"
#include "util.h"

/* 4 CPUs: cores 0 and 1 on node 0, 2 and 3 on node 1. */
static const struct offload_cpus_cpu tc_cpus[] = {
    { 0, 0 }, { 1, 0 }, { 2, 1 }, { 3, 1 },
};

static struct offload_cpus_nic_config
tc_nic(const char *name, uint32_t n_queues)
{
    return (struct offload_cpus_nic_config) {
        .name = name, .numa = -1, .base_cpu = -1, .max_cpu = -1,
        .n_queues = n_queues,
    };
}

static void
tc_config(struct offload_cpus_config *cfg, enum offload_cpus_mode mode,
          const struct offload_cpus_nic_config *nics, size_t n_nics)
{
    offload_cpus_config_default(cfg);
    cfg->mode = mode;
    cfg->cpus = tc_cpus;
    cfg->n_cpus = ARRAY_SIZE(tc_cpus);
    cfg->nics = nics;
    cfg->n_nics = n_nics;
    cfg->threshold = 0.8;
    cfg->hysteresis = 0.1;
    cfg->interval_ms = 300;
    cfg->min_move_ms = 200;
}

static struct offload_cpus *
tc_create(const struct offload_cpus_config *cfg)
{
    struct offload_cpus *oc = offload_cpus_create();
    char *error = NULL;

    ck_assert_int_eq(offload_cpus_set_config(oc, cfg, 0, &error), 0);
    ck_assert_ptr_null(error);
    return oc;
}

/* "c0 c1 ..." : the core of each queue of NIC 'n'. */
static char *
tc_map(const struct offload_cpus *oc, size_t n)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    for (uint32_t q = 0; q < offload_cpus_nic_n_queues(oc, n); q++) {
        ds_put_format(&s, "%s%d", q ? " " : "",
                      offload_cpus_queue_cpu(oc, n, q));
    }
    return ds_steal_cstr(&s);
}

#define TC_MAP_EQ(OC, N, EXPECTED)                  \
    do {                                            \
        char *map_ = tc_map(OC, N);                 \
        ck_assert_str_eq(map_, EXPECTED);           \
        free(map_);                                 \
    } while (0)

START_TEST(test_modes_strings)
{
    enum offload_cpus_mode mode;
    const char *names[] = { "numa", "dedicated", "spread", "conservative",
                            "manual" };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        ck_assert(offload_cpus_mode_from_string(names[i], &mode));
        ck_assert_str_eq(offload_cpus_mode_to_string(mode), names[i]);
    }
    ck_assert(!offload_cpus_mode_from_string("closest", &mode));
    ck_assert(!offload_cpus_mode_from_string(NULL, &mode));
}
END_TEST

START_TEST(test_spread)
{
    struct offload_cpus_nic_config nics[] = { tc_nic("a", 4),
                                              tc_nic("b", 2) };
    struct offload_cpus_config cfg;

    tc_config(&cfg, OFFLOAD_CPUS_SPREAD, nics, 2);
    struct offload_cpus *oc = tc_create(&cfg);
    TC_MAP_EQ(oc, 0, "0 1 2 3");
    TC_MAP_EQ(oc, 1, "0 1");
    const uint16_t *reta = offload_cpus_reta(oc, 0);
    for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
        ck_assert_int_eq(reta[e], e % 4);
    }
    ck_assert_int_eq(offload_cpus_n_decisions(oc), 1);
    ck_assert_int_eq(offload_cpus_get_decision(oc, 0)->type,
                     OFFLOAD_CPUS_PLACE);
    offload_cpus_destroy(oc);
}
END_TEST

START_TEST(test_numa)
{
    struct offload_cpus_nic_config nics[] = { tc_nic("a", 4),
                                              tc_nic("b", 3),
                                              tc_nic("c", 2) };
    struct offload_cpus_config cfg;

    nics[0].numa = 1;
    nics[1].numa = 0;
    nics[2].numa = 7;           /* No CPU there: all of them. */
    tc_config(&cfg, OFFLOAD_CPUS_NUMA, nics, 3);
    struct offload_cpus *oc = tc_create(&cfg);
    TC_MAP_EQ(oc, 0, "2 3 2 3");
    TC_MAP_EQ(oc, 1, "0 1 0");
    TC_MAP_EQ(oc, 2, "1 0");
    offload_cpus_destroy(oc);
}
END_TEST

START_TEST(test_dedicated_and_override)
{
    static const int a_cpus[] = { 0, 1 };
    struct offload_cpus_nic_config nics[] = { tc_nic("a", 4),
                                              tc_nic("b", 4),
                                              tc_nic("c", 2) };
    struct offload_cpus_config cfg;

    nics[0].cpus = a_cpus;
    nics[0].n_cpus = 2;
    nics[1].has_mode = true;
    nics[1].mode = OFFLOAD_CPUS_SPREAD;
    nics[2].has_mode = true;
    nics[2].mode = OFFLOAD_CPUS_MANUAL;
    tc_config(&cfg, OFFLOAD_CPUS_DEDICATED, nics, 3);
    struct offload_cpus *oc = tc_create(&cfg);
    TC_MAP_EQ(oc, 0, "0 1 0 1");
    TC_MAP_EQ(oc, 1, "2 3 2 3");      /* Not on a's CPUs. */
    TC_MAP_EQ(oc, 2, "-1 -1");        /* Manual: operator's. */
    ck_assert_int_eq(offload_cpus_nic_mode(oc, 1), OFFLOAD_CPUS_SPREAD);
    offload_cpus_destroy(oc);
}
END_TEST

START_TEST(test_base_max)
{
    struct offload_cpus_nic_config nics[] = { tc_nic("a", 4) };
    struct offload_cpus_config cfg;

    nics[0].base_cpu = 1;
    nics[0].max_cpu = 2;
    tc_config(&cfg, OFFLOAD_CPUS_SPREAD, nics, 1);
    struct offload_cpus *oc = tc_create(&cfg);
    TC_MAP_EQ(oc, 0, "1 2 1 2");
    offload_cpus_destroy(oc);
}
END_TEST

/* Each bad configuration is refused with a message, and the previous
 * mapping stays. */
START_TEST(test_bad_config)
{
    static const int l01[] = { 0, 1 }, l12[] = { 1, 2 }, l9[] = { 9 };
    struct offload_cpus_nic_config good[] = { tc_nic("a", 4) };
    struct offload_cpus_config cfg;

    tc_config(&cfg, OFFLOAD_CPUS_SPREAD, good, 1);
    struct offload_cpus *oc = tc_create(&cfg);

    for (int i = 0; i < 7; i++) {
        struct offload_cpus_nic_config nics[] = { tc_nic("a", 2),
                                                  tc_nic("b", 2) };
        const char *expect = NULL;

        tc_config(&cfg, OFFLOAD_CPUS_DEDICATED, nics, 2);
        nics[0].cpus = l01;
        nics[0].n_cpus = 2;
        nics[1].cpus = l12;
        nics[1].n_cpus = 2;
        switch (i) {
        case 0:
            expect = "also dedicated";
            break;
        case 1:
            nics[1].cpus = l9;
            nics[1].n_cpus = 1;
            expect = "not in pmd-cpu-mask";
            break;
        case 2:
            nics[1].n_cpus = 0;
            expect = "without a CPU list";
            break;
        case 3:
            nics[1].has_mode = true;
            nics[1].mode = OFFLOAD_CPUS_SPREAD;
            nics[1].base_cpu = 3;
            nics[1].max_cpu = 1;
            expect = "base processor";
            break;
        case 4:
            nics[1].cpus = NULL;
            nics[1].n_cpus = 0;
            nics[1].has_mode = true;
            nics[1].mode = OFFLOAD_CPUS_SPREAD;
            cfg.threshold = 1.5;
            expect = "threshold";
            break;
        case 5:
            nics[1].has_mode = true;
            nics[1].mode = 42;
            expect = "unknown mode";
            break;
        case 6:
            nics[1].has_mode = true;
            nics[1].mode = OFFLOAD_CPUS_SPREAD;
            nics[1].n_queues = 0;
            expect = "queues";
            break;
        }
        char *error = NULL;
        ck_assert_int_eq(offload_cpus_set_config(oc, &cfg, 5, &error),
                         EINVAL);
        ck_assert_ptr_nonnull(error);
        ck_assert_msg(strstr(error, expect), "case %d: %s", i, error);
        free(error);
        ck_assert_int_eq(offload_cpus_n_nics(oc), 1);
        TC_MAP_EQ(oc, 0, "0 1 2 3");
    }
    offload_cpus_destroy(oc);
}
END_TEST

/* Loads of a 4-queue spread NIC on 4 CPUs: queue 0 hot with mice in its
 * 32 entries ('hot' in all), the others 'base' each. */
static void
tc_skew(struct offload_cpus_nic_load *load, double hot, double base)
{
    memset(load, 0, sizeof *load);
    for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
        load->entry_load[e] = (e % 4 == 0 ? hot : base) / 32;
    }
}

static double
tc_max_over_mean(const struct offload_cpus *oc)
{
    double max = 0, sum = 0;
    size_t n = offload_cpus_n_cpus(oc);
    for (size_t c = 0; c < n; c++) {
        max = MAX(max, offload_cpus_cpu_load(oc, c));
        sum += offload_cpus_cpu_load(oc, c);
    }
    return max / (sum / n);
}

START_TEST(test_sustained_overload_splits)
{
    struct offload_cpus_nic_config nics[] = { tc_nic("a", 4) };
    struct offload_cpus_nic_load load;
    struct offload_cpus_config cfg;

    tc_config(&cfg, OFFLOAD_CPUS_SPREAD, nics, 1);
    struct offload_cpus *oc = tc_create(&cfg);
    tc_skew(&load, 1.2, 0.2);

    /* Overloaded from t=100; not yet an interval at 300. */
    ck_assert_int_eq(offload_cpus_run(oc, &load, NULL, 100), 0);
    ck_assert(offload_cpus_cpu_overloaded(oc, 0));
    ck_assert_int_eq(offload_cpus_run(oc, &load, NULL, 300), 0);
    ck_assert_int_eq(offload_cpus_run(oc, &load, NULL, 400), 1);

    const struct offload_cpus_decision *d = offload_cpus_get_decision(oc, 0);
    ck_assert_int_eq(d->type, OFFLOAD_CPUS_SPLIT);
    ck_assert_str_eq(d->nic, "a");
    ck_assert_double_eq_tol(d->from_before, 1.2, 1e-9);
    ck_assert(d->from_after < 0.8);
    ck_assert(d->max_after < d->max_before);
    ck_assert_int_gt(d->n_entries, 0);
    ck_assert_ptr_nonnull(strstr(d->text, "core 0 above 0.80"));
    ck_assert_int_eq(offload_cpus_last_move(oc)->type, OFFLOAD_CPUS_SPLIT);

    /* Queues stay where they were: the hot one was split. */
    TC_MAP_EQ(oc, 0, "0 1 2 3");
    size_t on_q0 = 0;
    for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
        on_q0 += offload_cpus_reta(oc, 0)[e] == 0;
    }
    ck_assert_int_lt(on_q0, 32);

    /* Measured with the new table: balanced, no further move. */
    struct offload_cpus_nic_load after;
    memset(&after, 0, sizeof after);
    for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
        after.entry_load[e] = load.entry_load[e];
    }
    ck_assert_int_eq(offload_cpus_run(oc, &after, NULL, 500), 0);
    ck_assert(tc_max_over_mean(oc) <= 1.2);
    for (long long int t = 600; t < 3000; t += 100) {
        ck_assert_int_eq(offload_cpus_run(oc, &after, NULL, t), 0);
    }
    ck_assert_int_eq(offload_cpus_total_moves(oc), 1);
    offload_cpus_destroy(oc);
}
END_TEST

START_TEST(test_spike_and_hysteresis)
{
    struct offload_cpus_nic_config nics[] = { tc_nic("a", 4) };
    struct offload_cpus_nic_load hot, mid, cool;
    struct offload_cpus_config cfg;

    tc_config(&cfg, OFFLOAD_CPUS_SPREAD, nics, 1);
    struct offload_cpus *oc = tc_create(&cfg);
    tc_skew(&hot, 1.2, 0.2);
    tc_skew(&mid, 0.75, 0.2);   /* Between threshold - hysteresis and it. */
    tc_skew(&cool, 0.5, 0.2);

    /* A spike shorter than the interval, then cool: nothing. */
    ck_assert_int_eq(offload_cpus_run(oc, &hot, NULL, 100), 0);
    ck_assert_int_eq(offload_cpus_run(oc, &hot, NULL, 300), 0);
    ck_assert_int_eq(offload_cpus_run(oc, &cool, NULL, 350), 0);
    ck_assert(!offload_cpus_cpu_overloaded(oc, 0));
    ck_assert_int_eq(offload_cpus_run(oc, &hot, NULL, 500), 0);
    ck_assert_int_eq(offload_cpus_run(oc, &cool, NULL, 700), 0);
    ck_assert_int_eq(offload_cpus_total_moves(oc), 0);

    /* Dipping into the hysteresis band does not end the overload. */
    ck_assert_int_eq(offload_cpus_run(oc, &hot, NULL, 1000), 0);
    ck_assert_int_eq(offload_cpus_run(oc, &mid, NULL, 1200), 0);
    ck_assert(offload_cpus_cpu_overloaded(oc, 0));
    ck_assert_int_eq(offload_cpus_run(oc, &hot, NULL, 1300), 1);
    ck_assert_int_eq(offload_cpus_total_moves(oc), 1);
    offload_cpus_destroy(oc);
}
END_TEST

/* The minimum interval between moves holds a second hot CPU back. */
START_TEST(test_min_move_interval)
{
    struct offload_cpus_nic_config nics[] = { tc_nic("a", 4) };
    struct offload_cpus_nic_load load;
    struct offload_cpus_config cfg;

    tc_config(&cfg, OFFLOAD_CPUS_SPREAD, nics, 1);
    cfg.interval_ms = 0;
    cfg.min_move_ms = 1000;
    struct offload_cpus *oc = tc_create(&cfg);

    tc_skew(&load, 1.2, 0.2);
    ck_assert_int_eq(offload_cpus_run(oc, &load, NULL, 100), 1);
    /* Queue 1 now hot as measured (same per-entry loads, new table). */
    for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
        load.entry_load[e] = offload_cpus_reta(oc, 0)[e] == 1 ? 0.05 : 0.01;
    }
    ck_assert_int_eq(offload_cpus_run(oc, &load, NULL, 500), 0);
    ck_assert(offload_cpus_cpu_overloaded(oc, 1));
    ck_assert_int_eq(offload_cpus_run(oc, &load, NULL, 1100), 1);
    ck_assert_int_eq(offload_cpus_get_decision(oc, 0)->from_cpu, 1);
    offload_cpus_destroy(oc);
}
END_TEST

/* Two heavy flows in one entry: one of them gets a filter to another
 * queue, as no entry can be moved whole. */
START_TEST(test_heavy_flow_filter)
{
    struct offload_cpus_nic_config nics[] = { tc_nic("a", 2) };
    struct offload_cpus_flow_load flows[] = {
        { .id = 1, .name = "elephant", .entry = 0, .load = 0.6 },
        { .id = 2, .name = "calf", .entry = 0, .load = 0.5 },
    };
    struct offload_cpus_nic_load load;
    struct offload_cpus_config cfg;

    tc_config(&cfg, OFFLOAD_CPUS_SPREAD, nics, 1);
    cfg.interval_ms = 0;
    struct offload_cpus *oc = tc_create(&cfg);
    memset(&load, 0, sizeof load);
    load.flows = flows;
    load.n_flows = 2;
    ck_assert_int_eq(offload_cpus_run(oc, &load, NULL, 10), 1);
    ck_assert_int_eq(offload_cpus_n_filters(oc, 0), 1);
    const struct offload_cpus_filter *f = offload_cpus_get_filter(oc, 0, 0);
    ck_assert_int_eq(f->flow_id, 2);
    ck_assert_int_eq(f->queue, 1);
    ck_assert_int_eq(offload_cpus_get_decision(oc, 0)->n_flows, 1);

    /* Measured again: balanced as predicted. */
    ck_assert_int_eq(offload_cpus_run(oc, &load, NULL, 1000), 0);
    ck_assert_double_eq_tol(offload_cpus_queue_load(oc, 0, 0), 0.6, 1e-9);
    ck_assert_double_eq_tol(offload_cpus_queue_load(oc, 0, 1), 0.5, 1e-9);

    /* The flow ends: its filter goes. */
    load.n_flows = 1;
    offload_cpus_run(oc, &load, NULL, 2000);
    ck_assert_int_eq(offload_cpus_n_filters(oc, 0), 0);
    offload_cpus_destroy(oc);
}
END_TEST

/* A hot CPU with nowhere to move to (the NIC's range is one core): no
 * decision, no churn. */
START_TEST(test_nowhere_to_move)
{
    struct offload_cpus_nic_config nics[] = { tc_nic("a", 2) };
    struct offload_cpus_config cfg;
    struct offload_cpus_nic_load load;

    nics[0].base_cpu = 0;
    nics[0].max_cpu = 0;
    tc_config(&cfg, OFFLOAD_CPUS_SPREAD, nics, 1);
    cfg.interval_ms = 0;
    struct offload_cpus *oc = tc_create(&cfg);
    TC_MAP_EQ(oc, 0, "0 0");
    tc_skew(&load, 1, 1);
    /* Only core 0 is in range: nothing to move to. */
    ck_assert_int_eq(offload_cpus_run(oc, &load, NULL, 10), 0);
    offload_cpus_destroy(oc);
}
END_TEST

START_TEST(test_conservative)
{
    struct offload_cpus_nic_config nics[] = { tc_nic("a", 4) };
    struct offload_cpus_nic_load load;
    struct offload_cpus_config cfg;

    nics[0].numa = 1;
    tc_config(&cfg, OFFLOAD_CPUS_CONSERVATIVE, nics, 1);
    cfg.interval_ms = 100;
    cfg.min_move_ms = 100;
    struct offload_cpus *oc = tc_create(&cfg);
    TC_MAP_EQ(oc, 0, "2 2 2 2");        /* NUMA-local first. */

    /* 1.5 CPUs of load: grows to two CPUs, then splits. */
    for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
        load.entry_load[e] = 1.5 / NIC_RSS_RETA_SIZE;
    }
    load.flows = NULL;
    load.n_flows = 0;
    ck_assert_int_eq(offload_cpus_run(oc, &load, NULL, 0), 0);
    ck_assert_int_ge(offload_cpus_run(oc, &load, NULL, 100), 1);
    ck_assert_int_eq(offload_cpus_get_decision(oc, 0)->type,
                     OFFLOAD_CPUS_GROW);
    TC_MAP_EQ(oc, 0, "2 3 2 3");

    /* Load falls to 0.3: shrinks back to one after an interval. */
    for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
        load.entry_load[e] = 0.3 / NIC_RSS_RETA_SIZE;
    }
    ck_assert_int_eq(offload_cpus_run(oc, &load, NULL, 300), 0);
    ck_assert_int_eq(offload_cpus_run(oc, &load, NULL, 400), 1);
    ck_assert_int_eq(offload_cpus_get_decision(oc, 0)->type,
                     OFFLOAD_CPUS_SHRINK);
    TC_MAP_EQ(oc, 0, "2 2 2 2");
    offload_cpus_destroy(oc);
}
END_TEST

START_TEST(test_estimate_entries)
{
    struct offload_cpus_nic_config nics[] = { tc_nic("a", 2) };
    struct offload_cpus_flow_load flow = { .id = 7, .entry = 3,
                                           .load = 0.4 };
    struct offload_cpus_nic_load load = { .flows = &flow, .n_flows = 1 };
    struct offload_cpus_config cfg;
    const double queue_load[] = { 0.64, 0.8 };

    tc_config(&cfg, OFFLOAD_CPUS_SPREAD, nics, 1);
    struct offload_cpus *oc = tc_create(&cfg);
    offload_cpus_estimate_entries(oc, 0, queue_load, &load);
    /* Entry 3 is queue 1's: (0.8 - 0.4) / 64. */
    ck_assert_double_eq_tol(load.entry_load[3], 0.4 / 64, 1e-12);
    ck_assert_double_eq_tol(load.entry_load[0], 0.64 / 64, 1e-12);
    offload_cpus_destroy(oc);
}
END_TEST

START_TEST(test_autolb_model)
{
    struct offload_cpus_autolb_config cfg;
    const int start[] = { 0, 0, 1 };
    const double loads[] = { 0.6, 0.5, 0.1 };

    offload_cpus_autolb_config_default(&cfg);
    struct offload_cpus_autolb *lb = offload_cpus_autolb_create(&cfg, 2, 3,
                                                                start);
    /* Not before a minute of samples at >= 95%. */
    long long int t;
    for (t = 0; t < 50000; t += 10000) {
        ck_assert(!offload_cpus_autolb_run(lb, loads, t));
    }
    ck_assert(offload_cpus_autolb_run(lb, loads, t));
    ck_assert_int_eq(offload_cpus_autolb_n_rebalances(lb), 1);
    ck_assert_int_ne(offload_cpus_autolb_queue_cpu(lb, 0),
                     offload_cpus_autolb_queue_cpu(lb, 1));
    offload_cpus_autolb_destroy(lb);

    /* One hot queue alone on its PMD: whole-queue moves cannot help. */
    const int one[] = { 0, 1, 1 };
    const double hot[] = { 1.5, 0.2, 0.2 };
    lb = offload_cpus_autolb_create(&cfg, 2, 3, one);
    for (t = 0; t < 300000; t += 10000) {
        ck_assert(!offload_cpus_autolb_run(lb, hot, t));
    }
    ck_assert_int_eq(offload_cpus_autolb_queue_cpu(lb, 0), 0);
    offload_cpus_autolb_destroy(lb);
}
END_TEST

START_TEST(test_parse_pmd_text)
{
    static const char stats[] =
        "main thread:\n"
        "  packets received: 5\n"
        "  idle cycles: 99 (50.00%)\n"
        "  processing cycles: 99 (50.00%)\n"
        "pmd thread numa_id 0 core_id 1:\n"
        "  packets received: 10\n"
        "  idle cycles: 3000 (75.00%)\n"
        "  processing cycles: 1000 (25.00%)\n"
        "  avg cycles per packet: 400.00 (4000/10)\n"
        "pmd thread numa_id 1 core_id 2:\n"
        "  packets received: 0\n";
    static const char rxqs[] =
        "Displaying last 60 seconds pmd usage %\n"
        "pmd thread numa_id 0 core_id 1:\n"
        "  isolated : true\n"
        "  port: pf0               queue-id:  0 (enabled)   pmd usage: 37 %\n"
        "  port: pf0               queue-id:  2 (disabled)  pmd usage: "
        "NOT AVAIL\n"
        "  overhead:  0 %\n"
        "pmd thread numa_id 1 core_id 3:\n"
        "  isolated : false\n"
        "  port: vf1               queue-id:  1 (enabled)   pmd usage:  4 %\n";
    struct offload_cpus_pmd_sample s = { .n_pmds = 0 };

    ck_assert_int_eq(offload_cpus_parse_pmd_stats("no such command", &s),
                     EINVAL);
    ck_assert_int_eq(s.n_pmds, 0);
    ck_assert_int_eq(offload_cpus_parse_pmd_stats(stats, &s), 0);
    ck_assert_int_eq(s.n_pmds, 2);
    const struct offload_cpus_pmd *pmd = offload_cpus_pmd_find(&s, 1);
    ck_assert_ptr_nonnull(pmd);
    ck_assert_int_eq(pmd->numa, 0);
    ck_assert_uint_eq(pmd->busy, 1000);
    ck_assert_uint_eq(pmd->idle, 3000);
    pmd = offload_cpus_pmd_find(&s, 2);
    ck_assert_ptr_nonnull(pmd);
    ck_assert_uint_eq(pmd->busy, 0);
    ck_assert_ptr_null(offload_cpus_pmd_find(&s, 0));

    ck_assert_int_eq(offload_cpus_parse_pmd_rxqs("nothing", &s), EINVAL);
    ck_assert_int_eq(offload_cpus_parse_pmd_rxqs(rxqs, &s), 0);
    ck_assert_int_eq(s.n_pmds, 3);      /* Core 3 polls but had no stats. */
    ck_assert_int_eq(s.n_rxqs, 3);
    ck_assert_str_eq(s.rxqs[0].port, "pf0");
    ck_assert_int_eq(s.rxqs[0].usage, 37);
    ck_assert_int_eq(s.rxqs[1].usage, -1);
    ck_assert_int_eq(offload_cpus_rxq_core(&s, "pf0", 2), 1);
    ck_assert_int_eq(offload_cpus_rxq_core(&s, "vf1", 1), 3);
    ck_assert_int_eq(offload_cpus_rxq_core(&s, "vf1", 0), -1);
    ck_assert_uint_eq(offload_cpus_pmd_find(&s, 1)->busy, 1000);
    offload_cpus_pmd_sample_clear(&s);
    ck_assert_int_eq(s.n_pmds, 0);
}
END_TEST

Suite *
offload_cpus_suite(void)
{
    Suite *s = suite_create("offload-cpus");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_modes_strings);
    tcase_add_test(tc, test_spread);
    tcase_add_test(tc, test_numa);
    tcase_add_test(tc, test_dedicated_and_override);
    tcase_add_test(tc, test_base_max);
    tcase_add_test(tc, test_bad_config);
    tcase_add_test(tc, test_sustained_overload_splits);
    tcase_add_test(tc, test_spike_and_hysteresis);
    tcase_add_test(tc, test_min_move_interval);
    tcase_add_test(tc, test_heavy_flow_filter);
    tcase_add_test(tc, test_nowhere_to_move);
    tcase_add_test(tc, test_conservative);
    tcase_add_test(tc, test_estimate_entries);
    tcase_add_test(tc, test_autolb_model);
    tcase_add_test(tc, test_parse_pmd_text);
    suite_add_tcase(s, tc);
    return s;
}
