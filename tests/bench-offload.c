/* SPDX-License-Identifier: Apache-2.0 */
/* bench-offload: the offload engine under the load dpif-netdev puts on it.
 *
 * Usage: bench-offload [--json FILE] [--quick] [insert] [zipf] [rates]
 *        (default: all parts)
 *
 * insert   N distinct megaflows, shaped as dpif-netdev offers them (in_port
 *          and recirc_id exact, IPv4/UDP, not a fragment, exact ipv4 dst
 *          and udp dst, actions output:uplink), go through the path the
 *          flow-API provider runs per flow: offload_translate() then
 *          offload_engine_flow_put().  The peer is the bare NIC insertion
 *          (nic_class rule_add of the same translated rules into a fresh
 *          NIC); deletion is measured the same way.  Rates are flows per
 *          wall-clock second.  Three rounds: the first on memory the
 *          process never touched ("cold", a vswitchd just started), the
 *          others on memory the previous round freed ("warm").  Heap bytes
 *          per flow are reported too.
 *
 * zipf     F flows share a NIC table of C entries.  Packets are drawn from
 *          a Zipf distribution over the flows and really pushed through
 *          the NIC; a flow is offered to the engine on its first packet
 *          (the upcall), packets the NIC misses come back on the VF's
 *          representor and are counted per flow as dpif-netdev would, and
 *          once per simulated second the engine gets the datapath counts
 *          and runs.  The same packet stream runs under "value" and under
 *          "first-come" (what OVS does), and the share of packets the NIC
 *          carried is compared with the oracle: the share of the C
 *          heaviest flows, which no admission policy can beat.
 *
 * rates    The "value" policy's rate feed against a real dpif-netdev
 *          datapath (the "dummy" class, no packets) holding F megaflows,
 *          all offered to the engine, most of them waiting for a NIC table
 *          of F/10 entries.  Per round: the feed of this version (the
 *          counts of at most a budget of waiting flows read by UFID,
 *          datapath-offload/netdev-offload-rates.c) against the naive
 *          peer, what the provider did before (a dump of every datapath
 *          flow, each key and mask parsed and hashed to find the engine's
 *          flow); and, for scale, the engine's own round.
 *
 * No figure is judged: the program exits 1 only if something is
 * functionally wrong (a rule that should be installed is not, a packet
 * that is not accounted for). */

#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datapath-offload/netdev-offload-rates.h"
#include "dp-packet.h"
#include "dpif.h"
#include "dummy.h"
#include "flow.h"
#include "hash.h"
#include "lib/nic.h"
#include "lib/nicsim.h"
#include "lib/offload-engine.h"
#include "lib/offload-translate.h"
#include "netdev.h"
#include "netlink.h"
#include "odp-netlink.h"
#include "odp-util.h"
#include "openvswitch/json.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovs-rcu.h"
#include "packets.h"
#include "tests/test-packets.h"
#include "timeval.h"
#include "util.h"

/* Datapath ports of the simulated bridge: 2 is the VM's VF representor,
 * 3 the uplink. */
#define BENCH_ODP_VF 2
#define BENCH_ODP_UPLINK 3
#define BENCH_VF0 (NIC_PORT_VF_BASE + 0)
#define BENCH_UPLINK 0

/* Flow 'id' is the megaflow for ipv4 dst 10.0.0.0 + id, udp dst below. */
#define BENCH_DST_BASE 0x0a000000
#define BENCH_INSERT_TARGET 100000      /* Flows/s, from the issue. */
#define BENCH_CHUNK 1024                /* Flows prepared per timed run. */
#define BENCH_BATCH 256                 /* Packets per nicsim_process(). */

static bool bench_failed;

static double
bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* splitmix64: a fixed-seed generator, so that every run (and both
 * policies within a run) sees the same packets. */
