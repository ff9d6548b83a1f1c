/* SPDX-License-Identifier: Apache-2.0 */
/* The NIC's exact-match and wildcard rule tables, read by the pipeline
 * without locks. */
#include <config.h>

#include "lib/nic-table.h"

#include <errno.h>
#include <string.h>

#include "bitmap.h"
#include "hash.h"
#include "packets.h"
#include "util.h"

struct nic_subtable {
    struct cmap rules;              /* nic_rule by masked key hash. */
    struct nic_flow_key mask;
    /* Words of the key up to the mask's last non-zero one: the rest hash
     * and compare as zero, so lookups skip them (the default exact mask
     * leaves the 4 words of tunnel metadata out of 14). */
    size_t n_words;
    uint32_t max_priority;
    size_t n_rules;
};

/* Wildcard subtables in decreasing max_priority, so that a lookup stops as
 * soon as no later subtable can beat the best match found. */
struct nic_subtable_vec {
    size_t n;
    struct nic_subtable *st[];
};

/* The tables' hash of the first 'n' words of a masked key.  One multiply
 * per word, folded into two 64-bit states (even and odd words), then OVS's
 * 64-bit hash to spread them: a third of the instructions of
 * hash_words64() (two multiply rounds per 32 bits), and two chains of
 * multiplies half as long as one, since their latency, not their number,
 * was the largest cost of an exact-match lookup.  Each step is a
 * bijection of the word for a given state, and the states are combined by
 * a bijection of either, so keys that differ in one word never collide
 * before the final hash. */
static inline uint32_t
nic_key_hash(const uint64_t *w, size_t n)
{
    uint64_t h0 = 0, h1 = 0;
    size_t i;

    for (i = 0; i + 1 < n; i += 2) {
        h0 = (h0 ^ w[i]) * UINT64_C(0x9e3779b97f4a7c15);
        h1 = (h1 ^ w[i + 1]) * UINT64_C(0xc2b2ae3d27d4eb4f);
    }
    if (i < n) {
        h0 = (h0 ^ w[i]) * UINT64_C(0x9e3779b97f4a7c15);
    }
    return hash_uint64(h0 ^ ((h1 << 32) | (h1 >> 32)));
}

static inline uint32_t
nic_masked_hash(const struct nic_flow_key *key, const struct nic_subtable *st)
{
    const uint64_t *k = (const uint64_t *) key;
    const uint64_t *m = (const uint64_t *) &st->mask;
    uint64_t w[NIC_FLOW_KEY_WORDS];

    for (size_t i = 0; i < st->n_words; i++) {
        w[i] = k[i] & m[i];
    }
    return nic_key_hash(w, st->n_words);
}

/* Whether 'key' under 'st''s mask is 'rk' (a key normalized to it). */
static inline bool
nic_subtable_key_equal(const struct nic_subtable *st, const uint64_t *rk,
                       const struct nic_flow_key *key)
{
    const uint64_t *k = (const uint64_t *) key;
    const uint64_t *m = (const uint64_t *) &st->mask;
    uint64_t diff = 0;

    for (size_t i = 0; i < st->n_words; i++) {
        diff |= (k[i] & m[i]) ^ rk[i];
    }
    return !diff;
}

static struct nic_subtable *
nic_subtable_create(const struct nic_flow_key *mask)
{
    struct nic_subtable *st = xzalloc(sizeof *st);
    const uint64_t *m = (const uint64_t *) mask;

    cmap_init(&st->rules);
    st->mask = *mask;
    for (size_t i = 0; i < NIC_FLOW_KEY_WORDS; i++) {
        if (m[i]) {
            st->n_words = i + 1;
        }
    }
    return st;
}

static void
nic_subtable_destroy(struct nic_subtable *st)
{
    cmap_destroy(&st->rules);
    free(st);
}

