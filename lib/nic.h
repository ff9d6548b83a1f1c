/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_H
#define NIC_H 1

/* The NIC interface, callers' side: what the offload engine, the
 * representor netdevs and the unixctl commands may ask of a NIC, whichever
 * backend drives it.  Each call goes through the wrapper here, which is the
 * only code that calls a provider's struct nic_class (lib/nic-provider.h),
 * and which makes the one decision about each optional member.
 *
 * Ports are numbered by the NIC: uplinks are 0..n_uplinks-1, virtual
 * function N is NIC_PORT_VF_BASE + N. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/nic-parse.h"
#include "lib/nic-encap-map.h"
#include "lib/nic-learn.h"
#include "lib/nic-placement.h"
#include "lib/nic-rule.h"
#include "lib/nic-rss.h"
#include "lib/nic-table.h"
#include "lib/offload-dma-poll.h"
#include "lib/offload-classes.h"
#include "lib/offload-syn-auth.h"
#include "lib/offload-syn-guard.h"
#include "lib/offload-token.h"

struct dp_packet;
struct nic;
struct smap;

#define NIC_PORT_VF_BASE 100
/* A tunnel port's decapsulated frames arrive on NIC_PORT_TUNNEL_BASE + its
 * datapath port number: a port of the NIC's second lookup, not a medium. */
#define NIC_PORT_TUNNEL_BASE 0x10000
#define NIC_MAX_UPLINKS 4
#define NIC_MAX_VFS 64
#define NIC_MAX_RXQ 16
#define NIC_MAX_FILTERS 64          /* Receive filters per port. */

/* The largest frame a NIC port takes in.  An OVS dp_packet holds at most
 * 64 kB including its headroom, and the parser keeps header offsets in 16
 * bits; what is left is room for the headers that actions push (VLAN
 * tags, tunnel headers) and the media's headroom. */
#define NIC_FRAME_HEADROOM 512
#define NIC_MAX_FRAME (UINT16_MAX - NIC_FRAME_HEADROOM)

static inline bool
nic_port_is_vf(uint32_t port)
{
    return port >= NIC_PORT_VF_BASE && port < NIC_PORT_TUNNEL_BASE;
}

static inline bool
nic_port_is_tunnel(uint32_t port)
{
    return port >= NIC_PORT_TUNNEL_BASE && port < 2 * NIC_PORT_TUNNEL_BASE;
}

/* The port number of the i-th of a NIC's ports, uplinks first, so that a
 * loop over 0..n_uplinks+n_vfs-1 visits every port once. */
static inline uint32_t
nic_port_by_index(uint32_t n_uplinks, uint32_t i)
{
    return i < n_uplinks ? i : NIC_PORT_VF_BASE + (i - n_uplinks);
}

/* Why the NIC gave a received packet to the host (its representor). */
#define NIC_HOST_REASONS                                        \
    NIC_HOST_REASON(MISS, "miss", "no rule matched")            \
    NIC_HOST_REASON(RULE, "rule", "a rule sent it to the host") \
    NIC_HOST_REASON(PARSE, "parse", "malformed headers")        \
    NIC_HOST_REASON(INJECTED, "injected", "injected by a test")

enum nic_host_reason {
#define NIC_HOST_REASON(ENUM, NAME, DESC) NIC_HOST_##ENUM,
    NIC_HOST_REASONS
#undef NIC_HOST_REASON
    NIC_N_HOST_REASONS
};

