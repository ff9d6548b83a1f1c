/* SPDX-License-Identifier: Apache-2.0 */
#ifndef NETDEV_OFFLOAD_NIC_H
#define NETDEV_OFFLOAD_NIC_H 1

/* The netdev flow-API provider (OVS 3.1 'struct netdev_flow_api') that
 * claims the ports of NICs behind struct nic_class and feeds the datapath
 * flows dpif-netdev offers into the offload engine (lib/offload-engine.h).
 * This is the only place that knows OVS's offload interface; a port to a
 * later OVS changes this file. */

#include <stdbool.h>
#include <stddef.h>

#include "openvswitch/types.h"

struct smap;

void netdev_offload_nic_register(void);

/* Main-loop hooks: counters, reset recovery, admission, verification. */
void netdev_offload_nic_run(void);
void netdev_offload_nic_wait(void);

/* Removes every rule the engine installed; for exit. */
void netdev_offload_nic_exit(void);

/* How often netdev_offload_nic_run() does its periodic work. */
#define NETDEV_OFFLOAD_DEFAULT_INTERVAL 1000
#define NETDEV_OFFLOAD_MIN_INTERVAL 100
#define NETDEV_OFFLOAD_MAX_INTERVAL 60000
void netdev_offload_nic_set_interval(int ms);
int netdev_offload_nic_get_interval(void);

/* Shadow verification: samples up to 'max' packets that hit offloaded
 * rules within 'duration_ms' (ending early once 'max' are in), runs each
 * through the host's path too and fills in a report.
 *
 * It does not block: netdev_offload_nic_verify_start() starts the
 * NICs sampling and returns; netdev_offload_nic_run() finishes the run
 * when its window closes and calls 'done' with the report (which 'done'
 * must not keep) and 'aux', or with a null report if the run was
 * cancelled (the daemon exits).  The main thread meanwhile goes on with its
 * poll loop: OpenFlow, OVSDB and the host path of non-PMD ports.
 *
 * Returns 0, EOPNOTSUPP if no NIC with offloaded flows can sample, or
 * EBUSY if a verification is already running ('done' is then not
 * called). */
struct offload_verify_report;
typedef void netdev_offload_verify_done_cb(
    const struct offload_verify_report *, void *aux);
int netdev_offload_nic_verify_start(size_t max, int duration_ms,
                                       netdev_offload_verify_done_cb *done,
                                       void *aux);

/* What dpctl/offload-stats-show calls latency: dpif-netdev's mean time
 * from queueing an offload request (add, modify or delete) to its offload
 * thread finishing it, over all requests ('*cma_us') and recently
 * ('*ema_us').  Returns false if there is no userspace datapath with
 * offload on. */
bool netdev_offload_nic_datapath_latency(uint64_t *cma_us,
                                            uint64_t *ema_us);

/* Datapath port names to numbers, for parsing flows users type. */
struct simap;
void netdev_offload_nic_port_names(struct simap *);

/* The datapath flow with (dpctl's) 'ufid', as a struct flow.  Returns
 * false if there is none. */
struct flow;
bool netdev_offload_nic_datapath_flow(const ovs_u128 *ufid,
                                         struct flow *);

#endif /* netdev-offload-nic.h */
