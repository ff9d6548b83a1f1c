/* SPDX-License-Identifier: Apache-2.0 */
/* bench-nicsim: throughput of the nicsim pipeline with N installed
 * exact-match rules and 64-byte packets from the in-memory generator.
 *
 * Usage: bench-nicsim [--seconds S] [--packets P] [--json FILE] [N...]
 *        (default N: 1000 65536 1000000)
 *
 * For each N it measures, on the same packets:
 *   lookup/batched   parse + batched exact-match lookup with prefetching
 *                    (what the engine does per batch of 32)
 *   lookup/naive     parse + one lookup per packet (the peer: no batching)
 *   engine           the whole pipeline on nicsim's own engine thread,
 *                    generator medium in, forwarded out of another port
 *                    (includes generating and freeing the packets)
 * and prints Mpps per thread (packets / thread CPU time), ns per packet,
 * and the bytes of heap per installed rule.
 *
 * With --packets P the engine runs until it has handled at least P packets
 * instead of for S seconds, and the count is printed: for instruction
 * counts per packet under valgrind --tool=callgrind
 * --toggle-collect=nicsim_engine_run_port, which do not depend on the
 * machine's load. */

#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dp-packet.h"
#include "lib/nic-media.h"
#include "lib/nic-parse.h"
#include "lib/nic-table.h"
#include "lib/nicsim.h"
#include "openvswitch/vlog.h"
#include "ovs-rcu.h"
#include "util.h"

static double
bench_cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
bench_wall_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct bench_result {
    unsigned long n_rules;
    double batched_mpps, naive_mpps, engine_mpps;
    double bytes_per_rule;
    double hit_ratio;
    uint64_t engine_packets;
};

/* Engine packets to run for instead of a time (0: use the time). */
static uint64_t bench_packets;

/* Frames of all N flows, as the generator makes them (N or at most
 * 'max_frames' of them, round robin). */
static struct dp_packet **
bench_frames(unsigned long n_flows, size_t n_frames)
{
    struct dp_packet **frames = xmalloc(n_frames * sizeof *frames);
    struct nic_medium *gen;
    char *spec = xasprintf("gen:%lu,64", n_flows);
    char *error;

    if (nic_medium_open(spec, &gen, &error)) {
        ovs_fatal(0, "%s", error);
    }
    for (size_t i = 0; i < n_frames; i += 32) {
        nic_medium_recv(gen, frames + i, MIN(32, n_frames - i));
    }
    nic_medium_close(gen);
    free(spec);
    return frames;
}

static double
bench_lookup(const struct nic_tables *t, struct dp_packet **frames,
             size_t n_frames, bool batched, double seconds, double *hits)
{
    uint64_t n = 0, n_hit = 0;
    double start = bench_cpu_seconds(), wall_end = bench_wall_seconds()
                                                   + seconds;

    do {
        for (size_t i = 0; i + 32 <= n_frames; i += 32) {
            struct nic_flow_key keys[32];
            const struct nic_rule *rules[32];
            struct nic_parse_offsets ofs;

            for (size_t j = 0; j < 32; j++) {
                struct dp_packet *p = frames[i + j];

                nic_parse(dp_packet_data(p), dp_packet_size(p), 0,
                          &keys[j], &ofs);
            }
            if (batched) {
                nic_tables_lookup_batch(t, keys, 32, rules);
            } else {
                for (size_t j = 0; j < 32; j++) {
                    rules[j] = nic_tables_lookup(t, &keys[j]);
                }
            }
            for (size_t j = 0; j < 32; j++) {
                n_hit += rules[j] != NULL;
            }
            n += 32;
        }
    } while (bench_wall_seconds() < wall_end);
    *hits = (double) n_hit / n;
    return n / (bench_cpu_seconds() - start) / 1e6;
}

