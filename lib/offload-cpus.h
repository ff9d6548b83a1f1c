/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_CPUS_H
#define OFFLOAD_CPUS_H 1

/* The CPU aligner: which CPU (PMD thread) processes each receive queue of
 * each NIC port, how the port's RSS indirection table spreads its flows
 * over those queues, and when to re-steer work away from a CPU that stays
 * over-burdened.  Pure logic: the caller gives configuration, the allowed
 * CPUs (pmd-cpu-mask) with their NUMA nodes, measured loads and the time,
 * and applies what it decides (pmd-rxq-affinity, nic_rss_set(), filters).
 *
 * Loads are fractions of one CPU (1.0: a CPU fully busy); a demand above
 * 1.0 is what the CPU would need, i.e. it is dropping.
 *
 * Unlike OVS's pmd-auto-lb, which moves whole rx queues, the aligner
 * splits a hot queue: it moves RSS indirection entries, or single heavy
 * flows (through a queue filter), to queues on less loaded CPUs.  A model
 * of pmd-auto-lb is included at the end, to compare against. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/nic-rss.h"

enum offload_cpus_mode {
    OFFLOAD_CPUS_NUMA,          /* PMDs of the NIC's NUMA node. */
    OFFLOAD_CPUS_DEDICATED,     /* The NIC's own CPU list, no other NIC's
                                 * queues on it. */
    OFFLOAD_CPUS_SPREAD,        /* All allowed CPUs. */
    OFFLOAD_CPUS_CONSERVATIVE,  /* As few CPUs as carry the load. */
    OFFLOAD_CPUS_MANUAL,        /* Operator's pmd-rxq-affinity, untouched. */
};

bool offload_cpus_mode_from_string(const char *, enum offload_cpus_mode *);
const char *offload_cpus_mode_to_string(enum offload_cpus_mode);

/* One CPU the PMD threads may use (one bit of pmd-cpu-mask). */
struct offload_cpus_cpu {
    int id;                     /* Core id. */
    int numa;                   /* Its NUMA node. */
};

/* One NIC port. */
struct offload_cpus_nic_config {
    const char *name;
    bool has_mode;              /* Per-NIC override of the global mode. */
    enum offload_cpus_mode mode;
    int numa;                   /* NIC's NUMA node, -1: unknown (all). */
    int base_cpu, max_cpu;      /* Core id range it may use, -1: none. */
    const int *cpus;            /* Dedicated: its core ids. */
    size_t n_cpus;
    uint32_t n_queues;          /* Receive queues (1..NIC_RSS_RETA_SIZE). */
};

struct offload_cpus_config {
    enum offload_cpus_mode mode;        /* Global. */
    double threshold;           /* A CPU above it is overloaded (0..1]. */
    double hysteresis;          /* Overload ends below threshold - this;
                                 * conservative shrinks there too. */
    long long int interval_ms;  /* Overloaded this long: re-distribute. */
    long long int min_move_ms;  /* Least time between two moves. */
    const struct offload_cpus_cpu *cpus;        /* Allowed CPUs. */
    size_t n_cpus;
    const struct offload_cpus_nic_config *nics;
    size_t n_nics;
};

/* Defaults: spread, threshold 0.8, hysteresis 0.1, interval 1000 ms,
 * min_move 500 ms, no CPUs, no NICs. */
void offload_cpus_config_default(struct offload_cpus_config *);

/* Returns 0, or EINVAL and a malloc'd message in '*errorp': an unknown
 * CPU in a list, overlapping dedicated lists, a bad range or figure. */
int offload_cpus_config_check(const struct offload_cpus_config *,
                              char **errorp);

/* A heavy flow the caller knows of (e.g. from the offload tracker). */
struct offload_cpus_flow_load {
    uint64_t id;
    const char *name;           /* For logs. */
    uint32_t entry;             /* Indirection entry its hash selects. */
    double load;
};

/* What was measured of one NIC in the last interval.  'entry_load' does
 * not include the heavy flows, which are listed apart. */
