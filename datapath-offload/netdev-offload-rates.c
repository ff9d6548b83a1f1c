/* SPDX-License-Identifier: Apache-2.0 */
/* Feeds the offload engine the datapath's packet counts of the flows
 * admission ranks, a bounded number of flows per round, by UFID. */
#include <config.h>

#include "datapath-offload/netdev-offload-rates.h"

#include <errno.h>
#include <string.h>

#include "coverage.h"
#include "datapath-offload/dpif-netdev-ufid.h"
#include "dpif-provider.h"
#include "dpif.h"
#include "hash.h"
#include "lib/offload-engine.h"
#include "odp-util.h"
#include "openvswitch/hmap.h"
#include "openvswitch/match.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "ovs-thread.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(netdev_offload_rates);

COVERAGE_DEFINE(offload_rates_read);
COVERAGE_DEFINE(offload_rates_missing);

/* Pairs forgotten in a round, at most, because their flow left the engine
 * without the datapath telling the flow API (a port removed). */
#define NETDEV_OFFLOAD_RATES_GC_BUDGET 64

/* A pair younger than this is kept even if the engine lacks its flow: a
 * pair may be learned just before the flow is offered (the reoffer). */
#define NETDEV_OFFLOAD_RATES_GC_MIN_AGE_MS 10000

struct netdev_offload_rates_pair {
    struct hmap_node node;              /* By hash of 'mega_ufid'. */
    ovs_u128 mega_ufid;                 /* The engine's name of the flow. */
    ovs_u128 dp_ufid;                   /* The datapath's. */
    long long int learned;              /* time_msec() it was learned. */
};

static struct ovs_mutex rates_mutex = OVS_MUTEX_INITIALIZER;
static struct hmap rates_pairs OVS_GUARDED_BY(rates_mutex)
    = HMAP_INITIALIZER(&rates_pairs);
static struct netdev_offload_rates_stats rates_stats
    OVS_GUARDED_BY(rates_mutex);

/* Main thread only. */
static size_t rates_budget = NETDEV_OFFLOAD_RATES_DEFAULT_BUDGET;
static struct hmap_position rates_pos;  /* In the engine's flows. */
static struct hmap_position gc_pos;     /* In 'rates_pairs'. */
static ovs_u128 *rates_ufids;           /* 'rates_budget' of them. */

static uint32_t
netdev_offload_rates_hash(const ovs_u128 *ufid)
{
    return ufid->u32[0];
}

static struct netdev_offload_rates_pair *
netdev_offload_rates_find(const ovs_u128 *mega_ufid)
    OVS_REQUIRES(rates_mutex)
{
    struct netdev_offload_rates_pair *p;

    HMAP_FOR_EACH_WITH_HASH (p, node, netdev_offload_rates_hash(mega_ufid),
                             &rates_pairs) {
        if (ovs_u128_equals(p->mega_ufid, *mega_ufid)) {
            return p;
        }
    }
    return NULL;
}

void
netdev_offload_rates_learn(const ovs_u128 *mega_ufid,
                           const ovs_u128 *dp_ufid, bool replace)
{
    struct netdev_offload_rates_pair *p;

    ovs_mutex_lock(&rates_mutex);
    p = netdev_offload_rates_find(mega_ufid);
    if (!p) {
        p = xmalloc(sizeof *p);
        p->mega_ufid = *mega_ufid;
        p->dp_ufid = *dp_ufid;
        p->learned = time_msec();
        hmap_insert(&rates_pairs, &p->node,
                    netdev_offload_rates_hash(mega_ufid));
    } else if (replace) {
        p->dp_ufid = *dp_ufid;
        p->learned = time_msec();
    }
    ovs_mutex_unlock(&rates_mutex);
}

void
netdev_offload_rates_learn_match(const ovs_u128 *mega_ufid,
                                 const struct match *match)
{
    ovs_u128 dp_ufid;

    dpif_netdev_ufid_from_packet_flow(&match->flow, &dp_ufid);
    netdev_offload_rates_learn(mega_ufid, &dp_ufid, false);
}

void
netdev_offload_rates_forget(const ovs_u128 *mega_ufid)
{
    struct netdev_offload_rates_pair *p;

    ovs_mutex_lock(&rates_mutex);
    p = netdev_offload_rates_find(mega_ufid);
    if (p) {
        hmap_remove(&rates_pairs, &p->node);
        free(p);
    }
    ovs_mutex_unlock(&rates_mutex);
}

void
netdev_offload_rates_get_stats(struct netdev_offload_rates_stats *stats)
{
    ovs_mutex_lock(&rates_mutex);
    *stats = rates_stats;
    stats->n_pairs = hmap_count(&rates_pairs);
    ovs_mutex_unlock(&rates_mutex);
}

void
netdev_offload_rates_set_budget(size_t budget)
{
    rates_budget = MAX(budget, 1);
    free(rates_ufids);
    rates_ufids = NULL;
}

size_t
netdev_offload_rates_get_budget(void)
{
    return rates_budget;
}

void
netdev_offload_rates_clear(void)
{
    struct netdev_offload_rates_pair *p;

    ovs_mutex_lock(&rates_mutex);
    HMAP_FOR_EACH_POP (p, node, &rates_pairs) {
        free(p);
    }
    memset(&rates_stats, 0, sizeof rates_stats);
    ovs_mutex_unlock(&rates_mutex);
    memset(&rates_pos, 0, sizeof rates_pos);
    memset(&gc_pos, 0, sizeof gc_pos);
}

