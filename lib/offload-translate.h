/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_TRANSLATE_H
#define OFFLOAD_TRANSLATE_H 1

/* Translation of an OVS datapath flow (megaflow match + ODP actions) into
 * a NIC rule, with the reason a user can read when it cannot be fully
 * offloaded.  Pure logic: the caller says which datapath ports belong to
 * the NIC through a resolver, and what the NIC can do through its caps. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/nic.h"
#include "lib/nic-rule.h"
#include "lib/offload-state.h"
#include "openvswitch/types.h"

struct match;
struct nlattr;

/* Maps datapath ports to ports of one NIC. */
struct offload_port_resolver {
    /* Returns true and the NIC port number in '*nic_port' if datapath port
     * 'odp_port' is a port of the NIC being translated for, false if it is
     * not (another NIC, a tap, an internal port...).  Must not be NULL. */
    bool (*resolve)(const void *aux, odp_port_t odp_port,
                    uint32_t *nic_port);
    /* Optional: the port's name for messages, or NULL. */
    const char *(*name)(const void *aux, odp_port_t odp_port);
    const void *aux;
};

enum offload_kind {
    OFFLOAD_KIND_NONE,          /* Stays entirely in ovs-vswitchd. */
    OFFLOAD_KIND_PARTIAL,       /* NIC classifies and marks; host acts. */
    OFFLOAD_KIND_FULL,          /* NIC classifies and acts. */
};

const char *offload_kind_to_string(enum offload_kind);

/* The translator's scratch result.  'spec.actions' points into
 * 'actions', so a translation is filled in place and never copied by
 * value; the tracker keeps its own exact-size copy of the rule. */
struct offload_translation {
    enum offload_kind kind;
    enum offload_reason reason;         /* Why not FULL; NONE when FULL. */
    char detail[OFFLOAD_DETAIL_LEN];    /* Which field, action or port. */
    struct nic_rule_spec spec;          /* Valid unless kind == NONE. */
    struct nic_action actions[NIC_MAX_ACTIONS]; /* 'spec''s storage. */
};

/* Translates the megaflow 'match' with ODP 'actions' into a rule for the
 * NIC described by 'caps', whose ports 'resolver' knows.  A flow whose
 * match translates but whose actions do not becomes a PARTIAL rule (mark
 * 'mark', then to the host) if the NIC can mark and 'mark' is nonzero.
 * 'cookie' tags the rule.  Always fills in '*out'. */
void offload_translate(const struct match *,
                       const struct nlattr *actions, size_t actions_len,
                       const struct nic_caps *,
                       const struct offload_port_resolver *,
                       uint32_t mark, uint64_t cookie,
                       struct offload_translation *out);

#endif /* offload-translate.h */
