/* SPDX-License-Identifier: Apache-2.0 */
/* The deferred DMA completion poller: when to read a queue's completion
 * index, and what may then go to the host (see offload-dma-poll.h). */

#include <config.h>

#include "lib/offload-dma-poll.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "util.h"

static const char *const offload_dma_mode_names[] = {
    [OFFLOAD_DMA_DEFERRED] = "deferred",
    [OFFLOAD_DMA_PER_BATCH] = "per-batch",
    [OFFLOAD_DMA_PER_PACKET] = "per-packet",
};

const struct offload_dma_poll_config offload_dma_default_config = {
    .mode = OFFLOAD_DMA_DEFERRED,
    .timeout_us = OFFLOAD_DMA_DEFAULT_TIMEOUT_US,
    .budget = OFFLOAD_DMA_DEFAULT_BUDGET,
};

bool
offload_dma_mode_from_string(const char *s, enum offload_dma_mode *mode)
{
    for (size_t i = 0; i < ARRAY_SIZE(offload_dma_mode_names); i++) {
        if (!strcmp(s, offload_dma_mode_names[i])) {
            *mode = i;
            return true;
        }
    }
    return false;
}

const char *
offload_dma_mode_to_string(enum offload_dma_mode mode)
{
    return ((unsigned int) mode < ARRAY_SIZE(offload_dma_mode_names)
            ? offload_dma_mode_names[mode] : "unknown");
}

int
offload_dma_poll_config_check(const struct offload_dma_poll_config *cfg,
                              char **errorp)
{
    char *error = NULL;

    if ((unsigned int) cfg->mode >= ARRAY_SIZE(offload_dma_mode_names)) {
        error = xasprintf("dma mode %d unknown: must be deferred, "
                          "per-batch or per-packet", (int) cfg->mode);
    } else if (cfg->timeout_us < OFFLOAD_DMA_TIMEOUT_MIN_US
               || cfg->timeout_us > OFFLOAD_DMA_TIMEOUT_MAX_US) {
        error = xasprintf("dma timeout %"PRIu32" us out of range: must be "
                          "between %d and %d us", cfg->timeout_us,
                          OFFLOAD_DMA_TIMEOUT_MIN_US,
                          OFFLOAD_DMA_TIMEOUT_MAX_US);
    } else if (cfg->budget < OFFLOAD_DMA_BUDGET_MIN
               || cfg->budget > OFFLOAD_DMA_BUDGET_MAX) {
        error = xasprintf("dma budget %"PRIu32" out of range: must be "
                          "between %d and %d packets", cfg->budget,
                          OFFLOAD_DMA_BUDGET_MIN, OFFLOAD_DMA_BUDGET_MAX);
    }
    if (errorp) {
        *errorp = error;
    } else {
        free(error);
    }
    return error ? EINVAL : 0;
}

unsigned int
offload_dma_hist_bucket(long long int delay_us)
{
    unsigned int b;

    if (delay_us < 1) {
        return 0;
    }
    b = 1 + (63 - __builtin_clzll((unsigned long long) delay_us));
    return MIN(b, OFFLOAD_DMA_HIST_BUCKETS - 1);
}

long long int
offload_dma_hist_percentile(const uint64_t *hist, double pct)
{
    uint64_t total = 0, seen = 0;
    double want;

    for (int i = 0; i < OFFLOAD_DMA_HIST_BUCKETS; i++) {
        total += hist[i];
    }
    if (!total) {
        return 0;
    }
    want = total * pct / 100.0;
    for (int i = 0; i < OFFLOAD_DMA_HIST_BUCKETS; i++) {
        seen += hist[i];
        if (hist[i] && seen >= want) {
            return 1LL << i;
        }
    }
    return 1LL << (OFFLOAD_DMA_HIST_BUCKETS - 1);
}

void
offload_dma_poll_stats_add(struct offload_dma_poll_stats *a,
                           const struct offload_dma_poll_stats *b)
{
    a->polls += b->polls;
    a->forced_polls += b->forced_polls;
    a->empty_polls += b->empty_polls;
    a->submitted += b->submitted;
    a->batches += b->batches;
    a->completions += b->completions;
    a->budget_stops += b->budget_stops;
    a->pressure_polls += b->pressure_polls;
    for (int i = 0; i < OFFLOAD_DMA_HIST_BUCKETS; i++) {
        a->delay_hist[i] += b->delay_hist[i];
    }
}

