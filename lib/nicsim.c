/* SPDX-License-Identifier: Apache-2.0 */
/* nicsim, the reference software SmartNIC: pipeline, engine threads, ports
 * and counters. */
#include <config.h>

#include "lib/nicsim.h"
#include "lib/nic-provider.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "csum.h"
#include "dirs.h"
#include "dp-packet.h"
#include "latch.h"
#include "lib/nic-actions.h"
#include "lib/nic-encap-bind.h"
#include "lib/nic-media.h"
#include "lib/nic-pktpool.h"
#include "lib/nicsim-classes.h"
#include "lib/nicsim-counter.h"
#include "lib/nicsim-dma.h"
#include "lib/nicsim-placement.h"
#include "lib/nicsim-placement-ctl.h"
#include "lib/offload-token.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovs-atomic.h"
#include "ovs-rcu.h"
#include "ovs-thread.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nicsim);

#define NICSIM_BATCH 32
#define NICSIM_CLASSES_TICK_MS 10   /* Engine wake-ups with classes on. */

/* A bounded FIFO of packets shared by two threads. */
struct nicsim_ring {
    struct ovs_mutex mutex;
    struct dp_packet **slots;
    uint32_t size, head, count;
};

/* One representor receive queue: what the NIC gives the host, through
 * its DMA rings. */
struct nicsim_rxq {
    struct nicsim_dma_ring dma;
    struct latch latch;             /* Set while the ring is non-empty. */
    atomic_uint64_t packets;
    atomic_uint64_t drops;
};

struct nicsim_filter {
    uint32_t id;
    struct nic_filter f;
    uint64_t n_packets, n_bytes;    /* Guarded by the port's io_mutex. */
};

/* Heavy hitters among a port's TCP/UDP packets to the host ("space
 * saving": a new flow replaces the lightest entry), for a host that wants
 * to give a heavy flow a queue of its own. */
#define NICSIM_HOST_FLOWS 32

struct nicsim_counters {
    atomic_uint64_t rx_packets, rx_bytes, fwd_packets;
    atomic_uint64_t host[NIC_N_HOST_REASONS];
    atomic_uint64_t drop[NIC_N_DROP_REASONS];
    atomic_uint64_t tx_packets, tx_bytes, tx_errors, host_tx_packets;
};

struct nicsim_port {
    struct nicsim *ns;
    uint32_t port_no;
    uint32_t engine;                /* Engine thread that serves it. */

    /* 'io_mutex' guards the attachment: medium, receive queues, RSS and
     * filters.  Never held together with another port's. */
    struct ovs_mutex io_mutex;
    bool attached;
    struct nic_medium *medium;
    uint32_t n_rxq;
    struct nicsim_rxq *rxqs;
    struct nic_rss rss;
    struct nicsim_filter filters[NIC_MAX_FILTERS];
    size_t n_filters;
    uint32_t next_filter_id;
    struct nic_host_flow host_flows[NICSIM_HOST_FLOWS];
    size_t n_host_flows;
    uint64_t host_flow_seq;
    uint64_t flushed;               /* Queued packets lost in resets. */
    /* Where each queue's DMA indices stand, kept across detaches so that
     * they never go back for a host that polls them. */
    uint64_t dma_base[NIC_MAX_RXQ];
    /* Set when a packet is posted to a receive queue: the DMA stage that
     * follows each batch then has copies to do. */
    atomic_bool dma_kick;
    uint64_t rx_errors;             /* Of media detached since. */
    /* Receive classes (NULL: none): packets to the host wait in their
     * class's ring until the scheduler delivers them into a DMA ring. */
    struct nicsim_classes *classes;
    atomic_bool classes_backlog;    /* Some class ring holds packets. */

    struct nicsim_ring inject;      /* Frames injected by tests. */
    /* Frames the host sent: its own buffers, which the DMA engine copies
     * out into NIC memory and the host takes back once completed. */
    struct nicsim_dma_ring tx_dma;
    struct nicsim_counters c;
};

struct nicsim_engine {
    struct nicsim *nic;
    uint32_t idx;
    pthread_t thread;
    struct latch wake;
    atomic_bool exit;
    bool joined;                    /* By nicsim_stop_all() or destroy. */
    atomic_uint64_t packets, batches;
};

struct nicsim {
    struct nic up;
    struct hmap_node node;          /* In nicsim_all, by name. */
    int refcnt;                     /* Protected by nicsim_all_mutex. */

    /* The control path: tables, failure injection, resets. */
    struct ovs_mutex mutex;
    struct nicsim_config config;
    struct nic_tables tables;
    unsigned int fail_inserts;
    uint64_t n_insert_failures;
    uint64_t n_resets;
    /* Rules whose encapsulation disagreed with 'encap_map': refused on
     * insertion, removed by a mapping change. */
    uint64_t n_encap_refused;
    uint64_t n_encap_removed;

    /* Sampling of rule hits: engines check 'sample_every' (0: off) and
     * take 'sample_mutex' only for a packet they sample. */
    atomic_uint32_t sample_every;
    atomic_uint64_t sample_seq;
    struct ovs_mutex sample_mutex;
    struct nic_sample *samples;
    size_t n_samples, max_samples;

    size_t n_ports;
    struct nicsim_port *ports;      /* Uplinks, then VFs. */
    struct nicsim_engine *engines;

    /* Direct data placement: the table lives as long as the NIC; engines
     * look at it only while 'placement_on'.  'placement_mutex' guards
     * turning it on and off. */
    struct nicsim_placement_table *placement;
    atomic_bool placement_on;
    struct ovs_mutex placement_mutex;
    struct nicsim_placement_ctl *placement_ctl;

    /* Encapsulation mappings: a control-path table (issue 18 feeds it
     * over the secure channel) to which rules are bound.  Changes take
     * 'mutex', so that a change and the removal of the rules that stop
     * agreeing with it are one step; 'encap_map_seq' counts them. */
    struct nic_encap_map encap_map;
    atomic_uint64_t encap_map_seq;
    struct nic_encap_index encap_rules OVS_GUARDED;    /* By inner MAC. */

    /* Mappings learned from the frames the NIC decapsulates. */
    struct nic_learn_table learned;

    /* Sealed destinations: the keys, the underlay (NULL: off) that
     * engines read without a lock, and token frames by result.
     * 'token_mutex' serializes changes of the underlay. */
    struct offload_token_keys token_keys;
    struct ovs_mutex token_mutex;
    OVSRCU_TYPE(struct nic_token_underlay *) token_underlay;
    atomic_uint64_t token_results[OFFLOAD_TOKEN_N_RESULTS];
};

static struct ovs_mutex nicsim_all_mutex = OVS_MUTEX_INITIALIZER;
static struct hmap nicsim_all OVS_GUARDED_BY(nicsim_all_mutex)
    = HMAP_INITIALIZER(&nicsim_all);

static struct nicsim *
nicsim_cast(const struct nic *nic)
{
    ovs_assert(nic->class == &nicsim_class);
    return CONTAINER_OF(nic, struct nicsim, up);
}

/* Rings. */

static void
nicsim_ring_init(struct nicsim_ring *r, uint32_t size)
{
    ovs_mutex_init(&r->mutex);
    r->slots = xcalloc(size, sizeof *r->slots);
    r->size = size;
    r->head = r->count = 0;
}

/* Deletes the queued packets; returns how many there were. */
static size_t
nicsim_ring_flush(struct nicsim_ring *r)
{
    size_t n;

    ovs_mutex_lock(&r->mutex);
    n = r->count;
    while (r->count) {
        dp_packet_delete(r->slots[r->head]);
        r->head = (r->head + 1) % r->size;
        r->count--;
    }
    ovs_mutex_unlock(&r->mutex);
    return n;
}

static void
nicsim_ring_destroy(struct nicsim_ring *r)
{
    nicsim_ring_flush(r);
    free(r->slots);
    ovs_mutex_destroy(&r->mutex);
}

/* Returns false (and does not take 'pkt') if the ring is full.  Sets
 * '*was_empty' if given. */
static bool
nicsim_ring_push(struct nicsim_ring *r, struct dp_packet *pkt,
                 bool *was_empty)
{
    bool ok;

    ovs_mutex_lock(&r->mutex);
    if (was_empty) {
        *was_empty = !r->count;
    }
    ok = r->count < r->size;
    if (ok) {
        r->slots[(r->head + r->count) % r->size] = pkt;
        r->count++;
    }
    ovs_mutex_unlock(&r->mutex);
    return ok;
}

static int
nicsim_ring_pop(struct nicsim_ring *r, struct dp_packet **pkts, int max,
                bool *now_empty)
{
    int n = 0;

    ovs_mutex_lock(&r->mutex);
    while (r->count && n < max) {
        pkts[n++] = r->slots[r->head];
        r->head = (r->head + 1) % r->size;
        r->count--;
    }
    if (now_empty) {
        *now_empty = !r->count;
    }
    ovs_mutex_unlock(&r->mutex);
    return n;
}

/* Ports. */

static struct nicsim_port *
nicsim_port(const struct nicsim *ns, uint32_t port_no)
{
    size_t idx;

    if (nic_port_is_vf(port_no)) {
        if (port_no - NIC_PORT_VF_BASE >= ns->config.n_vfs) {
            return NULL;
        }
        idx = ns->config.n_uplinks + (port_no - NIC_PORT_VF_BASE);
    } else {
        if (port_no >= ns->config.n_uplinks) {
            return NULL;
        }
        idx = port_no;
    }
    return &ns->ports[idx];
}

static void
nicsim_wake_engine(struct nicsim *ns, const struct nicsim_port *p)
{
    latch_set(&ns->engines[p->engine].wake);
}

/* Frees the receive queues; the caller holds p->io_mutex. */
static size_t
nicsim_port_free_rxqs(struct nicsim_port *p)
    OVS_REQUIRES(p->io_mutex)
{
    size_t flushed = nicsim_classes_destroy(p->classes);

    p->classes = NULL;
    atomic_store_relaxed(&p->classes_backlog, false);
    for (uint32_t q = 0; q < p->n_rxq; q++) {
        flushed += nicsim_dma_flush(&p->rxqs[q].dma, NULL);
        p->dma_base[q] = nicsim_dma_posted(&p->rxqs[q].dma);
        nicsim_dma_ring_destroy(&p->rxqs[q].dma);
        latch_destroy(&p->rxqs[q].latch);
    }
    free(p->rxqs);
    p->rxqs = NULL;
    p->n_rxq = 0;
    return flushed;
}

/* The receive queue for a packet going to the host: the best matching
 * filter's, else RSS over the IP addresses (and TCP/UDP ports). */
static uint32_t
nicsim_select_queue(struct nicsim_port *p, const struct nic_flow_key *key,
                    uint32_t size)
    OVS_REQUIRES(p->io_mutex)
{
    struct nicsim_filter *best = NULL;
    uint8_t buf[36];
    size_t len = 0;
    bool ports;

    for (size_t i = 0; i < p->n_filters; i++) {
        struct nicsim_filter *f = &p->filters[i];

        if ((!best || f->f.priority > best->f.priority)
            && nic_match_matches(&f->f.match, key)) {
            best = f;
        }
    }
    if (best) {
        best->n_packets++;
        best->n_bytes += size;
        if (best->f.queue < p->n_rxq) {
            return best->f.queue;
        }
    }
    if (p->n_rxq <= 1) {
        return 0;
    }

    ports = ((key->nw_proto == IPPROTO_TCP || key->nw_proto == IPPROTO_UDP)
             && !(key->nw_frag & NIC_FRAG_LATER));
    if (key->dl_type == htons(ETH_TYPE_IP)) {
        ovs_be32 src, dst;

        memcpy(&src, key->nw_src, 4);
        memcpy(&dst, key->nw_dst, 4);
        len = nic_rss_input_ipv4(buf, src, dst,
                                 ports ? &key->tp_src : NULL,
                                 ports ? &key->tp_dst : NULL);
    } else if (key->dl_type == htons(ETH_TYPE_IPV6)) {
        len = nic_rss_input_ipv6(buf, key->nw_src, key->nw_dst,
                                 ports ? &key->tp_src : NULL,
                                 ports ? &key->tp_dst : NULL);
    }
    if (!len) {
        return 0;
    }
    return nic_rss_queue(&p->rss, nic_rss_toeplitz(p->rss.key,
                                                   NIC_RSS_KEY_LEN, buf,
                                                   len)) % p->n_rxq;
}