static uint64_t
bench_rand(uint64_t *state)
{
    uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static double
bench_rand_unit(uint64_t *state)
{
    return (bench_rand(state) >> 11) * (1.0 / (UINT64_C(1) << 53));
}

static uint16_t
bench_tp_dst(uint32_t id)
{
    return 1024 + id % 60000;
}

/* A distinct UFID per flow.  The low half is also the rule's cookie, so it
 * is made unique by multiplying by an odd constant (a bijection). */
static ovs_u128
bench_ufid(uint32_t id)
{
    ovs_u128 u;

    u.u64.lo = (id + UINT64_C(1)) * UINT64_C(0x9e3779b97f4a7c15);
    u.u64.hi = ((uint64_t) hash_int(id, 1) << 32) | hash_int(id, 2);
    return u;
}

/* The megaflow of flow 'id' as dpif-netdev offers it.  in_port is set
 * directly: match_set_in_port() takes an OpenFlow port with a 16-bit
 * mask, while a datapath megaflow matches the whole odp_port. */
static void
bench_match(struct match *m, uint32_t id)
{
    match_init_catchall(m);
    m->flow.in_port.odp_port = u32_to_odp(BENCH_ODP_VF);
    m->wc.masks.in_port.odp_port = ODPP_NONE;
    match_set_recirc_id(m, 0);
    match_set_dl_type(m, htons(ETH_TYPE_IP));
    match_set_nw_proto(m, IPPROTO_UDP);
    match_set_nw_frag_masked(m, 0, FLOW_NW_FRAG_MASK);
    match_set_nw_dst(m, htonl(BENCH_DST_BASE + id));
    match_set_tp_dst(m, htons(bench_tp_dst(id)));
}

static bool
bench_resolve(const void *aux OVS_UNUSED, odp_port_t odp_port,
              uint32_t *nic_port)
{
    switch (odp_to_u32(odp_port)) {
    case BENCH_ODP_VF:
        *nic_port = BENCH_VF0;
        return true;
    case BENCH_ODP_UPLINK:
        *nic_port = BENCH_UPLINK;
        return true;
    default:
        return false;
    }
}

static const struct offload_port_resolver bench_resolver = {
    .resolve = bench_resolve,
};

/* Actions of every flow: output to the uplink. */
static void
bench_actions(struct ofpbuf *buf)
{
    ofpbuf_init(buf, 64);
    nl_msg_put_odp_port(buf, OVS_ACTION_ATTR_OUTPUT,
                        u32_to_odp(BENCH_ODP_UPLINK));
}

/* What the flow-API provider does for each flow dpif-netdev offers:
 * capabilities, translation, then the engine.  Returns the state the
 * flow ended in. */
static enum offload_state
bench_offer_ufid(struct nic *nic, const ovs_u128 *ufidp, uint32_t id,
                 const struct match *m, const struct ofpbuf *actions,
                 long long int now_ms)
{
    ovs_u128 ufid = *ufidp;
    struct offload_translation *xl = xmalloc(sizeof *xl);
    struct nic_caps caps;
    enum offload_state state;

    nic_get_caps(nic, &caps);
    offload_translate(m, actions->data, actions->size, &caps,
                      &bench_resolver, id + 1, ufid.u64.lo, xl);

    struct offload_put put = {
        .ufid = &ufid,
        .match = m,
        .actions = actions->data,
        .actions_len = actions->size,
        .in_port = m->flow.in_port.odp_port,
        .nic = nic,
        .nic_port = BENCH_VF0,
        .mark = id + 1,
        .xlate = xl,
    };
    state = offload_engine_flow_put(&put, now_ms);
    free(xl);
    return state;
}

static enum offload_state
bench_offer(struct nic *nic, uint32_t id, const struct match *m,
            const struct ofpbuf *actions, long long int now_ms)
{
    ovs_u128 ufid = bench_ufid(id);

    return bench_offer_ufid(nic, &ufid, id, m, actions, now_ms);
}

static struct nic *
bench_create_nic(const char *name, size_t exact, size_t wildcard)
{
    struct nicsim_config cfg = {
        .n_uplinks = 1, .n_vfs = 1, .n_engines = 1,
        .exact_capacity = exact, .wildcard_capacity = wildcard,
    };
    struct nic *nic;

    if (nicsim_create(name, &cfg, &nic)) {
        ovs_fatal(0, "cannot create NIC %s", name);
    }
    return nic;
}

static void
bench_engine_config(enum offload_policy policy)
{
    struct offload_engine_config cfg;

    offload_engine_config_init(&cfg);
    cfg.enabled = true;
    cfg.policy = policy;
    offload_engine_set_config(&cfg);
}

/* A counter from offload_engine_show_json()'s "rules" object. */
static long long int
bench_engine_counter(const char *name)
{
    struct json *j = offload_engine_show_json();
    struct json *rules = shash_find_data(json_object(j), "rules");
    struct json *v = rules ? shash_find_data(json_object(rules), name)
                           : NULL;
    long long int n = v && v->type == JSON_INTEGER ? v->integer : -1;

    json_destroy(j);
    return n;
}

/* Part 1: insertion and deletion rates. */

struct bench_insert {
    size_t n;
    double engine_put, bare_add;        /* Flows per second. */
    double engine_del, bare_del;
    double engine_bytes, bare_bytes;    /* Heap per flow, NIC included. */
    uint64_t installed;
};

static void
bench_insert_run(size_t n, struct bench_insert *r)
{
    struct nic *enic = bench_create_nic("bench-insert-engine", n, n);
    struct nic *bnic = bench_create_nic("bench-insert-bare", n, n);
    struct match *ms = xmalloc(BENCH_CHUNK * sizeof *ms);
    struct offload_translation *xls = xmalloc(BENCH_CHUNK * sizeof *xls);
    uint32_t *ids = xmalloc(n * sizeof *ids);
    size_t n_bad = 0;
    struct ofpbuf actions;
    struct nic_caps caps;
    double t_put = 0, t_add = 0, t_del = 0, t_bdel = 0;
    size_t heap0;

    memset(r, 0, sizeof *r);
    r->n = n;
    bench_actions(&actions);
    offload_engine_clear();
    bench_engine_config(OFFLOAD_POLICY_FIRST_COME);

    /* The provider path.  Matches are built outside the timed part:
     * dpif-netdev hands them over ready-made. */
    heap0 = mallinfo2().uordblks;
    for (size_t base = 0; base < n; base += BENCH_CHUNK) {
        size_t k = MIN(BENCH_CHUNK, n - base);
        long long int now = time_msec();
        double t0;

        for (size_t j = 0; j < k; j++) {
            bench_match(&ms[j], base + j);
        }
        t0 = bench_now();
        for (size_t j = 0; j < k; j++) {
            if (bench_offer(enic, base + j, &ms[j], &actions, now)
                != OFFLOAD_STATE_OFFLOADED) {
                n_bad++;
            }
        }
        t_put += bench_now() - t0;
        ovsrcu_quiesce();
    }
    r->installed = offload_engine_n_installed(enic);
    r->engine_bytes = ((double) mallinfo2().uordblks - heap0) / n;

    /* The peer: the same rules straight into a fresh NIC. */
    nic_get_caps(bnic, &caps);
    heap0 = mallinfo2().uordblks;
    for (size_t base = 0; base < n; base += BENCH_CHUNK) {
        size_t k = MIN(BENCH_CHUNK, n - base);
        double t0;

        for (size_t j = 0; j < k; j++) {
            ovs_u128 ufid = bench_ufid(base + j);

            bench_match(&ms[j], base + j);
            offload_translate(&ms[j], actions.data, actions.size, &caps,
                              &bench_resolver, base + j + 1, ufid.u64.lo,
                              &xls[j]);
        }
        t0 = bench_now();
        for (size_t j = 0; j < k; j++) {
            if (nic_rule_add(bnic, &xls[j].spec, &ids[base + j])) {
                n_bad++;
            }
        }
        t_add += bench_now() - t0;
        ovsrcu_quiesce();
    }
    r->bare_bytes = ((double) mallinfo2().uordblks - heap0) / n;

    /* Deletion, as dpif-netdev does when a flow expires. */
    for (size_t base = 0; base < n; base += BENCH_CHUNK) {
        size_t k = MIN(BENCH_CHUNK, n - base);
        ovs_u128 ufids[BENCH_CHUNK];
        double t0;

        for (size_t j = 0; j < k; j++) {
            ufids[j] = bench_ufid(base + j);
        }
        t0 = bench_now();
        for (size_t j = 0; j < k; j++) {
            struct offload_flow_status st;

            if (offload_engine_flow_del(&ufids[j], &st)) {
                n_bad++;
            }
        }
        t_del += bench_now() - t0;

        t0 = bench_now();
        for (size_t j = 0; j < k; j++) {
            if (nic_rule_del(bnic, ids[base + j])) {
                n_bad++;
            }
        }
        t_bdel += bench_now() - t0;
        ovsrcu_quiesce();
    }
    if (offload_engine_n_installed(NULL)) {
        n_bad++;
    }

    r->engine_put = n / t_put;
    r->bare_add = n / t_add;
    r->engine_del = n / t_del;
    r->bare_del = n / t_bdel;
    if (n_bad || r->installed != n) {
        fprintf(stderr, "insert: %"PRIuSIZE" operations failed, %"PRIu64
                " of %"PRIuSIZE" flows offloaded\n", n_bad, r->installed, n);
        bench_failed = true;
    }

    offload_engine_clear();
    nic_close(enic);
    nic_close(bnic);
    ofpbuf_uninit(&actions);
    free(ms);
    free(xls);
    free(ids);
}

static struct json *
bench_insert_round_json(const struct bench_insert *r)
{
    struct json *j = json_object_create();

    json_object_put(j, "offloaded", json_integer_create(r->installed));
    json_object_put(j, "engine_insert_per_s",
                    json_real_create(r->engine_put));
    json_object_put(j, "bare_insert_per_s", json_real_create(r->bare_add));
    json_object_put(j, "insert_ratio",
                    json_real_create(r->engine_put / r->bare_add));
    json_object_put(j, "engine_delete_per_s",
                    json_real_create(r->engine_del));
    json_object_put(j, "bare_delete_per_s", json_real_create(r->bare_del));
    json_object_put(j, "delete_ratio",
                    json_real_create(r->engine_del / r->bare_del));
    json_object_put(j, "engine_heap_bytes_per_flow",
                    json_real_create(r->engine_bytes));
    json_object_put(j, "bare_heap_bytes_per_flow",
                    json_real_create(r->bare_bytes));
    return j;
}

static void
bench_insert_row(const char *what, double engine, double bare)
{
    printf("%-16s | %12.0f %12.0f %6.2fx\n", what, engine, bare,
           engine / bare);
}

/* Round 0 runs on memory the process never touched (a vswitchd that has
 * just started); later rounds reuse what the previous round freed (a
 * vswitchd whose flows come and go), and the best of them is shown. */
static struct json *
bench_insert_report(const struct bench_insert *rs, size_t n_rounds)
{
    const struct bench_insert *cold = &rs[0], *warm = &rs[0];
    struct json *j = json_object_create();
    struct json *rounds = json_array_create_empty();

    for (size_t i = 1; i < n_rounds; i++) {
        if (warm == cold || rs[i].engine_put > warm->engine_put) {
            warm = &rs[i];
        }
    }
    bool cold_met = cold->engine_put >= BENCH_INSERT_TARGET;
    bool warm_met = warm->engine_put >= BENCH_INSERT_TARGET;

    printf("Insertion of %"PRIuSIZE" megaflows (in_port, recirc_id, ip, "
           "udp, nw_frag=no, nw_dst, tp_dst -> output:uplink),\n"
           "%"PRIuSIZE" rounds\n\n", cold->n, n_rounds);
    printf("%-16s | %12s %12s %7s\n", "", "engine", "bare NIC", "ratio");
    bench_insert_row("insert/s, cold", cold->engine_put, cold->bare_add);
    bench_insert_row("insert/s, warm", warm->engine_put, warm->bare_add);
    bench_insert_row("delete/s, cold", cold->engine_del, cold->bare_del);
    bench_insert_row("delete/s, warm", warm->engine_del, warm->bare_del);
    bench_insert_row("heap bytes/flow", cold->engine_bytes,
                     cold->bare_bytes);
    printf("\nengine = offload_translate + offload_engine_flow_put per "
           "flow (the provider's path);\nbare = nic_class rule_add of the "
           "translated rule into a fresh NIC.\ncold = first round, on "
           "fresh memory; warm = best later round.\n");
    for (size_t i = 0; i < n_rounds; i++) {
        printf("round %"PRIuSIZE": engine %.0f/s, bare %.0f/s, "
               "offloaded %"PRIu64"/%"PRIuSIZE"\n", i, rs[i].engine_put,
               rs[i].bare_add, rs[i].installed, rs[i].n);
        json_array_add(rounds, bench_insert_round_json(&rs[i]));
    }
    printf("target %d/s: cold %s, warm %s\n\n", BENCH_INSERT_TARGET,
           cold_met ? "met" : "not met", warm_met ? "met" : "not met");

    json_object_put(j, "flows", json_integer_create(cold->n));
    json_object_put(j, "cold", bench_insert_round_json(cold));
    json_object_put(j, "warm", bench_insert_round_json(warm));
    json_object_put(j, "rounds", rounds);
    json_object_put(j, "target_per_s",
                    json_integer_create(BENCH_INSERT_TARGET));
    json_object_put(j, "target_met_cold", json_boolean_create(cold_met));
    json_object_put(j, "target_met_warm", json_boolean_create(warm_met));
    return j;
}

/* Part 2: capacity pressure under Zipf traffic. */

struct bench_zipf_params {
    double s;                   /* Zipf exponent. */
    size_t n_flows;             /* F. */
    size_t capacity;            /* C. */
    size_t n_epochs;            /* E, one simulated second each. */
    size_t epoch_packets;       /* P. */
};

struct bench_zipf_policy {
    enum offload_policy policy;
    uint64_t total, fwd;                /* Whole run. */
    uint64_t half_total, half_fwd;      /* Last half of the epochs. */
    double *epoch_share;                /* Per epoch. */
    long long int inserted, evicted, table_full;
    uint64_t installed;                 /* At the end. */
    size_t n_offered;
    double wall;                        /* Seconds. */
};

/* Packet stream: flow ids, E * P of them. */
static uint32_t *
bench_zipf_stream(const struct bench_zipf_params *p)
{
    size_t n = p->n_epochs * p->epoch_packets;
    uint32_t *stream = xmalloc(n * sizeof *stream);
    uint32_t *perm = xmalloc(p->n_flows * sizeof *perm);
    double *cdf = xmalloc(p->n_flows * sizeof *cdf);
    uint64_t seed = 0x5eed + (uint64_t) (p->s * 1000);
    double sum = 0;

    for (size_t r = 0; r < p->n_flows; r++) {
        sum += 1.0 / pow(r + 1, p->s);
        cdf[r] = sum;
    }
    for (size_t r = 0; r < p->n_flows; r++) {
        cdf[r] /= sum;
    }

    /* Rank -> flow id, so that heavy flows are not the low ids. */
    for (size_t i = 0; i < p->n_flows; i++) {
        perm[i] = i;
    }
    for (size_t i = p->n_flows - 1; i > 0; i--) {
        size_t j = bench_rand(&seed) % (i + 1);
        uint32_t tmp = perm[i];

        perm[i] = perm[j];
        perm[j] = tmp;
    }

    for (size_t i = 0; i < n; i++) {
        double u = bench_rand_unit(&seed);
        size_t lo = 0, hi = p->n_flows - 1;

        /* First rank whose CDF exceeds 'u'. */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;

            if (cdf[mid] > u) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        stream[i] = perm[lo];
    }
    free(perm);
    free(cdf);
    return stream;
}

static int
bench_cmp_desc(const void *a_, const void *b_)
{
    uint64_t a = *(const uint64_t *) a_, b = *(const uint64_t *) b_;

    return a < b ? 1 : a > b ? -1 : 0;
}

/* Share of the packets in stream[from, to) carried by its 'c' heaviest
 * flows. */
static double
bench_oracle(const uint32_t *stream, size_t from, size_t to, size_t n_flows,
             size_t c)
{
    uint64_t *count = xcalloc(n_flows, sizeof *count);
    uint64_t top = 0;

    for (size_t i = from; i < to; i++) {
        count[stream[i]]++;
    }
    qsort(count, n_flows, sizeof *count, bench_cmp_desc);
    for (size_t i = 0; i < MIN(c, n_flows); i++) {
        top += count[i];
    }
    free(count);
    return (double) top / (to - from);
}

/* Frames of all flows, 'BENCH_FRAME_LEN' bytes each, back to back. */
#define BENCH_FRAME_LEN 60

static uint8_t *
bench_zipf_frames(size_t n_flows)
{
    uint8_t *frames = xmalloc(n_flows * BENCH_FRAME_LEN);

    for (size_t id = 0; id < n_flows; id++) {
        char dst[INET_ADDRSTRLEN];
        struct in_addr a = { .s_addr = htonl(BENCH_DST_BASE + id) };
        struct tp_frame f;
        struct tp_spec spec = {
            .ip_version = 4,
            .src_ip = "192.168.0.1",
            .dst_ip = dst,
            .proto = IPPROTO_UDP,
            .src_port = 5000,
            .dst_port = bench_tp_dst(id),
            .payload_len = BENCH_FRAME_LEN - ETH_HEADER_LEN - IP_HEADER_LEN
                           - UDP_HEADER_LEN,
        };

        inet_ntop(AF_INET, &a, dst, sizeof dst);
        tp_build(&f, &spec);
        ovs_assert(f.len == BENCH_FRAME_LEN);
        memcpy(frames + id * BENCH_FRAME_LEN, f.buf, BENCH_FRAME_LEN);
    }
    return frames;
}

/* The flow a frame the NIC gave to the host belongs to, from its IPv4
 * destination, or SIZE_MAX. */
static size_t
bench_frame_flow(const struct dp_packet *pkt, size_t n_flows)
{
    const uint8_t *data = dp_packet_data(pkt);
    size_t ofs = ETH_HEADER_LEN + offsetof(struct ip_header, ip_dst);
    ovs_be32 dst;
    uint32_t id;

    if (dp_packet_size(pkt) < ofs + 4) {
        return SIZE_MAX;
    }
    memcpy(&dst, data + ofs, 4);
    id = ntohl(dst) - BENCH_DST_BASE;
    return id < n_flows ? id : SIZE_MAX;
}

static void
bench_port_counts(struct nic *nic, uint64_t *rx, uint64_t *fwd,
                  uint64_t *host, uint64_t *drop)
{
    struct nic_port_stats st;

    if (nic_port_stats(nic, BENCH_VF0, &st)) {
        ovs_fatal(0, "%s: no VF0 stats", nic_get_name(nic));
    }
    *rx = st.rx_packets;
    *fwd = st.fwd_packets;
    *host = *drop = 0;
    for (int i = 0; i < NIC_N_HOST_REASONS; i++) {
        *host += st.host[i];
    }
    for (int i = 0; i < NIC_N_DROP_REASONS; i++) {
        *drop += st.drop[i];
    }
}

static void
bench_zipf_policy(const struct bench_zipf_params *p, const uint32_t *stream,
                  const uint8_t *frames, struct bench_zipf_policy *r)
{
    char *name = xasprintf("bench-zipf-%s",
                           offload_policy_to_string(r->policy));
    struct nic *nic = bench_create_nic(name, 0, p->capacity);
    uint64_t *sw_count = xcalloc(p->n_flows, sizeof *sw_count);
    bool *offered = xcalloc(p->n_flows, sizeof *offered);
    uint32_t *offered_ids = xmalloc(p->n_flows * sizeof *offered_ids);
    struct nic_port_config pc;
    struct ofpbuf actions;
    struct match m;
    char *error;
    uint64_t n_host_seen = 0, rx, fwd, host, drop;
    const long long int t0_ms = 1000;
    double wall0 = bench_now();

    r->epoch_share = xcalloc(p->n_epochs, sizeof *r->epoch_share);
    bench_actions(&actions);
    offload_engine_clear();
    bench_engine_config(r->policy);

    /* VF0's representor receives the misses; the uplink needs a medium for
     * the NIC to count its output as forwarded. */
    pc = (struct nic_port_config) {
        .port = BENCH_VF0, .medium = "none", .n_rxq = 1,
    };
    if (nic_port_attach(nic, &pc, &error)) {
        ovs_fatal(0, "%s", error);
    }
    pc.port = BENCH_UPLINK;
    if (nic_port_attach(nic, &pc, &error)) {
        ovs_fatal(0, "%s", error);
    }

    for (size_t e = 0; e < p->n_epochs; e++) {
        const uint32_t *ep = stream + e * p->epoch_packets;
        long long int epoch_ms = t0_ms + e * 1000;
        uint64_t fwd0, fwd1;

        bench_port_counts(nic, &rx, &fwd0, &host, &drop);
        for (size_t i = 0; i < p->epoch_packets; i += BENCH_BATCH) {
            size_t n = MIN(BENCH_BATCH, p->epoch_packets - i);
            struct dp_packet *pkts[BENCH_BATCH];
            int got;

            for (size_t j = 0; j < n; j++) {
                pkts[j] = dp_packet_clone_data(
                    frames + (size_t) ep[i + j] * BENCH_FRAME_LEN,
                    BENCH_FRAME_LEN);
            }
            nicsim_process(nic, BENCH_VF0, pkts, n);

            /* The host path: dpif-netdev counts what it receives per
             * flow. */
            while ((got = nic_host_recv(nic, BENCH_VF0, 0, pkts,
                                                BENCH_BATCH)) > 0) {
                for (int j = 0; j < got; j++) {
                    size_t id = bench_frame_flow(pkts[j], p->n_flows);

                    if (id != SIZE_MAX) {
                        sw_count[id]++;
                    }
                    n_host_seen++;
                    dp_packet_delete(pkts[j]);
                }
            }

            /* Upcalls: a new flow's first packet missed, the datapath
             * then installs its megaflow and offers it. */
            for (size_t j = 0; j < n; j++) {
                uint32_t id = ep[i + j];

                if (!offered[id]) {
                    long long int now = (epoch_ms + (i + j) * 1000
                                         / p->epoch_packets);

                    offered[id] = true;
                    offered_ids[r->n_offered++] = id;
                    bench_match(&m, id);
                    bench_offer(nic, id, &m, &actions, now);
                }
            }

            /* This thread reads the NIC's tables as an engine thread
             * does, and like one it must let RCU free what evictions
             * removed. */
            if (!(i / BENCH_BATCH % 64)) {
                ovsrcu_quiesce();
            }
        }

        /* End of the simulated second: the datapath's counts (software
         * plus the NIC's, as dpif-netdev merges them) when the engine
         * asks for them, then the engine's periodic work. */
        if (offload_engine_needs_datapath_stats()) {
            for (size_t i = 0; i < r->n_offered; i++) {
                uint32_t id = offered_ids[i];
                ovs_u128 ufid = bench_ufid(id);
                struct offload_flow_status st;

                if (!offload_engine_flow_get(&ufid, &st)) {
                    offload_engine_note_datapath_packets(
                        &ufid, sw_count[id] + st.hw_packets);
                }
            }
        }
        offload_engine_run(epoch_ms + 1000);
        ovsrcu_quiesce();

        bench_port_counts(nic, &rx, &fwd1, &host, &drop);
        r->epoch_share[e] = (double) (fwd1 - fwd0) / p->epoch_packets;
        r->total += p->epoch_packets;
        r->fwd += fwd1 - fwd0;
        if (e >= p->n_epochs / 2) {
            r->half_total += p->epoch_packets;
            r->half_fwd += fwd1 - fwd0;
        }
    }
    r->wall = bench_now() - wall0;
    r->inserted = bench_engine_counter("inserted");
    r->evicted = bench_engine_counter("evicted");
    r->table_full = bench_engine_counter("table_full");
    r->installed = offload_engine_n_installed(nic);

    /* Every packet counted once, nothing lost, the table used up. */
    bench_port_counts(nic, &rx, &fwd, &host, &drop);
    if (rx != r->total || fwd != r->fwd || fwd + host != rx || drop
        || n_host_seen != host) {
        fprintf(stderr, "zipf %s: packets unaccounted for: rx %"PRIu64
                " of %"PRIu64", fwd %"PRIu64", host %"PRIu64" (seen %"
                PRIu64"), dropped %"PRIu64"\n",
                offload_policy_to_string(r->policy), rx, r->total, fwd,
                host, n_host_seen, drop);
        bench_failed = true;
    }
    if (r->installed != MIN(p->capacity, r->n_offered)) {
        fprintf(stderr, "zipf %s: %"PRIu64" rules installed, expected %"
                PRIuSIZE"\n", offload_policy_to_string(r->policy),
                r->installed, MIN(p->capacity, r->n_offered));
        bench_failed = true;
    }

    offload_engine_clear();
    nic_port_detach(nic, BENCH_VF0);
    nic_port_detach(nic, BENCH_UPLINK);
    nic_close(nic);
    ofpbuf_uninit(&actions);
    free(sw_count);
    free(offered);
    free(offered_ids);
    free(name);
}

static double
bench_div(uint64_t a, uint64_t b)
{
    return b ? (double) a / b : 0;
}

static struct json *
bench_zipf_policy_json(const struct bench_zipf_policy *r, size_t n_epochs)
{
    struct json *j = json_object_create();
    struct json *epochs = json_array_create_empty();

    json_object_put(j, "nic_share",
                    json_real_create(bench_div(r->fwd, r->total)));
    json_object_put(j, "nic_share_last_half",
                    json_real_create(bench_div(r->half_fwd,
                                               r->half_total)));
    json_object_put(j, "packets", json_integer_create(r->total));
    json_object_put(j, "nic_packets", json_integer_create(r->fwd));
    json_object_put(j, "flows_offered", json_integer_create(r->n_offered));
    json_object_put(j, "rules_installed_at_end",
                    json_integer_create(r->installed));
    json_object_put(j, "rules_inserted", json_integer_create(r->inserted));
    json_object_put(j, "evictions", json_integer_create(r->evicted));
    json_object_put(j, "table_full_answers",
                    json_integer_create(r->table_full));
    json_object_put(j, "wall_seconds", json_real_create(r->wall));
    for (size_t e = 0; e < n_epochs; e++) {
        json_array_add(epochs, json_real_create(r->epoch_share[e]));
    }
    json_object_put(j, "epoch_nic_share", epochs);
    return j;
}

static struct json *
bench_zipf_run(const struct bench_zipf_params *p)
{
    struct bench_zipf_policy rs[2] = {
        { .policy = OFFLOAD_POLICY_VALUE },
        { .policy = OFFLOAD_POLICY_FIRST_COME },
    };
    size_t n = p->n_epochs * p->epoch_packets;
    size_t half = (p->n_epochs / 2) * p->epoch_packets;

    /* Making the stream takes a while and touches nothing RCU protects:
     * say so, so that RCU does not wait for this thread meanwhile. */
    ovsrcu_quiesce_start();
    uint32_t *stream = bench_zipf_stream(p);
    uint8_t *frames = bench_zipf_frames(p->n_flows);
    double oracle = bench_oracle(stream, 0, n, p->n_flows, p->capacity);
    double oracle_half = bench_oracle(stream, half, n, p->n_flows,
                                      p->capacity);
    struct json *j = json_object_create();
    struct json *pj = json_object_create();

    ovsrcu_quiesce_end();
    for (size_t i = 0; i < ARRAY_SIZE(rs); i++) {
        bench_zipf_policy(p, stream, frames, &rs[i]);
    }
    ovsrcu_quiesce_start();

    double v = bench_div(rs[0].fwd, rs[0].total);
    double f = bench_div(rs[1].fwd, rs[1].total);
    double vh = bench_div(rs[0].half_fwd, rs[0].half_total);
    double fh = bench_div(rs[1].half_fwd, rs[1].half_total);

    printf("Zipf s=%.1f: %"PRIuSIZE" flows, NIC table %"PRIuSIZE
           " entries, %"PRIuSIZE" epochs x %"PRIuSIZE" packets "
           "(1 simulated s each)\n\n", p->s, p->n_flows, p->capacity,
           p->n_epochs, p->epoch_packets);
    printf("%-11s | %9s %9s | %8s %9s %9s | %7s\n", "policy",
           "NIC share", "last half", "flows", "inserted", "evictions",
           "wall s");
    for (size_t i = 0; i < ARRAY_SIZE(rs); i++) {
        const struct bench_zipf_policy *r = &rs[i];

        printf("%-11s | %8.1f%% %8.1f%% | %8"PRIuSIZE" %9lld %9lld | "
               "%7.1f\n", offload_policy_to_string(r->policy),
               100 * bench_div(r->fwd, r->total),
               100 * bench_div(r->half_fwd, r->half_total), r->n_offered,
               r->inserted, r->evicted, r->wall);
    }
    printf("%-11s | %8.1f%% %8.1f%% |\n", "oracle", 100 * oracle,
           100 * oracle_half);
    printf("\nvalue/first-come: %.2fx (last half %.2fx); "
           "value/oracle: %.2f (last half %.2f)\n",
           v / f, vh / fh, v / oracle, vh / oracle_half);
    printf("target: >= 90%% of packets in the NIC under value "
           "(last half): %s\n\n", vh >= 0.9 ? "met" : "not met");
    fflush(stdout);

    json_object_put(j, "s", json_real_create(p->s));
    json_object_put(j, "flows", json_integer_create(p->n_flows));
    json_object_put(j, "capacity", json_integer_create(p->capacity));
    json_object_put(j, "epochs", json_integer_create(p->n_epochs));
    json_object_put(j, "packets_per_epoch",
                    json_integer_create(p->epoch_packets));
    json_object_put(j, "oracle_share", json_real_create(oracle));
    json_object_put(j, "oracle_share_last_half",
                    json_real_create(oracle_half));
    for (size_t i = 0; i < ARRAY_SIZE(rs); i++) {
        json_object_put(pj, offload_policy_to_string(rs[i].policy),
                        bench_zipf_policy_json(&rs[i], p->n_epochs));
        free(rs[i].epoch_share);
    }
    json_object_put(j, "policies", pj);
    json_object_put(j, "ratio_value_first_come", json_real_create(v / f));
    json_object_put(j, "ratio_value_first_come_last_half",
                    json_real_create(vh / fh));
    json_object_put(j, "ratio_value_oracle", json_real_create(v / oracle));
    json_object_put(j, "ratio_value_oracle_last_half",
                    json_real_create(vh / oracle_half));
    json_object_put(j, "target_value_share_last_half", json_real_create(0.9));
    json_object_put(j, "target_met", json_boolean_create(vh >= 0.9));

    free(stream);
    free(frames);
    return j;
}

/* The rate feed (see the top). */

/* What the provider did before, the peer: a dump of every datapath flow,
 * whose key and mask are parsed and hashed to name the engine's flow.
 * Returns the number of flows dumped. */
static size_t
bench_rates_dump_feed(struct dpif *dpif)
{
    struct dpif_flow_dump *dump = dpif_flow_dump_create(dpif, false, NULL);
    struct dpif_flow_dump_thread *thread = dpif_flow_dump_thread_create(dump);
    struct dpif_flow flows[64];
    size_t n_flows = 0;
    int n;

    while ((n = dpif_flow_dump_next(thread, flows, ARRAY_SIZE(flows))) > 0) {
        for (int i = 0; i < n; i++) {
            struct match match;
            ovs_u128 mega_ufid;

            if (!netdev_offload_rates_megaflow(&flows[i], &match,
                                               &mega_ufid)) {
                continue;
            }
            offload_engine_note_datapath_packets(&mega_ufid,
                                                 flows[i].stats.n_packets);
            n_flows++;
        }
    }
    dpif_flow_dump_thread_destroy(thread);
    dpif_flow_dump_destroy(dump);
    return n_flows;
}

static void
bench_rates_add_port(struct dpif *dpif, const char *name, uint32_t odp)
{
    odp_port_t port_no = u32_to_odp(odp);
    struct netdev *netdev;

    if (netdev_open(name, "dummy", &netdev)
        || dpif_port_add(dpif, netdev, &port_no)) {
        ovs_fatal(0, "cannot add port %s", name);
    }
    netdev_close(netdev);
}

/* Puts 'n' megaflows in 'dpif' as an upcall would (the UFID hashes the
 * packet's flow), then offers each to the engine under its megaflow UFID
 * as dpif-netdev would and tells the feed the pair. */
static void
bench_rates_populate(struct dpif *dpif, struct nic *nic, size_t n)
{
    struct odp_support support = { .recirc = true };
    struct ofpbuf key, mask, actions;

    bench_actions(&actions);
    ofpbuf_init(&key, 256);
    ofpbuf_init(&mask, 256);
    for (uint32_t id = 0; id < n; id++) {
        struct odp_flow_key_parms parms = { .support = support };
        struct match m;
        ovs_u128 dp_ufid;

        bench_match(&m, id);
        parms.flow = &m.flow;
        parms.mask = &m.wc.masks;
        ofpbuf_clear(&key);
        ofpbuf_clear(&mask);
        odp_flow_key_from_flow(&parms, &key);
        parms.key_buf = &key;
        odp_flow_key_from_mask(&parms, &mask);
        odp_flow_key_hash(&m.flow, sizeof m.flow, &dp_ufid);
        int error = dpif_flow_put(dpif, DPIF_FP_CREATE, key.data, key.size,
                                  mask.data, mask.size, actions.data,
                                  actions.size, &dp_ufid, PMD_ID_NULL, NULL);
        if (error) {
            ovs_fatal(error, "datapath flow %"PRIu32, id);
        }
    }

    /* The megaflow as the datapath holds it (dpif-netdev adds to the
     * mask), which is what it would offer. */
    struct dpif_flow_dump *dump = dpif_flow_dump_create(dpif, false, NULL);
    struct dpif_flow_dump_thread *thread = dpif_flow_dump_thread_create(dump);
    struct dpif_flow flows[64];
    uint32_t id = 0;
    int n_got;

    while ((n_got = dpif_flow_dump_next(thread, flows,
                                        ARRAY_SIZE(flows))) > 0) {
        for (int i = 0; i < n_got; i++) {
            struct match m;
            ovs_u128 mega_ufid;

            if (!netdev_offload_rates_megaflow(&flows[i], &m, &mega_ufid)) {
                ovs_fatal(0, "datapath flow does not parse");
            }
            bench_offer_ufid(nic, &mega_ufid, id++, &m, &actions, 0);
            netdev_offload_rates_learn(&mega_ufid, &flows[i].ufid, true);
        }
    }
    dpif_flow_dump_thread_destroy(thread);
    dpif_flow_dump_destroy(dump);
    if (id != n) {
        ovs_fatal(0, "dumped %"PRIu32" of %"PRIuSIZE" flows", id, n);
    }
    ofpbuf_uninit(&key);
    ofpbuf_uninit(&mask);
    ofpbuf_uninit(&actions);
}

struct bench_rates {
    size_t n_flows, n_waiting, budget;
    double dump_ms, feed_ms, engine_ms;  /* Per round, medians. */
    uint64_t read, missing, mismatched, unknown;
};

static int
bench_cmp_double(const void *a_, const void *b_)
{
    const double *a = a_, *b = b_;

    return *a < *b ? -1 : *a > *b;
}

static double
bench_median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, bench_cmp_double);
    return v[n / 2];
}

