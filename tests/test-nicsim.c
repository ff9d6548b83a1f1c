/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/nicsim: the pipeline's outcomes and their counters
 * (conservation), queues, resets and failure injection.  The pipeline is
 * driven directly with nicsim_process(), as an engine thread drives it. */

#include <config.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "csum.h"
#include "dp-packet.h"
#include "lib/nic-media.h"
#include "lib/nic-parse.h"
#include "lib/nicsim.h"
#include "lib/nicsim-classes.h"
#include "lib/nicsim-dma.h"
#include "packets.h"
#include "tests/test-packets.h"
#include "tests/unit-tests.h"

#define UPLINK 0
#define VF0 NIC_PORT_VF_BASE
#define VF1 (NIC_PORT_VF_BASE + 1)

static struct nic *
make_nic(void)
{
    struct nicsim_config cfg = {
        .n_uplinks = 1, .n_vfs = 2, .n_engines = 1,
        .exact_capacity = 8, .wildcard_capacity = 8,
    };
    uint32_t ports[] = { UPLINK, VF0, VF1 };
    struct nic *nic;

    ck_assert_int_eq(nicsim_create("t0", &cfg, &nic), 0);
    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        struct nic_port_config pc = {
            .port = ports[i], .medium = "none", .n_rxq = 2,
        };
        char *error = NULL;

        ck_assert_int_eq(nic_port_attach(nic, &pc, &error), 0);
    }
    return nic;
}

static struct dp_packet *
udp_packet(uint16_t dst_port)
{
    struct tp_spec s = { .ip_version = 4, .proto = IPPROTO_UDP,
                         .src_port = 1, .dst_port = dst_port };
    struct tp_frame f;

    tp_build(&f, &s);
    return dp_packet_clone_data(f.buf, f.len);
}

static void
send_udp(struct nic *nic, uint32_t port, uint16_t dst_port)
{
    struct dp_packet *p = udp_packet(dst_port);

    nicsim_process(nic, port, &p, 1);
}

static uint32_t
add_rule(struct nic *nic, const char *match, const char *actions)
{
    struct nic_action acts[NIC_MAX_ACTIONS];
    struct nic_rule_spec spec;
    uint32_t id;
    char *error;

    memset(&spec, 0, sizeof spec);
    error = nic_match_from_string(match, &spec.match);
    ck_assert_ptr_null(error);
    error = nic_actions_from_string(actions, acts, &spec.n_actions);
    spec.actions = acts;
    ck_assert_ptr_null(error);
    ck_assert_int_eq(nic_rule_add(nic, &spec, &id), 0);
    return id;
}

static struct nic_port_stats
stats(struct nic *nic, uint32_t port)
{
    struct nic_port_stats st;

    ck_assert_int_eq(nic_port_stats(nic, port, &st), 0);
    return st;
}

static void
check_conservation(struct nic *nic, uint32_t port)
{
    struct nic_port_stats st = stats(nic, port);
    uint64_t total = st.fwd_packets;

    for (int i = 0; i < NIC_N_HOST_REASONS; i++) {
        total += st.host[i];
    }
    for (int i = 0; i < NIC_N_DROP_REASONS; i++) {
        total += st.drop[i];
    }
    ck_assert_uint_eq(total, st.rx_packets);
}

static int
drain(struct nic *nic, uint32_t port, uint32_t queue)
{
    struct dp_packet *pkts[64];
    int n, total = 0;

    while ((n = nic_host_recv(nic, port, queue, pkts, 64)) > 0) {
        for (int i = 0; i < n; i++) {
            dp_packet_delete(pkts[i]);
        }
        total += n;
    }
    return total;
}

START_TEST(test_nicsim_outcomes)
{
    struct nic *nic = make_nic();
    struct dp_packet *runt = dp_packet_clone_data("\x01\x02\x03", 3);
    struct nic_rule_stats rs;
    uint32_t fwd_id;

    fwd_id = add_rule(nic, "in_port=vf0,udp,tp_dst=10", "output:vf1");
    add_rule(nic, "in_port=vf0,udp,tp_dst=11", "drop");
    add_rule(nic, "in_port=vf0,udp,tp_dst=12", "set_queue:1,host");
    add_rule(nic, "in_port=vf0,udp,tp_dst=13", "decap,output:vf1");

    send_udp(nic, VF0, 10);     /* forwarded */
    send_udp(nic, VF0, 11);     /* dropped by rule */
    send_udp(nic, VF0, 12);     /* to host by rule, queue 1 */
    send_udp(nic, VF0, 13);     /* action failed: no tunnel to strip */
    send_udp(nic, VF0, 14);     /* miss */
    nicsim_process(nic, VF0, &runt, 1);

    struct nic_port_stats st = stats(nic, VF0);
    ck_assert_uint_eq(st.rx_packets, 6);
    ck_assert_uint_eq(st.fwd_packets, 1);
    ck_assert_uint_eq(st.drop[NIC_DROP_RULE], 1);
    ck_assert_uint_eq(st.host[NIC_HOST_RULE], 1);
    ck_assert_uint_eq(st.drop[NIC_DROP_ACTION], 1);
    ck_assert_uint_eq(st.host[NIC_HOST_MISS], 1);
    ck_assert_uint_eq(st.drop[NIC_DROP_RUNT], 1);
    check_conservation(nic, VF0);
    ck_assert_uint_eq(nic_port_stats_to_host(&st), 2);
    ck_assert_uint_eq(nic_port_stats_dropped(&st), 3);

    /* A NIC's total is the sum of its ports, counter by counter. */
    struct nic_port_stats sum, vf1 = stats(nic, VF1);
    memset(&sum, 0, sizeof sum);
    nic_port_stats_add(&sum, &st);
    nic_port_stats_add(&sum, &vf1);
    ck_assert_uint_eq(sum.rx_packets, 6);
    ck_assert_uint_eq(sum.tx_packets, 1);
    ck_assert_uint_eq(sum.drop[NIC_DROP_RUNT], 1);
    ck_assert_uint_eq(nic_port_stats_to_host(&sum), 2);
    ck_assert_uint_eq(nic_port_stats_dropped(&sum), 3);
    ck_assert_uint_eq(nic_port_by_index(2, 0), 0);
    ck_assert_uint_eq(nic_port_by_index(2, 1), 1);
    ck_assert_uint_eq(nic_port_by_index(2, 2), VF0);
    ck_assert_uint_eq(nic_port_by_index(2, 3), VF1);

    ck_assert_uint_eq(stats(nic, VF1).tx_packets, 1);
    ck_assert_int_eq(nic_rule_query(nic, fwd_id, &rs), 0);
    ck_assert_uint_eq(rs.n_packets, 1);
    ck_assert_uint_eq(rs.table, NIC_TABLE_WILDCARD);
    /* The rule's packet went to queue 1; the miss to whatever RSS says. */
    ck_assert_int_eq(drain(nic, VF0, 1) + drain(nic, VF0, 0), 2);
    nic_close(nic);
}
END_TEST