static const struct nic_rule *
nic_subtable_find(const struct nic_subtable *st, uint32_t hash,
                  const struct nic_flow_key *key)
{
    const struct nic_rule *rule;

    CMAP_FOR_EACH_WITH_HASH (rule, cmap_node, hash, &st->rules) {
        /* Only an exact-table rule of a wider mask has a mask other than
         * its subtable's. */
        if (rule->exact_wider
            ? nic_match_matches(&rule->match, key)
            : nic_subtable_key_equal(st, (const uint64_t *) &rule->match.key,
                                     key)) {
            return rule;
        }
    }
    return NULL;
}

void
nic_tables_default_exact_mask(struct nic_flow_key *m)
{
    memset(m, 0, sizeof *m);
    m->in_port = UINT32_MAX;
    m->dl_dst = eth_addr_exact;
    m->dl_src = eth_addr_exact;
    m->dl_type = OVS_BE16_MAX;
    m->vlan_tci[0] = m->vlan_tci[1] = OVS_BE16_MAX;
    m->vlan_tpid[0] = m->vlan_tpid[1] = OVS_BE16_MAX;
    m->nw_proto = UINT8_MAX;
    memset(m->nw_src, 0xff, sizeof m->nw_src);
    memset(m->nw_dst, 0xff, sizeof m->nw_dst);
    m->tp_src = m->tp_dst = OVS_BE16_MAX;
}

void
nic_tables_init(struct nic_tables *t, const struct nic_flow_key *mask,
                size_t exact_capacity, size_t wildcard_capacity)
{
    struct nic_subtable_vec *vec = xzalloc(sizeof *vec);

    memset(t, 0, sizeof *t);
    if (mask) {
        t->exact_mask = *mask;
    } else {
        nic_tables_default_exact_mask(&t->exact_mask);
    }
    t->exact = nic_subtable_create(&t->exact_mask);
    ovsrcu_set_hidden(&t->wildcard, vec);
    hmap_init(&t->by_id);
    t->next_id = 1;
    t->capacity[NIC_TABLE_EXACT] = exact_capacity;
    t->capacity[NIC_TABLE_WILDCARD] = wildcard_capacity;
}

void
nic_tables_destroy(struct nic_tables *t)
{
    struct nic_subtable_vec *vec;

    nic_tables_clear(t);
    vec = ovsrcu_get_protected(struct nic_subtable_vec *, &t->wildcard);
    ovsrcu_postpone(free, vec);
    cmap_destroy(&t->exact->rules);
    ovsrcu_postpone(free, t->exact);
    hmap_destroy(&t->by_id);
}

static struct nic_subtable_vec *
nic_wildcard_vec(const struct nic_tables *t)
{
    return ovsrcu_get(struct nic_subtable_vec *, &t->wildcard);
}

/* Publishes a copy of the wildcard subtable list with 'add' added and
 * 'del' removed (either may be NULL), sorted by max_priority. */
static void
nic_wildcard_republish(struct nic_tables *t, struct nic_subtable *add,
                       struct nic_subtable *del)
{
    struct nic_subtable_vec *old = nic_wildcard_vec(t);
    struct nic_subtable_vec *new;
    size_t n = 0;

    new = xmalloc(sizeof *new + (old->n + 1) * sizeof new->st[0]);
    for (size_t i = 0; i < old->n; i++) {
        if (old->st[i] != del) {
            new->st[n++] = old->st[i];
        }
    }
    if (add) {
        new->st[n++] = add;
    }
    /* Insertion sort: the list is short and nearly sorted. */
    for (size_t i = 1; i < n; i++) {
        struct nic_subtable *st = new->st[i];
        size_t j = i;

        while (j > 0 && new->st[j - 1]->max_priority < st->max_priority) {
            new->st[j] = new->st[j - 1];
            j--;
        }
        new->st[j] = st;
    }
    new->n = n;
    ovsrcu_set(&t->wildcard, new);
    ovsrcu_postpone(free, old);
}

