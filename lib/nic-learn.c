/* SPDX-License-Identifier: Apache-2.0 */
/* The table of mappings a NIC learns on decapsulation, with its aging,
 * its bound and its queue of reports for the control channel. */
#include <config.h>

#include "lib/nic-learn.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "lib/nic-parse.h"
#include "openvswitch/poll-loop.h"
#include "ovs-rcu.h"
#include "packets.h"
#include "seq.h"
#include "util.h"

struct nic_learn_entry {
    struct cmap_node node;      /* In 'entries', by nic_learn_hash(). */
    struct eth_addr mac;
    /* The tunnel never changes: a move replaces the entry, so that the
     * packet path compares it without a lock. */
    uint8_t type;
    uint32_t vni;
    struct in6_addr remote;
    atomic_llong last_seen_ms;
    atomic_uint64_t packets;
    long long int created_ms;
};

static uint32_t
nic_learn_hash(const struct eth_addr *mac)
{
    return hash_bytes(mac, sizeof *mac, 0);
}

void
nic_learn_config_default(struct nic_learn_config *cfg)
{
    cfg->enabled = true;
    cfg->capacity = NIC_LEARN_DEFAULT_CAPACITY;
    cfg->max_age_ms = NIC_LEARN_DEFAULT_MAX_AGE_MS;
}

char *
nic_learn_config_check(const struct nic_learn_config *cfg)
{
    if (cfg->capacity < 1 || cfg->capacity > NIC_LEARN_MAX_CAPACITY) {
        return xasprintf("capacity %"PRIu32" is not between 1 and %u",
                         cfg->capacity, NIC_LEARN_MAX_CAPACITY);
    }
    if (cfg->max_age_ms < 100 || cfg->max_age_ms > NIC_LEARN_MAX_AGE_MS) {
        return xasprintf("max-age %"PRIu32" ms is not between 100 ms and "
                         "%u ms", cfg->max_age_ms, NIC_LEARN_MAX_AGE_MS);
    }
    return NULL;
}

const char *
nic_learn_event_name(enum nic_learn_event_type type)
{
    return (type == NIC_LEARN_LEARNED ? "learned"
            : type == NIC_LEARN_MOVED ? "moved" : "dropped");
}

const char *
nic_learn_drop_reason_name(enum nic_learn_drop_reason reason)
{
    return (reason == NIC_LEARN_AGED ? "aged"
            : reason == NIC_LEARN_EVICTED ? "evicted" : "cleared");
}

void
nic_learn_init(struct nic_learn_table *t)
{
    cmap_init(&t->entries);
    ovs_mutex_init(&t->mutex);
    nic_learn_config_default(&t->config);
    atomic_init(&t->enabled, t->config.enabled);
    t->reports = xcalloc(NIC_LEARN_MAX_REPORTS, sizeof *t->reports);
    t->head = t->n_reports = 0;
    memset(&t->stats, 0, sizeof t->stats);
    t->next_age_ms = 0;
    t->evict = NULL;
    t->n_evict = t->evict_pos = 0;
    t->seq = seq_create();
    t->polled_seq = seq_read(t->seq);
}

void
nic_learn_destroy(struct nic_learn_table *t)
{
    struct nic_learn_entry *e;

    CMAP_FOR_EACH (e, node, &t->entries) {
        ovsrcu_postpone(free, e);
    }
    cmap_destroy(&t->entries);
    ovs_mutex_destroy(&t->mutex);
    free(t->reports);
    free(t->evict);
    seq_destroy(t->seq);
}

static void
nic_learn_entry_mapping(const struct nic_learn_entry *e,
                        struct nic_encap_mapping *m)
{
    memset(m, 0, sizeof *m);
    m->inner_mac = e->mac;
    m->tun_type = e->type;
    m->vni = e->vni;
    m->remote_ip = e->remote;
}

/* Queues a report; a full queue loses its oldest one (the host's resync
 * by dump recovers the state it described). */
