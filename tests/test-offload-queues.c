/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/offload-queues: who gets a NIC port's receive queues
 * under "value" and "first-come", and why the others do not. */

#include <config.h>

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lib/offload-queues.h"
#include "tests/unit-tests.h"
#include "util.h"

/* 4 queues: queue 0 the default group, 1-3 dedicatable. */
static void
tq_config(struct offload_queues_config *cfg)
{
    offload_queues_config_default(cfg);
    cfg->n_queues = 4;
    cfg->n_default = 1;
    cfg->min_pps = 100;
    cfg->hysteresis = 1.25;
    cfg->hold_ms = 5000;
    cfg->idle_ms = 2000;
}

static struct offload_queues_vm_input
tq_vm(const char *id, enum offload_queues_prio prio, double pps)
{
    return (struct offload_queues_vm_input) {
        .id = id, .prio = prio, .wanted = 1, .pps = pps, .bps = pps * 8000,
    };
}

#define NORMAL OFFLOAD_QUEUES_PRIO_NORMAL
#define HIGH OFFLOAD_QUEUES_PRIO_HIGH
#define LOW OFFLOAD_QUEUES_PRIO_LOW
#define CRITICAL OFFLOAD_QUEUES_PRIO_CRITICAL

static int
tq_queue(const struct offload_queues *oq, const char *vm)
{
    return offload_queues_queue_of(oq, vm, false, 0);
}

static enum offload_queues_reason
tq_reason(const struct offload_queues *oq, const char *vm)
{
    const struct offload_queues_vm_result *r = offload_queues_find_vm(oq, vm);

    ck_assert_ptr_nonnull(r);
    return r->reason;
}

/* How many decisions of the last round are of 'type'. */
static size_t
tq_count(const struct offload_queues *oq,
         enum offload_queues_decision_type type)
{
    size_t n = 0;

    for (size_t i = 0; i < offload_queues_n_decisions(oq); i++) {
        n += offload_queues_get_decision(oq, i)->type == type;
    }
    return n;
}

START_TEST(test_names)
{
    enum offload_queues_prio prio;

    ck_assert(offload_queues_prio_from_string("critical", &prio));
    ck_assert_int_eq(prio, CRITICAL);
    ck_assert(offload_queues_prio_from_string("low", &prio));
    ck_assert_int_eq(prio, LOW);
    ck_assert(!offload_queues_prio_from_string("urgent", &prio));
    ck_assert(!offload_queues_prio_from_string("", &prio));
    ck_assert_str_eq(offload_queues_reason_to_string(
                         OFFLOAD_QUEUES_BELOW_THRESHOLD), "below-threshold");
    ck_assert_str_eq(offload_queues_decision_to_string(
                         OFFLOAD_QUEUES_PREEMPT), "preempt");
}
END_TEST

START_TEST(test_config_check)
{
    struct offload_queues_config cfg, bad;
    struct offload_queues *oq;
    char *error;

    tq_config(&cfg);
    ck_assert_int_eq(offload_queues_config_check(&cfg, &error), 0);
    ck_assert_ptr_null(error);

    bad = cfg;
    bad.n_queues = 0;
    ck_assert_int_eq(offload_queues_config_check(&bad, &error), EINVAL);
    ck_assert_ptr_nonnull(error);
    free(error);
    bad = cfg;
    bad.n_queues = 17;
    ck_assert_int_eq(offload_queues_config_check(&bad, NULL), EINVAL);
    bad = cfg;
    bad.n_default = 5;
    ck_assert_int_eq(offload_queues_config_check(&bad, NULL), EINVAL);
    bad = cfg;
    bad.n_default = 0;
    ck_assert_int_eq(offload_queues_config_check(&bad, NULL), EINVAL);
    bad = cfg;
    bad.hysteresis = 0.5;
    ck_assert_int_eq(offload_queues_config_check(&bad, NULL), EINVAL);
    bad = cfg;
    bad.min_pps = -1;
    ck_assert_int_eq(offload_queues_config_check(&bad, NULL), EINVAL);
    bad = cfg;
    bad.hold_ms = -1;
    ck_assert_int_eq(offload_queues_config_check(&bad, NULL), EINVAL);

    /* A refused configuration leaves the old one and its assignment. */
    oq = offload_queues_create(&cfg);
    struct offload_queues_vm_input vm = tq_vm("a", NORMAL, 1000);
    offload_queues_rebalance(oq, &vm, 1, 0);
    ck_assert_int_eq(tq_queue(oq, "a"), 1);
    bad = cfg;
    bad.n_queues = 99;
    ck_assert_int_eq(offload_queues_set_config(oq, &bad, &error), EINVAL);
    free(error);
    ck_assert_int_eq(offload_queues_get_config(oq)->n_queues, 4);
    offload_queues_rebalance(oq, &vm, 1, 1000);
    ck_assert_int_eq(tq_queue(oq, "a"), 1);
    ck_assert_int_eq(offload_queues_n_decisions(oq), 0);
    offload_queues_destroy(oq);
}
END_TEST

