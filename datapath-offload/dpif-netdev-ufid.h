/* SPDX-License-Identifier: Apache-2.0 */
#ifndef DPIF_NETDEV_UFID_H
#define DPIF_NETDEV_UFID_H 1

/* How OVS 3.1's dpif-netdev names a megaflow, kept in the OVS glue layer
 * because it is dpif-netdev's internal choice, not part of any interface:
 * the engine (lib/) takes UFIDs as given, and a port to another OVS
 * version or datapath changes only this file. */

#include "openvswitch/types.h"

struct match;

/* Stores in '*ufid' the UFID dpif-netdev gives the megaflow 'match' (the
 * one it offers for offload and knows the flow by), which a datapath flow
 * dump does not carry: it shows the UFID of the flow that set the
 * megaflow up. */
void dpif_netdev_ufid_from_megaflow(const struct match *, ovs_u128 *ufid);

/* Stores in '*ufid' the UFID dpif-netdev gives the datapath flow it sets
 * up for a packet whose flow is 'flow' (a miss handled by its upcall),
 * which is the UFID a dump shows and a flow_get takes. */
struct flow;
void dpif_netdev_ufid_from_packet_flow(const struct flow *, ovs_u128 *ufid);

#endif /* dpif-netdev-ufid.h */