/* A VXLAN frame from 192.168.0.1 with VNI 'vni' around a UDP packet,
 * with a UDP checksum if 'with_csum' (wrong if 'bad'). */
static struct dp_packet *
vxlan_packet(uint32_t vni, bool with_csum, bool bad)
{
    static const uint8_t eth[14] = { 2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1,
                                     0x08, 0x00 };
    struct tp_spec s = { .ip_version = 4, .proto = IPPROTO_UDP,
                         .src_port = 1, .dst_port = 9 };
    uint8_t ip[20] = { 0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, IPPROTO_UDP, 0, 0,
                       192, 168, 0, 1, 192, 168, 0, 2 };
    uint8_t udp[8] = { 0x04, 0xd2, 0x12, 0xb5 };
    uint8_t vx[8] = { 0x08, 0, 0, 0, vni >> 16, vni >> 8, vni, 0 };
    struct tp_frame in;
    struct dp_packet *p;
    size_t ulen;
    ovs_be16 c;

    tp_build(&in, &s);
    ulen = sizeof udp + sizeof vx + in.len;
    ip[2] = (20 + ulen) >> 8;
    ip[3] = 20 + ulen;
    c = csum(ip, sizeof ip);
    memcpy(ip + 10, &c, 2);
    udp[4] = ulen >> 8;
    udp[5] = ulen;
    p = dp_packet_new(0);
    dp_packet_put(p, eth, sizeof eth);
    dp_packet_put(p, ip, sizeof ip);
    dp_packet_put(p, udp, sizeof udp);
    dp_packet_put(p, vx, sizeof vx);
    dp_packet_put(p, in.buf, in.len);
    if (with_csum) {
        uint8_t *u = (uint8_t *) dp_packet_data(p) + 34;
        uint32_t sum = csum_continue(0, ip + 12, 8);

        sum += htons(IPPROTO_UDP) + htons(ulen);
        c = csum_finish(csum_continue(sum, u, ulen));
        c = c ? c : htons(0xffff);
        memcpy(u + 6, &c, 2);
        u[7] ^= bad;
    }
    return p;
}

/* Decapsulation by the recirc-id route: the uplink's rule marks, looks the
 * decapsulated frame up on tunnel port 7 and otherwise hands the packet,
 * as it came, to the host. */
START_TEST(test_nicsim_tnl_pop)
{
    struct nic *nic = make_nic();
    struct nic_rule_stats rs;
    struct dp_packet *pkts[8];
    struct dp_packet *p;
    uint32_t inner_id, outer_id;
    size_t len;
    int n = 0;

    outer_id = add_rule(nic, "in_port=uplink0,udp,tp_dst=4789",
                        "mark:5,tnl_pop:tunnel7,host");
    inner_id = add_rule(nic, "in_port=tunnel7,tun_vni=100,"
                        "tun_src=0xc0a80001,tun_flags=0x8/0xc,udp,tp_dst=9",
                        "output:vf1");

    /* Right VNI, with and without a (good) UDP checksum: forwarded. */
    p = vxlan_packet(100, false, false);
    nicsim_process(nic, UPLINK, &p, 1);
    p = vxlan_packet(100, true, false);
    nicsim_process(nic, UPLINK, &p, 1);
    ck_assert_uint_eq(stats(nic, UPLINK).fwd_packets, 1);
    ck_assert_uint_eq(stats(nic, VF1).tx_packets, 1);

    /* The inner rule wants no checksum flag: the second went to the host,
     * as did a wrong VNI and a bad UDP checksum (which OVS drops). */
    p = vxlan_packet(101, false, false);
    len = dp_packet_size(p);
    nicsim_process(nic, UPLINK, &p, 1);
    p = vxlan_packet(100, true, true);
    nicsim_process(nic, UPLINK, &p, 1);
    ck_assert_uint_eq(stats(nic, UPLINK).host[NIC_HOST_RULE], 3);
    check_conservation(nic, UPLINK);
    for (uint32_t q = 0; q < 2; q++) {
        int got;

        while ((got = nic_host_recv(nic, UPLINK, q, pkts + n,
                                    ARRAY_SIZE(pkts) - n)) > 0) {
            n += got;
        }
    }
    ck_assert_int_eq(n, 3);
    /* As they came, outer headers and all. */
    ck_assert_uint_eq(dp_packet_size(pkts[1]), len);
    for (int i = 0; i < n; i++) {
        dp_packet_delete(pkts[i]);
    }
    ck_assert_int_eq(nic_rule_query(nic, inner_id, &rs), 0);
    ck_assert_uint_eq(rs.n_packets, 1);
    /* The tnl_pop rule counts what it decapsulated: the host counts the
     * others, which it gets marked for the same flow. */
    ck_assert_int_eq(nic_rule_query(nic, outer_id, &rs), 0);
    ck_assert_uint_eq(rs.n_packets, 1);
    nic_close(nic);
}
END_TEST

START_TEST(test_nicsim_host_queue_full_and_detached)
{
    struct nic *nic = make_nic();
    struct nic_queue_stats qs;
    int n = 0;

    add_rule(nic, "in_port=vf0", "set_queue:0,host");
    for (int i = 0; i < NICSIM_RING_SIZE + 5; i++) {
        send_udp(nic, VF0, 1);
    }
    ck_assert_uint_eq(stats(nic, VF0).drop[NIC_DROP_HOST_QUEUE_FULL], 5);
    ck_assert_int_eq(nic_queue_stats(nic, VF0, 0, &qs), 0);
    ck_assert_uint_eq(qs.depth, NICSIM_RING_SIZE);
    ck_assert_uint_eq(qs.drops, 5);
    /* The back-pressure is counted by the DMA ring too; what it took was
     * copied and completed, once each. */
    struct nic_dma_queue_stats ds;
    ck_assert_int_eq(nic_dma_queue_stats(nic, VF0, 0, &ds), 0);
    ck_assert_uint_eq(ds.ring_full, 5);
    ck_assert_uint_eq(ds.posted, NICSIM_RING_SIZE);
    ck_assert_uint_eq(ds.completed, NICSIM_RING_SIZE);
    ck_assert_uint_eq(ds.copies, NICSIM_RING_SIZE);
    ck_assert_uint_eq(ds.ready, NICSIM_RING_SIZE);
    n = drain(nic, VF0, 0);
    ck_assert_int_eq(n, NICSIM_RING_SIZE);
    ck_assert_int_eq(nic_dma_queue_stats(nic, VF0, 0, &ds), 0);
    ck_assert_uint_eq(ds.taken, NICSIM_RING_SIZE);
    ck_assert_uint_eq(ds.ready + ds.pending, 0);
    check_conservation(nic, VF0);

    /* Without a representor, host-bound packets are dropped, counted. */
    nic_port_detach(nic, VF0);
    send_udp(nic, VF0, 1);
    ck_assert_uint_eq(stats(nic, VF0).drop[NIC_DROP_NO_REPRESENTOR], 1);
    check_conservation(nic, VF0);
    nic_close(nic);
}
END_TEST