/* 3 dedicatable queues, 5 VMs: priority first, then load; each VM
 * without a queue has its reason. */
START_TEST(test_value_ranking)
{
    struct offload_queues_config cfg;
    struct offload_queues *oq;
    struct offload_queues_vm_input vms[6];

    tq_config(&cfg);
    oq = offload_queues_create(&cfg);
    vms[0] = tq_vm("busy", NORMAL, 9000);
    vms[1] = tq_vm("vip", HIGH, 500);
    vms[2] = tq_vm("mid", NORMAL, 3000);
    vms[3] = tq_vm("light", NORMAL, 1000);
    vms[4] = tq_vm("quiet", NORMAL, 20);
    vms[5] = tq_vm("nope", CRITICAL, 50000);
    vms[5].never = true;

    ck_assert_int_eq(offload_queues_rebalance(oq, vms, 6, 0), 3);
    ck_assert_int_eq(tq_count(oq, OFFLOAD_QUEUES_ASSIGN), 3);
    /* Best first onto the lowest free queue. */
    ck_assert_int_eq(tq_queue(oq, "vip"), 1);
    ck_assert_int_eq(tq_queue(oq, "busy"), 2);
    ck_assert_int_eq(tq_queue(oq, "mid"), 3);
    ck_assert_int_eq(tq_queue(oq, "light"), -1);
    ck_assert_int_eq(tq_reason(oq, "light"), OFFLOAD_QUEUES_NO_QUEUE_FREE);
    ck_assert_int_eq(tq_reason(oq, "quiet"), OFFLOAD_QUEUES_BELOW_THRESHOLD);
    ck_assert_int_eq(tq_reason(oq, "nope"), OFFLOAD_QUEUES_NEVER);
    ck_assert_int_eq(tq_reason(oq, "busy"), OFFLOAD_QUEUES_HAS_QUEUE);
    ck_assert_int_eq(offload_queues_get_queue(oq, 0)->type,
                     OFFLOAD_QUEUES_OWNER_DEFAULT);
    ck_assert_int_eq(offload_queues_get_queue(oq, 2)->type,
                     OFFLOAD_QUEUES_OWNER_VM);
    ck_assert_str_eq(offload_queues_get_queue(oq, 2)->vm, "busy");
    /* The decision says why, with the figures. */
    ck_assert_ptr_nonnull(strstr(offload_queues_get_decision(oq, 1)->text,
                                 "9000.0 pps"));

    /* A VM with 0 queues wanted is as "never". */
    vms[3].wanted = 0;
    offload_queues_rebalance(oq, vms, 6, 1000);
    ck_assert_int_eq(tq_reason(oq, "light"), OFFLOAD_QUEUES_NEVER);
    offload_queues_destroy(oq);
}
END_TEST

