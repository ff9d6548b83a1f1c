/* SPDX-License-Identifier: Apache-2.0 */
/* The shadow check behind offload/verify: the NIC's outputs against OVS's
 * matcher and actions. */
#include <config.h>

#include "lib/offload-verify.h"

#include <string.h>

#include "dp-packet.h"
#include "flow.h"
#include "odp-netlink.h"
#include "odp-util.h"
#include "odp-execute.h"
#include "openvswitch/match.h"
#include "util.h"

static const char *const offload_verify_names[] = {
#define OFFLOAD_VERIFY_OUTCOME(ENUM, NAME) NAME,
    OFFLOAD_VERIFY_OUTCOMES
#undef OFFLOAD_VERIFY_OUTCOME
};

const char *
offload_verify_outcome_name(enum offload_verify_outcome o)
{
    return o < OFFLOAD_VERIFY_N_OUTCOMES ? offload_verify_names[o] : "?";
}

/* What the host path sent where. */
struct offload_verify_ctx {
    const struct offload_port_resolver *resolver;
    size_t n_outputs;
    struct nic_sample_output outputs[NIC_SAMPLE_MAX_OUTPUTS];
    bool uncheckable;                   /* An action only a datapath does. */
    odp_port_t bad_port;                /* Output not on the NIC. */
};

static void
offload_verify_exec_cb(void *aux, struct dp_packet_batch *batch,
                       const struct nlattr *action, bool should_steal)
{
    struct offload_verify_ctx *ctx = aux;
    struct dp_packet *pkt;

    if (nl_attr_type(action) == OVS_ACTION_ATTR_OUTPUT) {
        odp_port_t port = nl_attr_get_odp_port(action);
        uint32_t nic_port = UINT32_MAX;

        if (!ctx->resolver->resolve(ctx->resolver->aux, port, &nic_port)) {
            ctx->bad_port = port;
        }
        DP_PACKET_BATCH_FOR_EACH (i, pkt, batch) {
            if (ctx->n_outputs < NIC_SAMPLE_MAX_OUTPUTS) {
                ctx->outputs[ctx->n_outputs] = (struct nic_sample_output) {
                    .port = nic_port, .to_host = false,
                    .pkt = dp_packet_clone(pkt),
                };
            }
            ctx->n_outputs++;
        }
    } else {
        ctx->uncheckable = true;
    }
    if (should_steal) {
        dp_packet_delete_batch(batch, true);
    }
}

