/* SPDX-License-Identifier: Apache-2.0 */
/* bench-token: the NIC's CPU per packet for sealed destinations (token
 * frames opened and tunnelled) against plain tunnelled frames (a rule that
 * pushes the same VXLAN header), in the same run, on the same inner
 * frames.
 *
 * Usage: bench-token [--seconds S] [--rounds R] [--flows N] [--size B]
 *                    [--json FILE]
 *
 * The benchmark thread acts as nicsim's engine (nicsim_process()) on VF 0
 * of a NIC whose uplink's medium discards, and takes its thread CPU time.
 * Rounds alternate the workloads, so that the machine's load falls on
 * both alike:
 *   copy     making the packets alone (a copy of each template), which
 *            both workloads pay as the medium would
 *   plain    inner frames hitting an encap+output rule (the offloaded
 *            tunnel flow OVS would have)
 *   token    the same inner frames in token frames: open (AES-256-GCM),
 *            checks, encap, output
 *   open     offload_token_frame_open() alone, without the pipeline
 * and prints ns per packet (copy taken off plain and token), and the
 * ratio token / plain. */

#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "csum.h"
#include "dp-packet.h"
#include "lib/nic.h"
#include "lib/nic-pktpool.h"
#include "lib/nicsim.h"
#include "lib/offload-token.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "tests/test-packets.h"
#include "timeval.h"
#include "util.h"

#define BENCH_BATCH 32

static double
bench_cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const uint8_t bench_key[OFFLOAD_TOKEN_KEY_LEN] = {
    0x42, 0x17, 0x99, 0x01, 0x02, 0x03, 0x04, 0x05,
};

/* An IPv4 UDP frame of 'size' bytes to 00:00:00:00:0b:01 from source port
 * 'sport'. */