static void
bench_one(unsigned long n_rules, double seconds, struct bench_result *r)
{
    struct nicsim_config cfg = {
        .n_uplinks = 2, .n_vfs = 0, .n_engines = 1,
        .exact_capacity = n_rules, .wildcard_capacity = 16,
    };
    size_t n_frames = MIN(n_rules, 1u << 20);
    struct dp_packet **frames;
    struct nic_tables tables;
    struct nicsim_engine_info e0, e1;
    struct nic_port_config pc;
    struct nic *nic;
    char *name = xasprintf("bench%lu", n_rules);
    char *error;
    size_t heap0, heap1;
    double hits;

    n_frames = ROUND_UP(MAX(n_frames, 32), 32);
    frames = bench_frames(n_rules, n_frames);
    memset(r, 0, sizeof *r);
    r->n_rules = n_rules;

    /* Every rule's one action. */
    static const struct nic_action bench_output = {
        .type = NIC_ACT_OUTPUT, .port = 1,
    };

    /* Tables alone: memory per rule and lookup rates. */
    heap0 = mallinfo2().uordblks;
    nic_tables_init(&tables, NULL, n_rules, 16);
    for (unsigned long i = 0; i < n_rules; i++) {
        struct nic_parse_offsets ofs;
        struct nic_rule_spec spec;
        struct dp_packet *p = frames[i % n_frames];
        uint32_t id;

        memset(&spec, 0, sizeof spec);
        nic_parse(dp_packet_data(p), dp_packet_size(p), 0,
                  &spec.match.key, &ofs);
        if (i >= n_frames) {
            /* More rules than sample frames: vary the address. */
            ovs_be32 dst = htonl(0x0b000000 + i);

            memcpy(spec.match.key.nw_dst, &dst, 4);
        }
        spec.match.mask = tables.exact_mask;
        spec.n_actions = 1;
        spec.actions = &bench_output;
        if (nic_tables_insert(&tables, &spec, &id)) {
            ovs_fatal(0, "insert %lu failed", i);
        }
    }
    heap1 = mallinfo2().uordblks;
    r->bytes_per_rule = (double) (heap1 - heap0) / n_rules;
    r->batched_mpps = bench_lookup(&tables, frames, n_frames, true, seconds,
                                   &r->hit_ratio);
    r->naive_mpps = bench_lookup(&tables, frames, n_frames, false, seconds,
                                 &hits);

    /* The whole pipeline on the NIC's engine thread. */
    if (nicsim_create(name, &cfg, &nic)) {
        ovs_fatal(0, "cannot create %s", name);
    }
    for (unsigned long i = 0; i < n_rules; i++) {
        struct nic_rule *rule = nic_tables_find(&tables, i + 1);
        struct nic_rule_spec spec;
        uint32_t id;

        memset(&spec, 0, sizeof spec);
        spec.match = rule->match;
        spec.n_actions = 1;
        spec.actions = &bench_output;
        if (nic_rule_add(nic, &spec, &id)) {
            ovs_fatal(0, "NIC insert %lu failed", i);
        }
    }
    nic_tables_destroy(&tables);
    pc = (struct nic_port_config) { .port = 1, .medium = "none", .n_rxq = 1 };
    if (nic_port_attach(nic, &pc, &error)) {
        ovs_fatal(0, "%s", error);
    }
    pc.port = 0;
    pc.medium = xasprintf("gen:%lu,64", n_rules);
    nicsim_get_engine_info(nic, 0, &e0);
    if (nic_port_attach(nic, &pc, &error)) {
        ovs_fatal(0, "%s", error);
    }
    if (bench_packets) {
        do {
            xnanosleep(10 * 1000 * 1000);
            nicsim_get_engine_info(nic, 0, &e1);
        } while (e1.packets - e0.packets < bench_packets);
    } else {
        xsleep(seconds > 0.5 ? (unsigned int) (seconds + 0.5) : 1);
    }
    nicsim_get_engine_info(nic, 0, &e1);
    r->engine_packets = e1.packets - e0.packets;
    nic_port_detach(nic, 0);
    r->engine_mpps = ((e1.packets - e0.packets)
                      / ((e1.cpu_ns - e0.cpu_ns) / 1e9) / 1e6);
    free(CONST_CAST(char *, pc.medium));
    nic_close(nic);

    for (size_t i = 0; i < n_frames; i++) {
        dp_packet_delete(frames[i]);
    }
    free(frames);
    free(name);
}

int
main(int argc, char *argv[])
{
    unsigned long sizes[16];
    size_t n_sizes = 0;
    double seconds = 2;
    const char *json = NULL;
    FILE *jf = NULL;

    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_WARN);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
            seconds = atof(argv[++i]);
        } else if (!strcmp(argv[i], "--packets") && i + 1 < argc) {
            bench_packets = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
            json = argv[++i];
        } else if (n_sizes < ARRAY_SIZE(sizes) && atol(argv[i]) > 0) {
            sizes[n_sizes++] = atol(argv[i]);
        } else {
            fprintf(stderr, "usage: %s [--seconds S] [--packets P] "
                    "[--json FILE] [N...]\n", argv[0]);
            return 2;
        }
    }
    if (!n_sizes) {
        sizes[0] = 1000;
        sizes[1] = 65536;
        sizes[2] = 1000000;
        n_sizes = 3;
    }
    if (json) {
        jf = fopen(json, "w");
        if (!jf) {
            ovs_fatal(errno, "%s", json);
        }
        fprintf(jf, "[\n");
    }

    printf("nicsim pipeline, 64-byte UDP packets, one flow per rule, "
           "%.0f s per figure\n\n", seconds);
    printf("%10s %8s | %9s %9s %7s | %9s %8s | %10s\n", "rules", "hits",
           "batched", "naive", "ratio", "engine", "ns/pkt", "bytes/rule");
    printf("%10s %8s | %9s %9s %7s | %9s %8s | %10s\n", "", "",
           "Mpps", "Mpps", "", "Mpps", "", "");
    for (size_t i = 0; i < n_sizes; i++) {
        struct bench_result r;

        bench_one(sizes[i], seconds, &r);
        printf("%10lu %7.1f%% | %9.2f %9.2f %6.2fx | %9.2f %8.1f | "
               "%10.0f\n", r.n_rules, r.hit_ratio * 100, r.batched_mpps,
               r.naive_mpps, r.batched_mpps / r.naive_mpps, r.engine_mpps,
               1000 / r.engine_mpps, r.bytes_per_rule);
        if (bench_packets) {
            printf("%10s engine packets: %"PRIu64"\n", "",
                   r.engine_packets);
        }
        fflush(stdout);
        if (jf) {
            fprintf(jf, "  {\"rules\": %lu, \"hit_ratio\": %.4f, "
                    "\"lookup_batched_mpps\": %.3f, "
                    "\"lookup_naive_mpps\": %.3f, \"engine_mpps\": %.3f, "
                    "\"engine_ns_per_packet\": %.1f, "
                    "\"bytes_per_rule\": %.0f}%s\n", r.n_rules, r.hit_ratio,
                    r.batched_mpps, r.naive_mpps, r.engine_mpps,
                    1000 / r.engine_mpps, r.bytes_per_rule,
                    i + 1 < n_sizes ? "," : "");
        }
    }
    if (jf) {
        fprintf(jf, "]\n");
        fclose(jf);
    }
    return 0;
}
