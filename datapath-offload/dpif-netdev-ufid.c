/* SPDX-License-Identifier: Apache-2.0 */
/* dpif-netdev's UFIDs: the megaflow's, derived from the masked match, and
 * the datapath flow's, from the packet's flow. */
#include <config.h>

#include "datapath-offload/dpif-netdev-ufid.h"

#include "flow.h"
#include "odp-util.h"
#include "openvswitch/match.h"

void
dpif_netdev_ufid_from_megaflow(const struct match *match, ovs_u128 *ufid)
{
    struct flow masked;

    /* Byte by byte over the whole struct flow, padding included, as
     * dpif-netdev masks it, so that the hashes agree. */
    for (size_t i = 0; i < sizeof masked; i++) {
        ((uint8_t *) &masked)[i] = (((const uint8_t *) &match->flow)[i]
                                    & ((const uint8_t *) &match->wc)[i]);
    }
    odp_flow_key_hash(&masked, sizeof masked, ufid);
}

void
dpif_netdev_ufid_from_packet_flow(const struct flow *flow, ovs_u128 *ufid)
{
    odp_flow_key_hash(flow, sizeof *flow, ufid);
}
