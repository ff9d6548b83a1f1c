/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NETDEV_OFFLOAD_RATES_H
#define NETDEV_OFFLOAD_RATES_H 1

/* The datapath's packet counts of the flows whose rate the offload
 * engine's "value" policy needs, read by UFID a bounded number per round
 * instead of by dumping every datapath flow.
 *
 * The engine knows a flow by the megaflow UFID dpif-netdev hands the flow
 * API; the datapath finds it by its own UFID, which the flow API never
 * sees.  dpif-netdev derives that one from the flow of the packet that
 * made the flow, which is the flow of the match the flow API is offered
 * with a new flow, so the provider records the pair when a flow is
 * offered (netdev_offload_rates_learn()), and a read confirms that the
 * datapath flow found is that megaflow.
 *
 * Thread-safe: flows are learned and forgotten on dpif-netdev's offload
 * thread, read on the main thread. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"

struct dpif;
struct match;

/* Remembers that the datapath knows megaflow 'mega_ufid' as 'dp_ufid'.
 * Without 'replace', a pair already known stays (a flow's modifications
 * carry its match as the datapath printed it, not the packet's). */
void netdev_offload_rates_learn(const ovs_u128 *mega_ufid,
                                const ovs_u128 *dp_ufid, bool replace);

/* The same, with the UFID dpif-netdev gives the datapath flow created for
 * a packet whose flow is 'match->flow'. */
void netdev_offload_rates_learn_match(const ovs_u128 *mega_ufid,
                                      const struct match *);

void netdev_offload_rates_forget(const ovs_u128 *mega_ufid);

/* Parses datapath flow 'f''s key and mask into 'match' and gives its
 * megaflow UFID, the engine's name for it.  Returns false if they do not
 * parse. */
struct dpif_flow;
bool netdev_offload_rates_megaflow(const struct dpif_flow *f,
                                   struct match *match, ovs_u128 *mega_ufid);

/* Statistics of the feed, for benchmarks and tests. */
struct netdev_offload_rates_stats {
    uint64_t rounds;                    /* Calls of _feed(). */
    uint64_t asked;                     /* Flows the engine named. */
    uint64_t read;                      /* Counts fed to the engine. */
    uint64_t unknown;                   /* No datapath UFID known. */
    uint64_t missing;                   /* Datapath had no such flow. */
    uint64_t mismatched;                /* Found another megaflow. */
    size_t n_pairs;                     /* Pairs remembered now. */
};

void netdev_offload_rates_get_stats(struct netdev_offload_rates_stats *);

/* Flows read per round, at most. */
#define NETDEV_OFFLOAD_RATES_DEFAULT_BUDGET 1024
void netdev_offload_rates_set_budget(size_t);
size_t netdev_offload_rates_get_budget(void);

/* One round: reads the counts of up to the budget of the flows the engine
 * names (offload_engine_rate_flows(), round-robin over rounds) from
 * 'dpif' and feeds them to the engine.  Returns how many it fed. */
size_t netdev_offload_rates_feed(struct dpif *);

/* Forgets a few of the pairs whose flow the engine no longer has: it
 * forgets the flows of a removed port without the datapath telling the
 * flow API.  Bounded work; call once a round. */
void netdev_offload_rates_gc(void);

/* Forgets every pair and the round-robin position (tests, benchmarks). */
void netdev_offload_rates_clear(void);

#endif /* netdev-offload-rates.h */
