/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_PROVIDER_H
#define NIC_PROVIDER_H 1

/* The NIC interface, providers' side: what a NIC backend (nicsim; later
 * XDP, switchdev or DPDK rte_flow NICs) implements.  Only lib/nic.c calls
 * these members; everything else calls the wrappers of lib/nic.h, on the
 * model of OVS's netdev-provider.h and netdev.c. */

#include "lib/nic.h"
#include "ovs-atomic.h"
#include "ovs-thread.h"

/* A NIC as its provider sees it: the provider embeds it in its own
 * structure and fills it in with nic_init(). */
struct nic {
    const struct nic_class *class;
    char *name;

    /* The host's DMA polling configuration (nic_dma_set_poll()). */
    struct ovs_mutex dma_mutex;
    struct offload_dma_poll_config dma_poll OVS_GUARDED; /* By dma_mutex. */
    atomic_uint64_t dma_poll_seq;
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

    /* Installs a rule.  The spec and its actions stay the caller's: a
     * backend copies what it keeps.  Returns 0 and its id in '*idp', or
     * EINVAL (bad or unsupported rule), EEXIST, ENOSPC (table full),
     * EADDRNOTAVAIL (an encap action disagrees with the NIC's mapping of
     * its inner destination: lib/nic-encap-bind.h), or another positive
     * errno for an insertion failure.  Must not be NULL. */
    int (*rule_add)(struct nic *, const struct nic_rule_spec *,
                    uint32_t *idp);

    /* Replaces a rule's actions.  Returns 0, ENOENT, EINVAL or
     * EADDRNOTAVAIL (as rule_add()).  May be NULL: callers then delete and
     * re-add. */
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

    /* Returns 0 and the counters of a receive filter, EINVAL or ENOENT.
     * May be NULL. */
    int (*filter_stats)(struct nic *, uint32_t port, uint32_t id,
                        struct nic_filter_stats *);

    /* Returns up to 'max' of the heaviest TCP/UDP flows 'port' gave the
     * host (struct nic_host_flow), heaviest first.  May be NULL. */
    size_t (*host_flows)(struct nic *, uint32_t port,
                         struct nic_host_flow *, size_t max);

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

    /* DMA. */

    /* Returns 0 and the posted and consumer indices of one receive queue
     * (struct nic_dma_queue_state), or EINVAL.  May be NULL, and must be
     * if dma_completed is: the NIC's copies to the host are synchronous
     * and host_recv() gives every packet it has. */
    int (*dma_queue_state)(struct nic *, uint32_t port, uint32_t queue,
                           struct nic_dma_queue_state *);

    /* Returns 0 and the queue's completion index in '*completed' (the
     * read the host's poller pays for), or EINVAL.  host_recv() then
     * gives only packets whose copy is complete, oldest first.  May be
     * NULL only if dma_queue_state is. */
    int (*dma_completed)(struct nic *, uint32_t port, uint32_t queue,
                         uint64_t *completed);

    /* Returns 0 and the DMA counters of one receive queue, or EINVAL.
     * May be NULL only if dma_queue_state is. */
    int (*dma_queue_stats)(struct nic *, uint32_t port, uint32_t queue,
                           struct nic_dma_queue_stats *);

    /* Says whether the NIC can serve the host polling its completions as
     * 'cfg' (already checked against offload-dma-poll.h's limits) says:
     * returns 0, or EOPNOTSUPP and a malloc'd message in '*errorp'.  May
     * be NULL: every valid configuration is fine. */
    int (*dma_check_poll)(struct nic *,
                          const struct offload_dma_poll_config *cfg,
                          char **errorp);

    /* Arranges for the current thread's poll_block() to wake when
     * host_recv() on this queue has packets.  Must not be NULL. */
    void (*host_recv_wait)(struct nic *, uint32_t port, uint32_t queue);

    /* Sends packets from the host out of 'port' (the VF to its VM, an
     * uplink to the wire).  Takes ownership of the packets.  Returns 0 or
     * a positive errno (packets then dropped and counted).  Must not be
     * NULL. */
    int (*host_send)(struct nic *, uint32_t port, struct dp_packet **pkts,
                     int n);

    /* DMA on the send side.  A NIC whose copies out of host buffers
     * complete asynchronously keeps what host_send() took in a send ring
     * per port: it posts a descriptor per packet, its DMA engine copies
     * the packet into NIC memory and advances the ring's completion
     * index, and only then may the host have the buffer back, through
     * host_send_reap(), oldest first, to reuse or free.  The indices are
     * those of struct nic_dma_queue_state ('taken': buffers given back,
     * or flushed by a reset).  All four may be NULL, and must all be if
     * one is: host_send() then frees or keeps the buffers itself. */
    int (*dma_tx_state)(struct nic *, uint32_t port,
                        struct nic_dma_queue_state *);
    int (*dma_tx_completed)(struct nic *, uint32_t port,
                            uint64_t *completed);
    int (*dma_tx_stats)(struct nic *, uint32_t port,
                        struct nic_dma_queue_stats *);

    /* Gives back up to 'max' host buffers of 'port' whose copy out is
     * complete, oldest first; returns the number given. */
    int (*host_send_reap)(struct nic *, uint32_t port,
                          struct dp_packet **pkts, int max);

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

    /* Dumps. */

