/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_TABLE_H
#define NIC_TABLE_H 1

/* A NIC's rule tables: an exact-match table (one fixed mask, hashed) and a
 * priority-ordered wildcard table with TCAM semantics (the highest-priority
 * matching rule wins), each with a finite capacity.
 *
 * Lookups run on the NIC's engine threads without locks while the control
 * path changes the tables: rules live in RCU-protected cmaps, so a lookup
 * sees either the old or the new rule, never a half-written one.  Writers
 * (insert, modify, remove, clear) must be serialized by the caller. */

#include <stdbool.h>
#include <stdint.h>

#include "cmap.h"
#include "openvswitch/hmap.h"
#include "ovs-atomic.h"
#include "ovs-rcu.h"
#include "lib/nic-rule.h"

enum nic_table_id {
    NIC_TABLE_EXACT,
    NIC_TABLE_WILDCARD,
    NIC_N_TABLES
};

/* What a rule's actions come to when they are one output or one drop: a
 * pipeline that reads nic_rule_get_fast() need not read the actions. */
enum nic_rule_fast {
    NIC_RULE_FAST_NONE,             /* Anything else: read the actions. */
    NIC_RULE_FAST_OUTPUT,           /* Output to the port in the low bits. */
    NIC_RULE_FAST_DROP,
};

struct nic_rule {
    /* What a hit reads or writes comes first, within the 128 bytes of two
     * cache lines (rules are cache-line aligned), so that a lookup can
     * prefetch it: the bucket's link, the actions in short, the counters
     * and the words of the key that the exact mask covers. */
    struct cmap_node cmap_node;     /* In subtable->rules. */
    /* Actions may change while engines read them (modify), so they are
     * replaced as a whole through RCU; 'fast' (enum nic_rule_fast in the
     * upper 32 bits, the output port in the lower) follows them, so that
     * a hit on the commonest rules costs no miss on their actions. */
    OVSRCU_TYPE(struct nic_rule_actions *) actions;
    atomic_uint64_t fast;
    atomic_uint64_t n_packets;
    atomic_uint64_t n_bytes;
    struct nic_match match;         /* Normalized; key first. */

    struct hmap_node id_node;       /* In nic_tables->by_id. */
    uint32_t id;                    /* Unique within the tables. */
    enum nic_table_id table;
    bool exact_wider;               /* In the exact table, with a mask wider
                                     * than its exact mask. */
    struct nic_subtable *subtable;
    uint32_t priority;
    uint64_t cookie;
};

struct nic_rule_actions {
    size_t n;
    struct nic_action acts[];
};

struct nic_subtable_vec;

struct nic_tables {
    struct nic_flow_key exact_mask;         /* The exact table's mask. */
    struct nic_subtable *exact;             /* Always present. */
    OVSRCU_TYPE(struct nic_subtable_vec *) wildcard;  /* By priority. */
    struct hmap by_id;                      /* All rules, by id. */
    uint32_t next_id;
    size_t capacity[NIC_N_TABLES];
    size_t n_rules[NIC_N_TABLES];
};

void nic_tables_init(struct nic_tables *, const struct nic_flow_key *mask,
                     size_t exact_capacity, size_t wildcard_capacity);
void nic_tables_destroy(struct nic_tables *);

int nic_tables_insert(struct nic_tables *, const struct nic_rule_spec *,
                      uint32_t *idp);
int nic_tables_modify(struct nic_tables *, uint32_t id,
                      const struct nic_action *, size_t n_actions);
int nic_tables_remove(struct nic_tables *, uint32_t id);
void nic_tables_clear(struct nic_tables *);
void nic_tables_set_capacity(struct nic_tables *, enum nic_table_id,
                             size_t capacity);

struct nic_rule *nic_tables_find(const struct nic_tables *, uint32_t id);
const struct nic_rule *nic_tables_lookup(const struct nic_tables *,
                                         const struct nic_flow_key *);
void nic_tables_lookup_batch(const struct nic_tables *,
                             const struct nic_flow_key *keys, size_t n,
                             const struct nic_rule **rules);

const struct nic_rule_actions *nic_rule_get_actions(const struct nic_rule *);

/* The rule's actions in short: NIC_RULE_FAST_NONE, or OUTPUT with the port
 * in '*port', or DROP.  Either the old or the new actions while a modify
 * runs, as nic_rule_get_actions(). */
static inline enum nic_rule_fast
nic_rule_get_fast(const struct nic_rule *rule, uint32_t *port)
{
    uint64_t fast;

    atomic_read_relaxed(&CONST_CAST(struct nic_rule *, rule)->fast, &fast);
    *port = fast;
    return fast >> 32;
}
void nic_rule_get_stats(const struct nic_rule *, uint64_t *n_packets,
                        uint64_t *n_bytes);
const char *nic_table_name(enum nic_table_id);

/* The default exact-match mask: in_port, MACs, ethertype, VLANs and the
 * IP/L4 5-tuple. */
void nic_tables_default_exact_mask(struct nic_flow_key *);

#endif /* nic-table.h */