#define BENCH_RATES_ROUNDS 7

static void
bench_rates_run(size_t n, struct bench_rates *r)
{
    static int serial;
    char name[32];
    struct dpif *dpif;

    snprintf(name, sizeof name, "bench%d", serial++);
    if (dpif_create_and_open(name, "dummy", &dpif)) {
        ovs_fatal(0, "cannot create datapath %s", name);
    }
    bench_rates_add_port(dpif, "bench-vf", BENCH_ODP_VF);
    bench_rates_add_port(dpif, "bench-up", BENCH_ODP_UPLINK);

    offload_engine_clear();
    netdev_offload_rates_clear();
    bench_engine_config(OFFLOAD_POLICY_VALUE);
    struct nic *nic = bench_create_nic("rates0", n / 10, n / 10);
    bench_rates_populate(dpif, nic, n);
    offload_engine_run(1000);

    struct hmap_position pos = { 0, 0 };
    ovs_u128 *ufids = xmalloc(n * sizeof *ufids);
    memset(r, 0, sizeof *r);
    r->n_flows = n;
    r->n_waiting = offload_engine_rate_flows(&pos, ufids, n);
    r->budget = netdev_offload_rates_get_budget();
    free(ufids);

    double dump[BENCH_RATES_ROUNDS], feed[BENCH_RATES_ROUNDS];
    double engine[BENCH_RATES_ROUNDS];
    for (size_t i = 0; i < BENCH_RATES_ROUNDS; i++) {
        double t0 = bench_now();
        size_t n_dumped = bench_rates_dump_feed(dpif);
        double t1 = bench_now();
        netdev_offload_rates_feed(dpif);
        double t2 = bench_now();
        offload_engine_run(2000 + 1000 * i);
        double t3 = bench_now();

        if (n_dumped != n) {
            fprintf(stderr, "dumped %"PRIuSIZE" of %"PRIuSIZE" flows\n",
                    n_dumped, n);
            bench_failed = true;
        }
        dump[i] = (t1 - t0) * 1e3;
        feed[i] = (t2 - t1) * 1e3;
        engine[i] = (t3 - t2) * 1e3;
        ovsrcu_quiesce();
    }
    r->dump_ms = bench_median(dump, BENCH_RATES_ROUNDS);
    r->feed_ms = bench_median(feed, BENCH_RATES_ROUNDS);
    r->engine_ms = bench_median(engine, BENCH_RATES_ROUNDS);

    struct netdev_offload_rates_stats st;
    netdev_offload_rates_get_stats(&st);
    r->read = st.read;
    r->missing = st.missing;
    r->mismatched = st.mismatched;
    r->unknown = st.unknown;
    if (!st.read || st.missing || st.mismatched || st.unknown) {
        /* Every flow named has its datapath flow. */
        fprintf(stderr, "rate feed: %"PRIu64" read, %"PRIu64" missing, "
                "%"PRIu64" mismatched, %"PRIu64" unknown\n", st.read,
                st.missing, st.mismatched, st.unknown);
        bench_failed = true;
    }

    offload_engine_clear();
    netdev_offload_rates_clear();
    nic_close(nic);
    dpif_delete(dpif);
    dpif_close(dpif);
}