static struct nic_subtable *
nic_wildcard_find_subtable(const struct nic_tables *t,
                           const struct nic_flow_key *mask)
{
    const struct nic_subtable_vec *vec = nic_wildcard_vec(t);

    for (size_t i = 0; i < vec->n; i++) {
        if (!memcmp(&vec->st[i]->mask, mask, sizeof *mask)) {
            return vec->st[i];
        }
    }
    return NULL;
}

static size_t
nic_rule_actions_size(size_t n)
{
    return sizeof(struct nic_rule_actions) + n * sizeof(struct nic_action);
}

static void
nic_rule_actions_fill(struct nic_rule_actions *ra,
                      const struct nic_action *acts, size_t n)
{
    ra->n = n;
    memcpy(ra->acts, acts, n * sizeof *acts);
}

static struct nic_rule_actions *
nic_rule_actions_create(const struct nic_action *acts, size_t n)
{
    struct nic_rule_actions *ra = xmalloc(nic_rule_actions_size(n));

    nic_rule_actions_fill(ra, acts, n);
    return ra;
}

/* A rule's first actions live in the same block, right after it, which
 * saves an allocation and keeps them near; actions set by a modify are
 * allocated apart, and the inline ones stay unused (readers may still hold
 * them) until the rule is freed. */
BUILD_ASSERT_DECL(sizeof(struct nic_rule) % 8 == 0);

static struct nic_rule_actions *
nic_rule_inline_actions(const struct nic_rule *rule)
{
    return (struct nic_rule_actions *) (rule + 1);
}

/* The 'fast' word of a rule with actions 'acts' (see struct nic_rule). */
static uint64_t
nic_rule_fast_of(const struct nic_action *acts, size_t n)
{
    if (n == 1 && acts[0].type == NIC_ACT_OUTPUT) {
        return ((uint64_t) NIC_RULE_FAST_OUTPUT << 32) | acts[0].port;
    } else if (n == 1 && acts[0].type == NIC_ACT_DROP) {
        return (uint64_t) NIC_RULE_FAST_DROP << 32;
    }
    return (uint64_t) NIC_RULE_FAST_NONE << 32;
}

static void
nic_rule_actions_free(const struct nic_rule *rule,
                      struct nic_rule_actions *ra)
{
    if (ra != nic_rule_inline_actions(rule)) {
        free(ra);
    }
}

/* The exact table's rule whose key, under the exact mask, is 'key''s (of
 * the exact mask or a wider one), or NULL. */
static const struct nic_rule *
nic_exact_holder(const struct nic_tables *t, uint32_t hash,
                 const struct nic_flow_key *key)
{
    const uint64_t *m = (const uint64_t *) &t->exact_mask;
    const uint64_t *k = (const uint64_t *) key;
    const struct nic_rule *rule;

    CMAP_FOR_EACH_WITH_HASH (rule, cmap_node, hash, &t->exact->rules) {
        const uint64_t *rk = (const uint64_t *) &rule->match.key;
        uint64_t diff = 0;

        for (size_t w = 0; w < t->exact->n_words; w++) {
            diff |= (rk[w] ^ k[w]) & m[w];
        }
        if (!diff) {
            return rule;
        }
    }
    return NULL;
}

/* Inserts 'spec'.  A rule whose mask covers the exact mask (an exact-match
 * megaflow also fixes TCP flags, TTL, fragments...) goes to the exact-match
 * table while it has room and no rule there has the same key under the
 * exact mask, so that a lookup there has at most one candidate; anything
 * else goes to the wildcard table.  Returns 0 and the new rule's id in
 * '*idp', or EINVAL (bad spec), EEXIST (same match already present),
 * ENOSPC (table full). */