/* The DMA rings on their own: nothing is taken before its copy is
 * complete, a full ring refuses and counts, a flush completes and takes
 * what it deletes, and the indices go on from a base. */
START_TEST(test_nicsim_dma_ring)
{
    struct nicsim_dma_ring r;
    struct nicsim_dma_stats st;
    struct dp_packet *pkts[8];
    bool was_empty, now_empty;

    nicsim_dma_ring_init(&r, 4, 100);
    for (int i = 0; i < 4; i++) {
        struct dp_packet *p = dp_packet_new(64);

        dp_packet_put_zeros(p, 60 + i);
        ck_assert(nicsim_dma_post(&r, p, &was_empty));
        ck_assert(was_empty == (i == 0));
    }
    struct dp_packet *extra = dp_packet_new(64);
    ck_assert(!nicsim_dma_post(&r, extra, NULL));
    dp_packet_delete(extra);

    /* Posted, not copied: the host sees the descriptors, takes nothing. */
    ck_assert_uint_eq(nicsim_dma_posted(&r), 104);
    ck_assert_uint_eq(nicsim_dma_completed(&r), 100);
    ck_assert_int_eq(nicsim_dma_take(&r, pkts, 8, &now_empty), 0);
    ck_assert(!now_empty);

    /* The DMA engine copies two: exactly those can be taken, in order. */
    ck_assert_uint_eq(nicsim_dma_run(&r, 2), 2);
    ck_assert_uint_eq(nicsim_dma_completed(&r), 102);
    ck_assert_int_eq(nicsim_dma_take(&r, pkts, 8, &now_empty), 2);
    ck_assert_uint_eq(dp_packet_size(pkts[0]), 60);
    ck_assert_uint_eq(dp_packet_size(pkts[1]), 61);
    dp_packet_delete(pkts[0]);
    dp_packet_delete(pkts[1]);
    ck_assert_uint_eq(nicsim_dma_taken(&r), 102);

    /* A flush deletes the two in flight and completes and takes them. */
    size_t uncopied;
    ck_assert_uint_eq(nicsim_dma_flush(&r, &uncopied), 2);
    ck_assert_uint_eq(uncopied, 2);
    nicsim_dma_get_stats(&r, &st);
    ck_assert_uint_eq(st.posted, 104);
    ck_assert_uint_eq(st.completed, 104);
    ck_assert_uint_eq(st.taken, 104);
    ck_assert_uint_eq(st.full, 1);
    ck_assert_uint_eq(st.copies, 2);
    ck_assert_uint_eq(st.bytes, 121);
    ck_assert_uint_eq(st.flushed, 2);
    ck_assert_uint_eq(st.pending + st.ready, 0);
    nicsim_dma_ring_destroy(&r);
}
END_TEST

/* The send side: the host's buffers stay in the ring, untouched, until
 * the DMA engine has copied them out, and come back only then. */
START_TEST(test_nicsim_dma_ring_send)
{
    struct dp_packet *bufs[3], *copies[4], *back[4];
    struct nicsim_dma_ring r;
    size_t uncopied;

    nicsim_dma_ring_init(&r, 4, 0);
    for (int i = 0; i < 3; i++) {
        bufs[i] = dp_packet_new(64);
        memset(dp_packet_put_uninit(bufs[i], 60 + i), 0xa0 + i, 60 + i);
        ck_assert(nicsim_dma_post(&r, bufs[i], NULL));
    }
    ck_assert_int_eq(nicsim_dma_take(&r, back, 4, NULL), 0);

    ck_assert_uint_eq(nicsim_dma_run_out(&r, copies, 2), 2);
    ck_assert_uint_eq(nicsim_dma_completed(&r), 2);
    for (int i = 0; i < 2; i++) {
        /* A copy in NIC memory, not the host's buffer. */
        ck_assert_ptr_ne(copies[i], bufs[i]);
        ck_assert_uint_eq(dp_packet_size(copies[i]), 60 + i);
        ck_assert(!memcmp(dp_packet_data(copies[i]),
                          dp_packet_data(bufs[i]), 60 + i));
        dp_packet_delete(copies[i]);
    }
    /* The host gets its own two buffers back, in order; not the third. */
    ck_assert_int_eq(nicsim_dma_take(&r, back, 4, NULL), 2);
    ck_assert_ptr_eq(back[0], bufs[0]);
    ck_assert_ptr_eq(back[1], bufs[1]);
    dp_packet_delete(back[0]);
    dp_packet_delete(back[1]);
    ck_assert_uint_eq(nicsim_dma_taken(&r), 2);

    /* A flush says the third was never copied. */
    ck_assert_uint_eq(nicsim_dma_flush(&r, &uncopied), 1);
    ck_assert_uint_eq(uncopied, 1);
    nicsim_dma_ring_destroy(&r);
}
END_TEST

START_TEST(test_nicsim_reset_and_failures)
{
    struct nic *nic = make_nic();
    struct nic_action output = {
        .type = NIC_ACT_OUTPUT, .port = NIC_PORT_VF_BASE + 7,
    };
    struct nic_rule_spec spec;
    struct nicsim_info info;
    uint32_t id;

    /* An output to a port the NIC lacks is refused at insertion. */
    memset(&spec, 0, sizeof spec);
    spec.n_actions = 1;
    spec.actions = &output;
    ck_assert_int_eq(nic_rule_add(nic, &spec, &id), EINVAL);

    nicsim_fail_next_inserts(nic, 1);
    output.port = VF1;
    ck_assert_int_eq(nic_rule_add(nic, &spec, &id), EIO);
    ck_assert_int_eq(nic_rule_add(nic, &spec, &id), 0);

    send_udp(nic, UPLINK, 5);   /* catch-all rule: forwarded */
    ck_assert_uint_eq(stats(nic, UPLINK).fwd_packets, 1);

    /* A reset loses the rules: the same packet now misses. */
    ck_assert_int_eq(nic_reset(nic), 0);
    nicsim_get_info(nic, &info);
    ck_assert_uint_eq(info.n_resets, 1);
    ck_assert_uint_eq(info.n_rules[NIC_TABLE_WILDCARD], 0);
    ck_assert_uint_eq(info.n_insert_failures, 1);
    send_udp(nic, UPLINK, 5);
    ck_assert_uint_eq(stats(nic, UPLINK).host[NIC_HOST_MISS], 1);
    check_conservation(nic, UPLINK);
    nic_close(nic);
}
END_TEST

