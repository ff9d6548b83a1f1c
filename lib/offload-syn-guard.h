/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_SYN_GUARD_H
#define OFFLOAD_SYN_GUARD_H 1

/* The SYN-flood guard's state machine: pure logic on a caller's clock.
 *
 * The NIC counts SYN-without-ACK per port and per destination (address
 * and TCP port) in windows of 'window_ms'.  When the port's rate or one
 * destination's rate stays above its threshold for 'engage_ms', the guard
 * engages: the NIC then sends SYNs (and misses of new flows) to a low,
 * rate-limited class.  It disengages when both rates stay below
 * 'release_pct' percent of their thresholds (hysteresis) for 'calm_ms'.
 * Every transition is recorded with its figures. */

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/dynamic-string.h"

#define OFFLOAD_SYN_GUARD_DSTS 64       /* Destinations counted apart. */
#define OFFLOAD_SYN_GUARD_HISTORY 8     /* Transitions kept. */

struct offload_syn_guard_config {
    bool enabled;
    uint64_t port_pps;                  /* Port threshold, SYN/s, >= 1. */
    uint64_t dst_pps;                   /* Per destination, SYN/s, >= 1. */
    uint32_t window_ms;                 /* Measuring window, 10..10000. */
    uint32_t engage_ms;                 /* Above for this long: engage. */
    uint32_t calm_ms;                   /* Below for this long: release. */
    uint32_t release_pct;               /* 1..100 of the thresholds. */
};

void offload_syn_guard_config_default(struct offload_syn_guard_config *);
/* NULL or a malloc'd message on what is wrong. */
char *offload_syn_guard_config_check(const struct offload_syn_guard_config *)
    OVS_WARN_UNUSED_RESULT;

#define OFFLOAD_SYN_GUARD_STATES                                        \
    OFFLOAD_SYN_GUARD_STATE(OFF, "off")           /* Disabled. */       \
    OFFLOAD_SYN_GUARD_STATE(CALM, "calm")         /* Below threshold. */ \
    OFFLOAD_SYN_GUARD_STATE(SUSPECT, "suspect")   /* Above, not long. */ \
    OFFLOAD_SYN_GUARD_STATE(ENGAGED, "engaged")                         \
    OFFLOAD_SYN_GUARD_STATE(RELEASING, "releasing") /* Engaged, calm. */

enum offload_syn_guard_state {
#define OFFLOAD_SYN_GUARD_STATE(ENUM, NAME) OFFLOAD_SYN_GUARD_##ENUM,
    OFFLOAD_SYN_GUARD_STATES
#undef OFFLOAD_SYN_GUARD_STATE
    OFFLOAD_SYN_GUARD_N_STATES
};

const char *offload_syn_guard_state_name(enum offload_syn_guard_state);

/* A destination of SYNs. */
struct offload_syn_dst {
    uint8_t addr[16];                   /* IPv4 in the first 4 bytes. */
    uint16_t port;                      /* TCP destination port. */
};

struct offload_syn_guard_transition {
    uint64_t time_ms;
    enum offload_syn_guard_state from, to;
    uint64_t port_pps;                  /* Rate of the last window. */
    uint64_t dst_pps;                   /* Top destination's rate. */
    struct offload_syn_dst dst;         /* The top destination. */
};

struct offload_syn_guard {
    struct offload_syn_guard_config cfg;
    enum offload_syn_guard_state state;
    uint64_t since_ms;                  /* Entered SUSPECT or RELEASING. */

    /* The current window. */
    uint64_t window_start_ms;
    uint64_t window_syns;
    struct {
        struct offload_syn_dst dst;
        uint64_t n;
    } dsts[OFFLOAD_SYN_GUARD_DSTS];
    uint32_t n_dsts;
    uint64_t other_syns;                /* Destinations beyond the table. */

    /* The last complete window's rates. */
    uint64_t last_port_pps, last_dst_pps;
    struct offload_syn_dst last_dst;

    /* Counters. */
    uint64_t syns;                      /* Every SYN-without-ACK. */
    uint64_t n_engaged;                 /* Times engaged. */
    uint64_t n_transitions;
    struct offload_syn_guard_transition history[OFFLOAD_SYN_GUARD_HISTORY];
};

void offload_syn_guard_init(struct offload_syn_guard *,
                            const struct offload_syn_guard_config *,
                            uint64_t now_ms);
/* Changes the configuration, keeping the counters; disabling it turns it
 * off (a transition), enabling it starts calm. */
void offload_syn_guard_set(struct offload_syn_guard *,
                           const struct offload_syn_guard_config *,
                           uint64_t now_ms);

/* Counts one SYN-without-ACK to 'dst' (first runs the clock). */
void offload_syn_guard_count(struct offload_syn_guard *,
                             const struct offload_syn_dst *, uint64_t now_ms);
/* Runs the clock: closes every window that ended by 'now_ms' and steps
 * the state machine.  Returns true if the state changed (the caller logs
 * offload_syn_guard_last()). */
bool offload_syn_guard_run(struct offload_syn_guard *, uint64_t now_ms);
/* Whether SYNs now go to the guard's class. */
bool offload_syn_guard_engaged(const struct offload_syn_guard *);
/* The latest transition, or NULL if none. */
const struct offload_syn_guard_transition *
offload_syn_guard_last(const struct offload_syn_guard *);

void offload_syn_dst_format(struct ds *, const struct offload_syn_dst *);
void offload_syn_guard_transition_format(
    struct ds *, const struct offload_syn_guard_transition *);
void offload_syn_guard_format(struct ds *, const struct offload_syn_guard *);

#endif /* offload-syn-guard.h */
