/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/offload-dma-poll: no packet before its completion, a
 * lone batch released by the timeout, no queue starved, exact counters,
 * bad configuration refused. */

#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "lib/offload-dma-poll.h"
#include "random.h"
#include "tests/unit-tests.h"
#include "util.h"

/* A DMA engine as the poller sees it: an index the test advances. */
struct fake_dma {
    uint64_t completed;
    uint64_t n_reads;
};

static uint64_t
fake_dma_read(void *dma_)
{
    struct fake_dma *dma = dma_;

    dma->n_reads++;
    return dma->completed;
}

static struct offload_dma_poll_config
cfg_make(enum offload_dma_mode mode, uint32_t timeout_us, uint32_t budget)
{
    struct offload_dma_poll_config cfg = {
        .mode = mode, .timeout_us = timeout_us, .budget = budget,
    };
    return cfg;
}

START_TEST(test_dma_mode_names)
{
    enum offload_dma_mode m;

    ck_assert(offload_dma_mode_from_string("deferred", &m));
    ck_assert_int_eq(m, OFFLOAD_DMA_DEFERRED);
    ck_assert(offload_dma_mode_from_string("per-batch", &m));
    ck_assert_int_eq(m, OFFLOAD_DMA_PER_BATCH);
    ck_assert(offload_dma_mode_from_string("per-packet", &m));
    ck_assert_int_eq(m, OFFLOAD_DMA_PER_PACKET);
    ck_assert(!offload_dma_mode_from_string("Deferred", &m));
    ck_assert(!offload_dma_mode_from_string("", &m));
    ck_assert_str_eq(offload_dma_mode_to_string(OFFLOAD_DMA_PER_BATCH),
                     "per-batch");
}
END_TEST

static void
check_refused(struct offload_dma_poll_config cfg, const char *word)
{
    char *error = NULL;

    ck_assert_int_eq(offload_dma_poll_config_check(&cfg, &error), EINVAL);
    ck_assert_ptr_nonnull(error);
    ck_assert_msg(strstr(error, word), "\"%s\" lacks \"%s\"", error, word);
    free(error);
    ck_assert_int_eq(offload_dma_poll_config_check(&cfg, NULL), EINVAL);
}

START_TEST(test_dma_bad_config)
{
    struct offload_dma_queue q;
    char *error = NULL;

    check_refused(cfg_make(OFFLOAD_DMA_DEFERRED, 0, 32), "timeout 0 us");
    check_refused(cfg_make(OFFLOAD_DMA_DEFERRED, 1000001, 32),
                  "between 1 and 1000000 us");
    check_refused(cfg_make(OFFLOAD_DMA_DEFERRED, UINT32_MAX, 32), "timeout");
    check_refused(cfg_make(OFFLOAD_DMA_DEFERRED, 50, 0), "budget 0");
    check_refused(cfg_make(OFFLOAD_DMA_DEFERRED, 50, 65537),
                  "between 1 and 65536");
    check_refused(cfg_make(7, 50, 32), "mode");

    struct offload_dma_poll_config ok = cfg_make(OFFLOAD_DMA_DEFERRED, 1, 1);
    ck_assert_int_eq(offload_dma_poll_config_check(&ok, &error), 0);
    ck_assert_ptr_null(error);
    ok = cfg_make(OFFLOAD_DMA_PER_PACKET, 1000000, 65536);
    ck_assert_int_eq(offload_dma_poll_config_check(&ok, NULL), 0);

    /* A refused change leaves the queue's configuration as it was. */
    offload_dma_queue_init(&q, &ok);
    struct offload_dma_poll_config bad = cfg_make(OFFLOAD_DMA_DEFERRED,
                                                  0, 8);
    ck_assert_int_eq(offload_dma_queue_set_config(&q, &bad, &error), EINVAL);
    ck_assert_ptr_nonnull(error);
    free(error);
    ck_assert_int_eq(q.cfg.mode, OFFLOAD_DMA_PER_PACKET);
    ck_assert_uint_eq(q.cfg.timeout_us, 1000000);
    ck_assert_uint_eq(q.cfg.budget, 65536);
}
END_TEST