START_TEST(test_nicsim_host_send_on_engine)
{
    struct nic *nic = make_nic();
    struct dp_packet *p = udp_packet(9);

    struct dp_packet *sent = p, *back[2];
    struct nic_dma_queue_state st;
    uint64_t completed;

    /* The engine thread, not this one, transmits what the host sends, and
     * the host's buffer comes back through the send ring once the DMA
     * engine has copied it out.  (Check's timeout bounds the waits.) */
    ck_assert(nic_has_dma_tx(nic));
    ck_assert_int_eq(nic_host_send(nic, VF1, &p, 1), 0);
    ck_assert_int_eq(nic_dma_tx_state(nic, VF1, &st), 0);
    ck_assert_uint_eq(st.posted, 1);
    ck_assert_uint_gt(st.size, 0);
    while (!stats(nic, VF1).tx_packets) {
        usleep(1000);
    }
    ck_assert_uint_eq(stats(nic, VF1).tx_packets, 1);
    ck_assert_uint_eq(stats(nic, VF1).host_tx_packets, 1);
    ck_assert_uint_eq(stats(nic, VF1).rx_packets, 0);
    ck_assert_int_eq(nic_dma_tx_completed(nic, VF1, &completed), 0);
    ck_assert_uint_eq(completed, 1);
    ck_assert_int_eq(nic_host_send_reap(nic, VF1, back, 2), 1);
    ck_assert_ptr_eq(back[0], sent);
    dp_packet_delete(back[0]);
    ck_assert_int_eq(nic_dma_tx_state(nic, VF1, &st), 0);
    ck_assert_uint_eq(st.taken, 1);
    ck_assert_int_eq(nic_host_send_reap(nic, VF1, back, 2), 0);
    nic_close(nic);
}
END_TEST