void
offload_dma_queue_init(struct offload_dma_queue *q,
                       const struct offload_dma_poll_config *cfg)
{
    memset(q, 0, sizeof *q);
    q->cfg = cfg ? *cfg : offload_dma_default_config;
    q->forced_us = LLONG_MIN / 2;
    ovs_assert(!offload_dma_poll_config_check(&q->cfg, NULL));
}

int
offload_dma_queue_set_config(struct offload_dma_queue *q,
                             const struct offload_dma_poll_config *cfg,
                             char **errorp)
{
    int error = offload_dma_poll_config_check(cfg, errorp);

    if (!error) {
        q->cfg = *cfg;
    }
    return error;
}

void
offload_dma_queue_rebase(struct offload_dma_queue *q, uint64_t seq)
{
    q->submitted = q->completed = q->released = seq;
    q->b_head = q->b_count = 0;
}

void
offload_dma_queue_submit(struct offload_dma_queue *q, uint32_t n,
                         long long int now_us)
{
    if (!n) {
        return;
    }
    q->submitted += n;
    q->stats.submitted += n;
    q->stats.batches++;
    if (q->b_count == OFFLOAD_DMA_MAX_BATCHES) {
        /* Out of room: the newest batch absorbs this one.  Its packets
         * then count as older than they are, which errs on the side of
         * polling early. */
        unsigned int last = (q->b_head + q->b_count - 1)
                            % OFFLOAD_DMA_MAX_BATCHES;
        q->batches[last].end = q->submitted;
        return;
    }
    unsigned int tail = (q->b_head + q->b_count) % OFFLOAD_DMA_MAX_BATCHES;
    q->batches[tail].end = q->submitted;
    q->batches[tail].when_us = now_us;
    q->b_count++;
}

uint64_t
offload_dma_queue_outstanding(const struct offload_dma_queue *q)
{
    return q->submitted - q->released;
}

static void
offload_dma_poll(struct offload_dma_queue *q, bool forced,
                 offload_dma_read_cb *read, void *aux)
{
    uint64_t idx = read(aux);

    /* A completion index never goes back and never passes what was
     * submitted; a NIC that says otherwise is not believed, so that no
     * packet is released before its completion. */
    idx = MIN(idx, q->submitted);
    q->stats.polls++;
    q->batches_at_poll = q->stats.batches;
    if (forced) {
        q->stats.forced_polls++;
    }
    if (idx <= q->released) {
        q->stats.empty_polls++;
    }
    q->completed = MAX(q->completed, idx);
}

/* Releases the next 'n' packets, known complete, at 'now_us'. */
static void
offload_dma_release(struct offload_dma_queue *q, uint32_t n,
                    long long int now_us)
{
    uint64_t end = q->released + n;

    ovs_assert(end <= q->completed);
    while (q->released < end) {
        unsigned int h = q->b_head;
        uint64_t stop = MIN(end, q->batches[h].end);
        uint64_t k = stop - q->released;

        q->stats.delay_hist[offload_dma_hist_bucket(
                                now_us - q->batches[h].when_us)] += k;
        q->released = stop;
        if (q->released == q->batches[h].end) {
            q->b_head = (h + 1) % OFFLOAD_DMA_MAX_BATCHES;
            q->b_count--;
        }
    }
    q->stats.completions += n;
}

/* The oldest batch whose completion has not been seen, or -1; and in
 * '*n_pending' how many batches, it included, are in that state. */
static int
offload_dma_oldest_pending(const struct offload_dma_queue *q,
                           unsigned int *n_pending)
{
    for (unsigned int i = 0; i < q->b_count; i++) {
        unsigned int b = (q->b_head + i) % OFFLOAD_DMA_MAX_BATCHES;

        if (q->batches[b].end > q->completed) {
            *n_pending = q->b_count - i;
            return b;
        }
    }
    *n_pending = 0;
    return -1;
}

/* When the timeout forces a poll for batch 'b': a timeout after its
 * submission, and a timeout after the last forced poll. */
