/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_VERIFY_H
#define OFFLOAD_VERIFY_H 1

/* Shadow check of offloaded flows: a packet the NIC handled (a struct
 * nic_sample) is run through the host's path too, that is, matched
 * against the flow's megaflow and executed with the flow's datapath
 * actions by OVS's own action executor, and the two outputs compared. */

#include <stddef.h>

#include "lib/nic.h"
#include "lib/offload-translate.h"
#include "openvswitch/types.h"

struct match;
struct nlattr;

#define OFFLOAD_VERIFY_OUTCOMES                                         \
    OFFLOAD_VERIFY_OUTCOME(EQUAL, "equal")                              \
    OFFLOAD_VERIFY_OUTCOME(MATCH_DIFF, "match-differs")                 \
    OFFLOAD_VERIFY_OUTCOME(PORT_DIFF, "port-differs")                   \
    OFFLOAD_VERIFY_OUTCOME(BYTES_DIFF, "bytes-differ")                  \
    OFFLOAD_VERIFY_OUTCOME(UNCHECKABLE, "uncheckable")

enum offload_verify_outcome {
#define OFFLOAD_VERIFY_OUTCOME(ENUM, NAME) OFFLOAD_VERIFY_##ENUM,
    OFFLOAD_VERIFY_OUTCOMES
#undef OFFLOAD_VERIFY_OUTCOME
    OFFLOAD_VERIFY_N_OUTCOMES
};

const char *offload_verify_outcome_name(enum offload_verify_outcome);

/* Totals of a verification run. */
#define OFFLOAD_VERIFY_MAX_EXAMPLES 10

struct offload_verify_report {
    size_t n_samples;                   /* Packets the NIC sampled. */
    size_t n_unknown;                   /* Their flow went meanwhile. */
    size_t counts[OFFLOAD_VERIFY_N_OUTCOMES];
    size_t n_examples;                  /* Differences described. */
    char *examples[OFFLOAD_VERIFY_MAX_EXAMPLES];
};

void offload_verify_report_init(struct offload_verify_report *);
void offload_verify_report_destroy(struct offload_verify_report *);
/* Adds one compared sample; 'why' describes a difference. */
void offload_verify_report_add(struct offload_verify_report *,
                               enum offload_verify_outcome,
                               const char *flow, const char *why);
size_t offload_verify_report_differences(const struct offload_verify_report *);
/* Samples actually compared, host output against NIC output: those found
 * equal or different.  A sample whose flow is gone, or that is
 * uncheckable, compares nothing. */
size_t offload_verify_report_compared(const struct offload_verify_report *);

/* What a report allows to say.  With nothing compared there is no
 * verdict, however few differences were seen. */
enum offload_verify_verdict {
    OFFLOAD_VERIFY_AGREE,               /* Compared some, no difference. */
    OFFLOAD_VERIFY_DIFFER,              /* At least one difference. */
    OFFLOAD_VERIFY_NO_VERDICT,          /* Nothing compared. */
};

enum offload_verify_verdict offload_verify_report_verdict(
    const struct offload_verify_report *);
const char *offload_verify_verdict_name(enum offload_verify_verdict);

/* Compares 'sample' with what the datapath flow ('match', 'actions',
 * entering on 'in_port') does to the same packet; 'resolver' maps the
 * datapath's output ports to NIC ports.  On a difference, writes what
 * differs to 'why' (size 'why_size'). */
enum offload_verify_outcome offload_verify_sample(
    const struct nic_sample *, const struct match *,
    const struct nlattr *actions, size_t actions_len, odp_port_t in_port,
    const struct offload_port_resolver *, char *why, size_t why_size);

#endif /* offload-verify.h */