static void
nic_learn_report(struct nic_learn_table *t, enum nic_learn_event_type type,
                 enum nic_learn_drop_reason reason,
                 const struct nic_learn_entry *e,
                 const struct nic_learn_entry *prev)
    OVS_REQUIRES(t->mutex)
{
    struct nic_learn_event *ev;

    if (t->n_reports == NIC_LEARN_MAX_REPORTS) {
        t->head = (t->head + 1) % NIC_LEARN_MAX_REPORTS;
        t->n_reports--;
        t->stats.reports_lost++;
    }
    ev = &t->reports[(t->head + t->n_reports++) % NIC_LEARN_MAX_REPORTS];
    memset(ev, 0, sizeof *ev);
    ev->type = type;
    ev->reason = reason;
    nic_learn_entry_mapping(e, &ev->m);
    if (prev) {
        nic_learn_entry_mapping(prev, &ev->prev);
    }
    seq_change(t->seq);
}

static void
nic_learn_remove(struct nic_learn_table *t, struct nic_learn_entry *e,
                 enum nic_learn_drop_reason reason)
    OVS_REQUIRES(t->mutex)
{
    cmap_remove(&t->entries, &e->node, nic_learn_hash(&e->mac));
    nic_learn_report(t, NIC_LEARN_DROPPED, reason, e, NULL);
    if (reason == NIC_LEARN_AGED) {
        t->stats.aged++;
    } else if (reason == NIC_LEARN_EVICTED) {
        t->stats.evicted++;
    } else {
        t->stats.cleared++;
    }
    ovsrcu_postpone(free, e);
}

static struct nic_learn_entry *
nic_learn_find(const struct nic_learn_table *t, const struct eth_addr *mac,
               uint32_t hash)
{
    struct nic_learn_entry *e;

    CMAP_FOR_EACH_WITH_HASH (e, node, hash, &t->entries) {
        if (eth_addr_equals(e->mac, *mac)) {
            return e;
        }
    }
    return NULL;
}

/* An entry to evict, by MAC, with the last-seen time it had when the
 * candidates were taken: it is still the one to go only if it has not
 * been seen since. */
struct nic_learn_candidate {
    struct eth_addr mac;
    long long int seen_ms;
};

static int
nic_learn_candidate_cmp(const void *a_, const void *b_)
{
    const struct nic_learn_candidate *a = a_, *b = b_;

    return a->seen_ms < b->seen_ms ? -1 : a->seen_ms > b->seen_ms;
}

/* Takes the least recently seen sixteenth of the table (at least 64) as
 * the next candidates: one scan and sort serve that many evictions, so
 * that a flood of new sources into a full table does not scan it once per
 * source on the packet path.  Entries outside the candidates were seen no
 * earlier than the last of them, and seeing only makes an entry newer, so
 * evicting the candidates that were not seen since, in order, is exactly
 * least-recently-seen first. */
static void
nic_learn_evict_refill(struct nic_learn_table *t)
    OVS_REQUIRES(t->mutex)
{
    size_t n = cmap_count(&t->entries), i = 0;
    struct nic_learn_candidate *c = xmalloc(MAX(n, 1) * sizeof *c);
    struct nic_learn_entry *e;

    CMAP_FOR_EACH (e, node, &t->entries) {
        if (i < n) {
            c[i].mac = e->mac;
            atomic_read_relaxed(&e->last_seen_ms, &c[i].seen_ms);
            i++;
        }
    }
    qsort(c, i, sizeof *c, nic_learn_candidate_cmp);
    free(t->evict);
    t->n_evict = MIN(i, MAX(64, n / 16));
    t->evict = xrealloc(c, MAX(t->n_evict, 1) * sizeof *c);
    t->evict_pos = 0;
}

