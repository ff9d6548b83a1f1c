/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_ACTIONS_H
#define NIC_ACTIONS_H 1

/* Executes a NIC rule's actions on one packet, in order, as OpenFlow does:
 * an output sends the packet as modified so far. */

#include <stdbool.h>
#include <stdint.h>

#include "lib/nic-rule.h"

struct dp_packet;

/* Where the packet went.  The executor calls 'output' for every output or
 * to-host action with a packet it hands over (a copy, except for the last
 * one); what is not handed over is freed by the executor. */
struct nic_exec_ctx {
    /* Send 'pkt' out NIC port 'port' (to_host false) or to the representor
     * of the input port (to_host true) on receive queue 'queue' (UINT32_MAX:
     * let RSS choose) with 'mark' (0: none).  Takes ownership of 'pkt'. */
    void (*output)(struct nic_exec_ctx *, struct dp_packet *pkt,
                   bool to_host, uint32_t port, uint32_t queue,
                   uint32_t mark);
    void *aux;

    /* NIC_ACT_TNL_POP: looks up the frame decapsulated as arriving on
     * 'tunnel_port' ('key' and 'ofs' are the outer frame's) and, if a rule
     * takes it, runs that rule and returns true (the packet is then
     * consumed); otherwise returns false and leaves 'pkt' as it was.  Null
     * when the NIC has no second lookup. */
    bool (*tnl_pop)(struct nic_exec_ctx *, struct dp_packet *pkt,
                    uint32_t tunnel_port, const struct nic_flow_key *key,
                    const struct nic_parse_offsets *ofs);

    /* Filled in by the executor. */
    uint32_t n_outputs;         /* Packets handed to 'output'. */
    bool dropped;               /* Explicit drop, or no output at all. */
    bool malformed;             /* An action could not apply (e.g. decap
                                 * of a non-tunnel packet): dropped. */
};

void nic_actions_execute(struct dp_packet *, uint32_t in_port,
                         const struct nic_action *, size_t n,
                         struct nic_exec_ctx *);

/* Building blocks, also used by tests. */
int nic_packet_push_vlan(struct dp_packet *, ovs_be16 tpid, ovs_be16 tci);
int nic_packet_pop_vlan(struct dp_packet *);

#endif /* nic-actions.h */
