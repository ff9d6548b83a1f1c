/* SPDX-License-Identifier: Apache-2.0 */
/* The SYN-flood guard's state machine (see offload-syn-guard.h). */

#include <config.h>

#include "lib/offload-syn-guard.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

const char *
offload_syn_guard_state_name(enum offload_syn_guard_state state)
{
    switch (state) {
#define OFFLOAD_SYN_GUARD_STATE(ENUM, NAME) \
    case OFFLOAD_SYN_GUARD_##ENUM: return NAME;
    OFFLOAD_SYN_GUARD_STATES
#undef OFFLOAD_SYN_GUARD_STATE
    case OFFLOAD_SYN_GUARD_N_STATES:
        break;
    }
    return "unknown";
}

void
offload_syn_guard_config_default(struct offload_syn_guard_config *cfg)
{
    *cfg = (struct offload_syn_guard_config) {
        .enabled = false,
        .port_pps = 2000,
        .dst_pps = 1000,
        .window_ms = 100,
        .engage_ms = 300,
        .calm_ms = 2000,
        .release_pct = 50,
    };
}

char *
offload_syn_guard_config_check(const struct offload_syn_guard_config *cfg)
{
    if (!cfg->port_pps || !cfg->dst_pps) {
        return xstrdup("SYN guard thresholds must be at least 1 SYN/s");
    }
    if (cfg->window_ms < 10 || cfg->window_ms > 10000) {
        return xasprintf("SYN guard window %"PRIu32" ms is not 10 to 10000",
                         cfg->window_ms);
    }
    if (cfg->engage_ms > 600000 || cfg->calm_ms > 600000) {
        return xstrdup("SYN guard engage and calm intervals must be at "
                       "most 600000 ms");
    }
    if (!cfg->release_pct || cfg->release_pct > 100) {
        return xasprintf("SYN guard release %"PRIu32"%% is not 1 to 100",
                         cfg->release_pct);
    }
    return NULL;
}

static void
offload_syn_guard_window_reset(struct offload_syn_guard *g, uint64_t start)
{
    g->window_start_ms = start;
    g->window_syns = 0;
    g->n_dsts = 0;
    g->other_syns = 0;
}

static void
offload_syn_guard_goto(struct offload_syn_guard *g,
                       enum offload_syn_guard_state to, uint64_t now_ms)
{
    struct offload_syn_guard_transition *t
        = &g->history[g->n_transitions % OFFLOAD_SYN_GUARD_HISTORY];

    *t = (struct offload_syn_guard_transition) {
        .time_ms = now_ms, .from = g->state, .to = to,
        .port_pps = g->last_port_pps, .dst_pps = g->last_dst_pps,
        .dst = g->last_dst,
    };
    g->n_transitions++;
    if (to == OFFLOAD_SYN_GUARD_ENGAGED
        && g->state != OFFLOAD_SYN_GUARD_RELEASING) {
        g->n_engaged++;
    }
    g->state = to;
    g->since_ms = now_ms;
}

void
offload_syn_guard_init(struct offload_syn_guard *g,
                       const struct offload_syn_guard_config *cfg,
                       uint64_t now_ms)
{
    memset(g, 0, sizeof *g);
    g->cfg = *cfg;
    g->state = cfg->enabled ? OFFLOAD_SYN_GUARD_CALM : OFFLOAD_SYN_GUARD_OFF;
    g->since_ms = now_ms;
    offload_syn_guard_window_reset(g, now_ms);
}

void
offload_syn_guard_set(struct offload_syn_guard *g,
                      const struct offload_syn_guard_config *cfg,
                      uint64_t now_ms)
{
    bool was = g->cfg.enabled;

    g->cfg = *cfg;
    if (was && !cfg->enabled) {
        offload_syn_guard_goto(g, OFFLOAD_SYN_GUARD_OFF, now_ms);
    } else if (!was && cfg->enabled) {
        offload_syn_guard_goto(g, OFFLOAD_SYN_GUARD_CALM, now_ms);
    }
    offload_syn_guard_window_reset(g, now_ms);
}

/* Closes the window that ends at 'end' and steps the machine; returns
 * true if the state changed. */
static bool
offload_syn_guard_close(struct offload_syn_guard *g, uint64_t end)
{
    const struct offload_syn_guard_config *cfg = &g->cfg;
    enum offload_syn_guard_state old = g->state;
    uint64_t start = g->window_start_ms;
    uint64_t top = 0;

    g->last_port_pps = g->window_syns * 1000 / cfg->window_ms;
    memset(&g->last_dst, 0, sizeof g->last_dst);
    for (uint32_t i = 0; i < g->n_dsts; i++) {
        if (g->dsts[i].n > top) {
            top = g->dsts[i].n;
            g->last_dst = g->dsts[i].dst;
        }
    }
    g->last_dst_pps = top * 1000 / cfg->window_ms;
    offload_syn_guard_window_reset(g, end);

    bool above = (g->last_port_pps > cfg->port_pps
                  || g->last_dst_pps > cfg->dst_pps);
    bool below = (g->last_port_pps * 100 <= cfg->port_pps * cfg->release_pct
                  && g->last_dst_pps * 100 <= cfg->dst_pps * cfg->release_pct);

    /* 'above' implies '!below': one step moves at most through one
     * intermediate state (CALM -> SUSPECT -> ENGAGED, ENGAGED ->
     * RELEASING -> CALM), so that a short interval acts at once. */
    if (g->state == OFFLOAD_SYN_GUARD_CALM && above) {
        offload_syn_guard_goto(g, OFFLOAD_SYN_GUARD_SUSPECT, end);
        g->since_ms = start;    /* From the first window above. */
    }
    if (g->state == OFFLOAD_SYN_GUARD_SUSPECT) {
        if (!above) {
            offload_syn_guard_goto(g, OFFLOAD_SYN_GUARD_CALM, end);
        } else if (end - g->since_ms >= cfg->engage_ms) {
            offload_syn_guard_goto(g, OFFLOAD_SYN_GUARD_ENGAGED, end);
        }
        return g->state != old;
    }
    if (g->state == OFFLOAD_SYN_GUARD_ENGAGED && below) {
        offload_syn_guard_goto(g, OFFLOAD_SYN_GUARD_RELEASING, end);
        g->since_ms = start;
    }
    if (g->state == OFFLOAD_SYN_GUARD_RELEASING) {
        if (!below) {
            offload_syn_guard_goto(g, OFFLOAD_SYN_GUARD_ENGAGED, end);
        } else if (end - g->since_ms >= cfg->calm_ms) {
            offload_syn_guard_goto(g, OFFLOAD_SYN_GUARD_CALM, end);
        }
    }
    return g->state != old;
}

