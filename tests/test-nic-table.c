/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of lib/nic-table and lib/nic-rule: placement, priorities,
 * capacity, modify/remove, batch lookup, formatting. */

#include <config.h>

#include <errno.h>
#include <string.h>

#include "lib/nic-table.h"
#include "ovs-rcu.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "tests/unit-tests.h"

static struct nic_flow_key
key_for(uint32_t in_port, uint32_t dst_ip, uint16_t dst_port)
{
    struct nic_flow_key k;

    memset(&k, 0, sizeof k);
    k.in_port = in_port;
    k.dl_type = htons(ETH_TYPE_IP);
    k.nw_proto = 6;
    memcpy(k.nw_dst, &dst_ip, 4);
    k.tp_dst = htons(dst_port);
    return k;
}

/* The actions of the spec that exact_spec() or wild_spec() built last:
 * a table copies what it keeps, so each test inserts a spec before it
 * builds the next one. */
static struct nic_action spec_acts[NIC_MAX_ACTIONS];

static struct nic_rule_spec
exact_spec(const struct nic_tables *t, struct nic_flow_key k, uint32_t out)
{
    struct nic_rule_spec s;

    memset(&s, 0, sizeof s);
    s.match.key = k;
    s.match.mask = t->exact_mask;
    s.n_actions = 1;
    memset(spec_acts, 0, sizeof spec_acts);
    spec_acts[0].type = NIC_ACT_OUTPUT;
    spec_acts[0].port = out;
    s.actions = spec_acts;
    return s;
}

/* A wildcard rule on in_port and optionally the destination port. */
static struct nic_rule_spec
wild_spec(uint32_t in_port, int tp_dst, uint32_t prio, uint32_t out)
{
    struct nic_rule_spec s;

    memset(&s, 0, sizeof s);
    s.match.key.in_port = in_port;
    s.match.mask.in_port = UINT32_MAX;
    if (tp_dst >= 0) {
        s.match.key.tp_dst = htons(tp_dst);
        s.match.mask.tp_dst = OVS_BE16_MAX;
    }
    s.priority = prio;
    s.n_actions = 1;
    memset(spec_acts, 0, sizeof spec_acts);
    spec_acts[0].type = NIC_ACT_OUTPUT;
    spec_acts[0].port = out;
    s.actions = spec_acts;
    return s;
}

static uint32_t
out_port(const struct nic_rule *r)
{
    return r ? nic_rule_get_actions(r)->acts[0].port : UINT32_MAX;
}

START_TEST(test_table_exact_and_wildcard)
{
    struct nic_tables t;
    struct nic_flow_key k = key_for(1, htonl(0x0a000002), 80);
    struct nic_rule_spec s;
    uint32_t id_exact, id_wild, id;

    nic_tables_init(&t, NULL, 4, 4);
    ck_assert_ptr_null(nic_tables_lookup(&t, &k));

    s = wild_spec(1, -1, 10, 100);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id_wild), 0);
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &k)), 100);

    s = exact_spec(&t, k, 200);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id_exact), 0);
    ck_assert_uint_eq(nic_tables_find(&t, id_exact)->table, NIC_TABLE_EXACT);
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &k)), 200);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id), EEXIST);

    /* Another port misses the exact rule and the in_port=1 wildcard. */
    k.in_port = 2;
    ck_assert_ptr_null(nic_tables_lookup(&t, &k));
    k.in_port = 1;

    ck_assert_int_eq(nic_tables_remove(&t, id_exact), 0);
    ck_assert_int_eq(nic_tables_remove(&t, id_exact), ENOENT);
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &k)), 100);
    ck_assert_int_eq(nic_tables_remove(&t, id_wild), 0);
    ck_assert_ptr_null(nic_tables_lookup(&t, &k));
    nic_tables_destroy(&t);
}
END_TEST

/* An exact-match megaflow also fixes TCP flags (and TTL, fragments...):
 * its mask covers the exact mask, and it goes to the exact table unless a
 * rule there has its 5-tuple already, so that a lookup there has one
 * candidate, which then checks its other fields. */