int
nic_tables_insert(struct nic_tables *t, const struct nic_rule_spec *spec,
                  uint32_t *idp)
{
    struct nic_match match = spec->match;
    enum nic_table_id table;
    struct nic_subtable *st;
    struct nic_rule *rule;
    bool new_subtable = false;
    uint32_t hash;
    int error;

    error = nic_rule_spec_validate(spec);
    if (error) {
        return error;
    }
    nic_match_normalize(&match);

    bool exact_ok = nic_mask_is_subset(&t->exact_mask, &match.mask);
    const struct nic_rule *holder = (exact_ok
                                     ? nic_exact_holder(
                                         t, nic_masked_hash(&match.key,
                                                            t->exact),
                                         &match.key)
                                     : NULL);
    if (holder && !memcmp(&holder->match, &match, sizeof match)) {
        return EEXIST;
    }
    if (exact_ok && !holder
        && t->n_rules[NIC_TABLE_EXACT] < t->capacity[NIC_TABLE_EXACT]) {
        table = NIC_TABLE_EXACT;
        st = t->exact;
    } else {
        table = NIC_TABLE_WILDCARD;
        if (t->n_rules[table] >= t->capacity[table]) {
            return ENOSPC;
        }
        st = nic_wildcard_find_subtable(t, &match.mask);
        if (!st) {
            st = nic_subtable_create(&match.mask);
            new_subtable = true;
        }
    }

    hash = nic_masked_hash(&match.key, st);
    if (nic_subtable_find(st, hash, &match.key)) {
        if (new_subtable) {
            nic_subtable_destroy(st);
        }
        return EEXIST;
    }

    rule = xzalloc_cacheline(sizeof *rule
                             + nic_rule_actions_size(spec->n_actions));
    rule->id = t->next_id++;
    if (!t->next_id) {
        t->next_id = 1;
    }
    rule->table = table;
    rule->exact_wider = (table == NIC_TABLE_EXACT
                         && memcmp(&match.mask, &t->exact_mask,
                                   sizeof match.mask));
    rule->subtable = st;
    rule->match = match;
    rule->priority = spec->priority;
    rule->cookie = spec->cookie;
    atomic_init(&rule->fast, nic_rule_fast_of(spec->actions,
                                              spec->n_actions));
    atomic_init(&rule->n_packets, 0);
    atomic_init(&rule->n_bytes, 0);
    nic_rule_actions_fill(nic_rule_inline_actions(rule), spec->actions,
                          spec->n_actions);
    ovsrcu_set_hidden(&rule->actions, nic_rule_inline_actions(rule));
    hmap_insert(&t->by_id, &rule->id_node, hash_int(rule->id, 0));
    cmap_insert(&st->rules, &rule->cmap_node, hash);
    st->n_rules++;
    t->n_rules[table]++;

    if (table == NIC_TABLE_WILDCARD
        && (new_subtable || spec->priority > st->max_priority)) {
        if (spec->priority > st->max_priority) {
            st->max_priority = spec->priority;
        }
        nic_wildcard_republish(t, new_subtable ? st : NULL, NULL);
    }
    *idp = rule->id;
    return 0;
}

struct nic_rule *
nic_tables_find(const struct nic_tables *t, uint32_t id)
{
    struct nic_rule *rule;

    HMAP_FOR_EACH_WITH_HASH (rule, id_node, hash_int(id, 0), &t->by_id) {
        if (rule->id == id) {
            return rule;
        }
    }
    return NULL;
}

int
nic_tables_modify(struct nic_tables *t, uint32_t id,
                  const struct nic_action *acts, size_t n)
{
    struct nic_rule *rule = nic_tables_find(t, id);
    struct nic_rule_actions *old;
    int error;

    if (!rule) {
        return ENOENT;
    }
    error = nic_actions_validate(acts, n);
    if (error) {
        return error;
    }
    old = ovsrcu_get_protected(struct nic_rule_actions *, &rule->actions);
    ovsrcu_set(&rule->actions, nic_rule_actions_create(acts, n));
    atomic_store(&rule->fast, nic_rule_fast_of(acts, n));
    if (old != nic_rule_inline_actions(rule)) {
        ovsrcu_postpone(free, old);
    }
    return 0;
}

static void
nic_rule_free(struct nic_rule *rule)
{
    nic_rule_actions_free(rule, ovsrcu_get_protected(
                              struct nic_rule_actions *, &rule->actions));
    free_cacheline(rule);
}