/* Every dedicatable queue held by a higher priority: reason "priority". */
START_TEST(test_reason_priority)
{
    struct offload_queues_config cfg;
    struct offload_queues *oq;
    struct offload_queues_vm_input vms[4];

    tq_config(&cfg);
    oq = offload_queues_create(&cfg);
    vms[0] = tq_vm("h1", HIGH, 200);
    vms[1] = tq_vm("h2", HIGH, 200);
    vms[2] = tq_vm("h3", HIGH, 200);
    vms[3] = tq_vm("big", NORMAL, 90000);
    offload_queues_rebalance(oq, vms, 4, 0);
    ck_assert_int_eq(tq_reason(oq, "big"), OFFLOAD_QUEUES_PRIORITY);
    /* Nor does it preempt after the hold time: load does not beat
     * priority. */
    offload_queues_rebalance(oq, vms, 4, 10000);
    ck_assert_int_eq(tq_queue(oq, "big"), -1);
    ck_assert_int_eq(offload_queues_n_decisions(oq), 0);
    offload_queues_destroy(oq);
}
END_TEST

/* A VM that stops sending gives its queue back after the idle time and
 * the hold time, and the next in line gets it in the same round. */
START_TEST(test_reclaim_idle)
{
    struct offload_queues_config cfg;
    struct offload_queues *oq;
    struct offload_queues_vm_input vms[4];
    const struct offload_queues_decision *d;

    tq_config(&cfg);
    oq = offload_queues_create(&cfg);
    vms[0] = tq_vm("a", NORMAL, 5000);
    vms[1] = tq_vm("b", NORMAL, 4000);
    vms[2] = tq_vm("c", NORMAL, 3000);
    vms[3] = tq_vm("d", NORMAL, 2000);
    offload_queues_rebalance(oq, vms, 4, 0);
    ck_assert_int_eq(tq_queue(oq, "d"), -1);

    /* "b" stops at 1 s; not idle long enough at 2.5 s. */
    vms[1].pps = 0;
    offload_queues_rebalance(oq, vms, 4, 1000);
    offload_queues_rebalance(oq, vms, 4, 2500);
    ck_assert_int_eq(tq_queue(oq, "b"), 2);
    /* Idle past 2 s but the hold time (5 s) is not served at 4 s. */
    offload_queues_rebalance(oq, vms, 4, 4000);
    ck_assert_int_eq(tq_queue(oq, "b"), 2);
    ck_assert_int_eq(offload_queues_n_decisions(oq), 0);
    /* At 5 s both: reclaimed, and "d" gets queue 2. */
    ck_assert_int_eq(offload_queues_rebalance(oq, vms, 4, 5000), 2);
    d = offload_queues_get_decision(oq, 0);
    ck_assert_int_eq(d->type, OFFLOAD_QUEUES_RECLAIM);
    ck_assert_str_eq(d->vm, "b");
    ck_assert_int_eq(d->queue, 2);
    ck_assert_ptr_nonnull(strstr(d->text, "idle"));
    d = offload_queues_get_decision(oq, 1);
    ck_assert_int_eq(d->type, OFFLOAD_QUEUES_ASSIGN);
    ck_assert_str_eq(d->vm, "d");
    ck_assert_int_eq(tq_queue(oq, "d"), 2);
    ck_assert_int_eq(tq_reason(oq, "b"), OFFLOAD_QUEUES_BELOW_THRESHOLD);

    /* A holder slowing just below min_pps (but above min / hysteresis)
     * keeps its queue: no reclaim at the threshold's edge. */
    vms[3].pps = 90;
    offload_queues_rebalance(oq, vms, 4, 20000);
    offload_queues_rebalance(oq, vms, 4, 30000);
    ck_assert_int_eq(tq_queue(oq, "d"), 2);

    /* Idle and hold times of 0: an active holder stays, an idle one goes
     * at the next round. */
    cfg.hold_ms = cfg.idle_ms = 0;
    ck_assert_int_eq(offload_queues_set_config(oq, &cfg, NULL), 0);
    offload_queues_rebalance(oq, vms, 4, 30001);
    ck_assert_int_eq(offload_queues_n_decisions(oq), 0);
    vms[3].pps = 0;
    offload_queues_rebalance(oq, vms, 4, 30002);
    ck_assert_int_eq(tq_queue(oq, "d"), -1);
    offload_queues_destroy(oq);
}
END_TEST