START_TEST(test_nicsim_filters)
{
    struct nic *nic = make_nic();
    struct nic_filter f;
    uint32_t id_all, id_53;
    char *error;

    memset(&f, 0, sizeof f);
    error = nic_match_from_string("udp", &f.match);
    ck_assert_ptr_null(error);
    f.queue = 1;
    ck_assert_int_eq(nic_filter_add(nic, VF0, &f, &id_all), 0);
    error = nic_match_from_string("udp,tp_dst=53", &f.match);
    ck_assert_ptr_null(error);
    f.queue = 0;
    f.priority = 10;
    ck_assert_int_eq(nic_filter_add(nic, VF0, &f, &id_53), 0);
    f.queue = 2;                /* VF0 has queues 0 and 1 only. */
    ck_assert_int_eq(nic_filter_add(nic, VF0, &f, &id_53), EINVAL);

    send_udp(nic, VF0, 53);     /* misses: to queue 0 by the filter */
    send_udp(nic, VF0, 54);     /* to queue 1 */
    send_udp(nic, VF0, 55);     /* to queue 1 */
    ck_assert_int_eq(drain(nic, VF0, 0), 1);
    ck_assert_int_eq(drain(nic, VF0, 1), 2);

    /* The same match and priority again, to another queue: refused, with
     * the id of the filter it duplicates. */
    uint32_t dup_id = 0;
    f.queue = 1;
    ck_assert_int_eq(nic_filter_add(nic, VF0, &f, &dup_id), EEXIST);
    ck_assert_uint_eq(dup_id, id_53);

    struct nic_filter_dump *dump;
    size_t n;

    ck_assert_int_eq(nic_filter_dump(nic, &dump, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(dump[0].id, id_all);
    ck_assert_uint_eq(dump[1].id, id_53);
    ck_assert_uint_eq(dump[1].filter.priority, 10);
    ck_assert_uint_eq(dump[1].port, VF0);
    free(dump);

    /* Each filter counts what it steered. */
    struct nic_filter_stats fst;

    ck_assert_int_eq(nic_filter_stats(nic, VF0, id_53, &fst), 0);
    ck_assert_uint_eq(fst.n_packets, 1);
    ck_assert_uint_gt(fst.n_bytes, 40);
    ck_assert_int_eq(nic_filter_stats(nic, VF0, id_all, &fst), 0);
    ck_assert_uint_eq(fst.n_packets, 2);
    ck_assert_int_eq(nic_filter_stats(nic, VF0, 9999, &fst), ENOENT);

    /* The port's heaviest host flows: 3 flows of one packet each. */
    struct nic_host_flow hf[8];
    ck_assert_uint_eq(nic_host_flows(nic, VF0, hf, 8), 3);
    ck_assert_uint_eq(hf[0].n_packets, 1);
    ck_assert_uint_eq(hf[0].nw_proto, IPPROTO_UDP);
    send_udp(nic, VF0, 55);
    drain(nic, VF0, 1);
    ck_assert_uint_eq(nic_host_flows(nic, VF0, hf, 1), 1);
    ck_assert_uint_eq(hf[0].n_packets, 2);
    ck_assert_uint_eq(ntohs(hf[0].tp_dst), 55);

    ck_assert_int_eq(nic_filter_del(nic, VF0, id_all), 0);
    ck_assert_int_eq(nic_filter_del(nic, VF0, id_all), ENOENT);

    /* A count-only filter counts and leaves the queue to RSS. */
    f.queue = NIC_FILTER_QUEUE_RSS;
    f.priority = 20;
    ck_assert_int_eq(nic_filter_add(nic, VF0, &f, &id_all), 0);
    send_udp(nic, VF0, 53);
    ck_assert_int_eq(nic_filter_stats(nic, VF0, id_all, &fst), 0);
    ck_assert_uint_eq(fst.n_packets, 1);
    ck_assert_int_eq(drain(nic, VF0, 0) + drain(nic, VF0, 1), 1);
    check_conservation(nic, VF0);
    nic_close(nic);
}
END_TEST

START_TEST(test_nicsim_bad_config)
{
    struct nicsim_config cfg = { .n_uplinks = 0, .n_engines = 1 };
    struct nic_port_config pc = { .port = VF0, .medium = "none" };
    struct nic *nic;
    char *error = NULL;

    ck_assert_int_eq(nicsim_create("bad", &cfg, &nic), EINVAL);
    nic = make_nic();
    ck_assert_int_eq(nicsim_create("t0", &(struct nicsim_config) {
                         .n_uplinks = 1, .n_engines = 1 }, &nic), EEXIST);
    nic = nicsim_find("t0");
    ck_assert_ptr_nonnull(nic);
    /* n_rxq 0, an attached port, a VF beyond the NIC, a bad medium. */
    ck_assert_int_eq(nic_port_attach(nic, &pc, &error), EINVAL);
    free(error);
    pc.n_rxq = 1;
    ck_assert_int_eq(nic_port_attach(nic, &pc, &error), EBUSY);
    free(error);
    pc.port = NIC_PORT_VF_BASE + 9;
    ck_assert_int_eq(nic_port_attach(nic, &pc, &error), EINVAL);
    free(error);
    nic_port_detach(nic, VF0);
    pc.port = VF0;
    pc.medium = "afpacket:no-such-if0";
    ck_assert_int_eq(nic_port_attach(nic, &pc, &error), ENODEV);
    ck_assert_str_eq(error, "no interface no-such-if0");
    free(error);
    nic_close(nic);
}
END_TEST

START_TEST(test_nicsim_oversize)
{
    struct nic *nic = make_nic();
    struct dp_packet *big = dp_packet_new(NIC_MAX_FRAME + 1);

    dp_packet_put_zeros(big, NIC_MAX_FRAME + 1);
    ck_assert_int_eq(nic_inject(nic, VF0, dp_packet_clone(big)),
                     EMSGSIZE);
    /* Handed to the pipeline directly, it is dropped and counted. */
    nicsim_process(nic, VF0, &big, 1);
    ck_assert_uint_eq(stats(nic, VF0).drop[NIC_DROP_OVERSIZE], 1);
    check_conservation(nic, VF0);
    nic_close(nic);
}
END_TEST

/* Rules whose only action is an output or a drop take the engine's fast
 * path while nothing is sampled; sampling every packet sends the same
 * packets through the action interpreter.  Both must count the same. */
static struct nic *
make_fast_path_nic(const char *name, uint32_t *ids)
{
    struct nicsim_config cfg = {
        .n_uplinks = 1, .n_vfs = 2, .n_engines = 1,
        .exact_capacity = 8, .wildcard_capacity = 8,
    };
    uint32_t ports[] = { UPLINK, VF0, VF1 };
    struct nic *nic;

    ck_assert_int_eq(nicsim_create(name, &cfg, &nic), 0);
    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        struct nic_port_config pc = {
            .port = ports[i], .medium = "none", .n_rxq = 1,
        };
        char *error = NULL;

        ck_assert_int_eq(nic_port_attach(nic, &pc, &error), 0);
    }
    ids[0] = add_rule(nic, "in_port=vf0,udp,tp_dst=10", "output:vf1");
    ids[1] = add_rule(nic, "in_port=vf0,udp,tp_dst=11", "drop");
    ids[2] = add_rule(nic, "in_port=vf0,udp,tp_dst=12", "output:uplink0");
    ids[3] = add_rule(nic, "in_port=vf0,udp,tp_dst=13",
                      "output:vf1,output:uplink0");
    ids[4] = add_rule(nic, "in_port=vf0,udp,tp_dst=14", "host");
    return nic;
}

static void
fast_path_traffic(struct nic *nic)
{
    /* Runs of one flow and alternations, over more than one chunk. */
    static const uint16_t dsts[] = {
        10, 10, 10, 11, 12, 10, 13, 14, 99, 12, 12, 11, 11, 10, 13, 14,
        10, 12, 10, 12, 10, 12, 11, 10, 10, 10, 10, 10, 13, 99, 12, 11,
        10, 11, 12, 13, 14, 10, 10, 12,
    };
    struct dp_packet *pkts[ARRAY_SIZE(dsts)];

    for (size_t i = 0; i < ARRAY_SIZE(dsts); i++) {
        pkts[i] = udp_packet(dsts[i]);
    }
    nicsim_process(nic, VF0, pkts, ARRAY_SIZE(pkts));
}

START_TEST(test_nicsim_fast_path_same_outcomes)
{
    uint32_t fast_ids[5], slow_ids[5];
    struct nic *fast = make_fast_path_nic("tfast", fast_ids);
    struct nic *slow = make_fast_path_nic("tslow", slow_ids);
    struct nic_sample *samples;
    size_t n_samples;

    ck_assert_int_eq(nic_sample_start(slow, 1, 100000), 0);
    fast_path_traffic(fast);
    fast_path_traffic(slow);
    /* An output port without a medium: a no_port drop either way. */
    nic_port_detach(fast, VF1);
    nic_port_detach(slow, VF1);
    fast_path_traffic(fast);
    fast_path_traffic(slow);
    n_samples = nic_sample_stop(slow, &samples);
    ck_assert_uint_eq(n_samples, 2 * (40 - 2));   /* Every hit. */
    nic_samples_free(samples, n_samples);

    for (uint32_t port = UPLINK; port <= VF0; port += VF0 - UPLINK) {
        struct nic_port_stats a = stats(fast, port);
        struct nic_port_stats b = stats(slow, port);

        ck_assert_uint_eq(a.rx_packets, b.rx_packets);
        ck_assert_uint_eq(a.rx_bytes, b.rx_bytes);
        ck_assert_uint_eq(a.fwd_packets, b.fwd_packets);
        for (int i = 0; i < NIC_N_HOST_REASONS; i++) {
            ck_assert_uint_eq(a.host[i], b.host[i]);
        }
        for (int i = 0; i < NIC_N_DROP_REASONS; i++) {
            ck_assert_uint_eq(a.drop[i], b.drop[i]);
        }
        ck_assert_uint_eq(a.tx_packets, b.tx_packets);
        ck_assert_uint_eq(a.tx_bytes, b.tx_bytes);
        ck_assert_uint_eq(a.tx_errors, b.tx_errors);
        check_conservation(fast, port);
    }
    /* 40 frames: 16 to port 10, 6 to 11, 9 to 12, 4 to 13, 3 to 14 and
     * 2 misses, twice; vf1 is gone the second time. */
    ck_assert_uint_eq(stats(fast, VF0).drop[NIC_DROP_NO_PORT], 16);
    ck_assert_uint_eq(stats(fast, VF0).drop[NIC_DROP_RULE], 2 * 6);
    ck_assert_uint_eq(stats(fast, VF0).fwd_packets, 16 + 2 * (9 + 4));
    ck_assert_uint_eq(stats(fast, UPLINK).tx_packets, 2 * (9 + 4));
    for (size_t i = 0; i < ARRAY_SIZE(fast_ids); i++) {
        struct nic_rule_stats a, b;

        ck_assert_int_eq(nic_rule_query(fast, fast_ids[i], &a), 0);
        ck_assert_int_eq(nic_rule_query(slow, slow_ids[i], &b), 0);
        ck_assert_uint_eq(a.n_packets, b.n_packets);
        ck_assert_uint_eq(a.n_bytes, b.n_bytes);
    }
    ck_assert_uint_eq(drain(fast, VF0, 0), drain(slow, VF0, 0));
    nic_close(fast);
    nic_close(slow);
}
END_TEST

START_TEST(test_nic_media_specs)
{
    static const char *const bad[] = {
        "gen:1,64,abc", "gen:-1,64", "gen:1,64,", "gen:1,,64", "gen:0,64",
        "gen:1,59", "gen:1,9001", "gen:1,64,0", "gen:1,64,5,6",
        "gen:16777217,64", "gen:+1,64", "gen: 1,64", "gen:1",
        "pcap:-,x.pcap,append",
    };
    static const char *const good[] = {
        "gen:1,60", "gen:16777216,9000,100000000", "none",
    };
    char path[] = "/tmp/test-nicsim-XXXXXX";
    struct nic_medium *m, *m2;
    char *error, *spec;
    int fd;

    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        ck_assert_int_eq(nic_medium_open(bad[i], &m, &error), EINVAL);
        ck_assert_ptr_nonnull(error);
        free(error);
    }
    for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
        ck_assert_int_eq(nic_medium_open(good[i], &m, &error), 0);
        nic_medium_close(m);
    }

    /* A file that is not a capture is kept unless 'overwrite'; a capture
     * is one writer's at a time. */
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "precious", 8), 8);
    close(fd);
    spec = xasprintf("pcap:-,%s", path);
    ck_assert_int_eq(nic_medium_open(spec, &m, &error), EEXIST);
    free(error);
    free(spec);
    spec = xasprintf("pcap:-,%s,overwrite", path);
    ck_assert_int_eq(nic_medium_open(spec, &m, &error), 0);
    free(spec);
    spec = xasprintf("pcap:-,%s", path);
    ck_assert_int_eq(nic_medium_open(spec, &m2, &error), EBUSY);
    free(error);
    nic_medium_close(m);
    ck_assert_int_eq(nic_medium_open(spec, &m2, &error), 0);
    nic_medium_close(m2);
    free(spec);
    unlink(path);
}
END_TEST

