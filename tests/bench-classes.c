/* SPDX-License-Identifier: Apache-2.0 */
/* Benchmark of the receive classes and the SYN guard in virtual time: a
 * host that takes a fixed number of packets per millisecond, established
 * traffic, and a SYN flood in the middle of the run.  Prints, for a
 * single FIFO ring (what a NIC without classes does), classes with the
 * guard, and classes with a static SYN rule, the share of established
 * packets the host got during the flood against before it, and the SYNs
 * per second it got (each one an upcall in ovs-vswitchd).
 *
 * Usage: bench-classes [FLOOD_PER_MS [HOST_PER_MS [EST_PER_MS]]] */

#include <config.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/offload-classes.h"
#include "lib/offload-syn-guard.h"
#include "util.h"

#define BC_RUN_MS 3000
#define BC_FLOOD_FROM 1000
#define BC_FLOOD_TO 2000

enum bc_mode { BC_FIFO, BC_GUARD, BC_RULE };

struct bc_result {
    uint64_t est_before, est_during;    /* Delivered per ms, summed. */
    uint64_t est_offered_during;
    uint64_t syn_during;                /* SYNs delivered in the flood. */
};

static struct offload_class_config
bc_class(const char *name, uint32_t prio, uint32_t depth, uint64_t pps)
{
    struct offload_class_config c = {
        .n_queues = 1, .priority = prio, .weight = 1, .depth = depth,
        .pps = pps,
    };
    ovs_strlcpy(c.name, name, sizeof c.name);
    return c;
}

static struct bc_result
bc_run(enum bc_mode mode, uint32_t flood, uint32_t host, uint32_t est)
{
    struct offload_syn_guard_config gcfg;
    struct offload_syn_guard guard;
    struct offload_sched s;
    struct bc_result r;
    size_t i_est, i_syn;

    memset(&r, 0, sizeof r);
    offload_sched_init(&s);
    struct offload_class_config c_est = bc_class("est", 6, 1024, 0);
    struct offload_class_config c_syn = bc_class("syn", 0, 256, 1000);
    ovs_assert(!offload_sched_add_class(&s, &c_est, 0, &i_est));
    if (mode == BC_FIFO) {
        i_syn = i_est;          /* One ring for all. */
    } else {
        ovs_assert(!offload_sched_add_class(&s, &c_syn, 0, &i_syn));
    }
    offload_syn_guard_config_default(&gcfg);
    gcfg.enabled = true;
    offload_syn_guard_init(&guard, &gcfg, 0);

    struct offload_syn_dst dst = { .port = 80 };
    dst.addr[0] = 10;
    for (uint64_t t = 0; t < BC_RUN_MS; t++) {
        bool flooding = t >= BC_FLOOD_FROM && t < BC_FLOOD_TO;
        uint32_t n_syn = flooding ? flood : 1;
        uint32_t n = est + n_syn;

        /* Interleaved arrivals; the tag says which kind. */
        for (uint32_t k = 0; k < n; k++) {
            bool syn = (uint64_t) k * n_syn / n != (uint64_t) (k + 1)
                                                  * n_syn / n;
            size_t idx = i_est;
            enum offload_class_drop why;

            if (syn) {
                offload_syn_guard_count(&guard, &dst, t);
                if (mode == BC_RULE
                    || (mode == BC_GUARD
                        && offload_syn_guard_engaged(&guard))) {
                    idx = i_syn;
                }
            } else if (flooding) {
                r.est_offered_during++;
            }
            offload_sched_enqueue(&s, idx, (void *) (uintptr_t) (syn + 1),
                                  t * 1000000, &why);
        }
        offload_syn_guard_run(&guard, t);

        void *pkts[4096];
        size_t got = offload_sched_dequeue(&s, pkts, NULL,
                                           MIN(host, ARRAY_SIZE(pkts)));
        for (size_t k = 0; k < got; k++) {
            bool syn = (uintptr_t) pkts[k] == 2;

            if (!syn && t < BC_FLOOD_FROM) {
                r.est_before++;
            } else if (!syn && flooding) {
                r.est_during++;
            } else if (syn && flooding) {
                r.syn_during++;
            }
        }
    }
    offload_sched_destroy(&s, NULL, NULL);
    return r;
}

int
main(int argc, char *argv[])
{
    uint32_t flood = argc > 1 ? atoi(argv[1]) : 2000;
    uint32_t host = argc > 2 ? atoi(argv[2]) : 200;
    uint32_t est = argc > 3 ? atoi(argv[3]) : 100;
    static const char *names[] = { "fifo (no classes)", "classes + guard",
                                   "classes + SYN rule" };

    printf("virtual time: host takes %u packets/ms, established %u/ms, "
           "flood %u SYN/ms for %d ms\n", host, est, flood,
           BC_FLOOD_TO - BC_FLOOD_FROM);
    printf("%-20s %14s %14s %10s\n", "mode", "est during/bef",
           "est delivered", "SYN/s host");
    for (int m = BC_FIFO; m <= BC_RULE; m++) {
        struct bc_result r = bc_run(m, flood, host, est);
        double per_ms_before = (double) r.est_before / BC_FLOOD_FROM;
        double per_ms_during = (double) r.est_during
                               / (BC_FLOOD_TO - BC_FLOOD_FROM);

        printf("%-20s %14.2f %13.1f%% %10.0f\n", names[m],
               per_ms_during / per_ms_before,
               100.0 * r.est_during / MAX(1, r.est_offered_during),
               r.syn_during * 1000.0 / (BC_FLOOD_TO - BC_FLOOD_FROM));
    }
    return 0;
}
