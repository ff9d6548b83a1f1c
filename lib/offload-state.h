/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_STATE_H
#define OFFLOAD_STATE_H 1

/* Where a datapath flow is (its offload state) and why it is not (fully)
 * in the NIC (its reason): the vocabulary that the translator, the
 * tracker, the engine and the user-facing commands share, so that none of
 * them owns it. */

/* Why a flow is not (fully) in the NIC.  The translator produces the
 * first seven; the engine adds the others. */
#define OFFLOAD_REASONS                                                 \
    OFFLOAD_REASON(NONE, "none", "offloaded")                           \
    OFFLOAD_REASON(MATCH, "unsupported-match", "unsupported match field") \
    OFFLOAD_REASON(ACTION, "unsupported-action", "unsupported action")  \
    OFFLOAD_REASON(PORT, "port-not-on-nic", "output port not on this NIC") \
    OFFLOAD_REASON(RECIRC, "recirculation", "recirculation")            \
    OFFLOAD_REASON(DECAP, "decapsulation",                              \
                   "decapsulated by the NIC, the inner flow forwards")  \
    OFFLOAD_REASON(CT, "conntrack", "connection tracking")              \
    OFFLOAD_REASON(TABLE_FULL, "table-full", "NIC table full")          \
    OFFLOAD_REASON(POLICY, "policy", "excluded by policy")              \
    OFFLOAD_REASON(THRESHOLD, "below-threshold",                        \
                   "below the admission threshold")                     \
    OFFLOAD_REASON(INSERT_FAILED, "insert-failed", "insertion failed")  \
    OFFLOAD_REASON(NIC_CAPABILITY, "nic-capability",                    \
                   "beyond this NIC's capabilities")                    \
    OFFLOAD_REASON(ENCAP_MAPPING, "encap-mapping",                      \
                   "tunnel disagrees with the NIC's mapping")           \
    OFFLOAD_REASON(DISABLED, "disabled", "hw-offload is off")

enum offload_reason {
#define OFFLOAD_REASON(ENUM, NAME, DESC) OFFLOAD_REASON_##ENUM,
    OFFLOAD_REASONS
#undef OFFLOAD_REASON
    OFFLOAD_N_REASONS
};

const char *offload_reason_name(enum offload_reason);
const char *offload_reason_description(enum offload_reason);

#define OFFLOAD_STATES                                                  \
    OFFLOAD_STATE(PENDING, "pending", "waiting for its NIC rule")       \
    OFFLOAD_STATE(OFFLOADED, "offloaded", "carried by the NIC")         \
    OFFLOAD_STATE(PARTIAL, "partial",                                   \
                  "classified and marked by the NIC, actions on the host") \
    OFFLOAD_STATE(SOFTWARE, "software", "carried by ovs-vswitchd")      \
    OFFLOAD_STATE(FAILED, "failed", "NIC refused the rule")

enum offload_state {
#define OFFLOAD_STATE(ENUM, NAME, DESC) OFFLOAD_STATE_##ENUM,
    OFFLOAD_STATES
#undef OFFLOAD_STATE
    OFFLOAD_N_STATES
};

const char *offload_state_name(enum offload_state);
const char *offload_state_description(enum offload_state);

/* Longest detail ("which field, action or port") kept with a reason. */
#define OFFLOAD_DETAIL_LEN 96

#endif /* offload-state.h */