    /* Returns the number of rules and a malloc'd array of them, sorted by
     * id, in '*rules'.  May be NULL. */
    size_t (*rule_dump)(struct nic *, struct nic_rule_dump **rules);

    /* The same for receive filters, sorted by port then id.  May be NULL,
     * and must be if filter_add is. */
    size_t (*filter_dump)(struct nic *, struct nic_filter_dump **filters);

    /* Direct data placement (lib/nic-placement.h). */

    /* Turns the placement table on or off, with its limits, and (when on)
     * opens its control socket at cfg->control_path (NULL: the NIC's own
     * default).  While on, the NIC places the in-order payload of
     * registered TCP connections into their buffers and still delivers
     * every segment unchanged.  Turning it off releases every buffer.
     * Returns 0, or EINVAL (bad limits) or the error of opening the
     * socket, with a malloc'd message in '*errorp'.  May be NULL if the
     * NIC has no placement table. */
    int (*placement_set)(struct nic *, const struct nic_placement_config *,
                         char **errorp);

    /* Fills in the table's state and counters.  May be NULL only if
     * placement_set is. */
    void (*placement_get)(struct nic *, struct nic_placement_status *);

    /* Returns the number of entries and a malloc'd array of them, sorted
     * by id.  May be NULL only if placement_set is. */
    size_t (*placement_dump)(struct nic *,
                             struct nic_placement_entry_info **);

    /* Receive classes and the SYN guard (see nic_classes_set() in nic.h).
     * classes_set() replaces a port's classes, rules and guard as one or
     * changes nothing (EINVAL and a malloc'd message in '*errorp');
     * classes_get() fills in their state and counters.  Both may be NULL
     * (and must be if one is) for a NIC without classes. */
    int (*classes_set)(struct nic *, uint32_t port,
                       const struct nic_classes_config *, char **errorp);
    int (*classes_get)(struct nic *, uint32_t port,
                       struct nic_classes_status *);

    /* Encapsulation mappings (lib/nic-encap-map.h).  nic.c checks a
     * mapping before encap_map_set(), which adds or replaces the mapping
     * of its inner destination: 0 or ENOSPC.  encap_map_del(): 0 or
     * ENOENT.  encap_map_dump(): the count and a malloc'd array, sorted by
     * inner MAC then IP.  All three NULL for a NIC without the table.
     * encap_map_get() copies one mapping out: 0 or ENOENT; may be NULL,
     * and nic.c then searches a dump.  A NIC with the table binds rules
     * to it (lib/nic-encap-bind.h): it refuses a rule that disagrees with
     * a mapping, and a set or delete removes, in the same step, the rules
     * that no longer agree.  encap_map_seq() is a number that changes with
     * every change of the table (a reset included), so that the host
     * knows when to try refused rules again; NULL with the table NULL. */
    int (*encap_map_set)(struct nic *, const struct nic_encap_mapping *);
    int (*encap_map_del)(struct nic *, const struct eth_addr *,
                         const struct in6_addr *);
    size_t (*encap_map_dump)(struct nic *, struct nic_encap_mapping **);
    int (*encap_map_get)(struct nic *, const struct eth_addr *,
                         const struct in6_addr *, struct nic_encap_mapping *);
    uint64_t (*encap_map_seq)(struct nic *);

    /* Mappings learned on decapsulation (lib/nic-learn.h).
     * learned_poll() ages entries out and moves up to 'max' reports into
     * 'events', returning how many; learned_wait() wakes the caller's poll
     * loop for the next ones; learned_dump() returns the count and a
     * malloc'd array sorted by MAC; learned_get() the counters and the
     * configuration; learned_set_config() takes a configuration nic.c has
     * checked.  All NULL for a NIC that does not learn. */
    size_t (*learned_poll)(struct nic *, struct nic_learn_event *,
                           size_t max);
    void (*learned_wait)(struct nic *);
    size_t (*learned_dump)(struct nic *, struct nic_learned **);
    void (*learned_get)(struct nic *, struct nic_learn_stats *);
    void (*learned_set_config)(struct nic *,
                               const struct nic_learn_config *);

    /* Sealed destinations (see nic_token_set_underlay() in nic.h).
     * token_key_add(): 0, EEXIST or ENOSPC.  token_key_del(): 0 or
     * ENOENT.  token_set_underlay() takes an underlay nic.c has checked
     * but for the uplink: 0 or EINVAL (no such uplink).  token_get() fills
     * in the status.  All four NULL for a NIC without them (the XDP
     * backend: its frames of that EtherType then go through its rules as
     * any other). */
    int (*token_key_add)(struct nic *, uint32_t id,
                         const uint8_t key[OFFLOAD_TOKEN_KEY_LEN],
                         uint64_t not_after);
    int (*token_key_del)(struct nic *, uint32_t id);
    int (*token_set_underlay)(struct nic *,
                              const struct nic_token_underlay *);
    void (*token_get)(struct nic *, struct nic_token_status *);
};

/* Fills in the base of a provider's NIC. */
void nic_init(struct nic *, const struct nic_class *, const char *name);
void nic_uninit(struct nic *);

/* Makes a backend available to nic_open() under class->type. */
void nic_class_register(const struct nic_class *);
const struct nic_class *nic_class_lookup(const char *type);

#endif /* nic-provider.h */