/* Random submissions, completions, runs and mode switches: the poller
 * never releases a packet whose completion it has not read, never more
 * than submitted, and in the end releases every packet exactly once. */
START_TEST(test_dma_never_before_completion)
{
    static const enum offload_dma_mode modes[] = {
        OFFLOAD_DMA_DEFERRED, OFFLOAD_DMA_PER_BATCH, OFFLOAD_DMA_PER_PACKET,
    };
    struct offload_dma_queue q;
    struct fake_dma dma = { 0, 0 };
    uint64_t released = 0;
    long long int now = 1000;

    random_set_seed(12345);
    offload_dma_queue_init(&q, NULL);
    for (int step = 0; step < 200000; step++) {
        uint32_t r = random_uint32();

        now += r % 7;
        switch (r % 5) {
        case 0:
            offload_dma_queue_submit(&q, 1 + (r >> 8) % 40, now);
            break;
        case 1:
            /* The DMA engine completes some of what was submitted. */
            dma.completed += random_range(q.submitted - dma.completed + 1);
            break;
        case 2: case 3: {
            uint64_t before_reads = dma.n_reads;
            uint64_t seen = dma.completed;
            uint32_t n = offload_dma_queue_run(&q, now, 1 + (r >> 8) % 64,
                                               fake_dma_read, &dma);
            released += n;
            ck_assert_uint_le(released, seen);
            ck_assert_uint_eq(released, q.released);
            if (dma.n_reads == before_reads) {
                /* Without a read, only what an earlier read showed. */
                ck_assert_uint_le(released, q.completed);
            }
            break;
        }
        case 4:
            if (!((r >> 8) % 50)) {
                struct offload_dma_poll_config cfg = cfg_make(
                    modes[(r >> 16) % 3], 1 + (r >> 20) % 100,
                    1 + (r >> 24) % 64);
                ck_assert_int_eq(offload_dma_queue_set_config(&q, &cfg,
                                                              NULL), 0);
            }
            break;
        }
    }
    /* Drain: everything completes; runs past the timeout release it. */
    dma.completed = q.submitted;
    for (int i = 0; offload_dma_queue_outstanding(&q) && i < 100000; i++) {
        now += 10;
        released += offload_dma_queue_run(&q, now + 1000000, UINT32_MAX,
                                          fake_dma_read, &dma);
    }
    ck_assert_uint_eq(released, q.submitted);
    ck_assert_uint_eq(q.stats.completions, q.submitted);
    ck_assert_uint_eq(q.stats.submitted, q.submitted);
    ck_assert_uint_eq(q.stats.polls, dma.n_reads);

    uint64_t hist_total = 0;
    for (int i = 0; i < OFFLOAD_DMA_HIST_BUCKETS; i++) {
        hist_total += q.stats.delay_hist[i];
    }
    ck_assert_uint_eq(hist_total, q.submitted);
}
END_TEST

