/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark of the CPU aligner on a synthetic load trace of a 16-CPU host
 * (--pmds: fewer): one NIC, 16 queues spread over the PMD CPUs, even
 * background load; then
 * an elephant flow and a burst of mice land on one queue.  The same trace
 * is replayed against the aligner (splitting the hot queue), OVS's
 * pmd-auto-lb model (whole queues) and no re-distribution, in one run:
 * max/mean CPU load before and after, time to converge, offered load
 * beyond a CPU's capacity (what a real PMD would drop).
 *
 * Usage: bench-cpus [--seconds N] [--interval MS] [--pmds N] [--seed N]
 *                   [--json FILE]
 */

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/offload-cpus.h"
#include "util.h"

#define BC_QUEUES 16
#define BC_MAX_PMDS 16

static int bc_pmds = 16;        /* --pmds: CPUs, queue q on q % N. */
#define BC_ROUND_MS 100         /* Trace step; the aligner runs each. */
#define BC_ONSET_MS 5000        /* Elephant and mice start. */

static uint64_t bc_rng = 88172645463325252ULL;

static double
bc_rand(void)
{
    /* xorshift64: the same trace for every approach. */
    bc_rng ^= bc_rng << 13;
    bc_rng ^= bc_rng >> 7;
    bc_rng ^= bc_rng << 17;
    return (bc_rng >> 11) * (1.0 / 9007199254740992.0);
}

/* The true demand of each RSS hash bucket (indirection entry) and of the
 * elephant (in entry 0) at time 't'. */
struct bc_trace {
    double entry[NIC_RSS_RETA_SIZE];
    double elephant;
};

static void
bc_trace_at(long long int t, struct bc_trace *tr)
{
    /* Background: 0.45 of a CPU per queue (8 entries each), +-5%. */
    for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
        double base = 0.45 * bc_pmds / NIC_RSS_RETA_SIZE;
        if (t >= BC_ONSET_MS && e % BC_QUEUES == 0) {
            base += 0.4 / (NIC_RSS_RETA_SIZE / BC_QUEUES);  /* Mice. */
        }
        tr->entry[e] = base * (0.95 + 0.1 * bc_rand());
    }
    tr->elephant = t >= BC_ONSET_MS ? 0.4 * (0.95 + 0.1 * bc_rand()) : 0;
}

enum bc_approach { BC_ALIGNER, BC_AUTOLB, BC_NONE, BC_N };
static const char *const bc_names[BC_N] = {
    "aligner", "pmd-auto-lb", "none"
};

struct bc_result {
    double before, after;       /* max/mean before the onset, last 10 s. */
    double peak;                /* Worst max/mean after the onset. */
    long long int converge_ms;  /* Onset to max/mean <= 1.2, -1: never. */
    double lost;                /* Share of offered load beyond capacity. */
    uint64_t moves;
};

static void
bc_stats(const double *cpu, double *ratio, double *excess, double *total)
{
    double max = 0, sum = 0;
    *excess = 0;
    for (size_t c = 0; c < bc_pmds; c++) {
        max = MAX(max, cpu[c]);
        sum += cpu[c];
        *excess += cpu[c] > 1 ? cpu[c] - 1 : 0;
    }
    *total = sum;
    *ratio = max / (sum / bc_pmds);
}