/* Counts a packet of 'key' to the host in 'p''s heavy hitters. */
static void
nicsim_count_host_flow(struct nicsim_port *p, const struct nic_flow_key *key,
                       uint32_t size)
    OVS_REQUIRES(p->io_mutex)
{
    struct nic_host_flow *min = NULL;

    if ((key->nw_proto != IPPROTO_TCP && key->nw_proto != IPPROTO_UDP)
        || (key->dl_type != htons(ETH_TYPE_IP)
            && key->dl_type != htons(ETH_TYPE_IPV6))
        || key->nw_frag & NIC_FRAG_LATER) {
        return;
    }
    for (size_t i = 0; i < p->n_host_flows; i++) {
        struct nic_host_flow *f = &p->host_flows[i];

        if (f->tp_src == key->tp_src && f->tp_dst == key->tp_dst
            && f->nw_proto == key->nw_proto && f->dl_type == key->dl_type
            && eth_addr_equals(f->dl_dst, key->dl_dst)
            && !memcmp(f->nw_src, key->nw_src, sizeof f->nw_src)
            && !memcmp(f->nw_dst, key->nw_dst, sizeof f->nw_dst)) {
            f->n_packets++;
            f->n_bytes += size;
            return;
        }
        if (!min || f->n_packets < min->n_packets) {
            min = f;
        }
    }
    if (p->n_host_flows < NICSIM_HOST_FLOWS) {
        min = &p->host_flows[p->n_host_flows++];
        min->n_packets = min->n_bytes = 0;
    }
    /* A newcomer inherits the evicted entry's count, as space saving
     * does, so that it can stay only if it keeps up. */
    min->dl_dst = key->dl_dst;
    min->dl_type = key->dl_type;
    min->nw_proto = key->nw_proto;
    memcpy(min->nw_src, key->nw_src, sizeof min->nw_src);
    memcpy(min->nw_dst, key->nw_dst, sizeof min->nw_dst);
    min->tp_src = key->tp_src;
    min->tp_dst = key->tp_dst;
    min->seq = ++p->host_flow_seq;
    min->n_packets++;
    min->n_bytes += size;
}

/* Direct data placement. */

static bool
nicsim_placement_on(const struct nicsim *ns_)
{
    struct nicsim *ns = CONST_CAST(struct nicsim *, ns_);
    bool on;

    atomic_read_relaxed(&ns->placement_on, &on);
    return on;
}

/* Whether the TCP segment at 'ofs' in 'frame' has a right checksum, as a
 * NIC's receive checksum offload tells. */
static bool
nicsim_tcp_csum_ok(const uint8_t *frame, const struct nic_parse_offsets *ofs,
                   bool is_ipv6)
{
    const uint8_t *tcp = frame + ofs->l4;
    uint16_t len = ofs->l3_end - ofs->l4;

    if (is_ipv6) {
        return !packet_csum_upperlayer6(
            ALIGNED_CAST(const struct ovs_16aligned_ip6_hdr *,
                         frame + ofs->l3), tcp, IPPROTO_TCP, len);
    } else {
        const struct ip_header *ip
            = ALIGNED_CAST(const struct ip_header *, frame + ofs->l3);
        uint32_t partial = 0;

        partial = csum_add32(partial, get_16aligned_be32(&ip->ip_src));
        partial = csum_add32(partial, get_16aligned_be32(&ip->ip_dst));
        partial = csum_add16(partial, htons(IPPROTO_TCP));
        partial = csum_add16(partial, htons(len));
        return !csum_finish(csum_continue(partial, tcp, len));
    }
}

/* Offers 'pkt', on its way to 'port' (a VF, or NIC_PLACEMENT_HOST), to
 * the placement table.  The packet itself is not changed: it is delivered
 * whatever the table decides. */
static void
nicsim_place(struct nicsim *ns, uint32_t port, const struct dp_packet *pkt)
{
    const uint8_t *frame = dp_packet_data(pkt);
    size_t len = dp_packet_size(pkt);
    struct nicsim_placement_seg seg;
    struct nic_parse_offsets ofs;
    struct nic_flow_key key;
    const uint8_t *tcp;
    ovs_be32 seq;
    size_t doff;

    if (!nicsim_placement_on(ns) || !nicsim_placement_active(ns->placement)
        || len > NIC_MAX_FRAME
        || nic_parse(frame, len, port, &key, &ofs) != NIC_PARSE_OK
        || key.nw_proto != IPPROTO_TCP || key.nw_frag || key.tun_type
        || (key.dl_type != htons(ETH_TYPE_IP)
            && key.dl_type != htons(ETH_TYPE_IPV6))
        || ofs.l4 == UINT16_MAX || ofs.l3_end > len
        || ofs.l4 + 20 > ofs.l3_end) {
        return;
    }
    tcp = frame + ofs.l4;
    doff = (tcp[12] >> 4) * 4;
    if (doff < 20 || ofs.l4 + doff > ofs.l3_end) {
        return;
    }
    memset(&seg, 0, sizeof seg);
    seg.tuple.is_ipv6 = key.dl_type == htons(ETH_TYPE_IPV6);
    memcpy(seg.tuple.local, key.nw_dst, seg.tuple.is_ipv6 ? 16 : 4);
    memcpy(seg.tuple.remote, key.nw_src, seg.tuple.is_ipv6 ? 16 : 4);
    seg.tuple.local_port = key.tp_dst;
    seg.tuple.remote_port = key.tp_src;
    seg.port = port;
    memcpy(&seq, tcp + 4, sizeof seq);
    seg.seq = ntohl(seq);
    seg.tcp_flags = tcp[13];
    seg.payload = tcp + doff;
    seg.len = ofs.l3_end - ofs.l4 - doff;
    seg.bad_checksum = !nicsim_tcp_csum_ok(frame, &ofs, seg.tuple.is_ipv6);
    nicsim_placement_segment(ns->placement, &seg, NULL);
}

/* Learns the addresses a VF sends from, which are the only local
 * addresses it may register connections of. */
static void
nicsim_placement_learn_key(struct nicsim *ns, const struct nicsim_port *p,
                           const struct nic_flow_key *key)
{
    uint8_t addr[16] = { 0 };
    bool v6 = key->dl_type == htons(ETH_TYPE_IPV6);

    if (v6 || key->dl_type == htons(ETH_TYPE_IP)
        || key->dl_type == htons(ETH_TYPE_ARP)) {
        memcpy(addr, key->nw_src, v6 ? 16 : 4);
        nicsim_placement_learn(ns->placement, p->port_no, addr, v6);
    }
}

/* Gives 'pkt' to the host on port 'p'.  Returns 0, or the drop reason (the
 * packet is then deleted).  A frame the NIC answers 'pkt' with instead
 * (a SYN guard challenge) is in '*replyp', for the caller to send out of
 * 'p'; else NULL. */
static int
nicsim_enqueue_host(struct nicsim_port *p, struct dp_packet *pkt,
                    const struct nic_flow_key *key, uint32_t queue,
                    uint32_t mark, struct dp_packet **replyp)
{
    int reason = 0;

    *replyp = NULL;

    nicsim_place(p->ns, NIC_PLACEMENT_HOST, pkt);
    ovs_mutex_lock(&p->io_mutex);
    if (!p->attached || !p->n_rxq) {
        reason = NIC_DROP_NO_REPRESENTOR;
    } else {
        struct nicsim_rxq *rxq;
        bool was_empty;

        nicsim_count_host_flow(p, key, dp_packet_size(pkt));
        if (queue >= p->n_rxq) {
            queue = nicsim_select_queue(p, key, dp_packet_size(pkt));
        }
        rxq = &p->rxqs[queue];
        if (mark) {
            dp_packet_set_flow_mark(pkt, mark);
        }
        if (p->classes) {
            /* Counted as to the host now; the scheduler delivers it. */
            reason = nicsim_classes_enqueue(p->classes, pkt, key, queue,
                                            time_msec() * 1000000ULL,
                                            replyp);
            if (!reason) {
                atomic_store_relaxed(&p->classes_backlog, true);
                atomic_store_relaxed(&p->dma_kick, true);
            }
        } else if (nicsim_dma_post(&rxq->dma, pkt, &was_empty)) {
            nicsim_counter_add(&rxq->packets, 1);
            atomic_store_relaxed(&p->dma_kick, true);
            if (was_empty) {
                latch_set(&rxq->latch);
            }
        } else {
            nicsim_counter_add(&rxq->drops, 1);
            reason = NIC_DROP_HOST_QUEUE_FULL;
        }
    }
    ovs_mutex_unlock(&p->io_mutex);
    if (reason) {
        dp_packet_delete(pkt);
    }
    return reason;
}

/* Frames the pipeline forwards are held per output port until the end of
 * a chunk, so that a medium sends them with one system call. */
#define NICSIM_TX_PORTS 4

struct nicsim_txq {
    struct nicsim_port *port;
    int n;
    struct dp_packet *pkts[NICSIM_BATCH];
};

struct nicsim_txbatch {
    size_t n_ports;
    struct nicsim_txq q[NICSIM_TX_PORTS];
};

static void
nicsim_txq_flush(struct nicsim_txq *q)
{
    struct nicsim_port *p = q->port;
    uint64_t bytes;

    if (!q->n) {
        return;
    }
    ovs_mutex_lock(&p->io_mutex);
    if (p->medium) {
        int sent = nic_medium_send_batch(p->medium, q->pkts, q->n, &bytes);

        nicsim_counter_add(&p->c.tx_packets, sent);
        nicsim_counter_add(&p->c.tx_bytes, bytes);
        nicsim_counter_add(&p->c.tx_errors, q->n - sent);
    } else {
        /* Detached since the frames were queued. */
        nicsim_counter_add(&p->c.tx_errors, q->n);
    }
    ovs_mutex_unlock(&p->io_mutex);
    /* Sent frames are copies on the wire: their buffers go back to the
     * engine thread's pool, for the next frames received. */
    nic_pktpool_free_batch(q->pkts, q->n);
    q->n = 0;
}

static void
nicsim_tx_flush(struct nicsim_txbatch *b)
{
    for (size_t i = 0; i < b->n_ports; i++) {
        nicsim_txq_flush(&b->q[i]);
    }
    b->n_ports = 0;
}

/* Queues 'pkt' for 'p''s medium, taking ownership.  Returns false, with
 * the packet deleted, if the port has no medium.  The port's attachment is
 * checked once per batch of a port, not per packet: the mutex costs more
 * than the rest of forwarding, and a detach after the check is caught by
 * the flush (tx_errors), as it was before. */
static bool
nicsim_tx_enqueue(struct nicsim_txbatch *b, struct nicsim_port *p,
                  struct dp_packet *pkt)
{
    struct nicsim_txq *q = NULL;

    for (size_t i = 0; i < b->n_ports; i++) {
        if (b->q[i].port == p) {
            q = &b->q[i];
            break;
        }
    }
    if (!q) {
        bool attached;

        ovs_mutex_lock(&p->io_mutex);
        attached = p->medium != NULL;
        ovs_mutex_unlock(&p->io_mutex);
        if (!attached) {
            dp_packet_delete(pkt);
            return false;
        }
        if (b->n_ports == NICSIM_TX_PORTS) {
            nicsim_tx_flush(b);
        }
        q = &b->q[b->n_ports++];
        q->port = p;
        q->n = 0;
    } else if (q->n == NICSIM_BATCH) {
        nicsim_txq_flush(q);
    }
    if (nic_port_is_vf(p->port_no)) {
        /* Every frame to a VF passes here, from the wire, another VF or
         * the host's switch. */
        nicsim_place(p->ns, p->port_no, pkt);
    }
    q->pkts[q->n++] = pkt;
    return true;
}

/* The pipeline. */

struct nicsim_exec {
    struct nic_exec_ctx ctx;
    struct nicsim *ns;
    struct nicsim_port *in;
    const struct nic_flow_key *key;
    int n_sent, n_host, n_no_port;
    int host_drop;                  /* Drop reason of a failed to-host. */
    struct nic_sample *sample;      /* Non-null if this packet is kept. */
    struct nicsim_txbatch *tx;      /* Where forwarded frames wait. */
    bool decapsulated;              /* After NIC_ACT_TNL_POP took it. */
    const struct nic_rule *rule;    /* The rule that matched. */
};

static void
nicsim_exec_output(struct nic_exec_ctx *ctx, struct dp_packet *pkt,
                   bool to_host, uint32_t port, uint32_t queue,
                   uint32_t mark)
{
    struct nicsim_exec *x = CONTAINER_OF(ctx, struct nicsim_exec, ctx);

    if (x->sample) {
        struct nic_sample *s = x->sample;

        if (s->n_outputs < NIC_SAMPLE_MAX_OUTPUTS) {
            s->outputs[s->n_outputs] = (struct nic_sample_output) {
                .port = port, .to_host = to_host,
                .pkt = dp_packet_clone(pkt),
            };
        }
        s->n_outputs++;
    }
    if (to_host) {
        struct dp_packet *reply;
        int reason = nicsim_enqueue_host(x->in, pkt, x->key, queue, mark,
                                         &reply);

        if (reason) {
            x->host_drop = reason;
        } else {
            x->n_host++;
        }
        if (reply) {
            /* Sent with the chunk's other frames to that port. */
            nicsim_tx_enqueue(x->tx, x->in, reply);
        }
    } else {
        struct nicsim_port *out = nicsim_port(x->ns, port);

        if (out && nicsim_tx_enqueue(x->tx, out, pkt)) {
            x->n_sent++;
        } else {
            if (!out) {
                dp_packet_delete(pkt);
            }
            x->n_no_port++;
        }
    }
}

static void nicsim_rule_count(const struct nic_rule *, uint64_t packets,
                              uint64_t bytes);