bool
offload_syn_guard_run(struct offload_syn_guard *g, uint64_t now_ms)
{
    uint32_t w = g->cfg.window_ms;
    bool changed = false;

    if (g->state == OFFLOAD_SYN_GUARD_OFF) {
        if (now_ms >= g->window_start_ms + w) {
            offload_syn_guard_window_reset(g, now_ms);
        }
        return false;
    }
    /* After a long quiet spell, the empty windows beyond what the calm
     * interval needs change nothing: skip them. */
    uint64_t max_windows = g->cfg.calm_ms / w + g->cfg.engage_ms / w + 3;
    for (uint64_t n = 0; now_ms >= g->window_start_ms + w; n++) {
        if (n >= max_windows) {
            offload_syn_guard_window_reset(g, now_ms - (now_ms % w));
            break;
        }
        changed |= offload_syn_guard_close(g, g->window_start_ms + w);
    }
    return changed;
}

void
offload_syn_guard_count(struct offload_syn_guard *g,
                        const struct offload_syn_dst *dst, uint64_t now_ms)
{
    offload_syn_guard_run(g, now_ms);
    g->syns++;
    g->window_syns++;
    for (uint32_t i = 0; i < g->n_dsts; i++) {
        if (!memcmp(&g->dsts[i].dst, dst, sizeof *dst)) {
            g->dsts[i].n++;
            return;
        }
    }
    if (g->n_dsts < OFFLOAD_SYN_GUARD_DSTS) {
        g->dsts[g->n_dsts].dst = *dst;
        g->dsts[g->n_dsts].n = 1;
        g->n_dsts++;
    } else {
        /* Still in the port's rate; a flood spread this wide trips the
         * port threshold rather than one destination's. */
        g->other_syns++;
    }
}

bool
offload_syn_guard_engaged(const struct offload_syn_guard *g)
{
    return (g->state == OFFLOAD_SYN_GUARD_ENGAGED
            || g->state == OFFLOAD_SYN_GUARD_RELEASING);
}

const struct offload_syn_guard_transition *
offload_syn_guard_last(const struct offload_syn_guard *g)
{
    return (g->n_transitions
            ? &g->history[(g->n_transitions - 1) % OFFLOAD_SYN_GUARD_HISTORY]
            : NULL);
}

void
offload_syn_dst_format(struct ds *ds, const struct offload_syn_dst *dst)
{
    static const uint8_t zero12[12];
    char buf[INET6_ADDRSTRLEN];
    bool v4 = !memcmp(dst->addr + 4, zero12, sizeof zero12);

    inet_ntop(v4 ? AF_INET : AF_INET6, dst->addr, buf, sizeof buf);
    ds_put_format(ds, v4 ? "%s:%"PRIu16 : "[%s]:%"PRIu16, buf, dst->port);
}

void
offload_syn_guard_transition_format(
    struct ds *ds, const struct offload_syn_guard_transition *t)
{
    ds_put_format(ds, "%s -> %s at %"PRIu64" ms: %"PRIu64" SYN/s on the "
                  "port, top destination ",
                  offload_syn_guard_state_name(t->from),
                  offload_syn_guard_state_name(t->to), t->time_ms,
                  t->port_pps);
    offload_syn_dst_format(ds, &t->dst);
    ds_put_format(ds, " %"PRIu64" SYN/s", t->dst_pps);
}

void
offload_syn_guard_format(struct ds *ds, const struct offload_syn_guard *g)
{
    const struct offload_syn_guard_config *cfg = &g->cfg;

    ds_put_format(ds, "SYN guard: %s (thresholds %"PRIu64" SYN/s per port, "
                  "%"PRIu64" per destination; engage after %"PRIu32" ms, "
                  "release below %"PRIu32"%% for %"PRIu32" ms)\n",
                  offload_syn_guard_state_name(g->state), cfg->port_pps,
                  cfg->dst_pps, cfg->engage_ms, cfg->release_pct,
                  cfg->calm_ms);
    ds_put_format(ds, "  SYNs %"PRIu64", last window %"PRIu64" SYN/s, "
                  "engaged %"PRIu64" times\n", g->syns, g->last_port_pps,
                  g->n_engaged);
    uint64_t first = (g->n_transitions > OFFLOAD_SYN_GUARD_HISTORY
                      ? g->n_transitions - OFFLOAD_SYN_GUARD_HISTORY : 0);
    for (uint64_t i = first; i < g->n_transitions; i++) {
        ds_put_cstr(ds, "  ");
        offload_syn_guard_transition_format(
            ds, &g->history[i % OFFLOAD_SYN_GUARD_HISTORY]);
        ds_put_char(ds, '\n');
    }
}