static long long int
offload_dma_forced_deadline(const struct offload_dma_queue *q, int b)
{
    return MAX(q->batches[b].when_us, q->forced_us) + q->cfg.timeout_us;
}

uint32_t
offload_dma_queue_run(struct offload_dma_queue *q, long long int now_us,
                      uint32_t max, offload_dma_read_cb *read, void *aux)
{
    uint32_t limit = MIN(max, q->cfg.budget);
    uint32_t n = 0;

    if (!limit || q->released == q->submitted) {
        return 0;
    }

    if (q->cfg.mode == OFFLOAD_DMA_PER_PACKET) {
        /* Every packet is checked on its own, as a driver that tests each
         * descriptor's "done" bit does. */
        while (n < limit && q->released < q->submitted) {
            offload_dma_poll(q, false, read, aux);
            if (q->completed <= q->released) {
                break;
            }
            offload_dma_release(q, 1, now_us);
            n++;
        }
    } else {
        uint64_t known = q->completed - q->released;

        if (known < limit && q->completed < q->submitted) {
            bool poll = q->cfg.mode == OFFLOAD_DMA_PER_BATCH;
            bool forced = false;

            if (!poll) {
                unsigned int n_pending;
                int b = offload_dma_oldest_pending(q, &n_pending);

                /* Batch N is polled once batch N+1 is there, once per
                 * batch that comes; alone, once it has waited the
                 * timeout. */
                poll = (n_pending >= 2
                        && q->stats.batches != q->batches_at_poll);
                if (!poll && b >= 0
                    && now_us >= offload_dma_forced_deadline(q, b)) {
                    poll = forced = true;
                    q->forced_us = now_us;
                }
            }
            if (poll) {
                offload_dma_poll(q, forced, read, aux);
                known = q->completed - q->released;
            }
        }
        n = MIN(known, limit);
        if (n) {
            offload_dma_release(q, n, now_us);
        }
    }
    if (n == limit && q->released < q->submitted) {
        q->stats.budget_stops++;
    }
    return n;
}

uint32_t
offload_dma_queue_poll_now(struct offload_dma_queue *q, long long int now_us,
                           uint32_t max, offload_dma_read_cb *read, void *aux)
{
    uint32_t n;

    if (q->released == q->submitted) {
        return 0;
    }
    q->stats.pressure_polls++;
    offload_dma_poll(q, false, read, aux);
    n = MIN(q->completed - q->released, max);
    if (n) {
        offload_dma_release(q, n, now_us);
    }
    return n;
}

long long int
offload_dma_queue_next_run(const struct offload_dma_queue *q,
                           long long int now_us)
{
    unsigned int n_pending;
    int b;

    if (q->released == q->submitted) {
        return LLONG_MAX;
    }
    if (q->completed > q->released || q->cfg.mode != OFFLOAD_DMA_DEFERRED) {
        return now_us;
    }
    b = offload_dma_oldest_pending(q, &n_pending);
    if (n_pending >= 2 && q->stats.batches != q->batches_at_poll) {
        return now_us;
    }
    return MAX(now_us, offload_dma_forced_deadline(q, b));
}

struct offload_dma_group_aux {
    offload_dma_group_read_cb *read;
    void *aux;
    size_t queue;
};

static uint64_t
offload_dma_group_read(void *aux_)
{
    struct offload_dma_group_aux *aux = aux_;

    return aux->read(aux->queue, aux->aux);
}

uint64_t
offload_dma_group_run(struct offload_dma_group *g, long long int now_us,
                      offload_dma_group_read_cb *read,
                      offload_dma_deliver_cb *deliver, void *aux)
{
    uint64_t total = 0;

    for (size_t k = 0; k < g->n; k++) {
        struct offload_dma_group_aux ga = {
            .read = read,
            .aux = aux,
            .queue = (g->next + k) % g->n,
        };
        uint32_t n = offload_dma_queue_run(g->queues[ga.queue], now_us,
                                           UINT32_MAX,
                                           offload_dma_group_read, &ga);
        if (n) {
            deliver(ga.queue, n, aux);
            total += n;
        }
    }
    if (g->n) {
        g->next = (g->next + 1) % g->n;
    }
    return total;
}