/* A VM that goes away frees its queue at once, in both policies. */
START_TEST(test_reclaim_gone)
{
    for (int p = 0; p < 2; p++) {
        struct offload_queues_config cfg;
        struct offload_queues *oq;
        struct offload_queues_vm_input vms[2];

        tq_config(&cfg);
        cfg.policy = p ? OFFLOAD_POLICY_FIRST_COME : OFFLOAD_POLICY_VALUE;
        oq = offload_queues_create(&cfg);
        vms[0] = tq_vm("a", NORMAL, 5000);
        vms[1] = tq_vm("b", NORMAL, 4000);
        offload_queues_rebalance(oq, vms, 2, 0);
        ck_assert_int_eq(tq_queue(oq, "a"), 1);
        offload_queues_rebalance(oq, &vms[1], 1, 100);
        ck_assert_int_eq(offload_queues_n_decisions(oq), 1);
        ck_assert_int_eq(offload_queues_get_decision(oq, 0)->type,
                         OFFLOAD_QUEUES_RECLAIM);
        ck_assert_int_eq(offload_queues_get_queue(oq, 1)->type,
                         OFFLOAD_QUEUES_OWNER_FREE);
        /* Configured never: also at once. */
        vms[1].never = true;
        offload_queues_rebalance(oq, &vms[1], 1, 200);
        ck_assert_int_eq(tq_queue(oq, "b"), -1);
        ck_assert_int_eq(tq_reason(oq, "b"), OFFLOAD_QUEUES_NEVER);
        offload_queues_destroy(oq);
    }
}
END_TEST

/* A higher-priority newcomer preempts the weakest holder once its hold
 * time is served; a heavier newcomer of equal priority only beyond the
 * hysteresis factor. */
START_TEST(test_preempt)
{
    struct offload_queues_config cfg;
    struct offload_queues *oq;
    struct offload_queues_vm_input vms[5];
    const struct offload_queues_decision *d;

    tq_config(&cfg);
    oq = offload_queues_create(&cfg);
    vms[0] = tq_vm("a", NORMAL, 5000);
    vms[1] = tq_vm("b", NORMAL, 4000);
    vms[2] = tq_vm("c", NORMAL, 1000);
    offload_queues_rebalance(oq, vms, 3, 0);
    ck_assert_int_eq(tq_queue(oq, "c"), 3);

    /* A high-priority newcomer within c's hold time waits. */
    vms[3] = tq_vm("vip", HIGH, 150);
    offload_queues_rebalance(oq, vms, 4, 1000);
    ck_assert_int_eq(tq_queue(oq, "vip"), -1);
    ck_assert_int_eq(tq_reason(oq, "vip"), OFFLOAD_QUEUES_NO_QUEUE_FREE);
    offload_queues_rebalance(oq, vms, 4, 5000);
    ck_assert_int_eq(tq_queue(oq, "vip"), 3);
    ck_assert_int_eq(offload_queues_n_decisions(oq), 1);
    d = offload_queues_get_decision(oq, 0);
    ck_assert_int_eq(d->type, OFFLOAD_QUEUES_PREEMPT);
    ck_assert_str_eq(d->vm, "vip");
    ck_assert_str_eq(d->victim, "c");
    ck_assert_ptr_nonnull(strstr(d->text, "higher priority"));
    ck_assert_int_eq(tq_reason(oq, "c"), OFFLOAD_QUEUES_NO_QUEUE_FREE);

    /* Equal priority: 4900 over b's 4000 is within 1.25x: no. */
    vms[4] = tq_vm("e", NORMAL, 4900);
    offload_queues_rebalance(oq, vms, 5, 6000);
    ck_assert_int_eq(tq_queue(oq, "e"), -1);
    ck_assert_int_eq(tq_queue(oq, "b"), 2);
    /* 5100 is beyond it: e takes the weakest normal holder, b. */
    vms[4].pps = 5100;
    offload_queues_rebalance(oq, vms, 5, 7000);
    ck_assert_int_eq(tq_queue(oq, "e"), 2);
    ck_assert_int_eq(tq_count(oq, OFFLOAD_QUEUES_PREEMPT), 1);
    ck_assert_ptr_nonnull(strstr(offload_queues_get_decision(oq, 0)->text,
                                 "hysteresis"));
    /* The high-priority holder is never the victim of load. */
    ck_assert_int_eq(tq_queue(oq, "vip"), 3);
    offload_queues_destroy(oq);
}
END_TEST