/* Why the NIC dropped a received packet. */
#define NIC_DROP_REASONS                                                \
    NIC_DROP_REASON(RUNT, "runt", "shorter than an Ethernet header")    \
    NIC_DROP_REASON(OVERSIZE, "oversize", "longer than NIC_MAX_FRAME")  \
    NIC_DROP_REASON(RULE, "rule", "a rule dropped it")                  \
    NIC_DROP_REASON(ACTION, "action-failed", "an action could not apply") \
    NIC_DROP_REASON(NO_PORT, "no-port", "output port not attached")     \
    NIC_DROP_REASON(HOST_QUEUE_FULL, "host-queue-full",                 \
                    "representor receive queue full")                   \
    NIC_DROP_REASON(NO_REPRESENTOR, "no-representor",                   \
                    "no representor open on the host")                  \
    NIC_DROP_REASON(RESET, "reset", "lost in a NIC reset")            \
    NIC_DROP_REASON(CLASS_RATE, "class-rate-limit",                     \
                    "over its receive class's packet rate")             \
    NIC_DROP_REASON(CLASS_RING, "class-ring-full",                      \
                    "its receive class's ring at its depth")            \
    NIC_DROP_REASON(TOKEN_MALFORMED, "token-malformed",                 \
                    "token frame: bad framing or token")                \
    NIC_DROP_REASON(TOKEN_UNKNOWN_KEY, "token-unknown-key",             \
                    "token frame: no active key of its id")             \
    NIC_DROP_REASON(TOKEN_BAD_TAG, "token-bad-tag",                     \
                    "token frame: authentication failed")               \
    NIC_DROP_REASON(TOKEN_WRONG_VF, "token-wrong-vf",                   \
                    "token frame: token bound to another VF")           \
    NIC_DROP_REASON(TOKEN_EXPIRED, "token-expired",                     \
                    "token frame: token past its expiry")               \
    NIC_DROP_REASON(TOKEN_WRONG_DST, "token-wrong-dst",                 \
                    "token frame: inner frame to another destination")  \
    NIC_DROP_REASON(TOKEN_NO_UNDERLAY, "token-no-underlay",             \
                    "token frame: no outer source of the token's family") \
    NIC_DROP_REASON(SYN_CHALLENGED, "syn-challenged",                   \
                    "SYN the SYN guard answered with a cookie challenge") \
    NIC_DROP_REASON(SYN_AUTH_REPLY, "syn-auth-reply",                   \
                    "RST answering a challenge: its source validated")

enum nic_drop_reason {
#define NIC_DROP_REASON(ENUM, NAME, DESC) NIC_DROP_##ENUM,
    NIC_DROP_REASONS
#undef NIC_DROP_REASON
    NIC_N_DROP_REASONS
};

const char *nic_host_reason_name(enum nic_host_reason);
const char *nic_drop_reason_name(enum nic_drop_reason);

/* Conservation: rx_packets == fwd_packets + sum(host) + sum(drop). */
struct nic_port_stats {
    uint64_t rx_packets, rx_bytes;      /* Received from the medium. */
    uint64_t rx_errors;                 /* Frames the medium failed to
                                         * receive (too long, bad pcap
                                         * record, socket error); not in
                                         * rx_packets. */
    uint64_t fwd_packets;               /* Forwarded inside the NIC. */
    uint64_t host[NIC_N_HOST_REASONS];  /* Sent to the host, by reason. */
    uint64_t drop[NIC_N_DROP_REASONS];  /* Dropped, by reason. */
    uint64_t tx_packets, tx_bytes;      /* Sent on the medium. */
    uint64_t tx_errors;                 /* Medium refused to send. */
    uint64_t host_tx_packets;           /* Sent by the host (slow path). */
};

/* Sums over the reasons: all sent to the host, all dropped. */
uint64_t nic_port_stats_to_host(const struct nic_port_stats *);
uint64_t nic_port_stats_dropped(const struct nic_port_stats *);

/* Adds every counter of 'st' to 'sum' (e.g. a NIC's total over its
 * ports); conservation holds for the sum if it holds for each. */
void nic_port_stats_add(struct nic_port_stats *sum,
                        const struct nic_port_stats *st);

struct nic_queue_stats {
    uint64_t packets;                   /* Enqueued for the host. */
    uint64_t drops;                     /* Ring full. */
    uint32_t depth;                     /* Packets waiting now. */
};

/* DMA between the NIC and host memory, per representor receive queue.  A
 * NIC whose copies into the host's buffers complete asynchronously posts a
 * descriptor per packet and later advances a completion index; the host
 * reads the indices (lib/offload-dma-poll.h decides when it polls the
 * completion index) and takes with nic_host_recv() only packets whose
 * copy is complete.  The indices count packets since the NIC began and
 * never go back. */