enum offload_verify_outcome
offload_verify_sample(const struct nic_sample *sample,
                      const struct match *match,
                      const struct nlattr *actions, size_t actions_len,
                      odp_port_t in_port,
                      const struct offload_port_resolver *resolver,
                      char *why, size_t why_size)
{
    struct offload_verify_ctx ctx = { .resolver = resolver,
                                      .bad_port = ODPP_NONE };
    enum offload_verify_outcome outcome = OFFLOAD_VERIFY_EQUAL;
    struct dp_packet *pkt = dp_packet_clone(sample->pkt);
    struct dp_packet_batch batch;
    struct flow flow;

    *why = '\0';
    /* Normally done by dpif-netdev already; the executor needs it. */
    odp_execute_init();
    pkt_metadata_init(&pkt->md, in_port);
    flow_extract(pkt, &flow);
    if (!flow_equal_except(&flow, &match->flow, &match->wc)) {
        snprintf(why, why_size, "NIC rule matched a packet outside the "
                 "datapath flow");
        dp_packet_delete(pkt);
        return OFFLOAD_VERIFY_MATCH_DIFF;
    }

    dp_packet_batch_init_packet(&batch, pkt);
    odp_execute_actions(&ctx, &batch, true, actions, actions_len,
                        offload_verify_exec_cb);

    if (ctx.uncheckable) {
        snprintf(why, why_size, "flow has actions only a datapath runs");
        outcome = OFFLOAD_VERIFY_UNCHECKABLE;
    } else if (ctx.bad_port != ODPP_NONE) {
        snprintf(why, why_size, "host path outputs to port %"PRIu32
                 ", which is not on the NIC", odp_to_u32(ctx.bad_port));
        outcome = OFFLOAD_VERIFY_PORT_DIFF;
    } else if (ctx.n_outputs != sample->n_outputs) {
        snprintf(why, why_size, "host path sent %"PRIuSIZE" packet(s), "
                 "NIC %"PRIuSIZE, ctx.n_outputs, sample->n_outputs);
        outcome = OFFLOAD_VERIFY_PORT_DIFF;
    } else {
        size_t n = MIN(ctx.n_outputs, NIC_SAMPLE_MAX_OUTPUTS);

        for (size_t i = 0; i < n && outcome == OFFLOAD_VERIFY_EQUAL; i++) {
            const struct nic_sample_output *h = &ctx.outputs[i];
            const struct nic_sample_output *x = &sample->outputs[i];

            if (x->to_host || h->port != x->port) {
                snprintf(why, why_size, "output %"PRIuSIZE": host path "
                         "port %"PRIu32", NIC port %"PRIu32"%s", i,
                         h->port, x->port, x->to_host ? " (to host)" : "");
                outcome = OFFLOAD_VERIFY_PORT_DIFF;
            } else if (dp_packet_size(h->pkt) != dp_packet_size(x->pkt)
                       || memcmp(dp_packet_data(h->pkt),
                                 dp_packet_data(x->pkt),
                                 dp_packet_size(h->pkt))) {
                snprintf(why, why_size, "output %"PRIuSIZE" to port %"PRIu32
                         ": %"PRIu32" bytes from the host path, %"PRIu32
                         " from the NIC, contents differ", i, h->port,
                         dp_packet_size(h->pkt), dp_packet_size(x->pkt));
                outcome = OFFLOAD_VERIFY_BYTES_DIFF;
            }
        }
    }
    for (size_t i = 0; i < MIN(ctx.n_outputs, NIC_SAMPLE_MAX_OUTPUTS); i++) {
        dp_packet_delete(ctx.outputs[i].pkt);
    }
    return outcome;
}

void
offload_verify_report_init(struct offload_verify_report *r)
{
    memset(r, 0, sizeof *r);
}

void
offload_verify_report_destroy(struct offload_verify_report *r)
{
    for (size_t i = 0; i < r->n_examples; i++) {
        free(r->examples[i]);
    }
    r->n_examples = 0;
}

void
offload_verify_report_add(struct offload_verify_report *r,
                          enum offload_verify_outcome outcome,
                          const char *flow, const char *why)
{
    r->counts[outcome]++;
    if (outcome != OFFLOAD_VERIFY_EQUAL
        && r->n_examples < OFFLOAD_VERIFY_MAX_EXAMPLES) {
        r->examples[r->n_examples++] = xasprintf("%s: %s: %s", flow,
                                                 offload_verify_outcome_name(
                                                     outcome), why);
    }
}

size_t
offload_verify_report_differences(const struct offload_verify_report *r)
{
    return (r->counts[OFFLOAD_VERIFY_MATCH_DIFF]
            + r->counts[OFFLOAD_VERIFY_PORT_DIFF]
            + r->counts[OFFLOAD_VERIFY_BYTES_DIFF]);
}

size_t
offload_verify_report_compared(const struct offload_verify_report *r)
{
    return (r->counts[OFFLOAD_VERIFY_EQUAL]
            + offload_verify_report_differences(r));
}

enum offload_verify_verdict
offload_verify_report_verdict(const struct offload_verify_report *r)
{
    return (offload_verify_report_differences(r) ? OFFLOAD_VERIFY_DIFFER
            : offload_verify_report_compared(r) ? OFFLOAD_VERIFY_AGREE
            : OFFLOAD_VERIFY_NO_VERDICT);
}

const char *
offload_verify_verdict_name(enum offload_verify_verdict v)
{
    switch (v) {
    case OFFLOAD_VERIFY_AGREE:
        return "agree";
    case OFFLOAD_VERIFY_DIFFER:
        return "differ";
    case OFFLOAD_VERIFY_NO_VERDICT:
    default:
        return "none";
    }
}