START_TEST(test_table_exact_wider)
{
    struct nic_flow_key syn = key_for(1, htonl(0x0a000002), 80), ack = syn;
    const struct nic_rule *got[2];
    struct nic_flow_key keys[2];
    struct nic_rule_spec s;
    struct nic_tables t;
    uint32_t id_syn, id_ack, id;

    syn.tcp_flags = htons(TCP_SYN);
    ack.tcp_flags = htons(TCP_ACK);
    nic_tables_init(&t, NULL, 4, 4);

    s = exact_spec(&t, syn, 1);
    s.match.mask.tcp_flags = OVS_BE16_MAX;
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id_syn), 0);
    ck_assert_uint_eq(nic_tables_find(&t, id_syn)->table, NIC_TABLE_EXACT);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id), EEXIST);
    /* The same 5-tuple with other flags: the exact table's candidate is
     * taken, so the wildcard table. */
    s = exact_spec(&t, ack, 2);
    s.match.mask.tcp_flags = OVS_BE16_MAX;
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id_ack), 0);
    ck_assert_uint_eq(nic_tables_find(&t, id_ack)->table,
                      NIC_TABLE_WILDCARD);

    /* Both lookups: each key finds its own rule. */
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &syn)), 1);
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &ack)), 2);
    keys[0] = syn;
    keys[1] = ack;
    nic_tables_lookup_batch(&t, keys, 2, got);
    ck_assert_uint_eq(out_port(got[0]), 1);
    ck_assert_uint_eq(out_port(got[1]), 2);
    /* FIN matches neither. */
    keys[0].tcp_flags = htons(TCP_FIN);
    nic_tables_lookup_batch(&t, keys, 1, got);
    ck_assert_ptr_null(got[0]);
    ck_assert_ptr_null(nic_tables_lookup(&t, &keys[0]));

    /* Removed, its 5-tuple is free for the next. */
    ck_assert_int_eq(nic_tables_remove(&t, id_syn), 0);
    nic_tables_lookup_batch(&t, &syn, 1, got);
    ck_assert_ptr_null(got[0]);
    s = exact_spec(&t, syn, 3);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id), 0);
    ck_assert_uint_eq(nic_tables_find(&t, id)->table, NIC_TABLE_EXACT);
    nic_tables_lookup_batch(&t, &syn, 1, got);
    ck_assert_uint_eq(out_port(got[0]), 3);
    /* The exact table is looked up first: its rule of any flags also takes
     * the ACK packets (overlapping megaflows, which OVS avoids). */
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &ack)), 3);
    nic_tables_destroy(&t);
}
END_TEST

START_TEST(test_table_priorities)
{
    struct nic_tables t;
    struct nic_flow_key k80 = key_for(1, 0, 80), k22 = key_for(1, 0, 22);
    struct nic_rule_spec s;
    uint32_t id_low, id_high, id_mid;

    nic_tables_init(&t, NULL, 0, 8);
    s = wild_spec(1, -1, 5, 1);             /* any port, low */
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id_low), 0);
    s = wild_spec(1, 80, 50, 2);            /* port 80, high */
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id_high), 0);
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &k80)), 2);
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &k22)), 1);

    /* A higher-priority catch-all in the in_port subtable now wins. */
    s = wild_spec(2, -1, 60, 9);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id_mid), 0);
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &k80)), 2);
    s = wild_spec(1, 22, 100, 3);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id_mid), 0);
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &k22)), 3);
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &k80)), 2);
    nic_tables_destroy(&t);
}
END_TEST

START_TEST(test_table_capacity)
{
    struct nic_tables t;
    struct nic_rule_spec s;
    uint32_t ids[3], id;

    nic_tables_init(&t, NULL, 2, 1);
    for (int i = 0; i < 2; i++) {
        s = exact_spec(&t, key_for(1, htonl(i), 1), 1);
        ck_assert_int_eq(nic_tables_insert(&t, &s, &ids[i]), 0);
    }
    /* The exact table is full: an exact rule spills to the wildcard. */
    s = exact_spec(&t, key_for(1, htonl(2), 1), 1);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &ids[2]), 0);
    ck_assert_uint_eq(nic_tables_find(&t, ids[2])->table,
                      NIC_TABLE_WILDCARD);
    s = exact_spec(&t, key_for(1, htonl(3), 1), 1);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id), ENOSPC);
    ck_assert_uint_eq(t.n_rules[NIC_TABLE_EXACT], 2);
    ck_assert_uint_eq(t.n_rules[NIC_TABLE_WILDCARD], 1);

    /* Shrinking keeps installed rules but refuses new ones. */
    nic_tables_set_capacity(&t, NIC_TABLE_EXACT, 1);
    ck_assert_int_eq(nic_tables_remove(&t, ids[0]), 0);
    s = exact_spec(&t, key_for(1, htonl(0), 1), 1);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id), ENOSPC);

    nic_tables_clear(&t);
    ck_assert_uint_eq(t.n_rules[NIC_TABLE_EXACT], 0);
    ck_assert_uint_eq(t.n_rules[NIC_TABLE_WILDCARD], 0);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id), 0);
    nic_tables_destroy(&t);
}
END_TEST