static struct dp_packet *
bench_inner(size_t size, uint16_t sport)
{
    struct dp_packet *p = dp_packet_new_with_headroom(size, 256);
    uint8_t *f = dp_packet_put_zeros(p, size);
    ovs_be16 x;

    memcpy(f, "\x00\x00\x00\x00\x0b\x01\x50\x54\x00\x00\x00\x01\x08\x00",
           14);
    f[14] = 0x45;
    x = htons(size - 14);
    memcpy(f + 16, &x, 2);
    f[22] = 64;
    f[23] = IPPROTO_UDP;
    memcpy(f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x03", 8);
    x = csum(f + 14, 20);
    memcpy(f + 24, &x, 2);
    x = htons(sport);
    memcpy(f + 34, &x, 2);
    x = htons(2000);
    memcpy(f + 36, &x, 2);
    x = htons(size - 34);
    memcpy(f + 38, &x, 2);
    return p;
}

/* The encap the underlay below gives a token to 1.1.2.92, VNI 5001, as a
 * rule action. */
static void
bench_encap_action(struct nic_action *a)
{
    tp_encap_action(a, NIC_TUNNEL_VXLAN, 0x01010258, 0x0101025c, 5001,
                    NULL, 0);
}

enum { W_COPY, W_PLAIN, W_TOKEN, W_OPEN, N_WORKLOADS };
static const char *const w_names[] = { "copy", "plain", "token", "open" };

struct bench_acc {
    double cpu;
    uint64_t packets;
};

/* Runs workload 'w' for about 'seconds' of thread CPU. */
static void
bench_run(int w, struct nic *nic, struct dp_packet **tpl, size_t n_tpl,
          struct offload_token_keys *keys, double seconds,
          struct bench_acc *acc)
{
    double start = bench_cpu_seconds(), now = start;
    uint64_t n = 0;
    size_t next = 0;

    while (now - start < seconds) {
        for (int iter = 0; iter < 64; iter++) {
            struct dp_packet *pkts[BENCH_BATCH];

            if (w == W_OPEN) {
                for (int i = 0; i < BENCH_BATCH; i++) {
                    const struct dp_packet *p = tpl[next++ % n_tpl];
                    struct offload_token t;
                    size_t ofs;

                    if (offload_token_frame_open(keys, dp_packet_data(p),
                                                 dp_packet_size(p), 0,
                                                 time_wall(), &t, &ofs)) {
                        ovs_fatal(0, "token did not open");
                    }
                }
                n += BENCH_BATCH;
                continue;
            }
            for (int i = 0; i < BENCH_BATCH; i++) {
                pkts[i] = dp_packet_clone_with_headroom(tpl[next++ % n_tpl],
                                                        256);
            }
            if (w == W_COPY) {
                /* Freed as the NIC frees what it sent. */
                nic_pktpool_free_batch(pkts, BENCH_BATCH);
            } else {
                nicsim_process(nic, NIC_PORT_VF_BASE, pkts, BENCH_BATCH);
            }
            n += BENCH_BATCH;
        }
        now = bench_cpu_seconds();
    }
    acc->cpu += now - start;
    acc->packets += n;
}

int
main(int argc, char *argv[])
{
    struct nicsim_config cfg = {
        .n_uplinks = 1, .n_vfs = 1, .n_engines = 1,
        .exact_capacity = 16, .wildcard_capacity = 16,
    };
    struct bench_acc acc[N_WORKLOADS];
    struct dp_packet **plain, **tokens;
    struct offload_token_keys keys;
    struct nic_token_underlay u;
    struct nic_port_config pc;
    struct nic_action acts[2];
    struct nic_rule_spec spec;
    struct nic_port_stats st;
    const char *json = NULL;
    double seconds = 0.5;
    size_t n_flows = 64, size = 64;
    int rounds = 5;
    struct nic *nic;
    char *error;
    uint32_t id;

    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_WARN);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seconds") && i + 1 < argc) {
            seconds = atof(argv[++i]);
        } else if (!strcmp(argv[i], "--rounds") && i + 1 < argc) {
            rounds = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--flows") && i + 1 < argc) {
            n_flows = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--size") && i + 1 < argc) {
            size = atol(argv[++i]);
        } else if (!strcmp(argv[i], "--json") && i + 1 < argc) {
            json = argv[++i];
        } else {
            fprintf(stderr, "usage: %s [--seconds S] [--rounds R] "
                    "[--flows N] [--size B] [--json FILE]\n", argv[0]);
            return 2;
        }
    }
    if (seconds <= 0 || rounds < 1 || !n_flows || size < 60 || size > 9000) {
        ovs_fatal(0, "bad arguments");
    }

    if (nicsim_create("bench-token", &cfg, &nic)) {
        ovs_fatal(0, "cannot create the NIC");
    }
    pc = (struct nic_port_config) { .port = 0, .medium = "none",
                                    .n_rxq = 1 };
    if (nic_port_attach(nic, &pc, &error)) {
        ovs_fatal(0, "%s", error);
    }
    /* The plain peer: the rule of an offloaded tunnel flow. */
    bench_encap_action(&acts[0]);
    acts[1] = (struct nic_action) { .type = NIC_ACT_OUTPUT, .port = 0 };
    memset(&spec, 0, sizeof spec);
    nic_match_init_catchall(&spec.match);
    spec.match.key.in_port = NIC_PORT_VF_BASE;
    spec.match.mask.in_port = UINT32_MAX;
    spec.n_actions = 2;
    spec.actions = acts;
    if (nic_rule_add(nic, &spec, &id)) {
        ovs_fatal(0, "rule insertion failed");
    }
    error = nic_token_underlay_from_string(
        "uplink=uplink0 mac=02:00:00:01:02:58 nexthop=f8:bc:12:44:34:b6 "
        "ip=1.1.2.88", &u);
    if (error || nic_token_set_underlay(nic, &u, &error)
        || nic_token_key_add(nic, 1, bench_key, 0)) {
        ovs_fatal(0, "token set-up: %s", error ? error : "key");
    }
    offload_token_keys_init(&keys);
    offload_token_keys_add(&keys, 1, bench_key, 0);

    plain = xmalloc(n_flows * sizeof *plain);
    tokens = xmalloc(n_flows * sizeof *tokens);
    for (size_t i = 0; i < n_flows; i++) {
        struct offload_token t = {
            .remote = in6_addr_mapped_ipv4(htonl(0x0101025c)),
            .vni = 5001, .tun_type = OFFLOAD_TOKEN_VXLAN,
            .inner_mac = { { { 0, 0, 0, 0, 0x0b, 0x01 } } },
            .has_inner_ip = true,
            .inner_ip = in6_addr_mapped_ipv4(htonl(0x0a000003)),
            .expiry = time_wall() + 3600, .vf = 0,
        };
        uint8_t tok[OFFLOAD_TOKEN_LEN];
        struct eth_addr src = { { { 0x50, 0x54, 0, 0, 0, 1 } } };

        plain[i] = bench_inner(size, 1000 + i);
        if (offload_token_seal(bench_key, 1, &t, tok)) {
            ovs_fatal(0, "sealing failed");
        }
        tokens[i] = dp_packet_new_with_headroom(
            size + OFFLOAD_TOKEN_FRAME_OVERHEAD, 256);
        dp_packet_set_size(tokens[i], offload_token_frame_build(
                               &eth_addr_broadcast, &src, tok,
                               dp_packet_data(plain[i]), size,
                               dp_packet_data(tokens[i])));
    }

    memset(acc, 0, sizeof acc);
    for (int r = 0; r < rounds; r++) {
        bench_run(W_COPY, nic, plain, n_flows, &keys, seconds, &acc[W_COPY]);
        bench_run(W_PLAIN, nic, plain, n_flows, &keys, seconds,
                  &acc[W_PLAIN]);
        bench_run(W_TOKEN, nic, tokens, n_flows, &keys, seconds,
                  &acc[W_TOKEN]);
        bench_run(W_OPEN, nic, tokens, n_flows, &keys, seconds,
                  &acc[W_OPEN]);
    }

    /* Every packet must have been forwarded: a figure of drops is none. */
    nic_port_stats(nic, NIC_PORT_VF_BASE, &st);
    if (st.fwd_packets != acc[W_PLAIN].packets + acc[W_TOKEN].packets
        || st.rx_packets != st.fwd_packets) {
        ovs_fatal(0, "VF0 forwarded %"PRIu64" of %"PRIu64" packets",
                  st.fwd_packets, st.rx_packets);
    }

    double ns[N_WORKLOADS];
    for (int w = 0; w < N_WORKLOADS; w++) {
        ns[w] = acc[w].cpu / acc[w].packets * 1e9;
    }
    double plain_net = ns[W_PLAIN] - ns[W_COPY];
    double token_net = ns[W_TOKEN] - ns[W_COPY];

    printf("sealed destinations: NIC CPU per packet, %"PRIuSIZE"-byte inner "
           "frames, %"PRIuSIZE" flows, %d rounds of %.2f s per workload\n\n",
           size, n_flows, rounds, seconds);
    printf("%-8s %12s %10s %12s\n", "workload", "packets", "ns/pkt",
           "net ns/pkt");
    for (int w = 0; w < N_WORKLOADS; w++) {
        printf("%-8s %12"PRIu64" %10.1f", w_names[w], acc[w].packets, ns[w]);
        if (w == W_PLAIN || w == W_TOKEN) {
            printf(" %12.1f", w == W_PLAIN ? plain_net : token_net);
        }
        putchar('\n');
    }
    printf("\ntoken / plain (net of the copy): %.2fx; opening a token costs "
           "%.1f ns (open alone: %.1f ns)\n", token_net / plain_net,
           token_net - plain_net, ns[W_OPEN]);
    if (json) {
        FILE *f = fopen(json, "w");

        if (!f) {
            ovs_fatal(errno, "%s", json);
        }
        fprintf(f, "{\"size\": %"PRIuSIZE", \"flows\": %"PRIuSIZE", "
                "\"copy_ns\": %.1f, \"plain_ns\": %.1f, \"token_ns\": %.1f, "
                "\"open_ns\": %.1f, \"plain_net_ns\": %.1f, "
                "\"token_net_ns\": %.1f, \"ratio\": %.3f}\n", size, n_flows,
                ns[W_COPY], ns[W_PLAIN], ns[W_TOKEN], ns[W_OPEN], plain_net,
                token_net, token_net / plain_net);
        fclose(f);
    }
    for (size_t i = 0; i < n_flows; i++) {
        dp_packet_delete(plain[i]);
        dp_packet_delete(tokens[i]);
    }
    free(plain);
    free(tokens);
    offload_token_keys_destroy(&keys);
    nic_close(nic);
    return 0;
}