static void
bc_run(enum bc_approach a, long long int seconds, long long int interval,
       uint64_t seed, struct bc_result *r)
{
    struct offload_cpus_cpu cpus[BC_MAX_PMDS];
    struct offload_cpus_nic_config nic = {
        .name = "nic0", .numa = -1, .base_cpu = -1, .max_cpu = -1,
        .n_queues = BC_QUEUES,
    };
    struct offload_cpus_config cfg;
    struct offload_cpus_autolb_config lbcfg;
    int queue_cpu[BC_QUEUES];

    bc_rng = seed;
    for (size_t c = 0; c < bc_pmds; c++) {
        cpus[c] = (struct offload_cpus_cpu) { c, c >= bc_pmds / 2 };
    }
    for (size_t q = 0; q < BC_QUEUES; q++) {
        queue_cpu[q] = q % bc_pmds;
    }
    offload_cpus_config_default(&cfg);
    cfg.mode = OFFLOAD_CPUS_SPREAD;
    cfg.cpus = cpus;
    cfg.n_cpus = bc_pmds;
    cfg.nics = &nic;
    cfg.n_nics = 1;
    cfg.interval_ms = interval;
    cfg.min_move_ms = interval / 2;
    struct offload_cpus *oc = offload_cpus_create();
    char *error = NULL;
    if (offload_cpus_set_config(oc, &cfg, 0, &error)) {
        ovs_fatal(0, "%s", error);
    }
    offload_cpus_autolb_config_default(&lbcfg);
    struct offload_cpus_autolb *lb = offload_cpus_autolb_create(
        &lbcfg, bc_pmds, BC_QUEUES, queue_cpu);

    memset(r, 0, sizeof *r);
    r->converge_ms = -1;
    double offered = 0, excess_sum = 0, after_sum = 0, before_sum = 0;
    int n_after = 0, n_before = 0;
    for (long long int t = 0; t < seconds * 1000; t += BC_ROUND_MS) {
        struct bc_trace tr;
        bc_trace_at(t, &tr);

        /* Demand per queue as the NIC's queue counters give it. */
        const uint16_t *reta = offload_cpus_reta(oc, 0);
        double queue[BC_QUEUES] = { 0 };
        for (size_t e = 0; e < NIC_RSS_RETA_SIZE; e++) {
            queue[a == BC_ALIGNER ? reta[e] : e % BC_QUEUES] += tr.entry[e];
        }
        uint32_t eq = a == BC_ALIGNER ? reta[0] : 0;
        if (a == BC_ALIGNER && offload_cpus_n_filters(oc, 0)) {
            eq = offload_cpus_get_filter(oc, 0, 0)->queue;
        }
        queue[eq] += tr.elephant;

        double cpu[BC_MAX_PMDS] = { 0 };
        for (size_t q = 0; q < BC_QUEUES; q++) {
            int c = (a == BC_ALIGNER ? offload_cpus_queue_cpu(oc, 0, q)
                     : a == BC_AUTOLB ? offload_cpus_autolb_queue_cpu(lb, q)
                     : (int) q % bc_pmds);
            cpu[c] += queue[q];
        }
        double ratio, excess, total;
        bc_stats(cpu, &ratio, &excess, &total);
        offered += total;
        excess_sum += excess;
        if (t < BC_ONSET_MS) {
            before_sum += ratio;
            n_before++;
        } else {
            r->peak = MAX(r->peak, ratio);
            if (r->converge_ms < 0 && ratio <= 1.2) {
                r->converge_ms = t - BC_ONSET_MS;
            }
        }
        if (t >= (seconds - 10) * 1000) {
            after_sum += ratio;
            n_after++;
        }

        /* What each approach sees of this round, for the next. */
        if (a == BC_ALIGNER) {
            struct offload_cpus_flow_load flow = {
                .id = 1, .name = "elephant", .entry = 0,
                .load = tr.elephant,
            };
            struct offload_cpus_nic_load load = {
                .flows = &flow, .n_flows = tr.elephant > 0,
            };
            offload_cpus_estimate_entries(oc, 0, queue, &load);
            offload_cpus_run(oc, &load, NULL, t);
        } else if (a == BC_AUTOLB) {
            offload_cpus_autolb_run(lb, queue, t);
        }
    }
    r->before = before_sum / MAX(n_before, 1);
    r->after = after_sum / MAX(n_after, 1);
    r->lost = offered ? excess_sum / offered : 0;
    r->moves = (a == BC_ALIGNER ? offload_cpus_total_moves(oc)
                : a == BC_AUTOLB ? offload_cpus_autolb_n_rebalances(lb) : 0);
    offload_cpus_destroy(oc);
    offload_cpus_autolb_destroy(lb);
}

static void
bc_usage(void)
{
    printf("usage: bench-cpus [--seconds N] [--interval MS] [--pmds N] "
           "[--seed N] [--json FILE]\n");
}