/* Two VMs of similar load trading the lead every round never swap, and
 * two that differ a lot swap at most once per hold time. */
START_TEST(test_no_flapping)
{
    struct offload_queues_config cfg;
    struct offload_queues *oq;
    struct offload_queues_vm_input vms[2];
    uint64_t decisions;

    tq_config(&cfg);
    cfg.n_queues = 2;               /* One dedicatable queue. */
    oq = offload_queues_create(&cfg);
    vms[0] = tq_vm("a", NORMAL, 1000);
    vms[1] = tq_vm("b", NORMAL, 900);
    offload_queues_rebalance(oq, vms, 2, 0);
    decisions = offload_queues_total_decisions(oq);
    for (int t = 1; t <= 100; t++) {
        vms[0].pps = t % 2 ? 900 : 1100;
        vms[1].pps = t % 2 ? 1100 : 900;
        offload_queues_rebalance(oq, vms, 2, t * 1000);
    }
    ck_assert_int_eq(offload_queues_total_decisions(oq), decisions);
    ck_assert_int_eq(tq_queue(oq, "a"), 1);

    /* 10x swings every second: one preemption per hold time at most. */
    for (int t = 101; t <= 160; t++) {
        vms[0].pps = t % 2 ? 100 : 10000;
        vms[1].pps = t % 2 ? 10000 : 100;
        offload_queues_rebalance(oq, vms, 2, t * 1000);
    }
    ck_assert_uint_le(offload_queues_total_decisions(oq) - decisions,
                      60 / 5 + 1);
    offload_queues_destroy(oq);
}
END_TEST

/* A flow heavy enough on its own gets a queue; its VM's own load is what
 * is left. */