struct offload_cpus_nic_load {
    double entry_load[NIC_RSS_RETA_SIZE];
    const struct offload_cpus_flow_load *flows;
    size_t n_flows;
};

/* Fills 'entry_load' from per-queue loads (NIC queue counters or PMD
 * cycles per rx queue), spreading each queue's load, less its heavy
 * flows' (as steered by 'oc' now), evenly over the entries that name it. */
struct offload_cpus;
void offload_cpus_estimate_entries(const struct offload_cpus *, size_t nic,
                                   const double *queue_load,
                                   struct offload_cpus_nic_load *);

enum offload_cpus_decision_type {
    OFFLOAD_CPUS_PLACE,         /* Queues (re)placed from configuration. */
    OFFLOAD_CPUS_SPLIT,         /* Entries/flows moved off a hot CPU. */
    OFFLOAD_CPUS_GROW,          /* Conservative: one CPU more. */
    OFFLOAD_CPUS_SHRINK,        /* Conservative: one CPU less. */
};

const char *offload_cpus_decision_to_string(enum offload_cpus_decision_type);

struct offload_cpus_decision {
    enum offload_cpus_decision_type type;
    char *nic;                  /* NULL: all NICs (PLACE). */
    int from_cpu;               /* Hot CPU (SPLIT), -1 otherwise. */
    uint32_t n_entries;         /* Indirection entries moved. */
    uint32_t n_flows;           /* Heavy flows given a filter. */
    uint32_t n_queues_moved;    /* Whole queues moved (GROW, SHRINK, or a
                                 * SPLIT with no queue to split into). */
    double from_before, from_after;     /* Hot CPU's load. */
    double max_before, max_after;       /* Over the NIC's CPUs. */
    double mean;                /* Over the NIC's CPUs. */
    long long int at_ms;
    char *text;                 /* One line: why, and the figures. */
};

/* A heavy flow steered by a queue filter. */
struct offload_cpus_filter {
    uint64_t flow_id;
    uint32_t entry;
    uint32_t queue;
};

struct offload_cpus *offload_cpus_create(void);
void offload_cpus_destroy(struct offload_cpus *);

/* Takes a new configuration at 'now_ms'.  Returns 0 (the queues are
 * placed again, one PLACE decision), or EINVAL with a message in
 * '*errorp', the previous configuration and mapping staying. */
int offload_cpus_set_config(struct offload_cpus *,
                            const struct offload_cpus_config *,
                            long long int now_ms, char **errorp);

/* One round at 'now_ms' with the loads of the last interval, one per NIC
 * in configuration order ('cpu_other': load of each allowed CPU that is
 * not the NICs' queues, may be NULL).  Returns the number of decisions. */
size_t offload_cpus_run(struct offload_cpus *,
                        const struct offload_cpus_nic_load *loads,
                        const double *cpu_other, long long int now_ms);

/* State left by the last call. */
enum offload_cpus_mode offload_cpus_global_mode(const struct offload_cpus *);
size_t offload_cpus_n_nics(const struct offload_cpus *);
const char *offload_cpus_nic_name(const struct offload_cpus *, size_t nic);
enum offload_cpus_mode offload_cpus_nic_mode(const struct offload_cpus *,
                                             size_t nic);
uint32_t offload_cpus_nic_n_queues(const struct offload_cpus *, size_t nic);
/* Core id of 'queue', or -1 (manual: the operator's). */
int offload_cpus_queue_cpu(const struct offload_cpus *, size_t nic,
                           uint32_t queue);
const uint16_t *offload_cpus_reta(const struct offload_cpus *, size_t nic);
size_t offload_cpus_n_filters(const struct offload_cpus *, size_t nic);
const struct offload_cpus_filter *offload_cpus_get_filter(
    const struct offload_cpus *, size_t nic, size_t i);
/* Last measured load of 'queue' (0 before any run). */
double offload_cpus_queue_load(const struct offload_cpus *, size_t nic,
                               uint32_t queue);

