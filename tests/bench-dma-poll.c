/* SPDX-License-Identifier: Apache-2.0 */
/* bench-dma-poll: the three DMA completion polling modes compared in one
 * run, on nicsim's DMA rings with a DMA engine on a thread of its own.
 *
 * Usage: bench-dma-poll [--seconds S] [--timeout US] [--json FILE]
 *
 * For each offered load (packets per second, or "max": post whenever the ring
 * has room) and batch size, each mode in turn receives for S seconds (default
 * 0.2), five times in turn with the others (each figure is the median of the
 * five; forced polls and packets are totals): the NIC side posts a batch of
 * 64-byte packets at the offered rate, the DMA thread copies them into host
 * buffers and advances the completion index, and the host loop runs the poller
 * and takes what it releases. Printed per mode: polls per packet, host CPU per
 * packet (ns in the poll-and-take section: poller, completion reads, taking
 * and freeing the packets), p50/p99 delay from posting to release (us),
 * p99 added delay (us: from the DMA engine's completion to the release,
 * what the polling schedule adds), throughput (Mpps released), and the
 * ratios that the targets are about: per-packet polls / deferred polls,
 * deferred throughput / per-batch throughput, and deferred's p99 added
 * delay beyond per-batch's (which polls at once) against the timeout. */

#include <config.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dp-packet.h"
#include "lib/nicsim-dma.h"
#include "lib/offload-dma-poll.h"
#include "openvswitch/vlog.h"
#include "ovs-atomic.h"
#include "ovs-thread.h"
#include "util.h"

#define BENCH_RING 1024
#define BENCH_MAX_SAMPLES (1 << 22)

static long long int
bench_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#define BENCH_STAMPS (BENCH_RING * 4)

struct bench_dma {
    struct nicsim_dma_ring ring;
    atomic_bool exit;
    /* When the DMA engine took each packet to copy, by its sequence
     * number: written before the completion index that covers it is
     * published (release), read by the host after it read that index
     * (acquire). */
    long long int complete_ns[BENCH_STAMPS];
};

/* The DMA engine: copies whatever is posted, as fast as it can. */
static void *
bench_dma_main(void *d_)
{
    struct bench_dma *d = d_;

    for (;;) {
        bool exit;

        atomic_read_relaxed(&d->exit, &exit);
        if (exit) {
            break;
        }
        uint64_t done = nicsim_dma_completed(&d->ring);
        uint64_t upto = MIN(nicsim_dma_posted(&d->ring), done + 32);
        long long int now = bench_ns();

        for (uint64_t i = done; i < upto; i++) {
            d->complete_ns[i % BENCH_STAMPS] = now;
        }
        if (!nicsim_dma_run(&d->ring, upto - done)) {
            /* Nothing posted: on a machine with fewer free cores than
             * spinning threads, let the host loop run. */
            sched_yield();
        }
    }
    return NULL;
}

static uint64_t
bench_read(void *ring)
{
    return nicsim_dma_completed(ring);
}

struct bench_cell {
    const char *load;
    double pps;                 /* 0: max. */
    int batch;
    enum offload_dma_mode mode;
    double polls_per_pkt, cpu_ns_per_pkt, p50_us, p99_us, mpps;
    double added_p99_us;        /* Completion to release. */
    uint64_t packets, ring_full, forced;
};

static int
bench_cmp_ll(const void *a_, const void *b_)
{
    long long int a = *(const long long int *) a_;
    long long int b = *(const long long int *) b_;

    return a < b ? -1 : a > b;
}

#define BENCH_REPS 5

static double
bench_median_of(double *v)
{
    for (int i = 1; i < BENCH_REPS; i++) {
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    }
    return v[BENCH_REPS / 2];
}

/* Fills 'c' with the medians of mode 'm''s repetitions. */
static void
bench_median(struct bench_cell reps[][3], size_t m, struct bench_cell *c)
{
    double v[BENCH_REPS];

    *c = reps[0][m];
#define BENCH_MEDIAN(FIELD)                             \
    for (int r = 0; r < BENCH_REPS; r++) {              \
        v[r] = reps[r][m].FIELD;                        \
    }                                                   \
    c->FIELD = bench_median_of(v);
    BENCH_MEDIAN(polls_per_pkt);
    BENCH_MEDIAN(cpu_ns_per_pkt);
    BENCH_MEDIAN(p50_us);
    BENCH_MEDIAN(p99_us);
    BENCH_MEDIAN(added_p99_us);
    BENCH_MEDIAN(mpps);
#undef BENCH_MEDIAN
    c->packets = c->ring_full = c->forced = 0;
    for (int r = 0; r < BENCH_REPS; r++) {
        c->packets += reps[r][m].packets;
        c->ring_full += reps[r][m].ring_full;
        c->forced += reps[r][m].forced;
    }
}