/* Receive classes. */

static struct dp_packet *
tcp_packet(uint16_t src_port, uint8_t flags)
{
    struct tp_spec s = { .ip_version = 4, .proto = IPPROTO_TCP,
                         .src_port = src_port, .dst_port = 80 };
    struct tp_frame f;

    tp_build(&f, &s);
    f.buf[f.l4 + 13] = flags;
    return dp_packet_clone_data(f.buf, f.len);
}

static void
send_tcp(struct nic *nic, uint32_t port, uint16_t src_port, uint8_t flags)
{
    struct dp_packet *p = tcp_packet(src_port, flags);

    nicsim_process(nic, port, &p, 1);
}

static struct offload_class_config
nc_class(const char *name, uint32_t queue, uint32_t prio, uint32_t depth,
         uint64_t pps)
{
    struct offload_class_config c = {
        .queue = queue, .n_queues = 1, .priority = prio, .weight = 1,
        .depth = depth, .pps = pps, .burst = pps ? 10 : 0,
    };
    ovs_strlcpy(c.name, name, sizeof c.name);
    return c;
}

/* Classes: est (default, high), syn (low, 100 pps) on queue 0. */
static int
nc_set(struct nic *nic, bool guard, char **errorp)
{
    struct offload_class_config classes[] = {
        nc_class("est", 0, 6, 64, 0),
        nc_class("syn", 0, 0, 64, 100),
        nc_class("bulk", 1, 2, 32, 0),
    };
    struct nic_classes_rule rules[2];
    char *error;

    memset(rules, 0, sizeof rules);
    error = nic_match_from_string("dl_type=0x800,nw_proto=6,"
                                  "tcp_flags=0x2/0x12", &rules[0].match);
    ck_assert_ptr_null(error);
    rules[0].priority = 10;
    rules[0].class = 1;
    error = nic_match_from_string("dl_type=0x800,nw_proto=17",
                                  &rules[1].match);
    ck_assert_ptr_null(error);
    rules[1].priority = 5;
    rules[1].class = 2;

    struct nic_classes_config cfg = {
        .classes = classes, .n_classes = ARRAY_SIZE(classes),
        .rules = rules, .n_rules = ARRAY_SIZE(rules),
        .default_class = 0, .guard_class = 1,
    };
    offload_syn_guard_config_default(&cfg.guard);
    cfg.guard.enabled = guard;
    cfg.guard.port_pps = 100;
    cfg.guard.dst_pps = 100;
    cfg.guard.window_ms = 10;
    cfg.guard.engage_ms = 0;
    cfg.guard.calm_ms = 0;
    return nic_classes_set(nic, VF0, &cfg, errorp);
}

/* A slow host: the DMA ring of queue 0 full, established packets wait
 * in their class's ring and are delivered before any SYN; SYNs over
 * their rate are dropped, counted by class and reason; conservation. */