struct nic_dma_queue_state {
    uint64_t posted;                    /* Descriptors posted. */
    uint64_t taken;                     /* Taken by the host (or flushed). */
    uint32_t size;                      /* Descriptors the ring holds. */
};

struct nic_dma_queue_stats {
    uint64_t posted, completed, taken;  /* The indices. */
    uint64_t ring_full;                 /* Posts refused: back-pressure. */
    uint64_t copies, bytes;             /* What the DMA engine copied. */
    uint64_t runs;                      /* DMA engine runs that copied. */
    uint64_t flushed;                   /* Deleted in resets, detaches. */
    uint32_t pending;                   /* Posted, copy in flight. */
    uint32_t ready;                     /* Copied, not yet taken. */
};

struct nic_rule_stats {
    uint64_t n_packets, n_bytes;
    enum nic_table_id table;            /* Which table holds it. */
};

/* A receive filter: packets to the host that match go to 'queue'. */
struct nic_filter {
    struct nic_match match;             /* MAC/VLAN or 5-tuple fields. */
    uint32_t priority;                  /* Higher wins. */
    uint32_t queue;
};

/* A filter's queue that steers nothing: the filter counts the packets it
 * matches, and their queue is chosen as if it had not matched (RSS). */
#define NIC_FILTER_QUEUE_RSS UINT32_MAX

/* Packets to the host a receive filter matched since it was added. */
struct nic_filter_stats {
    uint64_t n_packets, n_bytes;
};

/* One of the heaviest TCP/UDP flows a port gave the host, as the NIC
 * counts them in a small table of heavy hitters (the counts are since the
 * flow entered the table; 'seq' changes when an entry is reused). */
struct nic_host_flow {
    struct eth_addr dl_dst;
    ovs_be16 dl_type;
    uint8_t nw_proto;
    uint8_t nw_src[16], nw_dst[16];
    ovs_be16 tp_src, tp_dst;
    uint64_t seq;
    uint64_t n_packets, n_bytes;
};

struct nic_caps {
    uint32_t n_uplinks;
    uint32_t n_vfs;
    size_t exact_capacity;
    size_t wildcard_capacity;
    uint32_t max_rxq;
    uint32_t actions;                   /* Bit (1 << nic_action_type). */
    struct nic_flow_key matchable;      /* 1-bits: fields it can match. */
};

/* A packet that hit a rule, copied with what the NIC did with it, so that
 * the host can check the NIC against its own path. */
#define NIC_SAMPLE_MAX_OUTPUTS 4

struct nic_sample_output {
    uint32_t port;                      /* NIC port, if not 'to_host'. */
    bool to_host;                       /* To the input's representor. */
    struct dp_packet *pkt;              /* As sent. */
};

struct nic_sample {
    uint32_t in_port;                   /* NIC port it arrived on. */
    uint64_t cookie;                    /* Of the rule it hit. */
    struct dp_packet *pkt;              /* As received. */
    bool dropped;                       /* Dropped by the rule. */
    size_t n_outputs;                   /* May exceed the array: extra
                                         * outputs are counted only. */
    struct nic_sample_output outputs[NIC_SAMPLE_MAX_OUTPUTS];
};

void nic_samples_free(struct nic_sample *, size_t n);

/* Configuration of one port's attachment. */
struct nic_port_config {
    uint32_t port;
    const char *medium;                 /* "afpacket:IF", "unix:PATH", ... */
    uint32_t n_rxq;                     /* Representor receive queues. */
};


/* Opening NICs. */

/* Opens (creating if the backend does) the NIC 'spec', "TYPE:NAME" (e.g.
 * "nicsim:nic0"), or "NAME" of type 'default_type' if 'spec' has no type
 * ('default_type' may be NULL when it always has).
 * Returns 0 and the NIC in '*nicp', ENOENT if no backend of that type is
 * registered, or the backend's positive errno.  Each successful open takes
 * a reference that nic_close() drops. */
int nic_open(const char *spec, const char *default_type, struct nic **nicp);

