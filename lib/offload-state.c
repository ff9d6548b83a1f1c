/* SPDX-License-Identifier: Apache-2.0 */
/* Names and descriptions of offload states and reasons. */
#include <config.h>

#include "lib/offload-state.h"

/* Name and description of each reason and state, in enum order. */
struct offload_label {
    const char *name;
    const char *desc;
};

static const struct offload_label offload_reasons[] = {
#define OFFLOAD_REASON(ENUM, NAME, DESC) { NAME, DESC },
    OFFLOAD_REASONS
#undef OFFLOAD_REASON
};

static const struct offload_label offload_states[] = {
#define OFFLOAD_STATE(ENUM, NAME, DESC) { NAME, DESC },
    OFFLOAD_STATES
#undef OFFLOAD_STATE
};

const char *
offload_reason_name(enum offload_reason reason)
{
    return reason < OFFLOAD_N_REASONS ? offload_reasons[reason].name
                                      : "unknown";
}

const char *
offload_reason_description(enum offload_reason reason)
{
    return (reason < OFFLOAD_N_REASONS ? offload_reasons[reason].desc
                                       : "unknown reason");
}

const char *
offload_state_name(enum offload_state state)
{
    return state < OFFLOAD_N_STATES ? offload_states[state].name : "?";
}

const char *
offload_state_description(enum offload_state state)
{
    return state < OFFLOAD_N_STATES ? offload_states[state].desc : "?";
}