START_TEST(test_nicsim_classes_priority)
{
    struct nic *nic = make_nic();
    struct nic_classes_status st;
    char *error;

    ck_assert_int_eq(nc_set(nic, false, &error), 0);
    /* Fill the DMA ring first, then offer both kinds, interleaved. */
    for (int i = 0; i < NICSIM_RING_SIZE; i++) {
        send_tcp(nic, VF0, 1000, 0x10);
    }
    for (int i = 0; i < 300; i++) {
        send_tcp(nic, VF0, 2000 + i, 0x02);
        send_tcp(nic, VF0, 1000, 0x10);
    }
    check_conservation(nic, VF0);
    ck_assert_int_eq(nic_classes_get(nic, VF0, &st), 0);
    ck_assert_int_eq(st.n_classes, 3);
    ck_assert_uint_eq(st.stats[1].offered, 300);
    ck_assert_uint_gt(st.stats[1].drops[OFFLOAD_CLASS_DROP_RATE], 0);
    ck_assert_uint_gt(st.stats[0].drops[OFFLOAD_CLASS_DROP_RING_FULL], 0);
    ck_assert_uint_eq(st.stats[0].depth, 64);
    ck_assert(offload_class_stats_conserved(&st.stats[0]));
    ck_assert(offload_class_stats_conserved(&st.stats[1]));
    struct nic_port_stats ps = stats(nic, VF0);
    ck_assert_uint_eq(ps.drop[NIC_DROP_CLASS_RATE],
                      st.stats[1].drops[OFFLOAD_CLASS_DROP_RATE]);
    ck_assert_uint_eq(ps.drop[NIC_DROP_CLASS_RING],
                      st.stats[0].drops[OFFLOAD_CLASS_DROP_RING_FULL]
                      + st.stats[1].drops[OFFLOAD_CLASS_DROP_RING_FULL]);
    uint64_t waiting = st.stats[0].depth + st.stats[1].depth;
    ck_assert_uint_gt(st.stats[1].depth, 0);
    nic_classes_status_destroy(&st);

    /* The host takes the DMA ring's packets, all established; the NIC
     * delivers the class rings behind them as room frees (while the host
     * is still taking: so take exactly the ring's worth here), every
     * established one before the first SYN. */
    for (int taken = 0; taken < NICSIM_RING_SIZE; ) {
        struct dp_packet *pkts[64];
        int n = nic_host_recv(nic, VF0, 0, pkts,
                              MIN(64, NICSIM_RING_SIZE - taken));

        for (int i = 0; i < n; i++) {
            const uint8_t *l4 = dp_packet_data(pkts[i]);

            ck_assert_int_eq(l4[14 + 20 + 13], 0x10);
            dp_packet_delete(pkts[i]);
        }
        taken += n;
    }
    uint64_t got = 0;
    bool seen_syn = false;
    while (got < waiting) {
        struct dp_packet *pkts[64];
        int n = nic_host_recv(nic, VF0, 0, pkts, 64);

        for (int i = 0; i < n; i++) {
            const uint8_t *l4 = dp_packet_data(pkts[i]);
            bool syn = l4[14 + 20 + 13] == 0x02;

            ck_assert_msg(!seen_syn || syn, "established after a SYN");
            seen_syn |= syn;
            dp_packet_delete(pkts[i]);
        }
        got += n;
        if (!n) {
            usleep(1000);       /* The engine thread delivers. */
        }
    }
    ck_assert(seen_syn);
    check_conservation(nic, VF0);

    /* UDP goes to 'bulk' on queue 1. */
    send_udp(nic, VF0, 7);
    ck_assert_int_eq(nic_classes_get(nic, VF0, &st), 0);
    ck_assert_uint_eq(st.stats[2].offered, 1);
    nic_classes_status_destroy(&st);
    ck_assert_int_eq(drain(nic, VF0, 1), 1);
    nic_close(nic);
}
END_TEST

/* Classification changes which packets wait, never their bytes: with
 * room for all, the host receives every packet, unchanged, in order. */
START_TEST(test_nicsim_classes_same_bytes)
{
    struct nic *nic = make_nic();
    struct dp_packet *sent[96];
    char *error;

    ck_assert_int_eq(nc_set(nic, false, &error), 0);
    for (int i = 0; i < 96; i++) {
        /* ACKs (fallback class) and UDP (queue 1), no rate limit hit. */
        sent[i] = i % 2 ? tcp_packet(1000 + i, 0x10) : udp_packet(9);
        struct dp_packet *copy = dp_packet_clone(sent[i]);
        nicsim_process(nic, VF0, &copy, 1);
    }
    int next[2] = { 0, 1 };             /* Index of the next expected. */
    for (uint32_t q = 0; q < 2; q++) {
        struct dp_packet *pkts[64];
        int n;

        while ((n = nic_host_recv(nic, VF0, q, pkts, 64)) > 0) {
            for (int i = 0; i < n; i++) {
                int k = q ? 0 : 1;      /* UDP on queue 1, TCP on 0. */
                struct dp_packet *want = sent[next[k]];

                ck_assert_int_eq(dp_packet_size(pkts[i]),
                                 dp_packet_size(want));
                ck_assert(!memcmp(dp_packet_data(pkts[i]),
                                  dp_packet_data(want),
                                  dp_packet_size(want)));
                next[k] += 2;
                dp_packet_delete(pkts[i]);
            }
        }
    }
    ck_assert_int_eq(next[0], 96);
    ck_assert_int_eq(next[1], 97);
    for (int i = 0; i < 96; i++) {
        dp_packet_delete(sent[i]);
    }
    check_conservation(nic, VF0);
    nic_close(nic);
}
END_TEST

/* Bad configurations are refused whole, with a message; the good one
 * stays. */
START_TEST(test_nicsim_classes_bad_config)
{
    struct nic *nic = make_nic();
    struct nic_classes_status st;
    char *error;

    ck_assert_int_eq(nc_set(nic, false, &error), 0);

    struct offload_class_config bad = nc_class("far", 5, 1, 8, 0);
    struct nic_classes_config cfg = {
        .classes = &bad, .n_classes = 1,
    };
    ck_assert_int_eq(nic_classes_set(nic, VF0, &cfg, &error), EINVAL);
    ck_assert_ptr_nonnull(strstr(error, "2 receive queues"));
    free(error);

    struct offload_class_config one = nc_class("one", 0, 1, 8, 0);
    struct nic_classes_rule rules[2];
    memset(rules, 0, sizeof rules);
    error = nic_match_from_string("nw_proto=6", &rules[0].match);
    ck_assert_ptr_null(error);
    rules[1] = rules[0];
    cfg = (struct nic_classes_config) {
        .classes = &one, .n_classes = 1, .rules = rules, .n_rules = 2,
    };
    ck_assert_int_eq(nic_classes_set(nic, VF0, &cfg, &error), EINVAL);
    ck_assert_ptr_nonnull(strstr(error, "duplicate"));
    free(error);

    ck_assert_int_eq(nic_classes_get(nic, VF0, &st), 0);
    ck_assert_int_eq(st.n_classes, 3);
    ck_assert_int_eq(st.n_rules, 2);
    nic_classes_status_destroy(&st);

    /* No classes: off, and packets go straight to the DMA ring. */
    cfg = (struct nic_classes_config) { .n_classes = 0 };
    ck_assert_int_eq(nic_classes_set(nic, VF0, &cfg, &error), 0);
    ck_assert_int_eq(nic_classes_get(nic, VF0, &st), 0);
    ck_assert_int_eq(st.n_classes, 0);
    send_udp(nic, VF0, 7);
    ck_assert_int_eq(drain(nic, VF0, 0) + drain(nic, VF0, 1), 1);
    check_conservation(nic, VF0);
    nic_close(nic);
}
END_TEST