static bool
nicsim_actions_tnl_pop(const struct nic_rule_actions *acts)
{
    for (size_t i = 1; i < acts->n; i++) {
        if (acts->acts[i].type == NIC_ACT_TNL_POP) {
            return true;
        }
    }
    return acts->n && acts->acts[0].type == NIC_ACT_TNL_POP;
}

static void
nicsim_learn(struct nicsim *ns, const struct nic_flow_key *outer,
             const struct nic_flow_key *inner)
{
    struct in6_addr remote;

    in6_addr_set_mapped_ipv4(&remote, inner->tun_src);
    nic_learn_observe(&ns->learned, &inner->dl_src, outer->tun_type,
                      outer->tun_vni, &remote, time_msec());
}

/* NIC_ACT_TNL_POP: the second lookup, of the frame decapsulated as OVS's
 * tnl_pop would, as arriving on 'tunnel_port'.  Only a rule that acts on
 * its own takes it: one that marks or sends to the host would hand the
 * host a decapsulated frame without its tunnel metadata, so the packet
 * then goes on unchanged (to the host, for the decapsulating flow). */
static bool
nicsim_exec_tnl_pop(struct nic_exec_ctx *ctx, struct dp_packet *pkt,
                    uint32_t tunnel_port, const struct nic_flow_key *key,
                    const struct nic_parse_offsets *ofs)
{
    struct nicsim_exec *x = CONTAINER_OF(ctx, struct nicsim_exec, ctx);
    const struct nic_rule_actions *acts;
    struct nic_parse_offsets inner_ofs;
    struct nic_flow_key inner;
    const struct nic_rule *rule;
    size_t at;

    if (x->decapsulated) {
        return false;
    }
    at = nic_parse_decap(dp_packet_data(pkt), dp_packet_size(pkt), key, ofs,
                         tunnel_port, &inner, &inner_ofs);
    if (!at) {
        return false;
    }
    /* A frame the NIC would decapsulate tells where its inner source
     * lives, whether or not a rule then forwards it. */
    nicsim_learn(x->ns, key, &inner);
    nic_tables_lookup_batch(&x->ns->tables, &inner, 1, &rule);
    if (!rule) {
        return false;
    }
    acts = nic_rule_get_actions(rule);
    for (size_t i = 0; i < acts->n; i++) {
        enum nic_action_type t = acts->acts[i].type;

        if (t == NIC_ACT_TO_HOST || t == NIC_ACT_MARK
            || t == NIC_ACT_TNL_POP) {
            return false;
        }
    }
    /* The tnl_pop rule counts the packets it decapsulated, the others
     * reach the host for its flow, which counts them there. */
    nicsim_rule_count(x->rule, 1, dp_packet_size(pkt));
    nicsim_rule_count(rule, 1, dp_packet_size(pkt) - at);
    dp_packet_pull(pkt, at);
    x->decapsulated = true;
    nic_actions_execute(pkt, tunnel_port, acts->acts, acts->n, ctx);
    return true;
}

static void
nicsim_to_host(struct nicsim_port *p, struct dp_packet *pkt,
               const struct nic_flow_key *key, enum nic_host_reason why,
               struct nicsim_txbatch *tx)
{
    struct dp_packet *reply;
    int reason = nicsim_enqueue_host(p, pkt, key, UINT32_MAX, 0, &reply);

    if (reason) {
        nicsim_counter_add(&p->c.drop[reason], 1);
    } else {
        nicsim_counter_add(&p->c.host[why], 1);
    }
    if (reply) {
        nicsim_tx_enqueue(tx, p, reply);
    }
}

/* Returns a sample to fill in for 'pkt', or NULL if it is not sampled. */
static struct nic_sample *
nicsim_sample_begin(struct nicsim *ns, const struct nicsim_port *p,
                    const struct nic_rule *rule, const struct dp_packet *pkt)
{
    uint32_t every;
    uint64_t seq;

    atomic_read_relaxed(&ns->sample_every, &every);
    if (OVS_LIKELY(!every)) {
        return NULL;
    }
    atomic_add_relaxed(&ns->sample_seq, 1, &seq);
    if (seq % every) {
        return NULL;
    }

    struct nic_sample *s = xzalloc(sizeof *s);
    s->in_port = p->port_no;
    s->cookie = rule->cookie;
    s->pkt = dp_packet_clone(pkt);
    return s;
}

static void
nicsim_sample_end(struct nicsim *ns, struct nic_sample *s)
{
    bool kept = false;

    ovs_mutex_lock(&ns->sample_mutex);
    if (ns->n_samples < ns->max_samples) {
        ns->samples[ns->n_samples++] = *s;
        kept = true;
        if (ns->n_samples == ns->max_samples) {
            atomic_store_relaxed(&ns->sample_every, 0);
        }
    }
    ovs_mutex_unlock(&ns->sample_mutex);
    if (kept) {
        free(s);
    } else {
        nic_samples_free(s, 1);
    }
}

static int
nicsim_sample_start(struct nic *nic, uint32_t every, size_t max)
{
    struct nicsim *ns = nicsim_cast(nic);

    if (!every || !max || max > 100000) {
        return EINVAL;
    }
    ovs_mutex_lock(&ns->sample_mutex);
    nic_samples_free(ns->samples, ns->n_samples);
    ns->samples = xcalloc(max, sizeof *ns->samples);
    ns->n_samples = 0;
    ns->max_samples = max;
    atomic_store_relaxed(&ns->sample_seq, 0);
    atomic_store_relaxed(&ns->sample_every, every);
    ovs_mutex_unlock(&ns->sample_mutex);
    return 0;
}

static size_t
nicsim_sample_count(struct nic *nic)
{
    struct nicsim *ns = nicsim_cast(nic);
    size_t n;

    ovs_mutex_lock(&ns->sample_mutex);
    n = ns->n_samples;
    ovs_mutex_unlock(&ns->sample_mutex);
    return n;
}

static size_t
nicsim_sample_stop(struct nic *nic, struct nic_sample **samples)
{
    struct nicsim *ns = nicsim_cast(nic);
    size_t n;

    atomic_store_relaxed(&ns->sample_every, 0);
    ovs_mutex_lock(&ns->sample_mutex);
    *samples = ns->samples;
    n = ns->n_samples;
    ns->samples = NULL;
    ns->n_samples = ns->max_samples = 0;
    ovs_mutex_unlock(&ns->sample_mutex);
    return n;
}

static void
nicsim_rule_count(const struct nic_rule *rule, uint64_t packets,
                  uint64_t bytes)
{
    if (rule) {
        struct nic_rule *r = CONST_CAST(struct nic_rule *, rule);

        nicsim_counter_add(&r->n_packets, packets);
        nicsim_counter_add(&r->n_bytes, bytes);
    }
}

/* Sealed destinations. */

/* The drop reason of each failed token result. */
static const enum nic_drop_reason nicsim_token_drops[] = {
    [OFFLOAD_TOKEN_MALFORMED] = NIC_DROP_TOKEN_MALFORMED,
    [OFFLOAD_TOKEN_UNKNOWN_KEY] = NIC_DROP_TOKEN_UNKNOWN_KEY,
    [OFFLOAD_TOKEN_BAD_TAG] = NIC_DROP_TOKEN_BAD_TAG,
    [OFFLOAD_TOKEN_WRONG_VF] = NIC_DROP_TOKEN_WRONG_VF,
    [OFFLOAD_TOKEN_EXPIRED] = NIC_DROP_TOKEN_EXPIRED,
    [OFFLOAD_TOKEN_WRONG_DST] = NIC_DROP_TOKEN_WRONG_DST,
};
BUILD_ASSERT_DECL(OFFLOAD_TOKEN_VXLAN == NIC_TUNNEL_VXLAN);
BUILD_ASSERT_DECL(OFFLOAD_TOKEN_GENEVE == NIC_TUNNEL_GENEVE);

/* OVS's default range of tunnel UDP source ports. */
#define NICSIM_TOKEN_SPORT_MIN 32768
#define NICSIM_TOKEN_SPORT_MAX 61000

/* Fills in 'a' with the encapsulation toward 't''s remote host from 'u',
 * in the form OVS's tnl_push headers have (IPv4 checksum for a zero
 * length, UDP checksum asked for over IPv6), so that the NIC fills in
 * lengths, checksums and the UDP source port as it does for OVS's
 * tunnels.  Returns false if 'u' has no source of the remote's family. */
static bool
nicsim_token_encap(const struct nic_token_underlay *u,
                   const struct offload_token *t, struct nic_action *a)
{
    bool v4 = IN6_IS_ADDR_V4MAPPED(&t->remote);
    uint8_t *h = a->encap.hdr;
    size_t l4;

    if (v4 ? !u->ip4 : ipv6_addr_equals(&u->ip6, &in6addr_any)) {
        return false;
    }
    memset(a, 0, sizeof *a);
    a->type = NIC_ACT_ENCAP;
    a->encap.type = t->tun_type;
    a->encap.flags = NIC_ENCAP_F_OVS;
    a->encap.vlan_limit = 1;
    a->encap.sport_min = NICSIM_TOKEN_SPORT_MIN;
    a->encap.sport_max = NICSIM_TOKEN_SPORT_MAX;

    memcpy(h, &u->nexthop, ETH_ADDR_LEN);
    memcpy(h + 6, &u->mac, ETH_ADDR_LEN);
    if (v4) {
        uint8_t *ip = h + ETH_HEADER_LEN;
        ovs_be16 sum;

        h[12] = 0x08;
        h[13] = 0x00;
        ip[0] = 0x45;
        ip[6] = 0x40;                       /* DF, as OVS's default. */
        ip[8] = u->ttl;
        ip[9] = IPPROTO_UDP;
        memcpy(ip + 12, &u->ip4, 4);
        memcpy(ip + 16, &t->remote.s6_addr[12], 4);
        sum = csum(ip, IP_HEADER_LEN);
        memcpy(ip + 10, &sum, 2);
        l4 = ETH_HEADER_LEN + IP_HEADER_LEN;
    } else {
        uint8_t *ip = h + ETH_HEADER_LEN;

        h[12] = 0x86;
        h[13] = 0xdd;
        ip[0] = 0x60;
        ip[6] = IPPROTO_UDP;
        ip[7] = u->ttl;
        memcpy(ip + 8, &u->ip6, 16);
        memcpy(ip + 24, &t->remote, 16);
        l4 = ETH_HEADER_LEN + IPV6_HEADER_LEN;
        h[l4 + 6] = 0xff;                   /* Checksum wanted. */
        h[l4 + 7] = 0xff;
    }
    uint16_t dport = (t->tun_type == OFFLOAD_TOKEN_VXLAN
                      ? u->vxlan_port : u->geneve_port);
    h[l4 + 2] = dport >> 8;
    h[l4 + 3] = dport;
    if (t->tun_type == OFFLOAD_TOKEN_VXLAN) {
        h[l4 + 8] = 0x08;                   /* VNI present. */
    } else {
        h[l4 + 10] = 0x65;                  /* Transparent Ethernet. */
        h[l4 + 11] = 0x58;
    }
    h[l4 + 12] = t->vni >> 16;
    h[l4 + 13] = t->vni >> 8;
    h[l4 + 14] = t->vni;
    a->encap.len = l4 + UDP_HEADER_LEN + 8;
    return true;
}

/* A token frame 'pkt' from VF 'p': opens it and tunnels its inner frame
 * out of the underlay's uplink.  Takes 'pkt'.  Returns 0 if it was
 * forwarded, otherwise the drop reason. */
static int
nicsim_token_frame(struct nicsim *ns, struct nicsim_port *p,
                   struct dp_packet *pkt, const struct nic_token_underlay *u,
                   struct nicsim_txbatch *tx)
{
    struct nic_action acts[2];
    enum offload_token_result r;
    struct offload_token t;
    struct nicsim_exec x;
    size_t ofs;

    r = offload_token_frame_open(&ns->token_keys, dp_packet_data(pkt),
                                 dp_packet_size(pkt),
                                 p->port_no - NIC_PORT_VF_BASE, time_wall(),
                                 &t, &ofs);
    nicsim_counter_add(&ns->token_results[r], 1);
    if (r != OFFLOAD_TOKEN_OK) {
        nic_pktpool_free(pkt);
        return nicsim_token_drops[r];
    }
    if (!nicsim_token_encap(u, &t, &acts[0])) {
        nic_pktpool_free(pkt);
        return NIC_DROP_TOKEN_NO_UNDERLAY;
    }
    acts[1].type = NIC_ACT_OUTPUT;
    acts[1].port = u->uplink;
    dp_packet_pull(pkt, ofs);

    memset(&x, 0, sizeof x);
    x.ctx.output = nicsim_exec_output;
    x.ns = ns;
    x.in = p;
    x.tx = tx;
    nic_actions_execute(pkt, p->port_no, acts, ARRAY_SIZE(acts), &x.ctx);
    return (x.ctx.malformed ? NIC_DROP_ACTION
            : x.n_sent ? 0
            : NIC_DROP_NO_PORT);
}