static struct json *
bench_rates_report(const size_t *sizes, size_t n_sizes)
{
    struct json *rows = json_array_create_empty();

    printf("\nRate feed, ms per round (median of %d), datapath of F "
           "megaflows, NIC table F/10:\n", BENCH_RATES_ROUNDS);
    printf("%9s %9s %7s %11s %11s %7s %10s %8s\n", "flows", "waiting",
           "budget", "dump (old)", "feed (new)", "ratio", "engine run",
           "lap");
    for (size_t i = 0; i < n_sizes; i++) {
        struct bench_rates r;

        bench_rates_run(sizes[i], &r);
        size_t lap = r.budget ? DIV_ROUND_UP(r.n_waiting, r.budget) : 0;
        printf("%9"PRIuSIZE" %9"PRIuSIZE" %7"PRIuSIZE" %11.3f %11.3f "
               "%6.1fx %10.3f %8"PRIuSIZE"\n", r.n_flows, r.n_waiting,
               r.budget, r.dump_ms, r.feed_ms,
               r.feed_ms > 0 ? r.dump_ms / r.feed_ms : 0, r.engine_ms, lap);

        struct json *j = json_object_create();
        json_object_put(j, "flows", json_integer_create(r.n_flows));
        json_object_put(j, "waiting", json_integer_create(r.n_waiting));
        json_object_put(j, "budget", json_integer_create(r.budget));
        json_object_put(j, "dump_ms", json_real_create(r.dump_ms));
        json_object_put(j, "feed_ms", json_real_create(r.feed_ms));
        json_object_put(j, "engine_ms", json_real_create(r.engine_ms));
        json_object_put(j, "rounds_per_lap", json_integer_create(lap));
        json_array_add(rows, j);
    }
    printf("dump = every datapath flow dumped, parsed and hashed (before); "
           "feed = the waiting\nflows' counts read by UFID, at most "
           "'budget' a round (now); lap = rounds until\nevery waiting "
           "flow's count was read once.\n");
    return rows;
}