size_t offload_cpus_n_cpus(const struct offload_cpus *);
const struct offload_cpus_cpu *offload_cpus_get_cpu(
    const struct offload_cpus *, size_t i);
double offload_cpus_cpu_load(const struct offload_cpus *, size_t i);
bool offload_cpus_cpu_overloaded(const struct offload_cpus *, size_t i);

size_t offload_cpus_n_decisions(const struct offload_cpus *);
const struct offload_cpus_decision *offload_cpus_get_decision(
    const struct offload_cpus *, size_t i);
/* The last SPLIT/GROW/SHRINK ever, or NULL. */
const struct offload_cpus_decision *offload_cpus_last_move(
    const struct offload_cpus *);
uint64_t offload_cpus_total_moves(const struct offload_cpus *);

/* A model of OVS's pmd-auto-lb (dpif-netdev): PMD loads sampled every
 * 'sample_ms' (10 s), a PMD overloaded when all samples of the last
 * 'window_ms' (60 s) are at or above 'load_threshold' (0.95); then a
 * whole-queue reassignment (heaviest queue to the least loaded PMD) is
 * taken only if it improves the variance of PMD loads by
 * 'improvement' (0.25), at most once per 'rebal_ms' (60 s).  PMD loads
 * are capped at 1.0, as busy cycles are. */
struct offload_cpus_autolb_config {
    long long int sample_ms, window_ms, rebal_ms;
    double load_threshold, improvement;
};

void offload_cpus_autolb_config_default(struct offload_cpus_autolb_config *);

struct offload_cpus_autolb;
/* 'queue_cpu': initial PMD index (0..n_pmds-1) of each of 'n_queues'. */
struct offload_cpus_autolb *offload_cpus_autolb_create(
    const struct offload_cpus_autolb_config *, size_t n_pmds,
    size_t n_queues, const int *queue_cpu);
void offload_cpus_autolb_destroy(struct offload_cpus_autolb *);
/* Feeds the queue loads at 'now_ms' (call at least every sample_ms).
 * Returns true if it reassigned. */
bool offload_cpus_autolb_run(struct offload_cpus_autolb *,
                             const double *queue_load, long long int now_ms);
int offload_cpus_autolb_queue_cpu(const struct offload_cpus_autolb *,
                                  size_t queue);
uint64_t offload_cpus_autolb_n_rebalances(const struct offload_cpus_autolb *);

/* dpif-netdev's own figures, from the text of "dpif-netdev/pmd-stats-show"
 * (cumulative busy and idle cycles per PMD, which the daemon samples and
 * subtracts) and "dpif-netdev/pmd-rxq-show" (which PMD polls each rx
 * queue, and its "pmd usage", averaged by OVS 3.1 over 5 s intervals). */
struct offload_cpus_pmd {
    int core, numa;
    uint64_t busy, idle;        /* Processing and idle cycles so far. */
};

struct offload_cpus_rxq {
    char *port;
    int queue, core;
    int usage;                  /* Percent, -1: "NOT AVAIL". */
};

struct offload_cpus_pmd_sample {
    struct offload_cpus_pmd *pmds;
    size_t n_pmds;
    struct offload_cpus_rxq *rxqs;
    size_t n_rxqs;
};

/* Each adds what 'text' says to 'sample' (PMD threads only, not the main
 * thread).  Return 0, or EINVAL for text that is not that command's
 * output (the sample is then unchanged). */
int offload_cpus_parse_pmd_stats(const char *text,
                                 struct offload_cpus_pmd_sample *);
int offload_cpus_parse_pmd_rxqs(const char *text,         /* "" ok. */
                                struct offload_cpus_pmd_sample *);
void offload_cpus_pmd_sample_clear(struct offload_cpus_pmd_sample *);
const struct offload_cpus_pmd *offload_cpus_pmd_find(
    const struct offload_cpus_pmd_sample *, int core);
/* The PMD core polling queue 'queue' of 'port', or -1. */
int offload_cpus_rxq_core(const struct offload_cpus_pmd_sample *,
                          const char *port, int queue);

#endif /* offload-cpus.h */
