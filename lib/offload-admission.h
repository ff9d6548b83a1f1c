/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_ADMISSION_H
#define OFFLOAD_ADMISSION_H 1

/* Capacity management of a finite NIC table: which flows get an entry.
 *
 * "value" admits the flows that carry the most packets: each flow's
 * packet rate is measured, and when the table is full a flow in software
 * replaces the lightest flow in the NIC only if it is heavier by the
 * hysteresis factor, so that flows of similar rate do not swap back and
 * forth.  "first-come" is what OVS does: the first flows get the entries
 * and keep them until they expire. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum offload_policy {
    OFFLOAD_POLICY_VALUE,
    OFFLOAD_POLICY_FIRST_COME,
};

bool offload_policy_from_string(const char *, enum offload_policy *);
const char *offload_policy_to_string(enum offload_policy);

/* A packet-rate meter: an exponentially weighted moving average of
 * packets per second, fed with a flow's running packet count. */
struct offload_rate {
    uint64_t last_packets;      /* Count at the last sample. */
    long long int last_ms;      /* Time of the last sample; 0 if none. */
    double pps;                 /* Smoothed rate. */
};

void offload_rate_init(struct offload_rate *, uint64_t packets,
                       long long int now_ms);
void offload_rate_update(struct offload_rate *, uint64_t packets,
                         long long int now_ms);

struct offload_admission_params {
    enum offload_policy policy;
    double hysteresis;          /* >= 1: how much heavier a newcomer must
                                 * be than the flow it evicts. */
    double min_pps;             /* Flows slower than this stay out. */
};

#define OFFLOAD_DEFAULT_HYSTERESIS 1.25

/* One flow as the planner sees it. */
struct offload_candidate {
    double pps;
    long long int first_seen;   /* For first-come order. */
    size_t idx;                 /* Caller's index, opaque here. */
};

/* Sorts software flows into admission order: heaviest first ("value") or
 * oldest first ("first-come"). */
void offload_admission_sort_candidates(const struct offload_admission_params *,
                                       struct offload_candidate *, size_t n);

/* Sorts offloaded flows into eviction order: lightest first. */
void offload_admission_sort_victims(struct offload_candidate *, size_t n);

/* Whether a flow of rate 'pps' may enter the NIC at all. */
bool offload_admission_eligible(const struct offload_admission_params *,
                                double pps);

/* Given candidates and victims in the orders above, returns how many of
 * the first candidates should replace the first victims, pairwise: the
 * longest prefix in which every candidate is eligible and heavier than its
 * victim by the hysteresis factor plus twice the counting noise of the
 * victim's rate (2 * sqrt(pps)).  Always 0 for "first-come", which never
 * evicts. */
size_t offload_admission_swaps(const struct offload_admission_params *,
                               const struct offload_candidate *cands,
                               size_t n_cands,
                               const struct offload_candidate *victims,
                               size_t n_victims);

#endif /* offload-admission.h */