static void
nic_tables_unlink(struct nic_tables *t, struct nic_rule *rule)
{
    struct nic_subtable *st = rule->subtable;

    cmap_remove(&st->rules, &rule->cmap_node,
                nic_masked_hash(&rule->match.key, st));
    hmap_remove(&t->by_id, &rule->id_node);
    st->n_rules--;
    t->n_rules[rule->table]--;
    if (rule->table == NIC_TABLE_WILDCARD && !st->n_rules) {
        nic_wildcard_republish(t, NULL, st);
        ovsrcu_postpone(nic_subtable_destroy, st);
    }
    /* A lower max_priority left in place only costs a lookup some work. */
    ovsrcu_postpone(nic_rule_free, rule);
}

int
nic_tables_remove(struct nic_tables *t, uint32_t id)
{
    struct nic_rule *rule = nic_tables_find(t, id);

    if (!rule) {
        return ENOENT;
    }
    nic_tables_unlink(t, rule);
    return 0;
}

void
nic_tables_clear(struct nic_tables *t)
{
    struct nic_rule *rule;

    HMAP_FOR_EACH_SAFE (rule, id_node, &t->by_id) {
        nic_tables_unlink(t, rule);
    }
}

void
nic_tables_set_capacity(struct nic_tables *t, enum nic_table_id table,
                        size_t capacity)
{
    t->capacity[table] = capacity;
}

static const struct nic_rule *
nic_wildcard_lookup(const struct nic_tables *t,
                    const struct nic_flow_key *key)
{
    const struct nic_subtable_vec *vec = nic_wildcard_vec(t);
    const struct nic_rule *best = NULL;

    for (size_t i = 0; i < vec->n; i++) {
        const struct nic_subtable *st = vec->st[i];
        const struct nic_rule *rule;

        if (best && best->priority >= st->max_priority) {
            break;
        }
        rule = nic_subtable_find(st, nic_masked_hash(key, st), key);
        if (rule && (!best || rule->priority > best->priority)) {
            best = rule;
        }
    }
    return best;
}

/* Returns the rule that applies to 'key': an exact-match hit first, then
 * the highest-priority wildcard rule; NULL on a miss. */
const struct nic_rule *
nic_tables_lookup(const struct nic_tables *t, const struct nic_flow_key *key)
{
    const struct nic_rule *rule = NULL;

    if (t->n_rules[NIC_TABLE_EXACT]) {
        rule = nic_subtable_find(t->exact,
                                 nic_masked_hash(key, t->exact), key);
    }
    return rule ? rule : nic_wildcard_lookup(t, key);
}

/* Prefetches what a hit on 'rule' reads: from its start (cache-line
 * aligned) to the end of the words of its key that lookups compare (see
 * struct nic_rule).  Actions are prefetched once the rule is found, and
 * only if its 'fast' word does not tell them. */
static inline void
nic_rule_prefetch(const struct nic_rule *rule, size_t n_words)
{
    const char *p = (const char *) rule;
    const size_t end = offsetof(struct nic_rule, match.key) + n_words * 8 - 1;

    OVS_PREFETCH(p);
    if (end >= 64) {
        OVS_PREFETCH(p + 64);
    }
    if (end >= 128) {
        OVS_PREFETCH(p + end);
    }
}

/* The words of a key that the default exact mask covers (up to the VLAN
 * TPIDs): the exact table's lookup is compiled for this count too, so that
 * its loops unroll (see nic_tables_lookup_batch()). */
#define NIC_EXACT_DEFAULT_WORDS \
    (offsetof(struct nic_flow_key, vlan_tpid) / 8 + 1)

/* The exact table's part of nic_tables_lookup_batch() for 'n_words' words
 * of key: inlined with a constant where that count is known. */