START_TEST(test_dma_lone_batch_by_timeout)
{
    struct offload_dma_poll_config cfg = cfg_make(OFFLOAD_DMA_DEFERRED,
                                                  50, 64);
    struct offload_dma_queue q;
    struct fake_dma dma = { 0, 0 };

    offload_dma_queue_init(&q, &cfg);
    ck_assert_int_eq(offload_dma_queue_next_run(&q, 0), LLONG_MAX);
    offload_dma_queue_submit(&q, 1, 100);
    dma.completed = 1;              /* Done at once, but unread. */

    /* Alone, before its timeout: no poll, nothing released. */
    ck_assert_uint_eq(offload_dma_queue_run(&q, 120, 32, fake_dma_read,
                                            &dma), 0);
    ck_assert_uint_eq(dma.n_reads, 0);
    ck_assert_int_eq(offload_dma_queue_next_run(&q, 120), 150);
    ck_assert_uint_eq(offload_dma_queue_run(&q, 149, 32, fake_dma_read,
                                            &dma), 0);
    ck_assert_uint_eq(dma.n_reads, 0);

    /* At the timeout: one forced poll releases it. */
    ck_assert_uint_eq(offload_dma_queue_run(&q, 150, 32, fake_dma_read,
                                            &dma), 1);
    ck_assert_uint_eq(q.stats.polls, 1);
    ck_assert_uint_eq(q.stats.forced_polls, 1);
    ck_assert_uint_eq(q.stats.delay_hist[offload_dma_hist_bucket(50)], 1);
    ck_assert_int_eq(offload_dma_queue_next_run(&q, 150), LLONG_MAX);

    /* A batch not yet complete at its timeout: the forced poll finds
     * nothing, and the next one comes a timeout later. */
    offload_dma_queue_submit(&q, 4, 200);
    ck_assert_uint_eq(offload_dma_queue_run(&q, 250, 32, fake_dma_read,
                                            &dma), 0);
    ck_assert_uint_eq(q.stats.forced_polls, 2);
    ck_assert_uint_eq(q.stats.empty_polls, 1);
    dma.completed = 5;
    ck_assert_uint_eq(offload_dma_queue_run(&q, 251, 32, fake_dma_read,
                                            &dma), 0);
    ck_assert_uint_eq(q.stats.polls, 2);
    ck_assert_int_eq(offload_dma_queue_next_run(&q, 251), 300);
    ck_assert_uint_eq(offload_dma_queue_run(&q, 300, 32, fake_dma_read,
                                            &dma), 4);
    ck_assert_uint_eq(q.stats.forced_polls, 3);
}
END_TEST

START_TEST(test_dma_deferred_to_next_batch)
{
    struct offload_dma_poll_config cfg = cfg_make(OFFLOAD_DMA_DEFERRED,
                                                  1000, 64);
    struct offload_dma_queue q;
    struct fake_dma dma = { 0, 0 };

    offload_dma_queue_init(&q, &cfg);
    offload_dma_queue_submit(&q, 32, 0);
    dma.completed = 32;
    ck_assert_uint_eq(offload_dma_queue_run(&q, 5, 64, fake_dma_read, &dma),
                      0);
    ck_assert_uint_eq(dma.n_reads, 0);

    /* Batch 2 comes: batch 1 is polled for, and released; batch 2's
     * copies are still in flight. */
    offload_dma_queue_submit(&q, 32, 10);
    ck_assert_int_eq(offload_dma_queue_next_run(&q, 10), 10);
    ck_assert_uint_eq(offload_dma_queue_run(&q, 10, 64, fake_dma_read, &dma),
                      32);
    ck_assert_uint_eq(q.stats.polls, 1);
    ck_assert_uint_eq(q.stats.forced_polls, 0);
    ck_assert_int_eq(offload_dma_queue_next_run(&q, 10), 1010);

    /* Batch 2 done, batch 3 comes: one poll, both released if the index
     * says so. */
    dma.completed = 80;
    offload_dma_queue_submit(&q, 32, 20);
    ck_assert_uint_eq(offload_dma_queue_run(&q, 20, 64, fake_dma_read, &dma),
                      48);
    ck_assert_uint_eq(q.stats.polls, 2);
    ck_assert_uint_eq(q.released, 80);

    /* Batches 3 and 4 are there, batch 3 not done: one empty poll, and
     * no other until a batch more comes (or the timeout). */
    offload_dma_queue_submit(&q, 16, 30);
    ck_assert_uint_eq(offload_dma_queue_run(&q, 30, 64, fake_dma_read, &dma),
                      0);
    ck_assert_uint_eq(q.stats.polls, 3);
    ck_assert_uint_eq(q.stats.empty_polls, 1);
    ck_assert_uint_eq(offload_dma_queue_run(&q, 31, 64, fake_dma_read, &dma),
                      0);
    ck_assert_uint_eq(q.stats.polls, 3);
    ck_assert_int_eq(offload_dma_queue_next_run(&q, 31), 1020);
    dma.completed = 112;
    offload_dma_queue_submit(&q, 8, 40);
    ck_assert_uint_eq(offload_dma_queue_run(&q, 40, 64, fake_dma_read, &dma),
                      32);
    ck_assert_uint_eq(q.stats.polls, 4);
}
END_TEST