static void
nicsim_process_chunk(struct nicsim *ns, struct nicsim_port *p,
                     struct dp_packet **pkts, size_t n)
{
    struct nic_flow_key keys[NICSIM_BATCH];
    struct dp_packet *valid[NICSIM_BATCH];
    const struct nic_rule *rules[NICSIM_BATCH];
    struct nic_parse_offsets ofs;
    struct nicsim_txbatch tx = { .n_ports = 0 };
    /* Outcomes are counted here and folded into the port's totals once a
     * chunk: an atomic add per packet costs more than the lookup. */
    uint64_t drops[NIC_N_DROP_REASONS] = { 0 };
    uint64_t n_fwd = 0, n_rule_host = 0;
    const struct nic_rule *run_rule = NULL;
    uint64_t run_packets = 0, run_bytes = 0;
    uint64_t bytes = 0;
    size_t n_valid = 0;
    uint32_t sample_every;
    /* Token frames are the NIC's own on a VF, once it has an underlay. */
    const struct nic_token_underlay *token_u
        = (nic_port_is_vf(p->port_no)
           ? ovsrcu_get(struct nic_token_underlay *, &ns->token_underlay)
           : NULL);

    for (size_t i = 0; i < n; i++) {
        struct dp_packet *pkt = pkts[i];
        enum nic_parse_status st;

        bytes += dp_packet_size(pkt);
        if (dp_packet_size(pkt) > NIC_MAX_FRAME) {
            /* No medium delivers such a frame, but nicsim_process() is
             * public: never let the parser see one. */
            drops[NIC_DROP_OVERSIZE]++;
            dp_packet_delete(pkt);
            continue;
        }
        st = nic_parse(dp_packet_data(pkt), dp_packet_size(pkt), p->port_no,
                       &keys[n_valid], &ofs);
        if (OVS_UNLIKELY(token_u) && st != NIC_PARSE_RUNT
            && keys[n_valid].dl_type == htons(OFFLOAD_TOKEN_ETHERTYPE)) {
            int reason = nicsim_token_frame(ns, p, pkt, token_u, &tx);

            if (reason) {
                drops[reason]++;
            } else {
                n_fwd++;
            }
        } else if (st == NIC_PARSE_RUNT) {
            drops[NIC_DROP_RUNT]++;
            dp_packet_delete(pkt);
        } else if (st != NIC_PARSE_OK) {
            nicsim_to_host(p, pkt, &keys[n_valid], NIC_HOST_PARSE, &tx);
        } else {
            if (nic_port_is_vf(p->port_no) && nicsim_placement_on(ns)) {
                nicsim_placement_learn_key(ns, p, &keys[n_valid]);
            }
            valid[n_valid++] = pkt;
        }
    }
    nic_tables_lookup_batch(&ns->tables, keys, n_valid, rules);
    /* Read once a chunk: while nothing is sampled, rules whose only
     * action is an output or a drop skip the action interpreter. */
    atomic_read_relaxed(&ns->sample_every, &sample_every);
    for (size_t i = 0; i < n_valid; i++) {
        const struct nic_rule *rule = rules[i];
        const struct nic_rule_actions *acts;
        enum nic_rule_fast fast;
        struct nicsim_exec x;
        uint32_t fast_port;

        if (!rule) {
            nicsim_to_host(p, valid[i], &keys[i], NIC_HOST_MISS, &tx);
            continue;
        }
        /* Read once: the actions in short, then only if they do not
         * tell, the actions themselves (a miss at a million rules). */
        fast = nic_rule_get_fast(rule, &fast_port);
        acts = fast ? NULL : nic_rule_get_actions(rule);
        /* A rule's hits in a row (a burst of one flow) are counted
         * with one add; a tnl_pop rule's by nicsim_exec_tnl_pop(). */
        if (fast || !nicsim_actions_tnl_pop(acts)) {
            if (rule != run_rule) {
                nicsim_rule_count(run_rule, run_packets, run_bytes);
                run_rule = rule;
                run_packets = run_bytes = 0;
            }
            run_packets++;
            run_bytes += dp_packet_size(valid[i]);
        }

        if (!sample_every && fast == NIC_RULE_FAST_OUTPUT) {
            /* What nic_actions_execute() and nicsim_exec_output() do for
             * these two, with the same outcome counted. */
            struct nicsim_port *out = nicsim_port(ns, fast_port);

            if (out && nicsim_tx_enqueue(&tx, out, valid[i])) {
                n_fwd++;
            } else {
                if (!out) {
                    nic_pktpool_free(valid[i]);
                }
                drops[NIC_DROP_NO_PORT]++;
            }
            continue;
        } else if (!sample_every && fast == NIC_RULE_FAST_DROP) {
            nic_pktpool_free(valid[i]);
            drops[NIC_DROP_RULE]++;
            continue;
        } else if (!acts) {
            /* Sampled: the interpreter runs. */
            acts = nic_rule_get_actions(rule);
        }

        memset(&x, 0, sizeof x);
        x.ctx.output = nicsim_exec_output;
        x.ctx.tnl_pop = nicsim_exec_tnl_pop;
        x.rule = rule;
        x.ns = ns;
        x.in = p;
        x.key = &keys[i];
        x.sample = nicsim_sample_begin(ns, p, rule, valid[i]);
        x.tx = &tx;
        nic_actions_execute(valid[i], p->port_no, acts->acts, acts->n,
                            &x.ctx);
        if (x.sample) {
            x.sample->dropped = x.ctx.dropped;
            nicsim_sample_end(ns, x.sample);
        }

        /* Exactly one outcome per received packet. */
        if (x.ctx.malformed) {
            drops[NIC_DROP_ACTION]++;
        } else if (x.n_sent) {
            n_fwd++;
        } else if (x.n_host) {
            n_rule_host++;
        } else if (x.host_drop) {
            drops[x.host_drop]++;
        } else if (x.n_no_port) {
            drops[NIC_DROP_NO_PORT]++;
        } else {
            drops[NIC_DROP_RULE]++;
        }
    }
    nicsim_rule_count(run_rule, run_packets, run_bytes);
    nicsim_tx_flush(&tx);

    /* Outcomes before receptions: whoever sees a packet counted as
     * received sees its outcome too (conservation, read at any time,
     * never comes up short). */
    if (n_fwd) {
        nicsim_counter_add(&p->c.fwd_packets, n_fwd);
    }
    if (n_rule_host) {
        nicsim_counter_add(&p->c.host[NIC_HOST_RULE], n_rule_host);
    }
    for (int r = 0; r < NIC_N_DROP_REASONS; r++) {
        if (drops[r]) {
            nicsim_counter_add(&p->c.drop[r], drops[r]);
        }
    }
    atomic_thread_fence(memory_order_release);
    nicsim_counter_add(&p->c.rx_packets, n);
    nicsim_counter_add(&p->c.rx_bytes, bytes);
}

/* Moves what the class rings of 'p' hold into the DMA rings of their
 * queues, by the scheduler, as far as the DMA rings have room: the host
 * taking packets is what lets the next class's packets in.  Returns the
 * number moved. */
static size_t
nicsim_classes_deliver_all(struct nicsim_port *p)
    OVS_REQUIRES(p->io_mutex)
{
    size_t moved = 0;

    if (!p->classes) {
        return 0;
    }
    for (uint32_t q = 0; q < p->n_rxq; q++) {
        struct nicsim_rxq *rxq = &p->rxqs[q];
        uint32_t room = nicsim_dma_room(&rxq->dma);

        while (room && nicsim_classes_backlog(p->classes, q)) {
            struct dp_packet *pkts[NICSIM_BATCH];
            size_t n = nicsim_classes_deliver(p->classes, q, pkts,
                                              MIN(room, NICSIM_BATCH));
            for (size_t i = 0; i < n; i++) {
                bool was_empty;

                /* Room was checked and only this thread posts. */
                ovs_assert(nicsim_dma_post(&rxq->dma, pkts[i], &was_empty));
                nicsim_counter_add(&rxq->packets, 1);
                if (was_empty) {
                    latch_set(&rxq->latch);
                }
            }
            room -= n;
            moved += n;
        }
    }
    atomic_store_relaxed(&p->classes_backlog,
                         nicsim_classes_total_backlog(p->classes) > 0);
    return moved;
}

/* The DMA engine, as a stage that follows each batch: copies what the
 * batch posted to 'p''s receive queues into host buffers and completes
 * it.  Until then the host sees the descriptors but may not take the
 * packets. */
static void
nicsim_dma_stage(struct nicsim_port *p)
{
    bool kick;

    atomic_read_relaxed(&p->dma_kick, &kick);
    if (!kick) {
        return;
    }
    ovs_mutex_lock(&p->io_mutex);
    atomic_store_relaxed(&p->dma_kick, false);
    nicsim_classes_deliver_all(p);
    for (uint32_t q = 0; q < p->n_rxq; q++) {
        nicsim_dma_run(&p->rxqs[q].dma, SIZE_MAX);
    }
    ovs_mutex_unlock(&p->io_mutex);
}

void
nicsim_process(struct nic *nic, uint32_t port_no, struct dp_packet **pkts,
               size_t n)
{
    struct nicsim *ns = nicsim_cast(nic);
    struct nicsim_port *p = nicsim_port(ns, port_no);

    if (!p) {
        for (size_t i = 0; i < n; i++) {
            dp_packet_delete(pkts[i]);
        }
        return;
    }
    for (size_t i = 0; i < n; i += NICSIM_BATCH) {
        nicsim_process_chunk(ns, p, pkts + i, MIN(NICSIM_BATCH, n - i));
    }
    nicsim_dma_stage(p);
}

/* Engine threads. */

/* Serves one port once; returns the number of packets handled. */
static int
nicsim_engine_run_port(struct nicsim *ns, struct nicsim_port *p)
{
    struct dp_packet *pkts[NICSIM_BATCH];
    int n, total = 0;

    n = nicsim_ring_pop(&p->inject, pkts, NICSIM_BATCH, NULL);
    if (n) {
        nicsim_process(&ns->up, p->port_no, pkts, n);
        total += n;
    }

    ovs_mutex_lock(&p->io_mutex);
    n = 0;
    if (p->medium) {
        nic_medium_run(p->medium);
        n = nic_medium_recv(p->medium, pkts, NICSIM_BATCH);
    }
    if (p->classes) {
        nicsim_classes_run(p->classes, time_msec(), ns->up.name, p->port_no);
        if (nicsim_classes_deliver_all(p)) {
            atomic_store_relaxed(&p->dma_kick, true);
            total++;
        }
    }
    ovs_mutex_unlock(&p->io_mutex);
    nicsim_dma_stage(p);
    if (n) {
        nicsim_process(&ns->up, p->port_no, pkts, n);
        total += n;
    }

    n = nicsim_dma_run_out(&p->tx_dma, pkts, NICSIM_BATCH);
    if (n) {
        struct nicsim_txbatch tx = { .n_ports = 0 };

        for (int i = 0; i < n; i++) {
            if (!nicsim_tx_enqueue(&tx, p, pkts[i])) {
                nicsim_counter_add(&p->c.tx_errors, 1);
            }
        }
        nicsim_tx_flush(&tx);
    }
    return total + n;
}

static void *
nicsim_engine_main(void *e_)
{
    struct nicsim_engine *e = e_;
    struct nicsim *ns = e->nic;
    unsigned int n_busy = 0;

    for (;;) {
        uint64_t work = 0;
        bool exit;

        atomic_read(&e->exit, &exit);
        if (exit) {
            break;
        }
        for (size_t i = e->idx; i < ns->n_ports;
             i += ns->config.n_engines) {
            work += nicsim_engine_run_port(ns, &ns->ports[i]);
        }
        if (work) {
            nicsim_counter_add(&e->packets, work);
            nicsim_counter_add(&e->batches, 1);
            if (!(++n_busy % 256)) {
                /* A non-blocking pass through the poll loop quiesces RCU
                 * and tells OVS's timeval that this thread is alive, so
                 * a busy NIC logs no "long poll interval" warnings. */
                poll_immediate_wake();
                poll_block();
            }
            continue;
        }
        for (size_t i = e->idx; i < ns->n_ports;
             i += ns->config.n_engines) {
            struct nicsim_port *p = &ns->ports[i];

            ovs_mutex_lock(&p->io_mutex);
            if (p->medium) {
                nic_medium_wait(p->medium);
            }
            if (p->classes) {
                /* The SYN guard's windows close on time, traffic or
                 * not. */
                poll_timer_wait(NICSIM_CLASSES_TICK_MS);
            }
            ovs_mutex_unlock(&p->io_mutex);
        }
        latch_wait(&e->wake);
        poll_timer_wait(1000);
        poll_block();           /* Also quiesces RCU while asleep. */
        latch_poll(&e->wake);
    }
    return NULL;
}

/* Life cycle. */

static const struct nicsim_config nicsim_default_config = {
    .n_uplinks = NICSIM_DEFAULT_UPLINKS,
    .n_vfs = NICSIM_DEFAULT_VFS,
    .n_engines = 1,
    .exact_capacity = NICSIM_DEFAULT_EXACT,
    .wildcard_capacity = NICSIM_DEFAULT_WILDCARD,
};

static struct nicsim *
nicsim_find__(const char *name)
    OVS_REQUIRES(nicsim_all_mutex)
{
    struct nicsim *ns;

    HMAP_FOR_EACH_WITH_HASH (ns, node, hash_string(name, 0), &nicsim_all) {
        if (!strcmp(ns->up.name, name)) {
            return ns;
        }
    }
    return NULL;
}