START_TEST(test_flow_queue)
{
    struct offload_queues_config cfg;
    struct offload_queues *oq;
    struct offload_queues_vm_input vms[3];
    struct offload_queues_flow_input flows[2] = {
        { .id = 7, .name = "udp 10.0.0.1:5000>10.0.0.9:6000",
          .pps = 20000, .bps = 1.6e8, .proto = IPPROTO_UDP },
        { .id = 8, .name = "icmp 10.0.0.1>10.0.0.9",
          .pps = 30000, .proto = IPPROTO_ICMP },
    };
    const struct offload_queues_queue *q;

    tq_config(&cfg);
    cfg.flow_min_pps = 10000;
    oq = offload_queues_create(&cfg);
    vms[0] = tq_vm("a", NORMAL, 3000);
    vms[1] = tq_vm("b", NORMAL, 2000);
    vms[2] = tq_vm("heavy", NORMAL, 50500);
    vms[2].flows = flows;
    vms[2].n_flows = 2;
    vms[2].wanted = 2;
    offload_queues_rebalance(oq, vms, 3, 0);
    /* The UDP flow (20000) and the VM's remaining 30500 (the ICMP flow
     * cannot have a 5-tuple queue) take two queues, "a" the third. */
    ck_assert_int_eq(tq_queue(oq, "heavy"), 1);
    ck_assert_int_eq(offload_queues_queue_of(oq, "heavy", true, 7), 2);
    ck_assert_int_eq(offload_queues_queue_of(oq, "heavy", true, 8), -1);
    ck_assert_int_eq(tq_queue(oq, "a"), 3);
    q = offload_queues_get_queue(oq, 2);
    ck_assert_int_eq(q->type, OFFLOAD_QUEUES_OWNER_FLOW);
    ck_assert_uint_eq(q->flow_id, 7);
    ck_assert_str_eq(q->flow_name, "udp 10.0.0.1:5000>10.0.0.9:6000");
    ck_assert_int_eq(offload_queues_find_vm(oq, "heavy")->n_queues, 2);

    /* With one queue wanted it keeps the heavier of the two. */
    offload_queues_destroy(oq);
    oq = offload_queues_create(&cfg);
    vms[2].wanted = 1;
    offload_queues_rebalance(oq, vms, 3, 0);
    ck_assert_int_eq(tq_queue(oq, "heavy"), 1);
    ck_assert_int_eq(offload_queues_queue_of(oq, "heavy", true, 7), -1);
    ck_assert_int_eq(tq_queue(oq, "b"), 3);

    /* The flow stops: flow queues reclaim as VMs do.  (Another layout:
     * a VM whose traffic is one flow gets a flow queue only.) */
    offload_queues_destroy(oq);
    oq = offload_queues_create(&cfg);
    vms[2].pps = 20000;
    vms[2].n_flows = 1;
    offload_queues_rebalance(oq, &vms[2], 1, 0);
    ck_assert_int_eq(offload_queues_queue_of(oq, "heavy", true, 7), 1);
    ck_assert_int_eq(tq_queue(oq, "heavy"), -1);
    ck_assert_int_eq(tq_reason(oq, "heavy"), OFFLOAD_QUEUES_HAS_QUEUE);
    vms[2].n_flows = 0;
    vms[2].pps = 0;
    offload_queues_rebalance(oq, &vms[2], 1, 1000);
    offload_queues_rebalance(oq, &vms[2], 1, 6000);
    ck_assert_int_eq(offload_queues_queue_of(oq, "heavy", true, 7), -1);
    ck_assert_int_eq(tq_count(oq, OFFLOAD_QUEUES_RECLAIM), 1);
    offload_queues_destroy(oq);
}
END_TEST

/* Burstiness raises a VM's load: a bursty VM beats a steady one of the
 * same mean rate. */
START_TEST(test_burstiness)
{
    struct offload_queues_config cfg;
    struct offload_queues *oq;
    struct offload_queues_vm_input vms[2];

    ck_assert(offload_queues_load(1000, 3) > offload_queues_load(1000, 1));
    ck_assert(offload_queues_load(1000, 0) == 1000);
    ck_assert(offload_queues_load(1000, 1e9)
              == offload_queues_load(1000, 5));
    tq_config(&cfg);
    cfg.n_queues = 2;
    oq = offload_queues_create(&cfg);
    vms[0] = tq_vm("steady", NORMAL, 1000);
    vms[1] = tq_vm("bursty", NORMAL, 1000);
    vms[1].burstiness = 3;
    offload_queues_rebalance(oq, vms, 2, 0);
    ck_assert_int_eq(tq_queue(oq, "bursty"), 1);
    offload_queues_destroy(oq);
}
END_TEST

/* first-come is VMQ: order of appearance, no threshold, no preemption,
 * no idle reclaim. */