/* The counters of each mode over the same traffic: 10 batches of 10
 * packets, each complete when the next is submitted, a run after each
 * submission, then runs until the last is released. */
static void
run_counted(enum offload_dma_mode mode, struct offload_dma_poll_stats *st)
{
    struct offload_dma_poll_config cfg = cfg_make(mode, 100, 64);
    struct offload_dma_queue q;
    struct fake_dma dma = { 0, 0 };
    long long int now = 0;

    offload_dma_queue_init(&q, &cfg);
    for (int b = 0; b < 10; b++) {
        dma.completed = q.submitted;    /* The previous batch is done. */
        offload_dma_queue_submit(&q, 10, now);
        now += 3;
        offload_dma_queue_run(&q, now, 64, fake_dma_read, &dma);
    }
    dma.completed = q.submitted;
    while (offload_dma_queue_outstanding(&q)) {
        now = MAX(now + 1, offload_dma_queue_next_run(&q, now));
        offload_dma_queue_run(&q, now, 64, fake_dma_read, &dma);
    }
    *st = q.stats;
    ck_assert_uint_eq(st->polls, dma.n_reads);
}

START_TEST(test_dma_counters_exact)
{
    struct offload_dma_poll_stats st;

    /* Per packet: a poll per packet, plus one per run that found the
     * in-flight batch not done (10 runs, the first one after each
     * submission). */
    run_counted(OFFLOAD_DMA_PER_PACKET, &st);
    ck_assert_uint_eq(st.completions, 100);
    ck_assert_uint_eq(st.batches, 10);
    ck_assert_uint_eq(st.submitted, 100);
    ck_assert_uint_eq(st.polls, 100 + 10);
    ck_assert_uint_eq(st.empty_polls, 10);
    ck_assert_uint_eq(st.forced_polls, 0);

    /* Per batch: one poll per run while something is in flight, each
     * finding the previous batch done: 10 + the final one. */
    run_counted(OFFLOAD_DMA_PER_BATCH, &st);
    ck_assert_uint_eq(st.completions, 100);
    ck_assert_uint_eq(st.polls, 11);
    ck_assert_uint_eq(st.empty_polls, 1);   /* The very first. */
    ck_assert_uint_eq(st.forced_polls, 0);

    /* Deferred: batch N polled at batch N+1 (9 polls), the last one by
     * the timeout (1 forced), none of them empty. */
    run_counted(OFFLOAD_DMA_DEFERRED, &st);
    ck_assert_uint_eq(st.completions, 100);
    ck_assert_uint_eq(st.polls, 10);
    ck_assert_uint_eq(st.forced_polls, 1);
    ck_assert_uint_eq(st.empty_polls, 0);
    /* Batches 1-9 released 6 us after their submission, with the next
     * batch's run (bucket [4, 8)), the last after the 100 us timeout
     * (bucket [64, 128)). */
    ck_assert_uint_eq(st.delay_hist[offload_dma_hist_bucket(6)], 90);
    ck_assert_uint_eq(st.delay_hist[offload_dma_hist_bucket(100)], 10);
    ck_assert_int_eq(offload_dma_hist_percentile(st.delay_hist, 50), 8);
    ck_assert_int_eq(offload_dma_hist_percentile(st.delay_hist, 99), 128);
}
END_TEST

