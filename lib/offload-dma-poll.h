/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_DMA_POLL_H
#define OFFLOAD_DMA_POLL_H 1

/* The deferred DMA completion poller: decides, per queue, when the host
 * reads a DMA engine's completion index, and how many packets it may then
 * take.
 *
 * A NIC's DMA engine copies each packet between NIC and host memory and
 * then advances a completion index in shared memory; the host must not
 * touch a packet (nor reuse its buffer) before its completion.  Reading
 * that index is an uncached read of a line another agent writes, so it is
 * worth doing rarely.  Packets come in batches: in the deferred mode the
 * completions of batch N are polled once batch N+1 has been submitted (by
 * then they are almost surely done; if not, the next poll waits for the
 * next batch), and a timeout forces the poll when no next batch comes, so
 * that a lone batch is not held back (one forced poll per timeout: a
 * batch whose copy is late is polled for again a timeout later, not at
 * every run).  A budget
 * caps what one run releases from one queue, so that a busy queue served
 * in turn with others cannot starve them.
 *
 * Pure logic: time is the caller's (microseconds), and the completion
 * index is read through a callback, so that the same code serves nicsim's
 * DMA model, a real NIC and the tests. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum offload_dma_mode {
    OFFLOAD_DMA_DEFERRED,       /* Poll batch N during batch N+1. */
    OFFLOAD_DMA_PER_BATCH,      /* Poll as soon as a batch is there. */
    OFFLOAD_DMA_PER_PACKET,     /* One poll per packet released. */
};

bool offload_dma_mode_from_string(const char *, enum offload_dma_mode *);
const char *offload_dma_mode_to_string(enum offload_dma_mode);

/* Limits of the configuration; offload_dma_poll_config_check() refuses
 * anything outside them. */
#define OFFLOAD_DMA_TIMEOUT_MIN_US 1
#define OFFLOAD_DMA_TIMEOUT_MAX_US 1000000      /* 1 s. */
#define OFFLOAD_DMA_BUDGET_MIN 1
#define OFFLOAD_DMA_BUDGET_MAX 65536

#define OFFLOAD_DMA_DEFAULT_TIMEOUT_US 50
#define OFFLOAD_DMA_DEFAULT_BUDGET 64

struct offload_dma_poll_config {
    enum offload_dma_mode mode;
    uint32_t timeout_us;        /* Deferred mode: forced poll after this. */
    uint32_t budget;            /* Packets released per queue per run. */
};

extern const struct offload_dma_poll_config offload_dma_default_config;

/* Returns 0, or EINVAL and a malloc'd message in '*errorp' (if nonnull)
 * naming the bad value and its range. */
int offload_dma_poll_config_check(const struct offload_dma_poll_config *,
                                  char **errorp);

/* Histogram of the delay between a batch's submission and the release of
 * its packets: bucket 0 holds delays under 1 us, bucket i (i >= 1) delays
 * in [2^(i-1), 2^i) us, the last bucket everything longer. */
#define OFFLOAD_DMA_HIST_BUCKETS 24

struct offload_dma_poll_stats {
    uint64_t polls;             /* Reads of the completion index. */
    uint64_t forced_polls;      /* Of which forced by the timeout. */
    uint64_t empty_polls;       /* Of which found no packet to release. */
    uint64_t submitted;         /* Packets submitted. */
    uint64_t batches;           /* Batches submitted. */
    uint64_t completions;       /* Packets released to the host. */
    uint64_t budget_stops;      /* Runs that stopped at the budget. */
    uint64_t pressure_polls;    /* Polls the caller asked for, needing
                                 * room (offload_dma_queue_poll_now()). */
    uint64_t delay_hist[OFFLOAD_DMA_HIST_BUCKETS];
};

/* Returns the bucket of a delay. */
unsigned int offload_dma_hist_bucket(long long int delay_us);

/* Returns the upper bound (us) of the bucket that holds the 'pct'-th
 * percentile (0 < pct <= 100) of the histogram, or 0 if it is empty. */
long long int offload_dma_hist_percentile(const uint64_t *hist, double pct);

/* Adds 'b' into 'a'. */
void offload_dma_poll_stats_add(struct offload_dma_poll_stats *a,
                                const struct offload_dma_poll_stats *b);

/* Reads the DMA engine's completion index of a queue: the number of
 * descriptors it has completed since the queue began, which never goes
 * back and never passes what was submitted. */