static void
bench_run_cell(struct bench_cell *c, double seconds, uint32_t timeout_us,
               long long int *samples, long long int *added)
{
    struct offload_dma_poll_config cfg = {
        .mode = c->mode, .timeout_us = timeout_us, .budget = 64,
    };
    static long long int post_ns[BENCH_STAMPS];
    static struct bench_dma d;
    struct offload_dma_queue q;
    pthread_t thread;
    uint64_t posted = 0, taken = 0, n_samples = 0, full = 0;
    long long int cpu_ns = 0, start, end, next, gap;

    nicsim_dma_ring_init(&d.ring, BENCH_RING, 0);
    atomic_init(&d.exit, false);
    offload_dma_queue_init(&q, &cfg);
    thread = ovs_thread_create("bench-dma", bench_dma_main, &d);

    gap = c->pps ? (long long int) (1e9 * c->batch / c->pps) : 0;
    start = bench_ns();
    end = start + (long long int) (seconds * 1e9);
    next = start;
    for (;;) {
        long long int now = bench_ns();
        struct dp_packet *pkts[64];

        if (now >= end) {
            break;
        }
        if (now >= next && (c->pps || posted - taken + c->batch
                                      <= BENCH_RING)) {
            int n = 0;

            for (int i = 0; i < c->batch; i++) {
                struct dp_packet *p = dp_packet_new(64);

                dp_packet_put_zeros(p, 64);
                if (!nicsim_dma_post(&d.ring, p, NULL)) {
                    dp_packet_delete(p);
                    full++;
                    continue;
                }
                post_ns[(posted + n) % ARRAY_SIZE(post_ns)] = now;
                n++;
            }
            posted += n;
            offload_dma_queue_submit(&q, n, now / 1000);
            next = c->pps ? next + gap : now;
        }

        long long int t0 = bench_ns();
        uint32_t rel = offload_dma_queue_run(&q, t0 / 1000, 64, bench_read,
                                             &d.ring);
        int got = rel ? nicsim_dma_take(&d.ring, pkts, rel, NULL) : 0;
        long long int t1 = bench_ns();

        for (int i = 0; i < got; i++) {
            dp_packet_delete(pkts[i]);
            if (n_samples < BENCH_MAX_SAMPLES) {
                uint64_t seq = (taken + i) % BENCH_STAMPS;

                added[n_samples] = t1 - d.complete_ns[seq];
                samples[n_samples++] = t1 - post_ns[seq];
            }
        }
        taken += got;
        cpu_ns += bench_ns() - t0;
        if (!got) {
            /* Likewise: the DMA thread may need this core. */
            sched_yield();
        }
    }
    end = bench_ns();

    atomic_store_relaxed(&d.exit, true);
    xpthread_join(thread, NULL);

    qsort(samples, n_samples, sizeof *samples, bench_cmp_ll);
    qsort(added, n_samples, sizeof *added, bench_cmp_ll);
    c->packets = taken;
    c->ring_full = full;
    c->forced = q.stats.forced_polls;
    c->polls_per_pkt = taken ? (double) q.stats.polls / taken : 0;
    c->cpu_ns_per_pkt = taken ? (double) cpu_ns / taken : 0;
    c->p50_us = n_samples ? samples[n_samples / 2] / 1e3 : 0;
    c->p99_us = n_samples ? samples[n_samples * 99 / 100] / 1e3 : 0;
    c->added_p99_us = n_samples ? added[n_samples * 99 / 100] / 1e3 : 0;
    c->mpps = taken / ((end - start) / 1e9) / 1e6;
    nicsim_dma_ring_destroy(&d.ring);
}