START_TEST(test_dma_hist_buckets)
{
    uint64_t hist[OFFLOAD_DMA_HIST_BUCKETS] = { 0 };

    ck_assert_uint_eq(offload_dma_hist_bucket(-5), 0);
    ck_assert_uint_eq(offload_dma_hist_bucket(0), 0);
    ck_assert_uint_eq(offload_dma_hist_bucket(1), 1);
    ck_assert_uint_eq(offload_dma_hist_bucket(2), 2);
    ck_assert_uint_eq(offload_dma_hist_bucket(3), 2);
    ck_assert_uint_eq(offload_dma_hist_bucket(4), 3);
    ck_assert_uint_eq(offload_dma_hist_bucket(LLONG_MAX),
                      OFFLOAD_DMA_HIST_BUCKETS - 1);
    ck_assert_int_eq(offload_dma_hist_percentile(hist, 99), 0);
}
END_TEST

struct group_ctx {
    struct fake_dma dma[2];
    uint64_t delivered[2];
};

static uint64_t
group_read(size_t queue, void *ctx_)
{
    struct group_ctx *ctx = ctx_;

    return fake_dma_read(&ctx->dma[queue]);
}

static void
group_deliver(size_t queue, uint32_t n, void *ctx_)
{
    struct group_ctx *ctx = ctx_;

    ctx->delivered[queue] += n;
}

START_TEST(test_dma_idle_not_starved)
{
    struct offload_dma_poll_config cfg = cfg_make(OFFLOAD_DMA_DEFERRED,
                                                  20, 8);
    struct offload_dma_queue busy, idle;
    struct offload_dma_queue *queues[] = { &busy, &idle };
    struct offload_dma_group g = { .queues = queues, .n = 2, .next = 0 };
    struct group_ctx ctx;
    long long int now = 0;

    memset(&ctx, 0, sizeof ctx);
    offload_dma_queue_init(&busy, &cfg);
    offload_dma_queue_init(&idle, &cfg);

    /* The busy queue has far more than a budget's worth done and keeps
     * getting batches; the idle one has one packet. */
    offload_dma_queue_submit(&idle, 1, now);
    ctx.dma[1].completed = 1;
    for (int round = 0; round < 30; round++) {
        offload_dma_queue_submit(&busy, 32, now);
        ctx.dma[0].completed = busy.submitted;
        now++;
        uint64_t n = offload_dma_group_run(&g, now, group_read,
                                           group_deliver, &ctx);
        /* Never more than a budget a queue per run. */
        ck_assert_uint_le(n, 2 * 8);
    }
    /* The idle queue's packet went out once its timeout passed, though
     * the busy queue always had work. */
    ck_assert_uint_eq(ctx.delivered[1], 1);
    ck_assert_uint_eq(idle.stats.forced_polls, 1);
    ck_assert(idle.stats.delay_hist[offload_dma_hist_bucket(20)] == 1);
    /* The busy one got its budget every round but the first. */
    ck_assert_uint_eq(ctx.delivered[0], 29 * 8);
    ck_assert_uint_ge(busy.stats.budget_stops, 29);

    /* Per batch, the idle queue is served in the first round. */
    struct offload_dma_poll_config pb = cfg_make(OFFLOAD_DMA_PER_BATCH,
                                                 20, 8);
    memset(&ctx, 0, sizeof ctx);
    offload_dma_queue_init(&busy, &pb);
    offload_dma_queue_init(&idle, &pb);
    offload_dma_queue_submit(&busy, 1000, 0);
    ctx.dma[0].completed = 1000;
    offload_dma_queue_submit(&idle, 1, 0);
    ctx.dma[1].completed = 1;
    offload_dma_group_run(&g, 1, group_read, group_deliver, &ctx);
    ck_assert_uint_eq(ctx.delivered[0], 8);
    ck_assert_uint_eq(ctx.delivered[1], 1);
}
END_TEST

