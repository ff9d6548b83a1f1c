/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NICSIM_CLASSES_H
#define NICSIM_CLASSES_H 1

/* nicsim's receive classes on one port: the classifier, one priority
 * scheduler per representor queue in front of that queue's DMA ring, and
 * the SYN guard (lib/offload-classes.h, lib/offload-syn-guard.h).  The
 * port's io_mutex guards all of it. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/nic.h"

struct dp_packet;
struct nicsim_classes;

/* Builds the classes of a port with 'n_rxq' queues from 'cfg', carrying
 * the guard's state and counters over from 'old' (may be NULL).  Returns
 * NULL and a malloc'd message in '*errorp' if 'cfg' is bad. */
struct nicsim_classes *nicsim_classes_create(
    const struct nic_classes_config *cfg, uint32_t n_rxq,
    const struct nicsim_classes *old, uint64_t now_ms, char **errorp);
/* Frees the classes and the packets they hold; returns how many. */
size_t nicsim_classes_destroy(struct nicsim_classes *);

/* Classifies 'pkt' (with 'key'), which the port's filters or RSS gave
 * 'queue', and queues it in its class's ring.  Returns 0, or the NIC drop
 * reason (the packet is then still the caller's).  A SYN the guard
 * challenges returns NIC_DROP_SYN_CHALLENGED with the challenge, a frame
 * for the caller to send out of the port, in '*replyp' (else NULL). */
int nicsim_classes_enqueue(struct nicsim_classes *, struct dp_packet *pkt,
                           const struct nic_flow_key *key, uint32_t queue,
                           uint64_t now_ns, struct dp_packet **replyp);
/* The SYN-ACK that challenges 'syn' (parsed as 'ofs'): addresses and
 * ports swapped, VLAN tags kept, acknowledgement 'ack'. */
struct nic_parse_offsets;
struct dp_packet *nicsim_syn_challenge_build(
    const struct dp_packet *syn, const struct nic_parse_offsets *ofs,
    bool is_ipv6, uint32_t ack);
/* Takes up to 'max' packets for representor queue 'queue' in the
 * scheduler's order. */
size_t nicsim_classes_deliver(struct nicsim_classes *, uint32_t queue,
                              struct dp_packet **pkts, size_t max);
uint32_t nicsim_classes_backlog(const struct nicsim_classes *,
                                uint32_t queue);
uint32_t nicsim_classes_total_backlog(const struct nicsim_classes *);
/* Runs the SYN guard's clock; logs each new transition once, with the
 * NIC's name and port.  Returns true if its state changed. */
bool nicsim_classes_run(struct nicsim_classes *, uint64_t now_ms,
                        const char *nic_name, uint32_t port);
void nicsim_classes_get(const struct nicsim_classes *,
                        struct nic_classes_status *);

#endif /* nicsim-classes.h */