int
main(int argc, char *argv[])
{
    static const struct option options[] = {
        {"seconds", required_argument, NULL, 's'},
        {"interval", required_argument, NULL, 'i'},
        {"pmds", required_argument, NULL, 'p'},
        {"seed", required_argument, NULL, 'r'},
        {"json", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    long long int seconds = 180, interval = 500;
    uint64_t seed = 88172645463325252ULL;
    const char *json = NULL;
    int c;

    set_program_name(argv[0]);
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 's': seconds = atoll(optarg); break;
        case 'i': interval = atoll(optarg); break;
        case 'p': bc_pmds = atoi(optarg); break;
        case 'r': seed = strtoull(optarg, NULL, 0) | 1; break;
        case 'j': json = optarg; break;
        case 'h': bc_usage(); return 0;
        default: bc_usage(); return 1;
        }
    }
    if (seconds < 20 || interval < BC_ROUND_MS || bc_pmds < 2
        || bc_pmds > BC_MAX_PMDS) {
        fprintf(stderr, "bench-cpus: --seconds >= 20, --interval >= %d, "
                "--pmds 2..%d\n", BC_ROUND_MS, BC_MAX_PMDS);
        return 1;
    }

    struct bc_result res[BC_N];
    for (int a = 0; a < BC_N; a++) {
        bc_run(a, seconds, interval, seed, &res[a]);
    }

    printf("bench-cpus: %d PMD CPUs, %d queues, %lld s trace, elephant 0.40 + "
           "mice 0.40 on queue 0 from %d s over 0.45/CPU; aligner "
           "interval %lld ms, pmd-auto-lb 10 s samples, 60 s window\n",
           bc_pmds, BC_QUEUES, seconds, BC_ONSET_MS / 1000, interval);
    printf("%-12s %9s %9s %9s %12s %10s %6s\n", "approach", "mm before",
           "mm peak", "mm after", "converge", "lost", "moves");
    for (int a = 0; a < BC_N; a++) {
        char conv[32];
        if (res[a].converge_ms >= 0) {
            snprintf(conv, sizeof conv, "%.1f s", res[a].converge_ms / 1e3);
        } else {
            snprintf(conv, sizeof conv, "never");
        }
        printf("%-12s %9.3f %9.3f %9.3f %12s %9.3f%% %6"PRIu64"\n",
               bc_names[a], res[a].before, res[a].peak, res[a].after, conv,
               res[a].lost * 100, res[a].moves);
    }
    printf("(mm: max/mean CPU load; lost: offered load above a CPU's "
           "capacity, what a PMD would drop)\n");
    double intervals = (res[BC_ALIGNER].converge_ms >= 0
                        ? (double) res[BC_ALIGNER].converge_ms / interval
                        : -1);
    printf("aligner: max/mean %.3f (target <= 1.2) after %.1f intervals "
           "(target <= 2); pmd-auto-lb %.3f, %.2fx the aligner's\n",
           res[BC_ALIGNER].after, intervals, res[BC_AUTOLB].after,
           res[BC_AUTOLB].after / res[BC_ALIGNER].after);

    if (json) {
        FILE *f = fopen(json, "w");
        if (!f) {
            fprintf(stderr, "bench-cpus: %s: %s\n", json,
                    ovs_strerror(errno));
            return 1;
        }
        fprintf(f, "{\"cpus\": %d, \"seconds\": %lld, \"interval_ms\": %lld",
                bc_pmds, seconds, interval);
        for (int a = 0; a < BC_N; a++) {
            fprintf(f, ", \"%s\": {\"before\": %.4f, \"peak\": %.4f, "
                    "\"after\": %.4f, \"converge_ms\": %lld, "
                    "\"lost\": %.6f, \"moves\": %"PRIu64"}", bc_names[a],
                    res[a].before, res[a].peak, res[a].after,
                    res[a].converge_ms, res[a].lost, res[a].moves);
        }
        fprintf(f, "}\n");
        fclose(f);
    }
    return 0;
}