/* A burst of SYNs engages the guard: SYNs go to the rate-limited class
 * whatever their rule says; established packets keep their class; calm
 * disengages it. */
START_TEST(test_nicsim_classes_syn_guard)
{
    struct nic *nic = make_nic();
    struct nic_classes_status st;
    char *error;
    int i = 0;

    ck_assert_int_eq(nc_set(nic, true, &error), 0);
    for (;;) {
        send_tcp(nic, VF0, 3000 + i++ % 1000, 0x02);
        ck_assert_int_eq(nic_classes_get(nic, VF0, &st), 0);
        bool engaged = offload_syn_guard_engaged(&st.guard);
        nic_classes_status_destroy(&st);
        if (engaged) {
            break;
        }
        if (!(i % 64)) {
            usleep(1000);
            drain(nic, VF0, 0);
        }
    }
    send_tcp(nic, VF0, 1000, 0x10);
    ck_assert_int_eq(nic_classes_get(nic, VF0, &st), 0);
    ck_assert_uint_eq(st.stats[0].offered, 1);
    ck_assert_uint_gt(st.guard.syns, 0);
    nic_classes_status_destroy(&st);

    /* Calm: the engine's clock releases it. */
    for (;;) {
        ck_assert_int_eq(nic_classes_get(nic, VF0, &st), 0);
        enum offload_syn_guard_state s = st.guard.state;
        nic_classes_status_destroy(&st);
        if (s == OFFLOAD_SYN_GUARD_CALM) {
            break;
        }
        usleep(1000);
    }
    drain(nic, VF0, 0);
    check_conservation(nic, VF0);
    nic_close(nic);
}
END_TEST

/* The SYN-ACK that challenges a SYN: the SYN's addresses, ports and VLAN
 * tags turned round, right checksums, the acknowledgement given, and a
 * fresh IP header whatever options or extensions the SYN had. */
START_TEST(test_nicsim_syn_challenge_frame)
{
    static const struct {
        int ip_version, n_vlans, ipv4_options_len, ipv6_n_ext;
    } cases[] = { { 4, 0, 0, 0 }, { 4, 2, 8, 0 }, { 6, 1, 0, 0 },
                  { 6, 0, 0, 2 } };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct tp_spec s = {
            .ip_version = cases[i].ip_version, .proto = IPPROTO_TCP,
            .src_port = 40001, .dst_port = 80, .n_vlans = cases[i].n_vlans,
            .vid = { 7, 9 }, .ipv4_options_len = cases[i].ipv4_options_len,
            .ipv6_n_ext = cases[i].ipv6_n_ext, .payload_len = 4,
        };
        struct nic_parse_offsets ofs, rofs;
        struct nic_flow_key key, rkey;
        struct tp_frame f;

        tp_build(&f, &s);
        f.buf[f.l4 + 13] = 0x02;
        tp_set_l4_checksum(&f, IPPROTO_TCP);
        ck_assert_int_eq(nic_parse(f.buf, f.len, 1, &key, &ofs),
                         NIC_PARSE_OK);

        struct dp_packet *syn = dp_packet_clone_data(f.buf, f.len);
        struct dp_packet *r = nicsim_syn_challenge_build(
            syn, &ofs, cases[i].ip_version == 6, 0xdeadbeef);
        const uint8_t *rf = dp_packet_data(r);
        size_t rlen = dp_packet_size(r);

        ck_assert(tp_checksums_ok(rf, rlen));
        ck_assert_uint_ge(rlen, 60);
        ck_assert_int_eq(nic_parse(rf, rlen, 1, &rkey, &rofs), NIC_PARSE_OK);
        ck_assert(eth_addr_equals(rkey.dl_src, key.dl_dst));
        ck_assert(eth_addr_equals(rkey.dl_dst, key.dl_src));
        ck_assert(!memcmp(rkey.vlan_tci, key.vlan_tci, sizeof key.vlan_tci));
        ck_assert(!memcmp(rkey.nw_src, key.nw_dst, sizeof key.nw_dst));
        ck_assert(!memcmp(rkey.nw_dst, key.nw_src, sizeof key.nw_src));
        ck_assert_uint_eq(rkey.tp_src, key.tp_dst);
        ck_assert_uint_eq(rkey.tp_dst, key.tp_src);
        ck_assert_uint_eq(ntohs(rkey.tcp_flags), 0x12);
        ck_assert_uint_eq(rkey.nw_ttl, 64);
        ck_assert_uint_eq(rofs.l4 - rofs.l3, cases[i].ip_version == 6
                                             ? 40 : 20);
        ck_assert_uint_eq(rofs.l3_end - rofs.l4, 20);
        ck_assert_uint_eq(rf[rofs.l4 + 8], 0xde);
        ck_assert_uint_eq(rf[rofs.l4 + 11], 0xef);
        dp_packet_delete(syn);
        dp_packet_delete(r);
    }
}
END_TEST

Suite *
nicsim_suite(void)
{
    Suite *s = suite_create("nicsim");
    TCase *tc = tcase_create("pipeline");

    tcase_add_test(tc, test_nicsim_outcomes);
    tcase_add_test(tc, test_nicsim_tnl_pop);
    tcase_add_test(tc, test_nicsim_host_queue_full_and_detached);
    tcase_add_test(tc, test_nicsim_dma_ring);
    tcase_add_test(tc, test_nicsim_dma_ring_send);
    tcase_add_test(tc, test_nicsim_reset_and_failures);
    tcase_add_test(tc, test_nicsim_host_send_on_engine);
    tcase_add_test(tc, test_nicsim_filters);
    tcase_add_test(tc, test_nicsim_bad_config);
    tcase_add_test(tc, test_nicsim_oversize);
    tcase_add_test(tc, test_nicsim_fast_path_same_outcomes);
    tcase_add_test(tc, test_nic_media_specs);
    tcase_add_test(tc, test_nicsim_classes_priority);
    tcase_add_test(tc, test_nicsim_classes_same_bytes);
    tcase_add_test(tc, test_nicsim_classes_bad_config);
    tcase_add_test(tc, test_nicsim_classes_syn_guard);
    tcase_add_test(tc, test_nicsim_syn_challenge_frame);
    suite_add_tcase(s, tc);
    return s;
}