static void
nicsim_placement_unmap(void *mem, size_t size, void *aux OVS_UNUSED)
{
    munmap(mem, size);
}

static struct nicsim *
nicsim_create__(const char *name, const struct nicsim_config *cfg)
    OVS_REQUIRES(nicsim_all_mutex)
{
    struct nicsim *ns = xzalloc(sizeof *ns);

    nic_init(&ns->up, &nicsim_class, name);
    ns->refcnt = 1;
    ovs_mutex_init(&ns->mutex);
    ovs_mutex_init(&ns->sample_mutex);
    ns->config = *cfg;
    nic_tables_init(&ns->tables, NULL, cfg->exact_capacity,
                    cfg->wildcard_capacity);

    ns->n_ports = cfg->n_uplinks + cfg->n_vfs;
    ns->ports = xcalloc(ns->n_ports, sizeof *ns->ports);
    for (size_t i = 0; i < ns->n_ports; i++) {
        struct nicsim_port *p = &ns->ports[i];

        p->ns = ns;
        p->port_no = nic_port_by_index(cfg->n_uplinks, i);
        p->engine = i % cfg->n_engines;
        ovs_mutex_init(&p->io_mutex);
        nic_rss_init(&p->rss, 1);
        nicsim_ring_init(&p->inject, NICSIM_RING_SIZE);
        atomic_init(&p->dma_kick, false);
        nicsim_dma_ring_init(&p->tx_dma, NICSIM_RING_SIZE, 0);
    }

    ns->placement = nicsim_placement_create(NULL, nicsim_placement_unmap,
                                            NULL);
    atomic_init(&ns->placement_on, false);
    ovs_mutex_init(&ns->placement_mutex);
    nic_encap_map_init(&ns->encap_map, NIC_ENCAP_MAP_DEFAULT_CAPACITY);
    nic_learn_init(&ns->learned);
    nic_encap_index_init(&ns->encap_rules);
    atomic_init(&ns->encap_map_seq, 0);
    offload_token_keys_init(&ns->token_keys);
    ovs_mutex_init(&ns->token_mutex);
    ovsrcu_init(&ns->token_underlay, NULL);
    for (int r = 0; r < OFFLOAD_TOKEN_N_RESULTS; r++) {
        atomic_init(&ns->token_results[r], 0);
    }

    ns->engines = xcalloc(cfg->n_engines, sizeof *ns->engines);
    for (uint32_t i = 0; i < cfg->n_engines; i++) {
        struct nicsim_engine *e = &ns->engines[i];

        e->nic = ns;
        e->idx = i;
        latch_init(&e->wake);
        atomic_init(&e->exit, false);
        e->thread = ovs_thread_create("nicsim_engine", nicsim_engine_main,
                                      e);
    }
    hmap_insert(&nicsim_all, &ns->node, hash_string(name, 0));
    VLOG_INFO("%s: created with %"PRIu32" uplinks, %"PRIu32" VFs, "
              "%"PRIuSIZE" exact + %"PRIuSIZE" wildcard rules, "
              "%"PRIu32" engine thread(s)", name, cfg->n_uplinks,
              cfg->n_vfs, cfg->exact_capacity, cfg->wildcard_capacity,
              cfg->n_engines);
    return ns;
}

static void
nicsim_join_engines(struct nicsim *ns)
{
    for (uint32_t i = 0; i < ns->config.n_engines; i++) {
        struct nicsim_engine *e = &ns->engines[i];

        if (!e->joined) {
            atomic_store(&e->exit, true);
            latch_set(&e->wake);
            xpthread_join(e->thread, NULL);
            e->joined = true;
        }
    }
}

/* Stops the engine threads of every NIC, for a daemon on its way out: it
 * must come before the bridge closes the ports.  OVS destroys a port with
 * netdev_mutex held, and a fatal signal's hooks (ovs_router_flush()) wait
 * for that mutex while an engine thread, in poll_block(), waits for the
 * hooks: joining the engines there deadlocks when a SIGTERM comes during
 * the exit.  Here nothing holds netdev_mutex. */
void
nicsim_stop_all(void)
{
    struct nicsim *ns;

    ovs_mutex_lock(&nicsim_all_mutex);
    HMAP_FOR_EACH (ns, node, &nicsim_all) {
        nicsim_join_engines(ns);
    }
    ovs_mutex_unlock(&nicsim_all_mutex);
}

static void
nicsim_destroy(struct nicsim *ns)
{
    nicsim_join_engines(ns);
    for (uint32_t i = 0; i < ns->config.n_engines; i++) {
        latch_destroy(&ns->engines[i].wake);
    }
    free(ns->engines);
    /* No engine left to write into the buffers. */
    nicsim_placement_ctl_stop(ns->placement_ctl);
    nicsim_placement_destroy(ns->placement);
    ovs_mutex_destroy(&ns->placement_mutex);
    nic_encap_map_destroy(&ns->encap_map);
    nic_learn_destroy(&ns->learned);
    nic_encap_index_destroy(&ns->encap_rules);
    offload_token_keys_destroy(&ns->token_keys);
    free(ovsrcu_get_protected(struct nic_token_underlay *,
                              &ns->token_underlay));
    ovs_mutex_destroy(&ns->token_mutex);
    for (size_t i = 0; i < ns->n_ports; i++) {
        struct nicsim_port *p = &ns->ports[i];

        ovs_mutex_lock(&p->io_mutex);
        nic_medium_close(p->medium);
        nicsim_port_free_rxqs(p);
        ovs_mutex_unlock(&p->io_mutex);
        nicsim_ring_destroy(&p->inject);
        nicsim_dma_ring_destroy(&p->tx_dma);
        ovs_mutex_destroy(&p->io_mutex);
    }
    free(ns->ports);
    ovs_mutex_lock(&ns->mutex);
    nic_tables_destroy(&ns->tables);
    ovs_mutex_unlock(&ns->mutex);
    ovs_mutex_destroy(&ns->mutex);
    nic_samples_free(ns->samples, ns->n_samples);
    ovs_mutex_destroy(&ns->sample_mutex);
    VLOG_INFO("%s: destroyed", ns->up.name);
    nic_uninit(&ns->up);
    free(ns);
}

int
nicsim_create(const char *name, const struct nicsim_config *cfg,
              struct nic **nicp)
{
    int error = 0;

    if (!cfg->n_uplinks || cfg->n_uplinks > NIC_MAX_UPLINKS
        || cfg->n_vfs > NIC_MAX_VFS || !cfg->n_engines
        || cfg->n_engines > 64) {
        return EINVAL;
    }
    ovs_mutex_lock(&nicsim_all_mutex);
    if (nicsim_find__(name)) {
        error = EEXIST;
    } else {
        *nicp = &nicsim_create__(name, cfg)->up;
    }
    ovs_mutex_unlock(&nicsim_all_mutex);
    return error;
}

static int
nicsim_open(const char *name, struct nic **nicp)
{
    struct nicsim *ns;

    if (!name[0]) {
        return EINVAL;
    }
    ovs_mutex_lock(&nicsim_all_mutex);
    ns = nicsim_find__(name);
    if (ns) {
        ns->refcnt++;
    } else {
        ns = nicsim_create__(name, &nicsim_default_config);
    }
    ovs_mutex_unlock(&nicsim_all_mutex);
    *nicp = &ns->up;
    return 0;
}

static void
nicsim_close(struct nic *nic)
{
    struct nicsim *ns = nicsim_cast(nic);
    bool last;

    ovs_mutex_lock(&nicsim_all_mutex);
    last = !--ns->refcnt;
    if (last) {
        hmap_remove(&nicsim_all, &ns->node);
    }
    ovs_mutex_unlock(&nicsim_all_mutex);
    if (last) {
        nicsim_destroy(ns);
    }
}

struct nic *
nicsim_find(const char *name)
{
    struct nicsim *ns;

    ovs_mutex_lock(&nicsim_all_mutex);
    ns = nicsim_find__(name);
    ovs_mutex_unlock(&nicsim_all_mutex);
    return ns ? &ns->up : NULL;
}

void
nicsim_for_each(void (*cb)(struct nic *, void *aux), void *aux)
{
    struct nicsim **all, *ns;
    size_t n = 0;

    /* The callbacks run without nicsim_all_mutex: they take port locks
     * (e.g. a representor's DMA counters) that other threads hold while
     * they open a NIC, which takes nicsim_all_mutex (a lock-order
     * inversion that hung the daemon).  A reference keeps each NIC. */
    ovs_mutex_lock(&nicsim_all_mutex);
    all = xmalloc(MAX(1, hmap_count(&nicsim_all)) * sizeof *all);
    HMAP_FOR_EACH (ns, node, &nicsim_all) {
        ns->refcnt++;
        all[n++] = ns;
    }
    ovs_mutex_unlock(&nicsim_all_mutex);
    for (size_t i = 0; i < n; i++) {
        cb(&all[i]->up, aux);
    }
    for (size_t i = 0; i < n; i++) {
        nicsim_close(&all[i]->up);
    }
    free(all);
}

static int
nicsim_reset(struct nic *nic)
{
    struct nicsim *ns = nicsim_cast(nic);

    ovs_mutex_lock(&ns->mutex);
    nic_tables_clear(&ns->tables);
    nic_encap_index_clear(&ns->encap_rules);
    ns->fail_inserts = 0;
    ns->n_resets++;
    nic_encap_map_clear(&ns->encap_map);
    atomic_add_relaxed(&ns->encap_map_seq, 1, &(uint64_t) {0});
    ovs_mutex_unlock(&ns->mutex);
    nic_learn_clear(&ns->learned);
    /* Keys are lost as the mappings are; the underlay is the NIC's own
     * configuration and stays. */
    offload_token_keys_clear(&ns->token_keys);

    for (size_t i = 0; i < ns->n_ports; i++) {
        struct nicsim_port *p = &ns->ports[i];

        ovs_mutex_lock(&p->io_mutex);
        for (uint32_t q = 0; q < p->n_rxq; q++) {
            p->flushed += nicsim_dma_flush(&p->rxqs[q].dma, NULL);
            latch_poll(&p->rxqs[q].latch);
        }
        p->flushed += nicsim_classes_destroy(p->classes);
        p->classes = NULL;
        atomic_store_relaxed(&p->classes_backlog, false);
        p->n_filters = 0;
        p->n_host_flows = 0;
        nic_rss_init(&p->rss, p->n_rxq ? p->n_rxq : 1);
        ovs_mutex_unlock(&p->io_mutex);
        /* What the host had handed over but the NIC had not copied out
         * yet; what it had copied was sent. */
        size_t uncopied;

        nicsim_dma_flush(&p->tx_dma, &uncopied);
        nicsim_counter_add(&p->c.tx_errors, uncopied);
    }
    VLOG_WARN("%s: reset: all rules, filters, encapsulation mappings, "
              "sealing keys and queued packets lost",
              nic->name);
    return 0;
}

static void
nicsim_get_caps(const struct nic *nic, struct nic_caps *caps)
{
    struct nicsim *ns = nicsim_cast(nic);

    memset(caps, 0, sizeof *caps);
    caps->n_uplinks = ns->config.n_uplinks;
    caps->n_vfs = ns->config.n_vfs;
    caps->exact_capacity = ns->tables.capacity[NIC_TABLE_EXACT];
    caps->wildcard_capacity = ns->tables.capacity[NIC_TABLE_WILDCARD];
    caps->max_rxq = NIC_MAX_RXQ;
    caps->actions = (1u << NIC_N_ACTIONS) - 1;
    memset(&caps->matchable, 0xff, sizeof caps->matchable);
    caps->matchable.pad1 = 0;
    caps->matchable.pad2 = 0;
    memset(caps->matchable.pad4, 0, sizeof caps->matchable.pad4);
}

static int
nicsim_port_attach(struct nic *nic, const struct nic_port_config *cfg,
                   char **errorp)
{
    struct nicsim *ns = nicsim_cast(nic);
    struct nicsim_port *p = nicsim_port(ns, cfg->port);
    struct nic_medium *medium = NULL;
    int error;

    *errorp = NULL;
    if (!p) {
        *errorp = xasprintf("%s has no such port (it has uplinks 0 to "
                            "%"PRIu32" and VFs 0 to %"PRIu32")", nic->name,
                            ns->config.n_uplinks - 1, ns->config.n_vfs - 1);
        return EINVAL;
    }
    if (!cfg->n_rxq || cfg->n_rxq > NIC_MAX_RXQ) {
        *errorp = xasprintf("n_rxq must be between 1 and %d", NIC_MAX_RXQ);
        return EINVAL;
    }
    error = nic_medium_open(cfg->medium ? cfg->medium : "none", &medium,
                            errorp);
    if (error) {
        return error;
    }

    ovs_mutex_lock(&p->io_mutex);
    if (p->attached) {
        ovs_mutex_unlock(&p->io_mutex);
        nic_medium_close(medium);
        *errorp = xasprintf("port is already attached to a representor");
        return EBUSY;
    }
    p->attached = true;
    p->medium = medium;
    p->n_rxq = cfg->n_rxq;
    p->rxqs = xcalloc(cfg->n_rxq, sizeof *p->rxqs);
    for (uint32_t q = 0; q < cfg->n_rxq; q++) {
        nicsim_dma_ring_init(&p->rxqs[q].dma, NICSIM_RING_SIZE,
                             p->dma_base[q]);
        latch_init(&p->rxqs[q].latch);
        atomic_init(&p->rxqs[q].packets, 0);
        atomic_init(&p->rxqs[q].drops, 0);
    }
    nic_rss_init(&p->rss, cfg->n_rxq);
    ovs_mutex_unlock(&p->io_mutex);
    nicsim_wake_engine(ns, p);
    return 0;
}