/* Evicts the least recently seen entry, if any. */
static void
nic_learn_evict_one(struct nic_learn_table *t)
    OVS_REQUIRES(t->mutex)
{
    bool refilled = false;

    while (cmap_count(&t->entries)) {
        struct nic_learn_candidate *c;
        struct nic_learn_entry *e;
        long long int seen;

        if (t->evict_pos >= t->n_evict) {
            if (refilled) {
                /* Every fresh candidate was seen again meanwhile (other
                 * engines refresh without the lock): take the first
                 * entry rather than scan again. */
                CMAP_FOR_EACH (e, node, &t->entries) {
                    nic_learn_remove(t, e, NIC_LEARN_EVICTED);
                    return;
                }
            }
            nic_learn_evict_refill(t);
            refilled = true;
        }
        c = &t->evict[t->evict_pos++];
        e = nic_learn_find(t, &c->mac, nic_learn_hash(&c->mac));
        if (e) {
            atomic_read_relaxed(&e->last_seen_ms, &seen);
            if (seen == c->seen_ms) {
                nic_learn_remove(t, e, NIC_LEARN_EVICTED);
                return;
            }
        }
    }
}

static bool
nic_learn_same_tunnel(const struct nic_learn_entry *e, uint8_t type,
                      uint32_t vni, const struct in6_addr *remote)
{
    return (e->type == type && e->vni == vni
            && ipv6_addr_equals(&e->remote, remote));
}

static void
nic_learn_refresh(struct nic_learn_entry *e, long long int now_ms)
{
    long long int seen;

    /* Written only when it moves on, so that engines hitting the same
     * entry mostly read a shared cache line. */
    atomic_read_relaxed(&e->last_seen_ms, &seen);
    if (seen < now_ms) {
        atomic_store_relaxed(&e->last_seen_ms, now_ms);
    }
    atomic_add_relaxed(&e->packets, 1, &(uint64_t) {0});
}

void
nic_learn_observe(struct nic_learn_table *t, const struct eth_addr *mac,
                  uint8_t type, uint32_t vni, const struct in6_addr *remote,
                  long long int now_ms)
{
    uint32_t hash = nic_learn_hash(mac);
    struct nic_learn_entry *e, *new;
    bool enabled;

    atomic_read_relaxed(&t->enabled, &enabled);
    if (!enabled || eth_addr_is_multicast(*mac) || eth_addr_is_zero(*mac)) {
        return;
    }
    e = nic_learn_find(t, mac, hash);
    if (e && nic_learn_same_tunnel(e, type, vni, remote)) {
        nic_learn_refresh(e, now_ms);
        return;
    }

    ovs_mutex_lock(&t->mutex);
    e = nic_learn_find(t, mac, hash);
    if (!t->config.enabled) {
        /* Turned off since the check above. */
    } else if (e && nic_learn_same_tunnel(e, type, vni, remote)) {
        nic_learn_refresh(e, now_ms);
    } else {
        new = xzalloc(sizeof *new);
        new->mac = *mac;
        new->type = type;
        new->vni = vni;
        new->remote = *remote;
        atomic_init(&new->last_seen_ms, now_ms);
        atomic_init(&new->packets, 1);
        new->created_ms = now_ms;
        /* The new entry is due for aging max_age_ms from now: the next
         * look must not be later (an empty table had none due). */
        t->next_age_ms = MIN(t->next_age_ms, now_ms + t->config.max_age_ms);
        if (e) {
            cmap_replace(&t->entries, &e->node, &new->node, hash);
            nic_learn_report(t, NIC_LEARN_MOVED, 0, new, e);
            t->stats.moved++;
            ovsrcu_postpone(free, e);
        } else {
            if (cmap_count(&t->entries) >= t->config.capacity) {
                nic_learn_evict_one(t);
            }
            cmap_insert(&t->entries, &new->node, hash);
            nic_learn_report(t, NIC_LEARN_LEARNED, 0, new, NULL);
            t->stats.learned++;
        }
    }
    ovs_mutex_unlock(&t->mutex);
}

/* Every entry not seen for max_age_ms goes; the next look is due when the
 * first of the others may be. */
static void
nic_learn_age(struct nic_learn_table *t, long long int now_ms)
    OVS_REQUIRES(t->mutex)
{
    long long int next = LLONG_MAX;
    struct nic_learn_entry *e;

    if (now_ms < t->next_age_ms) {
        return;
    }
    CMAP_FOR_EACH (e, node, &t->entries) {
        long long int seen, due;

        atomic_read_relaxed(&e->last_seen_ms, &seen);
        due = seen + t->config.max_age_ms;
        if (due <= now_ms) {
            nic_learn_remove(t, e, NIC_LEARN_AGED);
        } else {
            next = MIN(next, due);
        }
    }
    t->next_age_ms = next;
}