void
netdev_offload_rates_gc(void)
{
    long long int now = time_msec();

    ovs_mutex_lock(&rates_mutex);
    for (size_t i = 0; i < NETDEV_OFFLOAD_RATES_GC_BUDGET; i++) {
        struct hmap_node *node = hmap_at_position(&rates_pairs, &gc_pos);

        if (!node) {
            memset(&gc_pos, 0, sizeof gc_pos);
            break;
        }

        struct netdev_offload_rates_pair *p
            = CONTAINER_OF(node, struct netdev_offload_rates_pair, node);
        if (now - p->learned >= NETDEV_OFFLOAD_RATES_GC_MIN_AGE_MS
            && !offload_engine_explain(&p->mega_ufid, NULL)) {
            hmap_remove(&rates_pairs, &p->node);
            free(p);
        }
    }
    ovs_mutex_unlock(&rates_mutex);
}

/* Reads the datapath flow 'dp_ufid' into 'flow'.  Through the class, not
 * dpif_flow_get(): dpif.c logs a warning for every read that finds no
 * flow, and here that is a normal outcome (the datapath deletes a flow
 * before its offload thread tells the flow API). */
static int
netdev_offload_rates_get(struct dpif *dpif, const ovs_u128 *dp_ufid,
                         struct ofpbuf *buf, struct dpif_flow *flow)
{
    struct dpif_op op, *opp = &op;

    memset(&op, 0, sizeof op);
    op.type = DPIF_OP_FLOW_GET;
    op.flow_get.ufid = dp_ufid;
    op.flow_get.pmd_id = PMD_ID_NULL;
    op.flow_get.buffer = buf;
    op.flow_get.flow = flow;
    dpif->dpif_class->operate(dpif, &opp, 1, DPIF_OFFLOAD_AUTO);
    return op.error;
}

bool
netdev_offload_rates_megaflow(const struct dpif_flow *f, struct match *match,
                              ovs_u128 *mega_ufid)
{
    if (odp_flow_key_to_flow(f->key, f->key_len, &match->flow, NULL)
        == ODP_FIT_ERROR
        || odp_flow_key_to_mask(f->mask, f->mask_len, &match->wc,
                                &match->flow, NULL) == ODP_FIT_ERROR) {
        return false;
    }
    dpif_netdev_ufid_from_megaflow(match, mega_ufid);
    return true;
}

/* Whether the datapath flow 'f' is the megaflow 'mega_ufid'. */
static bool
netdev_offload_rates_is_megaflow(const struct dpif_flow *f,
                                 const ovs_u128 *mega_ufid)
{
    struct match match;
    ovs_u128 ufid;

    return (netdev_offload_rates_megaflow(f, &match, &ufid)
            && ovs_u128_equals(ufid, *mega_ufid));
}

size_t
netdev_offload_rates_feed(struct dpif *dpif)
{
    uint64_t stub[DPIF_FLOW_BUFSIZE / 8];
    size_t n_read = 0, n_unknown = 0, n_missing = 0, n_mismatched = 0;
    struct ofpbuf buf;

    if (!rates_ufids) {
        rates_ufids = xmalloc(rates_budget * sizeof *rates_ufids);
    }
    size_t n = offload_engine_rate_flows(&rates_pos, rates_ufids,
                                         rates_budget);

    ofpbuf_use_stub(&buf, stub, sizeof stub);
    for (size_t i = 0; i < n; i++) {
        const ovs_u128 *mega_ufid = &rates_ufids[i];
        struct netdev_offload_rates_pair *p;
        struct dpif_flow flow;
        ovs_u128 dp_ufid;

        ovs_mutex_lock(&rates_mutex);
        p = netdev_offload_rates_find(mega_ufid);
        if (p) {
            dp_ufid = p->dp_ufid;
        }
        ovs_mutex_unlock(&rates_mutex);
        if (!p) {
            n_unknown++;
            continue;
        }

        /* Not under 'rates_mutex', which the offload thread takes for
         * every flow it offers: it should not wait for datapath reads. */
        ofpbuf_clear(&buf);
        int error = netdev_offload_rates_get(dpif, &dp_ufid, &buf, &flow);
        if (error) {
            COVERAGE_INC(offload_rates_missing);
            n_missing++;
        } else if (!netdev_offload_rates_is_megaflow(&flow, mega_ufid)) {
            n_mismatched++;
        } else {
            /* The count includes what the flow's full rules carried, as
             * the engine expects. */
            COVERAGE_INC(offload_rates_read);
            offload_engine_note_datapath_packets(mega_ufid,
                                                 flow.stats.n_packets);
            n_read++;
        }
    }
    ofpbuf_uninit(&buf);

    ovs_mutex_lock(&rates_mutex);
    rates_stats.rounds++;
    rates_stats.asked += n;
    rates_stats.read += n_read;
    rates_stats.unknown += n_unknown;
    rates_stats.missing += n_missing;
    rates_stats.mismatched += n_mismatched;
    ovs_mutex_unlock(&rates_mutex);
    return n_read;
}