/* Takes one more reference to 'nic'.  Returns 0 or a positive errno. */
int nic_ref(struct nic *nic, struct nic **refp);
void nic_close(struct nic *);

const char *nic_get_name(const struct nic *);
const char *nic_get_type(const struct nic *);
bool nic_type_is_registered(const char *type);

/* One wrapper per struct nic_class member; the member's contract, in
 * lib/nic-provider.h, is the wrapper's.  Optional members: */
int nic_reset(struct nic *);                            /* EOPNOTSUPP. */
void nic_get_caps(const struct nic *, struct nic_caps *);
int nic_port_attach(struct nic *, const struct nic_port_config *,
                    char **errorp);
void nic_port_detach(struct nic *, uint32_t port);
int nic_rule_add(struct nic *, const struct nic_rule_spec *, uint32_t *idp);
/* Gives rule '*idp' the actions of 'spec', whose match must be the rule's:
 * in place where the NIC can, else by deleting and adding it again, which
 * may change '*idp' and starts its counters from zero; '*replaced' says
 * which happened. */
int nic_rule_modify(struct nic *, uint32_t *idp,
                    const struct nic_rule_spec *spec, bool *replaced);
int nic_rule_del(struct nic *, uint32_t id);
int nic_rule_query(struct nic *, uint32_t id, struct nic_rule_stats *);
int nic_rss_set(struct nic *, uint32_t port, const uint8_t *key,
                const uint16_t *reta, size_t n_reta);   /* EOPNOTSUPP. */
int nic_filter_add(struct nic *, uint32_t port, const struct nic_filter *,
                   uint32_t *idp);                      /* EOPNOTSUPP. */
int nic_filter_del(struct nic *, uint32_t port, uint32_t id);
int nic_filter_stats(struct nic *, uint32_t port, uint32_t id,
                     struct nic_filter_stats *);        /* EOPNOTSUPP. */
/* Up to 'max' of port 'port''s heaviest host flows; returns how many
 * (0 if the NIC does not count them). */
size_t nic_host_flows(struct nic *, uint32_t port, struct nic_host_flow *,
                      size_t max);
/* A host flow's exact 5-tuple match (with its destination MAC), an id of
 * that match, "udp 10.0.0.1:5>10.0.0.2:7" (malloc'd), and its RSS hash
 * under 'key' (NULL: nic_rss_default_key), as the NIC computes it to pick
 * an indirection entry (hash % NIC_RSS_RETA_SIZE). */
void nic_host_flow_match(const struct nic_host_flow *, struct nic_match *);
uint64_t nic_host_flow_id(const struct nic_host_flow *);
char *nic_host_flow_name(const struct nic_host_flow *);
uint32_t nic_host_flow_rss_hash(const struct nic_host_flow *,
                                const uint8_t *key);
int nic_port_stats(struct nic *, uint32_t port, struct nic_port_stats *);
int nic_port_link(struct nic *, uint32_t port, bool *up); /* Up. */
int nic_queue_stats(struct nic *, uint32_t port, uint32_t queue,
                    struct nic_queue_stats *);          /* EOPNOTSUPP. */
int nic_host_recv(struct nic *, uint32_t port, uint32_t queue,
                  struct dp_packet **pkts, int max);
int nic_dma_queue_state(struct nic *, uint32_t port, uint32_t queue,
                        struct nic_dma_queue_state *);  /* EOPNOTSUPP. */
int nic_dma_completed(struct nic *, uint32_t port, uint32_t queue,
                      uint64_t *completed);             /* EOPNOTSUPP. */
int nic_dma_queue_stats(struct nic *, uint32_t port, uint32_t queue,
                        struct nic_dma_queue_stats *);  /* EOPNOTSUPP. */
void nic_host_recv_wait(struct nic *, uint32_t port, uint32_t queue);
int nic_host_send(struct nic *, uint32_t port, struct dp_packet **pkts,
                  int n);

/* The send side's DMA (see nic-provider.h): the host gives packets to
 * nic_host_send(), reads the send ring's indices and takes its buffers
 * back with nic_host_send_reap() once the completion index covers them.
 * Without asynchronous send DMA: EOPNOTSUPP, and 0 reaped. */