typedef uint64_t offload_dma_read_cb(void *aux);

#define OFFLOAD_DMA_MAX_BATCHES 64  /* Outstanding batches remembered. */

/* One queue.  Sequence numbers count packets since the queue began:
 * 'released' <= 'completed' <= 'submitted'. */
struct offload_dma_queue {
    struct offload_dma_poll_config cfg;
    uint64_t submitted;         /* Packets handed to the DMA engine. */
    uint64_t completed;         /* Completion index at the last poll. */
    uint64_t released;          /* Packets given to the host. */

    /* Batches not yet wholly released, oldest first: the sequence number
     * after each one's last packet and the time it was submitted.  More
     * than OFFLOAD_DMA_MAX_BATCHES outstanding are merged into the
     * newest, keeping the older time. */
    struct {
        uint64_t end;
        long long int when_us;
    } batches[OFFLOAD_DMA_MAX_BATCHES];
    unsigned int b_head, b_count;
    uint64_t batches_at_poll;   /* stats.batches at the last poll. */
    long long int forced_us;    /* Time of the last forced poll. */

    struct offload_dma_poll_stats stats;
};

void offload_dma_queue_init(struct offload_dma_queue *,
                            const struct offload_dma_poll_config *);

/* Changes the configuration at run time.  Nothing outstanding is lost:
 * the next run follows the new mode.  Returns 0 or EINVAL (with
 * '*errorp' as offload_dma_poll_config_check()); on error the old
 * configuration stays. */
int offload_dma_queue_set_config(struct offload_dma_queue *,
                                 const struct offload_dma_poll_config *,
                                 char **errorp);

/* Forgets what is outstanding and counts from 'seq' on: the queue's
 * submitted, completed and released packets are all 'seq' now.  For a
 * host that learns where the NIC's indices stand (a queue it takes over,
 * or a NIC that started afresh).  Keeps the configuration and counters. */
void offload_dma_queue_rebase(struct offload_dma_queue *, uint64_t seq);

/* Records that 'n' more packets (one batch) were handed to the DMA
 * engine at 'now_us'. */
void offload_dma_queue_submit(struct offload_dma_queue *, uint32_t n,
                              long long int now_us);

/* Returns the number of packets submitted and not yet released. */
uint64_t offload_dma_queue_outstanding(const struct offload_dma_queue *);

/* Polls the completion index through 'read' if the mode says it is time,
 * and releases completed packets in order, at most min('max', budget).
 * Returns the number released: the caller may hand that many of the
 * oldest outstanding packets to the host. */
uint32_t offload_dma_queue_run(struct offload_dma_queue *,
                               long long int now_us, uint32_t max,
                               offload_dma_read_cb *read, void *aux);

/* Polls the completion index at once, whatever the mode says, and
 * releases up to 'max' completed packets in order; returns the number
 * released.  For a caller that needs the ring's room now (a send ring
 * that is full): deferring the poll must never be why a packet is
 * refused.  Counted in 'pressure_polls' besides 'polls'. */
uint32_t offload_dma_queue_poll_now(struct offload_dma_queue *,
                                    long long int now_us, uint32_t max,
                                    offload_dma_read_cb *read, void *aux);

/* Returns the time (us) by which offload_dma_queue_run() must be called
 * for the timeout to be kept, LLONG_MAX if nothing is waiting for one,
 * or 'now_us' if it should run at once. */
long long int offload_dma_queue_next_run(const struct offload_dma_queue *,
                                         long long int now_us);

/* A set of queues served by one thread in turn, each run starting after
 * the queue the last one started with, each queue released at most its
 * budget per run: a busy queue cannot keep the others waiting. */
struct offload_dma_group {
    struct offload_dma_queue **queues;
    size_t n;
    size_t next;                /* Queue the next run starts with. */
};

/* Called with each queue's index and the number of packets released. */
typedef void offload_dma_deliver_cb(size_t queue, uint32_t n, void *aux);
/* Reads queue 'queue''s completion index. */
typedef uint64_t offload_dma_group_read_cb(size_t queue, void *aux);

/* Runs every queue once; returns the total released. */
uint64_t offload_dma_group_run(struct offload_dma_group *,
                               long long int now_us,
                               offload_dma_group_read_cb *read,
                               offload_dma_deliver_cb *deliver, void *aux);

#endif /* offload-dma-poll.h */