static inline ALWAYS_INLINE void
nic_exact_lookup_batch(const struct nic_tables *t,
                       const struct nic_flow_key *keys, size_t n,
                       const struct nic_rule **rules, const size_t n_words)
{
    const uint64_t *m = (const uint64_t *) &t->exact_mask;
    uint64_t masked[64][NIC_FLOW_KEY_WORDS];
    uint32_t hashes[64];
    const struct cmap_node *nodes[64];
    unsigned long map = n == 64 ? ULONG_MAX : (1UL << n) - 1;
    unsigned long found;
    size_t i;

    for (i = 0; i < n; i++) {
        const uint64_t *k = (const uint64_t *) &keys[i];

        for (size_t w = 0; w < n_words; w++) {
            masked[i][w] = k[w] & m[w];
        }
        hashes[i] = nic_key_hash(masked[i], n_words);
    }
    found = cmap_find_batch(&t->exact->rules, map, hashes, nodes);
    ULLONG_FOR_EACH_1 (i, found) {
        nic_rule_prefetch(CONTAINER_OF(nodes[i], struct nic_rule, cmap_node),
                          n_words);
    }
    ULLONG_FOR_EACH_1 (i, found) {
        const struct nic_rule *rule;

        CMAP_NODE_FOR_EACH (rule, cmap_node, nodes[i]) {
            const uint64_t *rk = (const uint64_t *) &rule->match.key;
            uint64_t diff = 0;

            for (size_t w = 0; w < n_words; w++) {
                diff |= (rk[w] & m[w]) ^ masked[i][w];
            }
            if (!diff) {
                /* The only candidate (nic_tables_insert()); one of a
                 * wider mask also checks its other fields. */
                if (!rule->exact_wider
                    || nic_match_matches(&rule->match, &keys[i])) {
                    uint32_t port;

                    rules[i] = rule;
                    if (!nic_rule_get_fast(rule, &port)) {
                        OVS_PREFETCH(nic_rule_get_actions(rule));
                    }
                }
                break;
            }
        }
    }
}

/* Looks up 'n' keys (n <= 64) at once, in stages over the whole batch so
 * that the memory accesses of one packet overlap those of the others:
 * the exact table's buckets are prefetched together (cmap_find_batch),
 * then the rules they point to, then each key is compared and the hit's
 * actions prefetched for the caller unless its 'fast' word tells them.
 * Every exact-table rule's mask covers the table's exact mask
 * (nic_tables_insert()), so the keys are masked once and compared to the
 * rules' keys word by word; a rule of a wider mask then checks the rest
 * of its match. */
void
nic_tables_lookup_batch(const struct nic_tables *t,
                        const struct nic_flow_key *keys, size_t n,
                        const struct nic_rule **rules)
{
    ovs_assert(n <= 64);
    for (size_t i = 0; i < n; i++) {
        rules[i] = NULL;
    }
    if (n && t->n_rules[NIC_TABLE_EXACT]) {
        if (t->exact->n_words == NIC_EXACT_DEFAULT_WORDS) {
            nic_exact_lookup_batch(t, keys, n, rules,
                                   NIC_EXACT_DEFAULT_WORDS);
        } else {
            nic_exact_lookup_batch(t, keys, n, rules, t->exact->n_words);
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!rules[i]) {
            rules[i] = nic_wildcard_lookup(t, &keys[i]);
        }
    }
}

const struct nic_rule_actions *
nic_rule_get_actions(const struct nic_rule *rule)
{
    return ovsrcu_get(struct nic_rule_actions *, &rule->actions);
}

void
nic_rule_get_stats(const struct nic_rule *rule, uint64_t *n_packets,
                   uint64_t *n_bytes)
{
    struct nic_rule *r = CONST_CAST(struct nic_rule *, rule);

    atomic_read_relaxed(&r->n_packets, n_packets);
    atomic_read_relaxed(&r->n_bytes, n_bytes);
}

const char *
nic_table_name(enum nic_table_id table)
{
    return table == NIC_TABLE_EXACT ? "exact" : "wildcard";
}