bool nic_has_dma_tx(struct nic *);
int nic_dma_tx_state(struct nic *, uint32_t port,
                     struct nic_dma_queue_state *);     /* EOPNOTSUPP. */
int nic_dma_tx_completed(struct nic *, uint32_t port,
                         uint64_t *completed);          /* EOPNOTSUPP. */
int nic_dma_tx_stats(struct nic *, uint32_t port,
                     struct nic_dma_queue_stats *);     /* EOPNOTSUPP. */
int nic_host_send_reap(struct nic *, uint32_t port, struct dp_packet **pkts,
                       int max);                        /* 0. */
int nic_inject(struct nic *, uint32_t port,
               struct dp_packet *);     /* EOPNOTSUPP, packet freed. */
int nic_sample_start(struct nic *, uint32_t every,
                     size_t max);                       /* EOPNOTSUPP. */
size_t nic_sample_count(struct nic *);                  /* 0. */
size_t nic_sample_stop(struct nic *, struct nic_sample **); /* 0, NULL. */

/* The host's DMA completion polling on every receive queue of the NIC.
 * nic_dma_set_poll() checks 'cfg' (EINVAL, with a message in '*errorp'),
 * then asks the backend, which may refuse a combination it cannot do
 * (EOPNOTSUPP, with a message); a NIC without asynchronous DMA refuses
 * any (EOPNOTSUPP).  The NIC keeps what was set, for its representor
 * queues to follow: nic_dma_get_poll() gives it and a sequence number
 * that changes with every change (the defaults and 0 before any). */
bool nic_has_dma(struct nic *);
int nic_dma_set_poll(struct nic *, const struct offload_dma_poll_config *,
                     char **errorp);
uint64_t nic_dma_get_poll(struct nic *, struct offload_dma_poll_config *);
uint64_t nic_dma_poll_seq(struct nic *);


/* Port names: "uplinkN" and "vfN". */
bool nic_port_from_string(const char *s, uint32_t *port);
void nic_port_to_string(uint32_t port, char *buf, size_t size);

/* Dumps, for the unixctl commands (a copy of each rule and filter). */
struct nic_rule_dump {
    uint32_t id;
    enum nic_table_id table;
    uint32_t priority;
    uint64_t cookie;
    struct nic_match match;
    size_t n_actions;
    struct nic_action actions[NIC_MAX_ACTIONS];
    uint64_t n_packets, n_bytes;
};

struct nic_filter_dump {
    uint32_t port;
    uint32_t id;
    struct nic_filter filter;
};

/* Return 0 and a malloc'd array of every rule, sorted by id (every filter,
 * by port then id) in '*rulesp' with its size in '*n', or EOPNOTSUPP. */
int nic_rule_dump(struct nic *, struct nic_rule_dump **rulesp, size_t *n);

/* Sorts 'n' rules by id, the order rule_dump() gives them in: for
 * backends. */
void nic_rule_dump_sort(struct nic_rule_dump *, size_t n);
int nic_filter_dump(struct nic *, struct nic_filter_dump **filtersp,
                    size_t *n);

/* Direct data placement: a table from TCP connection to an application
 * buffer, registered by applications over the NIC's control socket
 * (lib/nic-placement.h, lib/nic-placement-shm.h). */
struct nic_placement_config {
    bool enabled;
    struct nic_placement_limits limits;
    const char *control_path;           /* NULL: the NIC's default. */
};

#define NIC_PLACEMENT_PATH_MAX 256

struct nic_placement_status {
    bool enabled;
    char control_path[NIC_PLACEMENT_PATH_MAX];  /* "" when off. */
    struct nic_placement_stats stats;
};

/* Return EOPNOTSUPP for a NIC without a placement table ('*errorp' then
 * says so; nic_placement_dump() gives no entries). */
int nic_placement_set(struct nic *, const struct nic_placement_config *,
                      char **errorp);
int nic_placement_get(struct nic *, struct nic_placement_status *);
int nic_placement_dump(struct nic *, struct nic_placement_entry_info **,
                       size_t *n);