size_t
nic_learn_poll(struct nic_learn_table *t, long long int now_ms,
               struct nic_learn_event *events, size_t max)
{
    size_t n = 0;

    ovs_mutex_lock(&t->mutex);
    t->polled_seq = seq_read(t->seq);
    nic_learn_age(t, now_ms);
    while (n < max && t->n_reports) {
        events[n++] = t->reports[t->head];
        t->head = (t->head + 1) % NIC_LEARN_MAX_REPORTS;
        t->n_reports--;
    }
    if (t->n_reports) {
        /* More than 'max': come back at once. */
        t->polled_seq--;
    }
    ovs_mutex_unlock(&t->mutex);
    return n;
}

void
nic_learn_wait(struct nic_learn_table *t)
{
    ovs_mutex_lock(&t->mutex);
    seq_wait(t->seq, t->polled_seq);
    if (cmap_count(&t->entries) && t->next_age_ms != LLONG_MAX) {
        poll_timer_wait_until(t->next_age_ms);
    }
    ovs_mutex_unlock(&t->mutex);
}

int
nic_learned_cmp(const void *a_, const void *b_)
{
    const struct nic_learned *a = a_, *b = b_;

    return memcmp(&a->m.inner_mac, &b->m.inner_mac, sizeof a->m.inner_mac);
}

size_t
nic_learn_dump(struct nic_learn_table *t, long long int now_ms,
               struct nic_learned **lp)
{
    struct nic_learn_entry *e;
    size_t n = 0;

    ovs_mutex_lock(&t->mutex);
    /* A NIC without a channel is never polled: its dump ages it. */
    nic_learn_age(t, now_ms);
    *lp = xmalloc(MAX(1, cmap_count(&t->entries)) * sizeof **lp);
    CMAP_FOR_EACH (e, node, &t->entries) {
        struct nic_learned *l = &(*lp)[n++];
        long long int seen;

        atomic_read_relaxed(&e->last_seen_ms, &seen);
        nic_learn_entry_mapping(e, &l->m);
        l->age_ms = MAX(0, now_ms - seen);
        atomic_read_relaxed(&e->packets, &l->packets);
    }
    ovs_mutex_unlock(&t->mutex);
    qsort(*lp, n, sizeof **lp, nic_learned_cmp);
    return n;
}

void
nic_learn_get_stats(struct nic_learn_table *t, struct nic_learn_stats *st)
{
    ovs_mutex_lock(&t->mutex);
    *st = t->stats;
    st->n_entries = cmap_count(&t->entries);
    st->config = t->config;
    ovs_mutex_unlock(&t->mutex);
}

static void
nic_learn_clear__(struct nic_learn_table *t)
    OVS_REQUIRES(t->mutex)
{
    struct nic_learn_entry *e;

    CMAP_FOR_EACH (e, node, &t->entries) {
        nic_learn_remove(t, e, NIC_LEARN_CLEARED);
    }
}

void
nic_learn_clear(struct nic_learn_table *t)
{
    ovs_mutex_lock(&t->mutex);
    nic_learn_clear__(t);
    ovs_mutex_unlock(&t->mutex);
}

void
nic_learn_set_config(struct nic_learn_table *t,
                     const struct nic_learn_config *cfg)
{
    ovs_mutex_lock(&t->mutex);
    t->config = *cfg;
    atomic_store_relaxed(&t->enabled, cfg->enabled);
    if (!cfg->enabled) {
        nic_learn_clear__(t);
    }
    while (cmap_count(&t->entries) > cfg->capacity) {
        nic_learn_evict_one(t);
    }
    /* A shorter max-age may make entries due now. */
    t->next_age_ms = 0;
    ovs_mutex_unlock(&t->mutex);
}