static void
bench_usage(const char *name)
{
    fprintf(stderr, "usage: %s [--json FILE] [--quick] [insert] [zipf] "
            "[rates]\n", name);
    exit(2);
}

int
main(int argc, char *argv[])
{
    bool quick = false, do_insert = false, do_zipf = false;
    bool do_rates = false;
    const char *json_file = NULL;
    struct json *out = json_object_create();
    double wall0 = bench_now();

    set_program_name(argv[0]);
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_WARN);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json") && i + 1 < argc) {
            json_file = argv[++i];
        } else if (!strcmp(argv[i], "--quick")) {
            quick = true;
        } else if (!strcmp(argv[i], "insert")) {
            do_insert = true;
        } else if (!strcmp(argv[i], "zipf")) {
            do_zipf = true;
        } else if (!strcmp(argv[i], "rates")) {
            do_rates = true;
        } else {
            bench_usage(argv[0]);
        }
    }
    if (!do_insert && !do_zipf && !do_rates) {
        do_insert = do_zipf = do_rates = true;
    }
    json_object_put(out, "quick", json_boolean_create(quick));

    if (do_insert) {
        struct bench_insert rs[3];

        for (size_t i = 0; i < ARRAY_SIZE(rs); i++) {
            bench_insert_run(quick ? 20000 : 100000, &rs[i]);
        }
        json_object_put(out, "insert",
                        bench_insert_report(rs, ARRAY_SIZE(rs)));
        fflush(stdout);
    }
    if (do_zipf) {
        static const double exponents[] = { 1.0, 1.2 };
        struct json *runs = json_array_create_empty();

        for (size_t i = 0; i < ARRAY_SIZE(exponents); i++) {
            struct bench_zipf_params p = {
                .s = exponents[i],
                .n_flows = quick ? 20000 : 100000,
                .capacity = 8192,
                .n_epochs = quick ? 10 : 30,
                .epoch_packets = quick ? 100000 : 300000,
            };

            json_array_add(runs, bench_zipf_run(&p));
        }
        json_object_put(out, "zipf", runs);
    }
    if (do_rates) {
        static const size_t sizes[] = { 1000, 10000, 100000 };

        dpif_dummy_register(DUMMY_OVERRIDE_NONE);
        netdev_dummy_register(DUMMY_OVERRIDE_NONE);
        json_object_put(out, "rates",
                        bench_rates_report(sizes, quick ? 2 : 3));
    }

    ovsrcu_quiesce_start();
    double wall = bench_now() - wall0;
    printf("wall-clock time: %.1f s\n", wall);
    json_object_put(out, "wall_seconds", json_real_create(wall));
    json_object_put(out, "ok", json_boolean_create(!bench_failed));
    if (json_file) {
        char *s = json_to_string(out, JSSF_PRETTY | JSSF_SORT);
        FILE *f = fopen(json_file, "w");

        if (!f) {
            ovs_fatal(errno, "%s", json_file);
        }
        fprintf(f, "%s\n", s);
        fclose(f);
        free(s);
    }
    json_destroy(out);
    return bench_failed ? 1 : 0;
}