/* Receive classes (lib/offload-classes.h) and the SYN guard
 * (lib/offload-syn-guard.h) of one port: the NIC classifies every packet
 * it gives the host on that port, queues it in its class's ring on the
 * class's queue (within a queue group: the queue the port's filters or
 * RSS chose, folded into the group), and delivers the rings of each
 * representor queue into that queue's DMA ring by the priority scheduler,
 * as fast as the host takes them.  Priority is therefore enforced in the
 * NIC, per representor queue, whoever polls it (OVS's main thread or a
 * PMD thread); between queues it is the host's rx-queue scheduling.
 * While the SYN guard is engaged, SYN-without-ACK packets and misses of
 * new TCP flows go to 'guard_class' instead of their rule's class; with
 * 'auth' on (lib/offload-syn-auth.h) the NIC first answers a SYN from a
 * source not yet validated with a cookie challenge itself, and SYNs of
 * validated sources take their rule's class. */
struct nic_classes_rule {
    struct nic_match match;
    uint32_t priority;
    uint32_t class;                     /* Index into 'classes'. */
};

struct nic_classes_config {
    const struct offload_class_config *classes;
    size_t n_classes;                   /* 0: classes off on the port. */
    const struct nic_classes_rule *rules;
    size_t n_rules;
    uint32_t default_class;             /* For packets no rule matches. */
    struct offload_syn_guard_config guard;
    uint32_t guard_class;
    struct offload_syn_auth_config auth;
};

struct nic_classes_status {
    size_t n_classes;
    struct offload_class_config classes[OFFLOAD_CLASSES_MAX];
    struct offload_class_stats stats[OFFLOAD_CLASSES_MAX]; /* All queues. */
    size_t n_rules;
    struct offload_class_rule *rules;   /* Malloc'd; highest first. */
    uint32_t default_class, guard_class;
    uint64_t n_default;                 /* Matched no rule. */
    uint64_t guard_diverted;            /* Sent to the guard's class. */
    struct offload_syn_guard guard;     /* A copy. */
    struct offload_syn_auth_config auth_cfg;
    struct offload_syn_auth_stats auth;
};

/* Replaces the classes, rules and guard of 'port' as one, or changes
 * nothing and returns EINVAL (bad class, a queue the port lacks, a
 * duplicate or ambiguous rule) with a malloc'd message in '*errorp'.
 * Packets queued in classes that go are flushed (counted as reset drops).
 * EOPNOTSUPP for a NIC without classes. */
int nic_classes_set(struct nic *, uint32_t port,
                    const struct nic_classes_config *, char **errorp);
/* Fills in '*st' (free with nic_classes_status_destroy()); EOPNOTSUPP,
 * EINVAL. */
int nic_classes_get(struct nic *, uint32_t port, struct nic_classes_status *);
void nic_classes_status_destroy(struct nic_classes_status *);

/* The encapsulation mapping table (lib/nic-encap-map.h): inner destination
 * -> tunnel.  nic_encap_map_set() adds or replaces the mapping of its
 * inner destination: 0, EINVAL (invalid, '*errorp' says why) or ENOSPC
 * (table full).  nic_encap_map_del(): 0 or ENOENT.  nic_encap_map_dump():
 * a malloc'd array sorted by inner MAC then IP.  All return EOPNOTSUPP
 * for a NIC without the table. */
int nic_encap_map_set(struct nic *, const struct nic_encap_mapping *,
                      char **errorp);
int nic_encap_map_del(struct nic *, const struct eth_addr *inner_mac,
                      const struct in6_addr *inner_ip);
int nic_encap_map_dump(struct nic *, struct nic_encap_mapping **,
                       size_t *n);
/* Copies the mapping of one inner destination into '*m': 0, ENOENT or
 * EOPNOTSUPP. */
int nic_encap_map_get(struct nic *, const struct eth_addr *inner_mac,
                      const struct in6_addr *inner_ip,
                      struct nic_encap_mapping *m);
/* Changes whenever the table does; 0 for a NIC without one. */
uint64_t nic_encap_map_seq(struct nic *);
/* Why the NIC refused 'spec' with EADDRNOTAVAIL: a malloc'd description
 * of the first encap action that disagrees with the NIC's mapping, or
 * NULL if none does (any more). */
