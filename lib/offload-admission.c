/* SPDX-License-Identifier: Apache-2.0 */
/* Admission to the NIC's finite tables: rate meters and the value and
 * first-come policies. */
#include <config.h>

#include "lib/offload-admission.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Weight of the newest sample in the moving average: reacts within a few
 * rebalance periods yet ignores a single burst. */
#define OFFLOAD_RATE_ALPHA 0.5

bool
offload_policy_from_string(const char *s, enum offload_policy *policy)
{
    if (!strcmp(s, "value")) {
        *policy = OFFLOAD_POLICY_VALUE;
    } else if (!strcmp(s, "first-come")) {
        *policy = OFFLOAD_POLICY_FIRST_COME;
    } else {
        return false;
    }
    return true;
}

const char *
offload_policy_to_string(enum offload_policy policy)
{
    return policy == OFFLOAD_POLICY_VALUE ? "value" : "first-come";
}

void
offload_rate_init(struct offload_rate *rate, uint64_t packets,
                  long long int now_ms)
{
    rate->last_packets = packets;
    rate->last_ms = now_ms;
    rate->pps = 0;
}

void
offload_rate_update(struct offload_rate *rate, uint64_t packets,
                    long long int now_ms)
{
    long long int dt = now_ms - rate->last_ms;

    if (dt <= 0) {
        return;
    }
    /* Counters restart when a rule is replaced; never count backwards. */
    uint64_t delta = (packets >= rate->last_packets
                      ? packets - rate->last_packets : packets);
    double sample = delta * 1000.0 / dt;

    rate->pps = (rate->last_ms && rate->pps
                 ? OFFLOAD_RATE_ALPHA * sample
                   + (1 - OFFLOAD_RATE_ALPHA) * rate->pps
                 : sample);
    rate->last_packets = packets;
    rate->last_ms = now_ms;
}

static int
offload_cmp_heaviest(const void *a_, const void *b_)
{
    const struct offload_candidate *a = a_, *b = b_;

    if (a->pps != b->pps) {
        return a->pps > b->pps ? -1 : 1;
    }
    return a->first_seen < b->first_seen ? -1 : a->first_seen > b->first_seen;
}

static int
offload_cmp_oldest(const void *a_, const void *b_)
{
    const struct offload_candidate *a = a_, *b = b_;

    if (a->first_seen != b->first_seen) {
        return a->first_seen < b->first_seen ? -1 : 1;
    }
    return a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int
offload_cmp_lightest(const void *a, const void *b)
{
    return -offload_cmp_heaviest(a, b);
}

void
offload_admission_sort_candidates(const struct offload_admission_params *p,
                                  struct offload_candidate *c, size_t n)
{
    qsort(c, n, sizeof *c, (p->policy == OFFLOAD_POLICY_VALUE
                            ? offload_cmp_heaviest : offload_cmp_oldest));
}

void
offload_admission_sort_victims(struct offload_candidate *c, size_t n)
{
    qsort(c, n, sizeof *c, offload_cmp_lightest);
}

bool
offload_admission_eligible(const struct offload_admission_params *p,
                           double pps)
{
    return p->policy != OFFLOAD_POLICY_VALUE || pps >= p->min_pps;
}

/* Rates measured from packet counts over about a second are noisy for
 * slow flows (Poisson: the deviation of a count N is sqrt(N)); a swap must
 * gain more than that, or light flows trade places on noise alone. */
static double
offload_admission_noise(double pps)
{
    return 2 * sqrt(MAX(pps, 1.0));
}

size_t
offload_admission_swaps(const struct offload_admission_params *p,
                        const struct offload_candidate *cands, size_t n_cands,
                        const struct offload_candidate *victims,
                        size_t n_victims)
{
    size_t n = 0;

    if (p->policy != OFFLOAD_POLICY_VALUE) {
        return 0;
    }
    double factor = MAX(p->hysteresis, 1.0);
    while (n < n_cands && n < n_victims
           && offload_admission_eligible(p, cands[n].pps)
           && cands[n].pps > (victims[n].pps * factor
                              + offload_admission_noise(victims[n].pps))) {
        n++;
    }
    return n;
}