static void
nicsim_port_detach(struct nic *nic, uint32_t port)
{
    struct nicsim *ns = nicsim_cast(nic);
    struct nicsim_port *p = nicsim_port(ns, port);

    if (!p) {
        return;
    }
    ovs_mutex_lock(&p->io_mutex);
    if (p->attached) {
        struct nic_medium_stats ms;

        nic_medium_get_stats(p->medium, &ms);
        p->rx_errors += ms.rx_errors;
        p->attached = false;
        nic_medium_close(p->medium);
        p->medium = NULL;
        p->flushed += nicsim_port_free_rxqs(p);
        p->n_filters = 0;
        p->n_host_flows = 0;
    }
    ovs_mutex_unlock(&p->io_mutex);
    /* Its VM is gone: so are its buffers and what it sent from. */
    nicsim_placement_release_port(ns->placement, port);
    nicsim_placement_forget_port(ns->placement, port);
}

static bool
nicsim_encap_lookup(void *ns_, const struct eth_addr *mac,
                    const struct in6_addr *ip, struct nic_encap_mapping *m)
{
    struct nicsim *ns = ns_;

    return nic_encap_map_find(&ns->encap_map, mac, ip, m);
}

/* Whether an encap action of a rule with 'match' and 'acts' disagrees with
 * the mapping of its inner destination. */
static bool
nicsim_encap_disagrees(struct nicsim *ns, const struct nic_match *match,
                       const struct nic_action *acts, size_t n)
    OVS_REQUIRES(ns->mutex)
{
    return nic_encap_bind_rule(nicsim_encap_lookup, ns, match, acts, n,
                               NULL, NULL) != 0;
}

/* Checks that every output names a port of this NIC. */
static bool
nicsim_actions_ok(const struct nicsim *ns, const struct nic_action *acts,
                  size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (acts[i].type == NIC_ACT_OUTPUT
            && !nicsim_port(ns, acts[i].port)) {
            return false;
        }
    }
    return true;
}

static int
nicsim_rule_add(struct nic *nic, const struct nic_rule_spec *spec,
                uint32_t *idp)
{
    struct nicsim *ns = nicsim_cast(nic);
    int error;

    ovs_mutex_lock(&ns->mutex);
    if (ns->fail_inserts) {
        ns->fail_inserts--;
        ns->n_insert_failures++;
        error = EIO;
    } else if (!nicsim_actions_ok(ns, spec->actions, spec->n_actions)
               || nic_rule_spec_validate(spec)) {
        error = EINVAL;
    } else if (nicsim_encap_disagrees(ns, &spec->match, spec->actions,
                                      spec->n_actions)) {
        ns->n_encap_refused++;
        error = EADDRNOTAVAIL;
    } else {
        error = nic_tables_insert(&ns->tables, spec, idp);
        if (!error) {
            nic_encap_index_add(&ns->encap_rules, &spec->match,
                                spec->actions, spec->n_actions, *idp);
        }
    }
    ovs_mutex_unlock(&ns->mutex);
    return error;
}

/* Removes rule 'id' from the tables and from the index of bound rules. */
static int
nicsim_rule_remove(struct nicsim *ns, uint32_t id)
    OVS_REQUIRES(ns->mutex)
{
    const struct nic_rule *rule = nic_tables_find(&ns->tables, id);

    if (!rule) {
        return ENOENT;
    }
    const struct nic_rule_actions *acts = nic_rule_get_actions(rule);
    nic_encap_index_remove(&ns->encap_rules, &rule->match, acts->acts,
                           acts->n, id);
    return nic_tables_remove(&ns->tables, id);
}

static int
nicsim_rule_modify(struct nic *nic, uint32_t id,
                   const struct nic_action *acts, size_t n)
{
    struct nicsim *ns = nicsim_cast(nic);
    int error;

    const struct nic_rule *rule;

    ovs_mutex_lock(&ns->mutex);
    rule = nic_tables_find(&ns->tables, id);
    if (!rule) {
        error = ENOENT;
    } else if (!nicsim_actions_ok(ns, acts, n)
               || nic_actions_validate(acts, n)) {
        error = EINVAL;
    } else if (nicsim_encap_disagrees(ns, &rule->match, acts, n)) {
        ns->n_encap_refused++;
        error = EADDRNOTAVAIL;
    } else {
        const struct nic_rule_actions *old = nic_rule_get_actions(rule);

        nic_encap_index_remove(&ns->encap_rules, &rule->match, old->acts,
                               old->n, id);
        error = nic_tables_modify(&ns->tables, id, acts, n);
        nic_encap_index_add(&ns->encap_rules, &rule->match,
                            error ? old->acts : acts, error ? old->n : n,
                            id);
    }
    ovs_mutex_unlock(&ns->mutex);
    return error;
}

static int
nicsim_rule_del(struct nic *nic, uint32_t id)
{
    struct nicsim *ns = nicsim_cast(nic);
    int error;

    ovs_mutex_lock(&ns->mutex);
    error = nicsim_rule_remove(ns, id);
    ovs_mutex_unlock(&ns->mutex);
    return error;
}

static int
nicsim_rule_query(struct nic *nic, uint32_t id, struct nic_rule_stats *st)
{
    struct nicsim *ns = nicsim_cast(nic);
    const struct nic_rule *rule;

    ovs_mutex_lock(&ns->mutex);
    rule = nic_tables_find(&ns->tables, id);
    if (rule) {
        nic_rule_get_stats(rule, &st->n_packets, &st->n_bytes);
        st->table = rule->table;
    }
    ovs_mutex_unlock(&ns->mutex);
    return rule ? 0 : ENOENT;
}

static int
nicsim_rss_set(struct nic *nic, uint32_t port, const uint8_t *key,
               const uint16_t *reta, size_t n_reta)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);
    struct nic_rss rss;
    int error = 0;

    if (!p) {
        return EINVAL;
    }
    ovs_mutex_lock(&p->io_mutex);
    rss = p->rss;
    if (key) {
        error = nic_rss_set_key(&rss, key, NIC_RSS_KEY_LEN);
    }
    if (!error) {
        error = (reta ? nic_rss_set_reta(&rss, reta, n_reta)
                 : nic_rss_set_n_queues(&rss, p->n_rxq ? p->n_rxq : 1));
    }
    if (!error) {
        p->rss = rss;
    }
    ovs_mutex_unlock(&p->io_mutex);
    return error;
}

/* Returns the filter of 'p' with the match and priority of 'f', or
 * NULL. */
static const struct nicsim_filter *
nicsim_filter_find(const struct nicsim_port *p, const struct nic_filter *f)
    OVS_REQUIRES(p->io_mutex)
{
    struct nic_match m = f->match;

    nic_match_normalize(&m);
    for (size_t i = 0; i < p->n_filters; i++) {
        const struct nicsim_filter *nf = &p->filters[i];

        if (nf->f.priority == f->priority
            && !memcmp(&nf->f.match, &m, sizeof m)) {
            return nf;
        }
    }
    return NULL;
}

static int
nicsim_filter_add(struct nic *nic, uint32_t port, const struct nic_filter *f,
                  uint32_t *idp)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);
    const struct nicsim_filter *dup;
    int error = 0;

    if (!p) {
        return EINVAL;
    }
    ovs_mutex_lock(&p->io_mutex);
    dup = nicsim_filter_find(p, f);
    if (!p->attached
        || (f->queue >= p->n_rxq && f->queue != NIC_FILTER_QUEUE_RSS)) {
        error = EINVAL;
    } else if (dup) {
        /* Two filters with one match and priority would leave the queue
         * to the order they happen to be stored in. */
        *idp = dup->id;
        error = EEXIST;
    } else if (p->n_filters >= NIC_MAX_FILTERS) {
        error = ENOSPC;
    } else {
        struct nicsim_filter *nf = &p->filters[p->n_filters++];

        nf->id = ++p->next_filter_id;
        nf->f = *f;
        nf->n_packets = nf->n_bytes = 0;
        nic_match_normalize(&nf->f.match);
        *idp = nf->id;
    }
    ovs_mutex_unlock(&p->io_mutex);
    return error;
}

/* The filter of 'p' with id 'id', or NULL. */
static struct nicsim_filter *
nicsim_filter_by_id(struct nicsim_port *p, uint32_t id)
    OVS_REQUIRES(p->io_mutex)
{
    for (size_t i = 0; i < p->n_filters; i++) {
        if (p->filters[i].id == id) {
            return &p->filters[i];
        }
    }
    return NULL;
}

static int
nicsim_filter_del(struct nic *nic, uint32_t port, uint32_t id)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);
    struct nicsim_filter *f;

    if (!p) {
        return EINVAL;
    }
    ovs_mutex_lock(&p->io_mutex);
    f = nicsim_filter_by_id(p, id);
    if (f) {
        *f = p->filters[--p->n_filters];
    }
    ovs_mutex_unlock(&p->io_mutex);
    return f ? 0 : ENOENT;
}

static int
nicsim_filter_stats(struct nic *nic, uint32_t port, uint32_t id,
                    struct nic_filter_stats *st)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);
    const struct nicsim_filter *f;

    if (!p) {
        return EINVAL;
    }
    ovs_mutex_lock(&p->io_mutex);
    f = nicsim_filter_by_id(p, id);
    if (f) {
        st->n_packets = f->n_packets;
        st->n_bytes = f->n_bytes;
    }
    ovs_mutex_unlock(&p->io_mutex);
    return f ? 0 : ENOENT;
}

static int
nicsim_host_flow_cmp(const void *a_, const void *b_)
{
    const struct nic_host_flow *a = a_, *b = b_;

    return (a->n_packets > b->n_packets ? -1
            : a->n_packets < b->n_packets ? 1
            : a->seq < b->seq ? -1 : a->seq > b->seq);
}

static size_t
nicsim_host_flows(struct nic *nic, uint32_t port,
                  struct nic_host_flow *flows, size_t max)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);
    struct nic_host_flow all[NICSIM_HOST_FLOWS];
    size_t n;

    if (!p) {
        return 0;
    }
    ovs_mutex_lock(&p->io_mutex);
    n = p->n_host_flows;
    memcpy(all, p->host_flows, n * sizeof *all);
    ovs_mutex_unlock(&p->io_mutex);
    qsort(all, n, sizeof *all, nicsim_host_flow_cmp);
    n = MIN(n, max);
    memcpy(flows, all, n * sizeof *flows);
    return n;
}

static int
nicsim_port_stats(struct nic *nic, uint32_t port, struct nic_port_stats *s)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);

    if (!p) {
        return EINVAL;
    }
    s->rx_packets = nicsim_counter_read(&p->c.rx_packets);
    s->rx_bytes = nicsim_counter_read(&p->c.rx_bytes);
    ovs_mutex_lock(&p->io_mutex);
    s->rx_errors = p->rx_errors;
    if (p->medium) {
        struct nic_medium_stats ms;

        nic_medium_get_stats(p->medium, &ms);
        s->rx_errors += ms.rx_errors;
    }
    ovs_mutex_unlock(&p->io_mutex);
    s->fwd_packets = nicsim_counter_read(&p->c.fwd_packets);
    for (int i = 0; i < NIC_N_HOST_REASONS; i++) {
        s->host[i] = nicsim_counter_read(&p->c.host[i]);
    }
    for (int i = 0; i < NIC_N_DROP_REASONS; i++) {
        s->drop[i] = nicsim_counter_read(&p->c.drop[i]);
    }
    s->tx_packets = nicsim_counter_read(&p->c.tx_packets);
    s->tx_bytes = nicsim_counter_read(&p->c.tx_bytes);
    s->tx_errors = nicsim_counter_read(&p->c.tx_errors);
    s->host_tx_packets = nicsim_counter_read(&p->c.host_tx_packets);
    return 0;
}

static int
nicsim_port_link(struct nic *nic, uint32_t port, bool *up)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);

    if (!p) {
        return EINVAL;
    }
    ovs_mutex_lock(&p->io_mutex);
    *up = p->medium && nic_medium_link_up(p->medium);
    ovs_mutex_unlock(&p->io_mutex);
    return 0;
}

static int
nicsim_queue_stats(struct nic *nic, uint32_t port, uint32_t queue,
                   struct nic_queue_stats *s)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);
    int error = 0;

    if (!p) {
        return EINVAL;
    }
    ovs_mutex_lock(&p->io_mutex);
    if (queue >= p->n_rxq) {
        error = EINVAL;
    } else {
        s->packets = nicsim_counter_read(&p->rxqs[queue].packets);
        s->drops = nicsim_counter_read(&p->rxqs[queue].drops);
        struct nicsim_dma_stats ds;

        nicsim_dma_get_stats(&p->rxqs[queue].dma, &ds);
        s->depth = ds.pending + ds.ready;
    }
    ovs_mutex_unlock(&p->io_mutex);
    return error;
}