START_TEST(test_table_modify_and_invalid)
{
    struct nic_tables t;
    struct nic_flow_key k = key_for(3, 0, 0);
    struct nic_rule_spec s = wild_spec(3, -1, 1, 4);
    struct nic_action acts[2] = {
        { .type = NIC_ACT_DROP }, { .type = NIC_ACT_OUTPUT, .port = 1 },
    };
    uint32_t id;

    nic_tables_init(&t, NULL, 1, 1);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id), 0);
    acts[0].type = NIC_ACT_OUTPUT;
    acts[0].port = 5;
    ck_assert_int_eq(nic_tables_modify(&t, id, acts, 1), 0);
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &k)), 5);
    /* Again: the actions replaced now are not the rule's first (inline)
     * ones, and are freed (clean under valgrind). */
    acts[0].port = 6;
    ck_assert_int_eq(nic_tables_modify(&t, id, acts, 1), 0);
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &k)), 6);
    acts[0].port = 5;
    ck_assert_int_eq(nic_tables_modify(&t, id, acts, 1), 0);
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &k)), 5);
    ck_assert_int_eq(nic_tables_modify(&t, id + 1, acts, 1), ENOENT);

    /* The actions in short follow every modify. */
    const struct nic_rule *r = nic_tables_find(&t, id);
    uint32_t port = 0;
    ck_assert_int_eq(nic_rule_get_fast(r, &port), NIC_RULE_FAST_OUTPUT);
    ck_assert_uint_eq(port, 5);
    acts[1].port = 7;
    ck_assert_int_eq(nic_tables_modify(&t, id, acts, 2), 0);
    ck_assert_int_eq(nic_rule_get_fast(r, &port), NIC_RULE_FAST_NONE);
    acts[1].type = NIC_ACT_DROP;
    ck_assert_int_eq(nic_tables_modify(&t, id, &acts[1], 1), 0);
    ck_assert_int_eq(nic_rule_get_fast(r, &port), NIC_RULE_FAST_DROP);
    ck_assert_int_eq(nic_tables_modify(&t, id, acts, 1), 0);
    ck_assert_int_eq(nic_rule_get_fast(r, &port), NIC_RULE_FAST_OUTPUT);
    ck_assert_uint_eq(port, 5);

    /* A drop must be last; no actions at all is invalid too. */
    acts[0].type = NIC_ACT_DROP;
    ck_assert_int_eq(nic_tables_modify(&t, id, acts, 2), EINVAL);
    ck_assert_int_eq(nic_tables_modify(&t, id, acts, 0), EINVAL);
    ck_assert_uint_eq(out_port(nic_tables_lookup(&t, &k)), 5);
    s.n_actions = 0;
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id), EINVAL);
    nic_tables_destroy(&t);
}
END_TEST

START_TEST(test_table_batch_lookup)
{
    struct nic_tables t;
    struct nic_flow_key keys[64];
    const struct nic_rule *rules[64];
    struct nic_rule_spec s;
    uint32_t id;

    nic_tables_init(&t, NULL, 64, 4);
    for (int i = 0; i < 64; i++) {
        keys[i] = key_for(1, htonl(i), 443);
        if (i % 2 == 0) {
            s = exact_spec(&t, keys[i], i);
            ck_assert_int_eq(nic_tables_insert(&t, &s, &id), 0);
        }
    }
    s = wild_spec(1, 443, 1, 999);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id), 0);
    nic_tables_lookup_batch(&t, keys, 64, rules);
    for (int i = 0; i < 64; i++) {
        ck_assert_uint_eq(out_port(rules[i]), i % 2 == 0 ? i : 999);
        ck_assert_ptr_eq(rules[i], nic_tables_lookup(&t, &keys[i]));
    }

    /* Fields outside the exact mask do not matter (the batch compares
     * masked keys); one inside does. */
    for (int i = 0; i < 64; i++) {
        keys[i].nw_ttl = i + 1;
        keys[i].tcp_flags = htons(i);
    }
    keys[2].tp_dst = htons(444);
    nic_tables_lookup_batch(&t, keys, 64, rules);
    for (int i = 0; i < 64; i++) {
        ck_assert_ptr_eq(rules[i], nic_tables_lookup(&t, &keys[i]));
        if (i == 2) {
            ck_assert_ptr_null(rules[i]);
        } else {
            ck_assert_uint_eq(out_port(rules[i]), i % 2 == 0 ? i : 999);
        }
    }
    nic_tables_destroy(&t);
}
END_TEST

