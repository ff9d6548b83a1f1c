/* SPDX-License-Identifier: Apache-2.0 */
#ifndef OFFLOAD_ENGINE_H
#define OFFLOAD_ENGINE_H 1

/* The offload engine: keeps each NIC's rules in line with the datapath
 * flows offered to it, through struct nic_class only.
 *
 * A flow-API provider hands it every datapath flow with its translation;
 * the engine installs, replaces and removes NIC rules, tracks every flow
 * (lib/offload-tracker.h), decides admission when a table is full
 * (lib/offload-admission.h), and, from offload_engine_run(), reads the
 * NIC's counters, reinstalls rules a NIC lost (e.g. in a reset) and
 * rebalances.  All functions are thread-safe; there is one engine per
 * process. */

#include <stdbool.h>
#include <stdint.h>

#include "lib/offload-admission.h"
#include "lib/offload-tracker.h"
#include "lib/offload-translate.h"
#include "openvswitch/types.h"

struct ds;
struct json;
struct match;
struct nic;
struct nlattr;

struct offload_engine_config {
    bool enabled;                       /* hw-offload. */
    enum offload_policy policy;
    double min_pps;                     /* Admission threshold ("value"). */
    double hysteresis;                  /* See offload-admission.h. */
};

void offload_engine_config_init(struct offload_engine_config *);
void offload_engine_set_config(const struct offload_engine_config *);
void offload_engine_get_config(struct offload_engine_config *);

/* A datapath flow offered for offload (new, or new actions for a known
 * UFID). */
struct offload_put {
    const ovs_u128 *ufid;
    const struct match *match;
    const struct nlattr *actions;
    size_t actions_len;
    odp_port_t in_port;
    struct nic *nic;                    /* NIC of 'in_port'. */
    uint32_t nic_port;
    uint32_t mark;                      /* Datapath's flow mark. */
    const struct offload_translation *xlate;
    const char *port_name;              /* Datapath's name of 'in_port',
                                         * which port policy names; NULL
                                         * if it has none. */
};

/* Takes the flow in; it is tracked from now on whatever happens.  Returns
 * the state it ended in. */
enum offload_state offload_engine_flow_put(const struct offload_put *,
                                           long long int now_ms);

/* What the NIC did for one flow. */
struct offload_flow_status {
    enum offload_state state;
    enum offload_kind kind;             /* Of the installed rule. */
    bool installed;
    uint64_t hw_packets, hw_bytes;      /* Carried by full rules only, over
                                         * the flow's life. */
    long long int hw_used;              /* ms; 0 if never. */
};

/* Returns 0 and the flow's status, or ENOENT if the flow is unknown. */
int offload_engine_flow_get(const ovs_u128 *ufid,
                            struct offload_flow_status *);

/* Forgets a flow and removes its rule.  Returns 0 and the final status,
 * or ENOENT. */
int offload_engine_flow_del(const ovs_u128 *ufid,
                            struct offload_flow_status *);

/* A port of 'nic' is going away: rules that match on it or send to it
 * are removed and their flows stay on the host until the datapath deletes
 * or changes them; the port's name is forgotten with it. */
void offload_engine_flush_port(const struct nic *, uint32_t nic_port);

/* Port policy, which the engine alone keeps: flows entering through a
 * port named in 'names' (offload_put's 'port_name') stay on the host.
 * Replaces the previous set. */
struct sset;
void offload_engine_set_excluded_ports(const struct sset *names);
bool offload_engine_port_is_excluded(const char *name);

/* The datapath's packet count for a flow (software plus what the NIC
 * carried), which the "value" policy needs for flows not in the NIC. */
void offload_engine_note_datapath_packets(const ovs_u128 *ufid,
                                          uint64_t n_packets);

/* Whether offload_engine_note_datapath_packets() is worth feeding now:
 * some flow waits for admission by value. */
bool offload_engine_needs_datapath_stats(void);

/* The flows whose datapath packet count admission needs: those it may put
 * in the NIC and those with a partial rule (whose packets the datapath
 * counts), which it may evict.  Their rates are sampled only when a count
 * was noted since the last sample, so a caller may feed a few of them per
 * round.  Copies up to 'max' of their UFIDs to 'ufids', walking on from
 * '*pos' (zeroed to start) and wrapping round at most once, and returns
 * how many it copied. */
struct hmap_position;
size_t offload_engine_rate_flows(struct hmap_position *pos, ovs_u128 *ufids,
                                 size_t max);

/* Periodic work; see the comment at the top.  Each call is one
 * "rebalance round", counted in offload/show. */
void offload_engine_run(long long int now_ms);

/* Removes every rule the engine installed (for exit); flows stay
 * tracked. */
void offload_engine_uninstall_all(void);

/* Number of flows with a rule in 'nic' (NULL: all NICs). */
uint64_t offload_engine_n_installed(const struct nic *);

/* Introspection for offload/... commands.  'filter' may be NULL or a
 * state name. */
void offload_engine_show(struct ds *);
struct json *offload_engine_show_json(void);
struct json *offload_engine_flows_json(const char *state_filter);
/* Fills in '*x' with why the flow is where it is, for the caller to render
 * and then free with offload_flow_explanation_destroy(); 'x' may be NULL
 * to only test for the flow.  Returns false if there is no such flow. */
bool offload_engine_explain(const ovs_u128 *ufid,
                            struct offload_flow_explanation *x);
/* An explanation as offload/flows lists it, which is also offload/explain's
 * JSON form. */
struct json *offload_flow_explanation_to_json(
    const struct offload_flow_explanation *);

/* Finds the tracked flow whose megaflow covers 'flow'.  Returns true and
 * its UFID, or false. */
struct flow;
bool offload_engine_find_by_flow(const struct flow *, ovs_u128 *ufid);

/* Copies what the host needs to re-run the flow whose rule in 'nic' has
 * 'cookie': its megaflow, ODP actions (appended to 'actions'), input port,
 * UFID and the kind of rule it has now.  Returns false if there is
 * none. */
struct ofpbuf;
bool offload_engine_copy_flow(const struct nic *, uint64_t cookie,
                              struct match *, struct ofpbuf *actions,
                              odp_port_t *in_port, ovs_u128 *ufid,
                              enum offload_kind *);

/* The NICs the engine has flows on, each with a reference the caller
 * drops with nic->class->close().  Returns their number. */
size_t offload_engine_get_nics(struct nic ***nicsp);

/* Back to an empty engine (tests). */
void offload_engine_clear(void);

#endif /* offload-engine.h */