START_TEST(test_first_come)
{
    struct offload_queues_config cfg;
    struct offload_queues *oq;
    struct offload_queues_vm_input vms[5];

    tq_config(&cfg);
    cfg.policy = OFFLOAD_POLICY_FIRST_COME;
    cfg.flow_min_pps = 100;
    oq = offload_queues_create(&cfg);
    vms[0] = tq_vm("first", LOW, 0);
    vms[1] = tq_vm("second", NORMAL, 10);
    offload_queues_rebalance(oq, vms, 2, 0);
    vms[2] = tq_vm("third", NORMAL, 100);
    vms[3] = tq_vm("late-vip", CRITICAL, 90000);
    offload_queues_rebalance(oq, vms, 4, 1000);
    vms[4] = tq_vm("later", NORMAL, 100000);
    offload_queues_rebalance(oq, vms, 5, 2000);
    ck_assert_int_eq(tq_queue(oq, "first"), 1);
    ck_assert_int_eq(tq_queue(oq, "second"), 2);
    ck_assert_int_eq(tq_queue(oq, "third"), 3);
    ck_assert_int_eq(tq_queue(oq, "late-vip"), -1);
    ck_assert_int_eq(tq_queue(oq, "later"), -1);
    ck_assert_int_eq(tq_reason(oq, "later"), OFFLOAD_QUEUES_NO_QUEUE_FREE);
    /* Hours later nothing has moved. */
    for (int t = 3; t < 100; t++) {
        offload_queues_rebalance(oq, vms, 5, t * 60000LL);
        ck_assert_int_eq(offload_queues_n_decisions(oq), 0);
    }
    /* "first" goes away: the next in order of appearance gets it, not
     * the heaviest. */
    offload_queues_rebalance(oq, &vms[1], 4, 10000000);
    ck_assert_int_eq(tq_queue(oq, "late-vip"), 1);
    ck_assert_int_eq(tq_queue(oq, "later"), -1);
    offload_queues_destroy(oq);
}
END_TEST

/* Fewer queues: a holder of a queue that goes away moves to a free one,
 * or loses it. */
START_TEST(test_move_on_resize)
{
    struct offload_queues_config cfg;
    struct offload_queues *oq;
    struct offload_queues_vm_input vms[3];
    const struct offload_queues_decision *d;

    tq_config(&cfg);
    cfg.n_queues = 6;
    oq = offload_queues_create(&cfg);
    vms[0] = tq_vm("a", NORMAL, 5000);
    vms[1] = tq_vm("b", NORMAL, 4000);
    vms[2] = tq_vm("c", NORMAL, 3000);
    offload_queues_rebalance(oq, vms, 3, 0);
    /* Queues 1-3 held, 4 and 5 free. */
    ck_assert_int_eq(tq_queue(oq, "a"), 1);

    cfg.n_default = 2;                 /* Queue 1 joins the default group. */
    ck_assert_int_eq(offload_queues_set_config(oq, &cfg, NULL), 0);
    offload_queues_rebalance(oq, vms, 3, 300);
    ck_assert_int_eq(offload_queues_n_decisions(oq), 1);
    d = offload_queues_get_decision(oq, 0);
    ck_assert_int_eq(d->type, OFFLOAD_QUEUES_MOVE);
    ck_assert_int_eq(d->from_queue, 1);
    ck_assert_int_eq(d->queue, 4);
    ck_assert_int_eq(tq_queue(oq, "a"), 4);
    ck_assert_int_eq(offload_queues_get_queue(oq, 1)->type,
                     OFFLOAD_QUEUES_OWNER_DEFAULT);

    cfg.n_queues = 3;                  /* Only queue 2 dedicatable. */
    ck_assert_int_eq(offload_queues_set_config(oq, &cfg, NULL), 0);
    offload_queues_rebalance(oq, vms, 3, 400);
    ck_assert_int_eq(tq_count(oq, OFFLOAD_QUEUES_RECLAIM), 2);
    ck_assert_int_eq(offload_queues_n_queues(oq), 3);
    ck_assert_int_eq(tq_queue(oq, "b"), 2);
    offload_queues_destroy(oq);
}
END_TEST

Suite *
offload_queues_suite(void)
{
    Suite *s = suite_create("offload-queues");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_config_check);
    tcase_add_test(tc, test_value_ranking);
    tcase_add_test(tc, test_reason_priority);
    tcase_add_test(tc, test_reclaim_idle);
    tcase_add_test(tc, test_reclaim_gone);
    tcase_add_test(tc, test_preempt);
    tcase_add_test(tc, test_no_flapping);
    tcase_add_test(tc, test_flow_queue);
    tcase_add_test(tc, test_burstiness);
    tcase_add_test(tc, test_first_come);
    tcase_add_test(tc, test_move_on_resize);
    suite_add_tcase(s, tc);
    return s;
}
