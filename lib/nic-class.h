/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_CLASS_H
#define NIC_CLASS_H 1

/* The NIC interface: what the offload engine and the representor netdevs
 * may ask of a NIC.  A provider (nicsim; later XDP or switchdev backends)
 * fills in a struct nic_class; everything above talks only to it.
 *
 * Ports are numbered by the NIC: uplinks are 0..n_uplinks-1, virtual
 * function N is NIC_PORT_VF_BASE + N. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/nic-parse.h"
#include "lib/nic-rule.h"
#include "lib/nic-rss.h"
#include "lib/nic-table.h"

struct dp_packet;
struct nic;
struct smap;

#define NIC_PORT_VF_BASE 100
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
    return port >= NIC_PORT_VF_BASE;
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
    NIC_DROP_REASON(RESET, "reset", "lost in a NIC reset")

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

struct nic_queue_stats {
    uint64_t packets;                   /* Enqueued for the host. */
    uint64_t drops;                     /* Ring full. */
    uint32_t depth;                     /* Packets waiting now. */
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

struct nic {
    const struct nic_class *class;
    char *name;
};

struct nic_class {
    const char *type;                   /* e.g. "nicsim". */

    /* Life cycle. */

    /* Opens (creating if needed) the NIC called 'name'.  Returns 0 and
     * stores it in '*nicp', or a positive errno.  Must not be NULL. */
    int (*open)(const char *name, struct nic **nicp);

    /* Drops one reference taken by open(); the last one destroys the NIC.
     * Must not be NULL. */
    void (*close)(struct nic *);

    /* Resets the NIC as hardware does: every rule, filter and queued
     * packet is lost.  Returns 0 or a positive errno.  May be NULL if the
     * NIC cannot be reset. */
    int (*reset)(struct nic *);

    /* Fills in the NIC's capabilities.  Must not be NULL. */
    void (*get_caps)(const struct nic *, struct nic_caps *);

    /* Ports. */

    /* Attaches the host side (representor) of a port and its medium.
     * Returns 0, EINVAL for a bad port or n_rxq, EBUSY if already attached,
     * or the error of opening the medium.  Must not be NULL. */
    int (*port_attach)(struct nic *, const struct nic_port_config *,
                       char **errorp);

    /* Detaches a port attached with port_attach().  Its rules stay (a
     * rule may still output to it; such packets are dropped as no-port).
     * Must not be NULL. */
    void (*port_detach)(struct nic *, uint32_t port);

    /* Rules. */

    /* Installs a rule.  Returns 0 and its id in '*idp', or EINVAL (bad or
     * unsupported rule), EEXIST, ENOSPC (table full), or another positive
     * errno for an insertion failure.  Must not be NULL. */
    int (*rule_add)(struct nic *, const struct nic_rule_spec *,
                    uint32_t *idp);

    /* Replaces a rule's actions.  Returns 0, ENOENT or EINVAL.  May be
     * NULL: callers then delete and re-add. */
    int (*rule_modify)(struct nic *, uint32_t id, const struct nic_action *,
                       size_t n_actions);

    /* Removes a rule.  Returns 0 or ENOENT.  Must not be NULL. */
    int (*rule_del)(struct nic *, uint32_t id);

    /* Reads a rule's counters.  Returns 0 or ENOENT.  Must not be NULL. */
    int (*rule_query)(struct nic *, uint32_t id, struct nic_rule_stats *);

    /* Queues, filters, RSS. */

    /* Sets the RSS key (NULL: keep) and indirection table (NULL: spread
     * evenly) of a port.  Returns 0 or EINVAL.  May be NULL. */
    int (*rss_set)(struct nic *, uint32_t port, const uint8_t *key,
                   const uint16_t *reta, size_t n_reta);

    /* Adds a receive filter.  Returns 0 and its id, EINVAL, ENOSPC, or
     * EEXIST (with the existing filter's id) if the port has a filter with
     * the same match and priority.
     * May be NULL if the NIC has no filters. */
    int (*filter_add)(struct nic *, uint32_t port, const struct nic_filter *,
                      uint32_t *idp);

    /* Removes a receive filter.  Returns 0 or ENOENT.  May be NULL if
     * filter_add is. */
    int (*filter_del)(struct nic *, uint32_t port, uint32_t id);

    /* Counters. */

    /* Returns 0 and the counters of 'port', or EINVAL.  Must not be
     * NULL. */
    int (*port_stats)(struct nic *, uint32_t port, struct nic_port_stats *);

    /* Returns 0 and, in '*up', whether the port's medium can carry frames
     * now (a host interface may be deleted under it), or EINVAL.  May be
     * NULL: the link of an attached port is then always up. */
    int (*port_link)(struct nic *, uint32_t port, bool *up);
    /* Returns 0 and the counters of one representor queue, or EINVAL.
     * May be NULL. */
    int (*queue_stats)(struct nic *, uint32_t port, uint32_t queue,
                       struct nic_queue_stats *);

    /* Packet I/O with the host. */

    /* Receives up to 'max' packets the NIC gave to the host on 'queue' of
     * 'port'.  Returns the number received (0 if none).  Must not be
     * NULL. */
    int (*host_recv)(struct nic *, uint32_t port, uint32_t queue,
                     struct dp_packet **pkts, int max);

    /* Arranges for the current thread's poll_block() to wake when
     * host_recv() on this queue has packets.  Must not be NULL. */
    void (*host_recv_wait)(struct nic *, uint32_t port, uint32_t queue);

    /* Sends packets from the host out of 'port' (the VF to its VM, an
     * uplink to the wire).  Takes ownership of the packets.  Returns 0 or
     * a positive errno (packets then dropped and counted).  Must not be
     * NULL. */
    int (*host_send)(struct nic *, uint32_t port, struct dp_packet **pkts,
                     int n);

    /* Delivers a packet to 'port' as if its medium had received it.
     * Takes ownership.  Returns 0, EINVAL (no such port), EMSGSIZE (longer
     * than NIC_MAX_FRAME) or ENOBUFS (queue full).  May be NULL. */
    int (*inject)(struct nic *, uint32_t port, struct dp_packet *);

    /* Sampling. */

    /* Starts keeping a copy of every 'every'-th packet that hits a rule
     * (1: each), with what the NIC sent where, until 'max' are kept.
     * Restarts if already sampling.  Returns 0 or EINVAL.  May be NULL if
     * the NIC cannot sample. */
    int (*sample_start)(struct nic *, uint32_t every, size_t max);

    /* Returns the number of samples kept so far.  May be NULL only if
     * sample_start is. */
    size_t (*sample_count)(struct nic *);

    /* Stops sampling.  Returns the number of samples kept and the samples
     * in '*samples' (free with nic_samples_free()).  May be NULL only if
     * sample_start is. */
    size_t (*sample_stop)(struct nic *, struct nic_sample **samples);
};

/* Registry of NIC classes and lookup of NICs by "TYPE:NAME". */
void nic_class_register(const struct nic_class *);
const struct nic_class *nic_class_lookup(const char *type);

/* Port names: "uplinkN" and "vfN". */
bool nic_port_from_string(const char *s, uint32_t *port);
void nic_port_to_string(uint32_t port, char *buf, size_t size);

#endif /* nic-class.h */