char *nic_encap_map_explain(struct nic *, const struct nic_rule_spec *spec)
    OVS_WARN_UNUSED_RESULT;

/* Mappings the NIC learns on decapsulation (lib/nic-learn.h): inner
 * source MAC -> the outer source, VNI and tunnel type it came from.
 * nic_learned_poll() ages entries out and takes up to 'max' reports
 * (learned, moved, dropped), oldest first: 0 for a NIC that does not
 * learn; nic_learned_wait() wakes the poll loop when there are more.
 * nic_learned_dump(): the entries, sorted by MAC.  nic_learned_get(): the
 * counters and the configuration.  nic_learned_set_config(): 0, EINVAL
 * ('*errorp' says why).  All return EOPNOTSUPP for a NIC that does not
 * learn. */
size_t nic_learned_poll(struct nic *, struct nic_learn_event *events,
                        size_t max);
void nic_learned_wait(struct nic *);
int nic_learned_dump(struct nic *, struct nic_learned **, size_t *n);
int nic_learned_get(struct nic *, struct nic_learn_stats *);
int nic_learned_set_config(struct nic *, const struct nic_learn_config *,
                           char **errorp);

/* Sealed destinations (lib/offload-token.h).  Once a NIC has an underlay
 * (nic_token_set_underlay()), every frame of EtherType
 * OFFLOAD_TOKEN_ETHERTYPE a VF sends is the NIC's: it opens the token with
 * its keys, and either tunnels the inner frame out of the underlay's
 * uplink, counted as forwarded, or drops it with a token-* reason; the
 * host sees none of them.  Without an underlay such frames are like any
 * other.  The outer headers are the underlay's (source MAC and address,
 * next hop MAC, TTL, UDP ports) and the token's (remote, VNI, type). */
struct nic_token_underlay {
    bool enabled;               /* False: sealed destinations off. */
    uint32_t uplink;            /* NIC port the tunnelled frames leave. */
    struct eth_addr mac;        /* Outer source MAC. */
    struct eth_addr nexthop;    /* Outer destination MAC (next hop). */
    ovs_be32 ip4;               /* Outer IPv4 source; 0: none. */
    struct in6_addr ip6;        /* Outer IPv6 source; any: none. */
    uint8_t ttl;
    uint16_t vxlan_port, geneve_port;   /* UDP destination ports. */
};

struct nic_token_status {
    struct nic_token_underlay underlay;
    size_t n_keys;              /* Keys by id, never the key itself. */
    struct offload_token_key_info keys[OFFLOAD_TOKEN_MAX_KEYS];
    uint64_t results[OFFLOAD_TOKEN_N_RESULTS];  /* Token frames opened. */
};

/* Parses "uplink=PORT mac=MAC nexthop=MAC [ip=IPV4] [ip6=IPV6] [ttl=N]
 * [vxlan-port=N] [geneve-port=N]" (comma or space separated; "off" turns
 * sealed destinations off) into '*u'.  Returns NULL or a malloc'd error. */
char *nic_token_underlay_from_string(const char *, struct nic_token_underlay *)
    OVS_WARN_UNUSED_RESULT;
void nic_token_underlay_format(struct ds *, const struct nic_token_underlay *);

/* nic_token_key_add(): 0, EEXIST, ENOSPC; nic_token_key_del(): 0 or
 * ENOENT; nic_token_set_underlay(): 0 or EINVAL (a port the NIC lacks,
 * '*errorp' says why); nic_token_get() fills in '*st'.  All return
 * EOPNOTSUPP for a NIC without sealed destinations. */
int nic_token_key_add(struct nic *, uint32_t id,
                      const uint8_t key[OFFLOAD_TOKEN_KEY_LEN],
                      uint64_t not_after);
int nic_token_key_del(struct nic *, uint32_t id);
int nic_token_set_underlay(struct nic *, const struct nic_token_underlay *,
                           char **errorp);
int nic_token_get(struct nic *, struct nic_token_status *);

#endif /* nic.h */