static int
nicsim_host_recv(struct nic *nic, uint32_t port, uint32_t queue,
                 struct dp_packet **pkts, int max)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);
    int n = 0;

    if (!p) {
        return 0;
    }
    ovs_mutex_lock(&p->io_mutex);
    if (queue < p->n_rxq) {
        struct nicsim_rxq *rxq = &p->rxqs[queue];
        bool now_empty;

        n = nicsim_dma_take(&rxq->dma, pkts, max, &now_empty);
        /* Under io_mutex, so no enqueue can slip in between. */
        if (now_empty) {
            latch_poll(&rxq->latch);
        }
    }
    ovs_mutex_unlock(&p->io_mutex);

    bool backlog;
    atomic_read_relaxed(&p->classes_backlog, &backlog);
    if (n && backlog) {
        /* Room in the DMA ring: the engine delivers the classes' next. */
        nicsim_wake_engine(p->ns, p);
    }
    return n;
}

/* Looks up a receive queue for the DMA members; returns it with
 * p->io_mutex held, or NULL (unlocked). */
static struct nicsim_rxq *
nicsim_dma_rxq(struct nic *nic, uint32_t port, uint32_t queue,
               struct nicsim_port **pp)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);

    if (!p) {
        return NULL;
    }
    ovs_mutex_lock(&p->io_mutex);
    if (queue >= p->n_rxq) {
        ovs_mutex_unlock(&p->io_mutex);
        return NULL;
    }
    *pp = p;
    return &p->rxqs[queue];
}

/* The indices of a ring, receive or send, as the host reads them. */
static void
nicsim_dma_read_state(const struct nicsim_dma_ring *r,
                      struct nic_dma_queue_state *st)
{
    /* The consumer index first: read after it, 'posted' is never
     * behind it. */
    st->taken = nicsim_dma_taken(r);
    st->posted = nicsim_dma_posted(r);
    st->size = r->size;
}

static void
nicsim_dma_read_stats(struct nicsim_dma_ring *r,
                      struct nic_dma_queue_stats *s)
{
    struct nicsim_dma_stats ds;

    nicsim_dma_get_stats(r, &ds);
    *s = (struct nic_dma_queue_stats) {
        .posted = ds.posted, .completed = ds.completed, .taken = ds.taken,
        .ring_full = ds.full, .copies = ds.copies, .bytes = ds.bytes,
        .runs = ds.runs, .flushed = ds.flushed, .pending = ds.pending,
        .ready = ds.ready,
    };
}

static int
nicsim_dma_queue_state(struct nic *nic, uint32_t port, uint32_t queue,
                       struct nic_dma_queue_state *st)
{
    struct nicsim_port *p;
    struct nicsim_rxq *rxq = nicsim_dma_rxq(nic, port, queue, &p);

    if (!rxq) {
        return EINVAL;
    }
    nicsim_dma_read_state(&rxq->dma, st);
    ovs_mutex_unlock(&p->io_mutex);
    return 0;
}

static int
nicsim_dma_completed_cb(struct nic *nic, uint32_t port, uint32_t queue,
                     uint64_t *completed)
{
    struct nicsim_port *p;
    struct nicsim_rxq *rxq = nicsim_dma_rxq(nic, port, queue, &p);

    if (!rxq) {
        return EINVAL;
    }
    *completed = nicsim_dma_completed(&rxq->dma);
    ovs_mutex_unlock(&p->io_mutex);
    return 0;
}

static int
nicsim_dma_queue_stats(struct nic *nic, uint32_t port, uint32_t queue,
                       struct nic_dma_queue_stats *s)
{
    struct nicsim_port *p;
    struct nicsim_rxq *rxq = nicsim_dma_rxq(nic, port, queue, &p);

    if (!rxq) {
        return EINVAL;
    }
    nicsim_dma_read_stats(&rxq->dma, s);
    ovs_mutex_unlock(&p->io_mutex);
    return 0;
}

/* The send side's DMA: one ring per port, which lives as long as the NIC,
 * so it needs no lock of the port's. */

static int
nicsim_dma_tx_state(struct nic *nic, uint32_t port,
                    struct nic_dma_queue_state *st)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);

    if (!p) {
        return EINVAL;
    }
    nicsim_dma_read_state(&p->tx_dma, st);
    return 0;
}

static int
nicsim_dma_tx_completed(struct nic *nic, uint32_t port, uint64_t *completed)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);

    if (!p) {
        return EINVAL;
    }
    *completed = nicsim_dma_completed(&p->tx_dma);
    return 0;
}

static int
nicsim_dma_tx_stats(struct nic *nic, uint32_t port,
                    struct nic_dma_queue_stats *s)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);

    if (!p) {
        return EINVAL;
    }
    nicsim_dma_read_stats(&p->tx_dma, s);
    return 0;
}

static int
nicsim_host_send_reap(struct nic *nic, uint32_t port,
                      struct dp_packet **pkts, int max)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);

    return p ? nicsim_dma_take(&p->tx_dma, pkts, max, NULL) : 0;
}

static int
nicsim_dma_check_poll(struct nic *nic,
                      const struct offload_dma_poll_config *cfg,
                      char **errorp)
{
    /* A run can release at most a ring's worth: a larger budget would
     * promise what the queue cannot hold. */
    if (cfg->budget > NICSIM_RING_SIZE) {
        *errorp = xasprintf("%s: dma budget %"PRIu32" exceeds the receive "
                            "ring of %d descriptors", nic_get_name(nic),
                            cfg->budget, NICSIM_RING_SIZE);
        return EOPNOTSUPP;
    }
    return 0;
}

static void
nicsim_host_recv_wait(struct nic *nic, uint32_t port, uint32_t queue)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);

    if (!p) {
        return;
    }
    ovs_mutex_lock(&p->io_mutex);
    if (queue < p->n_rxq) {
        latch_wait(&p->rxqs[queue].latch);
    }
    ovs_mutex_unlock(&p->io_mutex);
}

static int
nicsim_host_send(struct nic *nic, uint32_t port, struct dp_packet **pkts,
                 int n)
{
    struct nicsim *ns = nicsim_cast(nic);
    struct nicsim_port *p = nicsim_port(ns, port);
    int n_dropped = 0;

    if (!p) {
        for (int i = 0; i < n; i++) {
            dp_packet_delete(pkts[i]);
        }
        return EINVAL;
    }
    for (int i = 0; i < n; i++) {
        if (!nicsim_dma_post(&p->tx_dma, pkts[i], NULL)) {
            dp_packet_delete(pkts[i]);
            n_dropped++;
        }
    }
    nicsim_counter_add(&p->c.host_tx_packets, n - n_dropped);
    nicsim_counter_add(&p->c.tx_errors, n_dropped);
    nicsim_wake_engine(ns, p);
    return n_dropped ? ENOBUFS : 0;
}

static int
nicsim_inject(struct nic *nic, uint32_t port, struct dp_packet *pkt)
{
    struct nicsim *ns = nicsim_cast(nic);
    struct nicsim_port *p = nicsim_port(ns, port);
    int error = (!p ? EINVAL
                 : dp_packet_size(pkt) > NIC_MAX_FRAME ? EMSGSIZE
                 : 0);

    if (error || !nicsim_ring_push(&p->inject, pkt, NULL)) {
        dp_packet_delete(pkt);
        return error ? error : ENOBUFS;
    }
    nicsim_wake_engine(ns, p);
    return 0;
}

/* nicsim-specific controls. */

void
nicsim_fail_next_inserts(struct nic *nic, unsigned int n)
{
    struct nicsim *ns = nicsim_cast(nic);

    ovs_mutex_lock(&ns->mutex);
    ns->fail_inserts = n;
    ovs_mutex_unlock(&ns->mutex);
}

void
nicsim_set_capacity(struct nic *nic, enum nic_table_id table, size_t cap)
{
    struct nicsim *ns = nicsim_cast(nic);

    ovs_mutex_lock(&ns->mutex);
    nic_tables_set_capacity(&ns->tables, table, cap);
    ovs_mutex_unlock(&ns->mutex);
}

void
nicsim_get_info(struct nic *nic, struct nicsim_info *info)
{
    struct nicsim *ns = nicsim_cast(nic);

    ovs_mutex_lock(&ns->mutex);
    info->config = ns->config;
    for (int t = 0; t < NIC_N_TABLES; t++) {
        info->n_rules[t] = ns->tables.n_rules[t];
        info->capacity[t] = ns->tables.capacity[t];
    }
    info->n_resets = ns->n_resets;
    info->n_insert_failures = ns->n_insert_failures;
    info->n_encap_refused = ns->n_encap_refused;
    info->n_encap_removed = ns->n_encap_removed;
    info->pending_failures = ns->fail_inserts;
    ovs_mutex_unlock(&ns->mutex);
}

void
nicsim_get_engine_info(struct nic *nic, uint32_t idx,
                       struct nicsim_engine_info *info)
{
    struct nicsim *ns = nicsim_cast(nic);
    struct nicsim_engine *e;
    struct timespec ts;
    clockid_t cid;

    memset(info, 0, sizeof *info);
    if (idx >= ns->config.n_engines) {
        return;
    }
    e = &ns->engines[idx];
    /* The engine's CPU clock is read from here, so the engine itself
     * spends nothing on accounting. */
    if (!pthread_getcpuclockid(e->thread, &cid) && !clock_gettime(cid, &ts)) {
        info->cpu_ns = (uint64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
    }
    info->packets = nicsim_counter_read(&e->packets);
    info->batches = nicsim_counter_read(&e->batches);
}

bool
nicsim_get_port_info(struct nic *nic, size_t idx,
                     struct nicsim_port_info *info)
{
    struct nicsim *ns = nicsim_cast(nic);
    struct nicsim_port *p;