int
main(int argc, char *argv[])
{
    static const struct { const char *name; double pps; } loads[] = {
        { "100k", 1e5 }, { "1M", 1e6 }, { "max", 0 },
    };
    static const int batches[] = { 1, 8, 32 };
    static const enum offload_dma_mode modes[] = {
        OFFLOAD_DMA_PER_PACKET, OFFLOAD_DMA_PER_BATCH, OFFLOAD_DMA_DEFERRED,
    };
    double seconds = 0.2;
    uint32_t timeout_us = OFFLOAD_DMA_DEFAULT_TIMEOUT_US;
    const char *json = NULL;
    long long int *samples, *added;
    FILE *jf = NULL;
    bool first = true;

    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_WARN);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
            seconds = atof(argv[++i]);
        } else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
            timeout_us = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
            json = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--seconds S] [--timeout US] "
                    "[--json FILE]\n", argv[0]);
            return 2;
        }
    }
    struct offload_dma_poll_config check = {
        .mode = OFFLOAD_DMA_DEFERRED, .timeout_us = timeout_us, .budget = 64,
    };
    char *error;
    if (offload_dma_poll_config_check(&check, &error)) {
        ovs_fatal(0, "%s", error);
    }
    if (json) {
        jf = fopen(json, "w");
        if (!jf) {
            ovs_fatal(errno, "%s", json);
        }
        fprintf(jf, "[");
    }
    samples = xmalloc(BENCH_MAX_SAMPLES * sizeof *samples);
    added = xmalloc(BENCH_MAX_SAMPLES * sizeof *added);

    printf("deferred timeout %"PRIu32" us, budget 64, ring %d, %.2f s a "
           "cell\n\n", timeout_us, BENCH_RING, seconds);
    printf("%-5s %5s %-10s %10s %9s %9s %9s %9s %8s %9s\n", "load",
           "batch", "mode", "polls/pkt", "ns/pkt", "p50 us", "p99 us",
           "+p99 us", "Mpps", "forced");
    for (size_t l = 0; l < ARRAY_SIZE(loads); l++) {
        for (size_t b = 0; b < ARRAY_SIZE(batches); b++) {
            struct bench_cell cells[ARRAY_SIZE(modes)];
            struct bench_cell reps[BENCH_REPS][ARRAY_SIZE(modes)];

            /* The modes take turns, BENCH_REPS times; each figure is the
             * median of its repetitions, so that a moment when the
             * machine's other work takes a core skews no mode alone. */
            for (int r = 0; r < BENCH_REPS; r++) {
                for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
                    struct bench_cell *c = &reps[r][m];

                    memset(c, 0, sizeof *c);
                    c->load = loads[l].name;
                    c->pps = loads[l].pps;
                    c->batch = batches[b];
                    c->mode = modes[m];
                    bench_run_cell(c, seconds, timeout_us, samples,
                                   added);
                }
            }
            for (size_t m = 0; m < ARRAY_SIZE(modes); m++) {
                struct bench_cell *c = &cells[m];

                bench_median(reps, m, c);
                printf("%-5s %5d %-10s %10.3f %9.1f %9.1f %9.1f %9.1f "
                       "%8.2f %9"PRIu64"\n", c->load, c->batch,
                       offload_dma_mode_to_string(c->mode),
                       c->polls_per_pkt, c->cpu_ns_per_pkt, c->p50_us,
                       c->p99_us, c->added_p99_us, c->mpps, c->forced);
                if (jf) {
                    fprintf(jf, "%s\n {\"load\": \"%s\", \"batch\": %d, "
                            "\"mode\": \"%s\", \"polls_per_packet\": %.4f, "
                            "\"cpu_ns_per_packet\": %.1f, \"p50_us\": %.2f, "
                            "\"p99_us\": %.2f, \"added_p99_us\": %.2f, "
                            "\"mpps\": %.3f, "
                            "\"packets\": %"PRIu64", \"forced_polls\": %"
                            PRIu64", \"ring_full\": %"PRIu64"}",
                            first ? "" : ",", c->load, c->batch,
                            offload_dma_mode_to_string(c->mode),
                            c->polls_per_pkt, c->cpu_ns_per_pkt, c->p50_us,
                            c->p99_us, c->added_p99_us, c->mpps,
                            c->packets, c->forced,
                            c->ring_full);
                    first = false;
                }
            }
            /* The targets, as ratios of this run. */
            const struct bench_cell *pp = &cells[0], *pb = &cells[1];
            const struct bench_cell *df = &cells[2];
            /* What deferring adds: its p99 from completion to release
             * beyond per-batch's, which polls at once (both also wait
             * for the host loop to come round). */
            double extra = df->added_p99_us - pb->added_p99_us;

            printf("%-5s %5d %-10s %9.1fx fewer polls than per-packet, "
                   "throughput %.2fx per-batch's, p99 added delay %+.1f us "
                   "over per-batch's (%s the timeout)\n",
                   "", batches[b], "=> deferred",
                   df->polls_per_pkt ? pp->polls_per_pkt / df->polls_per_pkt
                                     : 0,
                   pb->mpps ? df->mpps / pb->mpps : 0, extra,
                   extra <= timeout_us ? "within" : "over");
        }
    }
    if (jf) {
        fprintf(jf, "\n]\n");
        fclose(jf);
    }
    free(samples);
    free(added);
    return 0;
}
