/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark of the receive queue manager under churn: one trace of VMs
 * starting, stopping and changing rate (more VMs than queues) replayed
 * against "value" and "first-come" (Hyper-V's VMQ) in the same run; the
 * share of host-path packets that land on a dedicated queue, and how
 * often VMs' queues change.
 *
 * Usage: bench-queues [--seconds N] [--vms N] [--queues N] [--seed N]
 *                     [--hold MS] [--json FILE] */

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/offload-queues.h"
#include "util.h"

/* One VM of the trace. */
struct bq_vm {
    char id[16];
    bool on;                    /* Running (its port exists). */
    double pps;                 /* True host-path rate now. */
    double next_change;         /* Seconds: next start/stop. */
    double next_rate;           /* Seconds: next rate change. */
    enum offload_queues_prio prio;
};

static uint64_t bq_rng_state = 88172645463325252ULL;

static double
bq_rand(void)
{
    /* xorshift64: the same trace for both policies and every run. */
    bq_rng_state ^= bq_rng_state << 13;
    bq_rng_state ^= bq_rng_state >> 7;
    bq_rng_state ^= bq_rng_state << 17;
    return (bq_rng_state >> 11) * (1.0 / 9007199254740992.0);
}

static double
bq_exp(double mean)
{
    return -mean * log(1 - bq_rand());
}

static double
bq_gauss(void)
{
    double u = bq_rand(), v = bq_rand();

    return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

/* A rate: log-uniform over 10 pps .. 100 kpps, or idle (a running VM that
 * sends nothing to the host: its traffic is offloaded, or it is quiet). */
static double
bq_draw_rate(void)
{
    return bq_rand() < 0.3 ? 0 : pow(10, 1 + 4 * bq_rand());
}

struct bq_result {
    const char *policy;
    double dedicated, total;    /* Packets. */
    uint64_t decisions;
    double vm_minutes;          /* Of running VMs. */
};

/* Replays the trace made from 'seed' against 'cfg'; the one before
 * measures "oracle" (the heaviest running VMs on the queues, each
 * second, without a cost for moving them). */
static void
bq_run(const struct offload_queues_config *cfg, uint64_t seed, int n_vms,
       int seconds, struct bq_result *r, struct bq_result *oracle)
{
    struct bq_vm *vms = xcalloc(n_vms, sizeof *vms);
    struct offload_queues_vm_input *in = xcalloc(n_vms, sizeof *in);
    double *measured = xcalloc(n_vms, sizeof *measured);
    double *sorted = xcalloc(n_vms, sizeof *sorted);
    struct offload_queues *oq = offload_queues_create(cfg);
    uint32_t n_dedicated = cfg->n_queues - cfg->n_default;

    bq_rng_state = seed;
    for (int i = 0; i < n_vms; i++) {
        struct bq_vm *vm = &vms[i];

        snprintf(vm->id, sizeof vm->id, "vm%d", i);
        vm->on = bq_rand() < 0.5;
        vm->pps = bq_draw_rate();
        vm->next_change = bq_exp(vm->on ? 180 : 90);
        vm->next_rate = bq_exp(30);
        vm->prio = OFFLOAD_QUEUES_PRIO_NORMAL;
    }
    for (int t = 0; t < seconds; t++) {
        size_t n = 0;

        /* The trace: starts, stops and rate changes this second. */
        for (int i = 0; i < n_vms; i++) {
            struct bq_vm *vm = &vms[i];

            if (t >= vm->next_change) {
                vm->on = !vm->on;
                vm->next_change = t + bq_exp(vm->on ? 180 : 90);
                if (vm->on) {
                    vm->pps = bq_draw_rate();
                }
            }
            if (t >= vm->next_rate) {
                vm->pps = (bq_rand() < 0.5 ? bq_draw_rate()
                           : vm->pps * pow(2, 2 * bq_rand() - 1));
                vm->next_rate = t + bq_exp(30);
            }
        }

        /* What lands where in this second, under the assignment the last
         * round made from the last second's counts. */
        int n_sorted = 0;
        for (int i = 0; i < n_vms; i++) {
            if (!vms[i].on) {
                continue;
            }
            r->total += vms[i].pps;
            r->vm_minutes += 1 / 60.0;
            if (offload_queues_queue_of(oq, vms[i].id, false, 0) >= 0) {
                r->dedicated += vms[i].pps;
            }
            sorted[n_sorted++] = vms[i].pps;
        }
        if (oracle) {
            /* Selection of the heaviest n_dedicated, by sorting. */
            for (int a = 0; a < n_sorted; a++) {
                for (int b = a + 1; b < n_sorted; b++) {
                    if (sorted[b] > sorted[a]) {
                        double x = sorted[a];

                        sorted[a] = sorted[b];
                        sorted[b] = x;
                    }
                }
                oracle->total += sorted[a];
                if (a < n_dedicated) {
                    oracle->dedicated += sorted[a];
                }
            }
        }

        /* The round at the end of the second, on counted rates (Poisson
         * noise). */
        for (int i = 0; i < n_vms; i++) {
            struct bq_vm *vm = &vms[i];

            if (!vm->on) {
                continue;
            }
            measured[i] = MAX(0, vm->pps + sqrt(vm->pps) * bq_gauss());
            in[n++] = (struct offload_queues_vm_input) {
                .id = vm->id, .prio = vm->prio, .wanted = 1,
                .pps = measured[i], .bps = measured[i] * 8 * 512,
            };
        }
        offload_queues_rebalance(oq, in, n, (t + 1) * 1000LL);
    }
    r->decisions = offload_queues_total_decisions(oq);
    offload_queues_destroy(oq);
    free(vms);
    free(in);
    free(measured);
    free(sorted);
}

static void
bq_usage(void)
{
    printf("usage: bench-queues [--seconds N] [--vms N] [--queues N] "
           "[--seed N] [--hold MS] [--json FILE]\n");
    exit(EXIT_SUCCESS);
}

int
main(int argc, char *argv[])
{
    static const struct option options[] = {
        {"seconds", required_argument, NULL, 's'},
        {"vms", required_argument, NULL, 'v'},
        {"queues", required_argument, NULL, 'q'},
        {"seed", required_argument, NULL, 'r'},
        {"hold", required_argument, NULL, 'H'},
        {"json", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct offload_queues_config cfg;
    struct bq_result res[3], oracle;
    const char *json = NULL;
    int seconds = 3600, n_vms = 32, n_seeds = 5;
    uint64_t seed = 1;
    int c;

    offload_queues_config_default(&cfg);
    cfg.n_queues = 8;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 's': seconds = atoi(optarg); break;
        case 'v': n_vms = atoi(optarg); break;
        case 'q': cfg.n_queues = atoi(optarg); break;
        case 'r': seed = strtoull(optarg, NULL, 10); n_seeds = 1; break;
        case 'H': cfg.hold_ms = atoll(optarg); break;
        case 'j': json = optarg; break;
        case 'h': bq_usage(); break;
        default: exit(EXIT_FAILURE);
        }
    }
    if (seconds < 1 || n_vms < 1
        || offload_queues_config_check(&cfg, NULL)) {
        fprintf(stderr, "bench-queues: bad arguments\n");
        return EXIT_FAILURE;
    }

    memset(res, 0, sizeof res);
    memset(&oracle, 0, sizeof oracle);
    res[0].policy = "value";
    res[1].policy = "first-come";
    res[2].policy = "value-naive";
    oracle.policy = "oracle";
    /* The same traces (one per seed) for both policies. */
    for (int s = 0; s < n_seeds; s++) {
        uint64_t trace = (seed + s) * 0x9e3779b97f4a7c15ULL | 1;

        cfg.policy = OFFLOAD_POLICY_VALUE;
        bq_run(&cfg, trace, n_vms, seconds, &res[0], &oracle);
        cfg.policy = OFFLOAD_POLICY_FIRST_COME;
        bq_run(&cfg, trace, n_vms, seconds, &res[1], NULL);

        /* "value" without what keeps it from flapping. */
        struct offload_queues_config naive = cfg;

        naive.policy = OFFLOAD_POLICY_VALUE;
        naive.hysteresis = 1;
        naive.hold_ms = naive.idle_ms = 0;
        bq_run(&naive, trace, n_vms, seconds, &res[2], NULL);
    }

    printf("bench-queues: %d VMs, %"PRIu32" queues (%"PRIu32" default), "
           "%d s x %d traces; value: min %g pps, hysteresis %g, hold %lld "
           "ms, idle %lld ms\n", n_vms, cfg.n_queues, cfg.n_default,
           seconds, n_seeds, cfg.min_pps, cfg.hysteresis, cfg.hold_ms,
           cfg.idle_ms);
    printf("%-12s %22s %26s\n", "policy", "host pkts on own queue",
           "reassignments /VM/minute");
    for (int i = 0; i < 3; i++) {
        printf("%-12s %21.1f%% %26.3f\n", res[i].policy,
               100 * res[i].dedicated / res[i].total,
               res[i].decisions / res[i].vm_minutes);
    }
    printf("%-12s %21.1f%% %26s\n", "oracle",
           100 * oracle.dedicated / oracle.total, "-");
    double ratio = ((res[0].dedicated / res[0].total)
                    / (res[1].dedicated / res[1].total));
    printf("(value-naive: hysteresis 1, hold and idle 0)\n");
    printf("value / first-come: %.2fx (target >= 1.2x), value / oracle: "
           "%.2f\n", ratio,
           (res[0].dedicated / res[0].total)
           / (oracle.dedicated / oracle.total));

    if (json) {
        FILE *f = fopen(json, "w");

        if (!f) {
            fprintf(stderr, "bench-queues: %s: %s\n", json,
                    ovs_strerror(errno));
            return EXIT_FAILURE;
        }
        fprintf(f, "{\"vms\": %d, \"queues\": %"PRIu32", \"seconds\": %d, "
                "\"traces\": %d", n_vms, cfg.n_queues, seconds, n_seeds);
        for (int i = 0; i < 3; i++) {
            fprintf(f, ", \"%s\": {\"share\": %.4f, "
                    "\"reassignments_per_vm_minute\": %.4f}",
                    res[i].policy, res[i].dedicated / res[i].total,
                    res[i].decisions / res[i].vm_minutes);
        }
        fprintf(f, ", \"oracle_share\": %.4f, \"ratio\": %.4f}\n",
                oracle.dedicated / oracle.total, ratio);
        fclose(f);
    }
    return EXIT_SUCCESS;
}