/* A completion index that runs ahead of what was submitted is not
 * believed. */
/* A poll for room: in deferred mode, with a lone batch and long before
 * its timeout, the caller that needs the ring's room gets what completed
 * at once, and never more than completed. */
START_TEST(test_dma_poll_now_for_room)
{
    struct offload_dma_poll_config cfg = cfg_make(OFFLOAD_DMA_DEFERRED,
                                                  1000, 64);
    struct offload_dma_queue q;
    struct fake_dma dma = { 0, 0 };

    offload_dma_queue_init(&q, &cfg);
    ck_assert_uint_eq(offload_dma_queue_poll_now(&q, 0, 100, fake_dma_read,
                                                 &dma), 0);
    ck_assert_uint_eq(dma.n_reads, 0);      /* Nothing outstanding. */

    offload_dma_queue_submit(&q, 10, 0);
    dma.completed = 6;
    /* The deferred schedule waits: a lone batch, before its timeout. */
    ck_assert_uint_eq(offload_dma_queue_run(&q, 10, 100, fake_dma_read,
                                            &dma), 0);
    ck_assert_uint_eq(dma.n_reads, 0);
    /* For room: polled now, the 6 complete released, no more. */
    ck_assert_uint_eq(offload_dma_queue_poll_now(&q, 10, 100, fake_dma_read,
                                                 &dma), 6);
    ck_assert_uint_eq(dma.n_reads, 1);
    ck_assert_uint_eq(q.stats.pressure_polls, 1);
    ck_assert_uint_eq(q.stats.polls, 1);
    ck_assert_uint_eq(q.stats.forced_polls, 0);
    ck_assert_uint_eq(offload_dma_queue_outstanding(&q), 4);
    /* 'max' bounds it. */
    dma.completed = 10;
    ck_assert_uint_eq(offload_dma_queue_poll_now(&q, 20, 3, fake_dma_read,
                                                 &dma), 3);
    ck_assert_uint_eq(offload_dma_queue_outstanding(&q), 1);
    ck_assert_uint_eq(q.stats.completions, 9);
}
END_TEST

START_TEST(test_dma_index_clamped)
{
    struct offload_dma_poll_config cfg = cfg_make(OFFLOAD_DMA_PER_BATCH,
                                                  50, 64);
    struct offload_dma_queue q;
    struct fake_dma dma = { 100, 0 };

    offload_dma_queue_init(&q, &cfg);
    offload_dma_queue_submit(&q, 3, 0);
    ck_assert_uint_eq(offload_dma_queue_run(&q, 0, 64, fake_dma_read, &dma),
                      3);
    dma.completed = 1;              /* Going back: ignored. */
    offload_dma_queue_submit(&q, 3, 1);
    ck_assert_uint_eq(offload_dma_queue_run(&q, 1, 64, fake_dma_read, &dma),
                      0);
    ck_assert_uint_eq(q.completed, 3);
}
END_TEST

Suite *
offload_dma_poll_suite(void)
{
    Suite *s = suite_create("offload-dma-poll");
    TCase *tc = tcase_create("poller");

    tcase_add_test(tc, test_dma_mode_names);
    tcase_add_test(tc, test_dma_bad_config);
    tcase_add_test(tc, test_dma_never_before_completion);
    tcase_add_test(tc, test_dma_lone_batch_by_timeout);
    tcase_add_test(tc, test_dma_deferred_to_next_batch);
    tcase_add_test(tc, test_dma_counters_exact);
    tcase_add_test(tc, test_dma_hist_buckets);
    tcase_add_test(tc, test_dma_idle_not_starved);
    tcase_add_test(tc, test_dma_index_clamped);
    tcase_add_test(tc, test_dma_poll_now_for_room);
    suite_add_tcase(s, tc);
    return s;
}
