/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NIC_ENCAP_BIND_H
#define NIC_ENCAP_BIND_H 1

/* Binding of a rule's encapsulation to the NIC's mapping table: a rule
 * whose encap action sends to an inner destination the table maps is
 * "bound" to that mapping and must agree with it (tunnel type, remote
 * endpoint, VNI, Geneve options); a rule that disagrees is refused, and a
 * mapping change takes out the rules that no longer agree.  So the NIC
 * never sends toward a destination contrary to its own table, and the
 * headers it pushes stay the ones OVS built (byte-for-byte the host
 * path's output).  Pure logic, shared by NIC backends and the host. */

#include <stdbool.h>
#include <stddef.h>

#include "lib/nic-encap-map.h"
#include "lib/nic-rule.h"
#include "openvswitch/hmap.h"

/* Where an encap action sends: the inner frame's destination at the point
 * where the NIC pushes the outer headers. */
struct nic_encap_dest {
    struct eth_addr mac;
    struct in6_addr ip;     /* IPv4-mapped for IPv4; all-zero if the rule
                             * does not fix the destination IP. */
};

/* Looks up the mapping of one inner destination ('ip' all-zero: the
 * MAC-only mapping).  Returns true and fills in '*m' if there is one. */
typedef bool nic_encap_lookup_func(void *aux, const struct eth_addr *mac,
                                   const struct in6_addr *ip,
                                   struct nic_encap_mapping *m);

/* Fills in 'dests[i]' for the i'th encap action of the actions 'acts' of a
 * rule matching 'match' (the match's exact Ethernet and IP destinations,
 * as the set actions before the encap leave them).  A destination whose
 * MAC the rule leaves open is all-zero: no mapping binds it.  Returns the
 * number of encap actions, at most 'max'. */
size_t nic_encap_bind_dests(const struct nic_match *match,
                            const struct nic_action *acts, size_t n,
                            struct nic_encap_dest *dests, size_t max);

/* The mapping that binds encapsulation to 'dest': the one of its MAC and
 * IP, else the MAC-only one.  Returns false if there is none. */
bool nic_encap_bind_lookup(nic_encap_lookup_func *, void *aux,
                           const struct nic_encap_dest *dest,
                           struct nic_encap_mapping *m);

/* Returns NULL if the encap action 'encap' sends where 'm' says, otherwise
 * a malloc'd description of the difference. */
char *nic_encap_bind_check(const struct nic_encap_mapping *m,
                           const struct nic_action *encap)
    OVS_WARN_UNUSED_RESULT;

/* Fills in '*m' with the mapping of 'dest' that 'encap''s header agrees
 * with (what a NIC could learn from it).  Returns false if the header is
 * malformed or the result would not be a valid mapping. */
bool nic_encap_bind_mapping_of(const struct nic_action *encap,
                               const struct nic_encap_dest *dest,
                               struct nic_encap_mapping *m);

/* Checks every encap action of a rule against the mappings 'lookup'
 * finds.  Returns 0 if none disagrees, setting '*n_bound' (if nonnull) to
 * the number of encap actions a mapping binds; EADDRNOTAVAIL if one
 * disagrees, with a malloc'd description in '*whyp' if 'whyp' is
 * nonnull. */
int nic_encap_bind_rule(nic_encap_lookup_func *, void *aux,
                        const struct nic_match *,
                        const struct nic_action *, size_t n,
                        size_t *n_bound, char **whyp);

/* Which rules send to which inner MAC, so that a mapping change looks at
 * those rules only, not at every rule of the NIC.  Not thread safe: the
 * backend's control lock guards it. */
struct nic_encap_index {
    struct hmap macs;           /* Of struct nic_encap_index_mac. */
};

void nic_encap_index_init(struct nic_encap_index *);
void nic_encap_index_destroy(struct nic_encap_index *);
void nic_encap_index_clear(struct nic_encap_index *);
/* Adds or removes rule 'id', whose match and actions are given, under
 * each inner MAC its encap actions send to. */
void nic_encap_index_add(struct nic_encap_index *, const struct nic_match *,
                         const struct nic_action *, size_t n, uint32_t id);
void nic_encap_index_remove(struct nic_encap_index *,
                            const struct nic_match *,
                            const struct nic_action *, size_t n,
                            uint32_t id);
/* The ids of the rules that send to 'mac', a malloc'd array (NULL for
 * none).  Returns the count. */
size_t nic_encap_index_find(const struct nic_encap_index *,
                            const struct eth_addr *mac, uint32_t **idsp);

#endif /* nic-encap-bind.h */