    if (idx >= ns->n_ports) {
        return false;
    }
    p = &ns->ports[idx];
    ovs_mutex_lock(&p->io_mutex);
    info->port = p->port_no;
    info->attached = p->attached;
    /* The spec string lives as long as the attachment; callers use it
     * on the same thread that detaches ports. */
    info->medium = p->medium ? nic_medium_spec(p->medium) : NULL;
    info->link_up = p->medium && nic_medium_link_up(p->medium);
    info->n_rxq = p->n_rxq;
    ovs_mutex_unlock(&p->io_mutex);
    return true;
}

static size_t
nicsim_dump_rules(struct nic *nic, struct nic_rule_dump **rulesp)
{
    struct nicsim *ns = nicsim_cast(nic);
    struct nic_rule_dump *rules;
    const struct nic_rule *rule;
    size_t n = 0;

    ovs_mutex_lock(&ns->mutex);
    rules = xcalloc(hmap_count(&ns->tables.by_id) + 1, sizeof *rules);
    HMAP_FOR_EACH (rule, id_node, &ns->tables.by_id) {
        struct nic_rule_dump *d = &rules[n++];
        const struct nic_rule_actions *acts = nic_rule_get_actions(rule);

        d->id = rule->id;
        d->table = rule->table;
        d->priority = rule->priority;
        d->cookie = rule->cookie;
        d->match = rule->match;
        d->n_actions = acts->n;
        memcpy(d->actions, acts->acts, acts->n * sizeof *acts->acts);
        nic_rule_get_stats(rule, &d->n_packets, &d->n_bytes);
    }
    ovs_mutex_unlock(&ns->mutex);
    nic_rule_dump_sort(rules, n);
    *rulesp = rules;
    return n;
}

static int
nicsim_filter_dump_cmp(const void *a_, const void *b_)
{
    const struct nic_filter_dump *a = a_, *b = b_;

    if (a->port != b->port) {
        return a->port < b->port ? -1 : 1;
    }
    return a->id < b->id ? -1 : a->id > b->id;
}

static size_t
nicsim_dump_filters(struct nic *nic, struct nic_filter_dump **filtersp)
{
    struct nicsim *ns = nicsim_cast(nic);
    struct nic_filter_dump *filters = NULL;
    size_t n = 0, allocated = 0;

    for (size_t i = 0; i < ns->n_ports; i++) {
        struct nicsim_port *p = &ns->ports[i];

        ovs_mutex_lock(&p->io_mutex);
        for (size_t j = 0; j < p->n_filters; j++) {
            if (n >= allocated) {
                filters = x2nrealloc(filters, &allocated, sizeof *filters);
            }
            filters[n++] = (struct nic_filter_dump) {
                .port = p->port_no,
                .id = p->filters[j].id,
                .filter = p->filters[j].f,
            };
        }
        ovs_mutex_unlock(&p->io_mutex);
    }
    if (n) {
        qsort(filters, n, sizeof *filters, nicsim_filter_dump_cmp);
    }
    *filtersp = filters;
    return n;
}

static int
nicsim_placement_set(struct nic *nic, const struct nic_placement_config *cfg,
                     char **errorp)
{
    struct nicsim *ns = nicsim_cast(nic);
    int error = 0;

    *errorp = NULL;
    ovs_mutex_lock(&ns->placement_mutex);
    if (!cfg->enabled) {
        atomic_store(&ns->placement_on, false);
        nicsim_placement_ctl_stop(ns->placement_ctl);
        ns->placement_ctl = NULL;
        for (size_t i = 0; i < ns->n_ports; i++) {
            nicsim_placement_release_port(ns->placement,
                                          ns->ports[i].port_no);
            nicsim_placement_forget_port(ns->placement,
                                         ns->ports[i].port_no);
        }
        nicsim_placement_release_port(ns->placement, NIC_PLACEMENT_HOST);
        goto out;
    }
    if (nicsim_placement_set_limits(ns->placement, &cfg->limits)) {
        *errorp = xasprintf("placement limits out of range: capacity at "
                            "most %d, port-entries at least 1, port-bytes "
                            "at least %d", NIC_PLACEMENT_MAX_CAPACITY,
                            NIC_PLACEMENT_MIN_DATA);
        error = EINVAL;
        goto out;
    }
    if (!ns->placement_ctl) {
        char *path = (cfg->control_path
                      ? xstrdup(cfg->control_path)
                      : xasprintf("%s/nicsim-%s.ddp", ovs_rundir(),
                                  nic->name));

        if (strlen(path) >= NIC_PLACEMENT_PATH_MAX) {
            *errorp = xasprintf("%s: control socket path too long", path);
            error = ENAMETOOLONG;
        } else {
            error = nicsim_placement_ctl_start(path, ns->placement,
                                               ns->config.n_vfs,
                                               &ns->placement_ctl, errorp);
        }
        free(path);
        if (error) {
            goto out;
        }
        VLOG_INFO("%s: placement on, control socket %s", nic->name,
                  nicsim_placement_ctl_path(ns->placement_ctl));
    }
    atomic_store(&ns->placement_on, true);
out:
    ovs_mutex_unlock(&ns->placement_mutex);
    return error;
}

static void
nicsim_placement_get(struct nic *nic, struct nic_placement_status *status)
{
    struct nicsim *ns = nicsim_cast(nic);

    memset(status, 0, sizeof *status);
    ovs_mutex_lock(&ns->placement_mutex);
    status->enabled = nicsim_placement_on(ns);
    if (ns->placement_ctl) {
        ovs_strlcpy(status->control_path,
                    nicsim_placement_ctl_path(ns->placement_ctl),
                    sizeof status->control_path);
    }
    ovs_mutex_unlock(&ns->placement_mutex);
    nicsim_placement_get_stats(ns->placement, &status->stats);
}

static size_t
nicsim_placement_dump_cb(struct nic *nic,
                         struct nic_placement_entry_info **infop)
{
    return nicsim_placement_dump(nicsim_cast(nic)->placement, infop);
}

/* Receive classes. */

static int
nicsim_classes_set(struct nic *nic, uint32_t port,
                   const struct nic_classes_config *cfg, char **errorp)
{
    struct nicsim *ns = nicsim_cast(nic);
    struct nicsim_port *p = nicsim_port(ns, port);
    struct nicsim_classes *old, *new = NULL;
    char pname[16];

    *errorp = NULL;
    nic_port_to_string(port, pname, sizeof pname);
    if (!p) {
        *errorp = xasprintf("%s: no port %s", nic->name, pname);
        return EINVAL;
    }
    ovs_mutex_lock(&p->io_mutex);
    old = p->classes;
    if (cfg->n_classes) {
        char *error;

        new = nicsim_classes_create(cfg, p->attached ? p->n_rxq : 0, old,
                                    time_msec(), &error);
        if (!new) {
            ovs_mutex_unlock(&p->io_mutex);
            *errorp = xasprintf("%s %s: %s", nic->name, pname, error);
            free(error);
            return EINVAL;
        }
    }
    p->classes = new;
    /* What waited in the old rings was counted as to the host. */
    p->flushed += nicsim_classes_destroy(old);
    atomic_store_relaxed(&p->classes_backlog, false);
    ovs_mutex_unlock(&p->io_mutex);
    return 0;
}

static int
nicsim_classes_get_cb(struct nic *nic, uint32_t port,
                      struct nic_classes_status *st)
{
    struct nicsim_port *p = nicsim_port(nicsim_cast(nic), port);

    if (!p) {
        return EINVAL;
    }
    ovs_mutex_lock(&p->io_mutex);
    if (p->classes) {
        /* The guard's state as of now, not as of the engine's last run. */
        nicsim_classes_run(p->classes, time_msec(), nic->name, port);
        nicsim_classes_get(p->classes, st);
    }
    ovs_mutex_unlock(&p->io_mutex);
    return 0;
}

/* Encapsulation mappings. */

/* After a change of the mappings of inner MAC 'mac': removes the rules
 * that send to it and no longer agree. */
static void
nicsim_encap_map_changed(struct nicsim *ns, const struct eth_addr *mac)
    OVS_REQUIRES(ns->mutex)
{
    uint32_t *ids;
    size_t n_ids = nic_encap_index_find(&ns->encap_rules, mac, &ids);
    size_t n = 0;

    atomic_add_relaxed(&ns->encap_map_seq, 1, &(uint64_t) {0});
    for (size_t i = 0; i < n_ids; i++) {
        const struct nic_rule *rule = nic_tables_find(&ns->tables, ids[i]);
        const struct nic_rule_actions *acts = nic_rule_get_actions(rule);

        if (nicsim_encap_disagrees(ns, &rule->match, acts->acts, acts->n)) {
            nicsim_rule_remove(ns, ids[i]);
            n++;
        }
    }
    ns->n_encap_removed += n;
    if (n) {
        VLOG_INFO("%s: mapping of "ETH_ADDR_FMT" changed: %"PRIuSIZE" rules "
                  "that no longer agree with it removed", ns->up.name,
                  ETH_ADDR_ARGS(*mac), n);
    }
    free(ids);
}

static int
nicsim_encap_map_set(struct nic *nic, const struct nic_encap_mapping *m)
{
    struct nicsim *ns = nicsim_cast(nic);
    int error;

    ovs_mutex_lock(&ns->mutex);
    error = nic_encap_map_put(&ns->encap_map, m);
    if (!error) {
        nicsim_encap_map_changed(ns, &m->inner_mac);
    }
    ovs_mutex_unlock(&ns->mutex);
    return error;
}

static int
nicsim_encap_map_del(struct nic *nic, const struct eth_addr *mac,
                     const struct in6_addr *ip)
{
    struct nicsim *ns = nicsim_cast(nic);
    int error;

    ovs_mutex_lock(&ns->mutex);
    error = nic_encap_map_remove(&ns->encap_map, mac, ip);
    if (!error) {
        nicsim_encap_map_changed(ns, mac);
    }
    ovs_mutex_unlock(&ns->mutex);
    return error;
}

static uint64_t
nicsim_encap_map_seq(struct nic *nic)
{
    uint64_t seq;

    atomic_read_relaxed(&nicsim_cast(nic)->encap_map_seq, &seq);
    return seq;
}

static int
nicsim_encap_map_get(struct nic *nic, const struct eth_addr *mac,
                     const struct in6_addr *ip, struct nic_encap_mapping *m)
{
    return (nic_encap_map_find(&nicsim_cast(nic)->encap_map, mac, ip, m)
            ? 0 : ENOENT);
}

static size_t
nicsim_encap_map_dump(struct nic *nic, struct nic_encap_mapping **mp)
{
    return nic_encap_map_list(&nicsim_cast(nic)->encap_map, mp);
}

/* Learned mappings. */

static size_t
nicsim_learned_poll(struct nic *nic, struct nic_learn_event *events,
                    size_t max)
{
    return nic_learn_poll(&nicsim_cast(nic)->learned, time_msec(), events,
                          max);
}

static void
nicsim_learned_wait(struct nic *nic)
{
    nic_learn_wait(&nicsim_cast(nic)->learned);
}

static size_t
nicsim_learned_dump(struct nic *nic, struct nic_learned **lp)
{
    return nic_learn_dump(&nicsim_cast(nic)->learned, time_msec(), lp);
}

static void
nicsim_learned_get(struct nic *nic, struct nic_learn_stats *st)
{
    nic_learn_get_stats(&nicsim_cast(nic)->learned, st);
}

static void
nicsim_learned_set_config(struct nic *nic,
                          const struct nic_learn_config *cfg)
{
    nic_learn_set_config(&nicsim_cast(nic)->learned, cfg);
}

/* Sealed destinations. */

static int
nicsim_token_key_add(struct nic *nic, uint32_t id,
                     const uint8_t key[OFFLOAD_TOKEN_KEY_LEN],
                     uint64_t not_after)
{
    return offload_token_keys_add(&nicsim_cast(nic)->token_keys, id, key,
                                  not_after);
}

static int
nicsim_token_key_del(struct nic *nic, uint32_t id)
{
    return offload_token_keys_del(&nicsim_cast(nic)->token_keys, id);
}

static int
nicsim_token_set_underlay(struct nic *nic,
                          const struct nic_token_underlay *u)
{
    struct nicsim *ns = nicsim_cast(nic);
    struct nic_token_underlay *old;

    if (u->enabled && !nicsim_port(ns, u->uplink)) {
        return EINVAL;
    }
    ovs_mutex_lock(&ns->token_mutex);
    old = ovsrcu_get_protected(struct nic_token_underlay *,
                               &ns->token_underlay);
    ovsrcu_set(&ns->token_underlay,
               u->enabled ? xmemdup(u, sizeof *u) : NULL);
    ovsrcu_postpone(free, old);
    ovs_mutex_unlock(&ns->token_mutex);
    return 0;
}

static void
nicsim_token_get(struct nic *nic, struct nic_token_status *st)
{
    struct nicsim *ns = nicsim_cast(nic);
    const struct nic_token_underlay *u;
    struct offload_token_key_info *keys;

    ovs_mutex_lock(&ns->token_mutex);
    u = ovsrcu_get_protected(struct nic_token_underlay *,
                             &ns->token_underlay);
    if (u) {
        st->underlay = *u;
    }
    ovs_mutex_unlock(&ns->token_mutex);
    st->n_keys = offload_token_keys_list(&ns->token_keys, &keys);
    memcpy(st->keys, keys, st->n_keys * sizeof *keys);
    free(keys);
    for (int r = 0; r < OFFLOAD_TOKEN_N_RESULTS; r++) {
        atomic_read_relaxed(&ns->token_results[r], &st->results[r]);
    }
}

const struct nic_class nicsim_class = {
    .type = "nicsim",
    .open = nicsim_open,
    .close = nicsim_close,
    .reset = nicsim_reset,
    .get_caps = nicsim_get_caps,
    .port_attach = nicsim_port_attach,
    .port_detach = nicsim_port_detach,
    .rule_add = nicsim_rule_add,
    .rule_modify = nicsim_rule_modify,
    .rule_del = nicsim_rule_del,
    .rule_query = nicsim_rule_query,
    .rss_set = nicsim_rss_set,
    .filter_add = nicsim_filter_add,
    .filter_del = nicsim_filter_del,
    .filter_stats = nicsim_filter_stats,
    .host_flows = nicsim_host_flows,
    .port_stats = nicsim_port_stats,
    .port_link = nicsim_port_link,
    .queue_stats = nicsim_queue_stats,
    .host_recv = nicsim_host_recv,
    .dma_queue_state = nicsim_dma_queue_state,
    .dma_completed = nicsim_dma_completed_cb,
    .dma_queue_stats = nicsim_dma_queue_stats,
    .dma_check_poll = nicsim_dma_check_poll,
    .host_recv_wait = nicsim_host_recv_wait,
    .host_send = nicsim_host_send,
    .dma_tx_state = nicsim_dma_tx_state,
    .dma_tx_completed = nicsim_dma_tx_completed,
    .dma_tx_stats = nicsim_dma_tx_stats,
    .host_send_reap = nicsim_host_send_reap,
    .inject = nicsim_inject,
    .sample_start = nicsim_sample_start,
    .sample_count = nicsim_sample_count,
    .sample_stop = nicsim_sample_stop,
    .rule_dump = nicsim_dump_rules,
    .filter_dump = nicsim_dump_filters,
    .placement_set = nicsim_placement_set,
    .placement_get = nicsim_placement_get,
    .placement_dump = nicsim_placement_dump_cb,
    .classes_set = nicsim_classes_set,
    .classes_get = nicsim_classes_get_cb,
    .encap_map_set = nicsim_encap_map_set,
    .encap_map_del = nicsim_encap_map_del,
    .encap_map_dump = nicsim_encap_map_dump,
    .encap_map_get = nicsim_encap_map_get,
    .encap_map_seq = nicsim_encap_map_seq,
    .learned_poll = nicsim_learned_poll,
    .learned_wait = nicsim_learned_wait,
    .learned_dump = nicsim_learned_dump,
    .learned_get = nicsim_learned_get,
    .learned_set_config = nicsim_learned_set_config,
    .token_key_add = nicsim_token_key_add,
    .token_key_del = nicsim_token_key_del,
    .token_set_underlay = nicsim_token_set_underlay,
    .token_get = nicsim_token_get,
};