/* Lookups compare only the words up to a mask's last non-zero one: masks
 * ending at the key's first word, at its last (tunnel options) and an
 * exact mask that covers tunnel metadata (not the default's word count,
 * so the batch's generic path) must each still tell keys apart by every
 * word they cover, and ignore the rest. */
START_TEST(test_table_mask_lengths)
{
    struct nic_flow_key mask, keys[3];
    const struct nic_rule *rules[3];
    struct nic_rule_spec s;
    struct nic_tables t;
    uint32_t id;

    nic_tables_default_exact_mask(&mask);
    mask.tun_src = OVS_BE32_MAX;
    nic_tables_init(&t, &mask, 8, 8);

    keys[0] = key_for(1, htonl(1), 80);
    keys[0].tun_src = htonl(0x0a000001);
    keys[0].tun_opts[1] = htonl(7);         /* Outside the exact mask. */
    s = exact_spec(&t, keys[0], 10);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id), 0);
    ck_assert_int_eq(nic_tables_find(&t, id)->table, NIC_TABLE_EXACT);

    /* A wildcard rule on the last word only, and one on the first only. */
    memset(&s, 0, sizeof s);
    s.match.key.tun_opts[1] = htonl(9);
    s.match.mask.tun_opts[1] = OVS_BE32_MAX;
    s.priority = 5;
    s.n_actions = 1;
    memset(spec_acts, 0, sizeof spec_acts);
    spec_acts[0].type = NIC_ACT_OUTPUT;
    spec_acts[0].port = 20;
    s.actions = spec_acts;
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id), 0);
    s = wild_spec(2, -1, 1, 30);
    ck_assert_int_eq(nic_tables_insert(&t, &s, &id), 0);

    keys[1] = keys[0];
    keys[1].tun_src = htonl(0x0a000002);    /* Differs in a tunnel word. */
    keys[2] = keys[1];
    keys[2].tun_opts[1] = htonl(9);
    nic_tables_lookup_batch(&t, keys, 3, rules);
    ck_assert_uint_eq(out_port(rules[0]), 10);
    ck_assert_ptr_null(rules[1]);
    ck_assert_uint_eq(out_port(rules[2]), 20);
    for (int i = 0; i < 3; i++) {
        ck_assert_ptr_eq(rules[i], nic_tables_lookup(&t, &keys[i]));
    }

    keys[1].in_port = 2;                    /* Now the first-word rule's. */
    keys[2].tun_opts[1] = htonl(8);
    keys[2].in_port = 3;
    nic_tables_lookup_batch(&t, keys, 3, rules);
    ck_assert_uint_eq(out_port(rules[1]), 30);
    ck_assert_ptr_null(rules[2]);
    nic_tables_destroy(&t);
}
END_TEST

START_TEST(test_rule_format)
{
    struct nic_rule_spec s = wild_spec(2, 80, 1, 3);
    struct ds d = DS_EMPTY_INITIALIZER;
    ovs_be32 ip = htonl(0x0a000001);

    s.match.key.dl_type = htons(ETH_TYPE_IP);
    s.match.mask.dl_type = OVS_BE16_MAX;
    memcpy(s.match.key.nw_src, &ip, 4);
    memset(s.match.mask.nw_src, 0xff, 3);
    nic_match_format(&d, &s.match);
    ck_assert_str_eq(ds_cstr(&d), "in_port=uplink2,dl_type=0x0800,"
                     "nw_src=10.0.0.1/255.255.255.0,tp_dst=80");
    ds_clear(&d);
    spec_acts[1].type = NIC_ACT_PUSH_VLAN;
    spec_acts[1].vlan_tci = htons(10);
    s.n_actions = 2;
    nic_actions_format(&d, s.actions, s.n_actions);
    ck_assert_str_eq(ds_cstr(&d), "output:uplink3,push_vlan:10");
    ds_clear(&d);
    nic_match_init_catchall(&s.match);
    nic_match_format(&d, &s.match);
    ck_assert_str_eq(ds_cstr(&d), "any");
    ds_destroy(&d);
}
END_TEST

Suite *
nic_table_suite(void)
{
    Suite *s = suite_create("nic-table");
    TCase *tc = tcase_create("tables");

    tcase_add_test(tc, test_table_exact_and_wildcard);
    tcase_add_test(tc, test_table_exact_wider);
    tcase_add_test(tc, test_table_priorities);
    tcase_add_test(tc, test_table_capacity);
    tcase_add_test(tc, test_table_modify_and_invalid);
    tcase_add_test(tc, test_table_batch_lookup);
    tcase_add_test(tc, test_table_mask_lengths);
    tcase_add_test(tc, test_rule_format);
    suite_add_tcase(s, tc);
    return s;
}
